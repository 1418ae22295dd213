package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/store"
)

// testManifest is a Vite build manifest as `npm run build` writes it, cut
// down: the app's entry and the hls.js chunk it imports on demand.
const testManifest = `{
  "index.html": {"file": "assets/main-AAAA.js", "name": "main", "src": "index.html", "isEntry": true,
    "dynamicImports": ["node_modules/hls.js/dist/hls.mjs"]},
  "node_modules/hls.js/dist/hls.mjs": {"file": "assets/hls-D6a35TnA.js", "name": "hls",
    "src": "node_modules/hls.js/dist/hls.mjs", "isDynamicEntry": true}
}`

func TestHLSChunkComesFromTheBuildManifest(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/assets/hls-D6a35TnA.js", hlsChunk(fstest.MapFS{".vite/manifest.json": {Data: []byte(testManifest)}}))
	require.Empty(t, hlsChunk(fstest.MapFS{}), "no manifest, no chunk")

	rec := httptest.NewRecorder()
	newSPA(fstest.MapFS{"index.html": {Data: []byte("<title>clipcut</title>")}, ".vite/manifest.json": {Data: []byte(testManifest)}}).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.vite/manifest.json", nil))
	require.Equal(t, http.StatusNotFound, rec.Code, "the manifest is the server's, not served")
	require.Empty(t, hlsChunk(fstest.MapFS{".vite/manifest.json": {Data: []byte(`{"index.html": {"file": "assets/main.js", "isEntry": true}}`)}}))
	require.Empty(t, hlsChunk(fstest.MapFS{".vite/manifest.json": {Data: []byte(`not json`)}}))
}

// TestWatchAndEmbedPagesAnnounceThePlayerForSharedVideosOnly: the HTML of
// a public video's pages (and an unlisted one's by its public id) asks
// for the hls.js chunk and the master playlist while the app boots; no
// other page names a playlist, and none names a signed link.
func TestWatchAndEmbedPagesAnnounceThePlayerForSharedVideosOnly(t *testing.T) {
	t.Parallel()
	f := newPagesFixture(t)
	f.pages.app = newSPA(fstest.MapFS{
		"index.html":          {Data: []byte(`<!doctype html><html><head><title>clipcut</title></head><body><div id="root"></div></body></html>`)},
		"embed.html":          {Data: f.pages.embed},
		".vite/manifest.json": {Data: []byte(testManifest)},
	})
	public := f.video(t, "Open day", "", store.PrivacyPublic)
	unlisted := f.video(t, "Link only", "", store.PrivacyUnlisted)
	private := f.video(t, "Secret plans", "", store.PrivacyPrivate)
	const chunk = `<link rel="modulepreload" href="/assets/hls-D6a35TnA.js">`
	preload := func(url string) string { return `<link rel="preload" as="fetch" crossorigin href="` + url + `">` }

	for path, master := range map[string]string{
		"/watch/" + public.ID.String(): testPublicURL + "/media/videos/" + public.ID.String() + "/hls/master.m3u8",
		"/embed/" + public.ID.String(): testPublicURL + "/media/videos/" + public.ID.String() + "/hls/master.m3u8",
		"/watch/" + unlisted.PublicID:  testPublicURL + "/media/u/" + unlisted.PublicID + "/hls/master.m3u8",
		"/embed/" + unlisted.PublicID:  testPublicURL + "/media/u/" + unlisted.PublicID + "/hls/master.m3u8",
	} {
		rec := f.get(t, path)
		require.Equal(t, http.StatusOK, rec.Code, path)
		head, _, ok := strings.Cut(rec.Body.String(), "</head>")
		require.True(t, ok, path)
		require.Contains(t, head, chunk, path)
		require.Contains(t, head, preload(master), path)
	}
	// The hints add nothing to what the page may load: the CSP is the app's own.
	require.Equal(t, appCSP, f.get(t, "/watch/"+public.ID.String()).Header().Get("Content-Security-Policy"))
	require.NotContains(t, f.get(t, "/watch/"+unlisted.PublicID).Body.String(), unlisted.ID.String(), "no link by id")

	// Private, unlisted by id, unknown: the plain app, which names no playlist.
	for _, path := range []string{"/watch/" + private.ID.String(), "/watch/" + private.PublicID, "/watch/" + unlisted.ID.String(),
		"/watch/" + uuid.NewString(), "/watch/nope", "/"} {
		body := f.get(t, path).Body.String()
		require.NotContains(t, body, "preload", path)
		require.NotContains(t, body, "m3u8", path)
	}

	// A private video's embed plays with its signed link, which no hint repeats.
	token, _ := delivery.SignedPath(f.signer, private.ID, time.Now().Add(time.Hour))
	rec := f.get(t, "/embed/"+private.ID.String()+"?token="+token)
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotContains(t, rec.Body.String(), `rel="preload"`)
	require.NotContains(t, rec.Body.String(), `rel="modulepreload"`)
}
