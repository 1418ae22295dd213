package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ClipArgs cuts [Start, End) of video Parent's upload into the source of
// clip VideoID (createClip).
type ClipArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	Parent  uuid.UUID `json:"parent_id"`
	Start   float64   `json:"start"`
	End     float64   `json:"end"`
}

// Kind is the job's stable name.
func (ClipArgs) Kind() string { return "clip" }

// InsertOpts puts the encode on the media queue.
func (ClipArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// ClipTx queues cutting a clip's source (video.CutQueue).
func (q *Queue) ClipTx(ctx context.Context, tx pgx.Tx, id, parent uuid.UUID, start, end float64) error {
	return q.insertTx(ctx, tx, ClipArgs{VideoID: id, Parent: parent, Start: start, End: end})
}

// SourceStore keeps a video's source made by a job (upload.Service has
// it): a clip's cut becomes its upload, so the pipeline reads it like any
// other.
type SourceStore interface {
	StoreSource(ctx context.Context, id uuid.UUID, path string) error
}

// ClipWorker re-encodes the range from the parent's upload (frame-accurate
// at both ends), stores it as the clip's upload and starts the clip's
// processing like a finished upload. A clip that is gone or no longer
// UPLOADING cancels the job (done already, or deleted); a parent deleted
// before the cut fails the clip.
type ClipWorker struct {
	river.WorkerDefaults[ClipArgs]
	deps Deps
}

// Timeout: the timeout base plus six times the clip's length, like a
// transcode.
func (w *ClipWorker) Timeout(job *river.Job[ClipArgs]) time.Duration {
	return w.deps.timeoutBase() + time.Duration(6*(job.Args.End-job.Args.Start)*float64(time.Second))
}

// Work cuts.
func (w *ClipWorker) Work(ctx context.Context, job *river.Job[ClipArgs]) error {
	a := job.Args
	v, err := w.deps.Store.VideoByID(ctx, a.VideoID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("clip %s was deleted", a.VideoID))
	}
	if err != nil {
		return err
	}
	if v.Status != store.StatusUploading {
		return river.JobCancel(fmt.Errorf("clip %s is %s: its source is cut already", a.VideoID, v.Status))
	}
	sources, ok := w.deps.Uploads.(SourceStore)
	if !ok {
		return river.JobCancel(fmt.Errorf("clip: uploads %T cannot store a source", w.deps.Uploads))
	}
	src, err := openSource(ctx, w.deps, a.Parent, false)
	if errors.Is(err, store.ErrNotFound) {
		return reject(ctx, w.deps, a.VideoID, "The video this clip was cut from was deleted before the clip was made.")
	}
	if rej, ok := media.AsReject(err); ok {
		return reject(ctx, w.deps, a.VideoID, rej.Reason)
	}
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	defer src.release()
	work, err := os.MkdirTemp(w.deps.WorkDir, "clip-"+a.VideoID.String()+"-")
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	defer os.RemoveAll(work)
	out := filepath.Join(work, "clip.mp4")
	if err := media.Cut(ctx, w.deps.Tools.FFmpeg, src.path, src.info, a.Start, a.End, out); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	if err := sources.StoreSource(ctx, a.VideoID, out); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	return w.deps.Videos.StartProcessing(ctx, a.VideoID)
}
