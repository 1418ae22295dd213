-- Uploads and processing outputs.

ALTER TABLE videos
    ADD COLUMN filename      text CHECK (length(filename) <= 255),
    -- The tus upload's id: the video's id on local disk; "<video id>+<S3
    -- multipart id>" when upload bytes are in S3 (tusd's s3store).
    ADD COLUMN upload_id     text,
    -- Declared size of the upload (tus Upload-Length), counted against the
    -- owner's storage quota from the moment the upload is created.
    ADD COLUMN upload_size   bigint NOT NULL DEFAULT 0 CHECK (upload_size >= 0),
    ADD COLUMN upload_expires_at timestamptz,
    ADD COLUMN uploaded_at   timestamptz,
    ADD COLUMN processed_at  timestamptz,
    -- What the pipeline produced: renditions (name, width, height,
    -- bandwidth, average bandwidth, codecs, frame rate), poster and
    -- storyboard keys, all relative to the video's storage prefix.
    ADD COLUMN renditions    jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN poster_key    text,
    -- Progressive MP4 downloads (name, width, height, size, key), when the
    -- instance offers them.
    ADD COLUMN downloads     jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN storyboard_key text,
    ADD COLUMN media_info    jsonb;

CREATE INDEX videos_upload_expires_idx ON videos (upload_expires_at) WHERE status = 'UPLOADING';
