// Package graph is clipcut's GraphQL API: the schema (schema/*.graphqls),
// gqlgen's generated executor (generated/), thin resolvers that call the
// store and auth services, the @auth directive, the error presenter that
// gives every error an extensions.code, dataloaders, and the HTTP handler
// with its transports and limits. Resolvers validate input and make one
// call: into the video service for anything in a video's lifecycle, into
// the store or auth for the rest.
package graph

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

// Resolver holds what resolvers need. It is shared by all requests.
type Resolver struct {
	Store   *store.Store
	Auth    *auth.Service
	Hub     *store.Hub
	Uploads *upload.Service
	// Videos runs the video lifecycle: retry, edit, delete, subtitles,
	// webhook test sends and redeliveries.
	Videos *video.Service
	Logger *slog.Logger
	// PublicURL is the base URL clients reach the server at; empty means
	// "as the request came in".
	PublicURL string
	// Media builds playback URLs.
	Media MediaLinks
	// WebhookPolicy says which addresses webhook URLs may point at.
	WebhookPolicy webhook.Policy
	// Limits rate-limit sign-ups and log-ins (per client address) and
	// createUpload (per token or user); the zero value limits nothing.
	Limits auth.RateLimits
	// Analytics takes player events (reportPlaybackEvents).
	Analytics *analytics.Ingester
}

// MediaLinks builds the URLs media is played from.
type MediaLinks interface {
	// Prefix is the absolute URL under which a video's media is served to
	// this request's viewer: stable for public videos, under the public id
	// for unlisted ones (layout.PublicIDPath, no video id), signed for a few hours for
	// private ones (then expires is set).
	Prefix(ctx context.Context, id uuid.UUID, privacy, publicID string) (prefix string, expires *time.Time)
	// Signed signs the video's media for ttl and returns the token and the
	// prefix that carries it.
	Signed(ctx context.Context, id uuid.UUID, ttl time.Duration) (token, prefix string, expires time.Time)
	// SignedLink signs the video's media for share link linkID until
	// expires (delivery.SignedLinkPath) and returns the token and the
	// prefix that carries it.
	SignedLink(ctx context.Context, id, linkID uuid.UUID, expires time.Time) (token, prefix string)
}

// absoluteURL turns a server path into a URL clients can use from anywhere.
func (r *Resolver) absoluteURL(ctx context.Context, path string) string {
	base := r.PublicURL
	if base == "" {
		base = auth.ClientFrom(ctx).BaseURL
	}
	return strings.TrimSuffix(base, "/") + path
}
