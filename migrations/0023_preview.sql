-- Animated previews, and where a poster was taken from so that it can
-- follow an edit.

-- preview_key is the animated WebP preview (layout.Preview); NULL until
-- the preview job has made it, and for audio.
-- poster_time is the second of the original (unedited) video the poster
-- frame was taken from: processing's sample point, or the time picked
-- with setPoster; NULL for an uploaded image (or a poster made before
-- this column), which no edit changes. poster_auto says the poster is
-- processing's own (layout.Poster), which undo points back to.
ALTER TABLE videos
    ADD COLUMN preview_key text,
    ADD COLUMN poster_time double precision CHECK (poster_time >= 0),
    ADD COLUMN poster_auto boolean NOT NULL DEFAULT false;
