-- Webhooks: endpoints owners register, the outbox of events about their
-- videos, and one delivery per event and endpoint.

CREATE TABLE webhooks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    -- Event types delivered to this endpoint ("video.ready", ...).
    events      text[] NOT NULL CHECK (cardinality(events) > 0),
    -- The signing key itself (HMAC needs it, so it cannot be hashed); shown
    -- to the owner once, when the webhook is created.
    secret      text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_owner_idx ON webhooks (owner_id, created_at DESC, id DESC);

-- The transactional outbox. Rows are written by the trigger below in the
-- transaction that changed the video (or by clipcut for test events), so an
-- event exists if and only if its change committed. The dispatcher fans
-- undispatched rows out to deliveries.
CREATE TABLE webhook_events (
    -- The event's stable id: receivers deduplicate by it.
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Commit-independent order of events, for dispatching oldest first.
    seq           bigserial NOT NULL UNIQUE,
    type          text NOT NULL,
    -- No foreign keys: video.deleted outlives its video, and events of a
    -- deleted account are simply never delivered.
    video_id      uuid,
    owner_id      uuid NOT NULL,
    -- Set for events meant for one endpoint only (webhook.test).
    webhook_id    uuid REFERENCES webhooks (id) ON DELETE CASCADE,
    -- Version of the payload's shape.
    version       integer NOT NULL DEFAULT 1,
    data          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX webhook_events_undispatched_idx ON webhook_events (seq) WHERE dispatched_at IS NULL;
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id         uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    status           text NOT NULL DEFAULT 'PENDING'
                     CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    last_latency_ms  integer,
    next_attempt_at  timestamptz,
    -- Retries stop after this; the delivery is then FAILED.
    retry_until      timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (event_id, webhook_id)
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

-- A video as webhook payloads show it.
CREATE FUNCTION webhook_video_json(v videos) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', v.id,
        'owner_id', v.owner_id,
        'title', v.title,
        'description', v.description,
        'status', v.status,
        'privacy', v.privacy,
        'playable', v.playable,
        'stage', v.stage,
        'error', v.error,
        'duration', v.duration_seconds,
        'width', v.width,
        'height', v.height,
        'subtitles_status', v.subtitles_status,
        'subtitles_note', v.subtitles_note,
        'created_at', v.created_at,
        'updated_at', v.updated_at,
        'version', v.version)
$$;

-- Every video change that makes an event writes it to the outbox in the
-- same transaction, whichever code path made the change. Events nobody
-- subscribed to are not written at all.
CREATE FUNCTION webhook_video_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v      videos;
    types  text[] := '{}';
    t      text;
    ev_id  uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v := OLD;
        types := ARRAY['video.deleted'];
    ELSE
        v := NEW;
        IF TG_OP = 'INSERT' THEN
            types := ARRAY['video.created'];
            IF NEW.uploaded_at IS NOT NULL THEN
                types := array_append(types, 'video.upload_completed');
            END IF;
        ELSE
            IF OLD.uploaded_at IS NULL AND NEW.uploaded_at IS NOT NULL THEN
                types := array_append(types, 'video.upload_completed');
            END IF;
            IF NEW.playable AND NOT OLD.playable THEN
                types := array_append(types, 'video.playable');
            END IF;
            IF NEW.status = 'READY' AND OLD.status <> 'READY' THEN
                types := array_append(types, 'video.ready');
            END IF;
            IF NEW.status = 'FAILED' AND OLD.status <> 'FAILED' THEN
                types := array_append(types, 'video.failed');
            END IF;
            IF NEW.subtitles_status IS DISTINCT FROM OLD.subtitles_status THEN
                IF NEW.subtitles_status = 'ready' THEN
                    types := array_append(types, 'subtitles.ready');
                ELSIF NEW.subtitles_status = 'failed' THEN
                    types := array_append(types, 'subtitles.failed');
                END IF;
            END IF;
        END IF;
    END IF;
    FOREACH t IN ARRAY types LOOP
        IF EXISTS (SELECT 1 FROM webhooks w
                   WHERE w.owner_id = v.owner_id AND w.active AND t = ANY (w.events)) THEN
            INSERT INTO webhook_events (type, video_id, owner_id, data)
            VALUES (t, v.id, v.owner_id, jsonb_build_object('video', webhook_video_json(v)))
            RETURNING id INTO ev_id;
            -- Wakes the dispatcher at commit; a periodic sweep catches
            -- anything a listener missed.
            PERFORM pg_notify('clipcut_webhook', ev_id::text);
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER webhook_video_events
    AFTER INSERT OR UPDATE OR DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION webhook_video_events();
