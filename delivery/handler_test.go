package delivery_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// proxied are the backends on which the handler itself sends the bytes.
var proxied = []backend{local, s3Proxy}

// paths are one object of every kind the handler serves, with its type.
var paths = []struct {
	rest, contentType string
}{
	{"hls/master.m3u8", "application/vnd.apple.mpegurl"},
	{"hls/180p/index.m3u8", "application/vnd.apple.mpegurl"},
	{"hls/180p/seg_00000.ts", "video/mp2t"},
	{"poster.jpg", "image/jpeg"},
	{"storyboard/storyboard.vtt", "text/vtt; charset=utf-8"},
	{"storyboard/sprite_000.jpg", "image/jpeg"},
	{"subtitles/en.vtt", "text/vtt; charset=utf-8"},
	{"subtitles/en.srt", "application/x-subrip; charset=utf-8"},
	{"subtitles/en.m3u8", "application/vnd.apple.mpegurl"},
	{"downloads/180p.mp4", "video/mp4"},
}

func TestContentTypesAndBodies(t *testing.T) {
	t.Parallel()
	for _, b := range proxied {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			for _, p := range paths {
				r := get(t, e.pub(e.public, p.rest))
				require.Equal(t, http.StatusOK, r.StatusCode, p.rest)
				require.Equal(t, p.contentType, r.Header.Get("Content-Type"), p.rest)
				require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), p.rest)
				require.Equal(t, "bytes", r.Header.Get("Accept-Ranges"), p.rest)
				require.Equal(t, fixtureFile(t, p.rest), r.body, p.rest)
				require.Equal(t, strconv.Itoa(len(r.body)), r.Header.Get("Content-Length"), p.rest)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	t.Parallel()
	for _, b := range proxied {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			for _, rest := range []string{"hls/180p/seg_00000.ts", "downloads/180p.mp4", "hls/180p/index.m3u8"} {
				data := fixtureFile(t, rest)
				size := len(data)
				u := e.pub(e.public, rest)
				for _, tc := range []struct {
					rng        string
					start, end int // inclusive
				}{
					{"bytes=0-99", 0, 99},
					{"bytes=50-149", 50, 149},
					{"bytes=-100", size - 100, size - 1},
					{fmt.Sprintf("bytes=%d-", size-10), size - 10, size - 1},
					{fmt.Sprintf("bytes=%d-%d", size-5, size+1000), size - 5, size - 1},
				} {
					r := get(t, u, "Range", tc.rng)
					require.Equal(t, http.StatusPartialContent, r.StatusCode, "%s %s", rest, tc.rng)
					require.Equal(t, fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, size), r.Header.Get("Content-Range"))
					require.Equal(t, data[tc.start:tc.end+1], r.body, "%s %s", rest, tc.rng)
				}

				r := get(t, u, "Range", fmt.Sprintf("bytes=%d-", size))
				require.Equal(t, http.StatusRequestedRangeNotSatisfiable, r.StatusCode)
				require.Equal(t, fmt.Sprintf("bytes */%d", size), r.Header.Get("Content-Range"))
				require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))

				// Two ranges: a multipart answer with both.
				r = get(t, u, "Range", "bytes=0-9,20-29")
				require.Equal(t, http.StatusPartialContent, r.StatusCode)
				mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				require.NoError(t, err)
				require.Equal(t, "multipart/byteranges", mt)
				mr := multipart.NewReader(strings.NewReader(string(r.body)), params["boundary"])
				for _, want := range [][2]int{{0, 9}, {20, 29}} {
					part, err := mr.NextPart()
					require.NoError(t, err)
					got, err := io.ReadAll(part)
					require.NoError(t, err)
					require.Equal(t, data[want[0]:want[1]+1], got)
				}

				// If-Range: the range only while the object is unchanged.
				etag := get(t, u).Header.Get("ETag")
				r = get(t, u, "Range", "bytes=0-9", "If-Range", etag)
				require.Equal(t, http.StatusPartialContent, r.StatusCode)
				r = get(t, u, "Range", "bytes=0-9", "If-Range", `"stale"`)
				require.Equal(t, http.StatusOK, r.StatusCode)
				require.Equal(t, data, r.body)
			}
		})
	}
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	for _, b := range proxied {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			for _, p := range paths {
				u := e.pub(e.public, p.rest)
				first := get(t, u)
				etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
				require.Regexp(t, `^"[^"]+"$`, etag, p.rest)
				require.NotEmpty(t, lastMod, p.rest)

				r := get(t, u, "If-None-Match", etag)
				require.Equal(t, http.StatusNotModified, r.StatusCode, p.rest)
				require.Empty(t, r.body)
				require.Equal(t, etag, r.Header.Get("ETag"))
				require.Equal(t, first.Header.Get("Cache-Control"), r.Header.Get("Cache-Control"))

				r = get(t, u, "If-None-Match", `"something-else", `+etag)
				require.Equal(t, http.StatusNotModified, r.StatusCode, p.rest)

				r = get(t, u, "If-None-Match", `"something-else"`)
				require.Equal(t, http.StatusOK, r.StatusCode, p.rest)

				r = get(t, u, "If-Modified-Since", lastMod)
				require.Equal(t, http.StatusNotModified, r.StatusCode, p.rest)
				require.Empty(t, r.body)

				mod, err := http.ParseTime(lastMod)
				require.NoError(t, err)
				r = get(t, u, "If-Modified-Since", mod.Add(-time.Hour).Format(http.TimeFormat))
				require.Equal(t, http.StatusOK, r.StatusCode, p.rest)
				require.Equal(t, fixtureFile(t, p.rest), r.body)
			}
		})
	}
}

func TestHeadMatchesGet(t *testing.T) {
	t.Parallel()
	for _, b := range []backend{local, s3Proxy, s3Redirect} {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			for _, p := range paths {
				for _, u := range []string{e.pub(e.public, p.rest), e.signed(e.private, time.Hour, p.rest)} {
					head := do(t, http.MethodHead, u)
					require.Equal(t, http.StatusOK, head.StatusCode, p.rest)
					require.Empty(t, head.body)
					if b == s3Redirect && !strings.HasSuffix(p.rest, ".m3u8") {
						// GET redirects; HEAD, which a presigned GET URL
						// would refuse, is answered here.
						require.Equal(t, strconv.Itoa(len(fixtureFile(t, p.rest))), head.Header.Get("Content-Length"))
						continue
					}
					g := get(t, u)
					require.Equal(t, http.StatusOK, g.StatusCode, p.rest)
					head.Header.Del("Date")
					g.Header.Del("Date")
					require.Equal(t, g.Header, head.Header, p.rest)
				}
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	const year = "max-age=31536000, immutable"
	for _, tc := range []struct {
		rest, want string
		maxAge     int
	}{
		{"hls/master.m3u8", "max-age=10", 10},
		{"hls/180p/index.m3u8", "max-age=86400", 86400}, // ended: #EXT-X-ENDLIST
		{"hls/live/index.m3u8", "max-age=1", 1},         // still growing
		{"subtitles/en.m3u8", "max-age=86400", 86400},
		{"hls/180p/seg_00000.ts", year, 31536000},
		{"poster.jpg", year, 31536000},
		{"storyboard/storyboard.vtt", year, 31536000},
		{"storyboard/sprite_000.jpg", year, 31536000},
		{"subtitles/en.vtt", year, 31536000},
		{"subtitles/en.srt", year, 31536000},
		{"downloads/180p.mp4", year, 31536000},
	} {
		for _, u := range []string{e.pub(e.public, tc.rest), e.unl(e.public, tc.rest), e.unl(e.unlisted, tc.rest)} {
			r := get(t, u)
			require.Equal(t, http.StatusOK, r.StatusCode, u)
			require.Equal(t, "public, "+tc.want, r.Header.Get("Cache-Control"), u)
		}
		// Signed paths carry the capability: any cache may keep them,
		// a CDN up to the token's expiry, whatever the video's privacy.
		for _, u := range []string{e.signed(e.public, time.Hour, tc.rest), e.signed(e.private, time.Hour, tc.rest)} {
			r := get(t, u)
			require.Equal(t, http.StatusOK, r.StatusCode, u)
			requireSignedCacheControl(t, r.Header.Get("Cache-Control"), tc.maxAge, time.Hour)
		}
	}
	// The growing playlist ends: it becomes cacheable for a day, under a
	// new ETag. Players see the change once the in-memory playlist cache's
	// entry (a second, its max-age while growing) expires; how soon is the
	// clock's business, so only the change itself is asserted.
	live := e.pub(e.public, "hls/live/index.m3u8")
	before := get(t, live)
	ended := string(before.body) + "#EXT-X-ENDLIST\n"
	require.NoError(t, e.bucket.Put(t.Context(), "videos/"+e.public.String()+"/hls/live/index.m3u8",
		strings.NewReader(ended), int64(len(ended)), ""))
	var r response
	require.Eventually(t, func() bool {
		r = get(t, live, "If-None-Match", before.Header.Get("ETag"))
		return r.StatusCode == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond, "the cached playlist expires")
	require.Equal(t, ended, string(r.body))
	require.Equal(t, "public, max-age=86400", r.Header.Get("Cache-Control"))
	require.NotEqual(t, before.Header.Get("ETag"), r.Header.Get("ETag"))

	// Errors are never cached: a segment missing now may exist soon.
	for _, u := range []string{
		e.pub(e.public, "hls/180p/seg_00099.ts"),
		e.pub(e.private, "hls/master.m3u8"),
		e.pub(e.unknown, "hls/master.m3u8"),
	} {
		r := get(t, u)
		require.Equal(t, "no-store", r.Header.Get("Cache-Control"), u)
		require.Empty(t, r.Header.Get("ETag"), u)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	for _, u := range []string{
		e.pub(e.public, "hls/master.m3u8"),
		e.pub(e.public, "hls/180p/seg_00000.ts"),
		e.pub(e.private, "hls/master.m3u8"),           // 403
		e.pub(e.public, "hls/180p/seg_00099.ts"),      // 404
		e.signed(e.private, -time.Hour, "poster.jpg"), // expired: 403
	} {
		r := get(t, u, "Origin", "https://player.example")
		require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"), u)
		expose := r.Header.Get("Access-Control-Expose-Headers")
		for _, h := range []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag"} {
			require.Contains(t, expose, h, u)
		}
		require.Empty(t, r.Header.Get("Access-Control-Allow-Credentials"))
	}

	lookups := e.lookupsN.Load()
	r := do(t, http.MethodOptions, e.pub(e.public, "hls/180p/seg_00000.ts"),
		"Origin", "https://player.example",
		"Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "range")
	require.Equal(t, http.StatusNoContent, r.StatusCode)
	require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "GET")
	require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "HEAD")
	require.Contains(t, strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "range")
	require.NotEmpty(t, r.Header.Get("Access-Control-Max-Age"))
	require.Equal(t, lookups, e.lookupsN.Load(), "a preflight needs no lookup")

	r = do(t, http.MethodPost, e.pub(e.public, "poster.jpg"))
	require.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
	require.Equal(t, "GET, HEAD, OPTIONS", r.Header.Get("Allow"))
}

func TestPrivacyMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	other, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("k", 32))})
	require.NoError(t, err)
	tok := func(s *auth.Signer, id uuid.UUID, ttl time.Duration) string {
		token, _ := delivery.SignedPath(s, id, time.Now().Add(ttl))
		return token
	}
	withToken := func(token string, id uuid.UUID, rest string) string {
		return e.url + "/media/t/" + token + "/videos/" + id.String() + "/" + rest
	}
	good := tok(e.signer, e.private, time.Hour)
	exp, mac, _ := strings.Cut(good, ".")
	flipped := []byte(mac) // still base64url, a wrong MAC
	if flipped[3] == 'A' {
		flipped[3] = 'B'
	} else {
		flipped[3] = 'A'
	}
	later, _ := strconv.ParseInt(exp, 10, 64)

	for _, tc := range []struct {
		name string
		url  func(rest string) string
		want int
	}{
		{"public anonymous", func(r string) string { return e.pub(e.public, r) }, http.StatusOK},
		// The video id opens PUBLIC videos only; an UNLISTED one is
		// reached through its public id, which opens no PRIVATE video.
		{"unlisted anonymous by id", func(r string) string { return e.pub(e.unlisted, r) }, http.StatusNotFound},
		{"unlisted by public id", func(r string) string { return e.unl(e.unlisted, r) }, http.StatusOK},
		{"public by public id", func(r string) string { return e.unl(e.public, r) }, http.StatusOK},
		{"private by public id", func(r string) string { return e.unl(e.private, r) }, http.StatusForbidden},
		{"unlisted by another video's public id", func(r string) string {
			return e.url + layout.UnlistedPath(publicIDOf(e.public), e.unlisted) + "/" + r
		}, http.StatusNotFound},
		{"unlisted signed", func(r string) string { return e.signed(e.unlisted, time.Hour, r) }, http.StatusOK},
		{"private anonymous", func(r string) string { return e.pub(e.private, r) }, http.StatusForbidden},
		{"private signed", func(r string) string { return withToken(good, e.private, r) }, http.StatusOK},
		{"public signed", func(r string) string { return e.signed(e.public, time.Hour, r) }, http.StatusOK},
		{"private expired", func(r string) string { return e.signed(e.private, -time.Second, r) }, http.StatusForbidden},
		{"private tampered mac", func(r string) string { return withToken(exp+"."+string(flipped), e.private, r) }, http.StatusForbidden},
		{"private extended expiry", func(r string) string {
			return withToken(strconv.FormatInt(later+3600, 10)+"."+mac, e.private, r)
		}, http.StatusForbidden},
		{"private token without mac", func(r string) string { return withToken(exp, e.private, r) }, http.StatusForbidden},
		{"private token of another video", func(r string) string { return withToken(tok(e.signer, e.public, time.Hour), e.private, r) }, http.StatusForbidden},
		{"public token of another video", func(r string) string { return withToken(tok(e.signer, e.private, time.Hour), e.public, r) }, http.StatusForbidden},
		{"private token of another key", func(r string) string { return withToken(tok(other, e.private, time.Hour), e.private, r) }, http.StatusForbidden},
		// A malformed token is a bad link like a tampered one, whatever
		// the video: 403, never 404.
		{"private malformed token", func(r string) string { return withToken(good+"~", e.private, r) }, http.StatusForbidden},
		{"public malformed token", func(r string) string { return withToken("not!a!token", e.public, r) }, http.StatusForbidden},
		{"private overlong token", func(r string) string { return withToken(strings.Repeat(good, 6), e.private, r) }, http.StatusForbidden},
		{"private empty token", func(r string) string { return withToken("", e.private, r) }, http.StatusForbidden},
		{"private token with a space", func(r string) string { return withToken(exp+"%20"+mac, e.private, r) }, http.StatusForbidden},
		{"unknown malformed token", func(r string) string { return withToken("x*y", e.unknown, r) }, http.StatusForbidden},
		{"unknown anonymous", func(r string) string { return e.pub(e.unknown, r) }, http.StatusNotFound},
		{"unknown signed", func(r string) string { return e.signed(e.unknown, time.Hour, r) }, http.StatusNotFound},
	} {
		for _, p := range paths {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				u := tc.url(p.rest)
				r := do(t, method, u)
				require.Equal(t, tc.want, r.StatusCode, "%s: %s %s", tc.name, method, p.rest)
				if tc.want != http.StatusOK && method == http.MethodGet {
					require.Equal(t, "text/plain; charset=utf-8", r.Header.Get("Content-Type"))
					require.Less(t, len(r.body), 80, "a short message: %q", r.body)
				}
			}
		}
	}

	// Signed links verify against every configured key, so rotating in a
	// new first key keeps old links working.
	rotated, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("n", 32)), []byte(strings.Repeat("k", 32))})
	require.NoError(t, err)
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: rotated, Lookup: e.lookup, Logger: testLogger(t)})
	require.NoError(t, err)
	for _, s := range []*auth.Signer{other, rotated} {
		u := signedPrefix(s, e.private, time.Now().Add(time.Hour)) + "poster.jpg"
		rec := serve(h, http.MethodGet, u)
		require.Equal(t, http.StatusOK, rec.Code)
	}
}

func TestUnknownObjectsAndPrivacyValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	for _, rest := range []string{
		"hls/720p/index.m3u8", "hls/180p/seg_00099.ts", "subtitles/fr.vtt", "downloads/1080p.mp4",
		"hls", "hls/180p", "storyboard/", "poster.jpg/x",
	} {
		r := get(t, e.pub(e.public, rest))
		require.Equal(t, http.StatusNotFound, r.StatusCode, rest)
	}

	// A privacy value the handler does not know is treated as private.
	e.mu.Lock()
	e.privacy[e.unlisted] = "FRIENDS_ONLY"
	e.mu.Unlock()
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Logger: testLogger(t)})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, serve(h, http.MethodGet, publicPrefix(e.unlisted)+"poster.jpg").Code)
	rec := serve(h, http.MethodGet, signedPrefix(e.signer, e.unlisted, time.Now().Add(time.Minute))+"poster.jpg")
	require.Equal(t, http.StatusOK, rec.Code)
	requireSignedCacheControl(t, rec.Header().Get("Cache-Control"), 31536000, time.Minute)

	// A failing lookup is a 503, and is not cached.
	e.mu.Lock()
	e.lookErr = errLookup
	e.mu.Unlock()
	h, err = delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Logger: testLogger(t)})
	require.NoError(t, err)
	before := e.lookupsOf(e.public)
	for range 3 {
		require.Equal(t, http.StatusServiceUnavailable, serve(h, http.MethodGet, publicPrefix(e.public)+"poster.jpg").Code)
	}
	require.Equal(t, before+3, e.lookupsOf(e.public))
	e.mu.Lock()
	e.lookErr = nil
	e.mu.Unlock()
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, publicPrefix(e.public)+"poster.jpg").Code)
}

func TestRedirectMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, s3Redirect, func(c *delivery.Config) { c.PresignTTL = 5 * time.Minute })
	for _, p := range paths {
		r := get(t, e.pub(e.public, p.rest))
		if strings.HasSuffix(p.rest, ".m3u8") {
			// Playlists are served here so their relative URIs
			// resolve under clipcut's URL.
			require.Equal(t, http.StatusOK, r.StatusCode, p.rest)
			require.Equal(t, fixtureFile(t, p.rest), r.body)
			continue
		}
		require.Equal(t, http.StatusFound, r.StatusCode, p.rest)
		require.Equal(t, "public, max-age=150", r.Header.Get("Cache-Control"))
		require.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
		loc, err := url.Parse(r.Header.Get("Location"))
		require.NoError(t, err)
		require.NotEqual(t, strings.TrimPrefix(e.url, "http://"), loc.Host, "redirected to the store")
		require.Equal(t, "300", loc.Query().Get("X-Amz-Expires"))
		obj := get(t, loc.String())
		require.Equal(t, http.StatusOK, obj.StatusCode, p.rest)
		require.Equal(t, fixtureFile(t, p.rest), obj.body)
	}

	// A private video's presigned URL ends no later than its link.
	r := get(t, e.signed(e.private, 30*time.Second, "hls/180p/seg_00000.ts"))
	require.Equal(t, http.StatusFound, r.StatusCode)
	// The redirect is cached no longer than half the URL's life, by any
	// cache: the token in the path is the capability.
	var browser, shared int
	_, err := fmt.Sscanf(r.Header.Get("Cache-Control"), "public, max-age=%d, s-maxage=%d", &browser, &shared)
	require.NoError(t, err, r.Header.Get("Cache-Control"))
	require.LessOrEqual(t, shared, 15)
	require.LessOrEqual(t, browser, shared)
	loc, err := url.Parse(r.Header.Get("Location"))
	require.NoError(t, err)
	expires, err := strconv.Atoi(loc.Query().Get("X-Amz-Expires"))
	require.NoError(t, err)
	require.LessOrEqual(t, expires, 30)
	require.Greater(t, expires, 0)

	// Refusals happen before any redirect.
	require.Equal(t, http.StatusForbidden, get(t, e.pub(e.private, "poster.jpg")).StatusCode)
	require.Equal(t, http.StatusNotFound, get(t, e.pub(e.unknown, "poster.jpg")).StatusCode)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	seg := fixtureFile(t, "hls/180p/seg_00000.ts")
	for range 3 {
		require.Equal(t, http.StatusOK, get(t, e.pub(e.public, "hls/180p/seg_00000.ts")).StatusCode)
	}
	require.Equal(t, http.StatusPartialContent, get(t, e.pub(e.public, "hls/180p/seg_00000.ts"), "Range", "bytes=0-99").StatusCode)
	require.Equal(t, http.StatusForbidden, get(t, e.pub(e.private, "hls/master.m3u8")).StatusCode)
	require.Equal(t, http.StatusNotFound, get(t, e.url+"/media/nothing").StatusCode)

	require.Equal(t, 3.0, counter(t, e.reg, "clipcut_media_requests_total", "kind", "segment", "code", "200"))
	require.Equal(t, 1.0, counter(t, e.reg, "clipcut_media_requests_total", "kind", "segment", "code", "206"))
	require.Equal(t, 1.0, counter(t, e.reg, "clipcut_media_requests_total", "kind", "playlist", "code", "403"))
	require.Equal(t, 1.0, counter(t, e.reg, "clipcut_media_requests_total", "kind", "none", "code", "404"))
	require.Equal(t, float64(3*len(seg)+100), counter(t, e.reg, "clipcut_media_sent_bytes_total", "kind", "segment"))
	require.Equal(t, 2.0, counter(t, e.reg, "clipcut_media_video_lookups_total"), "one per video")

	// A second handler on the same registry is refused, not a panic.
	_, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Registerer: e.reg})
	require.Error(t, err)
	// And the counters work on a fresh one.
	_, err = delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, Registerer: prometheus.NewRegistry()})
	require.NoError(t, err)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := delivery.New(delivery.Config{S3Mode: "teleport", PresignTTL: 30 * 24 * time.Hour, LookupTTL: -1})
	require.Error(t, err)
	for _, want := range []string{"bucket", "signer", "lookup", "teleport", "presign", "lookup TTL"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestSignedPath(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10")

	s, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)
	expires := time.Unix(2000000000, 0)
	tok, p := delivery.SignedPath(s, id, expires)
	require.Regexp(t, `^2000000000\.[A-Za-z0-9_-]+$`, tok)
	require.Equal(t, "/media/t/"+tok+"/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10", p)
	require.NoError(t, s.Verify("media:"+id.String(), tok, time.Now()))
	require.Equal(t, p, (&url.URL{Path: p}).EscapedPath())
}

// recordingBucket notes the calls the handler makes on a real bucket.
type recordingBucket struct {
	storage.Bucket
	mu    sync.Mutex
	calls []string
}

func (b *recordingBucket) note(call string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, call)
}

func (b *recordingBucket) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.calls
	b.calls = nil
	return c
}

func (b *recordingBucket) Get(ctx context.Context, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	b.note("get")
	return b.Bucket.Get(ctx, key)
}

func (b *recordingBucket) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	b.note(fmt.Sprintf("range %d %d", offset, length))
	return b.Bucket.GetRange(ctx, key, offset, length)
}

func (b *recordingBucket) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	b.note("stat")
	return b.Bucket.Stat(ctx, key)
}

// TestS3RequestsPerAnswer checks what each answer costs the object store
// in proxy mode: one request for a whole object, a HEAD or a 304; two for
// a range, the second asking for exactly its bytes.
func TestS3RequestsPerAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, s3Proxy)
	rb := &recordingBucket{Bucket: e.bucket}
	h, err := delivery.New(delivery.Config{Bucket: rb, Signer: e.signer, Lookup: e.lookup, Logger: testLogger(t)})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	const rest = "downloads/180p.mp4"
	data := fixtureFile(t, rest)
	size := len(data)
	u := srv.URL + publicPrefix(e.public) + rest

	r := get(t, u)
	require.Equal(t, data, r.body)
	require.Equal(t, []string{"get"}, rb.take())
	etag := r.Header.Get("ETag")

	for _, tc := range []struct {
		header []string
		status int
		body   []byte
		calls  []string
	}{
		{nil, http.StatusOK, nil, []string{"stat"}}, // HEAD
		{[]string{"If-None-Match", etag}, http.StatusNotModified, nil, []string{"stat"}},
		{[]string{"Range", "bytes=100-199"}, http.StatusPartialContent, data[100:200], []string{"stat", "range 100 100"}},
		{[]string{"Range", "bytes=-100"}, http.StatusPartialContent, data[size-100:], []string{"stat", fmt.Sprintf("range %d 100", size-100)}},
		{[]string{"Range", "bytes=100-"}, http.StatusPartialContent, data[100:], []string{"stat", "range 100 -1"}},
		{[]string{"Range", "bytes=0-9,20-29"}, http.StatusPartialContent, nil, []string{"stat", "range 0 -1", "range 20 -1"}},
		// A stale If-Range sends everything: the hinted range, then the rest.
		{[]string{"Range", "bytes=0-9", "If-Range", `"stale"`}, http.StatusOK, data, []string{"stat", "range 0 10", "range 10 -1"}},
		{[]string{"Range", fmt.Sprintf("bytes=%d-", size)}, http.StatusRequestedRangeNotSatisfiable, nil, []string{"stat"}},
	} {
		method := http.MethodGet
		if tc.header == nil {
			method = http.MethodHead
		}
		r := do(t, method, u, tc.header...)
		require.Equal(t, tc.status, r.StatusCode, tc.header)
		if tc.body != nil {
			require.Equal(t, tc.body, r.body, tc.header)
		}
		require.Equal(t, tc.calls, rb.take(), tc.header)
	}
}

// TestForgetVideoAppliesAPrivacyChangeAtOnce: with answers kept for an
// hour, a video made private is refused on the next request once the
// handler is told (as the server tells it from the notifier).
func TestForgetVideoAppliesAPrivacyChangeAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, LookupTTL: time.Hour, Logger: testLogger(t)})
	require.NoError(t, err)
	const seg, master = "hls/180p/seg_00000.ts", "hls/master.m3u8"
	for _, id := range []uuid.UUID{e.public, e.unlisted} {
		for _, rest := range []string{seg, master} {
			require.Equal(t, http.StatusOK, serve(h, http.MethodGet, unlistedPrefix(id)+rest).Code)
		}
	}
	e.mu.Lock()
	e.privacy[e.public] = delivery.PrivacyPrivate
	e.privacy[e.unlisted] = delivery.PrivacyPrivate
	e.mu.Unlock()
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, publicPrefix(e.public)+seg).Code, "not told yet: the answer is kept")

	h.ForgetVideo(e.public)
	for _, rest := range []string{seg, master} {
		require.Equal(t, http.StatusForbidden, serve(h, http.MethodGet, publicPrefix(e.public)+rest).Code, rest)
		rec := serve(h, http.MethodGet, signedPrefix(e.signer, e.public, time.Now().Add(time.Minute))+rest)
		require.Equal(t, http.StatusOK, rec.Code, rest)
		require.Contains(t, rec.Header().Get("Cache-Control"), "s-maxage=", rest)
	}
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, unlistedPrefix(e.unlisted)+seg).Code, "only the video told of")

	h.ForgetAll()
	require.Equal(t, http.StatusForbidden, serve(h, http.MethodGet, unlistedPrefix(e.unlisted)+seg).Code)
	require.Equal(t, http.StatusForbidden, serve(h, http.MethodGet, unlistedPrefix(e.unlisted)+master).Code)
}

// TestForgetVideoAppliesANewPublicIDAtOnce checks that once told (as the
// server tells it from the notifier after rotatePublicId), the handler
// refuses the old public id's paths, playlists it keeps in memory
// included, and serves the new one's.
func TestForgetVideoAppliesANewPublicIDAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup, LookupTTL: time.Hour, Logger: testLogger(t)})
	require.NoError(t, err)
	const seg, master = "hls/180p/seg_00000.ts", "hls/master.m3u8"
	for _, rest := range []string{seg, master} {
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, unlistedPrefix(e.unlisted)+rest).Code)
	}
	const fresh = "FreshPublicId_0123456-"
	e.mu.Lock()
	e.rotated = map[uuid.UUID]string{e.unlisted: fresh}
	e.mu.Unlock()
	h.ForgetVideo(e.unlisted)
	for _, rest := range []string{seg, master} {
		require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, unlistedPrefix(e.unlisted)+rest).Code, rest)
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, layout.UnlistedPath(fresh, e.unlisted)+"/"+rest).Code, rest)
		require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, publicPrefix(e.unlisted)+rest).Code, rest)
	}
}

// requireSignedCacheControl checks the Cache-Control of an answer on a
// path signed for ttl, whose object's own lifetime is maxAge seconds:
// public, kept by shared caches up to the token's expiry (s-maxage) and
// by browsers a minute at most. The seconds left depend on when the
// request ran, so s-maxage is only bounded (a busy machine may take
// minutes between signing and asking).
func requireSignedCacheControl(t *testing.T, cc string, maxAge int, ttl time.Duration) {
	t.Helper()
	var browser, shared int
	_, err := fmt.Sscanf(cc, "public, max-age=%d, s-maxage=%d", &browser, &shared)
	require.NoError(t, err, cc)
	top := min(maxAge, int(ttl/time.Second))
	require.LessOrEqual(t, shared, top, cc)
	require.GreaterOrEqual(t, shared, min(maxAge, int((ttl-5*time.Minute)/time.Second)), cc)
	require.Equal(t, min(shared, 60), browser, cc)
	require.Equal(t, fmt.Sprintf("public, max-age=%d, s-maxage=%d", browser, shared), cc)
}
