package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/codes"
)

// GraphQL is a gqlgen extension that runs each operation in a span named
// for its type and name ("query Videos", "mutation CreateClip"), with the
// store queries and job inserts its resolvers make as children. Fields are
// not traced one by one: an operation's cost is in its queries, which
// are. Register it only when Enabled.
type GraphQL struct{}

var (
	_ graphql.HandlerExtension     = GraphQL{}
	_ graphql.OperationInterceptor = GraphQL{}
)

// ExtensionName names the extension for gqlgen.
func (GraphQL) ExtensionName() string { return "Tracing" }

// Validate accepts every schema.
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation starts the operation's span. A query's or
// mutation's span ends with its (first) response; a subscription's
// covers only its start, as it may last for hours and a span is exported
// only once it ends.
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
	// The name says the operation's type and name: attributes repeating
	// them would cost each request's span an allocation and their export.
	ctx, span := tracer().Start(ctx, spanName)
	h := next(ctx)
	if typ == "subscription" {
		span.End()
		return h
	}
	ended := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if !ended {
			ended = true
			if resp != nil && len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, resp.Errors[0].Message)
			}
			span.End()
		}
		return resp
	}
}

// scope is clipcut's instrumentation scope for the spans this package
// starts itself.
const scope = "github.com/clipcut/clipcut/tracing"
