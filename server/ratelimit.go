package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/clipcut/clipcut/auth"
)

// rateLimitConfig builds the API's limiters from the configuration.
func (c *Config) rateLimits() auth.RateLimits {
	parse := func(s string) *auth.RateLimiter {
		l, _ := auth.ParseRateLimit(s) // Validate has reported bad values
		return auth.NewRateLimiter(l)
	}
	return auth.RateLimits{
		GraphQL: parse(c.RateLimitGraphQL),
		Uploads: parse(c.RateLimitUploads),
		Auth:    parse(c.RateLimitAuth),
	}
}

// refusal writes the body of a 429 in the form the endpoint's clients
// expect.
type refusal func(w http.ResponseWriter, e *auth.Error)

// graphQLRefusal answers like any GraphQL error, with extensions.code
// RATE_LIMITED and extensions.retryAfter in seconds.
func graphQLRefusal(w http.ResponseWriter, e *auth.Error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    e.Message,
		"extensions": map[string]any{"code": e.Code, "retryAfter": e.RetryAfterSeconds()},
	}}})
}

// tusRefusal answers the way tusd reports errors.
func tusRefusal(w http.ResponseWriter, e *auth.Error) {
	w.Header().Set("Tus-Resumable", "1.0.0")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("ERR_RATE_LIMITED: " + e.Message + "\n"))
}

// jsonRefusal answers like the REST endpoints: {"error": {"code", "message"}}.
func jsonRefusal(w http.ResponseWriter, e *auth.Error) {
	writeError(w, http.StatusTooManyRequests, apiError{Code: e.Code, Message: e.Message})
}

// rateLimited counts the requests for which counts returns true (nil:
// every request) against lim, keyed by token, user or client address
// (auth.RateKey). Each counted request gets X-RateLimit-Limit (the
// bucket's size), X-RateLimit-Remaining and X-RateLimit-Reset (seconds
// until the bucket is full again); a refused one gets 429 with
// Retry-After. It must run after auth's middleware.
func rateLimited(lim *auth.RateLimiter, counts func(*http.Request) bool, refuse refusal, next http.Handler) http.Handler {
	if lim == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if counts != nil && !counts(r) {
			next.ServeHTTP(w, r)
			return
		}
		d := lim.Allow(auth.RateKey(r.Context()))
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
		h.Set("X-RateLimit-Reset", strconv.Itoa(wholeSeconds(d.Reset)))
		if !d.Allowed {
			e := auth.RateLimited(d.RetryAfter)
			h.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
			refuse(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func wholeSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// isPost selects upload creations on the tus endpoint (POST /uploads/).
func isPost(r *http.Request) bool { return r.Method == http.MethodPost }
