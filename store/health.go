package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Health tells the log when the database goes away and when it is back:
// one WARN at the first failure that says the database is unreachable and
// one INFO at the first success after it, however many queries failed in
// between. One Health serves a whole process, so its components (the
// jobs' progress writes, the notifier's reconnects) share the two lines.
// A nil *Health logs nothing.
type Health struct {
	logger *slog.Logger

	mu        sync.Mutex
	down      bool
	downSince time.Time
	dropped   int // failures seen while down, reported with the INFO line
}

// NewHealth returns a reporter that logs to logger.
func NewHealth(logger *slog.Logger) *Health {
	return &Health{logger: logger}
}

// Failed records the outcome of a failed database call and reports
// whether err says the database is unreachable (then the caller drops or
// retries the call; anything else is its own error). The first such
// failure of an outage logs one WARN.
func (h *Health) Failed(ctx context.Context, err error) bool {
	if !Unreachable(err) {
		return false
	}
	h.Lost(ctx, err)
	return true
}

// Lost records a failure the caller knows came from an unreachable
// database (for example from a library that logs errors as text); the
// first of an outage logs one WARN.
func (h *Health) Lost(ctx context.Context, err error) {
	if h == nil {
		return
	}
	h.mu.Lock()
	first := !h.down
	if first {
		h.down, h.downSince, h.dropped = true, time.Now(), 0
	}
	h.dropped++
	h.mu.Unlock()
	if first {
		h.logger.WarnContext(ctx, "lost the database connection; running work goes on and database writes are retried or dropped until it is back",
			"error", err)
	}
}

// OK records a database call that succeeded; the first after an outage
// logs one INFO.
func (h *Health) OK(ctx context.Context) {
	if h == nil {
		return
	}
	h.mu.Lock()
	if !h.down {
		h.mu.Unlock()
		return
	}
	h.down = false
	downFor, failed := time.Since(h.downSince), h.dropped
	h.mu.Unlock()
	h.logger.InfoContext(ctx, "database connection is back", "down_for", downFor.Round(100*time.Millisecond), "failed_calls", failed)
}

// Down reports whether the last call seen failed because the database was
// unreachable.
func (h *Health) Down() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

// Unreachable reports whether err comes from not reaching PostgreSQL (no
// connection, a connection that broke, a server shutting down or starting
// up) rather than from the query itself: such a call may succeed later
// unchanged.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" // connection_exception
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// Retry calls fn until it succeeds, fails for another reason than an
// unreachable database, ctx ends, or within has passed since the first
// call, sleeping with b between calls; it returns fn's last error. Use it
// for a step that must not be lost to a database restart, such as the
// transaction that ends a job: its work is done and only its record is
// missing.
func (h *Health) Retry(ctx context.Context, within time.Duration, b Backoff, fn func(context.Context) error) error {
	deadline := time.Now().Add(within)
	for {
		err := fn(ctx)
		if err == nil {
			h.OK(ctx)
			return nil
		}
		if ctx.Err() != nil || !h.Failed(ctx, err) || time.Now().Add(b.Delay()).After(deadline) {
			return err
		}
		if b.Wait(ctx) != nil {
			return err
		}
	}
}
