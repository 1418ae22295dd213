-- Search and channels: a full-text search vector on videos, and a handle
-- and description on users for their channel pages.

-- Title and description, searched two ways at once:
--   english: stems and drops stop words, so "running" finds "runs" and
--            "the" matches nothing by itself;
--   simple:  every word as written, so names, non-English words and
--            words english would drop ("who", "it") still match exactly.
-- The query side (store.SearchVideos) ORs both configs' queries. Title
-- words weigh A, description words B, so a title match ranks first.
-- Generated and stored: never out of date, costs nothing at query time.
ALTER TABLE videos ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title) || to_tsvector('simple'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')) ||
              to_tsvector('simple'::regconfig, coalesce(description, '')), 'B')
) STORED;
CREATE INDEX videos_search_idx ON videos USING gin (search);

-- Channels: /c/<handle>. A handle is lowercase letters, digits and inner
-- hyphens, 1 to 30 characters (never 36, the length of an id, so a path
-- segment is either a handle or an id).
ALTER TABLE users
    ADD COLUMN handle text,
    ADD COLUMN description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000);

-- clipcut_handle_base turns a display name into a handle candidate: the
-- same rule as store.HandleBase, which names new accounts.
CREATE FUNCTION clipcut_handle_base(name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(nullif(trim(BOTH '-' FROM left(trim(BOTH '-' FROM
        regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g')), 24)), ''), 'user')
$$;

-- Backfill, oldest account first: the first keeps the plain base, later
-- ones with the same base get -2, -3, ... (skipping any taken already).
DO $$
DECLARE
    u record;
    candidate text;
    n integer;
BEGIN
    FOR u IN SELECT id, name FROM users ORDER BY created_at, id LOOP
        candidate := clipcut_handle_base(u.name);
        n := 1;
        WHILE EXISTS (SELECT 1 FROM users WHERE handle = candidate) LOOP
            n := n + 1;
            candidate := clipcut_handle_base(u.name) || '-' || n;
        END LOOP;
        UPDATE users SET handle = candidate WHERE id = u.id;
    END LOOP;
END
$$;

ALTER TABLE users
    ALTER COLUMN handle SET NOT NULL,
    ADD CONSTRAINT users_handle_format CHECK (handle ~ '^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$');
CREATE UNIQUE INDEX users_handle_key ON users (handle);

-- Channel pages list a user's public, playable videos newest first or
-- most viewed first.
CREATE INDEX videos_channel_views_idx ON videos (owner_id, view_count DESC, created_at DESC, id DESC)
    WHERE privacy = 'PUBLIC' AND playable;
