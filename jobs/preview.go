package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// PreviewArgs makes the animated preview of a video as it plays now:
// during processing (queued by the thumbnails job beside the subtitles,
// or, for a video encoded in chunks, in the transaction that marks it
// READY: see SubtitlesArgs.Preview) and after every published edit or
// undo.
type PreviewArgs struct {
	VideoID uuid.UUID `json:"video_id"`
}

// Kind is the job's stable name.
func (PreviewArgs) Kind() string { return "preview" }

// previewPriority is the preview's River priority: below every other
// media job's (River's default, 1, the highest), so a worker takes it
// only when no step that READY waits for is queued. River fetches by
// priority first, then in insertion order.
const previewPriority = 2

// InsertOpts puts the encode on the media queue, after the steps READY
// waits for (previewPriority).
func (PreviewArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts, Priority: previewPriority}
}

// PreviewWorker samples a few short moments across what the video plays
// (its published edit, or all of it; media.PreviewMomentsOf), encodes
// them from the source as a small looping animated WebP and publishes it
// (video.Service.PublishPreview). The preview is optional: the video is
// READY without it and Playback.previewUrl stays null until it is made; a
// preview made for an edit that was replaced meanwhile is dropped (the
// newer edit queues its own). Running it twice publishes the same object.
type PreviewWorker struct {
	river.WorkerDefaults[PreviewArgs]
	deps Deps
}

// Timeout bounds a few seeks and a few seconds of decoding: a fifth of
// the timeout base, at least two minutes.
func (w *PreviewWorker) Timeout(*river.Job[PreviewArgs]) time.Duration {
	return max(w.deps.timeoutBase()/5, 2*time.Minute)
}

// Work makes the preview.
func (w *PreviewWorker) Work(ctx context.Context, job *river.Job[PreviewArgs]) error {
	id := job.Args.VideoID
	d, err := openDerivative(ctx, w.deps, id, "preview", false)
	if err != nil {
		return err
	}
	defer d.release()
	moments := media.PreviewMomentsOf(d.src.info.Duration, editRanges(d.edit.Keep))
	img, err := media.Preview(ctx, w.deps.Tools.FFmpeg, d.src.path, d.src.info, moments, filepath.Join(d.work, "preview.webp"))
	if errors.Is(err, media.ErrNoVideo) {
		return nil // audio: nothing to animate, previewUrl stays null
	}
	if err != nil {
		return err
	}
	if _, err := w.deps.Videos.PublishPreview(ctx, id, d.edit.Keep, img.Path); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return river.JobCancel(fmt.Errorf("preview of %s: the video was deleted", id))
		}
		return err
	}
	return nil
}

// derivative is what a job making a picture of a video as it plays now
// (the preview, a poster by frame) starts from: the video's edit state,
// its source and a scratch directory.
type derivative struct {
	edit store.EditState
	src  *source
	work string
}

// release removes the scratch directory and the source's local copy.
func (d *derivative) release() {
	os.RemoveAll(d.work)
	d.src.release()
}

// openDerivative opens video id for the job kind. A video deleted, not
// READY when ready is asked for, or whose source is not a usable video
// cancels the job (the error is a JobCancel); other errors are worth a
// retry. Call release when done.
func openDerivative(ctx context.Context, deps Deps, id uuid.UUID, kind string, ready bool) (*derivative, error) {
	gone := river.JobCancel(fmt.Errorf("%s of %s: the video was deleted", kind, id))
	if ready {
		v, err := deps.Store.VideoByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, gone
		}
		if err != nil {
			return nil, err
		}
		if v.Status != store.StatusReady {
			// Reprocessing makes its pictures again.
			return nil, river.JobCancel(fmt.Errorf("%s of %s: the video is %s, not READY", kind, id, v.Status))
		}
	}
	st, err := deps.Store.EditState(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	src, err := openSource(ctx, deps, id, false)
	if rej, ok := media.AsReject(err); ok {
		return nil, river.JobCancel(errors.New(rej.Reason))
	}
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(deps.WorkDir, kind+"-"+id.String()+"-")
	if err != nil {
		src.release()
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	return &derivative{edit: st, src: src, work: work}, nil
}

// editRanges is a published edit as media ranges: nil when unedited.
func editRanges(keep []store.TimeRange) []media.TimeRange {
	if keep == nil {
		return nil
	}
	return mediaRanges(keep)
}
