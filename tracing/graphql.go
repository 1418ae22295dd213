package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is a gqlgen extension that names each operation's span for
// its type and name ("query Videos", "mutation CreateClip"), with the
// store queries and job inserts its resolvers make as children. Fields are
// not traced one by one: an operation's cost is in its queries, which
// are. Register it only when Enabled.
//
// A query or mutation sent over HTTP is the request's span itself (HTTP):
// the operation renames it rather than opening a span of its own inside
// it, as a POST /graphql carries one operation and a second span would
// say nothing the first does not while costing the request a third of
// what tracing costs it (the span's start, end, snapshot and export).
// Operations with no request span of their own (over a websocket) and
// subscriptions get a span of their own.
type GraphQL struct{}

var (
	_ graphql.HandlerExtension     = GraphQL{}
	_ graphql.OperationInterceptor = GraphQL{}
)

// ExtensionName names the extension for gqlgen.
func (GraphQL) ExtensionName() string { return "Tracing" }

// Validate accepts every schema.
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation names the request's span for the operation, or
// starts the operation's span when there is no request span. A query's
// or mutation's own span ends with its (first) response; a
// subscription's covers only its start, as it may last for hours and a
// span is exported only once it ends.
func (GraphQL) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	typ, name := "query", oc.OperationName
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	spanName := typ
	if name != "" {
		spanName += " " + name
	}
	if typ != "subscription" {
		if span := trace.SpanFromContext(ctx); isRequestSpan(span) {
			span.SetName(spanName)
			return endWith(span, next(ctx), false)
		}
	}
	// The name says the operation's type and name: attributes repeating
	// them would cost each request's span an allocation and their export.
	ctx, span := tracer().Start(ctx, spanName)
	h := next(ctx)
	if typ == "subscription" {
		span.End()
		return h
	}
	return endWith(span, h, true)
}

// endWith returns h such that its first response's errors mark span as
// failed, and ends span then if end is set (the request's span is HTTP's
// to end).
func endWith(span trace.Span, h graphql.ResponseHandler, end bool) graphql.ResponseHandler {
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if !done {
			done = true
			if resp != nil && len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, resp.Errors[0].Message)
			}
			if end {
				span.End()
			}
		}
		return resp
	}
}

// isRequestSpan is whether span is a request's span that HTTP started:
// the only server spans this package's tracer starts.
func isRequestSpan(span trace.Span) bool {
	ro, ok := span.(sdktrace.ReadOnlySpan)
	return ok && ro.SpanKind() == trace.SpanKindServer && ro.InstrumentationScope().Name == scope
}

// scope is clipcut's instrumentation scope for the spans this package
// starts itself.
const scope = "github.com/clipcut/clipcut/tracing"
