-- Cutting: chapters set explicitly, and the parent of a clip.

-- Chapters the owner set with setChapters, a JSON array of
-- {"start": seconds, "title": text} in increasing order; NULL means the
-- chapters come from the description's timestamp lines.
ALTER TABLE videos ADD COLUMN chapters jsonb
    CHECK (chapters IS NULL OR jsonb_typeof(chapters) = 'array');

-- The video a clip was cut from (createClip); NULL for uploads, and once
-- the parent is deleted (the clip has its own source and media).
ALTER TABLE videos ADD COLUMN clip_of uuid REFERENCES videos (id) ON DELETE SET NULL;
CREATE INDEX videos_clip_of_idx ON videos (clip_of) WHERE clip_of IS NOT NULL;
