package graph

import (
	"cmp"
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
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/clipcut/clipcut/graph/generated"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/tracing"
)

// Options tune the GraphQL handler.
type Options struct {
	// ComplexityLimit caps an operation's cost: one per field, lists
	// multiplied by their page size. Zero means no limit.
	ComplexityLimit int
	// DepthLimit caps how deeply selections nest. Zero means no limit.
	DepthLimit int
	// Limits bound a document's size and shape before it is validated;
	// nil means DefaultDocumentLimits.
	Limits *DocumentLimits
	// Timeout is the server-side deadline of each query and mutation
	// (not of a subscription's lifetime). Zero means none.
	Timeout time.Duration
	// KeepAlive is the interval of websocket keep-alive pings.
	KeepAlive time.Duration
	// Metrics records operations; nil records nothing.
	Metrics *Metrics
	// NoFastReads answers every operation through gqlgen's executor,
	// plain video reads included (see fastReads): for comparison in
	// benchmarks, and a way back should the fast path ever be in doubt.
	NoFastReads bool
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
	cfg.Complexity.Query.Videos = func(child int, first *int, _ *string, last *int, _ *string, _ *model.VideoFilter) int {
		return pageCost(child, cmp.Or(first, last))
	}
	cfg.Complexity.User.Videos = func(child int, first *int, _ *string, last *int, _ *string, _ *model.VideoFilter) int {
		return pageCost(child, cmp.Or(first, last))
	}

	schema := generated.NewExecutableSchema(cfg)
	srv := handler.New(schema)
	limits := DefaultDocumentLimits
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	srv.AddTransport(newWSTransport(r, opts.KeepAlive, limits.Bytes))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(fastGET{})
	srv.AddTransport(fastPOST{maxQuery: limits.Bytes})
	registerGuardCodes()
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(limits.Tokens)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// After the persisted-query lookup (which fills in the query text),
	// before gqlgen parses, validates and measures the document: the
	// guard keeps all three linear in the document's length.
	srv.Use(&guard{limits: limits, depth: opts.DepthLimit, cache: queries})
	if opts.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	}
	if opts.Timeout > 0 {
		srv.Use(deadline{timeout: opts.Timeout})
	}
	// Before any other response interceptor: the one added first runs
	// innermost, where it stands in for gqlgen's execution.
	if !opts.NoFastReads {
		srv.Use(newFastReads(r, schema.Schema()))
	}
	if opts.Metrics != nil {
		srv.Use(opts.Metrics)
	}
	if tracing.Enabled() {
		srv.Use(tracing.GraphQL{})
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
