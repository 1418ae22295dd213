package fastpath

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fastServer serves h through a Listener and an http.Server behind
// it, the way clipcut's server does. Every response says which of the two
// answered in an X-Path header ("fast" or "net/http").
func fastServer(t *testing.T, h http.Handler) (addr string, fl *Listener) {
	t.Helper()
	return fastServerWith(t, h, Config{IdleTimeout: 5 * time.Second, ReadHeaderTimeout: time.Second})
}

// fastServerWith is fastServer with the fast path's configuration.
func fastServerWith(t *testing.T, h http.Handler, cfg Config) (addr string, fl *Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tagged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := "net/http"
		if _, ok := w.(*fastWriter); ok {
			path = "fast"
		}
		w.Header().Set("X-Path", path)
		h.ServeHTTP(w, r)
	})
	fl = NewListener(ln, tagged, cfg)
	// net/http's own head timeout is longer than the fast path's, so a
	// test can tell which of the two cut a slow client off.
	srv := &http.Server{Handler: tagged, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(fl) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), fl
}

// rawConn is a client connection that sends exactly the bytes it is told.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	_, err := io.WriteString(rc.c, s)
	require.NoError(rc.t, err)
}

// read reads one response to a request with the given method.
func (rc *rawConn) read(method string) (*http.Response, []byte) {
	rc.t.Helper()
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	require.NoError(rc.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(rc.t, err)
	resp.Body.Close()
	return resp, body
}

func get(path string, extra ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: example.test\r\n" + strings.Join(extra, "") + "\r\n"
}

func TestFastPathServesMediaAndHandsOffTheRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	segment := make([]byte, 300<<10)
	_, _ = rand.Read(segment)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "seg.ts"), segment, 0o644))
	modTime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "seg.ts"), modTime, modTime))

	mux := http.NewServeMux()
	mux.HandleFunc("/media/seg.ts", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(dir, "seg.ts"))
		require.NoError(t, err)
		defer f.Close()
		w.Header().Set("Content-Type", "video/mp2t")
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "", modTime, f)
	})
	mux.HandleFunc("/media/list.m3u8", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		http.ServeContent(w, r, "", modTime, strings.NewReader("#EXTM3U\n#EXT-X-ENDLIST\n"))
	})
	mux.HandleFunc("/media/missing", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "api:"+r.Method+":"+string(b))
	})
	addr, _ := fastServer(t, mux)

	t.Run("keep-alive media requests stay on the fast path", func(t *testing.T) {
		t.Parallel()
		rc := dialRaw(t, addr)
		for range 3 {
			rc.send(get("/media/seg.ts"))
			resp, body := rc.read("GET")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "fast", resp.Header.Get("X-Path"))
			require.Equal(t, "video/mp2t", resp.Header.Get("Content-Type"))
			require.NotEmpty(t, resp.Header.Get("Date"))
			require.Equal(t, int64(len(segment)), resp.ContentLength)
			require.True(t, bytes.Equal(segment, body), "sendfile sent the file's bytes")
		}
		// A small in-memory object, an error with no length set by the
		// handler, and pipelined requests in one write.
		rc.send(get("/media/list.m3u8") + get("/media/missing") + get("/media/list.m3u8"))
		resp, body := rc.read("GET")
		require.Equal(t, "#EXTM3U\n#EXT-X-ENDLIST\n", string(body))
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		resp, body = rc.read("GET")
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
		require.Equal(t, "not found\n", string(body))
		require.Equal(t, int64(len(body)), resp.ContentLength)
		resp, _ = rc.read("GET")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	})

	t.Run("ranges, conditionals and HEAD", func(t *testing.T) {
		t.Parallel()
		rc := dialRaw(t, addr)
		rc.send(get("/media/seg.ts", "Range: bytes=100-199\r\n"))
		resp, body := rc.read("GET")
		require.Equal(t, http.StatusPartialContent, resp.StatusCode)
		require.Equal(t, segment[100:200], body)
		rc.send(get("/media/seg.ts", "If-None-Match: \"v1\"\r\n"))
		resp, body = rc.read("GET")
		require.Equal(t, http.StatusNotModified, resp.StatusCode)
		require.Empty(t, body)
		rc.send("HEAD /media/seg.ts HTTP/1.1\r\nHost: example.test\r\n\r\n")
		resp, body = rc.read("HEAD")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		require.Equal(t, int64(len(segment)), resp.ContentLength)
		require.Empty(t, body)
		// The connection is still in step after all three.
		rc.send(get("/media/list.m3u8"))
		resp, _ = rc.read("GET")
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
	})

	t.Run("the first other request moves the connection to net/http", func(t *testing.T) {
		t.Parallel()
		rc := dialRaw(t, addr)
		rc.send(get("/media/list.m3u8"))
		resp, _ := rc.read("GET")
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		// A POST with a body, pipelined with a media request: both reach
		// net/http with every byte.
		rc.send("POST /api HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello" + get("/media/seg.ts"))
		resp, body := rc.read("POST")
		require.Equal(t, "net/http", resp.Header.Get("X-Path"))
		require.Equal(t, "api:POST:hello", string(body))
		resp, body = rc.read("GET")
		require.Equal(t, "net/http", resp.Header.Get("X-Path"))
		require.True(t, bytes.Equal(segment, body))
	})

	t.Run("requests the fast path does not take", func(t *testing.T) {
		t.Parallel()
		for name, req := range map[string]string{
			"body":       "GET /media/list.m3u8 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n",
			"HTTP/1.0":   "GET /media/list.m3u8 HTTP/1.0\r\nHost: example.test\r\n\r\n",
			"upgrade":    get("/media/list.m3u8", "Connection: Upgrade\r\nUpgrade: websocket\r\n"),
			"big head":   get("/media/list.m3u8", "X-Big: "+strings.Repeat("a", fastHeadMax)+"\r\n"),
			"absolute":   "GET http://example.test/media/list.m3u8 HTTP/1.1\r\nHost: example.test\r\n\r\n",
			"other path": get("/api"),
			"bare LF":    "GET /media/list.m3u8 HTTP/1.1\nHost: example.test\n\n",
		} {
			rc := dialRaw(t, addr)
			rc.send(req)
			resp, _ := rc.read("GET")
			require.Equal(t, "net/http", resp.Header.Get("X-Path"), name)
		}
		// Malformed heads are net/http's to refuse.
		for name, req := range map[string]string{
			"no host":  "GET /media/list.m3u8 HTTP/1.1\r\n\r\n",
			"two host": get("/media/list.m3u8", "Host: other.test\r\n"),
			"bad line": "GET /media/list.m3u8 HTTP/1.1\r\nBad Header\r\n\r\n",
		} {
			rc := dialRaw(t, addr)
			rc.send(req)
			resp, _ := rc.read("GET")
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, name)
		}
	})

	t.Run("a head that stalls is cut off by the fast path's timeout", func(t *testing.T) {
		t.Parallel()
		rc := dialRaw(t, addr)
		start := time.Now()
		rc.send("GET /media/list.m3u8 HTTP/1.1\r\nHost: example.test\r\n") // no blank line
		_, err := rc.br.ReadByte()
		require.ErrorIs(t, err, io.EOF)
		took := time.Since(start)
		require.GreaterOrEqual(t, took, 900*time.Millisecond, "ReadHeaderTimeout applies")
		// The bound is loose for a busy machine; a connection left open
		// would instead wait for the client, which never sends the rest.
		require.Less(t, took, 30*time.Second, "closed by the fast path")
	})

	t.Run("Connection: close", func(t *testing.T) {
		t.Parallel()
		rc := dialRaw(t, addr)
		rc.send(get("/media/list.m3u8", "Connection: close\r\n"))
		resp, _ := rc.read("GET")
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		require.True(t, resp.Close)
		_, err := rc.br.ReadByte()
		require.ErrorIs(t, err, io.EOF, "the server closed the connection")
	})
}

// TestFastPathDropsAClientThatStopsReading checks SendTimeout: a client
// that stops reading a file is disconnected, one that keeps reading with
// pauses shorter than the timeout gets every byte, and a deadline left
// from one response does not fail the next.
func TestFastPathDropsAClientThatStopsReading(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "big.mp4")
	data := make([]byte, 48<<20) // far more than loopback's socket buffers hold
	_, _ = rand.Read(data[:1<<20])
	require.NoError(t, os.WriteFile(name, data, 0o644))
	served := make(chan string, 4) // the query of each file response, once its handler returned
	mux := http.NewServeMux()
	mux.HandleFunc("/media/big.mp4", func(w http.ResponseWriter, r *http.Request) {
		serveFileAt(t, name)(w, r)
		served <- r.URL.RawQuery
	})
	mux.HandleFunc("/media/small", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	// The steady reader pauses 100 ms; the timeout is far longer, so a
	// busy machine does not make a pause look like a stall.
	const timeout = 2 * time.Second
	addr, _ := fastServerWith(t, mux, Config{IdleTimeout: 5 * time.Second, ReadHeaderTimeout: time.Second, SendTimeout: timeout})

	rc := dialRaw(t, addr)
	rc.send(get("/media/big.mp4?reader=steady"))
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: "GET"})
	require.NoError(t, err)
	require.Equal(t, "fast", resp.Header.Get("X-Path"))
	buf := make([]byte, 1<<20)
	var got int
	for i := 0; ; i++ {
		if i%8 == 7 {
			time.Sleep(100 * time.Millisecond)
		}
		n, err := io.ReadFull(resp.Body, buf)
		got += n
		if err != nil {
			break
		}
	}
	require.Equal(t, len(data), got, "a client that keeps reading gets every byte")
	require.Equal(t, "reader=steady", <-served)
	time.Sleep(2 * timeout) // past any deadline the response left
	rc.send(get("/media/small"))
	_, body := rc.read("GET")
	require.Equal(t, "ok", string(body))

	stalled := dialRaw(t, addr)
	// Taken before the request is sent: the server's send deadline starts
	// after it arrives, so no sooner than this.
	start := time.Now()
	stalled.send(get("/media/big.mp4?reader=stalled"))
	select {
	case q := <-served:
		require.Equal(t, "reader=stalled", q)
	case <-time.After(time.Minute):
		t.Fatal("the response to a client that stopped reading was not ended")
	}
	require.GreaterOrEqual(t, time.Since(start), timeout)
	resp, err = http.ReadResponse(stalled.br, &http.Request{Method: "GET"})
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.Error(t, err, "the connection ended before the body did")
	require.Less(t, n, int64(len(data)))
}

// serveFileAt answers with the file at name through ServeContent, as the
// media handler does (sendfile, ranges).
func serveFileAt(t *testing.T, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(name)
		require.NoError(t, err)
		defer f.Close()
		http.ServeContent(w, r, "", time.Time{}, f)
	}
}

// TestFastListenerClose checks that closing the listener ends idle
// fast-path connections at once and makes Accept fail.
func TestFastListenerClose(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fl := NewListener(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}), Config{IdleTimeout: time.Minute})
	rc := dialRaw(t, ln.Addr().String())
	rc.send(get("/media/x"))
	resp, body := rc.read("GET")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok", string(body))

	require.NoError(t, fl.Close())
	start := time.Now()
	_, err = rc.br.ReadByte()
	require.ErrorIs(t, err, io.EOF)
	require.Less(t, time.Since(start), 30*time.Second, "the idle connection was closed, not left to its idle timeout (a minute)")
	_, err = fl.Accept()
	require.ErrorIs(t, err, net.ErrClosed)
}
