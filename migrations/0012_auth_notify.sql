-- A session or API token that stops being valid must stop serving the
-- subscriptions open with it at once, in every process. Each revocation
-- (revoked_at set) and each deletion of a credential not yet revoked is
-- announced with the credential's id on the clipcut_auth channel at
-- commit. A trigger rather than a NOTIFY in the store's methods: it
-- covers every path that ends a credential (logOut, revokeApiToken, an
-- account deleted with its sessions and tokens by ON DELETE CASCADE, the
-- sweep of expired sessions, an administrator's SQL), and a transaction
-- that rolls back announces nothing.
CREATE FUNCTION credentials_notify_revoked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NULL AND (TG_OP = 'DELETE' OR NEW.revoked_at IS NOT NULL) THEN
        PERFORM pg_notify('clipcut_auth', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_notify_revoked
    AFTER UPDATE OF revoked_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION credentials_notify_revoked();

CREATE TRIGGER api_tokens_notify_revoked
    AFTER UPDATE OF revoked_at OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION credentials_notify_revoked();
