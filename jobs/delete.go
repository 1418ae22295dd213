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

	"github.com/clipcut/clipcut/store"
)

// DeleteVideo deletes a video the viewer owns (or any, for administrators)
// and, in the same transaction, queues the removal of everything stored for
// it: the row cannot go without its files following.
func DeleteVideo(ctx context.Context, st *store.Store, client *river.Client[pgx.Tx], id uuid.UUID, viewer store.Viewer) error {
	return st.InTx(ctx, func(tx pgx.Tx) error {
		v, err := st.DeleteVideoTx(ctx, tx, id, viewer)
		if err != nil {
			return err
		}
		_, err = client.InsertTx(ctx, tx, DeleteMediaArgs{VideoID: id, UploadID: deref(v.UploadID)}, nil)
		return err
	})
}

// RetryProcessing starts a FAILED or READY video's processing over from its
// upload, in one transaction with its first job.
func RetryProcessing(ctx context.Context, st *store.Store, client *river.Client[pgx.Tx], id uuid.UUID, viewer store.Viewer) error {
	return st.InTx(ctx, func(tx pgx.Tx) error {
		ok, err := st.RestartProcessingTx(ctx, tx, id, viewer)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotRetryable
		}
		_, err = client.InsertTx(ctx, tx, ProbeArgs{VideoID: id}, nil)
		return err
	})
}

// ErrNotRetryable is returned by RetryProcessing for a video that is still
// uploading or processing (or that the viewer cannot change).
var ErrNotRetryable = errors.New("only a FAILED or READY video whose upload finished can be processed again")

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
	if err := w.deps.Media.DeletePrefix(ctx, VideoPrefix(id)); err != nil {
		return err
	}
	w.deps.Logger.InfoContext(ctx, "deleted video media", "video_id", id, "cancelled_jobs", len(ids))
	return nil
}

// VideoPrefix is where a video's objects live in storage.
func VideoPrefix(id uuid.UUID) string { return "videos/" + id.String() }
