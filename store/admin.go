package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ErrLastAdmin is returned when a change would leave the instance without
// an enabled administrator.
var ErrLastAdmin = errors.New("the last administrator cannot be disabled or demoted")

// adminLockID serializes changes to administrators and disabled accounts,
// so two administrators demoting each other at once cannot leave none.
const adminLockID int64 = 0x636c6970_61646e

// AuditEntry is one administrator action: who did what to what, when and
// why.
type AuditEntry struct {
	ID         uuid.UUID
	ActorID    uuid.UUID
	Action     string
	TargetType string // "user" or "video"
	TargetID   uuid.UUID
	Reason     *string
	Data       map[string]any
	CreatedAt  time.Time
}

// Audit actions.
const (
	AuditUserDisabled     = "user.disabled"
	AuditUserEnabled      = "user.enabled"
	AuditAdminGranted     = "user.admin_granted"
	AuditAdminRevoked     = "user.admin_revoked"
	AuditVideoTakenDown   = "video.taken_down"
	AuditVideoRestored    = "video.restored"
	AuditVideoDeleted     = "video.deleted"
	AuditReportsDismissed = "reports.dismissed"
	// AuditVideoAppealed is the one entry an administrator does not write:
	// the owner appealing a takedown (its actor is the owner).
	AuditVideoAppealed = "video.appealed"
	// AuditAppealAnswered: an administrator answered an appeal, keeping
	// the video down.
	AuditAppealAnswered = "video.appeal_answered"
)

// AuditTx records an administrator's action in tx, so the record exists if
// and only if the action committed.
func (s *Store) AuditTx(ctx context.Context, tx pgx.Tx, e AuditEntry) error {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO audit_log (actor_id, action, target_type, target_id, reason, data)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		uuidArg(e.ActorID), e.Action, e.TargetType, uuidArg(e.TargetID), e.Reason, raw); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntry
	HasNext bool
}

// AuditLog lists administrators' actions, newest first.
func (s *Store) AuditLog(ctx context.Context, first int, after *Cursor) (AuditPage, error) {
	where, args := "true", []any{}
	if after != nil {
		where, args = "(created_at, id) < ($1, $2)", []any{after.CreatedAt, uuidArg(after.ID)}
	}
	args = append(args, first+1)
	rows, err := s.pool.Query(ctx, `
		SELECT id, actor_id, action, target_type, target_id, reason, data, created_at FROM audit_log
		WHERE `+where+fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit log: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.Reason, &e.Data, &e.CreatedAt)
		return e, err
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit log: %w", err)
	}
	page := AuditPage{Entries: entries}
	if len(entries) > first {
		page.Entries, page.HasNext = entries[:first], true
	}
	return page, nil
}

// enabledAdminsTx counts enabled administrators, after taking the lock
// that serializes every change to them.
func enabledAdminsTx(ctx context.Context, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", adminLockID); err != nil {
		return 0, err
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE is_admin AND disabled_at IS NULL`).Scan(&n)
	return n, err
}

// SetUserDisabled disables or enables an account, for administrator actor.
// Disabling deletes the account's sessions and revokes its API tokens in
// the same transaction (so every later request with them is refused) and
// hides its videos (users_mirror_disabled); the action is audited. It
// returns ErrNotFound for an unknown account and ErrLastAdmin when it would
// disable the last enabled administrator.
func (s *Store) SetUserDisabled(ctx context.Context, actor, id uuid.UUID, disabled bool, reason *string) (User, error) {
	var u User
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		admins, err := enabledAdminsTx(ctx, tx)
		if err != nil {
			return err
		}
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, uuidArg(id)))
		if err != nil {
			return notFound(err)
		}
		if disabled && before.IsAdmin && before.DisabledAt == nil && admins <= 1 {
			return ErrLastAdmin
		}
		if u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END, updated_at = now()
			WHERE id = $1 RETURNING `+userColumns, uuidArg(id), disabled)); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, uuidArg(id)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, uuidArg(id)); err != nil {
				return err
			}
		}
		if (before.DisabledAt != nil) == disabled {
			return nil // nothing changed, nothing to record
		}
		action := AuditUserEnabled
		if disabled {
			action = AuditUserDisabled
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: action, TargetType: "user", TargetID: id, Reason: reason})
	})
	if err != nil {
		return User{}, fmt.Errorf("set user %s disabled: %w", id, err)
	}
	return u, nil
}

// SetUserAdmin makes an account an administrator or removes the role, for
// administrator actor, audited. It returns ErrNotFound for an unknown
// account and ErrLastAdmin when it would demote the last enabled
// administrator.
func (s *Store) SetUserAdmin(ctx context.Context, actor, id uuid.UUID, admin bool) (User, error) {
	var u User
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		admins, err := enabledAdminsTx(ctx, tx)
		if err != nil {
			return err
		}
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, uuidArg(id)))
		if err != nil {
			return notFound(err)
		}
		if !admin && before.IsAdmin && before.DisabledAt == nil && admins <= 1 {
			return ErrLastAdmin
		}
		if u, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET is_admin = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns,
			uuidArg(id), admin)); err != nil {
			return err
		}
		if before.IsAdmin == admin {
			return nil
		}
		action := AuditAdminRevoked
		if admin {
			action = AuditAdminGranted
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorID: actor, Action: action, TargetType: "user", TargetID: id})
	})
	if err != nil {
		return User{}, fmt.Errorf("set user %s admin: %w", id, err)
	}
	return u, nil
}

// AdminUser is an account as the admin area lists it.
type AdminUser struct {
	User
	// StorageBytes is the sum of the account's videos' upload sizes (what
	// quotas count).
	StorageBytes int64
	VideoCount   int64
	// Limits are the account's own upload limits (nil: the instance
	// default).
	Limits UserLimits
}

// adminUserSelect reads accounts with what they store; callers add the
// WHERE clause (accounts are u, their videos v).
const adminUserSelect = `
	SELECT u.id, u.email, u.name, u.password_hash, u.is_admin, u.created_at, u.disabled_at,
	       coalesce(sum(v.upload_size), 0)::bigint, count(v.id), u.storage_quota, u.daily_uploads
	FROM users u LEFT JOIN videos v ON v.owner_id = u.id
	WHERE `

func scanAdminUser(r pgx.CollectableRow) (AdminUser, error) {
	var a AdminUser
	u := &a.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.CreatedAt, &u.DisabledAt, &a.StorageBytes, &a.VideoCount,
		&a.Limits.StorageQuota, &a.Limits.DailyUploads)
	return a, err
}

// AdminUsers lists accounts, newest first, optionally only those whose
// email or name contains search (case-insensitive).
func (s *Store) AdminUsers(ctx context.Context, search string, first int, after *Cursor) ([]AdminUser, bool, error) {
	args := []any{search}
	where := `($1 = '' OR u.email ILIKE '%' || $1 || '%' OR u.name ILIKE '%' || $1 || '%')`
	if after != nil {
		where += ` AND (u.created_at, u.id) < ($2, $3)`
		args = append(args, after.CreatedAt, uuidArg(after.ID))
	}
	args = append(args, first+1)
	rows, err := s.pool.Query(ctx, adminUserSelect+where+`
		GROUP BY u.id
		ORDER BY u.created_at DESC, u.id DESC`+fmt.Sprintf(` LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, false, fmt.Errorf("admin users: %w", err)
	}
	users, err := pgx.CollectRows(rows, scanAdminUser)
	if err != nil {
		return nil, false, fmt.Errorf("admin users: %w", err)
	}
	if len(users) > first {
		return users[:first], true, nil
	}
	return users, false, nil
}

// AdminUser reads one account as AdminUsers lists it. ErrNotFound for an
// unknown account.
func (s *Store) AdminUser(ctx context.Context, id uuid.UUID) (AdminUser, error) {
	rows, err := s.pool.Query(ctx, adminUserSelect+`u.id = $1 GROUP BY u.id`, uuidArg(id))
	if err != nil {
		return AdminUser{}, fmt.Errorf("admin user %s: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAdminUser)
	if err != nil {
		return AdminUser{}, fmt.Errorf("admin user %s: %w", id, notFound(err))
	}
	return a, nil
}

// Overview is the admin area's summary of the instance.
type Overview struct {
	VideosByStatus map[string]int64 // TAKEN_DOWN counted apart from the processing status
	StorageBytes   int64
	Users          int64
	OpenReports    int64
	// Failures are the videos that failed in the last 24 hours, newest
	// first (at most 50), with their reasons.
	Failures []Failure
	Queues   []QueueDepth
	// Workers are the worker processes whose lease is held: alive.
	Workers []WorkerLease
	// Activity is the last 24 hours hour by hour, oldest first, the
	// current hour last.
	Activity []HourActivity
	// Processing is how long the videos that became ready in the last 24
	// hours took from the end of their upload.
	Processing ProcessingTimes
	// DiscardedJobs are the jobs River gave up on in the last 24 hours,
	// newest first (at most 20), with their last error.
	DiscardedJobs []DiscardedJob
}

// HourActivity counts what happened in one hour.
type HourActivity struct {
	Hour time.Time
	// UploadsStarted counts videos created (uploads, imports and clips).
	UploadsStarted int64
	// Processed counts videos that became ready; Failed those that failed
	// (and have not been retried since).
	Processed, Failed int64
}

// ProcessingTimes summarizes processing durations in seconds.
type ProcessingTimes struct {
	Count       int64
	Median, P95 float64
}

// DiscardedJob is a job River discarded.
type DiscardedJob struct {
	ID          int64
	Kind        string
	Queue       string
	Error       string
	FinalizedAt time.Time
}

// Failure is one failed video.
type Failure struct {
	VideoID  uuid.UUID
	Title    string
	Error    string
	FailedAt time.Time
}

// WorkerLease is a live worker process.
type WorkerLease struct {
	ClientID  string
	Hostname  string
	PID       int
	StartedAt time.Time
}

// AdminOverview gathers the overview in a handful of queries.
func (s *Store) AdminOverview(ctx context.Context) (Overview, error) {
	o := Overview{VideosByStatus: map[string]int64{}}
	rows, err := s.pool.Query(ctx, `
		SELECT CASE WHEN taken_down_at IS NOT NULL THEN 'TAKEN_DOWN' ELSE status END, count(*), coalesce(sum(upload_size), 0)::bigint
		FROM videos GROUP BY 1`)
	if err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	for rows.Next() {
		var status string
		var n, bytes int64
		if err := rows.Scan(&status, &n, &bytes); err != nil {
			rows.Close()
			return Overview{}, fmt.Errorf("admin overview: %w", err)
		}
		o.VideosByStatus[status] = n
		o.StorageBytes += bytes
	}
	if err := rows.Err(); err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users),
		(SELECT count(DISTINCT video_id) FROM video_reports WHERE resolved_at IS NULL)`).Scan(&o.Users, &o.OpenReports); err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	rows, err = s.pool.Query(ctx, `
		SELECT id, title, coalesce(error, ''), updated_at FROM videos
		WHERE status = 'FAILED' AND updated_at > now() - interval '24 hours'
		ORDER BY updated_at DESC LIMIT 50`)
	if err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	if o.Failures, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Failure]); err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	if o.Queues, err = s.QueueDepths(ctx); err != nil {
		return Overview{}, err
	}
	rows, err = s.pool.Query(ctx, `SELECT client_id, hostname, pid, started_at FROM worker_leases w
		WHERE `+leaseHeld+` ORDER BY started_at`)
	if err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	if o.Workers, err = pgx.CollectRows(rows, pgx.RowToStructByPos[WorkerLease]); err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	if err := s.overviewActivity(ctx, &o); err != nil {
		return Overview{}, fmt.Errorf("admin overview: %w", err)
	}
	return o, nil
}

// overviewActivity adds the rates of the last 24 hours and the jobs River
// discarded in them.
func (s *Store) overviewActivity(ctx context.Context, o *Overview) error {
	rows, err := s.pool.Query(ctx, `
		WITH hours AS (
			SELECT generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') AS h)
		SELECT hours.h, coalesce(u.n, 0), coalesce(p.n, 0), coalesce(f.n, 0) FROM hours
		LEFT JOIN (SELECT date_trunc('hour', created_at) AS h, count(*) AS n FROM videos
		           WHERE created_at >= date_trunc('hour', now()) - interval '23 hours' GROUP BY 1) u USING (h)
		LEFT JOIN (SELECT date_trunc('hour', processed_at) AS h, count(*) AS n FROM videos
		           WHERE processed_at >= date_trunc('hour', now()) - interval '23 hours' GROUP BY 1) p USING (h)
		LEFT JOIN (SELECT date_trunc('hour', updated_at) AS h, count(*) AS n FROM videos
		           WHERE status = 'FAILED' AND updated_at >= date_trunc('hour', now()) - interval '23 hours' GROUP BY 1) f USING (h)
		ORDER BY hours.h`)
	if err != nil {
		return err
	}
	if o.Activity, err = pgx.CollectRows(rows, pgx.RowToStructByPos[HourActivity]); err != nil {
		return err
	}
	// From the end of the upload to ready. A video processed again
	// (retried, edited) counts all the time since its upload: the 95th
	// percentile shows those, the median hardly.
	if err := s.pool.QueryRow(ctx, `
		SELECT count(*),
		       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0),
		       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY d), 0)
		FROM (SELECT extract(epoch FROM processed_at - uploaded_at)::float8 AS d FROM videos
		      WHERE processed_at > now() - interval '24 hours' AND uploaded_at IS NOT NULL AND processed_at >= uploaded_at) t`).
		Scan(&o.Processing.Count, &o.Processing.Median, &o.Processing.P95); err != nil {
		return err
	}
	rows, err = s.pool.Query(ctx, `
		SELECT id, kind, queue, coalesce(errors[array_length(errors, 1)]->>'error', ''), finalized_at FROM river_job
		WHERE state = 'discarded' AND finalized_at > now() - interval '24 hours'
		ORDER BY finalized_at DESC LIMIT 20`)
	if err != nil {
		return err
	}
	o.DiscardedJobs, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DiscardedJob])
	return err
}
