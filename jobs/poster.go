package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// PosterArgs makes the frame at second Time of a READY video, as it plays
// now, its poster (setPoster); with FollowEdit, it makes the poster follow
// the edit just published instead (Time unused).
type PosterArgs struct {
	VideoID    uuid.UUID `json:"video_id"`
	Time       float64   `json:"time"`
	FollowEdit bool      `json:"follow_edit,omitempty"`
}

// Kind is the job's stable name.
func (PosterArgs) Kind() string { return "poster" }

// InsertOpts puts the decode on the media queue.
func (PosterArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// PosterTx queues a poster by frame (video.CutQueue).
func (q *Queue) PosterTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, at float64) error {
	return q.insertTx(ctx, tx, PosterArgs{VideoID: videoID, Time: at})
}

// PosterWorker extracts one frame from the source with ffmpeg and
// publishes it as the poster (video.Service.PublishPoster) under a name made from its bytes
// (layout.PosterVersion): posters are served immutable, so the old URL
// keeps its old image in caches and the new one is new. The previous
// picked poster is removed once the row points at the new one. Running it
// twice publishes the same object and changes nothing more.
//
// setPoster's time is one of the video as it plays, edited or not; the
// worker maps it onto the original (the source) and records that time as
// the poster's origin. After an edit (FollowEdit) the poster follows: a
// frame the edit keeps stays (processing's own poster, or the frame
// picked, taken again); a frame it cuts out gives way to the first frame
// after the cut (media.FollowCut), taken from the source, which the edit
// shows frame for frame. An uploaded image stays. Undo thus restores the
// poster the original had.
type PosterWorker struct {
	river.WorkerDefaults[PosterArgs]
	deps Deps
}

// Timeout bounds one seek and decode: a fifth of the timeout base, at
// least 20 seconds.
func (w *PosterWorker) Timeout(*river.Job[PosterArgs]) time.Duration {
	return max(w.deps.timeoutBase()/5, 20*time.Second)
}

// Work makes the poster.
func (w *PosterWorker) Work(ctx context.Context, job *river.Job[PosterArgs]) error {
	id := job.Args.VideoID
	d, err := openDerivative(ctx, w.deps, id, "poster", true)
	if err != nil {
		return err
	}
	defer d.release()
	src, st, work := d.src, d.edit, d.work
	keep := editRanges(st.Keep)
	at, origin := media.SourceTime(keep, job.Args.Time), true
	if job.Args.FollowEdit {
		o, err := w.deps.Store.PosterOriginOf(ctx, id)
		if err != nil {
			return err
		}
		if o.Time == nil {
			return nil // an uploaded image: no edit changes it
		}
		at, origin = media.FollowCut(keep, *o.Time), false
		if at == *o.Time && o.Auto {
			return w.deps.Videos.RestoreAutoPoster(ctx, id)
		}
	}
	img, err := media.Frame(ctx, w.deps.Tools.FFmpeg, src.path, src.info, at, filepath.Join(work, "poster.jpg"))
	if errors.Is(err, media.ErrNoVideo) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if origin {
		err = w.deps.Videos.PublishPosterFrom(ctx, id, img.Path, &at)
	} else {
		err = w.deps.Videos.PublishPoster(ctx, id, img.Path)
	}
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("video %s was deleted", id))
	}
	return err
}
