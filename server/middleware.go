package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/httpmeter"
	"github.com/clipcut/clipcut/tracing"
)

type requestIDKey struct{}

func requestIDFrom(ctx context.Context) string {
	if c, ok := ctx.(*requestIDContext); ok { // withRequestID's, found without a walk
		return c.id[0]
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDContext carries a request's id. It is one allocation where
// context.WithValue and the header's value slice were two.
type requestIDContext struct {
	context.Context
	id [1]string // also the X-Request-Id header's value
}

func (c *requestIDContext) Value(key any) any {
	if key == (requestIDKey{}) {
		return c.id[0]
	}
	return c.Context.Value(key)
}

// requestIDs makes request ids: 64-bit values unique within the process
// (an odd multiplier makes the counter's sequence a permutation) from a
// random start, so that two processes' ids do not collide either. A
// media request costs no system call for its id.
var requestIDs = struct {
	start uint64
	n     atomic.Uint64
}{start: randomUint64()}

func randomUint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

func newRequestID() string {
	v := requestIDs.start + requestIDs.n.Add(1)*0x9e3779b97f4a7c15
	var raw [8]byte
	var b [16]byte
	binary.BigEndian.PutUint64(raw[:], v)
	hex.Encode(b[:], raw[:])
	return string(b[:])
}

// withRequestID tags each request with an id: the caller's X-Request-Id when
// it is sane (so ids follow a request through proxies), otherwise a new one.
// The id is echoed in the response. With tracing on, the request also runs
// in a span (withTracing) opened around the id, so the access log and all
// below see both; log lines carry both ids, so the span does not repeat
// the request id (an attribute set after the span starts grows its
// attribute slice: a fifth of the span's cost).
func withRequestID(next http.Handler) http.Handler {
	return withTracing(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := &requestIDContext{Context: r.Context()}
		ctx.id[0] = r.Header.Get("X-Request-Id")
		if !saneRequestID(ctx.id[0]) {
			ctx.id[0] = newRequestID()
		}
		// The slice is the context's: this layer sets it and no one
		// writes into a header's value slice.
		w.Header()["X-Request-Id"] = ctx.id[:]
		next.ServeHTTP(w, r.WithContext(ctx))
	}))
}

// withTracing runs each request in a server span (tracing.HTTP) when
// tracing is on; when it is off it returns next itself, so requests pay
// nothing for it.
func withTracing(next http.Handler) http.Handler {
	if !tracing.Enabled() {
		return next
	}
	return tracing.HTTP(next)
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// withAccessLog logs one line per request. Probes, scrapes and media
// answered without error log at debug, so they do not drown the rest: a
// viewer fetches a segment every few seconds, and formatting and writing
// that line cost as much as serving the segment (measured in the delivery
// benchmark). Media errors still log at info; /metrics counts everything.
func withAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &httpmeter.Writer{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		switch p := r.URL.Path; {
		case p == "/health" || p == "/ready" || p == "/metrics":
			level = slog.LevelDebug
		case sw.Status < 400 && strings.HasPrefix(p, delivery.BasePath):
			level = slog.LevelDebug
		}
		if !logger.Enabled(r.Context(), level) {
			return
		}
		logger.Log(r.Context(), level, "http request",
			"method", r.Method, "path", r.URL.Path, "status", sw.Status, "bytes", sw.Bytes,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

// withRecovery turns a panic into a 500 that says nothing about its cause;
// the panic and stack go to the log with the request id.
func withRecovery(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logger.ErrorContext(r.Context(), "panic serving request", "panic", p, "stack", string(debug.Stack()))
			writeJSON(w, http.StatusInternalServerError, map[string]string{
				"error": "internal server error", "request_id": requestIDFrom(r.Context()),
			})
		}()
		next.ServeHTTP(w, r)
	})
}

// withSecurityHeaders sets the headers every response should carry:
// no MIME sniffing, no full URLs in Referer, no framing (the web app and
// GraphiQL set a fuller Content-Security-Policy of their own), and HSTS
// when clients reach clipcut over HTTPS.
func withSecurityHeaders(publicURL string, trustProxy bool, next http.Handler) http.Handler {
	httpsPublic := strings.HasPrefix(strings.ToLower(publicURL), "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The value slices are shared by every response (Header.Set would
		// allocate five per request); net/http only reads them, and
		// Header.Set and Add replace or reallocate rather than write into
		// them.
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = referrerPolicy
		h["X-Frame-Options"] = frameDeny
		h["Content-Security-Policy"] = frameAncestorsNone
		if httpsPublic || r.TLS != nil || trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

var (
	nosniff            = []string{"nosniff"}
	referrerPolicy     = []string{"strict-origin-when-cross-origin"}
	frameDeny          = []string{"DENY"}
	frameAncestorsNone = []string{"frame-ancestors 'none'"}
	hsts               = []string{"max-age=31536000"}
)

// trackInFlight counts running handlers in wg.
func trackInFlight(wg *sync.WaitGroup, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; a larger body fails to decode instead of
// filling memory.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
				"errors": []map[string]any{{"message": "The request body is too large.",
					"extensions": map[string]any{"code": "BAD_USER_INPUT", "limit": n}}},
			})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}
