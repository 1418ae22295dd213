-- Webhook payloads echo the video's passthrough (createUpload's own value
-- of the integrator), as the schema and README promise: receivers tie
-- events to their records without calling back.
CREATE OR REPLACE FUNCTION webhook_video_json(v videos) RETURNS jsonb
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
        'passthrough', v.passthrough,
        'created_at', v.created_at,
        'updated_at', v.updated_at,
        'version', v.version)
$$;
