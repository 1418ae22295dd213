package fastpath

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestFastPathSendsCachedAndUncachedFiles serves a file larger than a
// sendfile chunk twice: first out of the page cache (net's sendfile, which
// may wait for the disk), then from it (raw sendfile), whole and in a
// range spanning chunks.
func TestFastPathSendsCachedAndUncachedFiles(t *testing.T) {
	t.Parallel()
	name, data := randomFile(t, "big.mp4", 3*sendChunk+12345)

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

// TestFastPathSendsSectionsOfASharedFile serves sections of one open file
// (delivery's shared files) to concurrent connections, out of the page
// cache and from it, whole and in ranges, and checks the bytes and that
// the file's own offset never moved.
func TestFastPathSendsSectionsOfASharedFile(t *testing.T) {
	t.Parallel()
	name, data := randomFile(t, "big.ts", 2*sendChunk+777)
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	const base = 100 // the section starts inside the file
	sections := make(chan bool, 64)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := w.(interface{ SendsFileSections() bool })
		sections <- ok && s.SendsFileSections()
		http.ServeContent(w, r, "", time.Time{}, io.NewSectionReader(f, base, int64(len(data)-base)))
	})
	addr, _ := fastServer(t, h)
	want := data[base:]
	// Requests on every connection at once, then the answers: the
	// server sends from the one file concurrently.
	conns := make([]*rawConn, 4)
	for i := range conns {
		conns[i] = dialRaw(t, addr)
	}
	for range 3 {
		for i, rc := range conns {
			if i%2 == 0 {
				rc.send(get("/media/big.ts"))
			} else {
				rc.send(get("/media/big.ts", "Range: bytes=1000-1500000\r\n"))
			}
		}
		for i, rc := range conns {
			resp, body := rc.read("GET")
			require.Equal(t, "fast", resp.Header.Get("X-Path"))
			if i%2 == 0 {
				require.True(t, bytes.Equal(want, body), "the section's bytes")
			} else {
				require.Equal(t, http.StatusPartialContent, resp.StatusCode)
				require.True(t, bytes.Equal(want[1000:1500001], body), "the range's bytes")
			}
		}
	}
	require.True(t, <-sections, "the fast path's writer sends sections")
	off, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	require.Zero(t, off, "the file's own offset")
}

// TestFastPathSendsFromAFilesOwnOffset sends a file in two pieces from its
// own offset (each a ReadFrom of the open file, the second from where the
// first left it), cached and not, and a pipe, which has no offset to send
// from.
func TestFastPathSendsFromAFilesOwnOffset(t *testing.T) {
	t.Parallel()
	name, data := randomFile(t, "big.mp4", 2*sendChunk+4321)
	first := int64(sendChunk + 1000) // ends inside the second chunk
	offsets := make(chan int64, 8)
	mux := http.NewServeMux()
	mux.HandleFunc("/media/file", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(name)
		require.NoError(t, err)
		defer f.Close()
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, err = io.CopyN(w, f, first)
		require.NoError(t, err)
		_, err = io.Copy(w, f)
		require.NoError(t, err)
		off, err := f.Seek(0, io.SeekCurrent)
		require.NoError(t, err)
		offsets <- off
	})
	mux.HandleFunc("/media/pipe", func(w http.ResponseWriter, r *http.Request) {
		pr, pw, err := os.Pipe()
		require.NoError(t, err)
		defer pr.Close()
		go func() {
			_, _ = pw.Write(data)
			pw.Close()
		}()
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, err = io.CopyN(w, pr, first)
		require.NoError(t, err)
		_, err = io.Copy(w, pr)
		require.NoError(t, err)
	})
	addr, _ := fastServer(t, mux)
	rc := dialRaw(t, addr)
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	for _, round := range []string{"first", "second"} {
		rc.send(get("/media/file"))
		resp, body := rc.read("GET")
		require.Equal(t, "fast", resp.Header.Get("X-Path"))
		require.True(t, bytes.Equal(data, body), "%s read: the file's bytes in order", round)
		require.Equal(t, int64(len(data)), <-offsets, "%s read: the offset is past the bytes sent", round)
	}
	rc.send(get("/media/pipe"))
	resp, body := rc.read("GET")
	require.Equal(t, "fast", resp.Header.Get("X-Path"))
	require.True(t, bytes.Equal(data, body), "the pipe's bytes")
}

// randomFile writes size random bytes to a file base in a new temporary
// directory and returns its name and bytes.
func randomFile(t *testing.T, base string, size int) (string, []byte) {
	t.Helper()
	name := filepath.Join(t.TempDir(), base)
	data := make([]byte, size)
	_, _ = rand.Read(data)
	require.NoError(t, os.WriteFile(name, data, 0o644))
	return name, data
}
