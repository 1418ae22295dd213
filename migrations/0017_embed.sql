-- Embedding: the origins that may frame a video's /embed/<id> page.

-- Origins such as https://blog.example.com (scheme, host and optional
-- port, lower case), sent as the embed page's frame-ancestors; the empty
-- array lets any site embed the video.
ALTER TABLE videos ADD COLUMN embed_origins text[] NOT NULL DEFAULT '{}';
