package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ProbeArgs starts processing: check what the upload is.
type ProbeArgs struct {
	VideoID uuid.UUID `json:"video_id"`
}

// Kind is the job's stable name.
func (ProbeArgs) Kind() string { return "probe" }

// InsertOpts: probing is quick, so it runs on the default queue.
func (ProbeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: pipelineAttempts}
}

// ProbeWorker runs ffprobe on the upload. A file that is not a playable
// video (random bytes, truncated, an image, absurd dimensions, no streams)
// fails the video at once with the reason; otherwise the typed result is
// stored (store.SetProbeResultTx), for the later jobs to reuse, and
// transcoding is queued in the same transaction.
type ProbeWorker struct {
	river.WorkerDefaults[ProbeArgs]
	deps Deps
}

// Timeout bounds ffprobe, which reads only headers and an index: a fifth
// of the timeout base (two minutes by default), at least 20 seconds.
func (w *ProbeWorker) Timeout(*river.Job[ProbeArgs]) time.Duration {
	return max(w.deps.timeoutBase()/5, 20*time.Second)
}

// Work probes.
func (w *ProbeWorker) Work(ctx context.Context, job *river.Job[ProbeArgs]) error {
	id := job.Args.VideoID
	p, err := prepare(ctx, w.deps, job.JobRow, id, step{stage: store.StageProbe, startPercent: 1, reprobe: true})
	if err != nil {
		return err
	}
	defer p.release()
	w.chunkKeyframes(ctx, id, p.source)
	return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		if err := w.deps.Store.SetProbeResultTx(ctx, tx, id, p.info); err != nil {
			return err
		}
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, TranscodeArgs{VideoID: id, Duration: p.info.Duration}, nil)
		return err
	})
}

// chunkKeyframes records in src.info the source's keyframes around the
// boundaries of the chunks the video will be encoded in, if it will be
// (media.ChunkKeyframes): read now, while the probe has the source at
// hand, planning snaps the boundaries to them (TranscodeWorker.snapChunks)
// without reading the source again, also in S3 mode, where that would
// cost a download. Nothing fails on it: without them the boundaries are
// snapped by reading a local source at planning, or not at all.
func (w *ProbeWorker) chunkKeyframes(ctx context.Context, id uuid.UUID, src *source) {
	opts := media.EncodeOptions{Preset: w.deps.Tools.Preset}
	chunks := media.PlanChunks(src.info, w.deps.Tools.ChunkSeconds, opts)
	if len(chunks) == 0 {
		return
	}
	keyframes, err := media.ChunkKeyframes(ctx, w.deps.Tools.FFprobe, src.path, src.info, chunks, opts)
	if err != nil {
		w.deps.Logger.WarnContext(ctx, "chunk keyframes not read", "video_id", id, "error", err)
		return
	}
	src.info.Keyframes = keyframes
}
