-- Webhook secret rotation: rotateWebhookSecret keeps the replaced secret
-- signing beside the new one until previous_secret_expires_at, so a
-- receiver can switch secrets without losing a delivery. Both columns are
-- set together or not at all; a secret past its expiry is ignored (and
-- cleared by the next rotation).
ALTER TABLE webhooks
    ADD COLUMN previous_secret            text CHECK (length(previous_secret) BETWEEN 16 AND 200),
    ADD COLUMN previous_secret_expires_at timestamptz,
    ADD CONSTRAINT webhooks_previous_secret_pair
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL));
