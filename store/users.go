package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	// Handle names the user's channel (/c/<handle>): unique, lowercase
	// letters, digits and inner hyphens, derived from the name at sign-up.
	Handle string
	// Description is the channel's "about" text, set on the Account page.
	Description string
}

const userColumns = `id, email, name, password_hash, is_admin, created_at, disabled_at, handle, description`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(userDest(&u)...)
	return u, err
}

// userDest is where a row of userColumns is scanned to, in their order.
func userDest(u *User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.CreatedAt, &u.DisabledAt, &u.Handle, &u.Description}
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
		// The lock also makes the free-handle check race-free.
		handle, err := freeHandleTx(ctx, tx, HandleBase(name))
		if err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (email, name, password_hash, is_admin, handle)
			VALUES ($1, $2, $3, NOT EXISTS (SELECT 1 FROM users), $4)
			RETURNING `+userColumns, email, name, passwordHash, handle))
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

// ErrHandleTaken is returned by UpdateProfile for a handle another account has.
var ErrHandleTaken = errors.New("handle already in use")

// handleMaxBase leaves room in a 30-character handle for a "-NNNNN"
// suffix that tells apart accounts with the same name.
const handleMaxBase = 24

var nonHandle = regexp.MustCompile(`[^a-z0-9]+`)

// HandleBase derives a handle candidate from a display name: lowercase
// ASCII letters and digits, every other run of characters one hyphen, at
// most 24 characters; "user" when nothing is left (a name in another
// script). The SQL function clipcut_handle_base (migration 0016) is the
// same rule for accounts made before handles existed.
func HandleBase(name string) string {
	h := strings.Trim(nonHandle.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(h) > handleMaxBase {
		h = strings.Trim(h[:handleMaxBase], "-")
	}
	if h == "" {
		return "user"
	}
	return h
}

var handleFormat = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$`)

// ValidHandle reports whether h may be a handle: 1 to 30 lowercase letters,
// digits and inner hyphens (the users_handle_format constraint).
func ValidHandle(h string) bool { return handleFormat.MatchString(h) }

// freeHandleTx returns base, or base-2, base-3, ... whichever is free first.
// Callers hold firstUserLockID so two sign-ups cannot pick the same one.
func freeHandleTx(ctx context.Context, tx pgx.Tx, base string) (string, error) {
	var handle string
	// Of base-2 ... base-(k+2), with k handles taken under base-, one is
	// free: a short series, each candidate one index probe. base has no
	// LIKE wildcards (HandleBase keeps a-z, 0-9 and hyphens).
	err := tx.QueryRow(ctx, `
		SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM users WHERE handle = $1) THEN $1
		ELSE $1 || '-' || (
			SELECT min(n) FROM generate_series(2,
				(SELECT count(*)::int + 2 FROM users WHERE handle LIKE $1 || '-%')) AS n
			WHERE NOT EXISTS (SELECT 1 FROM users WHERE handle = $1 || '-' || n))
		END`, base).Scan(&handle)
	if err != nil {
		return "", fmt.Errorf("free handle %q: %w", base, err)
	}
	return handle, nil
}

// UserByHandle finds an account by its channel handle (exact, lowercase).
func (s *Store) UserByHandle(ctx context.Context, handle string) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE handle = $1`, handle))
	if err != nil {
		return User{}, fmt.Errorf("user by handle: %w", notFound(err))
	}
	return u, nil
}

// ProfileChanges are the channel settings a user may change; nil fields
// keep their value.
type ProfileChanges struct {
	Handle      *string
	Description *string
}

// UpdateProfile changes a user's handle and channel description. It
// returns ErrHandleTaken when another account has the handle.
func (s *Store) UpdateProfile(ctx context.Context, id uuid.UUID, c ProfileChanges) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET handle = coalesce($2, handle), description = coalesce($3, description),
			updated_at = now()
		WHERE id = $1 RETURNING `+userColumns, uuidArg(id), c.Handle, c.Description))
	if isUniqueViolation(err, "users_handle_key") {
		return User{}, ErrHandleTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("update profile %s: %w", id, notFound(err))
	}
	return u, nil
}

// UserLimits are an account's own upload limits, set by an administrator
// over the instance's Limits: nil keeps the instance default, 0 is
// unlimited. They apply to administrators too (who have no default
// limits): an override is a deliberate choice for that account.
type UserLimits struct {
	StorageQuota *int64
	DailyUploads *int
}

// Apply returns lim with the account's overrides in place of the
// defaults.
func (o UserLimits) Apply(lim Limits) Limits {
	if o.StorageQuota != nil {
		lim.StorageQuota = *o.StorageQuota
	}
	if o.DailyUploads != nil {
		lim.DailyUploads = *o.DailyUploads
	}
	return lim
}

// userLimitsTx reads the limits of account id in tx; callers hold the
// owner's upload lock, so an upload is checked against the limits as
// they are when it is created.
func userLimitsTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (UserLimits, error) {
	var o UserLimits
	err := tx.QueryRow(ctx, `SELECT storage_quota, daily_uploads FROM users WHERE id = $1`, uuidArg(id)).
		Scan(&o.StorageQuota, &o.DailyUploads)
	if err != nil {
		return UserLimits{}, fmt.Errorf("user limits %s: %w", id, notFound(err))
	}
	return o, nil
}

// AuditUserLimits records a change of an account's upload limits.
const AuditUserLimits = "user.limits_set"

// SetUserLimits sets (or, with nil, resets to the instance default) the
// upload limits of account id, for administrator actor, audited with the
// old and new values when they change. ErrNotFound for an unknown account.
func (s *Store) SetUserLimits(ctx context.Context, actor, id uuid.UUID, l UserLimits, reason *string) (AdminUser, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before UserLimits
		if err := tx.QueryRow(ctx, `SELECT storage_quota, daily_uploads FROM users WHERE id = $1 FOR UPDATE`, uuidArg(id)).
			Scan(&before.StorageQuota, &before.DailyUploads); err != nil {
			return notFound(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET storage_quota = $2, daily_uploads = $3, updated_at = now() WHERE id = $1`,
			uuidArg(id), l.StorageQuota, l.DailyUploads); err != nil {
			return err
		}
		if equalPtr(before.StorageQuota, l.StorageQuota) && equalPtr(before.DailyUploads, l.DailyUploads) {
			return nil // nothing changed, nothing to record
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: AuditUserLimits, TargetType: "user", TargetID: id, Reason: reason,
			Data: map[string]any{
				"storage_quota": l.StorageQuota, "daily_uploads": l.DailyUploads,
				"previous_storage_quota": before.StorageQuota, "previous_daily_uploads": before.DailyUploads,
			}})
	})
	if err != nil {
		return AdminUser{}, fmt.Errorf("set user %s limits: %w", id, err)
	}
	return s.AdminUser(ctx, id)
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
