package auth

import (
	"context"
	"encoding/json"
	"errors"
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
	// Refuse answers a request whose credentials were refused (see
	// Middleware) in the shape of the API it was sent to: GraphQL errors
	// for /graphql, {"error": {"code", "message"}} elsewhere. Nil writes
	// the latter (WriteError).
	Refuse func(w http.ResponseWriter, r *http.Request, status int, err *Error)
}

// ErrUnavailable is the refusal of a request whose credentials could not
// be checked because the store did not answer: neither accepted nor
// rejected, so neither signed in nor anonymous.
var ErrUnavailable = &Error{Code: "UNAVAILABLE", Message: "Credentials could not be checked; try again shortly."}

// ErrCredentialsRefused answers a request that presented a bearer token,
// API token or session cookie that is unknown, malformed, expired or
// revoked.
var ErrCredentialsRefused = &Error{Code: "UNAUTHENTICATED",
	Message: "The session or API token is invalid, expired or revoked; log in again, or send no credentials to act anonymously."}

// Middleware authenticates every request from its Authorization: Bearer
// header or, failing that, its session cookie, and puts the result in the
// request context (see ViewerFrom and Require). It is the one place where
// clipcut decides what credentials mean, for every API it serves (GraphQL
// over HTTP and the websocket upgrade, REST, tus, POST /upload):
//   - no credential: the request goes on anonymous;
//   - valid credentials: the request goes on as their viewer;
//   - credentials presented but unknown, malformed, expired or revoked:
//     the request is refused, 401 with code UNAUTHENTICATED (through
//     opts.Refuse), and never handled as anonymous; a refused session
//     cookie is cleared in that answer, so a browser's next request is
//     anonymous;
//   - the store could not check them: 503 UNAVAILABLE.
//
// The session cookie is ignored (not presented) on cross-origin
// state-changing requests and websocket upgrades (CSRF and cross-site
// websocket hijacking); SameSite=Lax already keeps most browsers from
// sending it. Credentials sent later, in a websocket's connection_init,
// are checked with Authenticate under the same rule.
func (s *Service) Middleware(opts MiddlewareOptions) func(http.Handler) http.Handler {
	refuse := opts.Refuse
	if refuse == nil {
		refuse = func(w http.ResponseWriter, _ *http.Request, status int, err *Error) { WriteError(w, status, err) }
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ra := &requestAuth{
				client: Client{IP: ClientIP(r, opts.TrustProxy), UserAgent: r.UserAgent(), BaseURL: BaseURL(r, opts.TrustProxy)},
				cookies: &cookieWriter{w: w, secure: opts.Cookies == CookieSecureAlways ||
					opts.Cookies == CookieSecureAuto && isHTTPS(r, opts.TrustProxy)},
			}
			token, fromCookie, presented := credentials(r)
			if fromCookie && !sameOrigin(r) {
				token, presented = "", false
			}
			if presented {
				v, err := s.Authenticate(r.Context(), token)
				if err != nil {
					ctx := context.WithValue(r.Context(), requestKey, ra)
					var refused *Error
					if !errors.As(err, &refused) {
						s.logger.ErrorContext(ctx, "check credentials", "error", err)
						w.Header().Set("Retry-After", "2")
						refuse(w, r.WithContext(ctx), http.StatusServiceUnavailable, ErrUnavailable)
						return
					}
					if fromCookie {
						ClearSessionCookie(ctx)
					}
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
					refuse(w, r.WithContext(ctx), http.StatusUnauthorized, ErrCredentialsRefused)
					return
				}
				ra.viewer = v
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey, ra)))
		})
	}
}

// WriteError answers with err as clipcut's REST APIs do:
// {"error": {"code": ..., "message": ...}} with the given status.
func WriteError(w http.ResponseWriter, status int, err *Error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": err.Code, "message": err.Message}})
}

// credentials returns the credential r presents: an Authorization: Bearer
// header, or else the session cookie. An empty "Bearer" is presented (and
// refused). Other schemes (Basic, from a proxy's own login) are not
// clipcut's: such a request presents nothing.
func credentials(r *http.Request) (token string, fromCookie, presented bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t), false, true
		}
		return "", false, false
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value, true, true
	}
	return "", false, false
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

// BaseURL is the scheme and host the client used to reach us.
func BaseURL(r *http.Request, trustProxy bool) string {
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

// ViewerFrom returns the signed-in viewer, or nil for an anonymous request
// (one that presented no credentials: Middleware refuses the others).
func ViewerFrom(ctx context.Context) (*Viewer, error) {
	if v, ok := ctx.Value(viewerKey).(*Viewer); ok {
		return v, nil
	}
	return fromContext(ctx).viewer, nil
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
