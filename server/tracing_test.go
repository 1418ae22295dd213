package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/clipcut/clipcut/tracing"
)

var otelEnv = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SERVICE_NAME"}

func clearOtelEnv(t testing.TB) {
	for _, k := range otelEnv {
		t.Setenv(k, "")
	}
}

// With no OTEL_* endpoint tracing is off: the request chain is exactly
// the handlers it was without tracing, and log lines carry no trace ids.
// A line logged inside a span carries its trace and span ids.
func TestTracingOffByDefaultAndLogLinesCarryTraceIDsInSpans(t *testing.T) {
	clearOtelEnv(t)
	var logs bytes.Buffer
	logger := newLogger(&logs, "info", "json")
	shutdown, err := tracing.Setup(context.Background(), "clipcut-test", logger)
	require.NoError(t, err)
	defer shutdown(context.Background())
	require.False(t, tracing.Enabled())

	inner := &okHandler{}
	require.True(t, withTracing(inner) == http.Handler(inner), "with tracing off the handler is not wrapped")
	h := withRequestID(withAccessLog(logger, inner))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/graphql", nil))
	require.Contains(t, logs.String(), `"request_id":`)
	require.NotContains(t, logs.String(), "trace_id")

	logs.Reset()
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("test").Start(context.Background(), "work")
	logger.InfoContext(ctx, "inside a span")
	span.End()
	require.Contains(t, logs.String(), `"trace_id":"`+span.SpanContext().TraceID().String()+`"`)
	require.Contains(t, logs.String(), `"span_id":"`+span.SpanContext().SpanID().String()+`"`)
}

type okHandler struct{}

func (*okHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

// BenchmarkRequestTracing measures what tracing costs one request through
// the outer middleware (request id, access log, recovery): off, and on
// with every request sampled and exported over OTLP/HTTP to a receiver
// that discards. Run with -benchmem: the off row must match a build
// without tracing.
func BenchmarkRequestTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			clearOtelEnv(b)
			if on {
				sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
				}))
				defer sink.Close()
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.URL)
			}
			logger := slog.New(contextHandler{slog.NewJSONHandler(io.Discard, nil)})
			shutdown, err := tracing.Setup(context.Background(), "clipcut-bench", logger)
			require.NoError(b, err)
			defer shutdown(context.Background())
			require.Equal(b, on, tracing.Enabled())
			h := withRequestID(withAccessLog(logger, withRecovery(logger, &okHandler{})))
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}
