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

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ThumbnailsArgs makes a video's poster and storyboard: after the
// transcode, or, for a video encoded in chunks, beside them.
type ThumbnailsArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// PlanJob is set when the transcode job that planned the video's
	// chunks queued this job with them: the images need only the source,
	// so another worker makes them while the chunks encode, and whichever
	// of the images and the chunks' assembly ends last moves the video on
	// to subtitles (see finishBesideChunks). A newer plan cancels it.
	PlanJob int64 `json:"plan_job,omitempty"`
	// PosterOnly (beside chunks) leaves the storyboard to the chunks,
	// which make its thumbnails from their smallest rung, and to their
	// assembly, which puts them together: decoding the source again for
	// it cost more CPU than anything but the encode. Whichever of this
	// job and the assembly ends last records both images.
	PosterOnly bool `json:"poster_only,omitempty"`
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
	besideChunks := job.Args.PlanJob != 0
	if besideChunks {
		plan, err := w.deps.Store.ChunkPlan(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && plan.JobID != job.Args.PlanJob) {
			return river.JobCancel(errPlanReplaced)
		}
		if err != nil {
			return err
		}
	}
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
	if !besideChunks {
		// Beside the chunks the video's stage is still the transcode's.
		if _, err := w.deps.Store.SetProgress(ctx, id, store.StageThumbnails, 95); err != nil {
			return err
		}
	}

	var storyboardKey *string
	if !job.Args.PosterOnly {
		if storyboardKey, err = w.storyboard(ctx, id, src, info, work); err != nil {
			return fail(err)
		}
	}
	// The duration is known now, so are the description's chapters.
	if w.deps.Videos != nil {
		if err := w.deps.Videos.PublishChapters(ctx, id); err != nil {
			return fail(err)
		}
	}

	return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		next := true
		if besideChunks {
			var err error
			if next, err = thumbnailsBesideChunksDoneTx(ctx, w.deps, tx, id, job.Args.PlanJob); err != nil {
				return err
			}
		}
		if job.Args.PosterOnly {
			// The assembly's storyboard, when it ended first (the lock
			// taken above orders the two).
			v, err := w.deps.Store.VideoByID(ctx, id)
			if err != nil {
				return err
			}
			storyboardKey = v.StoryboardKey
		}
		if err := w.deps.Store.SetImagesTx(ctx, tx, id, &posterKey, storyboardKey); err != nil {
			return err
		}
		if next {
			if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageSubtitles, 96); err != nil {
				return err
			}
		}
		if info.Video != nil {
			// Where the poster frame came from, so that it follows an
			// edit; and the animated preview, made beside the subtitles
			// (after READY for a video encoded in chunks, see
			// SubtitlesArgs.Preview).
			at := poster.Time
			if err := w.deps.Store.SetPosterOriginTx(ctx, tx, id, &at); err != nil {
				return err
			}
			if !besideChunks {
				if _, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, PreviewArgs{VideoID: id}, nil); err != nil {
					return err
				}
			}
		}
		if !next {
			return nil // the assembly queues the subtitles
		}
		// Beside chunks, the animated preview follows READY
		// (SubtitlesArgs.Preview): queued with the subtitles, a free worker
		// would make it while the other still works for READY.
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, SubtitlesArgs{VideoID: id, Duration: info.Duration, Preview: besideChunks && info.Video != nil}, nil)
		return err
	})
}

// storyboard makes the storyboard of the source at src and stores it,
// returning the key of its WebVTT map (nil for audio).
func (w *ThumbnailsWorker) storyboard(ctx context.Context, id uuid.UUID, src string, info media.SourceInfo, work string) (*string, error) {
	board, err := media.Storyboard(ctx, w.deps.Tools.FFmpeg, src, info, filepath.Join(work, "storyboard"), media.StoryboardOptions{})
	if errors.Is(err, media.ErrNoVideo) {
		return nil, nil // audio only: nothing to preview
	}
	if err != nil {
		return nil, err
	}
	prefix := layout.StoryboardPrefix(id)
	if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
		return nil, err
	}
	// Sheets first, then the map that references them.
	for _, sheet := range board.Sheets {
		if err := w.deps.Media.PutFile(ctx, prefix+"/"+filepath.Base(sheet), sheet, "image/jpeg"); err != nil {
			return nil, err
		}
	}
	key := prefix + "/" + media.StoryboardVTTName
	if err := w.deps.Media.PutFile(ctx, key, board.VTT, "text/vtt"); err != nil {
		return nil, err
	}
	return &key, nil
}

// thumbnailsBesideChunksDoneTx records, in tx and under the chunk plan's
// lock, that the images made beside the chunks of plan job planJob are
// done (the plan's last row is theirs; see planChunks). It reports
// whether the chunks are assembled already, in which case the caller
// moves the video on to subtitles; otherwise the assembly will, seeing
// this row done. A run after one that recorded it (River retried a job
// whose transaction had committed) reports false: the hand-over happened.
func thumbnailsBesideChunksDoneTx(ctx context.Context, deps Deps, tx pgx.Tx, id uuid.UUID, planJob int64) (assembled bool, err error) {
	plan, err := deps.Store.LockChunkPlanTx(ctx, tx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && plan.JobID != planJob) {
		return false, river.JobCancel(errPlanReplaced)
	}
	if err != nil {
		return false, err
	}
	if len(plan.Chunks) == 0 {
		return false, fmt.Errorf("chunk plan of %s has no rows", id)
	}
	if plan.Chunks[len(plan.Chunks)-1].Done {
		return false, nil
	}
	if err := deps.Store.FinishChunkTx(ctx, tx, id, len(plan.Chunks)-1, struct{}{}); err != nil {
		return false, err
	}
	return plan.Assembled, nil
}
