package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/frontend"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/pgcluster"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

// run starts clipcut in mode m and blocks until ctx is cancelled (SIGINT or
// SIGTERM) and everything has shut down in order: HTTP, jobs, database.
func run(ctx context.Context, m mode, cfg *Config, logger *slog.Logger) error {
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: cfg.PostgresDir(), BinDir: cfg.PostgresBin, Logger: logger})
		if err != nil {
			return err
		}
		defer func() {
			logger.Info("stopping private PostgreSQL cluster")
			if err := cluster.Stop(context.WithoutCancel(ctx)); err != nil {
				logger.Error("stopping private PostgreSQL cluster failed", "error", err)
			}
		}()
		dbURL = cluster.URL()
	}
	pool, err := store.NewPool(ctx, dbURL, int32(cfg.DBMaxConns))
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)

	if m == modeMigrate {
		if err := store.Migrate(ctx, pool, logger); err != nil {
			return err
		}
		logger.Info("database is up to date", "version", store.LatestVersion())
		return nil
	}

	bucket, err := storage.Open(ctx, cfg.storageConfig())
	if err != nil {
		return err
	}
	signer, err := cfg.signer()
	if err != nil {
		return err
	}

	// River: insert-only in api mode, working in serve and worker modes.
	// The workers bundle is filled after the client exists because the
	// video service needs the client and the workers need the service;
	// River reads the bundle only when jobs run.
	dbHealth := store.NewHealth(logger) // one WARN and one INFO per database outage
	riverCfg := &river.Config{Logger: riverLogger(logger, cfg.LogLevel, dbHealth)}
	workers := river.NewWorkers()
	var liveness *jobs.Liveness // this worker's lease, and the check of others'
	if m != modeAPI {
		liveness = jobs.NewLiveness(st, logger)
		riverCfg.ID = liveness.ClientID()
		riverCfg.Workers = workers
		riverCfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cfg.Workers},
			jobs.QueueMedia:    {MaxWorkers: cfg.MediaWorkers},
			jobs.QueueWebhooks: {MaxWorkers: cfg.WebhookWorkers},
		}
		riverCfg.PeriodicJobs = jobs.PeriodicJobs(cfg.AnalyticsRollupInterval)
		// A worker that dies leaves its jobs marked running; liveness
		// returns them within seconds. River's rescuer is the backstop:
		// it retries them once they are past both their own
		// Timeout and RescueStuckJobsAfter. JobTimeout only applies to
		// jobs without a Timeout of their own (none of clipcut's), and
		// River wants it no longer than the rescue delay.
		riverCfg.RescueStuckJobsAfter = cfg.JobRescueAfter
		riverCfg.JobTimeout = min(time.Minute, cfg.JobRescueAfter)
	}
	webhooks := cfg.webhookSettings()
	riverClient, err := river.NewClient(riverpgxv5.New(pool), riverCfg)
	if err != nil {
		return fmt.Errorf("create job client: %w", err)
	}
	videos := video.New(video.Config{Store: st, Media: bucket, Queue: jobs.NewQueue(riverClient),
		WebhookRetryWindow: webhooks.Settings.Window()})
	maxUpload, _ := ParseBytes(cfg.MaxUploadSize)
	quota, _ := ParseBytes(cfg.StorageQuota)
	uploads, err := upload.New(upload.Config{
		Dir:        cfg.UploadDir(),
		Limits:     store.Limits{MaxFileSize: maxUpload, StorageQuota: quota, DailyUploads: cfg.DailyUploads},
		Expiry:     cfg.UploadExpiry,
		TrustProxy: cfg.TrustProxy,
		Storage:    cfg.storageConfig(),
		OnFinished: videos.StartProcessing,
	}, st, videos, signer, logger)
	if err != nil {
		return err
	}
	if m != modeAPI {
		workDir, err := processWorkDir(cfg.WorkDir(), logger)
		if err != nil {
			return err
		}
		transcriber, why, err := media.SelectTranscriber(cfg.transcriberConfig())
		if err != nil {
			return err
		}
		logger.Info("subtitle engine: "+why, "engine", transcriber.Name())
		if err := transcriber.Check(ctx); err != nil {
			logger.Error("the subtitle engine cannot run; videos will get no subtitles until this is fixed", "engine", transcriber.Name(), "error", err)
		}
		defer os.RemoveAll(workDir)
		jobs.Register(workers, jobs.Deps{
			Store: st, Logger: logger, Videos: videos, Uploads: uploads, Media: bucket,
			UploadExpiry: cfg.UploadExpiry, WorkDir: workDir, Tools: cfg.mediaTools(), Transcriber: transcriber,
			TimeoutBase: cfg.JobTimeoutBase, AnalyticsRetention: cfg.AnalyticsRetention, Webhooks: webhooks.Settings,
			DBHealth: dbHealth,
		})
	}

	met := newMetrics()
	met.registry.MustRegister(newQueueCollector(st))
	ready := &readiness{store: st, media: bucket}

	// One notifier per process holds the LISTEN connection; the hub (API)
	// and the webhook listener (workers) subscribe to its topics.
	notifier := store.NewNotifier(pool, logger)
	notifier.Health = dbHealth
	var hub *store.Hub
	var ingester *analytics.Ingester
	var media http.Handler // GET /media/, instrumented
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) { mux.Handle(pattern, met.instrument(pattern, h)) }
	handle("GET /health", http.HandlerFunc(handleHealth))
	handle("GET /ready", ready)
	handle("GET /metrics", met.handler())

	var authSvc *auth.Service
	if m != modeWorker {
		authSvc, err = auth.NewService(st, logger, cfg.SessionTTL)
		if err != nil {
			return err
		}
		hub = store.NewHub(notifier, logger)
		ingester = analytics.NewIngester(st, logger, met.registry, cfg.analyticsIngest())
		limits := cfg.rateLimits()
		app := newSPA(frontend.Dist())
		links := &mediaLinks{signer: signer, base: cmp.Or(cfg.MediaBaseURL, cfg.PublicURL), privateTTL: cfg.PlaybackTTL}
		resolver := &graph.Resolver{Store: st, Auth: authSvc, Hub: hub, Uploads: uploads, Videos: videos,
			Logger: logger, PublicURL: cfg.PublicURL, Media: links, Limits: limits, Analytics: ingester,
			WebhookPolicy: webhooks.Policy}
		var gql http.Handler = graph.NewHandler(resolver, graph.Options{
			ComplexityLimit: cfg.ComplexityLimit, DepthLimit: cfg.DepthLimit,
			Limits: &cfg.GraphQLLimits, Timeout: cfg.GraphQLTimeout,
			KeepAlive: cfg.KeepAlive, Metrics: graph.NewMetrics(met.registry),
			GraphiQL: app.page("graphiql.html"),
		})
		gql = rateLimited(limits.GraphQL, nil, graphQLRefusal, limitBody(cfg.MaxBodyBytes, gql))
		handle("GET /graphql", gql)
		handle("POST /graphql", gql)
		handle("OPTIONS /graphql", gql)
		handle("GET /graphql/schema.graphql", http.HandlerFunc(graph.ServeSchema))
		tus := rateLimited(limits.Uploads, isPost, tusRefusal, uploads.Handler())
		for _, method := range []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"} {
			handle(method+" "+upload.BasePath, tus)
		}
		handle("POST /upload", rateLimited(limits.Uploads, nil, jsonRefusal, http.HandlerFunc(uploads.HandleMultipart)))
		handle("GET /api/v1/videos/{id}/status", auth.RequireScope(auth.ScopeVideosRead, videoStatus(st)))
		handle("POST /api/v1/analytics/events", analyticsEvents(ingester, cfg.TrustProxy, logger))

		mediaHandler, err := delivery.New(delivery.Config{
			Bucket: bucket, Signer: signer, S3Mode: cfg.MediaS3Mode, Logger: logger, Registerer: met.registry,
			Lookup: func(ctx context.Context, id uuid.UUID) (string, error) {
				privacy, err := st.VideoPrivacy(ctx, id)
				if errors.Is(err, store.ErrNotFound) {
					return "", delivery.ErrNoVideo
				}
				return privacy, err
			},
		})
		if err != nil {
			return err
		}
		media = met.instrument("GET "+delivery.BasePath, mediaHandler)
		mux.Handle("GET "+delivery.BasePath, media)
		handle("OPTIONS "+delivery.BasePath, mediaHandler)
		rest := &restVideos{store: st, media: bucket, links: links}
		handle("GET /videos/{id}", auth.RequireScope(auth.ScopeVideosRead, http.HandlerFunc(rest.metadata)))
		handle("GET /stream/{id}/{resolution}", auth.RequireScope(auth.ScopeVideosRead, http.HandlerFunc(rest.stream)))
		handle("GET /api/v1/videos/{id}/playlist.m3u8", auth.RequireScope(auth.ScopeVideosRead, http.HandlerFunc(rest.masterPlaylist)))
		handle("GET /", app)
	}

	var root http.Handler = mux
	if authSvc != nil {
		// Media is authorized by its URL alone, so /media/ skips
		// authentication: a browser's session cookie would otherwise cost
		// a session lookup for every segment.
		authed := authSvc.Middleware(auth.MiddlewareOptions{Cookies: cookieSecurity(cfg.CookieSecure), TrustProxy: cfg.TrustProxy})(mux)
		root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, delivery.BasePath) {
				if isMediaGet(r) {
					media.ServeHTTP(w, r)
					return
				}
				mux.ServeHTTP(w, r)
				return
			}
			authed.ServeHTTP(w, r)
		})
	}
	if m != modeWorker {
		origins, _ := parseOrigins(cfg.CORSOrigins)
		root = withCORS(origins, root)
	}
	// inFlight counts running handlers, so that shutdown can wait for
	// the ones whose connection it had to cut (a tus PATCH then saves the
	// bytes it received, and the client resumes from there elsewhere).
	var inFlight sync.WaitGroup
	root = withRequestID(withAccessLog(logger, withRecovery(logger, withSecurityHeaders(cfg.PublicURL, cfg.TrustProxy, root))))
	root = trackInFlight(&inFlight, root)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// Requests outlive the signal (shutdown lets them finish) but not the
	// shutdown: cancelling baseCtx ends websockets, which Shutdown does
	// not wait for.
	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
	if cfg.MediaFastPath && m != modeWorker {
		ln = delivery.NewFastListener(ln, root, delivery.FastConfig{
			BaseContext: baseCtx, IdleTimeout: srv.IdleTimeout, ReadHeaderTimeout: srv.ReadHeaderTimeout,
		})
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("clipcut is listening", "mode", string(m), "addr", ln.Addr().String())

	// Everything below needs the database. Keep trying until it answers,
	// saying so once; meanwhile /ready answers 503.
	var wg sync.WaitGroup
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	riverStarted := false
	startupErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		startupErr <- bringUp(bgCtx, logger, func(ctx context.Context) error {
			if err := st.Ping(ctx); err != nil {
				return fmt.Errorf("database unreachable: %w", err)
			}
			return store.Migrate(ctx, pool, logger)
		})
	}()
	// Background services start in order and stop in reverse order: the
	// ones that work while the database is still coming up now (the
	// notifier retries until it answers), the job workers' once it has.
	bg := &services{logger: logger}
	defer bg.stop()
	early := []namedService{{"notifier", notifier}}
	if hub != nil {
		early = append(early, namedService{"video hub", hub}, namedService{"analytics ingester", loop(ingester.Run)})
	}
	if err := bg.start(bgCtx, early...); err != nil {
		return err
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case err := <-startupErr:
		if err != nil {
			break // cancelled during start-up
		}
		if m != modeAPI {
			if err := liveness.Start(bgCtx); err != nil {
				return fmt.Errorf("start worker lease: %w", err)
			}
			defer liveness.Stop() // after River has stopped
			if err := riverClient.Start(bgCtx); err != nil {
				return fmt.Errorf("start job workers: %w", err)
			}
			riverStarted = true
			err := bg.start(bgCtx,
				namedService{"job metrics", loop(func(ctx context.Context) { met.observeJobs(ctx, riverClient) })},
				namedService{"webhook listener", loop(func(ctx context.Context) {
					jobs.ListenForWebhookEvents(ctx, notifier, riverClient, logger)
				})})
			if err != nil {
				return err
			}
		}
		ready.started.Store(true)
		logger.Info("clipcut is ready", "mode", string(m))
		select {
		case err := <-serveErr:
			return fmt.Errorf("http server: %w", err)
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}

	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	ready.started.Store(false)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var stopping sync.WaitGroup
	if riverStarted {
		// At the same time as HTTP: stop fetching, let running jobs
		// finish until the deadline, then cancel them; River records the
		// attempt and retries them, on another worker if this one is gone.
		stopping.Add(1)
		go func() {
			defer stopping.Done()
			if err := riverClient.Stop(shutdownCtx); err != nil {
				logger.Warn("jobs did not finish in time; cancelling them for retry elsewhere", "error", err)
				cancelCtx, cancelWait := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
				defer cancelWait()
				if err := riverClient.StopAndCancel(cancelCtx); err != nil {
					logger.Error("cancelled jobs did not return in time; River's rescuer will retry them", "error", err)
				}
			}
		}()
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("HTTP shutdown cut short: closing the remaining connections", "error", err)
		_ = srv.Close()
	}
	cancelBase()
	waitTimeout(&inFlight, releaseTimeout)
	stopping.Wait()
	bg.stop()
	stopBackground()
	wg.Wait()
	logger.Info("clipcut stopped")
	return nil
}

// releaseTimeout bounds the wait, after the shutdown deadline, for cut-off
// requests and cancelled jobs to save their state (tusd allows an
// interrupted PATCH 10 seconds to store what it received).
const releaseTimeout = 15 * time.Second

// waitTimeout waits for wg, at most d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// bringUp runs step until it succeeds or ctx ends, with capped backoff. It
// logs the first failure and any change of reason, not every retry.
func bringUp(ctx context.Context, logger *slog.Logger, step func(context.Context) error) error {
	backoff := store.Backoff{Min: 250 * time.Millisecond, Max: 10 * time.Second}
	lastErr := ""
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, time.Minute)
		err := step(attemptCtx)
		cancel()
		if err == nil {
			if lastErr != "" {
				logger.Info("database is reachable again")
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if msg := err.Error(); msg != lastErr {
			logger.Error("cannot start yet; retrying until it works (/ready answers 503 meanwhile)", "error", err)
			lastErr = msg
		}
		if err := backoff.Wait(ctx); err != nil {
			return err
		}
	}
}

func cookieSecurity(s string) auth.CookieSecurity {
	switch s {
	case "always":
		return auth.CookieSecureAlways
	case "never":
		return auth.CookieSecureNever
	}
	return auth.CookieSecureAuto
}

// riverLogger quiets River's periodic progress lines unless debugging.
// While the database is away, each of River's services logs an error at
// every poll: those go to health (one WARN for the process), and any
// other message River repeats is passed once a minute.
func riverLogger(logger *slog.Logger, level string, health *store.Health) *slog.Logger {
	if level == "debug" {
		return logger.With("component", "river")
	}
	var h slog.Handler = newRepeatLimiter(minLevel{Handler: logger.Handler(), min: slog.LevelWarn}, time.Minute)
	if health != nil {
		h = dbOutageFilter{Handler: h, health: health}
	}
	return slog.New(h).With("component", "river")
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}

// processWorkDir makes this process's own scratch directory under root, so
// workers sharing a data directory never touch each other's files, and
// removes directories left by processes that were killed (untouched for
// two days, longer than any job may run).
func processWorkDir(root string, logger *slog.Logger) (string, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("create work dir: %w", err)
	}
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			info, err := e.Info()
			if err == nil && time.Since(info.ModTime()) > 48*time.Hour {
				logger.Info("removing scratch files of a stopped process", "dir", e.Name())
				_ = os.RemoveAll(filepath.Join(root, e.Name()))
			}
		}
	}
	host, _ := os.Hostname()
	dir, err := os.MkdirTemp(root, fmt.Sprintf("%s-%d-", host, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("create work dir: %w", err)
	}
	return dir, nil
}

// isMediaGet reports whether the mux would route r to GET /media/ with no
// redirect: a GET or HEAD whose escaped path is under /media/ and clean.
// Players send nothing else, and their requests then skip the mux's
// pattern matching, which cost more than the media handler's own routing.
func isMediaGet(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.EscapedPath() // what the mux matches and cleans
	return strings.HasPrefix(p, delivery.BasePath) && isCleanPath(p)
}

// isCleanPath reports whether the mux leaves path p, which starts with a
// slash, as it is: path.Clean would not change it, a trailing slash
// aside. That is no empty, "." or ".." segment before the last one, and
// no "." or ".." as the last one.
func isCleanPath(p string) bool {
	for rest := p[1:]; ; {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "." || seg == ".." || seg == "" && more {
			return false
		}
		if !more {
			return true
		}
		rest = after
	}
}
