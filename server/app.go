package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/delivery/fastpath"
	"github.com/clipcut/clipcut/store"
)

// run starts clipcut in mode m and blocks until ctx is cancelled (SIGINT or
// SIGTERM) and everything has shut down in order: HTTP and jobs, then the
// background services, then the database.
func run(ctx context.Context, m mode, cfg *Config, logger *slog.Logger) error {
	a, err := newApp(ctx, m, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()
	if m == modeMigrate {
		if err := store.Migrate(ctx, a.pool, logger); err != nil {
			return err
		}
		logger.Info("database is up to date", "version", store.LatestVersion())
		return nil
	}
	return a.serve(ctx)
}

// serve listens at once (so /health answers while the database comes up),
// starts the background services, waits for the signal and shuts down.
func (a *app) serve(ctx context.Context) error {
	var inFlight sync.WaitGroup
	// Requests outlive the signal (shutdown lets them finish) but not the
	// shutdown: cancelling baseCtx ends websockets, which Shutdown does
	// not wait for.
	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv, ln, err := a.listen(baseCtx, a.routes(&inFlight))
	if err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.logger.Info("clipcut is listening", "mode", string(a.mode), "addr", ln.Addr().String())

	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	bg := &services{logger: a.logger}
	defer bg.stop()
	early, afterDatabase := a.backgroundServices()
	if err := bg.start(bgCtx, early...); err != nil {
		return err
	}
	// Everything else needs the database. Keep trying until it answers,
	// saying so once; meanwhile /ready answers 503.
	startupErr := make(chan error, 1)
	startupDone := make(chan struct{})
	go func() {
		defer close(startupDone)
		startupErr <- bringUp(bgCtx, a.logger, a.migrate)
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	case err := <-startupErr:
		if err != nil {
			break // cancelled during start-up
		}
		if err := bg.start(bgCtx, afterDatabase...); err != nil {
			return err
		}
		a.ready.started.Store(true)
		a.logger.Info("clipcut is ready", "mode", string(a.mode))
		select {
		case err := <-serveErr:
			return fmt.Errorf("http server: %w", err)
		case <-ctx.Done():
		}
	}
	a.shutdown(ctx, srv, cancelBase, &inFlight, bg)
	stopBackground()
	<-startupDone // bringUp returns once bgCtx ends
	a.logger.Info("clipcut stopped")
	return nil
}

// migrate checks the database answers and applies pending migrations.
func (a *app) migrate(ctx context.Context) error {
	if err := a.store.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return store.Migrate(ctx, a.pool, a.logger)
}

// listen opens the HTTP listener, behind the media fast path unless it is
// off or this is a worker.
func (a *app) listen(baseCtx context.Context, handler http.Handler) (*http.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
	if a.cfg.MediaFastPath && a.mode != modeWorker {
		ln = fastpath.NewListener(ln, handler, fastpath.Config{
			BaseContext: baseCtx, IdleTimeout: srv.IdleTimeout, ReadHeaderTimeout: srv.ReadHeaderTimeout,
		})
	}
	return srv, ln, nil
}

// shutdown stops HTTP and the job workers at the same time, within the
// shutdown timeout, then every background service in reverse order.
func (a *app) shutdown(ctx context.Context, srv *http.Server, cancelBase context.CancelFunc, inFlight *sync.WaitGroup, bg *services) {
	a.logger.Info("shutting down", "timeout", a.cfg.ShutdownTimeout)
	a.ready.started.Store(false)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		bg.drain(shutdownCtx)
	}()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		a.logger.Warn("HTTP shutdown cut short: closing the remaining connections", "error", err)
		_ = srv.Close()
	}
	cancelBase()
	waitTimeout(inFlight, releaseTimeout)
	<-drained
	bg.stop()
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
