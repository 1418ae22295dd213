package fastpath

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// seenRequest is what a handler sees of a request.
type seenRequest struct {
	Method, RequestURI, Proto, Host string
	URL                             url.URL
	Header                          http.Header
	Close                           bool
	ContentLength                   int64
}

func see(r *http.Request) seenRequest {
	return seenRequest{Method: r.Method, RequestURI: r.RequestURI, Proto: r.Proto, Host: r.Host,
		URL: *r.URL, Header: r.Header.Clone(), Close: r.Close, ContentLength: r.ContentLength}
}

// parseOracle is a plain http.Server that records the first request of
// each connection: what net/http makes of a request head.
type parseOracle struct {
	addr string
	mu   sync.Mutex
	seen map[string]seenRequest // by client address
}

func newParseOracle(tb testing.TB) *parseOracle {
	tb.Helper()
	o := &parseOracle{seen: make(map[string]seenRequest)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(connRequestsKey{}).(*atomic.Int32).Add(1) > 1 {
			return // not the head's first request
		}
		o.mu.Lock()
		o.seen[r.RemoteAddr] = see(r)
		o.mu.Unlock()
	}), ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connRequestsKey{}, new(atomic.Int32))
	}}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	o.addr = ln.Addr().String()
	return o
}

// request sends head to net/http and returns the request its handler saw,
// or false when net/http refused the head.
func (o *parseOracle) request(tb testing.TB, head string) (seenRequest, bool) {
	tb.Helper()
	c, err := net.Dial("tcp", o.addr)
	require.NoError(tb, err)
	defer c.Close()
	require.NoError(tb, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, head)
	require.NoError(tb, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return seenRequest{}, false
	}
	resp.Body.Close()
	o.mu.Lock()
	defer o.mu.Unlock()
	// Taken out: a later connection may get the same port.
	r, ok := o.seen[c.LocalAddr().String()]
	delete(o.seen, c.LocalAddr().String())
	return r, ok && resp.StatusCode == http.StatusOK
}

type (
	ctxKey          struct{}
	connRequestsKey struct{}
)

// checkFastParse holds the fast path's parse of head to net/http's: when
// the fast path takes a head, net/http must have accepted it and made the
// same request of it. It reports whether the fast path took it.
func checkFastParse(t *testing.T, o *parseOracle, head string) bool {
	t.Helper()
	end := strings.Index(head, "\r\n\r\n")
	if end < 0 || end+4 > fastHeadMax {
		return false // readHead never passes such a head to parse
	}
	head = head[:end+4]
	base := context.WithValue(context.Background(), ctxKey{}, "base")
	fc := &fastConn{l: &Listener{cfg: Config{BaseContext: base}}, remote: "192.0.2.1:4321"}
	got, ok := fc.parse([]byte(head))
	if !ok {
		return false
	}
	want, accepted := o.request(t, head)
	require.True(t, accepted, "the fast path took a head net/http refuses: %q", head)
	require.Equal(t, want, see(got), "head %q", head)
	require.Equal(t, "192.0.2.1:4321", got.RemoteAddr)
	require.Equal(t, http.NoBody, got.Body)
	require.Equal(t, "base", got.Context().Value(ctxKey{}), "the request carries the base context")
	return true
}

// fastParseSeeds are heads the fast path takes (true) or must leave to
// net/http (false).
var fastParseSeeds = []struct {
	head string
	fast bool
}{
	{"GET /media/videos/x/hls/720p/index.m3u8 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", true},
	{"HEAD /media/a%20b/seg.ts?x=1&y=%2F HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/t/tok/videos/x/hls/index.m3u8? HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/x HTTP/1.1\r\nhost: example.test\r\nuser-agent: \t VLC/3.0 \t\r\naccept: */*\r\nsec-ch-ua: \"x\"\r\n" +
		"Accept-Language: en\r\nX-Empty:\r\nCookie: a=1\r\nCookie: b=2\r\nRange: bytes=0-99\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\n", true},
	{"GET /media/x!y*(z)';,$&+=:@ HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/a%2Fb%41 HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/a%zz HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x?? HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/x?a=%zz&b=?c? HTTP/1.1\r\nHost: example.test\r\n\r\n", true},
	{"GET /media/~x/./../y?# HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nPragma: no-cache\r\n\r\n", true},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nPragma: no-cache\r\nCache-Control: max-age=0\r\n\r\n", true},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, Close\r\n\r\n", true},
	{"GET /media/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", true},
	{"GET /media/x HTTP/1.1\r\nX_Under_score: 1\r\nHost: example.test\r\n\r\n", true},

	{"GET /media/x HTTP/1.1\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: a b\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nX-Fold: a\r\n b\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nBad Header: 1\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nNoColon\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\n: empty name\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nX: a\x00b\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nX: a\rb\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\nHost: example.test\r\n\r\n", false},
	{"GET /media/x HTTP/1.0\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x HTTP/1.10\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x  HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x#frag HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/caf\xc3\xa9 HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nExpect: 100-continue\r\n\r\n", false},
	{"GET /media/x HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", false},
	{"GET http://example.test/media/x HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"POST /media/x HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
	{"GET /api HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
}

func TestFastParseMatchesNetHTTP(t *testing.T) {
	t.Parallel()
	o := newParseOracle(t)
	for _, s := range fastParseSeeds {
		require.Equal(t, s.fast, checkFastParse(t, o, s.head), "fast path takes %q", s.head)
	}
}

// FuzzFastParse looks for a head the fast path reads differently from
// net/http: go test ./delivery/fastpath -run '^$' -fuzz FuzzFastParse.
func FuzzFastParse(f *testing.F) {
	for _, s := range fastParseSeeds {
		f.Add(s.head)
	}
	o := newParseOracle(f)
	f.Fuzz(func(t *testing.T, head string) {
		checkFastParse(t, o, head)
	})
}

func TestBareLF(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"": false, "GET / HTTP/1.1\r\n": false, "GET / HTTP/1.1\r\nHost: a\r\n\r": false,
		"\n": true, "GET / HTTP/1.1\n": true, "a\r\nb\nc": true, "a\r\n\n": true,
	} {
		require.Equal(t, want, bareLF([]byte(in)), "%q", in)
	}
}
