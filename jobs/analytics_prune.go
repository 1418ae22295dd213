package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// AnalyticsPruneArgs schedules the removal of raw analytics past their
// retention.
type AnalyticsPruneArgs struct{}

// Kind is the job's stable name.
func (AnalyticsPruneArgs) Kind() string { return "analytics_prune" }

// InsertOpts keeps one prune queued at a time.
func (AnalyticsPruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
}

// AnalyticsPruneWorker deletes raw playback events and sessions older than
// Deps.AnalyticsRetention, in slices so no transaction grows large. The
// hourly and daily rollups (and view counts) are kept.
type AnalyticsPruneWorker struct {
	river.WorkerDefaults[AnalyticsPruneArgs]
	deps Deps
}

// Timeout bounds one run; what is left is taken by the next.
func (w *AnalyticsPruneWorker) Timeout(*river.Job[AnalyticsPruneArgs]) time.Duration {
	return 30 * time.Minute
}

// Work prunes until nothing older than the retention is left.
func (w *AnalyticsPruneWorker) Work(ctx context.Context, job *river.Job[AnalyticsPruneArgs]) error {
	if w.deps.AnalyticsRetention <= 0 {
		return nil
	}
	cutoff := time.Now().Add(-w.deps.AnalyticsRetention)
	var events, sessions int64
	for {
		e, s, err := w.deps.Store.PruneAnalytics(ctx, cutoff, 50_000)
		events, sessions = events+e, sessions+s
		if err != nil {
			return err
		}
		if e < 50_000 && s < 50_000 {
			break
		}
	}
	w.deps.Logger.InfoContext(ctx, "old analytics pruned", "job_id", job.ID,
		"events_deleted", events, "sessions_deleted", sessions, "retention", w.deps.AnalyticsRetention)
	return nil
}
