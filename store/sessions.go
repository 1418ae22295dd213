package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/tracing"
)

// Session is a signed-in session, found by the hash of its token.
type Session struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	IsAdmin   bool
	ExpiresAt time.Time
}

// CreateSession stores a session known by tokenHash until expiresAt.
func (s *Store) CreateSession(ctx context.Context, userID uuid.UUID, tokenHash []byte, expiresAt time.Time, userAgent, ip string) (uuid.UUID, error) {
	if len(userAgent) > 512 {
		userAgent = userAgent[:512]
	}
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `
		INSERT INTO sessions (user_id, token_hash, expires_at, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		userID, tokenHash, expiresAt, userAgent, ip).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// SessionByTokenHash returns the live (unexpired, unrevoked) session for a
// token hash, or ErrNotFound.
func (s *Store) SessionByTokenHash(ctx context.Context, tokenHash []byte) (Session, error) {
	var sess Session
	// A credential look-up is no span of the request (tracing.Quiet).
	err := s.pool.QueryRow(tracing.Quiet(ctx), `
		SELECT s.id, s.user_id, u.is_admin, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
		tokenHash).Scan(&sess.ID, &sess.UserID, &sess.IsAdmin, &sess.ExpiresAt)
	if err != nil {
		return Session{}, fmt.Errorf("session by token: %w", notFound(err))
	}
	return sess, nil
}

// RevokeSession ends a session. It reports whether a live session was ended.
func (s *Store) RevokeSession(ctx context.Context, id uuid.UUID) (bool, error) {
	tag, err := s.pool.Exec(ctx,
		`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("revoke session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteDeadSessions removes sessions that expired or were revoked before
// cutoff, and returns how many went.
func (s *Store) DeleteDeadSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM sessions
		WHERE expires_at < $1 OR (revoked_at IS NOT NULL AND revoked_at < $1)`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("delete dead sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
