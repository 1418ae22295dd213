package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/clipcut/clipcut/store"
)

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// contextHandler adds the request id and, when a span is active (tracing
// is on and the work is traced), the trace and span ids found in the
// context to every record, so code logging with ...Context variants needs
// not know about requests, and a log line leads to its trace.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// repeatLimiter passes a record whose level and message it has not passed
// within the last window, and drops the rest; the next one passed after
// drops says how many (suppressed_repeats). Background loops that fail at
// every poll while a dependency is away then write a line a minute, not
// one a second, and the first failure is still logged at once.
type repeatLimiter struct {
	slog.Handler
	window time.Duration
	state  *repeatState // shared by the handlers WithAttrs and WithGroup derive
}

type repeatState struct {
	mu   sync.Mutex
	seen map[string]*repeatSeen
}

type repeatSeen struct {
	at         time.Time
	suppressed int
}

func newRepeatLimiter(h slog.Handler, window time.Duration) repeatLimiter {
	return repeatLimiter{Handler: h, window: window, state: &repeatState{seen: map[string]*repeatSeen{}}}
}

func (h repeatLimiter) Handle(ctx context.Context, r slog.Record) error {
	key := r.Level.String() + " " + r.Message
	h.state.mu.Lock()
	s := h.state.seen[key]
	if s != nil && r.Time.Sub(s.at) < h.window {
		s.suppressed++
		h.state.mu.Unlock()
		return nil
	}
	suppressed := 0
	if s != nil {
		suppressed = s.suppressed
	}
	h.state.seen[key] = &repeatSeen{at: r.Time}
	h.state.mu.Unlock()
	if suppressed > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed_repeats", suppressed))
	}
	return h.Handler.Handle(ctx, r)
}

func (h repeatLimiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return repeatLimiter{Handler: h.Handler.WithAttrs(attrs), window: h.window, state: h.state}
}

func (h repeatLimiter) WithGroup(name string) slog.Handler {
	return repeatLimiter{Handler: h.Handler.WithGroup(name), window: h.window, state: h.state}
}

// dbOutageFilter hands records that report an unreachable database (an
// error attribute store.Unreachable accepts) to the process's
// store.Health, which logs one WARN per outage, instead of passing each
// on. River's services each log such an error while PostgreSQL is away.
type dbOutageFilter struct {
	slog.Handler
	health *store.Health
}

func (h dbOutageFilter) Handle(ctx context.Context, r slog.Record) error {
	var unreachable error
	r.Attrs(func(a slog.Attr) bool {
		switch v := a.Value.Resolve().Any().(type) {
		case error:
			if store.Unreachable(v) {
				unreachable = v
			}
		case string:
			// River logs most errors as text (err.Error()).
			if (a.Key == "err" || a.Key == "error") && unreachableText(v) {
				unreachable = errors.New(v)
			}
		}
		return unreachable == nil
	})
	if unreachable != nil {
		h.health.Lost(ctx, unreachable)
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// unreachableText recognises the text of pgx errors that store.Unreachable
// accepts: no connection, a broken one, a server shutting down or
// starting.
func unreachableText(s string) bool {
	for _, sign := range []string{"failed to connect to", "dial error", "connection refused", "conn closed",
		"unexpected EOF", "SQLSTATE 57P01", "SQLSTATE 57P02", "SQLSTATE 57P03", "SQLSTATE 08"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

func (h dbOutageFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return dbOutageFilter{Handler: h.Handler.WithAttrs(attrs), health: h.health}
}

func (h dbOutageFilter) WithGroup(name string) slog.Handler {
	return dbOutageFilter{Handler: h.Handler.WithGroup(name), health: h.health}
}

// riverLogger quiets River's (and River UI's: component "riverui")
// periodic progress lines unless debugging. While the database is away,
// each of River's services logs an error at every poll: those go to health
// (one WARN for the process), and any other message River repeats is
// passed once a minute.
func riverLogger(logger *slog.Logger, level string, health *store.Health, component string) *slog.Logger {
	if level == "debug" {
		return logger.With("component", component)
	}
	var h slog.Handler = newRepeatLimiter(minLevel{Handler: logger.Handler(), min: slog.LevelWarn}, time.Minute)
	if health != nil {
		h = dbOutageFilter{Handler: h, health: health}
	}
	return slog.New(h).With("component", component)
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
