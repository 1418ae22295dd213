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
// after processing (queued by the thumbnails job) and after every
// published edit or undo.
type PreviewArgs struct {
	VideoID uuid.UUID `json:"video_id"`
}

// Kind is the job's stable name.
func (PreviewArgs) Kind() string { return "preview" }

// InsertOpts puts the encode on the media queue.
func (PreviewArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
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
	st, err := w.deps.Store.EditState(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("preview of %s: the video was deleted", id))
	}
	if err != nil {
		return err
	}
	src, err := openSource(ctx, w.deps, id, false)
	if rej, ok := media.AsReject(err); ok {
		return river.JobCancel(errors.New(rej.Reason))
	}
	if err != nil {
		return err
	}
	defer src.release()
	work, err := os.MkdirTemp(w.deps.WorkDir, "preview-"+id.String()+"-")
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	defer os.RemoveAll(work)
	moments := media.PreviewMomentsOf(src.info.Duration, editRanges(st.Keep))
	img, err := media.Preview(ctx, w.deps.Tools.FFmpeg, src.path, src.info, moments, filepath.Join(work, "preview.webp"))
	if errors.Is(err, media.ErrNoVideo) {
		return nil // audio: nothing to animate, previewUrl stays null
	}
	if err != nil {
		return err
	}
	if _, err := w.deps.Videos.PublishPreview(ctx, id, st.Keep, img.Path); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return river.JobCancel(fmt.Errorf("preview of %s: the video was deleted", id))
		}
		return err
	}
	return nil
}

// editRanges is a published edit as media ranges: nil when unedited.
func editRanges(keep []store.TimeRange) []media.TimeRange {
	if keep == nil {
		return nil
	}
	return mediaRanges(keep)
}
