package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// User is an account.
type User struct {
	ID           uuid.UUID
	Email        string
	Name         string
	PasswordHash string
	IsAdmin      bool
	CreatedAt    time.Time
	// DisabledAt is when an administrator disabled the account (nil: it
	// is enabled). A disabled account cannot log in (see admin.go).
	DisabledAt *time.Time
}

const userColumns = `id, email, name, password_hash, is_admin, created_at, disabled_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.CreatedAt, &u.DisabledAt)
	return u, err
}

// firstUserLockID serializes sign-ups just enough that exactly one account,
// the first, becomes the instance's administrator.
const firstUserLockID int64 = 0x636c6970_61646d

// CreateUser inserts an account. The first account on the instance is made
// an administrator. It returns ErrEmailTaken when the email is in use.
func (s *Store) CreateUser(ctx context.Context, email, name, passwordHash string) (User, error) {
	var u User
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", firstUserLockID); err != nil {
			return err
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (email, name, password_hash, is_admin)
			VALUES ($1, $2, $3, NOT EXISTS (SELECT 1 FROM users))
			RETURNING `+userColumns, email, name, passwordHash))
		return err
	})
	if isUniqueViolation(err, "users_email_key") {
		return User{}, ErrEmailTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserByEmail finds an account by email, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, email))
	if err != nil {
		return User{}, fmt.Errorf("user by email: %w", notFound(err))
	}
	return u, nil
}

// UsersByIDs returns the accounts with the given ids in one query, in no
// particular order; unknown ids are skipped. Dataloaders batch through it.
func (s *Store) UsersByIDs(ctx context.Context, ids []uuid.UUID) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = ANY($1)`, uuidArgs(ids))
	if err != nil {
		return nil, fmt.Errorf("users by ids: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("users by ids: %w", err)
	}
	return users, nil
}
