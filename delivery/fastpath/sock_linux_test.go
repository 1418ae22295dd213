package fastpath

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestFastPathSendsCachedAndUncachedFiles serves a file larger than a
// sendfile chunk twice: first out of the page cache (net's sendfile, which
// may wait for the disk), then from it (raw sendfile), whole and in a
// range spanning chunks.
func TestFastPathSendsCachedAndUncachedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "big.mp4")
	data := make([]byte, 3*sendChunk+12345)
	_, _ = rand.Read(data)
	require.NoError(t, os.WriteFile(name, data, 0o644))

	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.Sync())
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	cold := !pagesCached(f.Fd(), 0, int64(len(data)))
	if !cold {
		t.Log("the file system keeps the file cached (tmpfs?): only the cached case runs")
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/media/big.mp4", serveFileAt(t, name))
	addr, _ := fastServer(t, mux)
	rc := dialRaw(t, addr)
	for _, round := range []string{"first", "second"} {
		rc.send(get("/media/big.mp4"))
		resp, body := rc.read("GET")
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		require.True(t, bytes.Equal(data, body), "%s read: the file's bytes", round)
	}
	require.True(t, pagesCached(f.Fd(), 0, int64(len(data))), "sending the file cached it")
	rc.send(get("/media/big.mp4", "Range: bytes=1000-2500000\r\n"))
	resp, body := rc.read("GET")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.True(t, bytes.Equal(data[1000:2500001], body))
	rc.send(get("/media/big.mp4", "Range: bytes=-5\r\n"))
	_, body = rc.read("GET")
	require.Equal(t, data[len(data)-5:], body)
}

func TestPagesCached(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(name, make([]byte, 64<<10), 0o644))
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	require.True(t, pagesCached(f.Fd(), 0, 64<<10), "just written")
	require.True(t, pagesCached(f.Fd(), 4095, 2), "a range across a page boundary")
	require.False(t, pagesCached(f.Fd(), 60<<10, 8<<10), "past the end of the file")
}
