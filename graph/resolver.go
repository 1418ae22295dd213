// Package graph is clipcut's GraphQL API: the schema (schema/*.graphqls),
// gqlgen's generated executor (generated/), thin resolvers that call the
// store and auth services, the @auth directive, the error presenter that
// gives every error an extensions.code, dataloaders, and the HTTP handler
// with its transports and limits.
package graph

import (
	"log/slog"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// Resolver holds what resolvers need. It is shared by all requests.
type Resolver struct {
	Store  *store.Store
	Auth   *auth.Service
	Hub    *store.Hub
	Logger *slog.Logger
}
