package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/media"
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

// ProbeResultVersion is the layout of the probe result this code stores in
// videos.media_info: media.SourceInfo's JSON fields plus "version". Rows
// written before the field existed hold the same fields without it
// (version 0) and read the same way. Bump it when a field changes meaning
// or one the jobs rely on is added, and raise oldestProbeResultVersion to
// match when older rows lack what the jobs now need: rows outside the
// range read as absent, and the job probes the source again.
const ProbeResultVersion = 1

// oldestProbeResultVersion is the oldest stored layout this code reads.
const oldestProbeResultVersion = 0

// ErrNoProbeResult is returned by ProbeResult when the video has no usable
// stored result: never probed, or stored in a layout this code cannot read.
// The caller probes the source again.
var ErrNoProbeResult = errors.New("no stored probe result")

// storedProbe is the JSON stored in videos.media_info.
type storedProbe struct {
	Version int `json:"version"`
	media.SourceInfo
}

// SetProbeResultTx stores what probing learned about the source: the
// duration and display size the API shows, and the whole typed result,
// which later jobs read back with ProbeResult instead of probing again.
// The next stage is transcode.
func (s *Store) SetProbeResultTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, info media.SourceInfo) error {
	raw, err := json.Marshal(storedProbe{Version: ProbeResultVersion, SourceInfo: info})
	if err != nil {
		return fmt.Errorf("probe result %s: %w", id, err)
	}
	var w, h *int
	if info.Video != nil && info.Video.DisplayWidth > 0 {
		w, h = &info.Video.DisplayWidth, &info.Video.DisplayHeight
	}
	_, err = tx.Exec(ctx, `
		UPDATE videos SET duration_seconds = $2, width = $3, height = $4, media_info = $5,
		       stage = 'transcode', percent = 5, updated_at = now()
		WHERE id = $1 AND status = 'PROCESSING'`, id, info.Duration, w, h, raw)
	if err != nil {
		return fmt.Errorf("probe result %s: %w", id, err)
	}
	return nil
}

// ProbeResult returns the probe result SetProbeResultTx stored for video id.
// It returns ErrNotFound when the video does not exist and an error
// wrapping ErrNoProbeResult when nothing usable is stored: no result, a
// newer layout, or JSON that does not describe a probed source.
func (s *Store) ProbeResult(ctx context.Context, id uuid.UUID) (media.SourceInfo, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT media_info FROM videos WHERE id = $1`, id).Scan(&raw)
	if err != nil {
		return media.SourceInfo{}, fmt.Errorf("probe result %s: %w", id, notFound(err))
	}
	info, err := decodeProbeResult(raw)
	if err != nil {
		return media.SourceInfo{}, fmt.Errorf("probe result %s: %w", id, err)
	}
	return info, nil
}

// decodeProbeResult reads a stored probe result of any layout this code
// knows.
func decodeProbeResult(raw []byte) (media.SourceInfo, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return media.SourceInfo{}, ErrNoProbeResult
	}
	var p storedProbe
	if err := json.Unmarshal(raw, &p); err != nil {
		return media.SourceInfo{}, fmt.Errorf("%w: %w", ErrNoProbeResult, err)
	}
	if p.Version < oldestProbeResultVersion || p.Version > ProbeResultVersion {
		return media.SourceInfo{}, fmt.Errorf("%w: layout version %d, this code reads %d to %d",
			ErrNoProbeResult, p.Version, oldestProbeResultVersion, ProbeResultVersion)
	}
	// Probe accepts nothing without a duration and a stream; anything else
	// was not written by it.
	if p.Duration <= 0 || (p.Video == nil && p.Audio == nil) {
		return media.SourceInfo{}, fmt.Errorf("%w: no duration or streams", ErrNoProbeResult)
	}
	return p.SourceInfo, nil
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
		UPDATE videos SET status = 'FAILED', stage = 'failed', playable = false, error = $2, error_permanent = false, updated_at = now()
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
