package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
)

// authDirective implements @auth(scope, sessionOnly): a signed-in viewer,
// a password session when sessionOnly, and for an API token the scope. A
// bare @auth (no decision declared) admits sessions only, so a forgotten
// scope fails closed. The ADMIN scope also needs the administrator role,
// read from the account on every request.
func authDirective(ctx context.Context, _ any, next graphql.Resolver, scope *model.Scope, sessionOnly *bool) (any, error) {
	v, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if scope == nil || sessionOnly != nil && *sessionOnly {
		if v.IsAPIToken() {
			return nil, auth.ErrSessionOnly
		}
		return next(ctx)
	}
	if *scope == model.ScopeAdmin {
		if err := v.CheckAdmin(); err != nil {
			return nil, err
		}
		return next(ctx)
	}
	if err := v.CheckScope(auth.ScopeFromEnum(string(*scope))); err != nil {
		return nil, err
	}
	return next(ctx)
}

// publicDirective implements @public(scope): open to anonymous requests and
// sessions; an API token needs the scope. Invalid credentials are left to
// the resolver, which reports them as it always has.
func publicDirective(ctx context.Context, _ any, next graphql.Resolver, scope *model.Scope) (any, error) {
	if scope != nil {
		if v, err := auth.ViewerFrom(ctx); err == nil {
			if err := v.CheckScope(auth.ScopeFromEnum(string(*scope))); err != nil {
				return nil, err
			}
		}
	}
	return next(ctx)
}
