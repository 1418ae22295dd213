package graph

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// errOperationTimeout is the cause of a query or mutation's context when
// the server's deadline passes; the error presenter answers TIMEOUT.
var errOperationTimeout = errors.New("graphql: operation deadline exceeded")

// deadline gives every query and mutation a server-side deadline: its
// resolvers, dataloader batches and store queries run under a context
// that ends timeout after execution starts, so a slow operation is cut
// and its database work cancelled. Subscriptions are exempt: they live
// as long as their client; each event's work is bounded by the store.
type deadline struct{ timeout time.Duration }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = deadline{}

func (deadline) ExtensionName() string                   { return "Deadline" }
func (deadline) Validate(graphql.ExecutableSchema) error { return nil }

func (d deadline) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, d.timeout, errOperationTimeout)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			cancel()
		}
		return resp
	}
}
