package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// BenchmarkRequestSpans is what tracing costs a video(id) request: its
// HTTP span, which the GraphQL operation names, and its query's span,
// carrying SQL as long as the store's (860 bytes), exported over
// OTLP/HTTP to a receiver that discards them. cpu-ns/op is the process's
// CPU time per request, the exporter's (another goroutine) and the
// receiver's included, with the queue flushed every 256 requests (a
// batch of 512 spans). processor=sdk hands the spans to the
// OpenTelemetry SDK's BatchSpanProcessor instead of the batcher Setup
// installs, to show why it does not.
func BenchmarkRequestSpans(b *testing.B) {
	for _, p := range []struct {
		name string
		new  func(sdktrace.SpanExporter) sdktrace.SpanProcessor
	}{
		{"processor=clipcut", func(e sdktrace.SpanExporter) sdktrace.SpanProcessor {
			o, err := readBatchOptions(func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			return newBatcher(e, o, func(err error) { b.Error(err) })
		}},
		{"processor=sdk", func(e sdktrace.SpanExporter) sdktrace.SpanProcessor { return sdktrace.NewBatchSpanProcessor(e) }},
	} {
		b.Run(p.name, func(b *testing.B) { benchmarkRequestSpans(b, p.new) })
	}
}

func benchmarkRequestSpans(b *testing.B, processor func(sdktrace.SpanExporter) sdktrace.SpanProcessor) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer sink.Close()
	exp, err := newExporter(func(k string) string {
		if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
			return sink.URL
		}
		return ""
	})
	if err != nil {
		b.Fatal(err)
	}
	res, err := resource.New(context.Background(), resource.WithAttributes(attribute.String("service.name", "clipcut-bench")),
		resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(processor(exp)), sdktrace.WithResource(res))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	enabled.Store(true)
	defer func() {
		enabled.Store(false)
		otel.SetTracerProvider(prev)
	}()
	var qt QueryTracer
	sql := "SELECT v.*, o.email, o.name, o.role, o.disabled_at, o.created_at FROM (SELECT id, owner_id, title, description, status, privacy, playable, stage, " +
		"percent, error, duration_seconds, width, height, created_at, updated_at, version, filename, upload_id, upload_size, upload_expires_at, " +
		"renditions, poster_key, storyboard_key, downloads, subtitles_status, subtitles_note, view_count, chapters, taken_down_at, takedown_reason, " +
		"embed_origins, passthrough, upload_offset, (status = 'FAILED' AND uploaded_at IS NOT NULL AND NOT error_permanent), preview_key, public_id " +
		"FROM videos WHERE id = $1 AND taken_down_at IS NULL AND (privacy <> 'PRIVATE' OR owner_id = $2 OR $3::boolean) " +
		"AND (status = 'READY' OR owner_id = $2 OR $3::boolean)) v JOIN users o ON o.id = v.owner_id"
	sql += strings.Repeat(" ", max(0, 860-len(sql)))
	oc := &graphql.OperationContext{OperationName: "Video", Operation: &ast.OperationDefinition{Operation: ast.Query, Name: "Video"}}
	h := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := graphql.WithOperationContext(r.Context(), oc)
		resp := GraphQL{}.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
			return func(ctx context.Context) *graphql.Response {
				qctx := qt.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql})
				qt.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{})
				return &graphql.Response{}
			}
		})
		resp(ctx)
		w.WriteHeader(http.StatusOK)
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	before := cpuTime()
	n := 0
	for b.Loop() {
		h.ServeHTTP(w, req)
		// A batch's worth of requests is flushed: a loop this tight ends
		// spans faster than they are exported and would otherwise measure
		// how cheaply the queue drops them.
		if n++; n%256 == 0 {
			if err := tp.ForceFlush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Flush what is queued, so its export counts.
	if err := tp.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpuTime()-before)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far, in
// nanoseconds: a request's and the exporter's together.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
