package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// AnalyticsScope selects whose videos analytics cover: one video, one
// owner's videos, or (the zero value) every video.
type AnalyticsScope struct {
	VideoID *uuid.UUID
	OwnerID *uuid.UUID
}

// where returns the condition on a video_id column and its argument.
func (sc AnalyticsScope) where(arg int) (string, any) {
	switch {
	case sc.VideoID != nil:
		return fmt.Sprintf("video_id = $%d", arg), *sc.VideoID
	case sc.OwnerID != nil:
		return fmt.Sprintf("video_id IN (SELECT id FROM videos WHERE owner_id = $%d)", arg), *sc.OwnerID
	}
	return fmt.Sprintf("$%d::boolean", arg), true
}

// Rollups returns the stored rollup rows of a scope within [from, to).
func (s *Store) Rollups(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) ([]RollupRow, error) {
	table, col := p.table()
	cond, arg := sc.where(3)
	rows, err := s.pool.Query(ctx, `SELECT video_id, `+col+`, `+rollupColumns+` FROM `+table+`
		WHERE `+col+` >= $1 AND `+col+` < $2 AND `+cond, from, to, arg)
	if err != nil {
		return nil, fmt.Errorf("rollups: %w", err)
	}
	out, err := collectRollups(rows)
	if err != nil {
		return nil, fmt.Errorf("rollups: %w", err)
	}
	return out, nil
}

// viewersTable is the table of distinct viewers per video and period.
func (p Period) viewersTable() string {
	if p == Daily {
		return "analytics_daily_viewers"
	}
	return "analytics_hourly_viewers"
}

// UniqueViewers counts the distinct viewers with a view in [from, to),
// read from the per-period viewer sets of p (whole hours or days). It
// reads one index entry per viewer and period, never raw events.
func (s *Store) UniqueViewers(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) (int64, error) {
	_, col := p.table()
	cond, arg := sc.where(3)
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT viewer_id FROM `+p.viewersTable()+`
		WHERE `+col+` >= $1 AND `+col+` < $2 AND `+cond+`) v`, from, to, arg).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unique viewers: %w", err)
	}
	return n, nil
}

// UniqueViewersByPeriod counts the distinct viewers with a view in each
// hour or day of [from, to) across the scope's videos. (For one video the
// rollup rows already hold these counts.)
func (s *Store) UniqueViewersByPeriod(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) (map[time.Time]int64, error) {
	_, col := p.table()
	cond, arg := sc.where(3)
	rows, err := s.pool.Query(ctx, `SELECT `+col+`, count(*) FROM (SELECT DISTINCT `+col+`, viewer_id FROM `+p.viewersTable()+`
		WHERE `+col+` >= $1 AND `+col+` < $2 AND `+cond+`) v GROUP BY `+col, from, to, arg)
	if err != nil {
		return nil, fmt.Errorf("unique viewers by period: %w", err)
	}
	out := map[time.Time]int64{}
	var start time.Time
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&start, &n}, func() error {
		out[start.UTC()] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unique viewers by period: %w", err)
	}
	return out, nil
}

// LiveViewers counts the distinct viewers of a video whose player reported
// within window.
func (s *Store) LiveViewers(ctx context.Context, videoID uuid.UUID, window time.Duration) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT viewer_id) FROM playback_sessions
		WHERE video_id = $1 AND last_heartbeat > now() - $2::interval`, videoID, window).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("live viewers: %w", err)
	}
	return n, nil
}
