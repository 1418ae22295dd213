package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultConnectTimeout   = 5 * time.Second
	DefaultMaxResponseBytes = 64 << 10
)

// Options configure a Client.
type Options struct {
	Policy Policy
	// Timeout bounds a whole attempt: connecting, sending, the response
	// headers and reading the response (DefaultTimeout when zero).
	Timeout time.Duration
	// ConnectTimeout bounds the TCP (and TLS) handshake (DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// MaxResponseBytes is how much of a response body is read; the rest is
	// discarded by closing the connection (DefaultMaxResponseBytes).
	MaxResponseBytes int64
	// UserAgent is sent as User-Agent ("clipcut-webhooks/1" when empty).
	UserAgent string
}

// Client delivers webhook requests. It is safe for concurrent use and
// keeps connections alive between deliveries.
type Client struct {
	http      *http.Client
	maxBody   int64
	userAgent string
}

// NewClient returns a client that connects only to addresses opts.Policy
// allows. The check runs on the address actually dialled, after DNS
// resolution, so neither a name resolving to a private address nor DNS
// rebinding gets through; redirects are not followed (a 3xx is a failed
// attempt); proxies from the environment are ignored.
func NewClient(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "clipcut-webhooks/1"
	}
	// The outbound guard checks the address actually dialled, after DNS
	// resolution.
	transport := opts.Policy.Transport(opts.ConnectTimeout)
	transport.ResponseHeaderTimeout = opts.Timeout
	return &Client{
		http: &http.Client{
			Transport: transport,
			Timeout:   opts.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		maxBody:   opts.MaxResponseBytes,
		userAgent: opts.UserAgent,
	}
}

// Request is one delivery attempt.
type Request struct {
	URL string
	// Secrets sign the request, the current one first; a second one (the
	// secret a rotation replaced, during its grace period) adds a second
	// v1 entry to Clipcut-Signature.
	Secrets    []string
	EventID    string
	EventType  string
	DeliveryID string
	// Body is the JSON payload, sent as is and signed.
	Body []byte
}

// Result is what one attempt did.
type Result struct {
	// StatusCode is the receiver's answer (0 when there was none).
	StatusCode int
	Latency    time.Duration
	// Err is nil for a 2xx answer; otherwise why the attempt failed, in
	// words fit for the delivery log.
	Err error
}

// Send POSTs req, signed at the current time, and reports the outcome.
// Only a 2xx answer counts as delivered.
func (c *Client) Send(ctx context.Context, req Request) Result {
	start := time.Now()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return Result{Err: fmt.Errorf("build request: %w", err)}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", c.userAgent)
	hr.Header.Set(SignatureHeader, Sign(start, req.Body, req.Secrets...))
	hr.Header.Set(EventIDHeader, req.EventID)
	hr.Header.Set(EventTypeHeader, req.EventType)
	if req.DeliveryID != "" {
		hr.Header.Set(DeliveryIDHeader, req.DeliveryID)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return Result{Latency: time.Since(start), Err: describe(err)}
	}
	// Read a bounded prefix so keep-alive works for small answers; closing
	// the body drops the connection when more was coming.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, c.maxBody))
	resp.Body.Close()
	res := Result{StatusCode: resp.StatusCode, Latency: time.Since(start)}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Err = fmt.Errorf("the receiver answered %d (redirects are not followed; use the final URL)", resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		res.Err = fmt.Errorf("the receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return res
}

// describe turns a transport error into a sentence for the delivery log,
// without Go's "Post \"url\":" prefix.
func describe(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return err
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return errors.New("timed out: the receiver did not answer in time")
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// String describes a result for logs.
func (r Result) String() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	return strconv.Itoa(r.StatusCode)
}
