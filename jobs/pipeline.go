package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clipcut/clipcut/store"
)

// QueueMedia runs the CPU-bound jobs (transcoding, images) with their own
// concurrency, so quick jobs are never stuck behind a long encode.
const QueueMedia = "media"

// MediaTools are the external programs the pipeline runs.
type MediaTools struct {
	FFmpeg  string
	FFprobe string
	// Preset is the x264 preset (ultrafast ... veryslow).
	Preset string
	// MP4Downloads makes a progressive MP4 of the top rendition of every
	// video (a remux, no second encode).
	MP4Downloads bool
	// ChunkSeconds is the length of the chunks a long video is encoded
	// in, each a job any worker takes (see chunk.go); 0 encodes every
	// video in one job.
	ChunkSeconds int
}

// pipelineAttempts is how often a processing step is tried before the
// video is marked FAILED. Permanent problems (a corrupt file) fail at once.
const pipelineAttempts = 4

// processingVideo loads the video a pipeline job works on. A video that is
// gone or no longer PROCESSING (deleted, or a duplicate job) cancels the
// job: there is nothing left to do.
func processingVideo(ctx context.Context, deps Deps, id uuid.UUID) (store.Video, error) {
	v, err := deps.Store.VideoByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Video{}, river.JobCancel(fmt.Errorf("video %s was deleted", id))
	}
	if err != nil {
		return store.Video{}, err
	}
	if v.Status != store.StatusProcessing {
		return store.Video{}, river.JobCancel(fmt.Errorf("video %s is %s, not PROCESSING", id, v.Status))
	}
	return v, nil
}

// reject fails the video for good with a reason its owner can act on.
func reject(ctx context.Context, deps Deps, id uuid.UUID, reason string) error {
	if err := deps.Store.MarkRejected(ctx, id, reason); err != nil {
		return err
	}
	deps.Logger.InfoContext(ctx, "video rejected", "video_id", id, "reason", reason)
	return river.JobCancel(errors.New(reason))
}

// retryOrFail returns err so River retries with backoff; on the last
// attempt it first marks the video FAILED. The owner sees a plain reason;
// the error itself goes to the log.
func retryOrFail(ctx context.Context, deps Deps, job *rivertype.JobRow, id uuid.UUID, stage string, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err // shutting down or cancelled: not the video's fault
	}
	deps.Logger.ErrorContext(ctx, "processing step failed", "video_id", id, "stage", stage,
		"attempt", job.Attempt, "max_attempts", job.MaxAttempts, "error", err)
	if job.Attempt >= job.MaxAttempts {
		reason := fmt.Sprintf("Processing failed at the %s step after %d attempts because of a problem on the server, not with your file. "+
			"Try again later with retryProcessing; if it keeps failing, tell the instance's administrator.", stage, job.Attempt)
		if markErr := deps.Store.MarkFailed(ctx, id, reason); markErr != nil {
			return errors.Join(err, markErr)
		}
	}
	return err
}
