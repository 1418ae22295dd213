package fastpath

import (
	"bytes"
	"context"
	"net/http"
	"net/textproto"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/clipcut/clipcut/layout"
)

// parse reads a request head and reports whether the fast path may answer
// it: GET or HEAD of the media path in origin form, HTTP/1.1, one valid
// Host, no body, no upgrade or expectation, every header field valid and
// on one line. Anything else is net/http's to answer, its errors
// included.
//
// The request it returns is the one http.ReadRequest would (a test holds
// them equal), made with fewer allocations: the head becomes one string
// that every header key and value is a part of, the values share one
// array, and the request is created with its context instead of copied
// into it. On a cached playlist, ReadRequest and the copy cost more than
// the handler.
func (fc *fastConn) parse(head []byte) (*http.Request, bool) {
	var method string
	switch {
	case bytes.HasPrefix(head, []byte("GET "+layout.BasePath)):
		method = http.MethodGet
	case bytes.HasPrefix(head, []byte("HEAD "+layout.BasePath)):
		method = http.MethodHead
	default:
		return nil, false
	}
	text := string(head)
	line, rest, _ := strings.Cut(text, "\r\n")
	target, proto, ok := strings.Cut(line[len(method)+1:], " ")
	if !ok || proto != "HTTP/1.1" || !plainTarget(target) {
		return nil, false
	}

	lines := strings.Count(rest, "\n") - 1 // the last one ends the head
	hdr := make(http.Header, lines)
	values := make([]string, 0, lines)
	var host string
	hosts := 0
	for {
		line, rest, _ = strings.Cut(rest, "\r\n")
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		// A line starting with a blank continues the one before
		// (obsolete line folding): net/http's to refuse.
		if !ok || !httpguts.ValidHeaderFieldName(name) {
			return nil, false
		}
		value = strings.Trim(value, " \t")
		if !httpguts.ValidHeaderFieldValue(value) {
			return nil, false
		}
		name = canonicalKey(name)
		switch name {
		case "Host":
			// net/http's server keeps Host out of the header map.
			host = value
			hosts++
			continue
		case "Content-Length", "Transfer-Encoding", "Expect", "Upgrade", "Trailer":
			return nil, false
		}
		if vv, ok := hdr[name]; ok {
			hdr[name] = append(vv, value)
			continue
		}
		values = append(values, value)
		hdr[name] = values[len(values)-1 : len(values) : len(values)]
	}
	if hosts != 1 || !httpguts.ValidHostHeader(host) {
		return nil, false
	}
	if httpguts.HeaderValuesContainsToken(hdr["Connection"], "upgrade") {
		return nil, false
	}
	// As ReadRequest: HTTP/1.0's Pragma: no-cache means Cache-Control:
	// no-cache when the request has no Cache-Control.
	if pv := hdr["Pragma"]; len(pv) > 0 && pv[0] == "no-cache" {
		if _, ok := hdr["Cache-Control"]; !ok {
			hdr["Cache-Control"] = []string{"no-cache"}
		}
	}

	req, err := newRequest(fc.l.cfg.BaseContext, method, target)
	if err != nil {
		return nil, false
	}
	req.Header = hdr
	req.Host = host
	req.RequestURI = target
	req.RemoteAddr = fc.remote
	req.Body = http.NoBody
	req.Close = httpguts.HeaderValuesContainsToken(hdr["Connection"], "close")
	return req, true
}

// newRequest makes the request for target with ctx. The URL of a target
// whose path has only unreserved characters and slashes (what players
// request) is set as url.Parse would set it, without its two scans of
// every byte for escapes; any other target is parsed.
func newRequest(ctx context.Context, method, target string) (*http.Request, error) {
	path, query := target, ""
	force := strings.HasSuffix(target, "?") && strings.Count(target, "?") == 1 // as url.Parse
	if force {
		path = target[:len(target)-1]
	} else {
		path, query, _ = strings.Cut(target, "?")
	}
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
		default:
			return http.NewRequestWithContext(ctx, method, target, nil)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL.Path, req.URL.RawQuery, req.URL.ForceQuery = path, query, force
	return req, nil
}

// plainTarget reports whether target, already known to start with
// layout.BasePath, is an origin-form request target the fast path parses exactly
// as net/http does: visible ASCII, no fragment.
func plainTarget(target string) bool {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// canonicalKey returns the canonical form of a valid header field name,
// without allocating when it is canonical already (as clients send the
// common ones).
func canonicalKey(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return textproto.CanonicalMIMEHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}
