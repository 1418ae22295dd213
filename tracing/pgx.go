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

func startDB(ctx context.Context, name, sql string) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	if len(sql) > maxSQL {
		sql = sql[:maxSQL]
	}
	ctx, _ = Tracer(scope).Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "postgresql"),
		attribute.String("db.query.text", sql),
	))
	return ctx
}

func endDB(ctx context.Context, err error, rows int64) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if rows >= 0 {
		span.SetAttributes(attribute.Int64("db.response.returned_rows", rows))
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
