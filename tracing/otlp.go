package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// exporter sends spans to an OTLP/HTTP endpoint as protobuf, encoded
// by appendRequest into a buffer it reuses: OpenTelemetry Go's OTLP
// exporter spent as much CPU on a request's spans as the rest of
// tracing did (see otlp_encode.go). It reads the same standard
// variables, the OTEL_EXPORTER_OTLP_TRACES_* ones overriding the
// OTEL_EXPORTER_OTLP_* ones: ENDPOINT (the generic one gains
// /v1/traces), HEADERS, TIMEOUT (milliseconds, default 10 s),
// COMPRESSION (gzip or none), CERTIFICATE, CLIENT_CERTIFICATE and
// CLIENT_KEY. A refused export is retried, as the OTLP specification
// asks, when the answer is 429, 502, 503 or 504 or the connection
// failed, with growing pauses (or the server's Retry-After) until the
// batch's time (OTEL_BSP_EXPORT_TIMEOUT) runs out.
type exporter struct {
	url     string
	headers http.Header
	gzip    bool
	timeout time.Duration
	client  *http.Client

	mu   sync.Mutex // the batch processor exports from one goroutine; Shutdown may race it
	buf  []byte
	zbuf bytes.Buffer
	zw   *gzip.Writer
	done bool
}

var _ sdktrace.SpanExporter = (*exporter)(nil)

// newExporter reads the exporter's settings from getenv, reporting
// every invalid one.
func newExporter(getenv func(string) string) (*exporter, error) {
	get := func(name string) (string, string) {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_" + name)); v != "" {
			return v, "OTEL_EXPORTER_OTLP_TRACES_" + name
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name)), "OTEL_EXPORTER_OTLP_" + name
	}
	var problems []error
	e := &exporter{headers: http.Header{}, timeout: 10 * time.Second}

	if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")); v != "" {
		// A per-signal URL is used as it is.
		u, err := endpointURL(v)
		if err != nil {
			problems = append(problems, fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: %w", err))
		} else {
			if u.Path == "" {
				u.Path = "/"
			}
			e.url = u.String()
		}
	} else if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")); v != "" {
		u, err := endpointURL(v)
		if err != nil {
			problems = append(problems, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err))
		} else {
			u.Path = path.Join("/", u.Path, "v1/traces")
			e.url = u.String()
		}
	} else {
		problems = append(problems, errors.New("no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
	}

	// Generic headers first, so that per-signal ones replace them.
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
		for pair := range strings.SplitSeq(getenv(name), ",") {
			if strings.TrimSpace(pair) == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, "=")
			k = strings.TrimSpace(k)
			value, err := url.PathUnescape(v)
			if !ok || k == "" || err != nil {
				problems = append(problems, fmt.Errorf("%s: %q is not key=url-encoded-value", name, pair))
				continue
			}
			e.headers.Set(k, strings.TrimSpace(value))
		}
	}

	if v, name := get("TIMEOUT"); v != "" {
		if ms, err := positiveSetting(name, v, "number of milliseconds"); err != nil {
			problems = append(problems, err)
		} else {
			e.timeout = time.Duration(ms) * time.Millisecond
		}
	}

	switch v, name := get("COMPRESSION"); strings.ToLower(v) {
	case "", "none":
	case "gzip":
		e.gzip = true
		e.zw = gzip.NewWriter(&e.zbuf)
	default:
		problems = append(problems, fmt.Errorf("%s: %q is not gzip or none", name, v))
	}

	tlsConf, err := tlsConfig(get)
	if err != nil {
		problems = append(problems, err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConf != nil {
		transport.TLSClientConfig = tlsConf
	}
	e.client = &http.Client{Transport: transport}
	if len(problems) > 0 {
		return nil, fmt.Errorf("OTLP exporter: %w", errors.Join(problems...))
	}
	return e, nil
}

// endpointURL parses an http(s) endpoint URL.
func endpointURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", v)
	}
	return u, nil
}

// tlsConfig is the TLS set-up the certificate variables ask for, or nil.
func tlsConfig(get func(string) (string, string)) (*tls.Config, error) {
	ca, caName := get("CERTIFICATE")
	cert, certName := get("CLIENT_CERTIFICATE")
	key, keyName := get("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", caName, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", caName, ca)
		}
		conf.RootCAs = pool
	}
	if cert != "" || key != "" {
		if cert == "" || key == "" {
			return nil, fmt.Errorf("%s and %s go together", certName, keyName)
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", certName, keyName, err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

// ExportSpans sends spans in one request, retrying what the OTLP
// specification calls retryable until ctx ends.
func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return errors.New("export spans: the exporter is shut down")
	}
	e.buf = appendRequest(e.buf[:0], spans)
	body := e.buf
	if e.gzip {
		e.zbuf.Reset()
		e.zw.Reset(&e.zbuf)
		if _, err := e.zw.Write(body); err != nil {
			return fmt.Errorf("export spans: gzip: %w", err)
		}
		if err := e.zw.Close(); err != nil {
			return fmt.Errorf("export spans: gzip: %w", err)
		}
		body = e.zbuf.Bytes()
	}
	// Grown for a batch far above the usual, the buffer is let go.
	defer func() {
		if cap(e.buf) > 8<<20 {
			e.buf = nil
		}
	}()
	pause := time.Second
	for {
		retry, wait, err := e.send(ctx, body)
		if err == nil || !retry {
			return err
		}
		if wait <= 0 {
			wait = pause
			pause = min(2*pause, 30*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (then: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// send makes one attempt: whether a failure is worth retrying, and
// after how long the server asked for.
func (e *exporter) send(ctx context.Context, body []byte) (retry bool, wait time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return false, 0, fmt.Errorf("export spans: %w", err)
	}
	for k, v := range e.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("User-Agent", "clipcut")
	if e.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		// The connection failed or timed out: the OTLP specification
		// retries those.
		return true, 0, fmt.Errorf("export spans to %s: %w", e.url, err)
	}
	defer resp.Body.Close()
	// A partial success's message is not worth reading: the spans it
	// rejected are gone either way.
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return false, 0, nil
	}
	err = fmt.Errorf("export spans to %s: %s: %s", e.url, resp.Status, bytes.TrimSpace(msg))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return true, time.Duration(s) * time.Second, err
	}
	return false, 0, err
}

// Shutdown stops the exporter: the batch processor has flushed by then.
func (e *exporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.done = true
	e.client.CloseIdleConnections()
	return ctx.Err()
}
