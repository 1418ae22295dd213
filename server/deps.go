package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.opentelemetry.io/otel/attribute"
	"riverqueue.com/riverui"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/pgcluster"
	"github.com/clipcut/clipcut/tracing"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

// app is one clipcut process: every dependency, built once by newApp in
// the order below, and torn down in reverse by close. run (app.go) serves
// it; routes (routes.go) lists what it answers.
type app struct {
	mode   mode
	cfg    *Config
	logger *slog.Logger

	// Data: the database (a private cluster when no URL is set), media
	// storage and the key that signs media links.
	pool   *pgxpool.Pool
	store  *store.Store
	bucket storage.Bucket
	signer *auth.Signer

	// Every process: metrics, readiness, the one LISTEN connection, the
	// job client (insert-only in api mode), the video lifecycle, uploads.
	metrics  *metrics
	ready    *readiness
	dbHealth *store.Health // one WARN and one INFO per database outage
	notifier *store.Notifier
	jobs     *river.Client[pgx.Tx]
	videos   *video.Service
	uploads  *upload.Service

	// Workers (serve and worker modes; nil in api mode): this process's
	// lease, which also returns dead workers' jobs to the queue.
	liveness *jobs.Liveness

	// API (serve and api modes; nil in worker mode).
	auth     *auth.Service
	hub      *store.Hub
	ingester *analytics.Ingester
	links    *mediaLinks
	media    *delivery.Handler // /media/
	riverUI  *riverui.Handler  // /admin/jobs (admin.go)

	closers []func()
}

// newApp builds everything mode m needs. On error it has already released
// what it built.
func newApp(ctx context.Context, m mode, cfg *Config, logger *slog.Logger) (a *app, err error) {
	a = &app{mode: m, cfg: cfg, logger: logger}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if m != modeMigrate {
		if err := a.startTracing(ctx); err != nil {
			return nil, err
		}
	}
	if err := a.openDatabase(ctx); err != nil {
		return nil, err
	}
	if m == modeMigrate {
		return a, nil
	}
	if a.bucket, err = storage.Open(ctx, cfg.storageConfig()); err != nil {
		return nil, err
	}
	if a.signer, err = cfg.signer(); err != nil {
		return nil, err
	}
	a.metrics = newMetrics()
	a.metrics.registry.MustRegister(newQueueCollector(a.store))
	a.ready = &readiness{store: a.store, media: a.bucket}
	a.dbHealth = store.NewHealth(logger)
	a.notifier = store.NewNotifier(a.pool, logger)
	a.notifier.Health = a.dbHealth

	workers := river.NewWorkers()
	if err := a.newJobClient(workers); err != nil {
		return nil, err
	}
	if err := a.newLifecycle(); err != nil {
		return nil, err
	}
	if m != modeAPI {
		if err := a.registerWorkers(ctx, workers); err != nil {
			return nil, err
		}
	}
	if m != modeWorker {
		if err := a.newAPI(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// close releases what newApp built, last built first.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

func (a *app) onClose(f func()) { a.closers = append(a.closers, f) }

// startTracing turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; closing flushes it last.
func (a *app) startTracing(ctx context.Context) error {
	shutdown, err := tracing.Setup(ctx, "clipcut-"+string(a.mode), a.logger, attribute.String("clipcut.mode", string(a.mode)))
	if err != nil {
		return err
	}
	a.onClose(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			a.logger.Warn("flushing traces failed", "error", err)
		}
	})
	return nil
}

// openDatabase connects to DATABASE_URL or, when it is empty, starts the
// private cluster under the data directory.
func (a *app) openDatabase(ctx context.Context) error {
	dbURL := a.cfg.DatabaseURL
	if dbURL == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: a.cfg.PostgresDir(), BinDir: a.cfg.PostgresBin, Logger: a.logger})
		if err != nil {
			return err
		}
		a.onClose(func() {
			a.logger.Info("stopping private PostgreSQL cluster")
			if err := cluster.Stop(context.WithoutCancel(ctx)); err != nil {
				a.logger.Error("stopping private PostgreSQL cluster failed", "error", err)
			}
		})
		dbURL = cluster.URL()
	}
	pool, err := store.NewPool(ctx, dbURL, int32(a.cfg.DBMaxConns))
	if err != nil {
		return err
	}
	a.onClose(pool.Close)
	a.pool, a.store = pool, store.New(pool)
	return nil
}

// newJobClient makes the River client: insert-only in api mode, working
// in serve and worker modes. workers is filled later (registerWorkers)
// because the video service needs the client and the workers need the
// service; River reads the bundle only when jobs run.
func (a *app) newJobClient(workers *river.Workers) error {
	cfg := a.cfg
	riverCfg := &river.Config{Logger: riverLogger(a.logger, cfg.LogLevel, a.dbHealth, "river"), Middleware: jobs.Middleware()}
	if a.mode != modeAPI {
		a.liveness = jobs.NewLiveness(a.store, a.logger)
		riverCfg.ID = a.liveness.ClientID()
		riverCfg.Workers = workers
		riverCfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cfg.Workers},
			jobs.QueueMedia:    {MaxWorkers: cfg.MediaWorkers},
			jobs.QueueWebhooks: {MaxWorkers: cfg.WebhookWorkers},
		}
		riverCfg.PeriodicJobs = jobs.PeriodicJobs(cfg.AnalyticsRollupInterval)
		// A worker that dies leaves its jobs marked running; liveness
		// returns them within seconds. River's rescuer is the backstop:
		// it retries them once they are past both their own Timeout and
		// RescueStuckJobsAfter. JobTimeout only applies to jobs without a
		// Timeout of their own (none of clipcut's), and River wants it no
		// longer than the rescue delay.
		riverCfg.RescueStuckJobsAfter = cfg.JobRescueAfter
		riverCfg.JobTimeout = min(time.Minute, cfg.JobRescueAfter)
	}
	client, err := river.NewClient(riverpgxv5.New(a.pool), riverCfg)
	if err != nil {
		return fmt.Errorf("create job client: %w", err)
	}
	a.jobs = client
	return nil
}

// newLifecycle makes the video service and the upload service that hands
// it finished uploads.
func (a *app) newLifecycle() error {
	cfg := a.cfg
	a.videos = video.New(video.Config{Store: a.store, Media: a.bucket, Queue: jobs.NewQueue(a.jobs),
		WebhookRetryWindow: cfg.webhookSettings().Settings.Window(), FFmpeg: cfg.FFmpeg})
	maxUpload, _ := ParseBytes(cfg.MaxUploadSize)
	quota, _ := ParseBytes(cfg.StorageQuota)
	uploads, err := upload.New(upload.Config{
		Dir:        cfg.UploadDir(),
		Limits:     store.Limits{MaxFileSize: maxUpload, StorageQuota: quota, DailyUploads: cfg.DailyUploads},
		Expiry:     cfg.UploadExpiry,
		TrustProxy: cfg.TrustProxy,
		PublicURL:  cfg.PublicURL,
		Storage:    cfg.storageConfig(),
		OnFinished: a.videos.StartProcessing,
	}, a.store, a.videos, a.signer, a.logger)
	if err != nil {
		return err
	}
	a.uploads = uploads
	return nil
}

// registerWorkers fills River's workers bundle: scratch space, the
// subtitle engine (its choice logged once), and every job's worker.
func (a *app) registerWorkers(ctx context.Context, workers *river.Workers) error {
	cfg := a.cfg
	workDir, err := processWorkDir(cfg.WorkDir(), a.logger)
	if err != nil {
		return err
	}
	a.onClose(func() { os.RemoveAll(workDir) })
	transcriber, why, err := media.SelectTranscriber(cfg.transcriberConfig())
	if err != nil {
		return err
	}
	a.logger.Info("subtitle engine: "+why, "engine", transcriber.Name())
	if err := transcriber.Check(ctx); err != nil {
		a.logger.Error("the subtitle engine cannot run; videos will get no subtitles until this is fixed", "engine", transcriber.Name(), "error", err)
	}
	outbound := cfg.webhookSettings()
	if base := cmp.Or(cfg.MediaBaseURL, cfg.PublicURL); base != "" {
		// Payloads' playback URLs need an absolute base; without one
		// they carry none.
		outbound.Settings.Media = &mediaLinks{signer: a.signer, base: base}
	}
	jobs.Register(workers, jobs.Deps{
		Store: a.store, Logger: a.logger, Videos: a.videos, Uploads: a.uploads, Media: a.bucket,
		UploadExpiry: cfg.UploadExpiry, WorkDir: workDir, Tools: cfg.mediaTools(), Transcriber: transcriber,
		TimeoutBase: cfg.JobTimeoutBase, AnalyticsRetention: cfg.AnalyticsRetention, Webhooks: outbound.Settings,
		DBHealth: a.dbHealth,
		// Partial imports outlive this process (its workDir does not), so
		// that a restarted worker resumes them.
		Outbound: outbound.Policy, ImportDir: filepath.Join(cfg.WorkDir(), "imports"),
	})
	return nil
}

// newAPI makes what only API processes need: sessions, the video event
// hub, analytics ingestion, media links and media delivery.
func (a *app) newAPI() error {
	cfg := a.cfg
	var err error
	if a.auth, err = auth.NewService(a.store, a.logger, cfg.SessionTTL); err != nil {
		return err
	}
	// A session ended by any process (logOut, account deletion, the
	// expiry sweep, an administrator) leaves this one's session cache at
	// once; a missed announcement costs at most auth.SessionCacheTTL.
	a.onClose(a.notifier.SubscribeCredentialRevocations(func(bool) {}, a.auth.ForgetSession))
	if err := a.newRiverUI(); err != nil {
		return err
	}
	a.hub = store.NewHub(a.notifier, a.logger)
	a.ingester = analytics.NewIngester(a.store, a.logger, a.metrics.registry, cfg.analyticsIngest())
	a.links = &mediaLinks{signer: a.signer, base: cmp.Or(cfg.MediaBaseURL, cfg.PublicURL), privateTTL: cfg.PlaybackTTL}
	st := a.store
	a.media, err = delivery.New(delivery.Config{
		Bucket: a.bucket, Signer: a.signer, S3Mode: cfg.MediaS3Mode, Logger: a.logger, Registerer: a.metrics.registry,
		LookupTTL: cfg.MediaPrivacyTTL,
		Lookup: func(ctx context.Context, id uuid.UUID) (delivery.VideoState, error) {
			a, err := st.VideoAccessOf(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return delivery.VideoState{}, delivery.ErrNoVideo
			}
			return delivery.VideoState{Privacy: a.Privacy, PublicID: a.PublicID}, err
		},
		ResolvePublicID: func(ctx context.Context, publicID string) (uuid.UUID, error) {
			id, err := st.VideoIDByPublicID(ctx, publicID)
			if errors.Is(err, store.ErrNotFound) {
				return uuid.Nil, delivery.ErrNoVideo
			}
			return id, err
		},
		Links: func(ctx context.Context, id uuid.UUID) (delivery.LinkState, error) {
			t, err := st.PlaybackTokenState(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return delivery.LinkState{}, delivery.ErrNoLink
			}
			return delivery.LinkState{VideoID: t.VideoID, Revoked: t.RevokedAt != nil, AllowedOrigins: t.AllowedOrigins}, err
		},
	})
	if err != nil {
		return err
	}
	// A share link revoked by any process is refused by this one at once.
	a.onClose(a.notifier.SubscribePlaybackTokenRevocations(func(bool) { a.media.ForgetAll() }, a.media.ForgetLink))
	// A privacy or public id change or a deletion, made by any process, reaches this
	// one's media delivery at once. Every LISTEN (the first too: answers
	// cached before it may predate a change it would have reported)
	// forgets everything.
	a.onClose(a.notifier.SubscribePrivacyChanges(func(bool) { a.media.ForgetAll() }, a.media.ForgetVideo))
	// So does analytics ingest: an old public id's events are refused.
	a.onClose(a.notifier.SubscribePrivacyChanges(func(bool) { a.ingester.ForgetAll() }, a.ingester.ForgetVideo))
	return nil
}

// backgroundServices are the services that run beside HTTP, in start
// order: early ones work while the database is still coming up (the
// notifier retries until it answers); the job workers' start once the
// database has answered and is migrated.
func (a *app) backgroundServices() (early, afterDatabase []namedService) {
	early = []namedService{{"notifier", a.notifier}}
	if a.hub != nil {
		early = append(early, namedService{"video hub", a.hub}, namedService{"analytics ingester", loop(a.ingester.Run)})
	}
	if a.mode != modeAPI {
		afterDatabase = []namedService{
			{"worker lease", a.liveness},
			{"job workers", &jobWorkers{client: a.jobs, logger: a.logger}},
			{"job metrics", loop(func(ctx context.Context) { a.metrics.observeJobs(ctx, a.jobs) })},
			{"webhook listener", loop(func(ctx context.Context) {
				jobs.ListenForWebhookEvents(ctx, a.notifier, a.jobs, a.logger)
			})},
		}
	}
	if a.riverUI != nil {
		afterDatabase = append(afterDatabase, namedService{"river ui", loop(a.runRiverUI)})
	}
	return early, afterDatabase
}
