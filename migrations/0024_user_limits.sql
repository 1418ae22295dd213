-- Per-account upload limits, set by administrators in the admin area over
-- the instance defaults (CLIPCUT_USER_STORAGE_QUOTA,
-- CLIPCUT_USER_DAILY_UPLOADS). NULL: the instance default; 0: unlimited.
-- They are read under the owner's upload lock, where the defaults are
-- checked, so a change counts from the next upload on every replica.
ALTER TABLE users
    ADD COLUMN storage_quota bigint CHECK (storage_quota >= 0),
    ADD COLUMN daily_uploads integer CHECK (daily_uploads >= 0);
