-- A video's privacy decides who may fetch its media, and processes cache
-- it. Every change of it, and every deletion, is announced with the
-- video's id on the clipcut_privacy channel at commit, whichever process
-- made it, so each process's notifier can tell its cache to forget.
CREATE FUNCTION videos_notify_privacy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.privacy IS DISTINCT FROM OLD.privacy THEN
        PERFORM pg_notify('clipcut_privacy', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_notify_privacy
    AFTER UPDATE OF privacy OR DELETE ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_notify_privacy();
