-- Chunked transcoding: a long video is encoded as chunks, each a job any
-- worker takes; these rows count them down so the last chunk to finish
-- assembles the renditions.

-- One row per video being (or last) transcoded in chunks. job_id is the
-- transcode job that planned it: a new transcode of the video (a retry
-- after FAILED) replaces the plan, and chunk jobs of an older plan find
-- their plan gone and stop.
CREATE TABLE transcode_chunk_plans (
    video_id   uuid PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    job_id     bigint NOT NULL,
    assembled  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per chunk; result is what the chunk's encode stored (segments
-- per rendition, as the jobs package writes it), set when done.
CREATE TABLE transcode_chunks (
    video_id uuid NOT NULL REFERENCES transcode_chunk_plans (video_id) ON DELETE CASCADE,
    idx      integer NOT NULL CHECK (idx >= 0),
    done     boolean NOT NULL DEFAULT false,
    result   jsonb,
    PRIMARY KEY (video_id, idx)
);
