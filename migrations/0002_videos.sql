-- Videos and their processing state.

CREATE TABLE videos (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text CHECK (length(description) <= 5000),
    status           text NOT NULL DEFAULT 'UPLOADING'
                     CHECK (status IN ('UPLOADING', 'PROCESSING', 'READY', 'FAILED')),
    privacy          text NOT NULL DEFAULT 'PUBLIC'
                     CHECK (privacy IN ('PUBLIC', 'UNLISTED', 'PRIVATE')),
    playable         boolean NOT NULL DEFAULT false,
    stage            text NOT NULL DEFAULT 'uploading',
    percent          real NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    error            text,
    duration_seconds double precision,
    width            integer,
    height           integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- Bumped by every update: events carry it, so a subscriber that read the
    -- row at version N can drop a late event about version N or older.
    version          bigint NOT NULL DEFAULT 1
);
CREATE INDEX videos_owner_idx ON videos (owner_id, created_at DESC, id DESC);
CREATE INDEX videos_feed_idx ON videos (created_at DESC, id DESC)
    WHERE privacy = 'PUBLIC' AND playable;

CREATE FUNCTION videos_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER videos_bump_version
    BEFORE UPDATE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_bump_version();

-- Every change to a video's processing state is published on the
-- clipcut_video channel, whichever process made it, at commit. API replicas
-- LISTEN once each and fan events out to subscriptions.
CREATE FUNCTION videos_notify_progress() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('clipcut_video', json_build_object(
            'id', OLD.id, 'deleted', true)::text);
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT'
       OR NEW.status IS DISTINCT FROM OLD.status
       OR NEW.stage IS DISTINCT FROM OLD.stage
       OR NEW.percent IS DISTINCT FROM OLD.percent
       OR NEW.playable IS DISTINCT FROM OLD.playable
       OR NEW.error IS DISTINCT FROM OLD.error THEN
        PERFORM pg_notify('clipcut_video', json_build_object(
            'id', NEW.id,
            'version', NEW.version,
            'status', NEW.status,
            'stage', NEW.stage,
            'percent', NEW.percent,
            'playable', NEW.playable,
            -- pg_notify payloads are capped at 8000 bytes.
            'error', left(NEW.error, 2000))::text);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER videos_notify_progress
    AFTER INSERT OR UPDATE OR DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_notify_progress();
