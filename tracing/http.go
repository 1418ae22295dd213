package tracing

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// HTTP wraps next so that every request but probes and scrapes (/health,
// /ready, /metrics) and websocket upgrades runs in a server span, a child
// of the caller's span when the request carries W3C trace context. A
// websocket lives for hours, and a span is held in memory until it ends:
// its subscriptions' operations are spans of their own (GraphQL). Call it
// only when Enabled.
//
// Span names are the method and the path's first segment ("POST
// /graphql", "PATCH /uploads"), which is also the span's http.route: the
// full path, which holds ids, is the url.path attribute, so names stay
// few (a GraphQL request's span is renamed for its operation: GraphQL).
// The span carries only the method, path, route and response status
// (semantic conventions' required attributes for a server span, less the
// address and scheme, which are the same on every request to a process):
// this middleware is hand-written instead of otelhttp's because otelhttp
// costs a request three times as much (a dozen attributes, a wrapped
// body and writer, metrics), which put tracing over its 5% budget.
func HTTP(next http.Handler) http.Handler {
	var prop propagation.TraceContext
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !traced(r) {
			next.ServeHTTP(w, r)
			return
		}
		route := firstSegment(r.URL.Path)
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer().Start(ctx, spanName(r.Method, route), trace.WithSpanKind(trace.SpanKindServer))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// A handler that panics is answered 500 by the recovery
			// middleware inside this one; the span says so too.
			status := sw.status
			if p := recover(); p != nil {
				status = http.StatusInternalServerError
				defer panic(p)
			}
			if status == 0 {
				status = http.StatusOK
			}
			// All four at once, at the end: the span's attribute slice is
			// then allocated once at its size, where attributes given at
			// the start and the status added later cost a second,
			// larger slice and a copy. No sampler the environment can
			// name (OTEL_TRACES_SAMPLER) reads attributes at the start.
			span.SetAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("url.path", r.URL.Path),
				attribute.String("http.route", route),
				attribute.Int("http.response.status_code", status),
			)
			if status >= 500 {
				span.SetStatus(codes.Error, "")
			}
			span.End()
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// spanName is method+" "+route, without building the string for
// GraphQL's (most requests).
func spanName(method, route string) string {
	if method == http.MethodPost && route == "/graphql" {
		return "POST /graphql"
	}
	return method + " " + route
}

// traced is whether a request gets a span: not probes, scrapes or
// websockets.
func traced(r *http.Request) bool {
	switch r.URL.Path {
	case "/health", "/ready", "/metrics":
		return false
	}
	return !strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// statusWriter remembers the response's status for the span. It flushes
// and hijacks through to the writer it wraps, and unwraps to it for
// http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack: the response writer cannot be hijacked")
}

// Unwrap is the wrapped writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// firstSegment is "/graphql" for "/graphql" and "/files" for
// "/files/abc/def".
func firstSegment(p string) string {
	if i := strings.IndexByte(strings.TrimPrefix(p, "/"), '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}
