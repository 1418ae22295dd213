package auth

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CookieName is the session cookie the web app uses.
const CookieName = "clipcut_session"

type ctxKey int

const (
	viewerKey ctxKey = iota
	requestKey
)

type requestAuth struct {
	viewer  *Viewer
	err     error // why presented credentials were not accepted
	client  Client
	cookies *cookieWriter
}

type cookieWriter struct {
	w      http.ResponseWriter
	secure bool
}

// CookieSecurity decides the Secure attribute of the session cookie.
type CookieSecurity int

// CookieSecureAuto sets Secure when the request came over HTTPS (directly or,
// with TrustProxy, as told by X-Forwarded-Proto).
const (
	CookieSecureAuto CookieSecurity = iota
	CookieSecureAlways
	CookieSecureNever
)

// MiddlewareOptions configure Middleware.
type MiddlewareOptions struct {
	Cookies CookieSecurity
	// TrustProxy takes the client address and scheme from X-Forwarded-For
	// and X-Forwarded-Proto (set only behind a proxy that overwrites them).
	TrustProxy bool
}

// Middleware authenticates every request from its Authorization: Bearer
// header or, failing that, its session cookie, and puts the result in the
// request context (see ViewerFrom and Require). A request without
// credentials passes through anonymous.
//
// The session cookie is ignored on cross-origin state-changing requests and
// websocket upgrades (CSRF and cross-site websocket hijacking); SameSite=Lax
// already keeps most browsers from sending it.
func (s *Service) Middleware(opts MiddlewareOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ra := &requestAuth{
				client: Client{IP: ClientIP(r, opts.TrustProxy), UserAgent: r.UserAgent(), BaseURL: baseURL(r, opts.TrustProxy)},
				cookies: &cookieWriter{w: w, secure: opts.Cookies == CookieSecureAlways ||
					opts.Cookies == CookieSecureAuto && isHTTPS(r, opts.TrustProxy)},
			}
			token, fromCookie := credentials(r)
			if fromCookie && !sameOrigin(r) {
				token = ""
			}
			if token != "" {
				ra.viewer, ra.err = s.Authenticate(r.Context(), token)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey, ra)))
		})
	}
}

func credentials(r *http.Request) (token string, fromCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, true
	}
	return "", false
}

// sameOrigin reports whether a cookie may authenticate r: safe methods may
// come from anywhere except websocket upgrades; everything else must come
// from this origin.
func sameOrigin(r *http.Request) bool {
	upgrade := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	if !upgrade && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions) {
		return true
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	// No Origin: not a browser's cross-origin request, unless Fetch
	// Metadata says otherwise.
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

func isHTTPS(r *http.Request, trustProxy bool) bool {
	if r.TLS != nil {
		return true
	}
	return trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// baseURL is the scheme and host the client used to reach us.
func baseURL(r *http.Request, trustProxy bool) string {
	scheme := "http"
	if isHTTPS(r, trustProxy) {
		scheme = "https"
	}
	host := r.Host
	if trustProxy {
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host = h
		}
	}
	return scheme + "://" + host
}

// ClientIP is the address of the client: the peer, or with trustProxy the
// last hop of X-Forwarded-For, the one the trusted proxy appended.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func fromContext(ctx context.Context) *requestAuth {
	ra, _ := ctx.Value(requestKey).(*requestAuth)
	if ra == nil {
		return &requestAuth{}
	}
	return ra
}

// ViewerFrom returns the signed-in viewer, or nil for an anonymous request.
// It returns ErrUnauthenticated when the request presented credentials that
// are invalid, expired or revoked, so clients learn their session ended.
func ViewerFrom(ctx context.Context) (*Viewer, error) {
	if v, ok := ctx.Value(viewerKey).(*Viewer); ok {
		return v, nil
	}
	ra := fromContext(ctx)
	return ra.viewer, ra.err
}

// Require returns the signed-in viewer or an UNAUTHENTICATED error.
func Require(ctx context.Context) (*Viewer, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrUnauthenticated
	}
	return v, nil
}

// WithViewer returns ctx authenticated as v, for connections that
// authenticate after the HTTP request (websocket connection_init) and for
// background work.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey, v)
}

// ClientFrom returns the requesting client's address and user agent.
func ClientFrom(ctx context.Context) Client { return fromContext(ctx).client }

// SetSessionCookie makes the response set the session cookie, when the
// request came over HTTP (not a websocket).
func SetSessionCookie(ctx context.Context, token string, expires time.Time) {
	cw := fromContext(ctx).cookies
	if cw == nil {
		return
	}
	http.SetCookie(cw.w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/", Expires: expires,
		MaxAge: int(time.Until(expires).Seconds()), HttpOnly: true, Secure: cw.secure, SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie makes the response delete the session cookie.
func ClearSessionCookie(ctx context.Context) {
	cw := fromContext(ctx).cookies
	if cw == nil {
		return
	}
	http.SetCookie(cw.w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: cw.secure, SameSite: http.SameSiteLaxMode,
	})
}
