package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Stages of processing, in order.
const (
	StageQueued     = "queued"
	StageProbe      = "probe"
	StageTranscode  = "transcode"
	StageThumbnails = "thumbnails"
	StageSubtitles  = "subtitles"
	StageDone       = "done"
	StageFailed     = "failed"
)

// SetProgress records where processing is. It never moves a video out of
// READY or FAILED, so a late progress write cannot undo the end. It reports
// false when the video is gone or no longer PROCESSING, so the caller can
// stop working on it.
func (s *Store) SetProgress(ctx context.Context, id uuid.UUID, stage string, percent float64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE videos SET stage = $2, percent = $3, updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id, stage, clampPercent(percent))
	if err != nil {
		return false, fmt.Errorf("set progress %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetStageTx is SetProgress in tx, when a step ends and queues the next.
func (s *Store) SetStageTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, stage string, percent float64) error {
	_, err := tx.Exec(ctx, `
		UPDATE videos SET stage = $2, percent = $3, updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id, stage, clampPercent(percent))
	if err != nil {
		return fmt.Errorf("set stage %s: %w", id, err)
	}
	return nil
}

func clampPercent(p float64) float64 { return min(max(p, 0), 100) }

// ProbeResult is what probing learned about the source.
type ProbeResult struct {
	Duration float64
	Width    int
	Height   int
	Info     any // stored as JSON for operators
}

// SetProbeResultTx stores the source's properties; the next stage is transcode.
func (s *Store) SetProbeResultTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, r ProbeResult) error {
	info, err := json.Marshal(r.Info)
	if err != nil {
		return fmt.Errorf("probe result %s: %w", id, err)
	}
	var w, h *int
	if r.Width > 0 {
		w, h = &r.Width, &r.Height
	}
	_, err = tx.Exec(ctx, `
		UPDATE videos SET duration_seconds = $2, width = $3, height = $4, media_info = $5,
		       stage = 'transcode', percent = 5, updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id, r.Duration, w, h, info)
	if err != nil {
		return fmt.Errorf("probe result %s: %w", id, err)
	}
	return nil
}

// SetPlayable marks a video playable with the renditions produced so far.
func (s *Store) SetPlayable(ctx context.Context, id uuid.UUID, renditions []Rendition) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE videos SET playable = true, renditions = $2, updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id, renditions)
	if err != nil {
		return fmt.Errorf("set playable %s: %w", id, err)
	}
	return nil
}

// SetRenditionsTx records the final renditions and downloads.
func (s *Store) SetRenditionsTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, renditions []Rendition, downloads []Download) error {
	if downloads == nil {
		downloads = []Download{}
	}
	_, err := tx.Exec(ctx, `UPDATE videos SET renditions = $2, downloads = $3, playable = true, updated_at = now() WHERE id = $1`, id, renditions, downloads)
	if err != nil {
		return fmt.Errorf("set renditions %s: %w", id, err)
	}
	return nil
}

// SetImagesTx records the poster and storyboard keys.
func (s *Store) SetImagesTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, poster, storyboard *string) error {
	_, err := tx.Exec(ctx, `UPDATE videos SET poster_key = $2, storyboard_key = $3, updated_at = now() WHERE id = $1`, id, poster, storyboard)
	if err != nil {
		return fmt.Errorf("set images %s: %w", id, err)
	}
	return nil
}

// MarkReadyTx ends processing successfully.
func (s *Store) MarkReadyTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `
		UPDATE videos SET status = 'READY', stage = 'done', percent = 100, error = NULL,
		       processed_at = now(), updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id)
	if err != nil {
		return fmt.Errorf("mark ready %s: %w", id, err)
	}
	return nil
}

// MarkFailed ends processing with a reason a person can act on. Whatever
// was playable stays recorded, but the video is no longer playable.
func (s *Store) MarkFailed(ctx context.Context, id uuid.UUID, reason string) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE videos SET status = 'FAILED', stage = 'failed', playable = false, error = $2, updated_at = now()
		WHERE id = $1 AND status IN ('UPLOADING', 'PROCESSING')`, id, reason)
	if err != nil {
		return fmt.Errorf("mark failed %s: %w", id, err)
	}
	return nil
}

// RestartProcessingTx puts a FAILED (or READY) video back to the start of
// processing, for retryProcessing. It reports false when the video is still
// uploading or already processing.
func (s *Store) RestartProcessingTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, viewer Viewer) (bool, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE videos SET status = 'PROCESSING', stage = 'queued', percent = 0, error = NULL,
		       playable = false, renditions = '[]', downloads = '[]', poster_key = NULL, storyboard_key = NULL, updated_at = now()
		WHERE id = $1 AND (owner_id = $2 OR $3) AND status IN ('FAILED', 'READY') AND uploaded_at IS NOT NULL`,
		id, viewer.UserID, viewer.IsAdmin)
	if err != nil {
		return false, fmt.Errorf("restart processing %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}
