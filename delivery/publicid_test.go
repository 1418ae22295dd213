package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// byPublicID is the URL path of rest of video id in the public id form
// without a video id (layout.PublicIDPath), under public id pid.
func byPublicID(pid, rest string) string { return layout.PublicIDPath(pid) + "/" + rest }

// TestPublicIDForm checks the public id form that names no video: it
// serves every object of PUBLIC and UNLISTED videos (playlists too, whose
// relative URIs keep players in the form), refuses PRIVATE ones and
// unknown public ids, and resolves a public id once.
func TestPublicIDForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	for _, tc := range []struct {
		name string
		pid  string
		want int
	}{
		{"unlisted", publicIDOf(e.unlisted), http.StatusOK},
		{"public", publicIDOf(e.public), http.StatusOK},
		{"private", publicIDOf(e.private), http.StatusForbidden},
		{"unknown", publicIDOf(e.unknown), http.StatusNotFound},
	} {
		for _, p := range paths {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := do(t, method, e.url+byPublicID(tc.pid, p.rest))
				require.Equal(t, tc.want, r.StatusCode, "%s: %s %s", tc.name, method, p.rest)
				if tc.want == http.StatusOK {
					require.Equal(t, p.contentType, r.Header.Get("Content-Type"), p.rest)
				}
				if tc.want == http.StatusOK && method == http.MethodGet {
					want := do(t, method, e.signed(e.unlisted, time.Hour, p.rest))
					require.Equal(t, want.body, r.body, p.rest)
				}
			}
		}
	}
	// The playlists name their objects relative to themselves: nothing
	// in them is the video id.
	for _, rest := range []string{"hls/master.m3u8", "hls/180p/index.m3u8"} {
		r := do(t, http.MethodGet, e.url+byPublicID(publicIDOf(e.unlisted), rest))
		require.NotContains(t, string(r.body), e.unlisted.String())
		require.NotContains(t, string(r.body), "/videos/")
	}
	// Each known public id was resolved once (hits are in memory);
	// unknown ones are remembered for a second at most, so their count
	// is bounded but not fixed.
	before := e.resolves.Load()
	for range 5 {
		require.Equal(t, http.StatusOK, do(t, http.MethodGet, e.url+byPublicID(publicIDOf(e.unlisted), "poster.jpg")).StatusCode)
	}
	require.Equal(t, before, e.resolves.Load(), "a resolved public id costs no lookup")

	// Traversal out of the video, or into another video's objects, is
	// refused before any lookup.
	refuser := pathOnly(t, e)
	before = e.resolves.Load()
	for _, bad := range []string{
		"hls/../../" + layout.Master(e.private), "videos/" + e.private.String() + "/poster.jpg",
		"hls/%2e%2e/poster.jpg", "source.mp4", "hls/master.m3u8/",
	} {
		require.Equal(t, http.StatusNotFound, serve(refuser, http.MethodGet, byPublicID(publicIDOf(e.unlisted), bad)).Code, bad)
	}
	require.Equal(t, before, e.resolves.Load())
}

// pathOnly is a handler over e's bucket: a fresh one, so that nothing
// is cached for the requests it answers.
func pathOnly(t *testing.T, e *env) http.Handler {
	t.Helper()
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Logger: testLogger(t),
		Lookup: e.lookup, ResolvePublicID: e.resolvePublicID})
	require.NoError(t, err)
	return h
}

// TestPublicIDFormAfterRotation checks that once told (as the server
// tells it from the notifier after rotatePublicId), the handler refuses
// the old public id's paths of the form without a video id, although
// the old id stays resolved in memory, and serves the new one's.
func TestPublicIDFormAfterRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Logger: testLogger(t),
		Lookup: e.lookup, LookupTTL: time.Hour, ResolvePublicID: e.resolvePublicID})
	require.NoError(t, err)
	const seg, master = "hls/180p/seg_00000.ts", "hls/master.m3u8"
	old := publicIDOf(e.unlisted)
	for _, rest := range []string{seg, master} {
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, byPublicID(old, rest)).Code)
	}
	const fresh = "FreshPublicId_0123456-"
	e.mu.Lock()
	e.rotated = map[uuid.UUID]string{e.unlisted: fresh}
	e.mu.Unlock()
	h.ForgetVideo(e.unlisted)
	for _, rest := range []string{seg, master} {
		require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, byPublicID(old, rest)).Code, rest)
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, byPublicID(fresh, rest)).Code, rest)
	}
}

// TestPublicIDFormFailures checks a handler without a resolver (the form
// is 404) and a failing resolver (503, not remembered).
func TestPublicIDFormFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	pid := publicIDOf(e.unlisted)
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Logger: testLogger(t)})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, byPublicID(pid, "poster.jpg")).Code)

	h, err = delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Logger: testLogger(t),
		ResolvePublicID: e.resolvePublicID})
	require.NoError(t, err)
	e.mu.Lock()
	e.lookErr = errors.New("database down")
	e.mu.Unlock()
	rec := serve(h, http.MethodGet, byPublicID(pid, "poster.jpg"))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	e.mu.Lock()
	e.lookErr = nil
	e.mu.Unlock()
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, byPublicID(pid, "poster.jpg")).Code)
	require.False(t, strings.Contains(byPublicID(pid, "poster.jpg"), e.unlisted.String()))
}

// discardWriter is an http.ResponseWriter that keeps nothing but its
// header, so the benchmark counts the handler's own work.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkPublicIDForm compares a HEAD of a segment in the public id
// form without a video id (resolved in memory) with the older form
// carrying it: the difference is the resolution's cost per request.
func BenchmarkPublicIDForm(b *testing.B) {
	bucket, err := storage.NewLocal(b.TempDir())
	require.NoError(b, err)
	b.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	pid := publicIDOf(id)
	require.NoError(b, bucket.Put(b.Context(), layout.RenditionPrefix(id, "180p")+"/seg_00000.ts", strings.NewReader("segment"), 7, ""))
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(b, err)
	h, err := delivery.New(delivery.Config{Bucket: bucket, Signer: signer, LookupTTL: time.Hour,
		Lookup: func(context.Context, uuid.UUID) (delivery.VideoState, error) {
			return delivery.VideoState{Privacy: delivery.PrivacyUnlisted, PublicID: pid}, nil
		},
		ResolvePublicID: func(context.Context, string) (uuid.UUID, error) { return id, nil }})
	require.NoError(b, err)
	const rest = "hls/180p/seg_00000.ts"
	for _, bc := range []struct{ name, path string }{
		{"with-id", layout.UnlistedPath(pid, id) + "/" + rest},
		{"public-id-only", byPublicID(pid, rest)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := http.NewRequest(http.MethodHead, bc.path, nil)
			require.NoError(b, err)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}
