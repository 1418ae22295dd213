package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/analytics"
)

// analyticsRollupLockID serialises rollups across worker processes.
const analyticsRollupLockID int64 = 0x636c697061 // "clipa"

// AnalyticsVideos returns the length and audience of each of ids that
// exists (duration 0 when not yet probed), in one query; unknown ids are
// absent. It implements analytics.Sink.
func (s *Store) AnalyticsVideos(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]analytics.VideoFacts, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, `+analyticsFacts+` FROM videos WHERE id = ANY($1)`, uuidArgs(ids))
	if err != nil {
		return nil, fmt.Errorf("analytics videos: %w", err)
	}
	out := map[uuid.UUID]analytics.VideoFacts{}
	var id uuid.UUID
	var f analytics.VideoFacts
	_, err = pgx.ForEachRow(rows, []any{&id, &f.DurationMs, &f.OwnerID, &f.Private, &f.Unlisted}, func() error { out[id] = f; return nil })
	if err != nil {
		return nil, fmt.Errorf("analytics videos: %w", err)
	}
	return out, nil
}

// analyticsFacts are the columns of analytics.VideoFacts.
const analyticsFacts = `coalesce(round(duration_seconds * 1000), 0)::integer, owner_id, privacy = 'PRIVATE', privacy = 'UNLISTED'`

// AnalyticsVideoByPublicID returns the id and facts of the video whose
// current public id is publicID; ok is false when there is none. It
// implements analytics.Sink.
func (s *Store) AnalyticsVideoByPublicID(ctx context.Context, publicID string) (uuid.UUID, analytics.VideoFacts, bool, error) {
	var id uuid.UUID
	var f analytics.VideoFacts
	err := s.pool.QueryRow(ctx, `SELECT id, `+analyticsFacts+` FROM videos WHERE public_id = $1`, publicID).
		Scan(&id, &f.DurationMs, &f.OwnerID, &f.Private, &f.Unlisted)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, analytics.VideoFacts{}, false, nil
	}
	if err != nil {
		return uuid.Nil, analytics.VideoFacts{}, false, fmt.Errorf("analytics video by public id: %w", err)
	}
	return id, f, true, nil
}

// WritePlaybackEvents stores events with COPY and upserts their sessions,
// in one transaction: a session's version and its events commit together.
// A session that started more than analytics.MaxSessionLength ago still
// stores its events but is not marked for a new summary, so late or forged
// batches cannot rewrite old rollups.
func (s *Store) WritePlaybackEvents(ctx context.Context, events []analytics.Event, sessions []analytics.SessionTouch) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"playback_events"},
			[]string{"received_at", "session_id", "seq", "kind", "client_ms", "position_ms", "buffer_ms", "rendition", "from_ms", "error"},
			pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
				e := &events[i]
				var rendition, errText *string
				if e.Rendition != "" {
					rendition = &e.Rendition
				}
				if e.Error != "" {
					errText = &e.Error
				}
				return []any{e.ReceivedAt, e.SessionID, e.Seq, int16(e.Kind), e.ClientMs, e.PositionMs, e.BufferMs, rendition, e.FromMs, errText}, nil
			}))
		if err != nil {
			return fmt.Errorf("write playback events: %w", err)
		}
		n := len(sessions)
		ids, videos, viewers := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
		at, beats := make([]time.Time, n), make([]bool, n)
		for i, t := range sessions {
			ids[i], videos[i], viewers[i], at[i], beats[i] = t.SessionID, t.VideoID, t.ViewerID, t.At, t.Heartbeat
		}
		// Sorted by id so concurrent flushes lock rows in the same order.
		_, err = tx.Exec(ctx, `INSERT INTO playback_sessions AS s
				(session_id, video_id, viewer_id, started_at, last_seen, last_heartbeat)
			SELECT id, video, viewer, at, at, CASE WHEN beat THEN at END
			FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::boolean[]) AS t(id, video, viewer, at, beat)
			ORDER BY id
			ON CONFLICT (session_id) DO UPDATE SET
				last_seen = greatest(s.last_seen, excluded.last_seen),
				last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
				version = s.version + 1
			WHERE s.video_id = excluded.video_id AND s.started_at > excluded.last_seen - $6::interval`,
			ids, videos, viewers, at, beats, analytics.MaxSessionLength)
		if err != nil {
			return fmt.Errorf("write playback sessions: %w", err)
		}
		return nil
	})
}

// LockAnalyticsRollupTx makes tx the only rollup running; it reports false
// when another holds the lock.
func (s *Store) LockAnalyticsRollupTx(ctx context.Context, tx pgx.Tx) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, analyticsRollupLockID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("analytics rollup lock: %w", err)
	}
	return ok, nil
}

// UnrolledSession is a session whose summary is older than its events.
type UnrolledSession struct {
	ID, VideoID, ViewerID uuid.UUID
	Version               int64
	StartedAt             time.Time
	RolledHour            *time.Time
	DurationMs            int32
}

// UnrolledSessionsTx returns up to limit sessions that need a new summary,
// oldest activity first, with the duration of their videos. Sessions of
// deleted videos are skipped (their rows go with retention).
func (s *Store) UnrolledSessionsTx(ctx context.Context, tx pgx.Tx, limit int) ([]UnrolledSession, error) {
	rows, err := tx.Query(ctx, `SELECT s.session_id, s.video_id, s.viewer_id, s.version, s.started_at, s.rolled_hour,
			coalesce(round(v.duration_seconds * 1000), 0)::integer
		FROM playback_sessions s JOIN videos v ON v.id = s.video_id
		WHERE s.version <> s.rolled_version
		ORDER BY s.last_seen LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("unrolled sessions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnrolledSession, error) {
		var u UnrolledSession
		err := r.Scan(&u.ID, &u.VideoID, &u.ViewerID, &u.Version, &u.StartedAt, &u.RolledHour, &u.DurationMs)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("unrolled sessions: %w", err)
	}
	return out, nil
}

// SessionEventsTx returns the events of sessions, duplicates removed,
// each session's in sequence order.
func (s *Store) SessionEventsTx(ctx context.Context, tx pgx.Tx, ids []uuid.UUID) (map[uuid.UUID][]analytics.Event, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT ON (session_id, seq)
			session_id, seq, kind, client_ms, position_ms, buffer_ms, coalesce(rendition, ''), from_ms, coalesce(error, ''), received_at
		FROM playback_events WHERE session_id = ANY($1)
		ORDER BY session_id, seq, received_at`, ids)
	if err != nil {
		return nil, fmt.Errorf("session events: %w", err)
	}
	out := map[uuid.UUID][]analytics.Event{}
	var e analytics.Event
	_, err = pgx.ForEachRow(rows, []any{&e.SessionID, &e.Seq, &e.Kind, &e.ClientMs, &e.PositionMs, &e.BufferMs,
		&e.Rendition, &e.FromMs, &e.Error, &e.ReceivedAt}, func() error {
		out[e.SessionID] = append(out[e.SessionID], e)
		e.FromMs = nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("session events: %w", err)
	}
	return out, nil
}

// SessionSummary is a session's new summary at the version it was read at.
type SessionSummary struct {
	ID      uuid.UUID
	Version int64
	analytics.Session
}

// SaveSessionSummariesTx stores summaries. A session that received events
// since it was read keeps a version ahead of rolled_version and is
// summarised again next time.
func (s *Store) SaveSessionSummariesTx(ctx context.Context, tx pgx.Tx, sums []SessionSummary) error {
	batch := &pgx.Batch{}
	for _, m := range sums {
		renditions, err := json.Marshal(m.RenditionMs)
		if err != nil {
			return err
		}
		batch.Queue(`UPDATE playback_sessions SET rolled_version = $2, rolled_hour = date_trunc('hour', started_at, 'UTC'),
				attempted = $3, started = $4, is_view = $5, exited_before_start = $6, failed = $7,
				watch_ms = $8, rebuffer_ms = $9, startup_ms = $10, rendition_ms = $11, watched = $12
			WHERE session_id = $1`,
			m.ID, m.Version, m.Attempted, m.Started, analytics.IsView(m.Session), m.ExitedBeforeStart, m.Failed,
			m.WatchMs, m.RebufferMs, m.StartupMs, renditions, m.Watched)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("save session summaries: %w", err)
	}
	return nil
}

// SessionsStartedTx returns the summarised sessions of a video that
// started in [from, to).
func (s *Store) SessionsStartedTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, from, to time.Time) ([]analytics.SessionRow, error) {
	rows, err := tx.Query(ctx, `SELECT viewer_id::text, attempted, started, exited_before_start, failed,
			watch_ms, rebuffer_ms, startup_ms, rendition_ms, watched
		FROM playback_sessions
		WHERE video_id = $1 AND started_at >= $2 AND started_at < $3 AND rolled_version > 0`, videoID, from, to)
	if err != nil {
		return nil, fmt.Errorf("sessions started: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.SessionRow, error) {
		var row analytics.SessionRow
		err := r.Scan(&row.ViewerID, &row.Attempted, &row.Started, &row.ExitedBeforeStart, &row.Failed,
			&row.WatchMs, &row.RebufferMs, &row.StartupMs, &row.RenditionMs, &row.Watched)
		return row, err
	})
	if err != nil {
		return nil, fmt.Errorf("sessions started: %w", err)
	}
	return out, nil
}

// Period names a rollup table's granularity.
type Period string

// The rollup granularities.
const (
	Hourly Period = "hourly"
	Daily  Period = "daily"
)

func (p Period) table() (table, column string) {
	if p == Daily {
		return "analytics_daily", "day"
	}
	return "analytics_hourly", "hour"
}

const rollupColumns = `sessions, attempts, started, views, unique_viewers, watch_ms, view_watch_ms, rebuffer_ms,
	startup_count, startup_ms_sum, startup_ms, exits_before_start, failures, rendition_ms, retention`

func rollupArgs(r analytics.Rollup) []any {
	renditions := r.RenditionMs
	if renditions == nil {
		renditions = map[string]int64{}
	}
	startup, retention := r.StartupMs, r.Retention
	if startup == nil {
		startup = []int32{}
	}
	if retention == nil {
		retention = []int32{}
	}
	return []any{r.Sessions, r.Attempts, r.Started, r.Views, r.UniqueViewers, r.WatchMs, r.ViewWatchMs, r.RebufferMs,
		r.StartupCount, r.StartupMsSum, startup, r.ExitsBeforeStart, r.Failures, renditions, retention}
}

// ReplaceHourlyTx stores the rollup of one video-hour and its distinct
// viewers, replacing what was there; an empty rollup removes the row.
func (s *Store) ReplaceHourlyTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, hour time.Time, r analytics.Rollup, viewers []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM analytics_hourly WHERE video_id = $1 AND hour = $2`, videoID, hour); err != nil {
		return fmt.Errorf("replace hourly rollup: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM analytics_hourly_viewers WHERE video_id = $1 AND hour = $2`, videoID, hour); err != nil {
		return fmt.Errorf("replace hourly viewers: %w", err)
	}
	if r.Sessions == 0 {
		return nil
	}
	args := append([]any{videoID, hour}, rollupArgs(r)...)
	if _, err := tx.Exec(ctx, `INSERT INTO analytics_hourly (video_id, hour, `+rollupColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args...); err != nil {
		return fmt.Errorf("replace hourly rollup: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO analytics_hourly_viewers (video_id, hour, viewer_id)
		SELECT $1, $2, v::uuid FROM unnest($3::text[]) v`, videoID, hour, viewers); err != nil {
		return fmt.Errorf("replace hourly viewers: %w", err)
	}
	return nil
}

// RollupRow is one stored rollup row.
type RollupRow struct {
	VideoID uuid.UUID
	// Start is the hour or day the row covers.
	Start time.Time
	analytics.Rollup
}

func collectRollups(rows pgx.Rows) ([]RollupRow, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RollupRow, error) {
		var row RollupRow
		x := &row.Rollup
		err := r.Scan(&row.VideoID, &row.Start, &x.Sessions, &x.Attempts, &x.Started, &x.Views, &x.UniqueViewers,
			&x.WatchMs, &x.ViewWatchMs, &x.RebufferMs, &x.StartupCount, &x.StartupMsSum, &x.StartupMs,
			&x.ExitsBeforeStart, &x.Failures, &x.RenditionMs, &x.Retention)
		return row, err
	})
}

// ReplaceDailyTx recomputes one video-day from its hourly rows.
func (s *Store) ReplaceDailyTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, day time.Time) error {
	rows, err := tx.Query(ctx, `SELECT video_id, hour, `+rollupColumns+` FROM analytics_hourly
		WHERE video_id = $1 AND hour >= $2 AND hour < $3`, videoID, day, day.Add(24*time.Hour))
	if err != nil {
		return fmt.Errorf("replace daily rollup: %w", err)
	}
	hours, err := collectRollups(rows)
	if err != nil {
		return fmt.Errorf("replace daily rollup: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM analytics_daily WHERE video_id = $1 AND day = $2`, videoID, day); err != nil {
		return fmt.Errorf("replace daily rollup: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM analytics_daily_viewers WHERE video_id = $1 AND day = $2`, videoID, day); err != nil {
		return fmt.Errorf("replace daily viewers: %w", err)
	}
	if len(hours) == 0 {
		return nil
	}
	var sum analytics.Rollup
	for _, h := range hours {
		sum.Add(h.Rollup)
	}
	// Viewers of several hours of the day count once.
	err = tx.QueryRow(ctx, `WITH day AS (
			INSERT INTO analytics_daily_viewers (video_id, day, viewer_id)
			SELECT DISTINCT $1::uuid, $2::timestamptz, viewer_id FROM analytics_hourly_viewers
			WHERE video_id = $1 AND hour >= $2 AND hour < $3
			RETURNING 1)
		SELECT count(*) FROM day`, videoID, day, day.Add(24*time.Hour)).Scan(&sum.UniqueViewers)
	if err != nil {
		return fmt.Errorf("replace daily viewers: %w", err)
	}
	args := append([]any{videoID, day}, rollupArgs(sum)...)
	_, err = tx.Exec(ctx, `INSERT INTO analytics_daily (video_id, day, `+rollupColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args...)
	if err != nil {
		return fmt.Errorf("replace daily rollup: %w", err)
	}
	return nil
}

// RefreshViewCountsTx sets videos.view_count from the daily rollups.
func (s *Store) RefreshViewCountsTx(ctx context.Context, tx pgx.Tx, ids []uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE videos v SET view_count = t.views
		FROM (SELECT id, (SELECT coalesce(sum(views), 0) FROM analytics_daily d WHERE d.video_id = id) AS views
		      FROM unnest($1::uuid[]) id) t
		WHERE v.id = t.id AND v.view_count <> t.views`, ids)
	if err != nil {
		return fmt.Errorf("refresh view counts: %w", err)
	}
	return nil
}

// PruneAnalytics deletes raw events received and sessions last seen before
// cutoff, at most limit of each per call; rollups are kept. It returns how
// many rows were deleted.
func (s *Store) PruneAnalytics(ctx context.Context, cutoff time.Time, limit int) (events, sessions int64, err error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM playback_events WHERE ctid = ANY(ARRAY(
		SELECT ctid FROM playback_events WHERE received_at < $1 LIMIT $2))`, cutoff, limit)
	if err != nil {
		return 0, 0, fmt.Errorf("prune playback events: %w", err)
	}
	events = tag.RowsAffected()
	tag, err = s.pool.Exec(ctx, `DELETE FROM playback_sessions WHERE session_id IN (
		SELECT session_id FROM playback_sessions WHERE last_seen < $1 AND version = rolled_version LIMIT $2)`, cutoff, limit)
	if err != nil {
		return events, 0, fmt.Errorf("prune playback sessions: %w", err)
	}
	// Sessions of deleted videos are never summarised; they go too.
	tag2, err := s.pool.Exec(ctx, `DELETE FROM playback_sessions s WHERE last_seen < $1
		AND NOT EXISTS (SELECT 1 FROM videos v WHERE v.id = s.video_id)`, cutoff)
	if err != nil {
		return events, tag.RowsAffected(), fmt.Errorf("prune playback sessions: %w", err)
	}
	return events, tag.RowsAffected() + tag2.RowsAffected(), nil
}
