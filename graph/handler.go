package graph

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/generated"
)

// Options tune the GraphQL handler.
type Options struct {
	// ComplexityLimit caps an operation's cost: one per field, lists
	// multiplied by their page size. Zero means no limit.
	ComplexityLimit int
	// DepthLimit caps how deeply selections nest. Zero means no limit.
	DepthLimit int
	// KeepAlive is the interval of websocket keep-alive pings.
	KeepAlive time.Duration
	// Metrics records operations; nil records nothing.
	Metrics *Metrics
	// GraphiQL is the self-hosted GraphiQL page (the web app's
	// graphiql.html) shown to browsers; nil falls back to gqlgen's page,
	// which loads GraphiQL from a CDN.
	GraphiQL http.Handler
}

// NewHandler returns the /graphql endpoint: POST and GET queries, websocket
// subscriptions (graphql-transport-ws and legacy graphql-ws), automatic
// persisted queries, and GraphiQL for browsers that GET it. Requests must
// already have passed through auth.Service.Middleware.
func NewHandler(r *Resolver, opts Options) http.Handler {
	cfg := generated.Config{Resolvers: r}
	cfg.Directives.Auth = authDirective
	cfg.Directives.Public = publicDirective
	pageCost := func(child int, first *int) int {
		n := defaultPageSize
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + n*child
	}
	cfg.Complexity.Query.Videos = func(child int, first *int, _ *string) int { return pageCost(child, first) }
	cfg.Complexity.User.Videos = func(child int, first *int, _ *string) int { return pageCost(child, first) }

	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: opts.KeepAlive,
		PingPongInterval:      opts.KeepAlive,
		InitTimeout:           15 * time.Second,
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
			// Any origin may connect: integrators' pages authenticate with
			// a token in connection_init. The session cookie is never
			// honoured on a cross-origin upgrade (auth.Middleware).
			InsecureSkipVerify: true,
		}},
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token := payload.Authorization()
			if token == "" {
				token = payload.GetString("authToken")
			}
			if token == "" {
				return ctx, &payload, nil
			}
			viewer, err := r.Auth.Authenticate(ctx, strings.TrimSpace(strings.TrimPrefix(token, "Bearer ")))
			if err != nil {
				// 4403 Forbidden is graphql-transport-ws's code for this.
				ctx = transport.WithWebsocketCloseCode(ctx, 4403)
				return transport.AppendCloseReason(ctx, "Forbidden"), nil, err
			}
			return auth.WithViewer(ctx, viewer), &payload, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(fastPOST{})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	if opts.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	}
	if opts.DepthLimit > 0 {
		srv.Use(depthLimit{max: opts.DepthLimit})
	}
	if opts.Metrics != nil {
		srv.Use(opts.Metrics)
	}
	srv.SetErrorPresenter(presentError(r.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		r.Logger.ErrorContext(ctx, "panic in graphql resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errPanic
	})

	graphiql := opts.GraphiQL
	if graphiql == nil {
		graphiql = playground.Handler("clipcut GraphQL", "/graphql")
	}
	api := withLoaders(r.Store, srv)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet && wantsHTML(req) {
			graphiql.ServeHTTP(w, req)
			return
		}
		api.ServeHTTP(w, req)
	})
}

// wantsHTML reports whether a GET is a person's browser opening the page,
// not a query or a websocket upgrade.
func wantsHTML(r *http.Request) bool {
	return r.URL.Query().Get("query") == "" && r.URL.Query().Get("extensions") == "" &&
		!strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}
