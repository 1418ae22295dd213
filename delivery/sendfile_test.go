package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// readFromRecorder is a ResponseWriter that, like net/http's, accepts
// io.ReaderFrom, and notes what it was handed.
type readFromRecorder struct {
	*httptest.ResponseRecorder
	sources []io.Reader
}

func (r *readFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	r.sources = append(r.sources, src)
	return io.Copy(r.ResponseRecorder, src)
}

// TestLocalFilesReachSendfile checks that a segment on local disk reaches
// the ResponseWriter's ReadFrom as the open file itself (limited to the
// range), which is where net/http switches to sendfile, also through the
// metrics wrapper.
func TestLocalFilesReachSendfile(t *testing.T) {
	t.Parallel()
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	body := strings.Repeat("x", 10000)
	key := "videos/" + id.String() + "/hls/720p/seg_00000.ts"
	require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), ""))
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)

	for _, reg := range []prometheus.Registerer{nil, prometheus.NewRegistry()} {
		h, err := New(Config{Bucket: bucket, Signer: signer, Registerer: reg,
			Lookup: func(context.Context, uuid.UUID) (VideoState, error) { return VideoState{Privacy: PrivacyPublic}, nil }})
		require.NoError(t, err)
		for _, rng := range []string{"", "bytes=100-199"} {
			req := httptest.NewRequest(http.MethodGet, layout.PublicPath(id)+"/hls/720p/seg_00000.ts", nil)
			if rng != "" {
				req.Header.Set("Range", rng)
			}
			w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
			h.ServeHTTP(w, req)
			require.Contains(t, []int{http.StatusOK, http.StatusPartialContent}, w.Code)
			require.Len(t, w.sources, 1)
			lr, ok := w.sources[0].(*io.LimitedReader)
			require.True(t, ok, "got %T", w.sources[0])
			_, isFile := lr.R.(*os.File)
			require.True(t, isFile, "got %T", lr.R)
		}
	}
}

// sectionRecorder is a readFromRecorder that, like the fast path's
// writer, sends sections of files without moving their offset.
type sectionRecorder struct{ readFromRecorder }

func (r *sectionRecorder) SendsFileSections() bool { return true }

// TestSharedFilesAreTheStoresAnswer: for a writer that sends sections, a
// local segment goes out as a section of a file kept open for the next
// requests, and a cached file never outlives what the store says: an
// object rewritten under its name is served anew, one deleted is 404,
// and ForgetVideo closes the video's files.
func TestSharedFilesAreTheStoresAnswer(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	bucket, err := storage.NewLocal(root)
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	key := "videos/" + id.String() + "/hls/720p/seg_00000.ts"
	put := func(body string) {
		require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), ""))
	}
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)
	h, err := New(Config{Bucket: bucket, Signer: signer, Registerer: prometheus.NewRegistry(),
		Lookup: func(context.Context, uuid.UUID) (VideoState, error) { return VideoState{Privacy: PrivacyPublic}, nil }})
	require.NoError(t, err)
	probe, err := os.Open(root)
	require.NoError(t, err)
	_, stamped := stampOf(probe.Fd())
	probe.Close()
	if !stamped {
		t.Skip("no open-file cache on this platform")
	}
	get := func(rng string) (*sectionRecorder, string) {
		req := httptest.NewRequest(http.MethodGet, layout.PublicPath(id)+"/hls/720p/seg_00000.ts", nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		w := &sectionRecorder{readFromRecorder{ResponseRecorder: httptest.NewRecorder()}}
		h.ServeHTTP(w, req)
		return w, w.Body.String()
	}

	first := strings.Repeat("a", 10000)
	put(first)
	for _, rng := range []string{"", "bytes=100-199", ""} {
		w, body := get(rng)
		require.Contains(t, []int{http.StatusOK, http.StatusPartialContent}, w.Code)
		if rng == "" {
			require.Equal(t, first, body)
		} else {
			require.Equal(t, first[100:200], body)
		}
		require.Len(t, w.sources, 1)
		src := w.sources[0]
		if lr, ok := src.(*io.LimitedReader); ok { // ServeContent's, for a range
			src = lr.R
		}
		sr, ok := src.(*io.SectionReader)
		require.True(t, ok, "got %T", src)
		ra, _, _ := sr.Outer()
		require.IsType(t, &os.File{}, ra)
	}
	require.Equal(t, 1, h.files.len(), "one file kept open")

	// Put writes a new file and renames it over the old one.
	second := strings.Repeat("b", 12000)
	put(second)
	_, body := get("")
	require.Equal(t, second, body, "the rewritten object")

	require.NoError(t, bucket.Delete(t.Context(), key))
	w, _ := get("")
	require.Equal(t, http.StatusNotFound, w.Code, "a deleted object")

	put(first)
	_, body = get("")
	require.Equal(t, first, body)
	require.Equal(t, 1, h.files.len())
	h.ForgetVideo(id)
	require.Zero(t, h.files.len(), "ForgetVideo closes the video's files")
	h.ForgetVideo(uuid.New())
	_, body = get("")
	require.Equal(t, first, body)
	h.ForgetAll()
	require.Zero(t, h.files.len())
}

// TestSharedFilesAnswerAsServeContent: a whole answer from a shared file
// (formatted once per file) has the very headers and body that
// ServeContent gives on the other path, public and signed, GET and HEAD.
func TestSharedFilesAnswerAsServeContent(t *testing.T) {
	t.Parallel()
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	body := strings.Repeat("z", 7777)
	require.NoError(t, bucket.Put(t.Context(), "videos/"+id.String()+"/hls/720p/seg_00000.ts", strings.NewReader(body), int64(len(body)), ""))
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)
	h, err := New(Config{Bucket: bucket, Signer: signer,
		Lookup: func(context.Context, uuid.UUID) (VideoState, error) { return VideoState{Privacy: PrivacyPublic}, nil }})
	require.NoError(t, err)
	_, signedPath := SignedPath(signer, id, time.Now().Add(time.Hour))
	for _, prefix := range []string{layout.PublicPath(id), signedPath} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			for range 2 { // the file opened, then shared
				answer := func(w http.ResponseWriter) {
					h.ServeHTTP(w, httptest.NewRequest(method, prefix+"/hls/720p/seg_00000.ts", nil))
				}
				plain := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
				answer(plain)
				shared := &sectionRecorder{readFromRecorder{ResponseRecorder: httptest.NewRecorder()}}
				answer(shared)
				require.Equal(t, http.StatusOK, shared.Code)
				require.Equal(t, plain.Code, shared.Code)
				if prefix == signedPath {
					// Its max-age counts down to the token's expiry, by
					// the second.
					for _, w := range []http.ResponseWriter{plain, shared} {
						require.True(t, strings.HasPrefix(w.Header().Get("Cache-Control"), "public, max-age=60, s-maxage="))
						w.Header().Del("Cache-Control")
					}
				}
				require.Equal(t, plain.Header(), shared.Header(), "%s %s", method, prefix)
				require.Equal(t, plain.Body.String(), shared.Body.String())
			}
		}
	}
}
