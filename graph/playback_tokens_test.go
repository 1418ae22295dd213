package graph_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// testSigner signs share links as the server would, with the key the
// test delivery handlers verify.
var testSigner = func() *auth.Signer {
	s, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		panic(err)
	}
	return s
}()

func (testLinks) SignedLink(_ context.Context, id, linkID uuid.UUID, expires time.Time) (string, string) {
	token, path := delivery.SignedLinkPath(testSigner, id, linkID, expires)
	return token, "http://media.test" + path
}

// replica is one process's media delivery on the test database: its own
// handler, caches and notifier, as each api replica has.
type replica struct {
	srv *httptest.Server
}

// newReplica starts a delivery handler on e's database whose cached
// answers live an hour, so that only the notifier can make it forget one.
func newReplica(t *testing.T, e *env, bucket storage.Bucket) *replica {
	t.Helper()
	st := e.store
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := delivery.New(delivery.Config{
		Bucket: bucket, Signer: testSigner, Logger: logger, LookupTTL: time.Hour,
		Lookup: func(ctx context.Context, id uuid.UUID) (delivery.VideoState, error) {
			a, err := st.VideoAccessOf(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return delivery.VideoState{}, delivery.ErrNoVideo
			}
			return delivery.VideoState{Privacy: a.Privacy, PublicID: a.PublicID}, err
		},
		Links: func(ctx context.Context, id uuid.UUID) (delivery.LinkState, error) {
			l, err := st.PlaybackTokenState(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return delivery.LinkState{}, delivery.ErrNoLink
			}
			return delivery.LinkState{VideoID: l.VideoID, Revoked: l.RevokedAt != nil, AllowedOrigins: l.AllowedOrigins}, err
		},
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	n := store.NewNotifier(st.Pool(), logger)
	t.Cleanup(n.SubscribePlaybackTokenRevocations(func(bool) { h.ForgetAll() }, h.ForgetLink))
	t.Cleanup(n.SubscribePrivacyChanges(func(bool) { h.ForgetAll() }, h.ForgetVideo))
	require.NoError(t, n.Start(ctx))
	t.Cleanup(n.Stop)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &replica{srv: srv}
}

// get fetches a media URL made for http://media.test from this replica.
func (r *replica) get(t *testing.T, mediaURL string, hdr ...string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, strings.Replace(mediaURL, "http://media.test", r.srv.URL, 1), nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header
}

// putMedia stores a tiny master playlist and segment for video id.
func putMedia(t *testing.T, bucket storage.Bucket, id uuid.UUID) {
	t.Helper()
	for key, body := range map[string]string{
		layout.Master(id): "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n180p/index.m3u8\n",
		layout.HLSPrefix(id) + "/180p/seg_00000.ts": "segment bytes",
	} {
		require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), ""))
	}
}

const createLinkMutation = `mutation($id: ID!, $ttl: Int, $o: [String!]) {
	createPlaybackToken(videoId: $id, ttl: $ttl, allowedOrigins: $o) {
		id token createdAt expiresAt allowedOrigins playback { hlsUrl } } }`

type shareLink struct {
	ID, Token      string
	ExpiresAt      time.Time
	AllowedOrigins []string
	Playback       struct{ HlsURL string }
}

func (e *env) createLink(cred, videoID string, ttl int, origins []string) shareLink {
	e.t.Helper()
	var out struct{ CreatePlaybackToken shareLink }
	e.decode(e.query(createLinkMutation, map[string]any{"id": videoID, "ttl": ttl, "o": origins}, bearer(cred)), &out)
	return out.CreatePlaybackToken
}

// TestShareLinkAccess checks who may sign, list and revoke a video's
// share links: its owner (session, or a token with videos:share), never
// another user, an anonymous request or a token without the scope.
func TestShareLinkAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	readOnly := e.createToken(owner, "read", []string{"VIDEOS_READ"}, nil)
	sharer := e.createToken(owner, "share", []string{"VIDEOS_SHARE"}, nil)
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]

	vars := map[string]any{"id": private}
	for _, tc := range []struct {
		name, cred, video, code string
	}{
		{"anonymous", "", private, "UNAUTHENTICATED"},
		{"token without videos:share", readOnly, private, "FORBIDDEN"},
		{"other user, private video", other, private, "NOT_FOUND"},
		{"other user, public video", other, public, "FORBIDDEN"},
	} {
		var opts []reqOpt
		if tc.cred != "" {
			opts = append(opts, bearer(tc.cred))
		}
		vars["id"] = tc.video
		require.Equal(t, tc.code, e.query(createLinkMutation, vars, opts...).code(), "create: %s", tc.name)
		require.Equal(t, tc.code, e.query(`query($id: ID!) { playbackTokens(videoId: $id) { id } }`, vars, opts...).code(), "list: %s", tc.name)
	}

	// The owner signs with a session or a videos:share token.
	a := e.createLink(owner, private, 3600, nil)
	b := e.createLink(sharer, private, 600, []string{"HTTPS://Blog.Example.com/", "https://blog.example.com"})
	require.Regexp(t, `^l[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$`, a.Token)
	require.Equal(t, []string{"https://blog.example.com"}, b.AllowedOrigins)
	require.Empty(t, a.AllowedOrigins)
	require.Contains(t, a.Playback.HlsURL, "/media/t/"+a.Token+"/videos/"+private+"/hls/master.m3u8")
	require.WithinDuration(t, time.Now().Add(time.Hour), a.ExpiresAt, 5*time.Minute)

	// Listed newest first, with the same token.
	var list struct{ PlaybackTokens []shareLink }
	e.decode(e.query(`query($id: ID!) { playbackTokens(videoId: $id) { id token expiresAt allowedOrigins } }`,
		map[string]any{"id": private}, bearer(sharer)), &list)
	require.Len(t, list.PlaybackTokens, 2)
	require.Equal(t, []string{b.ID, a.ID}, []string{list.PlaybackTokens[0].ID, list.PlaybackTokens[1].ID})
	require.Equal(t, a.Token, list.PlaybackTokens[1].Token)

	// Revoking: not by others, nor with a token lacking the scope.
	revoke := `mutation($id: ID!) { revokePlaybackToken(id: $id) }`
	require.Equal(t, "NOT_FOUND", e.query(revoke, map[string]any{"id": a.ID}, bearer(other)).code())
	require.Equal(t, "FORBIDDEN", e.query(revoke, map[string]any{"id": a.ID}, bearer(readOnly)).code())
	require.Equal(t, "UNAUTHENTICATED", e.query(revoke, map[string]any{"id": a.ID}).code())
	for range 2 { // again: still true
		r := e.query(revoke, map[string]any{"id": a.ID}, bearer(sharer))
		require.Empty(t, r.Errors)
		require.JSONEq(t, `{"revokePlaybackToken": true}`, string(r.Data))
	}
	e.decode(e.query(`query($id: ID!) { playbackTokens(videoId: $id) { id token expiresAt allowedOrigins } }`,
		map[string]any{"id": private}, bearer(owner)), &list)
	require.Len(t, list.PlaybackTokens, 1, "the revoked link is no longer listed")
	require.Equal(t, b.ID, list.PlaybackTokens[0].ID)

	// Bad input names its field.
	for _, tc := range []struct {
		ttl     int
		origins []string
		field   string
	}{{59, nil, "ttl"}, {604801, nil, "ttl"}, {600, []string{"blog.example.com/x"}, "allowedOrigins"}} {
		r := e.query(createLinkMutation, map[string]any{"id": private, "ttl": tc.ttl, "o": tc.origins}, bearer(owner))
		require.Equal(t, "BAD_USER_INPUT", r.code())
		require.Equal(t, tc.field, r.Errors[0].Extensions["field"])
	}
}

// TestShareLinkRevocationReachesEveryReplica revokes a link through the
// API and checks that two delivery replicas on the same database refuse
// it, though each had it cached for an hour: the notifier told them.
func TestShareLinkRevocationReachesEveryReplica(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	putMedia(t, bucket, uuid.MustParse(id))
	a, b := newReplica(t, e, bucket), newReplica(t, e, bucket)

	link := e.createLink(owner, id, 3600, nil)
	keep := e.createLink(owner, id, 3600, nil)
	segment := strings.Replace(link.Playback.HlsURL, "master.m3u8", "180p/seg_00000.ts", 1)
	for _, r := range []*replica{a, b} {
		code, hdr := r.get(t, link.Playback.HlsURL)
		require.Equal(t, http.StatusOK, code)
		cc := hdr.Get("Cache-Control")
		require.Regexp(t, `^public, max-age=10, s-maxage=10$`, cc, "a signed master: public, its own ten seconds")
		code, hdr = r.get(t, segment)
		require.Equal(t, http.StatusOK, code)
		var browser, shared int
		_, err := fmt.Sscanf(hdr.Get("Cache-Control"), "public, max-age=%d, s-maxage=%d", &browser, &shared)
		require.NoError(t, err, hdr.Get("Cache-Control"))
		require.Equal(t, 60, browser)
		require.LessOrEqual(t, shared, 3600)
		require.Greater(t, shared, 3000, "a CDN keeps a signed segment up to the link's expiry")
	}

	r := e.query(`mutation($id: ID!) { revokePlaybackToken(id: $id) }`, map[string]any{"id": link.ID}, bearer(owner))
	require.Empty(t, r.Errors)
	for _, rep := range []*replica{a, b} {
		require.Eventually(t, func() bool {
			code, _ := rep.get(t, segment)
			return code == http.StatusForbidden
		}, 30*time.Second, 10*time.Millisecond, "every replica refuses the revoked link")
		code, hdr := rep.get(t, link.Playback.HlsURL)
		require.Equal(t, http.StatusForbidden, code)
		require.Equal(t, "no-store", hdr.Get("Cache-Control"))
		code, _ = rep.get(t, keep.Playback.HlsURL)
		require.Equal(t, http.StatusOK, code, "another link of the video still plays")
	}

	// Deleting the video deletes its links too; they are refused (404:
	// the video is gone).
	require.Empty(t, e.query(`mutation($id: ID!) { deleteVideo(id: $id) }`, map[string]any{"id": id}, bearer(owner)).Errors)
	require.Eventually(t, func() bool {
		code, _ := b.get(t, keep.Playback.HlsURL)
		return code == http.StatusForbidden || code == http.StatusNotFound
	}, 30*time.Second, 10*time.Millisecond)
}

// TestShareLinkExpiryAndOrigins checks an expired link and a link
// restricted to one site's pages.
func TestShareLinkExpiryAndOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	id := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]
	vid := uuid.MustParse(id)
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	putMedia(t, bucket, vid)
	rep := newReplica(t, e, bucket)

	// Expired: refused, and no longer listed.
	u, err := e.store.UserByEmail(t.Context(), "owner@example.com")
	require.NoError(t, err)
	old, err := e.store.CreatePlaybackToken(t.Context(), vid, store.Viewer{UserID: u.ID}, time.Now().Add(-time.Minute).Truncate(time.Second), nil)
	require.NoError(t, err)
	_, path := delivery.SignedLinkPath(testSigner, vid, old.ID, old.ExpiresAt)
	code, _ := rep.get(t, "http://media.test"+path+"/hls/master.m3u8")
	require.Equal(t, http.StatusForbidden, code)
	var list struct{ PlaybackTokens []shareLink }
	e.decode(e.query(`query($id: ID!) { playbackTokens(videoId: $id) { id } }`, map[string]any{"id": id}, bearer(owner)), &list)
	require.Empty(t, list.PlaybackTokens)

	// A link for another video's path is refused: the MAC covers both.
	other := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	putMedia(t, bucket, uuid.MustParse(other))
	link := e.createLink(owner, id, 600, []string{"https://blog.example.com"})
	code, _ = rep.get(t, strings.Replace(link.Playback.HlsURL, id, other, 1))
	require.Equal(t, http.StatusForbidden, code)

	// Restricted to pages of https://blog.example.com: checked on
	// playlists, whose answers then stay out of shared caches.
	for _, tc := range []struct {
		hdr  []string
		code int
	}{
		{nil, http.StatusForbidden},
		{[]string{"Origin", "https://evil.example.com"}, http.StatusForbidden},
		{[]string{"Origin", "null"}, http.StatusForbidden},
		{[]string{"Referer", "https://blog.example.com.evil.example/post"}, http.StatusForbidden},
		{[]string{"Origin", "https://blog.example.com"}, http.StatusOK},
		{[]string{"Referer", "https://blog.example.com/2026/12/post.html"}, http.StatusOK},
	} {
		code, hdr := rep.get(t, link.Playback.HlsURL, tc.hdr...)
		require.Equal(t, tc.code, code, "%v", tc.hdr)
		if code == http.StatusOK {
			require.Equal(t, "private, max-age=10", hdr.Get("Cache-Control"))
		}
	}
	// Segments are not checked (the documented limit): public, cacheable.
	code, hdr := rep.get(t, strings.Replace(link.Playback.HlsURL, "master.m3u8", "180p/seg_00000.ts", 1))
	require.Equal(t, http.StatusOK, code)
	require.True(t, strings.HasPrefix(hdr.Get("Cache-Control"), "public, max-age=60, s-maxage="), hdr.Get("Cache-Control"))

	// A forged link id (a real link's MAC under another id) is refused.
	forged := "l" + strings.Repeat("A", 22) + link.Token[23:]
	code, _ = rep.get(t, strings.Replace(link.Playback.HlsURL, link.Token, forged, 1), "Origin", "https://blog.example.com")
	require.Equal(t, http.StatusForbidden, code)
}
