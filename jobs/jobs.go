// Package jobs holds clipcut's River jobs, one file per kind: each file
// declares the job's args (with a stable Kind) and its worker side by side.
// Workers do the background work (imports, probe, transcode, thumbnails,
// subtitles, deletion, webhooks, analytics) with media and storage, and
// change a video's lifecycle through the video service (Deps.Videos).
// Queue inserts the jobs the video service asks for, in its transactions.
// Register adds every worker; PeriodicJobs lists the scheduled ones.
//
// A long video is transcoded in chunks that any worker encodes, counted
// down in PostgreSQL so the last one assembles the renditions; chunk.go
// explains the design and why a countdown rather than a waiting parent.
package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/outbound"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/tracing"
	"github.com/clipcut/clipcut/video"
)

// Deps are what workers need.
type Deps struct {
	Store  *store.Store
	Logger *slog.Logger
	// Videos is the video service: workers change a video's lifecycle
	// (start processing, save subtitles) through it.
	Videos  *video.Service
	Uploads Uploads
	// Media stores what processing produces.
	Media storage.Bucket
	// UploadExpiry is how long an unfinished upload may take.
	UploadExpiry time.Duration
	// WorkDir holds jobs' scratch files (one directory per job, removed
	// when it ends).
	WorkDir string
	Tools   MediaTools
	// Transcriber makes subtitles (media.NoTranscriber when off).
	Transcriber media.Transcriber
	// Webhooks configure webhook deliveries (the zero value: public
	// addresses only, retried for 24 hours).
	Webhooks WebhookSettings
	// TimeoutBase is the fixed part of the media jobs' timeouts (zero:
	// DefaultTimeoutBase); a transcode may run this plus six times the
	// video's length. It is for work that hangs: the job of a worker
	// that died returns to the queue within seconds (Liveness).
	TimeoutBase time.Duration
	// AnalyticsRetention is how long raw playback events are kept (0: for
	// ever).
	AnalyticsRetention time.Duration
	// Outbound says which addresses imports may download from (the zero
	// value: public addresses only); the webhook client has the same one.
	Outbound outbound.Policy
	// ImportDir keeps imports' partial downloads between attempts, so a
	// retried import resumes with Range ("": WorkDir/imports).
	ImportDir string
	// DBHealth logs the database going away and coming back once per
	// outage for the whole process (nil: jobs log each failure).
	DBHealth *store.Health
}

// DefaultTimeoutBase is the fixed part of media jobs' timeouts.
const DefaultTimeoutBase = 10 * time.Minute

// timeoutBase is TimeoutBase or its default.
func (d Deps) timeoutBase() time.Duration {
	if d.TimeoutBase > 0 {
		return d.TimeoutBase
	}
	return DefaultTimeoutBase
}

// Register adds every clipcut worker to workers. Every ffmpeg, ffprobe
// and transcriber run the workers start is logged to deps.Logger with its
// CPU and wall time (media.SetLogger; the job's id, kind and video come
// from Middleware).
func Register(workers *river.Workers, deps Deps) {
	if deps.Logger != nil {
		media.SetLogger(deps.Logger)
	}
	river.AddWorker(workers, &CleanupWorker{deps: deps})
	river.AddWorker(workers, &UploadSweepWorker{deps: deps})
	river.AddWorker(workers, &DeleteMediaWorker{deps: deps})
	river.AddWorker(workers, &ProbeWorker{deps: deps})
	river.AddWorker(workers, &TranscodeWorker{deps: deps})
	river.AddWorker(workers, &TranscodeChunkWorker{deps: deps})
	river.AddWorker(workers, &ChunkAudioWorker{deps: deps})
	river.AddWorker(workers, &ThumbnailsWorker{deps: deps})
	river.AddWorker(workers, &SubtitlesWorker{deps: deps})
	river.AddWorker(workers, &PosterWorker{deps: deps})
	river.AddWorker(workers, &PreviewWorker{deps: deps})
	river.AddWorker(workers, &ClipWorker{deps: deps})
	river.AddWorker(workers, &EditWorker{deps: deps})
	river.AddWorker(workers, newImportWorker(deps))
	river.AddWorker(workers, newWebhookDispatchWorker(deps))
	river.AddWorker(workers, newWebhookDeliveryWorker(deps))
	river.AddWorker(workers, &AnalyticsRollupWorker{deps: deps})
	river.AddWorker(workers, &AnalyticsPruneWorker{deps: deps})
}

// PeriodicJobs are the jobs River schedules on its own. River runs each
// once per interval across all worker processes (on the elected leader).
// analyticsRollupEvery is the analytics rollup's period (0: the default,
// AnalyticsRollupInterval).
func PeriodicJobs(analyticsRollupEvery time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(5*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return UploadSweepArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		analyticsRollupPeriodic(analyticsRollupEvery),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return AnalyticsPruneArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		webhookSweep(),
	}
}

// Middleware is the River client's middleware: every job's tool runs are
// logged with the job's id, kind and video (jobLogAttrs); with tracing on,
// job inserts and runs are traced and a job's run continues the trace of
// the request (or job) that inserted it (tracing.RiverMiddleware).
func Middleware() []rivertype.Middleware {
	m := []rivertype.Middleware{&jobLogAttrs{}}
	if tracing.Enabled() {
		m = append(m, tracing.RiverMiddleware())
	}
	return m
}

// jobLogAttrs adds the job's id, kind and video (when its args name one)
// to the log line of every tool run of the job (media.WithLogAttrs), so
// that a worker's log says which job each ffmpeg's CPU went to.
type jobLogAttrs struct{ river.MiddlewareDefaults }

var _ rivertype.WorkerMiddleware = (*jobLogAttrs)(nil)

func (*jobLogAttrs) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	attrs := []slog.Attr{slog.Int64("job_id", job.ID), slog.String("job_kind", job.Kind)}
	var args struct {
		VideoID string `json:"video_id"`
	}
	if json.Unmarshal(job.EncodedArgs, &args) == nil && args.VideoID != "" {
		attrs = append(attrs, slog.String("video_id", args.VideoID))
	}
	return doInner(media.WithLogAttrs(ctx, attrs...))
}
