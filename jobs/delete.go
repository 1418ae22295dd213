package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clipcut/clipcut/layout"
)

// DeleteMediaArgs removes a deleted video's files.
type DeleteMediaArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// UploadID is the video's tus upload id, read before the row went.
	UploadID string `json:"upload_id,omitempty"`
}

// Kind is the job's stable name.
func (DeleteMediaArgs) Kind() string { return "delete_media" }

// DeleteMediaWorker cancels the video's unfinished jobs, then removes its
// upload and every stored object. Each step tolerates what is already gone,
// so retries are safe.
type DeleteMediaWorker struct {
	river.WorkerDefaults[DeleteMediaArgs]
	deps Deps
}

// Timeout bounds a deletion; deleting many objects from S3 takes a while.
func (w *DeleteMediaWorker) Timeout(*river.Job[DeleteMediaArgs]) time.Duration {
	return 10 * time.Minute
}

// Work deletes.
func (w *DeleteMediaWorker) Work(ctx context.Context, job *river.Job[DeleteMediaArgs]) error {
	id := job.Args.VideoID
	ids, err := w.deps.Store.UnfinishedVideoJobs(ctx, id, job.Kind)
	if err != nil {
		return err
	}
	client := river.ClientFromContext[pgx.Tx](ctx)
	for _, jobID := range ids {
		if _, err := client.JobCancel(ctx, jobID); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
			return fmt.Errorf("cancel job %d: %w", jobID, err)
		}
	}
	if err := w.deps.Uploads.Remove(ctx, id, job.Args.UploadID); err != nil {
		return err
	}
	if err := w.deps.Media.DeletePrefix(ctx, layout.Prefix(id)); err != nil {
		return err
	}
	w.deps.Logger.InfoContext(ctx, "deleted video media", "video_id", id, "cancelled_jobs", len(ids))
	return nil
}
