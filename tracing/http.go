package tracing

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
)

// HTTP wraps next so that every request but probes and scrapes (/health,
// /ready, /metrics) and websocket upgrades runs in a server span, a child
// of the caller's span when the request carries W3C trace context. A
// websocket lives for hours, and a span is held in memory until it ends:
// its subscriptions' operations are spans of their own (GraphQL). Call it
// only when Enabled.
//
// Span names are the method and the path's first segment ("POST
// /graphql", "PATCH /files"): the full path, which holds ids, is an
// attribute, so names stay few.
func HTTP(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // metrics stay on Prometheus
		otelhttp.WithFilter(func(r *http.Request) bool {
			switch r.URL.Path {
			case "/health", "/ready", "/metrics":
				return false
			}
			return !strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		}),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return r.Method + " " + firstSegment(r.URL.Path)
		}),
	)
}

// firstSegment is "/graphql" for "/graphql" and "/files" for
// "/files/abc/def".
func firstSegment(p string) string {
	if i := strings.IndexByte(strings.TrimPrefix(p, "/"), '/'); i >= 0 {
		return p[:i+1]
	}
	return p
}
