package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestImportResumesAfterServeIsKilled checks the wiring of importVideo in
// `clipcut serve`: the loopback file server is reachable because
// CLIPCUT_OUTBOUND_ALLOW_CIDRS allows it, and the partial download
// outlives the process. serve is SIGKILLed once half the file has
// arrived (the server holds the rest back); started again on the same
// data directory, it asks for the rest with Range, and the video ends
// READY.
func TestImportResumesAfterServeIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: two serve starts and a transcode")
	}
	t.Parallel()
	clip := makeClipOf(t, "testsrc2=size=320x180:rate=10:duration=2", 2)
	half := len(clip) / 2
	modified := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var (
		mu     sync.Mutex
		ranges []string
	)
	halfSent := make(chan struct{})
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		first := len(ranges) == 1
		mu.Unlock()
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("ETag", `"clip-1"`)
		if first {
			w.Header().Set("Content-Length", fmt.Sprint(len(clip)))
			_, _ = w.Write(clip[:half])
			w.(http.Flusher).Flush()
			close(halfSent)
			<-r.Context().Done() // the rest never comes: the downloader dies first
			return
		}
		http.ServeContent(w, r, "clip.mp4", modified, bytes.NewReader(clip))
	}))
	defer files.Close()

	dir := traversableTempDir(t)
	env := []string{"CLIPCUT_OUTBOUND_ALLOW_CIDRS=127.0.0.1/32", "CLIPCUT_TRANSCRIBER=none"}
	s1 := startClipcut(t, dir, env...)
	s1.waitReady(t)
	res, _ := s1.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = s1.graphql(t, fmt.Sprintf(`mutation { importVideo(input: {url: %q}) { id status } }`, files.URL+"/clip.mp4"),
		"Authorization", "Bearer "+token)
	require.Empty(t, res["errors"], "%v", res)
	id := res["data"].(map[string]any)["importVideo"].(map[string]any)["id"].(string)

	select {
	case <-halfSent:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the download never started\n%s", s1.log())
	}
	part := filepath.Join(dir, "var", "work", "imports", id+".part")
	require.Eventually(t, func() bool {
		fi, err := os.Stat(part)
		return err == nil && fi.Size() == int64(half)
	}, time.Minute, 20*time.Millisecond, "half the file is on disk")
	require.NoError(t, s1.cmd.Process.Signal(syscall.SIGKILL))
	<-s1.done

	s2 := startClipcut(t, dir, env...)
	s2.waitReady(t)
	waitStatus(t, s2, token, id, "READY")
	mu.Lock()
	require.Equal(t, []string{"", fmt.Sprintf("bytes=%d-", half)}, ranges, "the restarted serve asked for the rest")
	mu.Unlock()
	_, err := os.Stat(part)
	require.ErrorIs(t, err, os.ErrNotExist, "the partial file is gone once stored")
	s2.stop(t)
}
