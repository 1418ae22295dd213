package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PosterOrigin is where a video's poster came from, so that it can follow
// an edit (migration 0023).
type PosterOrigin struct {
	// Time is the second of the original (unedited) video the poster
	// frame was taken from; nil for an uploaded image, which no edit
	// changes.
	Time *float64
	// Auto says the frame is processing's own poster (layout.Poster).
	Auto bool
}

// SetPosterOriginTx records in tx where processing took video id's poster
// from (at: nil for audio's waveform).
func (s *Store) SetPosterOriginTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, at *float64) error {
	_, err := tx.Exec(ctx, `UPDATE videos SET poster_time = $2::float8, poster_auto = $2::float8 IS NOT NULL WHERE id = $1`, uuidArg(id), at)
	if err != nil {
		return fmt.Errorf("set poster origin of %s: %w", id, err)
	}
	return nil
}

// PosterOriginOf returns where video id's poster came from.
func (s *Store) PosterOriginOf(ctx context.Context, id uuid.UUID) (PosterOrigin, error) {
	var o PosterOrigin
	err := s.pool.QueryRow(ctx, `SELECT poster_time, poster_auto FROM videos WHERE id = $1`, uuidArg(id)).Scan(&o.Time, &o.Auto)
	if err != nil {
		return PosterOrigin{}, fmt.Errorf("poster origin of %s: %w", id, notFound(err))
	}
	return o, nil
}

// ReplacePosterFrom is ReplacePoster for a poster with a new origin: the
// frame at second at of the original (setPoster), or an uploaded image
// (at nil). Either is the creator's choice, not processing's.
func (s *Store) ReplacePosterFrom(ctx context.Context, id uuid.UUID, key string, at *float64) (*string, error) {
	var old *string
	err := s.pool.QueryRow(ctx, `
		UPDATE videos v SET poster_key = $2, poster_time = $3, poster_auto = false, updated_at = now()
		FROM (SELECT id, poster_key FROM videos WHERE id = $1 FOR UPDATE) prev
		WHERE v.id = prev.id
		RETURNING prev.poster_key`, uuidArg(id), key, at).Scan(&old)
	if err != nil {
		return nil, fmt.Errorf("replace poster of %s: %w", id, notFound(err))
	}
	return old, nil
}

// SetPreview points video id's preview at key when keep is still the
// published edit (nil: unedited), and returns the key it replaces. ok is
// false, and nothing changes, when the video is gone or another edit was
// published meanwhile (its own preview job follows).
func (s *Store) SetPreview(ctx context.Context, id uuid.UUID, keep []TimeRange, key string) (old *string, ok bool, err error) {
	var edit any
	if keep != nil {
		edit = keep
	}
	err = s.pool.QueryRow(ctx, `
		UPDATE videos v SET preview_key = $3, updated_at = now()
		FROM (SELECT id, preview_key FROM videos WHERE id = $1 FOR UPDATE) prev
		WHERE v.id = prev.id AND v.edit IS NOT DISTINCT FROM $2::jsonb
		RETURNING prev.preview_key`, uuidArg(id), edit, key).Scan(&old)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("set preview of %s: %w", id, err)
	}
	return old, true, nil
}
