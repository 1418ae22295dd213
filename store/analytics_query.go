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

// uniqueViewersSQL counts the distinct viewers of a scope's viewer sets
// in [$1, $2): one row (a NULL period and the count), or with byPeriod one
// row per hour or day.
func uniqueViewersSQL(p Period, sc AnalyticsScope, byPeriod bool) (string, any) {
	_, col := p.table()
	cond, arg := sc.where(3)
	if !byPeriod {
		return `SELECT NULL::timestamptz, count(*) FROM (SELECT DISTINCT viewer_id FROM ` + p.viewersTable() + `
			WHERE ` + col + ` >= $1 AND ` + col + ` < $2 AND ` + cond + `) v`, arg
	}
	return `SELECT period, count(*) FROM (SELECT DISTINCT ` + col + ` AS period, viewer_id FROM ` + p.viewersTable() + `
			WHERE ` + col + ` >= $1 AND ` + col + ` < $2 AND ` + cond + `) v GROUP BY period`, arg
}

func scanUniqueViewers(rows pgx.Rows) (int64, map[time.Time]int64, error) {
	var total int64
	per := map[time.Time]int64{}
	var period *time.Time
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&period, &n}, func() error {
		if period == nil {
			total = n
		} else {
			per[period.UTC()] = n
		}
		return nil
	})
	return total, per, err
}

// UniqueViewers counts the distinct viewers with a view in [from, to),
// read from the per-period viewer sets of p (whole hours or days). It
// reads one index entry per viewer and period, never raw events.
func (s *Store) UniqueViewers(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) (int64, error) {
	query, arg := uniqueViewersSQL(p, sc, false)
	rows, err := s.pool.Query(ctx, query, from, to, arg)
	if err != nil {
		return 0, fmt.Errorf("unique viewers: %w", err)
	}
	n, _, err := scanUniqueViewers(rows)
	if err != nil {
		return 0, fmt.Errorf("unique viewers: %w", err)
	}
	return n, nil
}

// UniqueViewersByPeriod counts the distinct viewers with a view in each
// hour or day of [from, to) across the scope's videos: a viewer of two of
// them in one period counts once. (Where one video has all of a period's
// views, its rollup row already holds the count.)
func (s *Store) UniqueViewersByPeriod(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) (map[time.Time]int64, error) {
	query, arg := uniqueViewersSQL(p, sc, true)
	rows, err := s.pool.Query(ctx, query, from, to, arg)
	if err != nil {
		return nil, fmt.Errorf("unique viewers by period: %w", err)
	}
	_, per, err := scanUniqueViewers(rows)
	if err != nil {
		return nil, fmt.Errorf("unique viewers by period: %w", err)
	}
	return per, nil
}

// DashboardData is what a dashboard reads of a scope and range.
type DashboardData struct {
	// Rows are the rollup rows of the range (one per video and period).
	Rows []RollupRow
	// UniqueViewers counts distinct viewers across the whole range.
	UniqueViewers int64
}

// Dashboard reads the rollup rows of a scope within [from, to) and its
// unique viewers, in one round trip. Only rollups and viewer sets are read.
func (s *Store) Dashboard(ctx context.Context, p Period, sc AnalyticsScope, from, to time.Time) (DashboardData, error) {
	table, col := p.table()
	cond, arg := sc.where(3)
	uniqueSQL, _ := uniqueViewersSQL(p, sc, false)
	batch := &pgx.Batch{}
	var out DashboardData
	batch.Queue(`SELECT video_id, `+col+`, `+rollupColumns+` FROM `+table+`
		WHERE `+col+` >= $1 AND `+col+` < $2 AND `+cond, from, to, arg).Query(func(rows pgx.Rows) error {
		var err error
		out.Rows, err = collectRollups(rows)
		return err
	})
	batch.Queue(uniqueSQL, from, to, arg).Query(func(rows pgx.Rows) error {
		var err error
		out.UniqueViewers, _, err = scanUniqueViewers(rows)
		return err
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return DashboardData{}, fmt.Errorf("dashboard: %w", err)
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
