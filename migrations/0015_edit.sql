-- Editing (editVideo): a video cut non-destructively, and what undo restores.

ALTER TABLE videos
    -- The published edit: the kept ranges of the original, a JSON array
    -- of {"start": s, "end": s} in order; NULL when the video is unedited.
    ADD COLUMN edit jsonb CHECK (edit IS NULL OR jsonb_typeof(edit) = 'array'),
    -- How many edits were asked for: an edit job publishes only while its
    -- number is the latest, so a newer editVideo supersedes it.
    ADD COLUMN edit_seq bigint NOT NULL DEFAULT 0,
    -- The video as it was before its first edit (duration, renditions,
    -- downloads, storyboard, chapters, subtitles), for every later edit
    -- and for undo; NULL when unedited.
    ADD COLUMN edit_original jsonb,
    -- The storage keys of the published edit's own objects (playlists and
    -- re-encoded pieces), removed when another edit or undo replaces it.
    ADD COLUMN edit_keys jsonb NOT NULL DEFAULT '[]';
