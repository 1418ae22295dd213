-- The recognised words of generated subtitle tracks, with their times, for
-- the studio's transcript (editing a video by deleting words).

CREATE TABLE subtitle_words (
    video_id  uuid NOT NULL,
    language  text NOT NULL,
    -- [[start_ms, end_ms, "text"], ...] in time order, in the time of the
    -- video's original (unedited) source, which is what the engine heard:
    -- the API maps them through the video's edit when it shows them, so
    -- an edit or its undo needs no rewrite here.
    words     jsonb NOT NULL CHECK (jsonb_typeof(words) = 'array'),
    PRIMARY KEY (video_id, language),
    FOREIGN KEY (video_id, language) REFERENCES subtitle_tracks (video_id, language) ON DELETE CASCADE
);
