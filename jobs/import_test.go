package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/outbound"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// importPipeline is the pipeline with imports allowed to reach allow (and
// public addresses), keeping partial downloads in the returned directory.
func importPipeline(t *testing.T, allow ...string) (*pipeline, string) {
	t.Helper()
	var policy outbound.Policy
	for _, a := range allow {
		policy.Allow = append(policy.Allow, netip.MustParsePrefix(a))
	}
	dir := t.TempDir()
	p := newPipelineOpts(t, pipelineOptions{backend: "local", deps: func(d *jobs.Deps) {
		d.Outbound = policy
		d.ImportDir = dir
	}})
	return p, dir
}

// importURL asks for an import of rawURL held to lim and returns the video.
func (p *pipeline) importURL(rawURL string, lim store.Limits) store.Video {
	p.t.Helper()
	v, err := p.videos.ImportVideo(context.Background(), p.viewer, video.Import{URL: rawURL}, lim)
	require.NoError(p.t, err, rawURL)
	require.Equal(p.t, store.StatusUploading, v.Status)
	require.Equal(p.t, store.StageImport, v.Stage)
	return v
}

// failed waits for the video to end FAILED and returns its reason.
func (p *pipeline) failed(id uuid.UUID) string {
	p.t.Helper()
	v := p.waitFor(id, "the import to fail", func(v store.Video) bool {
		return v.Status == store.StatusFailed || v.Status == store.StatusReady
	})
	require.Equal(p.t, store.StatusFailed, v.Status)
	require.NotNil(p.t, v.Error)
	return *v.Error
}

// serveOn serves h on a loopback address ("127.0.0.1" or another of
// 127.0.0.0/8) and returns its base URL.
func serveOn(t *testing.T, ip string, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// requests records the Range and If-Range headers of each request.
type requests struct {
	mu     sync.Mutex
	ranges []string
	ifs    []string
}

func (r *requests) add(req *http.Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ranges = append(r.ranges, req.Header.Get("Range"))
	r.ifs = append(r.ifs, req.Header.Get("If-Range"))
	return len(r.ranges)
}

func (r *requests) snapshot() (ranges, ifs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ranges...), append([]string(nil), r.ifs...)
}

func (p *pipeline) storedSource(id uuid.UUID) []byte {
	p.t.Helper()
	path, release, err := p.uploads.Source(context.Background(), id)
	require.NoError(p.t, err)
	defer release()
	data, err := os.ReadFile(path)
	require.NoError(p.t, err)
	return data
}

func requireEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no partial download is left behind")
}

// An import from a server allowed by configuration ends READY with the
// server's bytes as its source, whether the server says the size or not;
// one whose connection drops halfway is resumed by the job's next attempt
// with Range from where the partial file ends.
func TestImportFromALinkEndsReadyAndResumesWithRange(t *testing.T) {
	p, dir := importPipeline(t, "127.0.0.0/8")
	ctx := context.Background()
	src, err := os.ReadFile(ffmpegClip(t, "import.mp4", cat(testsrc("320x180", 10, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...))
	require.NoError(t, err)
	modified := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	// A plain server that streams without a Content-Length.
	chunked := serveOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		for rest := src; len(rest) > 0; {
			n := min(len(rest), 16<<10)
			_, _ = w.Write(rest[:n])
			w.(http.Flusher).Flush()
			rest = rest[n:]
		}
	}))

	// A server that drops the connection after half the file, then serves
	// ranges.
	half := len(src) / 2
	var seen requests
	dropping := serveOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("ETag", `"v1"`)
		if seen.add(r) == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(src)))
			w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
			_, _ = w.Write(src[:half])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection closes mid-body
		}
		http.ServeContent(w, r, "clip.mp4", modified, bytes.NewReader(src))
	}))

	plain := p.importURL(chunked+"/videos/holiday.mp4", store.Limits{MaxFileSize: 1 << 30})
	require.Equal(t, "holiday", plain.Title, "the title defaults to the file's name")
	resumed := p.importURL(dropping+"/clip.mp4?token=abc", store.Limits{})

	for _, id := range []uuid.UUID{plain.ID, resumed.ID} {
		v := p.ready(id)
		require.NotEmpty(t, v.Renditions)
		require.EqualValues(t, len(src), v.UploadSize, "the quota counts the file")
		require.True(t, bytes.Equal(src, p.storedSource(id)), "the stored source is the whole file")
	}
	ranges, ifs := seen.snapshot()
	require.Len(t, ranges, 2, "one attempt cut short, one that resumed")
	require.Equal(t, "", ranges[0])
	require.Equal(t, fmt.Sprintf("bytes=%d-", half), ranges[1], "the second request asks for the rest")
	require.Equal(t, `"v1"`, ifs[1], "resumed only if the file is the same")
	requireEmptyDir(t, dir)

	_, err = p.videos.ImportVideo(ctx, p.viewer, video.Import{URL: "ftp://example.com/a.mp4"}, store.Limits{})
	var ie *video.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "url", ie.Field)
}

// A resumed download whose server ignores Range (200 instead of 206)
// starts over and still ends with the exact file.
func TestImportRestartsWhenTheServerIgnoresRange(t *testing.T) {
	p, dir := importPipeline(t, "127.0.0.0/8")
	src, err := os.ReadFile(ffmpegClip(t, "import.mp4", cat(testsrc("320x180", 10, 1), fastH264)...))
	require.NoError(t, err)
	var seen requests
	base := serveOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(src)))
		if seen.add(r) == 1 {
			_, _ = w.Write(src[:len(src)/3])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		_, _ = w.Write(src)
	}))
	v := p.importURL(base+"/file", store.Limits{})
	p.ready(v.ID)
	ranges, _ := seen.snapshot()
	require.Equal(t, []string{"", fmt.Sprintf("bytes=%d-", len(src)/3)}, ranges)
	require.True(t, bytes.Equal(src, p.storedSource(v.ID)))
	requireEmptyDir(t, dir)
}

// Imports that cannot succeed end FAILED with a reason a person can act
// on, without retries: a 404, a size over the limit (announced, or found
// while streaming), a refused address (directly or after a redirect), a
// web page, and a file that is not a video (failed by the probe, like an
// upload).
func TestImportFailsWithAReason(t *testing.T) {
	// 127.0.0.1 is allowed; 127.0.0.2 stands for an internal address that
	// is not.
	p, dir := importPipeline(t, "127.0.0.1/32")

	var refusedHits atomic.Int32
	refused := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refusedHits.Add(1)
		_, _ = w.Write([]byte("secret"))
	}))
	junk := noise(64 << 10)
	var bigGone atomic.Bool
	var bigSent atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("/missing.mp4", http.NotFoundHandler())
	mux.HandleFunc("/huge.mp4", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("Content-Length", fmt.Sprint(10<<20))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the client hangs up without asking for the body
		bigGone.Store(true)
	})
	mux.HandleFunc("/endless.mp4", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		for r.Context().Err() == nil && bigSent.Load() < 64<<20 {
			n, err := w.Write(junk)
			bigSent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/redirect.mp4", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, refused+"/internal.mp4", http.StatusFound)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Watch my video</title>"))
	})
	mux.HandleFunc("/junk.mp4", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		_, _ = w.Write(junk)
	})
	allowed := serveOn(t, "127.0.0.1", mux)

	limit := store.Limits{MaxFileSize: 1 << 20}
	cases := []struct {
		url  string
		want []string
	}{
		{allowed + "/missing.mp4", []string{"404 Not Found", "127.0.0.1"}},
		{allowed + "/huge.mp4", []string{"10 MiB", "1 MiB limit"}},
		{allowed + "/endless.mp4", []string{"1 MiB limit"}},
		{refused + "/internal.mp4", []string{"127.0.0.2", "does not download from"}},
		{allowed + "/redirect.mp4", []string{"redirects to " + refused + "/internal.mp4", "127.0.0.2", "does not download from"}},
		{allowed + "/page", []string{"web page"}},
		{allowed + "/junk.mp4", []string{"not a video"}},
	}
	ids := make([]uuid.UUID, len(cases))
	for i, c := range cases {
		ids[i] = p.importURL(c.url, limit).ID
	}
	for i, c := range cases {
		reason := p.failed(ids[i])
		t.Logf("%s: %s", c.url, reason)
		for _, w := range c.want {
			require.Contains(t, reason, w, c.url)
		}
		var attempts int
		require.NoError(t, p.store.Pool().QueryRow(context.Background(),
			`SELECT coalesce(max(attempt), 0) FROM river_job WHERE kind = 'import' AND args->>'video_id' = $1`, ids[i].String()).Scan(&attempts))
		require.Equal(t, 1, attempts, "%s fails at once", c.url)
	}
	require.Zero(t, refusedHits.Load(), "nothing reached the refused address")
	require.True(t, bigGone.Load(), "the oversized download was dropped after its headers")
	require.Less(t, bigSent.Load(), int64(64<<20), "the stream without a size was cut off")
	v, err := p.store.VideoByID(context.Background(), ids[1])
	require.NoError(t, err)
	require.Zero(t, v.UploadSize, "an oversized file counts nothing against the quota")
	requireEmptyDir(t, dir)

	// The storage quota, with other videos counted (900000 + 64 KiB of
	// junk), applies the same way.
	_, err = p.store.Pool().Exec(context.Background(), `UPDATE videos SET upload_size = 900000 WHERE id = $1`, ids[0])
	require.NoError(t, err)
	quota := p.importURL(allowed+"/junk.mp4", store.Limits{StorageQuota: 1_000_000})
	require.Contains(t, p.failed(quota.ID), "storage quota")
	require.True(t, strings.HasPrefix(allowed, "http://127.0.0.1:"))
}

// Deleting a video while its file downloads stops the download and leaves
// no partial file behind.
func TestDeletingAnImportStopsItsDownload(t *testing.T) {
	p, dir := importPipeline(t, "127.0.0.1/32")
	var gone atomic.Bool
	base := serveOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		_, _ = w.Write(make([]byte, 64<<10))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // then nothing more, until the client hangs up
		gone.Store(true)
	}))
	v := p.importURL(base+"/slow.mp4", store.Limits{})
	part := dir + "/" + v.ID.String() + ".part"
	deadline := time.Now().Add(time.Minute)
	for fi, err := os.Stat(part); err != nil || fi.Size() == 0; fi, err = os.Stat(part) {
		require.True(t, time.Now().Before(deadline), "the download never started")
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, p.videos.Delete(context.Background(), v.ID, p.viewer))
	for {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		if len(entries) == 0 && gone.Load() {
			break
		}
		require.True(t, time.Now().Before(deadline), "the partial download is still there: %v", entries)
		time.Sleep(100 * time.Millisecond)
	}
}
