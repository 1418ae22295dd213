-- Administration: disabled accounts, taken-down videos, viewers' reports
-- and the audit log of administrators' actions.

-- A disabled account cannot log in; its sessions and API tokens are
-- deleted in the transaction that disables it.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- A taken-down video is hidden from everyone but its owner (who sees the
-- reason) and administrators, and its media is refused to all.
-- owner_disabled mirrors users.disabled_at (kept by the trigger below) so
-- that the visibility rule reads one row: a disabled account's videos are
-- hidden from everyone but administrators.
ALTER TABLE videos
    ADD COLUMN taken_down_at   timestamptz,
    ADD COLUMN takedown_reason text CHECK (length(takedown_reason) <= 2000),
    ADD COLUMN owner_disabled  boolean NOT NULL DEFAULT false;

CREATE FUNCTION users_mirror_disabled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.disabled_at IS NULL) IS DISTINCT FROM (OLD.disabled_at IS NULL) THEN
        UPDATE videos SET owner_disabled = NEW.disabled_at IS NOT NULL WHERE owner_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_mirror_disabled
    AFTER UPDATE OF disabled_at ON users
    FOR EACH ROW EXECUTE FUNCTION users_mirror_disabled();

-- Media delivery caches whether a video may be served: a takedown, a
-- restore and an owner's (re-)enabling change that, so they are announced
-- on the privacy channel too, and every replica drops its cached answer at
-- commit.
CREATE OR REPLACE FUNCTION videos_notify_privacy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR NEW.privacy IS DISTINCT FROM OLD.privacy
       OR NEW.taken_down_at IS DISTINCT FROM OLD.taken_down_at
       OR NEW.owner_disabled IS DISTINCT FROM OLD.owner_disabled THEN
        PERFORM pg_notify('clipcut_privacy', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER videos_notify_privacy ON videos;
CREATE TRIGGER videos_notify_privacy
    AFTER UPDATE OF privacy, taken_down_at, owner_disabled OR DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_notify_privacy();

-- video.taken_down and video.restored, written to the webhook outbox in the
-- transaction that takes the video down or restores it (a trigger of its
-- own, so the main event trigger of 0006 stays as it is).
CREATE FUNCTION webhook_moderation_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t     text;
    ev_id uuid;
BEGIN
    IF OLD.taken_down_at IS NULL AND NEW.taken_down_at IS NOT NULL THEN
        t := 'video.taken_down';
    ELSIF OLD.taken_down_at IS NOT NULL AND NEW.taken_down_at IS NULL THEN
        t := 'video.restored';
    ELSE
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM webhooks w
               WHERE w.owner_id = NEW.owner_id AND w.active AND t = ANY (w.events)) THEN
        INSERT INTO webhook_events (type, video_id, owner_id, data)
        VALUES (t, NEW.id, NEW.owner_id, jsonb_build_object(
            'video', webhook_video_json(NEW), 'takedown_reason', NEW.takedown_reason))
        RETURNING id INTO ev_id;
        PERFORM pg_notify('clipcut_webhook', ev_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER webhook_moderation_events
    AFTER UPDATE OF taken_down_at ON videos
    FOR EACH ROW EXECUTE FUNCTION webhook_moderation_events();

-- Viewers' reports of a video. One open report per viewer and video; the
-- reporter is never shown to the video's owner.
CREATE TABLE video_reports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    video_id    uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      text NOT NULL CHECK (reason IN ('SPAM', 'HARASSMENT', 'HATE', 'VIOLENCE',
                                                'SEXUAL_CONTENT', 'COPYRIGHT', 'PRIVACY', 'OTHER')),
    note        text CHECK (length(note) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Set when an administrator acts on the video's reports.
    resolved_at timestamptz,
    resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
    resolution  text CHECK (resolution IN ('TAKEN_DOWN', 'DISMISSED'))
);
CREATE UNIQUE INDEX video_reports_open_key ON video_reports (video_id, reporter_id) WHERE resolved_at IS NULL;
CREATE INDEX video_reports_open_idx ON video_reports (created_at) WHERE resolved_at IS NULL;
CREATE INDEX video_reports_reporter_idx ON video_reports (reporter_id, created_at);

-- What administrators did: who, what, to what, when, why. Kept like the
-- webhook logs; rows are never changed.
CREATE TABLE audit_log (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- No foreign keys: the record outlives the accounts and videos it names.
    actor_id    uuid NOT NULL,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   uuid NOT NULL,
    reason      text,
    data        jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
