package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/store"
)

// AnalyticsRollupInterval is how often the rollup runs by default, and so
// how far the dashboards' figures lag behind the players (live viewers do
// not). CLIPCUT_ANALYTICS_ROLLUP_INTERVAL changes it.
const AnalyticsRollupInterval = time.Minute

// analyticsRollupPeriodic schedules the rollup every interval (the default
// when 0), keeping at most one queued per half interval.
func analyticsRollupPeriodic(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = AnalyticsRollupInterval
	}
	opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(every/2, time.Second)}}
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return AnalyticsRollupArgs{}, opts },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// rollupBatch is how many sessions one rollup transaction summarises.
const rollupBatch = 2000

// AnalyticsRollupArgs schedules the analytics rollup.
type AnalyticsRollupArgs struct{}

// Kind is the job's stable name.
func (AnalyticsRollupArgs) Kind() string { return "analytics_rollup" }

// InsertOpts keeps one rollup queued at a time.
func (AnalyticsRollupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: AnalyticsRollupInterval / 2}}
}

// AnalyticsRollupWorker summarises the playback sessions that received
// events since their last summary and recomputes the hourly and daily
// rollups and view counts they belong to.
type AnalyticsRollupWorker struct {
	river.WorkerDefaults[AnalyticsRollupArgs]
	deps Deps
}

// Timeout bounds one run; a backlog left over is taken by the next.
func (w *AnalyticsRollupWorker) Timeout(*river.Job[AnalyticsRollupArgs]) time.Duration {
	return 10 * time.Minute
}

// Work runs RollUpAnalytics.
func (w *AnalyticsRollupWorker) Work(ctx context.Context, job *river.Job[AnalyticsRollupArgs]) error {
	n, err := RollUpAnalytics(ctx, w.deps.Store)
	if err != nil {
		return err
	}
	if n > 0 {
		w.deps.Logger.DebugContext(ctx, "analytics rolled up", "job_id", job.ID, "sessions", n)
	}
	return nil
}

// RollUpAnalytics summarises every session with new events and recomputes
// the rollups they touch, a batch of sessions per transaction, until none
// is left; it returns how many sessions it summarised. It is idempotent:
// every figure is recomputed from raw events and summaries, never
// incremented. A rollup already running elsewhere makes it return at once.
func RollUpAnalytics(ctx context.Context, st *store.Store) (int, error) {
	total := 0
	for {
		n, more := 0, false
		err := st.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			n, more, err = rollUpBatch(ctx, st, tx)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("analytics rollup: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

type videoPeriod struct {
	video uuid.UUID
	start time.Time
}

func rollUpBatch(ctx context.Context, st *store.Store, tx pgx.Tx) (int, bool, error) {
	if ok, err := st.LockAnalyticsRollupTx(ctx, tx); err != nil || !ok {
		return 0, false, err
	}
	sessions, err := st.UnrolledSessionsTx(ctx, tx, rollupBatch)
	if err != nil || len(sessions) == 0 {
		return 0, false, err
	}
	ids := make([]uuid.UUID, len(sessions))
	for i, s := range sessions {
		ids[i] = s.ID
	}
	events, err := st.SessionEventsTx(ctx, tx, ids)
	if err != nil {
		return 0, false, err
	}
	sums := make([]store.SessionSummary, len(sessions))
	hours := map[videoPeriod]bool{}
	durations := map[uuid.UUID]int32{}
	for i, s := range sessions {
		sums[i] = store.SessionSummary{ID: s.ID, Version: s.Version, Session: analytics.Summarize(events[s.ID])}
		hours[videoPeriod{s.VideoID, s.StartedAt.UTC().Truncate(time.Hour)}] = true
		if s.RolledHour != nil {
			hours[videoPeriod{s.VideoID, s.RolledHour.UTC()}] = true
		}
		durations[s.VideoID] = s.DurationMs
	}
	if err := st.SaveSessionSummariesTx(ctx, tx, sums); err != nil {
		return 0, false, err
	}
	days := map[videoPeriod]bool{}
	for h := range hours {
		rows, err := st.SessionsStartedTx(ctx, tx, h.video, h.start, h.start.Add(time.Hour))
		if err != nil {
			return 0, false, err
		}
		d := int64(durations[h.video])
		r, viewers := analytics.RollUp(rows, analytics.BucketSeconds(d), analytics.RetentionBuckets(d))
		if err := st.ReplaceHourlyTx(ctx, tx, h.video, h.start, r, viewers); err != nil {
			return 0, false, err
		}
		days[videoPeriod{h.video, h.start.Truncate(24 * time.Hour)}] = true
	}
	for d := range days {
		if err := st.ReplaceDailyTx(ctx, tx, d.video, d.start); err != nil {
			return 0, false, err
		}
	}
	videos := make([]uuid.UUID, 0, len(durations))
	for id := range durations {
		videos = append(videos, id)
	}
	if err := st.RefreshViewCountsTx(ctx, tx, videos); err != nil {
		return 0, false, err
	}
	return len(sessions), len(sessions) == rollupBatch, nil
}
