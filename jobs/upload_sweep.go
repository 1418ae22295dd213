package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// UploadSweepArgs schedules the upload sweeper.
type UploadSweepArgs struct{}

// Kind is the job's stable name.
func (UploadSweepArgs) Kind() string { return "upload_sweep" }

// InsertOpts keeps one sweep queued at a time.
func (UploadSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// UploadSweepWorker finishes what interrupted requests left behind:
// uploads that expired unfinished are removed and their videos marked
// FAILED; uploads whose last byte arrived but whose processing never
// started (the process died between the two) are started.
type UploadSweepWorker struct {
	river.WorkerDefaults[UploadSweepArgs]
	deps Deps
}

// Timeout bounds one sweep.
func (w *UploadSweepWorker) Timeout(*river.Job[UploadSweepArgs]) time.Duration {
	return 5 * time.Minute
}

// Work sweeps up to a few hundred uploads; the next run takes the rest.
func (w *UploadSweepWorker) Work(ctx context.Context, job *river.Job[UploadSweepArgs]) error {
	st := w.deps.Store
	expired, err := st.ExpiredUploads(ctx, time.Now(), 200)
	if err != nil {
		return err
	}
	for _, id := range expired {
		v, err := st.VideoByID(ctx, id)
		if err != nil {
			return err
		}
		if err := w.deps.Uploads.Remove(ctx, id, deref(v.UploadID)); err != nil {
			return err
		}
		if err := st.MarkFailed(ctx, id, "The upload expired before it finished: an upload must complete within "+
			w.deps.UploadExpiry.String()+". Delete this video and upload the file again."); err != nil {
			return err
		}
		w.deps.Logger.InfoContext(ctx, "upload expired", "video_id", id)
	}
	stale, err := st.StaleUploads(ctx, time.Now().Add(-2*time.Minute), 200)
	if err != nil {
		return err
	}
	for _, id := range stale {
		offset, size, err := w.deps.Uploads.Progress(ctx, id)
		if err != nil || size == 0 || offset != size {
			continue // still arriving, never started, or already gone
		}
		if err := w.deps.Videos.StartProcessing(ctx, id); err != nil {
			return fmt.Errorf("upload sweep: %w", err)
		}
		w.deps.Logger.InfoContext(ctx, "started processing of an upload whose finish was interrupted", "video_id", id)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
