package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ThumbnailsArgs makes a transcoded video's poster and storyboard.
type ThumbnailsArgs struct {
	VideoID uuid.UUID `json:"video_id"`
}

// Kind is the job's stable name.
func (ThumbnailsArgs) Kind() string { return "thumbnails" }

// InsertOpts puts image work on the media queue.
func (ThumbnailsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// ThumbnailsWorker writes the poster (a representative frame, or a
// waveform for audio) and the storyboard (sprite sheets + WebVTT with
// #xywh for seek-bar previews; none for audio), then queues the subtitles.
type ThumbnailsWorker struct {
	river.WorkerDefaults[ThumbnailsArgs]
	deps Deps
}

// Timeout bounds both images (three times the timeout base, thirty minutes
// by default); the storyboard decodes only keyframes for long videos.
func (w *ThumbnailsWorker) Timeout(*river.Job[ThumbnailsArgs]) time.Duration {
	return 3 * w.deps.timeoutBase()
}

// Work makes the images.
func (w *ThumbnailsWorker) Work(ctx context.Context, job *river.Job[ThumbnailsArgs]) error {
	id := job.Args.VideoID
	p, err := prepare(ctx, w.deps, job.JobRow, id, step{stage: store.StageThumbnails})
	if err != nil {
		return err
	}
	defer p.release()
	fail := func(err error) error { return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageThumbnails, err) }
	src, info := p.path, p.info
	work, err := os.MkdirTemp(w.deps.WorkDir, "thumbnails-"+id.String()+"-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(work)

	poster, err := media.Poster(ctx, w.deps.Tools.FFmpeg, src, info, filepath.Join(work, "poster.jpg"))
	if err != nil {
		return fail(err)
	}
	posterKey := layout.Poster(id)
	if err := w.deps.Media.PutFile(ctx, posterKey, poster.Path, "image/jpeg"); err != nil {
		return fail(err)
	}
	if _, err := w.deps.Store.SetProgress(ctx, id, store.StageThumbnails, 95); err != nil {
		return err
	}

	var storyboardKey *string
	board, err := media.Storyboard(ctx, w.deps.Tools.FFmpeg, src, info, filepath.Join(work, "storyboard"), media.StoryboardOptions{})
	switch {
	case errors.Is(err, media.ErrNoVideo):
		// Audio only: nothing to preview.
	case err != nil:
		return fail(err)
	default:
		prefix := layout.StoryboardPrefix(id)
		if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
			return fail(err)
		}
		// Sheets first, then the map that references them.
		for _, sheet := range board.Sheets {
			if err := w.deps.Media.PutFile(ctx, prefix+"/"+filepath.Base(sheet), sheet, "image/jpeg"); err != nil {
				return fail(err)
			}
		}
		key := prefix + "/" + media.StoryboardVTTName
		if err := w.deps.Media.PutFile(ctx, key, board.VTT, "text/vtt"); err != nil {
			return fail(err)
		}
		storyboardKey = &key
	}
	// The duration is known now, so are the description's chapters.
	if w.deps.Videos != nil {
		if err := w.deps.Videos.PublishChapters(ctx, id); err != nil {
			return fail(err)
		}
	}

	return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		if err := w.deps.Store.SetImagesTx(ctx, tx, id, &posterKey, storyboardKey); err != nil {
			return err
		}
		if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageSubtitles, 96); err != nil {
			return err
		}
		if info.Video != nil {
			// Where the poster frame came from, so that it follows an
			// edit; and the animated preview, made beside the subtitles.
			at := poster.Time
			if err := w.deps.Store.SetPosterOriginTx(ctx, tx, id, &at); err != nil {
				return err
			}
			if _, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, PreviewArgs{VideoID: id}, nil); err != nil {
				return err
			}
		}
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, SubtitlesArgs{VideoID: id, Duration: info.Duration}, nil)
		return err
	})
}
