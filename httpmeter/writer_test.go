package httpmeter_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/httpmeter"
)

// TestWriterCounts checks status and size for a body written without a
// header, with a header, and copied from a file through ReadFrom.
func TestWriterCounts(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &httpmeter.Writer{ResponseWriter: rec}
	_, err := w.Write([]byte("hello"))
	require.NoError(t, err)
	w.WriteHeader(http.StatusTeapot) // too late: the first status stays
	require.Equal(t, http.StatusOK, w.Status)
	require.EqualValues(t, 5, w.Bytes)

	rec = httptest.NewRecorder()
	w = &httpmeter.Writer{ResponseWriter: rec}
	w.WriteHeader(http.StatusNotFound)
	n, err := w.ReadFrom(strings.NewReader("not here"))
	require.NoError(t, err)
	require.EqualValues(t, 8, n)
	require.Equal(t, http.StatusNotFound, w.Status)
	require.EqualValues(t, 8, w.Bytes)
	require.Equal(t, "not here", rec.Body.String())
}

// TestWriterKeepsSendfile serves a file through a real server with the
// wrapper in between: the wrapper must offer io.ReaderFrom (which
// http.ServeContent needs for sendfile), Flush and Hijack, and count
// every byte.
func TestWriterKeepsSendfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "seg.ts")
	body := strings.Repeat("x", 1<<20)
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
	got := make(chan *httpmeter.Writer, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &httpmeter.Writer{ResponseWriter: rw}
		var _ io.ReaderFrom = w
		var _ http.Flusher = w
		var _ http.Hijacker = w
		http.ServeFile(w, r, file)
		got <- w
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Len(t, b, len(body))
	w := <-got
	require.Equal(t, http.StatusOK, w.Status)
	require.EqualValues(t, len(body), w.Bytes)
}

// TestWriterHijack checks a hijacked connection is recorded as 101 and
// still works.
func TestWriterHijack(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &httpmeter.Writer{ResponseWriter: rw}
		conn, buf, err := w.Hijack()
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		if w.Status != http.StatusSwitchingProtocols {
			return
		}
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhi")
		buf.Flush()
	}))
	defer srv.Close()
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n"))
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	rest, err := io.ReadAll(br) // a 101 has no body: the rest is the new protocol
	require.NoError(t, err)
	require.Equal(t, "hi", string(rest))
}
