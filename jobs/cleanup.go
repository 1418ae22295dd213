package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/auth"
)

// CleanupArgs schedules the removal of dead sessions, old login-failure
// windows and the rows of long-expired share links.
type CleanupArgs struct{}

// Kind is the job's stable name in the queue.
func (CleanupArgs) Kind() string { return "cleanup" }

// InsertOpts keeps at most one cleanup queued at a time.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
}

// CleanupWorker deletes sessions dead for a week (kept that long so a
// revoked token is still recognised as such in logs), login-failure
// windows that have ended, and share links expired for a day.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	deps Deps
}

// Timeout bounds one run; the deletes are indexed.
func (w *CleanupWorker) Timeout(*river.Job[CleanupArgs]) time.Duration { return 5 * time.Minute }

// Work runs the cleanup. It is idempotent.
func (w *CleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	sessions, err := w.deps.Store.DeleteDeadSessions(ctx, time.Now().Add(-7*24*time.Hour))
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	failures, err := w.deps.Store.DeleteStaleLoginFailures(ctx, time.Now().Add(-auth.ThrottleWindow))
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	links, err := w.deps.Store.DeleteExpiredPlaybackTokens(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	w.deps.Logger.InfoContext(ctx, "cleanup done", "job_id", job.ID, "sessions_deleted", sessions,
		"login_failures_deleted", failures, "playback_links_deleted", links)
	return nil
}
