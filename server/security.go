package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// parseOrigins reads --cors-origins: empty, "*", or comma-separated
// origins such as https://app.example.com (scheme, host and port only).
func parseOrigins(s string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			origins = append(origins, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("%q is not an origin like https://app.example.com", o)
		}
		origins = append(origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return origins, nil
}

// corsPaths are the API paths withCORS opens to other origins. /media/
// and /uploads/ answer CORS themselves (delivery and tusd).
var corsPaths = []string{"/graphql", "/videos/", "/api/", "/stream/", "/upload"}

// withCORS lets pages on the allowed origins call the GraphQL and REST API
// from a browser. Credentials are never allowed: such pages authenticate
// with a bearer token, and auth.Middleware ignores the session cookie on
// cross-origin requests that change state, which is what protects
// cookie-authenticated users from cross-site request forgery.
func withCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !slices.ContainsFunc(corsPaths, func(p string) bool {
			return r.URL.Path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(r.URL.Path, p)
		}) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		if !anyOrigin && !slices.Contains(origins, strings.ToLower(origin)) {
			next.ServeHTTP(w, r)
			return
		}
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		next.ServeHTTP(w, r)
	})
}

// frameAncestors is the embed page's frame-ancestors directive: the
// video's allowed origins, or any site. Every other page is framed by no
// one (withSecurityHeaders, appCSP): only /embed/<id> opts in.
func frameAncestors(origins []string) string {
	var list []string
	for _, o := range origins {
		// Stored origins were checked by video.EmbedOrigins; whatever
		// could end the directive is dropped all the same.
		if o != "" && !strings.ContainsAny(o, "; ,'\"*\r\n") {
			list = append(list, o)
		}
	}
	if len(list) == 0 {
		return "frame-ancestors *"
	}
	return "frame-ancestors " + strings.Join(list, " ")
}

// embedCSP is the app's policy with frame-ancestors set to sources.
func embedCSP(ancestors string) string {
	return strings.Replace(appCSP, "frame-ancestors 'none'", ancestors, 1)
}
