package auth

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is a token-bucket policy: up to Requests at once, refilled
// steadily at Requests per Per. The zero RateLimit allows everything.
type RateLimit struct {
	Requests int
	Per      time.Duration
}

// Off reports whether the limit allows everything.
func (l RateLimit) Off() bool { return l.Requests <= 0 || l.Per <= 0 }

func (l RateLimit) String() string {
	if l.Off() {
		return "off"
	}
	per := l.Per.String() // 1h0m0s, 10m0s: drop the zero tails
	if strings.HasSuffix(per, "m0s") {
		per = per[:len(per)-2]
	}
	if strings.HasSuffix(per, "h0m") {
		per = per[:len(per)-2]
	}
	return strconv.Itoa(l.Requests) + "/" + per
}

// ParseRateLimit reads a limit written "<requests>/<duration>", for example
// "600/1m" or "100/1h"; "off" or "0" disables it.
func ParseRateLimit(s string) (RateLimit, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return RateLimit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	requests, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || requests <= 0 {
		return RateLimit{}, fmt.Errorf("want <requests>/<duration> like 600/1m, or off; got %q", s)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d < time.Second {
		return RateLimit{}, fmt.Errorf("want a period of at least 1s after the slash, like 600/1m; got %q", s)
	}
	return RateLimit{Requests: requests, Per: d}, nil
}

// RateLimiter keeps one token bucket per client key in this process's
// memory: with several API replicas each enforces the limit on its own
// (a client spread evenly over N replicas gets up to N times the limit).
// A nil RateLimiter allows everything.
type RateLimiter struct {
	limit RateLimit
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewRateLimiter returns a limiter enforcing l, or nil when l is off.
func NewRateLimiter(l RateLimit) *RateLimiter {
	if l.Off() {
		return nil
	}
	return &RateLimiter{limit: l, now: time.Now, buckets: map[string]*bucket{}}
}

// Decision is the outcome of one request against a limit, with what the
// X-RateLimit-* headers report.
type Decision struct {
	Allowed bool
	// Limit is the bucket's size (requests allowed at once).
	Limit int
	// Remaining is how many requests may follow at once.
	Remaining int
	// Reset is how long until the bucket is full again.
	Reset time.Duration
	// RetryAfter is how long until the next request is allowed; zero when
	// Allowed.
	RetryAfter time.Duration
}

// Allow takes one request from key's bucket.
func (l *RateLimiter) Allow(key string) Decision {
	if l == nil {
		return Decision{Allowed: true}
	}
	now := l.now()
	rate := float64(l.limit.Requests) / l.limit.Per.Seconds() // tokens per second
	size := float64(l.limit.Requests)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now, size, rate)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: size, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(size, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	d := Decision{Limit: l.limit.Requests}
	if b.tokens >= 1 {
		b.tokens--
		d.Allowed = true
	} else {
		d.RetryAfter = seconds((1 - b.tokens) / rate)
	}
	d.Remaining = int(b.tokens)
	d.Reset = seconds((size - b.tokens) / rate)
	return d
}

func seconds(s float64) time.Duration { return time.Duration(math.Ceil(s * float64(time.Second))) }

// sweep forgets buckets that have refilled completely (they would start
// full anyway), at most once per period, so idle clients cost no memory.
func (l *RateLimiter) sweep(now time.Time, size, rate float64) {
	if now.Sub(l.lastSweep) < l.limit.Per {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*rate >= size {
			delete(l.buckets, k)
		}
	}
}

// RateKey is whom a request counts against: its API token, its user (all
// sessions of a user share one bucket) or, for anonymous requests and
// requests with invalid credentials, its client address.
func RateKey(ctx context.Context) string {
	if v, err := ViewerFrom(ctx); err == nil && v != nil {
		if v.IsAPIToken() {
			return "token:" + v.TokenID.String()
		}
		return "user:" + v.UserID.String()
	}
	return "ip:" + ClientFrom(ctx).IP
}

// Check takes one request from the bucket of the request in ctx (see
// RateKey) and returns a RATE_LIMITED error when it is empty.
func (l *RateLimiter) Check(ctx context.Context) error {
	return l.CheckKey(RateKey(ctx))
}

// CheckKey takes one request from key's bucket and returns a RATE_LIMITED
// error when it is empty.
func (l *RateLimiter) CheckKey(key string) error {
	d := l.Allow(key)
	if d.Allowed {
		return nil
	}
	return RateLimited(d.RetryAfter)
}

// RateLimited is the error of a request refused by a rate limit.
func RateLimited(retryAfter time.Duration) *Error {
	e := &Error{Code: "RATE_LIMITED", RetryAfter: retryAfter}
	e.Message = fmt.Sprintf("Too many requests. Try again in %d seconds.", e.RetryAfterSeconds())
	return e
}

// RateLimits are the limiters of the API; nil ones allow everything.
type RateLimits struct {
	// GraphQL counts every request to /graphql.
	GraphQL *RateLimiter
	// Uploads counts upload creations: createUpload, tus POST, POST /upload.
	Uploads *RateLimiter
	// Auth counts signUp and logIn per client address.
	Auth *RateLimiter
}
