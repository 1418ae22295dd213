package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestRecoveryHidesThePanicAndLogsItWithTheRequestID(t *testing.T) {
	var logs bytes.Buffer
	logger := newLogger(&logs, "info", "json")
	h := withRequestID(withAccessLog(logger, withRecovery(logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	}))))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/boom", nil)
	req.Header.Set("X-Request-Id", "req-123")
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "secret")
	require.Contains(t, rec.Body.String(), "req-123")
	require.Equal(t, "req-123", rec.Header().Get("X-Request-Id"))
	require.Contains(t, logs.String(), "secret internal detail")
	require.Contains(t, logs.String(), `"request_id":"req-123"`)
	require.Contains(t, logs.String(), `"status":500`)
}

func TestRequestIDIsGeneratedWhenMissingOrUnsafe(t *testing.T) {
	h := withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, requestIDFrom(r.Context()))
	}))
	for _, in := range []string{"", "bad id\nwith newline", strings.Repeat("x", 100)} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Request-Id", in)
		h.ServeHTTP(rec, req)
		require.Len(t, rec.Body.String(), 16)
		require.NotEqual(t, in, rec.Body.String())
	}
}

func TestLimitBodyRefusesOversizedRequests(t *testing.T) {
	h := limitBody(1024, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "too big", http.StatusRequestEntityTooLarge)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(strings.Repeat("x", 2048))))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Contains(t, rec.Body.String(), "BAD_USER_INPUT")

	// Without a Content-Length (chunked), the reader stops at the limit.
	req := httptest.NewRequest(http.MethodPost, "/graphql", io.NopCloser(strings.NewReader(strings.Repeat("x", 2048))))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}

func TestSPAServesAssetsAndFallsBackToIndex(t *testing.T) {
	files := fstest.MapFS{
		"index.html":        {Data: []byte("<html>app</html>")},
		"assets/app-abc.js": {Data: []byte("console.log(1)")},
		"favicon.svg":       {Data: []byte("<svg/>")},
	}
	s := newSPA(files)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	rec := get("/watch/123")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "<html>app</html>", rec.Body.String(), "client-side routes get index.html")
	require.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "script-src 'self'")

	rec = get("/assets/app-abc.js")
	require.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
	require.Contains(t, rec.Header().Get("Content-Type"), "javascript")

	require.Equal(t, http.StatusNotFound, get("/assets/missing.js").Code)
	require.Equal(t, http.StatusOK, get("/../../etc/passwd").Code, "cleaned to a route, never a file outside")
	require.Equal(t, "<html>app</html>", get("/../../etc/passwd").Body.String())
}

func TestSPAServesHashedAssetsGzipped(t *testing.T) {
	js := strings.Repeat("console.log('clipcut');\n", 400)
	s := newSPA(fstest.MapFS{"index.html": {Data: []byte("x")}, "assets/app-abc.js": {Data: []byte(js)}})
	req := httptest.NewRequest(http.MethodGet, "/assets/app-abc.js", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
	require.Contains(t, rec.Header().Get("Content-Type"), "javascript")
	require.Less(t, rec.Body.Len(), len(js)/5)
	zr, err := gzip.NewReader(rec.Body)
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Equal(t, js, string(got))

	plain := httptest.NewRecorder()
	s.ServeHTTP(plain, httptest.NewRequest(http.MethodGet, "/assets/app-abc.js", nil))
	require.Empty(t, plain.Header().Get("Content-Encoding"), "clients without gzip get the file as is")
	require.Equal(t, js, plain.Body.String())
}

func TestSPAWithoutABuildExplainsHowToBuild(t *testing.T) {
	rec := httptest.NewRecorder()
	newSPA(fstest.MapFS{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Contains(t, rec.Body.String(), "make build")
}

var _ = slog.LevelInfo

func TestRequestIDsAreUniqueAndFoundThroughDerivedContexts(t *testing.T) {
	seen := make(map[string]bool)
	for range 100000 {
		id := newRequestID()
		require.Regexp(t, `^[0-9a-f]{16}$`, id)
		require.False(t, seen[id], "id %s given twice", id)
		seen[id] = true
	}
	h := withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		_, _ = io.WriteString(w, requestIDFrom(ctx))
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-Id", "from-the-proxy")
	h.ServeHTTP(rec, req)
	require.Equal(t, "from-the-proxy", rec.Body.String())
	require.Equal(t, "from-the-proxy", rec.Header().Get("X-Request-Id"))
}

// TestIsMediaGetAgreesWithTheMux checks the shortcut past the mux: a
// request it takes is one the mux routes to GET /media/ itself.
func TestIsMediaGetAgreesWithTheMux(t *testing.T) {
	mux := http.NewServeMux()
	for _, p := range []string{"GET /media/", "OPTIONS /media/", "GET /", "POST /graphql"} {
		mux.Handle(p, http.NotFoundHandler())
	}
	for _, tc := range []struct {
		method, target string
		want           bool
	}{
		{"GET", "/media/videos/x/hls/720p/index.m3u8", true},
		{"HEAD", "/media/videos/x/hls/720p/seg_00001.ts", true},
		{"GET", "/media/t/tok.en/videos/x/poster.jpg?v=2", true},
		{"GET", "/media/videos/x/", true},
		{"GET", "/media/%2e%2e/secret", true}, // the media handler refuses it
		{"GET", "/media/a%2Fb", true},
		{"OPTIONS", "/media/videos/x/poster.jpg", false},
		{"POST", "/media/videos/x/poster.jpg", false},
		{"GET", "/media/videos/../x", false},
		{"GET", "/media//videos/x", false},
		{"GET", "/media/./videos/x", false},
		{"GET", "/media/videos/x/.", false},
		{"GET", "/%6Dedia/videos/x", false},
		{"GET", "/graphql", false},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		require.Equal(t, tc.want, isMediaGet(r), "%s %s", tc.method, tc.target)
		if tc.want {
			_, pattern := mux.Handler(r)
			require.Equal(t, "GET /media/", pattern, "the mux agrees on %s %s", tc.method, tc.target)
		}
	}
}

func TestIsCleanPathAgreesWithPathClean(t *testing.T) {
	for _, p := range []string{"/", "/media/", "/media/a", "/media/a/", "/media//a", "/media/a//", "/media/./a",
		"/media/a/.", "/media/a/..", "/media/../a", "/media/.a", "/media/a./b", "/media/...", "/media/a/./",
		"/media/a/../", "/media/..a/b..", "//", "/.", "/./"} {
		want := path.Clean(p)
		if strings.HasSuffix(p, "/") && want != "/" {
			want += "/"
		}
		require.Equal(t, want == p, isCleanPath(p), "%q", p)
	}
}
