package tracing

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// QueryTracer is a pgx tracer that runs each query, batch and COPY in a
// client span named for its statement ("SELECT", "INSERT"), carrying the
// SQL text (never the arguments). It traces only work that is already in
// a trace (a request, a job): River's polling and the notifier, which
// run outside any, would otherwise start a trace a second. Install it
// on a pool's ConnConfig.Tracer only when Enabled.
type QueryTracer struct{}

var (
	_ pgx.QueryTracer    = QueryTracer{}
	_ pgx.BatchTracer    = QueryTracer{}
	_ pgx.CopyFromTracer = QueryTracer{}
)

// maxSQL bounds the SQL text a span carries.
const maxSQL = 2048

// Quiet returns ctx such that the queries made with it make no spans: for
// the store's look-ups of a request's credentials, which run on most
// requests (the session cache misses once per session and replica), say
// nothing a trace reader asks about, and would cost a span each. With
// tracing off it returns ctx itself, so it costs nothing.
//
// The context's span becomes a non-recording one with the same trace
// and span ids, so log lines keep them; startDB starts spans only under
// a recording span, so it needs no look-up of a mark of its own, which
// would walk the whole context chain (a dozen layers under gqlgen) on
// every query.
func Quiet(ctx context.Context) context.Context {
	if !Enabled() || !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	return trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(ctx))
}

// startDB starts a query's span, if the query is part of recorded work
// and not Quiet. The span carries the SQL text only: the system
// (PostgreSQL) is the same for every query of the process and the
// returned row count is rarely what a reader of a trace asks about; each
// attribute costs a request's span an allocation and its export.
func startDB(ctx context.Context, name, sql string) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	if len(sql) > maxSQL {
		sql = sql[:maxSQL]
	}
	ctx, _ = tracer().Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.query.text", sql),
	))
	return ctx
}

// endDB ends the span startDB started, if it did: otherwise the
// context's span is not recording (a quiet query's, or none).
func endDB(ctx context.Context, err error, _ int64) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// TraceQueryStart starts a query's span.
func (QueryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return startDB(ctx, statement(data.SQL), data.SQL)
}

// TraceQueryEnd ends it.
func (QueryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	endDB(ctx, data.Err, data.CommandTag.RowsAffected())
}

// TraceBatchStart starts a batch's span.
func (QueryTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	sql := ""
	if data.Batch != nil && len(data.Batch.QueuedQueries) > 0 {
		sql = data.Batch.QueuedQueries[0].SQL
	}
	return startDB(ctx, "BATCH", sql)
}

// TraceBatchQuery records nothing: the batch is one span.
func (QueryTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd ends a batch's span.
func (QueryTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	endDB(ctx, data.Err, -1)
}

// TraceCopyFromStart starts a COPY's span.
func (QueryTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	return startDB(ctx, "COPY", "COPY "+data.TableName.Sanitize())
}

// TraceCopyFromEnd ends it.
func (QueryTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	endDB(ctx, data.Err, data.CommandTag.RowsAffected())
}

// statement names a statement's span: the query name sqlc-generated SQL
// (River's) starts with ("-- name: JobGetAvailable :many"), otherwise the
// first keyword, upper-cased ("SELECT"); either says what ran without the
// cardinality of the text.
func statement(sql string) string {
	for {
		sql = strings.TrimLeft(sql, " \t\r\n(")
		if !strings.HasPrefix(sql, "--") {
			break
		}
		line, rest, _ := strings.Cut(sql, "\n")
		if name, ok := strings.CutPrefix(line, "-- name: "); ok {
			if name, _, _ = strings.Cut(name, " "); name != "" {
				return name
			}
		}
		sql = rest
	}
	end := strings.IndexAny(sql, " \t\r\n(;")
	if end < 0 {
		end = len(sql)
	}
	if end == 0 || end > 16 {
		return "SQL"
	}
	return strings.ToUpper(sql[:end])
}
