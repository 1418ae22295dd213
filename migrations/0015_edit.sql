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

-- Processing a video again (retryProcessing) makes new renditions from its
-- upload: an edit of the old ones means nothing any more. The video goes
-- back to unedited (with the chapters it had before its first edit), and
-- an edit being made is superseded.
CREATE FUNCTION videos_edit_reset() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'PROCESSING' AND OLD.status <> 'PROCESSING' AND OLD.edit_original IS NOT NULL THEN
        NEW.chapters := CASE WHEN jsonb_typeof(OLD.edit_original -> 'chapters') = 'array'
                             THEN OLD.edit_original -> 'chapters' END;
        NEW.edit := NULL;
        NEW.edit_original := NULL;
        NEW.edit_keys := '[]';
    END IF;
    IF NEW.status = 'PROCESSING' AND OLD.status IN ('READY', 'FAILED') THEN
        NEW.edit_seq := OLD.edit_seq + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER videos_edit_reset
    BEFORE UPDATE OF status ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_edit_reset();
