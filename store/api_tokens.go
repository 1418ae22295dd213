package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/tracing"
)

// APIToken is a personal API token's record; the secret itself is never
// stored, only its hash.
type APIToken struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Name       string
	Prefix     string
	Scopes     []string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
}

// APITokenOwner is a live API token with what authenticating needs.
type APITokenOwner struct {
	APIToken
	IsAdmin bool
}

const apiTokenColumns = `t.id, t.user_id, t.name, t.prefix, t.scopes, t.created_at, t.last_used_at, t.expires_at`

func scanAPIToken(row interface{ Scan(...any) error }, t *APIToken, extra ...any) error {
	return row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.Scopes, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt}, extra...)...)
}

// NewAPIToken is what CreateAPIToken stores.
type NewAPIToken struct {
	UserID    uuid.UUID
	Name      string
	Prefix    string
	TokenHash []byte
	Scopes    []string
	ExpiresAt *time.Time
}

// ErrTooManyAPITokens is returned by CreateAPIToken when the user already
// has the most live tokens allowed.
var ErrTooManyAPITokens = errors.New("too many live api tokens")

// CreateAPIToken stores a token, unless the user already has maxLive live
// (unrevoked, unexpired) tokens: then it returns ErrTooManyAPITokens.
func (s *Store) CreateAPIToken(ctx context.Context, nt NewAPIToken, maxLive int) (APIToken, error) {
	var t APIToken
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// Serialize a user's token creations so the count holds.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, nt.UserID); err != nil {
			return err
		}
		var live int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM api_tokens
			WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
			nt.UserID).Scan(&live); err != nil {
			return err
		}
		if live >= maxLive {
			return ErrTooManyAPITokens
		}
		return scanAPIToken(tx.QueryRow(ctx, `
			INSERT INTO api_tokens AS t (user_id, name, prefix, token_hash, scopes, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+apiTokenColumns,
			nt.UserID, nt.Name, nt.Prefix, nt.TokenHash, nt.Scopes, nt.ExpiresAt), &t)
	})
	if err != nil {
		return APIToken{}, fmt.Errorf("create api token: %w", err)
	}
	return t, nil
}

// APITokens lists a user's live tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID uuid.UUID) ([]APIToken, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+apiTokenColumns+` FROM api_tokens t
		WHERE t.user_id = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
		ORDER BY t.created_at DESC, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		if err := scanAPIToken(rows, &t); err != nil {
			return nil, fmt.Errorf("api tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	return out, nil
}

// APITokenByHash returns the live token with tokenHash and its owner's
// admin flag, or ErrNotFound. It records the use, at most once a minute
// per token so that busy integrations do not write on every request.
func (s *Store) APITokenByHash(ctx context.Context, tokenHash []byte) (APITokenOwner, error) {
	var t APITokenOwner
	// A credential look-up is no span of the request (tracing.Quiet).
	err := scanAPIToken(s.pool.QueryRow(tracing.Quiet(ctx), `
		SELECT `+apiTokenColumns+`, u.is_admin
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
		tokenHash), &t.APIToken, &t.IsAdmin)
	if err != nil {
		return APITokenOwner{}, fmt.Errorf("api token by hash: %w", notFound(err))
	}
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		if _, err := s.pool.Exec(ctx, `
			UPDATE api_tokens SET last_used_at = now()
			WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, t.ID); err != nil {
			return APITokenOwner{}, fmt.Errorf("api token by hash: record use: %w", err)
		}
	}
	return t, nil
}

// RevokeAPIToken revokes one of the user's tokens. It reports whether a
// live token was revoked; another user's token counts as unknown.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id uuid.UUID) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE api_tokens SET revoked_at = now()
		WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
		id, userID)
	if err != nil {
		return false, fmt.Errorf("revoke api token: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
