package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// StageImport is the stage of an imported video whose file is being
// downloaded from its URL (importVideo). Its percent is the share of the
// file downloaded, when the server said how big it is.
const StageImport = "import"

// MarkImportTx records in tx that video id waits for its file from a URL
// and returns the video as tx leaves it: once tx commits, the import job
// may change it at any moment (fail it, finish it), so callers answer
// with this row rather than read it again.
func (s *Store) MarkImportTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Video, error) {
	v, err := scanVideo(tx.QueryRow(ctx, `UPDATE videos SET stage = 'import', updated_at = now()
		WHERE id = $1 RETURNING `+videoColumns, uuidArg(id)))
	if err != nil {
		return Video{}, fmt.Errorf("mark import %s: %w", id, notFound(err))
	}
	return v, nil
}

// SetImportProgress records how much of an import is downloaded. It
// reports false when the video is gone or no longer importing (deleted,
// failed), so the download can stop.
func (s *Store) SetImportProgress(ctx context.Context, id uuid.UUID, percent float64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE videos SET percent = $2, updated_at = now()
		WHERE id = $1 AND status = 'UPLOADING' AND stage = 'import'`, uuidArg(id), clampPercent(percent))
	if err != nil {
		return false, fmt.Errorf("import progress %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReserveImportSize records size as the size of imported video id once it
// is known (from Content-Length, or counted at the end), after checking it
// against lim the way CreateUploadVideo checks an upload: the file size
// limit and the owner's storage quota, other videos' bytes counted, under
// the owner's lock so that concurrent uploads cannot together slip past
// the quota. It returns a *LimitError when a limit would be broken.
func (s *Store) ReserveImportSize(ctx context.Context, id uuid.UUID, size int64, lim Limits) error {
	if lim.MaxFileSize > 0 && size > lim.MaxFileSize {
		return &LimitError{Limit: "file_size", Value: lim.MaxFileSize}
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		used, own, err := s.lockOwnerUsage(ctx, tx, id)
		if err != nil {
			return err
		}
		lim := own.Apply(lim)
		if lim.StorageQuota > 0 && used+size > lim.StorageQuota {
			return &LimitError{Limit: "storage", Value: lim.StorageQuota, Used: used}
		}
		_, err = tx.Exec(ctx, `UPDATE videos SET upload_size = $2 WHERE id = $1`, uuidArg(id), size)
		return err
	})
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	if err != nil {
		return fmt.Errorf("reserve import size %s: %w", id, err)
	}
	return nil
}

// ImportAllowance is how many bytes imported video id may have under lim
// (0: no limit): the file size limit, or what is left of the owner's
// storage quota with other videos' bytes counted, whichever is smaller.
// A download of unknown size stops there; ReserveImportSize then records
// what arrived.
func (s *Store) ImportAllowance(ctx context.Context, id uuid.UUID, lim Limits) (int64, error) {
	allow := lim.MaxFileSize
	var used int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var own UserLimits
		var err error
		used, own, err = s.lockOwnerUsage(ctx, tx, id)
		lim = own.Apply(lim)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("import allowance %s: %w", id, err)
	}
	if lim.StorageQuota <= 0 {
		return allow, nil
	}
	left := max(lim.StorageQuota-used, 1) // 1: nothing left, but 0 would mean unlimited
	if allow <= 0 || left < allow {
		allow = left
	}
	return allow, nil
}

// lockOwnerUsage takes, in tx, the lock on the owner of video id that
// CreateUploadVideo takes, and returns the upload bytes of the owner's
// other videos and the owner's own limits (set by an administrator).
func (s *Store) lockOwnerUsage(ctx context.Context, tx pgx.Tx, id uuid.UUID) (int64, UserLimits, error) {
	var owner uuid.UUID
	if err := tx.QueryRow(ctx, `SELECT owner_id FROM videos WHERE id = $1`, uuidArg(id)).Scan(&owner); err != nil {
		return 0, UserLimits{}, notFound(err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", owner); err != nil {
		return 0, UserLimits{}, err
	}
	own, err := userLimitsTx(ctx, tx, owner)
	if err != nil {
		return 0, UserLimits{}, err
	}
	var used int64
	err = tx.QueryRow(ctx, `SELECT coalesce(sum(upload_size), 0)::bigint FROM videos WHERE owner_id = $1 AND id <> $2`,
		uuidArg(owner), uuidArg(id)).Scan(&used)
	return used, own, err
}
