package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/clipcut/clipcut/store"
)

// errPanic stands for a recovered panic; its details are logged, never sent.
var errPanic = errors.New("panic")

// presentError gives every error an extensions.code and a message that is
// safe to show: errors that declare a public code keep their message,
// known store errors become NOT_FOUND or FORBIDDEN, and anything else is
// logged once (with the request id, via the logger's context handler) and
// reported as INTERNAL without details.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		var public interface {
			error
			PublicCode() string
		}
		switch {
		case errors.As(err, &public):
			gqlErr.Message = public.Error()
			gqlErr.Extensions["code"] = public.PublicCode()
			var field interface{ PublicField() string }
			if errors.As(err, &field) && field.PublicField() != "" {
				gqlErr.Extensions["field"] = field.PublicField()
			}
			var retry interface{ RetryAfterSeconds() int }
			if errors.As(err, &retry) && public.PublicCode() == "RATE_LIMITED" {
				gqlErr.Extensions["retryAfter"] = retry.RetryAfterSeconds()
			}
		case errors.Is(err, store.ErrNotFound):
			gqlErr.Message = "Not found."
			gqlErr.Extensions["code"] = "NOT_FOUND"
		case errors.Is(err, store.ErrForbidden):
			gqlErr.Message = "You are not allowed to do that."
			gqlErr.Extensions["code"] = "FORBIDDEN"
		case gqlErr.Err == nil:
			// gqlgen's own parse, validation and coercion errors: their
			// messages describe the query, not the server.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				gqlErr.Extensions["code"] = "BAD_USER_INPUT"
			}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "The operation ran past the server's time limit and was stopped."
			gqlErr.Extensions["code"] = "TIMEOUT"
		case errors.Is(err, context.Canceled):
			gqlErr.Message = "The request was cancelled."
			gqlErr.Extensions["code"] = "CANCELLED"
		default:
			if !errors.Is(err, errPanic) {
				logger.ErrorContext(ctx, "graphql resolver failed", "path", gqlErr.Path.String(), "error", err)
			}
			gqlErr.Message = "Internal server error."
			gqlErr.Extensions["code"] = "INTERNAL"
		}
		return gqlErr
	}
}
