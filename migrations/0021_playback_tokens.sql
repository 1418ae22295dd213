-- Share links (createPlaybackToken): each signed link has a row, so its
-- owner can list and revoke it. The token itself is not stored: it is an
-- HMAC over the link's id, video and expiry, shown once at creation.
-- allowed_origins, when not empty, restricts the pages (Origin or Referer)
-- that may load the link's master playlist.
CREATE TABLE playback_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    video_id        uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    created_by      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    allowed_origins text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX playback_tokens_video_idx ON playback_tokens (video_id, created_at DESC);

-- Media delivery caches each link's state in every process; a revocation
-- (or a deletion, by cascade with its video) is announced with the link's
-- id on the clipcut_playback_tokens channel at commit, so every replica
-- refuses the link at once.
CREATE FUNCTION playback_tokens_notify_revoked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NULL AND (TG_OP = 'DELETE' OR NEW.revoked_at IS NOT NULL) THEN
        PERFORM pg_notify('clipcut_playback_tokens', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER playback_tokens_notify_revoked
    AFTER UPDATE OF revoked_at OR DELETE ON playback_tokens
    FOR EACH ROW EXECUTE FUNCTION playback_tokens_notify_revoked();
