package main

import (
	"net/http"
	"strings"
	"sync"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/frontend"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/upload"
)

// routes is every path clipcut answers, in one place, wrapped in the
// middleware every request passes: request id, access log, panic
// recovery, security headers, CORS (API processes), authentication
// (except media, authorized by its URL), in-flight tracking for shutdown.
// Worker processes answer only health, readiness and metrics.
func (a *app) routes(inFlight *sync.WaitGroup) http.Handler {
	cfg := a.cfg
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) { mux.Handle(pattern, a.metrics.instrument(pattern, h)) }
	handle("GET /health", http.HandlerFunc(handleHealth))
	handle("GET /ready", a.ready)
	handle("GET /metrics", a.metrics.handler())
	if a.mode == modeWorker {
		return a.middleware(mux, inFlight)
	}

	limits := cfg.rateLimits()
	app := newSPA(frontend.Dist())
	gql := rateLimited(limits.GraphQL, nil, graphQLRefusal, limitBody(cfg.MaxBodyBytes, a.graphQL(limits, app)))
	handle("GET /graphql", gql)
	handle("POST /graphql", gql)
	handle("OPTIONS /graphql", gql)
	handle("GET /graphql/schema.graphql", http.HandlerFunc(graph.ServeSchema))

	tus := rateLimited(limits.Uploads, isPost, tusRefusal, a.uploads.Handler())
	for _, method := range []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"} {
		handle(method+" "+upload.BasePath, tus)
	}
	handle("POST /upload", rateLimited(limits.Uploads, nil, jsonRefusal, http.HandlerFunc(a.uploads.HandleMultipart)))

	// The seeds' REST endpoints.
	rest := &restVideos{store: a.store, media: a.media, links: a.links, publicURL: cfg.PublicURL}
	videosRead := func(h http.HandlerFunc) http.Handler { return auth.RequireScope(auth.ScopeVideosRead, h) }
	handle("GET /videos/{id}", videosRead(rest.metadata))
	handle("GET /stream/{id}/{resolution}", videosRead(rest.stream))
	handle("GET /api/v1/videos/{id}/playlist.m3u8", videosRead(rest.masterPlaylist))
	handle("GET /api/v1/videos/{id}/status", auth.RequireScope(auth.ScopeVideosRead, videoStatus(a.store)))
	handle("PUT /api/v1/videos/{id}/poster", auth.RequireScope(auth.ScopeVideosWrite, posterUpload(a.videos, a.links)))
	handle("POST /api/v1/analytics/events", analyticsEvents(a.ingester, cfg.TrustProxy, a.logger))
	handle("GET /api/openapi.json", http.HandlerFunc(serveOpenAPI))

	// Media: playlists, segments, images, subtitles, downloads.
	media := a.metrics.instrument("GET "+delivery.BasePath, a.media)
	mux.Handle("GET "+delivery.BasePath, media)
	handle("OPTIONS "+delivery.BasePath, a.media)

	// River UI, the job queue's browser, for administrators only.
	jobsUI := requireAdmin(a.riverUI)
	for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		handle(method+" "+AdminJobsPath+"/", jobsUI)
	}
	handle("GET "+AdminJobsPath, jobsUI)
	// Pages other sites frame or read: embeds, share tags, oEmbed.
	pages := newVideoPages(a, app)
	handle("GET /embed/{id}", http.HandlerFunc(pages.serveEmbed))
	handle("GET /watch/{id}", http.HandlerFunc(pages.serveWatch))
	handle("GET /oembed", http.HandlerFunc(pages.serveOEmbed))

	handle("GET /", app) // the web app

	// Media is authorized by its URL alone, so /media/ skips
	// authentication: a browser's session cookie would otherwise cost a
	// session lookup for every segment. So do paths that read no
	// credentials (readsCredentials).
	authed := a.auth.Middleware(auth.MiddlewareOptions{Cookies: cookieSecurity(cfg.CookieSecure), TrustProxy: cfg.TrustProxy,
		Refuse: refuseCredentials})(mux)
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case readsCredentials(r.URL.Path):
			authed.ServeHTTP(w, r)
		case !strings.HasPrefix(r.URL.Path, delivery.BasePath):
			mux.ServeHTTP(w, r)
		case isMediaGet(r):
			media.ServeHTTP(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
	})
	origins, _ := parseOrigins(cfg.CORSOrigins)
	return a.middleware(withCORS(origins, root), inFlight)
}

// graphQL is the GraphQL handler: resolvers over the services, and the
// front door's limits.
func (a *app) graphQL(limits auth.RateLimits, app *spa) http.Handler {
	cfg := a.cfg
	resolver := &graph.Resolver{Store: a.store, Auth: a.auth, Hub: a.hub, Uploads: a.uploads, Videos: a.videos,
		Logger: a.logger, PublicURL: cfg.PublicURL, Media: a.links, Limits: limits, Analytics: a.ingester,
		WebhookPolicy: cfg.webhookSettings().Policy}
	return graph.NewHandler(resolver, graph.Options{
		ComplexityLimit: cfg.ComplexityLimit, DepthLimit: cfg.DepthLimit,
		Limits: &cfg.GraphQLLimits, Timeout: cfg.GraphQLTimeout,
		KeepAlive: cfg.KeepAlive, Metrics: graph.NewMetrics(a.metrics.registry),
		GraphiQL: app.page("graphiql.html"),
	})
}

// middleware wraps h in what every request passes. inFlight counts running
// handlers, so that shutdown can wait for the ones whose connection it had
// to cut (a tus PATCH then saves the bytes it received, and the client
// resumes from there elsewhere).
func (a *app) middleware(h http.Handler, inFlight *sync.WaitGroup) http.Handler {
	logger := a.logger
	h = withRequestID(withAccessLog(logger, withRecovery(logger, withSecurityHeaders(a.cfg.PublicURL, a.cfg.TrustProxy, h))))
	return trackInFlight(inFlight, h)
}
