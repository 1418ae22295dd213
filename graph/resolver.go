// Package graph is clipcut's GraphQL API: the schema (schema/*.graphqls),
// gqlgen's generated executor (generated/), thin resolvers that call the
// store and auth services, the @auth directive, the error presenter that
// gives every error an extensions.code, dataloaders, and the HTTP handler
// with its transports and limits.
package graph

import (
	"context"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/upload"
)

// Resolver holds what resolvers need. It is shared by all requests.
type Resolver struct {
	Store   *store.Store
	Auth    *auth.Service
	Hub     *store.Hub
	Uploads *upload.Service
	Jobs    *river.Client[pgx.Tx]
	Logger  *slog.Logger
	// PublicURL is the base URL clients reach the server at; empty means
	// "as the request came in".
	PublicURL string
}

// absoluteURL turns a server path into a URL clients can use from anywhere.
func (r *Resolver) absoluteURL(ctx context.Context, path string) string {
	base := r.PublicURL
	if base == "" {
		base = auth.ClientFrom(ctx).BaseURL
	}
	return strings.TrimSuffix(base, "/") + path
}
