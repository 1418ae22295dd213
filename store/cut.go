package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Chapter is one chapter of a video: where it starts, in seconds, and its
// title. Stored as JSON in videos.chapters.
type Chapter struct {
	Start float64 `json:"start"`
	Title string  `json:"title"`
}

// SetChapters stores the chapters of a video the viewer owns (or any, for
// administrators) and returns the row. nil clears them, so the
// description's timestamp lines count again; an empty, non-nil slice
// means "no chapters" whatever the description says.
func (s *Store) SetChapters(ctx context.Context, id uuid.UUID, viewer Viewer, chapters []Chapter) (Video, error) {
	// A nil slice would be sent as the JSON value null, not SQL NULL.
	var arg any
	if chapters != nil {
		arg = chapters
	}
	v, err := scanVideo(s.pool.QueryRow(ctx, `
		UPDATE videos SET chapters = $4, updated_at = now()
		WHERE id = $1 AND (owner_id = $2 OR $3)
		RETURNING `+videoColumns,
		uuidArg(id), uuidArg(viewer.UserID), viewer.IsAdmin, arg))
	if err != nil {
		return Video{}, fmt.Errorf("set chapters of %s: %w", id, s.ownershipError(ctx, id, viewer, err))
	}
	return v, nil
}

// ReplacePoster points a video's poster at key and returns the key it
// replaces (nil when it had none). A video that is gone gives ErrNotFound.
func (s *Store) ReplacePoster(ctx context.Context, id uuid.UUID, key string) (*string, error) {
	var old *string
	err := s.pool.QueryRow(ctx, `
		UPDATE videos v SET poster_key = $2, updated_at = now()
		FROM (SELECT id, poster_key FROM videos WHERE id = $1 FOR UPDATE) prev
		WHERE v.id = prev.id
		RETURNING prev.poster_key`, uuidArg(id), key).Scan(&old)
	if err != nil {
		return nil, fmt.Errorf("replace poster of %s: %w", id, notFound(err))
	}
	return old, nil
}

// StageClip is the stage of a clip whose source is being cut.
const StageClip = "clip"

// MarkClipTx records in tx that video id is a clip of parent, being cut.
func (s *Store) MarkClipTx(ctx context.Context, tx pgx.Tx, id, parent uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE videos SET clip_of = $2, stage = 'clip', updated_at = now() WHERE id = $1`,
		uuidArg(id), uuidArg(parent))
	if err != nil {
		return fmt.Errorf("mark clip %s: %w", id, err)
	}
	return nil
}

// ClipOf returns the video video id was clipped from: nil for an upload,
// or once the parent is deleted.
func (s *Store) ClipOf(ctx context.Context, id uuid.UUID) (*uuid.UUID, error) {
	var parent *uuid.UUID
	if err := s.pool.QueryRow(ctx, `SELECT clip_of FROM videos WHERE id = $1`, uuidArg(id)).Scan(&parent); err != nil {
		return nil, fmt.Errorf("clip of %s: %w", id, notFound(err))
	}
	return parent, nil
}
