package tracing

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2/ast"
)

// BenchmarkRequestSpans is what tracing costs a video(id) request: its
// HTTP span, which the GraphQL operation names, and its query's span,
// carrying SQL as long as the store's (860 bytes), exported over
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
