-- A video's public id: the random, unguessable name under which anyone
-- who was given the link may watch an UNLISTED video (its watch and embed
-- pages, oEmbed and its media under /media/u/<public id>/...). The video
-- id appears in webhooks, REST answers and the owner's pages, so it must
-- not be enough to open an UNLISTED video; rotatePublicId gives a video a
-- fresh public id, and every link made with the old one stops working.

-- clipcut_public_id returns 128 random bits in unpadded base64url (22
-- characters). gen_random_uuid is PostgreSQL's own CSPRNG; a version-4
-- UUID fixes 6 of its 128 bits, so the 16 bytes are taken from the parts
-- of three UUIDs that are wholly random (bytes 1-6 and 10-16).
CREATE FUNCTION clipcut_public_id() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT rtrim(translate(encode(
        substring(uuid_send(gen_random_uuid()) FROM 1 FOR 6) ||
        substring(uuid_send(gen_random_uuid()) FROM 10 FOR 7) ||
        substring(uuid_send(gen_random_uuid()) FROM 1 FOR 3), 'base64'), '+/', '-_'), '=')
$$;

-- Every existing row gets its own fresh id (the default is evaluated per
-- row), then the column keeps that default for new videos.
ALTER TABLE videos ADD COLUMN public_id text NOT NULL DEFAULT clipcut_public_id();
CREATE UNIQUE INDEX videos_public_id ON videos (public_id);

-- Media delivery caches a video's privacy and public id together: a new
-- public id is announced on the privacy channel like a privacy change, so
-- every replica forgets its answer at commit and old links fail at once.
CREATE OR REPLACE FUNCTION videos_notify_privacy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR NEW.privacy IS DISTINCT FROM OLD.privacy
       OR NEW.taken_down_at IS DISTINCT FROM OLD.taken_down_at
       OR NEW.owner_disabled IS DISTINCT FROM OLD.owner_disabled
       OR NEW.public_id IS DISTINCT FROM OLD.public_id THEN
        PERFORM pg_notify('clipcut_privacy', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER videos_notify_privacy ON videos;
CREATE TRIGGER videos_notify_privacy
    AFTER UPDATE OF privacy, taken_down_at, owner_disabled, public_id OR DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_notify_privacy();
