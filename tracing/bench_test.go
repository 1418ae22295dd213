package tracing

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkRequestSpans is what tracing costs a video(id) request: its
// HTTP span, its operation's span and one query's span, exported over
// OTLP/HTTP to a receiver that discards them. cpu-ns/op is the process's
// CPU time per request, the exporter's (another goroutine) and the
// receiver's included.
func BenchmarkRequestSpans(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer sink.Close()
	clearEnv(b)
	b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.URL)
	shutdown, err := Setup(context.Background(), "clipcut-bench", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer shutdown(context.Background())
	var qt QueryTracer
	sql := "SELECT v.id, v.owner_id, v.title, v.description, v.status FROM videos v WHERE v.id = $1 AND (v.privacy <> 'PRIVATE' OR v.owner_id = $2)"
	h := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, op := tracer().Start(r.Context(), "query Video")
		qctx := qt.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql})
		qt.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{})
		op.End()
		w.WriteHeader(http.StatusOK)
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	before := cpuTime()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	// Flush what is queued, so its export counts.
	_ = shutdown(context.Background())
	b.ReportMetric(float64(cpuTime()-before)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far, in
// nanoseconds: a request's and the exporter's together.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
