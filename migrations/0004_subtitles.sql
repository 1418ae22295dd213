-- Subtitles: tracks per video and language, and their cues for transcript
-- search.

ALTER TABLE videos
    -- pending: not made yet; ready: at least one track; none: no speech or
    -- no engine; failed: the engine failed (the video is READY regardless).
    ADD COLUMN subtitles_status text NOT NULL DEFAULT 'pending'
        CHECK (subtitles_status IN ('pending', 'ready', 'none', 'failed')),
    -- Why there are no subtitles, in words for the owner.
    ADD COLUMN subtitles_note text;

CREATE TABLE subtitle_tracks (
    video_id    uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    -- BCP 47 tag, e.g. "en".
    language    text NOT NULL CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    -- generated (by an engine), edited (generated, then corrected by the
    -- owner) or uploaded (the owner's own file).
    provenance  text NOT NULL CHECK (provenance IN ('generated', 'edited', 'uploaded')),
    engine      text,
    -- Storage keys, relative to the bucket.
    vtt_key     text NOT NULL,
    srt_key     text NOT NULL,
    cue_count   integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (video_id, language)
);

CREATE TABLE subtitle_cues (
    video_id   uuid NOT NULL,
    language   text NOT NULL,
    seq        integer NOT NULL,
    start_ms   integer NOT NULL CHECK (start_ms >= 0),
    end_ms     integer NOT NULL CHECK (end_ms >= start_ms),
    text       text NOT NULL,
    -- 'simple' keeps every word of every language; ranking is by match.
    search     tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
    PRIMARY KEY (video_id, language, seq),
    FOREIGN KEY (video_id, language) REFERENCES subtitle_tracks (video_id, language) ON DELETE CASCADE
);
CREATE INDEX subtitle_cues_search_idx ON subtitle_cues USING gin (search);
