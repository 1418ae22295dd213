package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// runFunc lets TestMain chain test setups (MinIO, then PostgreSQL).
type runFunc func() int

func (f runFunc) Run() int { return f() }

const testPublicURL = "https://video.example"

// pagesFixture is videoPages over a real database, with a built app of
// two small pages.
type pagesFixture struct {
	pages  *videoPages
	store  *store.Store
	signer *auth.Signer
	owner  store.User
	h      http.Handler
}

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	st := storetest.NewStore(t)
	signer, err := auth.NewSigner([][]byte{[]byte("embed-test-signing-key-0123456789abcdef")})
	require.NoError(t, err)
	app := newSPA(fstest.MapFS{
		"index.html": {Data: []byte(`<!doctype html><html><head><title>clipcut</title></head><body><div id="root"></div></body></html>`)},
		"embed.html": {Data: []byte(`<!doctype html><html><head><title>clipcut</title><script type="module" src="/assets/embed.js"></script></head><body><div id="player"></div></body></html>`)},
	})
	p := &videoPages{store: st, signer: signer, app: app, publicURL: testPublicURL,
		links:  &mediaLinks{signer: signer, base: testPublicURL, privateTTL: time.Hour},
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p.embed = app.files.(fstest.MapFS)["embed.html"].Data
	owner, err := st.CreateUser(context.Background(), "ada@example.com", "Ada <Lovelace>", "x")
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /embed/{id}", p.serveEmbed)
	mux.HandleFunc("GET /watch/{id}", p.serveWatch)
	mux.HandleFunc("GET /oembed", p.serveOEmbed)
	mux.Handle("GET /", app)
	return &pagesFixture{pages: p, store: st, signer: signer, owner: owner,
		h: withSecurityHeaders(testPublicURL, false, mux)}
}

// video creates a playable video with a poster.
func (f *pagesFixture) video(t *testing.T, title, description, privacy string) store.Video {
	t.Helper()
	ctx := context.Background()
	v, err := f.store.CreateVideo(ctx, store.NewVideo{OwnerID: f.owner.ID, Title: title, Description: &description, Privacy: privacy})
	require.NoError(t, err)
	_, err = f.store.Pool().Exec(ctx, `UPDATE videos SET playable = true, width = 1280, height = 720,
		poster_key = 'videos/' || id || '/poster.jpg' WHERE id = $1`, v.ID)
	require.NoError(t, err)
	return v
}

func (f *pagesFixture) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestEmbedFrameAncestorsFollowTheVideoAndPrivateNeedsASignature(t *testing.T) {
	t.Parallel()
	f := newPagesFixture(t)
	ctx := context.Background()
	public := f.video(t, "Open <b>day</b>", "", store.PrivacyPublic)
	unlisted := f.video(t, "Unlisted", "", store.PrivacyUnlisted)
	private := f.video(t, "Secret plans", "", store.PrivacyPrivate)
	origins := []string{"https://blog.example.com", "http://127.0.0.1:8443"}
	_, err := f.store.UpdateVideo(ctx, unlisted.ID, store.Viewer{UserID: f.owner.ID}, store.VideoChanges{EmbedOrigins: origins})
	require.NoError(t, err)

	// Any site may frame a public video by default; the page carries the
	// player's data and never the app's no-framing headers.
	rec := f.get(t, "/embed/"+public.ID.String())
	require.Equal(t, http.StatusOK, rec.Code)
	csp := rec.Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "frame-ancestors *")
	require.NotContains(t, csp, "frame-ancestors 'none'")
	require.Empty(t, rec.Header().Get("X-Frame-Options"))
	body := rec.Body.String()
	require.Contains(t, body, `<script id="clipcut-embed" type="application/json">`)
	require.Contains(t, body, `"hlsUrl":"`+testPublicURL+`/media/videos/`+public.ID.String()+`/hls/master.m3u8"`)
	require.Contains(t, body, `"title":"Open \u003cb\u003eday\u003c/b\u003e"`, "the title cannot close the script element")
	require.Contains(t, body, `<title>Open &lt;b&gt;day&lt;/b&gt; · clipcut</title>`)

	// A video with allowed origins is framed by those alone. An unlisted
	// video is embedded through its public id: its id alone opens
	// nothing (it is no secret), nor does a former public id.
	rec = f.get(t, "/embed/"+unlisted.PublicID)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors https://blog.example.com http://127.0.0.1:8443;")
	require.Contains(t, rec.Body.String(), `"hlsUrl":"`+testPublicURL+`/media/u/`+unlisted.PublicID+`/hls/master.m3u8"`)
	require.Contains(t, rec.Body.String(), `"watchUrl":"`+testPublicURL+`/watch/`+unlisted.PublicID+`"`)
	rec = f.get(t, "/embed/"+unlisted.ID.String())
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.NotContains(t, rec.Body.String(), "Unlisted")
	unlistedToken, _ := delivery.SignedPath(f.signer, unlisted.ID, time.Now().Add(time.Hour))
	rec = f.get(t, "/embed/"+unlisted.ID.String()+"?token="+unlistedToken)
	require.Equal(t, http.StatusOK, rec.Code, "a playback token opens it by id, as any video")
	_, err = f.store.RotatePublicID(ctx, unlisted.ID, store.Viewer{UserID: f.owner.ID})
	require.NoError(t, err)
	rec = f.get(t, "/embed/"+unlisted.PublicID)
	require.Equal(t, http.StatusNotFound, rec.Code, "a rotated public id opens nothing")
	rec = f.get(t, "/embed/"+public.PublicID)
	require.Equal(t, http.StatusOK, rec.Code, "a public video by its public id")

	// Private: refused without a signature, with a forged or expired one,
	// and played with a playback token.
	for _, q := range []string{"", "?token=bogus", "?token=" + f.signer.Sign("media:"+uuid.NewString(), time.Now().Add(time.Hour))} {
		rec = f.get(t, "/embed/"+private.ID.String()+q)
		require.Equal(t, http.StatusForbidden, rec.Code, q)
		require.NotContains(t, rec.Body.String(), "Secret plans", q)
	}
	expired, _ := delivery.SignedPath(f.signer, private.ID, time.Now().Add(-time.Minute))
	rec = f.get(t, "/embed/"+private.ID.String()+"?token="+expired)
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Contains(t, rec.Body.String(), "expired")
	token, _ := delivery.SignedPath(f.signer, private.ID, time.Now().Add(time.Hour))
	rec = f.get(t, "/embed/"+private.ID.String()+"?token="+token)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `"hlsUrl":"`+testPublicURL+`/media/t/`+token+`/videos/`+private.ID.String()+`/hls/master.m3u8"`)
	require.NotContains(t, rec.Body.String(), "watchUrl", "a private video has no watch page to link to")
	require.Contains(t, rec.Header().Get("Cache-Control"), "no-store")

	rec = f.get(t, "/embed/"+uuid.NewString())
	require.Equal(t, http.StatusNotFound, rec.Code)
	rec = f.get(t, "/embed/not-an-id")
	require.Equal(t, http.StatusNotFound, rec.Code)

	// Every other page is still framed by no one.
	for _, path := range []string{"/", "/watch/" + public.ID.String(), "/oembed?url=x"} {
		rec = f.get(t, path)
		require.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
		require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"), path)
	}
}

func TestWatchPageShareTagsForPublicAndUnlistedOnly(t *testing.T) {
	t.Parallel()
	f := newPagesFixture(t)
	public := f.video(t, `Tom & "Jerry" <script>alert(1)</script>`, "A chase.\nWith <em>cheese</em>.", store.PrivacyPublic)
	unlisted := f.video(t, "Link only", "", store.PrivacyUnlisted)
	private := f.video(t, "Secret plans", "Do not leak", store.PrivacyPrivate)
	id := public.ID.String()

	rec := f.get(t, "/watch/"+id)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	for _, want := range []string{
		`<title>Tom &amp; &#34;Jerry&#34; &lt;script&gt;alert(1)&lt;/script&gt; · clipcut</title>`,
		`<meta property="og:title" content="Tom &amp; &#34;Jerry&#34; &lt;script&gt;alert(1)&lt;/script&gt;">`,
		`<meta property="og:description" content="A chase.` + "\n" + `With &lt;em&gt;cheese&lt;/em&gt;.">`,
		`<meta property="og:image" content="` + testPublicURL + `/media/videos/` + id + `/poster.jpg">`,
		`<meta property="og:video" content="` + testPublicURL + `/embed/` + id + `">`,
		`<meta property="og:url" content="` + testPublicURL + `/watch/` + id + `">`,
		`<meta name="twitter:card" content="player">`,
		`<meta name="twitter:player" content="` + testPublicURL + `/embed/` + id + `">`,
		`<link rel="alternate" type="application/json+oembed" href="` + testPublicURL + `/oembed?format=json&amp;url=https%3A%2F%2Fvideo.example%2Fwatch%2F` + id + `"`,
		`<div id="root"></div>`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "<script>alert")
	require.NotContains(t, body, `name="robots"`)

	// An unlisted video's tags are on its public id's page, and name that.
	rec = f.get(t, "/watch/"+unlisted.PublicID)
	require.Contains(t, rec.Body.String(), `<meta property="og:title" content="Link only">`)
	require.Contains(t, rec.Body.String(), `<meta name="robots" content="noindex">`)
	require.Contains(t, rec.Body.String(), `<meta property="og:url" content="`+testPublicURL+`/watch/`+unlisted.PublicID+`">`)
	require.Contains(t, rec.Body.String(), `<meta property="og:video" content="`+testPublicURL+`/embed/`+unlisted.PublicID+`">`)
	require.Contains(t, rec.Body.String(), `<meta property="og:image" content="`+testPublicURL+`/media/u/`+unlisted.PublicID+`/poster.jpg">`)
	require.NotContains(t, rec.Body.String(), unlisted.ID.String()+`">`, "no link by id")

	takenDown := f.video(t, "Taken down", "Spam", store.PrivacyPublic)
	_, err := f.store.Pool().Exec(context.Background(), `UPDATE videos SET taken_down_at = now(), takedown_reason = 'spam' WHERE id = $1`, takenDown.ID)
	require.NoError(t, err)
	rec = f.get(t, "/embed/"+takenDown.ID.String())
	require.Equal(t, http.StatusNotFound, rec.Code, "a taken-down video is embedded by no one")
	require.NotContains(t, rec.Body.String(), "Taken down")

	for _, path := range []string{"/watch/" + private.ID.String(), "/watch/" + private.PublicID, "/watch/" + unlisted.ID.String(),
		"/watch/" + takenDown.ID.String(), "/watch/" + takenDown.PublicID, "/watch/" + uuid.NewString(), "/watch/nope"} {
		rec = f.get(t, path)
		require.Equal(t, http.StatusOK, rec.Code, "the app still loads and says what it can")
		require.NotContains(t, rec.Body.String(), "og:", path)
		require.NotContains(t, rec.Body.String(), "Secret plans", path)
		require.NotContains(t, rec.Body.String(), "Link only", path)
		require.Contains(t, rec.Body.String(), "<title>clipcut</title>", path)
	}
}

func TestOEmbedAnswersTheVideoType(t *testing.T) {
	t.Parallel()
	f := newPagesFixture(t)
	public := f.video(t, `A "quoted" title`, "", store.PrivacyPublic)
	private := f.video(t, "Secret plans", "", store.PrivacyPrivate)
	unlisted := f.video(t, "Link only", "", store.PrivacyUnlisted)
	watch := testPublicURL + "/watch/" + public.ID.String()

	rec := f.get(t, "/oembed?format=json&url="+watch)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	require.JSONEq(t, `{
		"version": "1.0", "type": "video", "provider_name": "clipcut", "provider_url": "`+testPublicURL+`/",
		"title": "A \"quoted\" title", "author_name": "Ada <Lovelace>", "author_url": "`+testPublicURL+`/c/`+f.owner.ID.String()+`",
		"html": "<iframe src=\"`+testPublicURL+`/embed/`+public.ID.String()+`\" width=\"640\" height=\"360\" title=\"A &#34;quoted&#34; title\" style=\"border:0\" allow=\"autoplay; fullscreen; picture-in-picture\" allowfullscreen></iframe>",
		"width": 640, "height": 360,
		"thumbnail_url": "`+testPublicURL+`/media/videos/`+public.ID.String()+`/poster.jpg", "thumbnail_width": 1280, "thumbnail_height": 720,
		"cache_age": 3600
	}`, rec.Body.String())

	// maxwidth and maxheight shrink the player, keeping its shape.
	for _, tc := range []struct{ query, size string }{
		{"&maxwidth=320", `"width":320,"height":180`},
		{"&maxwidth=1000&maxheight=90", `"width":160,"height":90`},
		{"&maxheight=2000", `"width":640,"height":360`},
	} {
		rec = f.get(t, "/oembed?url="+watch+tc.query)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Contains(t, rec.Body.String(), tc.size, tc.query)
	}
	// The embed URL names the video too.
	rec = f.get(t, "/oembed?url="+testPublicURL+"/embed/"+public.ID.String())
	require.Equal(t, http.StatusOK, rec.Code)

	// An unlisted video by its public id: embedded by its public id.
	for _, u := range []string{"/watch/", "/embed/"} {
		rec = f.get(t, "/oembed?url="+testPublicURL+u+unlisted.PublicID)
		require.Equal(t, http.StatusOK, rec.Code, u)
		require.Contains(t, rec.Body.String(), `src=\"`+testPublicURL+`/embed/`+unlisted.PublicID+`\"`)
		require.Contains(t, rec.Body.String(), `"thumbnail_url":"`+testPublicURL+`/media/u/`+unlisted.PublicID+`/poster.jpg"`)
	}

	for _, tc := range []struct {
		query string
		code  int
	}{
		{"url=" + testPublicURL + "/watch/" + unlisted.ID.String(), http.StatusNotFound},
		{"url=" + testPublicURL + "/embed/" + unlisted.ID.String(), http.StatusNotFound},
		{"url=" + testPublicURL + "/watch/" + private.PublicID, http.StatusNotFound},
		{"url=" + testPublicURL + "/watch/" + private.ID.String(), http.StatusNotFound},
		{"url=" + testPublicURL + "/watch/" + uuid.NewString(), http.StatusNotFound},
		{"url=https://elsewhere.example/watch/" + public.ID.String(), http.StatusNotFound},
		{"url=" + testPublicURL + "/", http.StatusNotFound},
		{"url=" + watch + "&format=xml", http.StatusNotImplemented},
	} {
		rec = f.get(t, "/oembed?"+tc.query)
		require.Equal(t, tc.code, rec.Code, tc.query)
		require.NotContains(t, rec.Body.String(), "Secret plans")
		require.NotContains(t, rec.Body.String(), "Link only")
	}
}

func TestFrameAncestorsDropsWhatCouldEndTheDirective(t *testing.T) {
	t.Parallel()
	require.Equal(t, "frame-ancestors *", frameAncestors(nil))
	require.Equal(t, "frame-ancestors https://a.example", frameAncestors([]string{"https://a.example", "https://b.example; script-src *"}))
	require.True(t, strings.HasSuffix(embedCSP("frame-ancestors *"), "frame-ancestors *; form-action 'self'"))
}
