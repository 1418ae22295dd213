-- Uploads for integrators: a passthrough value of their own, idempotent
-- createUpload, server-side upload progress, and failures marked as
-- permanent (the file is no video) or not (a retry may help).

ALTER TABLE videos
    -- Set by the creator or integrator at createUpload (Mux's passthrough,
    -- Cloudflare's meta), echoed in REST answers and webhooks.
    ADD COLUMN passthrough     text CHECK (length(passthrough) <= 255),
    -- createUpload's idempotencyKey: a retry with the same key from the
    -- same user within 24 hours gets this video back. The unique index
    -- below, not a check before the insert, makes concurrent retries one
    -- video; a key older than 24 hours is cleared when it is used again.
    ADD COLUMN idempotency_key text CHECK (length(idempotency_key) <= 255),
    -- Bytes of the upload stored so far, written at most once a second per
    -- upload while a PATCH runs (Video.upload, videoProgress "uploading").
    ADD COLUMN upload_offset   bigint NOT NULL DEFAULT 0 CHECK (upload_offset >= 0),
    -- The failure is the file's (not a video, corrupt): retryProcessing
    -- cannot help, so the app does not offer it (Video.retryable).
    ADD COLUMN error_permanent boolean NOT NULL DEFAULT false;

CREATE UNIQUE INDEX videos_idempotency_key_idx ON videos (owner_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- unfinishedUpload: the caller's UPLOADING video of one file name and size.
CREATE INDEX videos_unfinished_upload_idx ON videos (owner_id, filename, upload_size)
    WHERE status = 'UPLOADING';

-- Failures recorded before the flag existed: only the pipeline's
-- "problem on the server" reason was worth a retry.
UPDATE videos SET error_permanent = true
WHERE status = 'FAILED' AND coalesce(error, '') NOT LIKE 'Processing failed at the % step after %';
