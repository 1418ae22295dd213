package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Limits are the upload limits of one user; zero means unlimited.
type Limits struct {
	MaxFileSize  int64 // bytes per upload
	StorageQuota int64 // bytes of all the user's uploads together
	DailyUploads int   // uploads started in the last 24 hours
}

// LimitError says which limit an upload would break.
type LimitError struct {
	// Limit is "file_size", "storage" or "daily_uploads".
	Limit string
	// Value is the limit; Used is what is already used (storage only).
	Value, Used int64
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case "file_size":
		return fmt.Sprintf("The file is larger than the %s limit per upload.", FormatBytes(e.Value))
	case "storage":
		return fmt.Sprintf("This upload would exceed your storage quota of %s (%s already used).", FormatBytes(e.Value), FormatBytes(e.Used))
	default:
		return fmt.Sprintf("You have reached the limit of %d uploads per 24 hours. Try again later.", e.Value)
	}
}

// FormatBytes renders a byte count for people: "10 GiB", "512 MiB", "300 B".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// NewUpload is a video about to be uploaded.
type NewUpload struct {
	ID          uuid.UUID // optional; generated when zero
	OwnerID     uuid.UUID
	Title       string
	Description *string
	Privacy     string
	Filename    string
	Size        int64
	ExpiresAt   time.Time
	// Passthrough is the caller's own value for the video (nil: none).
	Passthrough *string
	// IdempotencyKey, when set, makes the creation idempotent: the same
	// key from the same owner within IdempotencyWindow returns the video
	// it created (see CreateUploadVideoOnce).
	IdempotencyKey string
}

// IdempotencyWindow is how long an idempotency key names the video it
// created; after it, the key creates a new one.
const IdempotencyWindow = 24 * time.Hour

// ErrIdempotencyMismatch refuses a key reused for a different file.
var ErrIdempotencyMismatch = errors.New("the idempotency key was used for a different file")

// CreateUploadVideo checks the owner's limits and inserts the video in
// UPLOADING state, atomically: concurrent uploads of one user cannot
// together slip past a quota. It returns a *LimitError when a limit would
// be broken.
func (s *Store) CreateUploadVideo(ctx context.Context, nu NewUpload, lim Limits) (Video, error) {
	v, _, err := s.CreateUploadVideoOnce(ctx, nu, lim)
	return v, err
}

// CreateUploadVideoOnce is CreateUploadVideo that honours
// nu.IdempotencyKey: when the owner created a video with the same key
// within IdempotencyWindow, that video is returned with replayed set and
// no limit is checked again (ErrIdempotencyMismatch when its size
// differs). Concurrent calls with one key make one video: the owner's
// advisory lock orders them and the unique index on (owner_id,
// idempotency_key) would refuse a second row anyway.
func (s *Store) CreateUploadVideoOnce(ctx context.Context, nu NewUpload, lim Limits) (v Video, replayed bool, err error) {
	if lim.MaxFileSize > 0 && nu.Size > lim.MaxFileSize {
		return Video{}, false, &LimitError{Limit: "file_size", Value: lim.MaxFileSize}
	}
	if nu.ID == uuid.Nil {
		nu.ID = uuid.New()
	}
	if nu.Privacy == "" {
		nu.Privacy = PrivacyPublic
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", nu.OwnerID); err != nil {
			return err
		}
		if nu.IdempotencyKey != "" {
			var err error
			v, replayed, err = s.replayUploadTx(ctx, tx, nu)
			if err != nil || replayed {
				return err
			}
		}
		own, err := userLimitsTx(ctx, tx, nu.OwnerID) // an administrator's overrides win (admin area)
		if err != nil {
			return err
		}
		lim := own.Apply(lim)
		var used, today int64
		if err := tx.QueryRow(ctx, `
			SELECT coalesce(sum(upload_size), 0)::bigint,
			       count(*) FILTER (WHERE created_at > now() - interval '24 hours')
			FROM videos WHERE owner_id = $1`, nu.OwnerID).Scan(&used, &today); err != nil {
			return err
		}
		if lim.DailyUploads > 0 && today >= int64(lim.DailyUploads) {
			return &LimitError{Limit: "daily_uploads", Value: int64(lim.DailyUploads)}
		}
		if lim.StorageQuota > 0 && used+nu.Size > lim.StorageQuota {
			return &LimitError{Limit: "storage", Value: lim.StorageQuota, Used: used}
		}
		v, err = scanVideo(tx.QueryRow(ctx, `
			INSERT INTO videos (id, owner_id, title, description, privacy, filename, upload_size, upload_expires_at,
			                    passthrough, idempotency_key)
			VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8, $9, nullif($10, ''))
			ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
			RETURNING `+videoColumns,
			nu.ID, nu.OwnerID, nu.Title, nu.Description, nu.Privacy, nu.Filename, nu.Size, nu.ExpiresAt,
			nu.Passthrough, nu.IdempotencyKey))
		if errors.Is(err, pgx.ErrNoRows) && nu.IdempotencyKey != "" {
			// Another transaction took the key: the index, not the lock,
			// is what guarantees one video per key.
			v, replayed, err = s.replayUploadTx(ctx, tx, nu)
			if err == nil && !replayed {
				err = fmt.Errorf("idempotency key %q is taken", nu.IdempotencyKey)
			}
		}
		return err
	})
	var le *LimitError
	if errors.As(err, &le) {
		return Video{}, false, le
	}
	if errors.Is(err, ErrIdempotencyMismatch) {
		return Video{}, false, err
	}
	if err != nil {
		return Video{}, false, fmt.Errorf("create upload video: %w", err)
	}
	return v, replayed, nil
}

// replayUploadTx returns the video nu.IdempotencyKey created within
// IdempotencyWindow. An older holder of the key gives it up, so the
// insert that follows may take it.
func (s *Store) replayUploadTx(ctx context.Context, tx pgx.Tx, nu NewUpload) (Video, bool, error) {
	v, err := scanVideo(tx.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos
		WHERE owner_id = $1 AND idempotency_key = $2 AND created_at > now() - $3::interval`,
		nu.OwnerID, nu.IdempotencyKey, IdempotencyWindow.String()))
	switch {
	case err == nil:
		if v.UploadSize != nu.Size {
			return Video{}, false, ErrIdempotencyMismatch
		}
		return v, true, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return Video{}, false, err
	}
	_, err = tx.Exec(ctx, `UPDATE videos SET idempotency_key = NULL WHERE owner_id = $1 AND idempotency_key = $2`,
		nu.OwnerID, nu.IdempotencyKey)
	return Video{}, false, err
}

// VideoByID returns a video whoever asks; for trusted callers (jobs, the
// upload handler after its own authorization).
func (s *Store) VideoByID(ctx context.Context, id uuid.UUID) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = $1`, id))
	if err != nil {
		return Video{}, fmt.Errorf("video %s: %w", id, notFound(err))
	}
	return v, nil
}

// MarkUploadedTx moves an UPLOADING video to PROCESSING (stage "queued") in
// tx. It reports false when the video is not UPLOADING (already finished,
// deleted), so finishing twice does nothing twice.
func (s *Store) MarkUploadedTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE videos SET status = 'PROCESSING', stage = 'queued', percent = 0, error = NULL,
		       uploaded_at = now(), upload_expires_at = NULL, updated_at = now()
		WHERE id = $1 AND status = 'UPLOADING'`, id)
	if err != nil {
		return false, fmt.Errorf("mark uploaded %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ExpiredUploads lists videos whose upload expired before it finished.
func (s *Store) ExpiredUploads(ctx context.Context, now time.Time, limit int) ([]uuid.UUID, error) {
	return s.queryIDs(ctx, "expired uploads", `
		SELECT id FROM videos WHERE status = 'UPLOADING' AND upload_expires_at < $1
		ORDER BY upload_expires_at LIMIT $2`, now, limit)
}

// StaleUploads lists UPLOADING videos not touched since before, for the
// sweeper to check whether their bytes all arrived.
func (s *Store) StaleUploads(ctx context.Context, before time.Time, limit int) ([]uuid.UUID, error) {
	return s.queryIDs(ctx, "stale uploads", `
		SELECT id FROM videos WHERE status = 'UPLOADING' AND updated_at < $1
		ORDER BY updated_at LIMIT $2`, before, limit)
}

// queryIDs runs a query whose rows are one id each; op names it in errors.
func (s *Store) queryIDs(ctx context.Context, op, sql string, args ...any) ([]uuid.UUID, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return ids, nil
}

// TouchUpload records upload activity (so the sweeper leaves it alone).
func (s *Store) TouchUpload(ctx context.Context, id uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `UPDATE videos SET updated_at = now() WHERE id = $1 AND status = 'UPLOADING'`, id)
	if err != nil {
		return fmt.Errorf("touch upload %s: %w", id, err)
	}
	return nil
}

// SetUploadID records the tus upload id of a video (see Video.UploadID).
func (s *Store) SetUploadID(ctx context.Context, id uuid.UUID, uploadID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE videos SET upload_id = $2 WHERE id = $1 AND upload_id IS DISTINCT FROM $2`, id, uploadID)
	if err != nil {
		return fmt.Errorf("set upload id %s: %w", id, err)
	}
	return nil
}

// UnfinishedUpload returns the owner's newest UPLOADING video of a file
// with this name and size whose upload has not expired, or ErrNotFound.
func (s *Store) UnfinishedUpload(ctx context.Context, ownerID uuid.UUID, filename string, size int64) (Video, error) {
	v, err := scanVideo(s.pool.QueryRow(ctx, `SELECT `+videoColumns+` FROM videos
		WHERE owner_id = $1 AND filename = $2 AND upload_size = $3 AND status = 'UPLOADING'
		  AND upload_expires_at > now()
		ORDER BY created_at DESC LIMIT 1`, ownerID, filename, size))
	if err != nil {
		return Video{}, fmt.Errorf("unfinished upload: %w", notFound(err))
	}
	return v, nil
}

// SetUploadOffset records how many bytes of an upload arrived, as stage
// "uploading" with its percent, which videoProgress publishes. It reports
// false when the video is gone or no longer UPLOADING (deleted, failed),
// so the caller can end the upload.
func (s *Store) SetUploadOffset(ctx context.Context, id uuid.UUID, offset int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE videos SET upload_offset = $2::bigint, stage = 'uploading',
		       percent = CASE WHEN upload_size > 0 THEN least(100, round(100.0 * $2::bigint / upload_size, 1)) ELSE 0 END,
		       updated_at = now()
		WHERE id = $1 AND status = 'UPLOADING'`, id, offset)
	if err != nil {
		return false, fmt.Errorf("set upload offset %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkRejected fails a video for good: its file is not something a retry
// can process (not a video, corrupt), so Video.Retryable stays false.
func (s *Store) MarkRejected(ctx context.Context, id uuid.UUID, reason string) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE videos SET status = 'FAILED', stage = 'failed', playable = false, error = $2, error_permanent = true,
		       upload_expires_at = NULL, updated_at = now()
		WHERE id = $1 AND status IN ('UPLOADING', 'PROCESSING')`, id, reason)
	if err != nil {
		return fmt.Errorf("mark rejected %s: %w", id, err)
	}
	return nil
}
