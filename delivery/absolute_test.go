package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
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

func TestServeAbsolutePlaylist(t *testing.T) {
	t.Parallel()
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	put := func(key, body string) {
		require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), ""))
	}
	put(layout.Master(id), "#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"en\",URI=\"subs/en.m3u8\"\n"+
		"#EXT-X-STREAM-INF:BANDWIDTH=1,SUBTITLES=\"subs\"\r\n720p/index.m3u8\r\n")
	put(layout.RenditionPrefix(id, "720p")+"/index.m3u8", "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\nseg_00000.m4s\n"+
		"#EXTINF:2,\n/abs/seg.m4s\n#EXTINF:2,\nhttps://cdn.example/seg.m4s\n#EXT-X-ENDLIST\n")
	put(layout.RenditionPrefix(id, "live")+"/index.m3u8", "#EXTM3U\n#EXTINF:2,\nseg_00000.ts\n")
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)
	lookups := 0
	h, err := delivery.New(delivery.Config{Bucket: bucket, Signer: signer,
		Lookup: func(context.Context, uuid.UUID) (delivery.VideoState, error) {
			lookups++
			return delivery.VideoState{Privacy: delivery.PrivacyPublic}, nil
		}})
	require.NoError(t, err)

	serve := func(method string, p delivery.AbsolutePlaylist, header ...string) (*httptest.ResponseRecorder, error) {
		req := httptest.NewRequest(method, "/api/v1/videos/"+id.String()+"/playlist.m3u8", nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		return w, h.ServeAbsolutePlaylist(w, req, p)
	}
	pub := "https://example.test" + layout.PublicPath(id)

	w, err := serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: layout.Master(id), Prefix: pub})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"en\",URI=\""+pub+"/hls/subs/en.m3u8\"\n"+
		"#EXT-X-STREAM-INF:BANDWIDTH=1,SUBTITLES=\"subs\"\r\n"+pub+"/hls/720p/index.m3u8\r\n", w.Body.String())
	require.Equal(t, "application/vnd.apple.mpegurl", w.Header().Get("Content-Type"))
	require.Equal(t, "public, max-age=10", w.Header().Get("Cache-Control"), "a master playlist's rule")
	require.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	require.Equal(t, w.Body.Len(), atoi(t, w.Header().Get("Content-Length")))
	require.Empty(t, w.Header().Get("ETag"), "the body depends on the prefix, not only on the object")
	require.Empty(t, w.Header().Get("Last-Modified"))
	require.Zero(t, lookups, "the caller has authorized the viewer")

	rendition := layout.RenditionPrefix(id, "720p") + "/index.m3u8"
	w, err = serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: rendition, Prefix: pub})
	require.NoError(t, err)
	base := pub + "/hls/720p/"
	require.Equal(t, "#EXTM3U\n#EXT-X-MAP:URI=\""+base+"init.mp4\"\n#EXTINF:2,\n"+base+"seg_00000.m4s\n"+
		"#EXTINF:2,\n/abs/seg.m4s\n#EXTINF:2,\nhttps://cdn.example/seg.m4s\n#EXT-X-ENDLIST\n", w.Body.String())
	require.Equal(t, "public, max-age=86400", w.Header().Get("Cache-Control"), "an ended media playlist's rule")

	w, err = serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: layout.RenditionPrefix(id, "live") + "/index.m3u8", Prefix: pub})
	require.NoError(t, err)
	require.Equal(t, "public, max-age=1", w.Header().Get("Cache-Control"), "a growing playlist's rule")

	// Private: signed URIs, kept by no shared cache, nor past the
	// signature's expiry.
	expires := time.Now().Add(time.Hour)
	_, signed := delivery.SignedPath(signer, id, expires)
	w, err = serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: rendition, Prefix: signed, Private: true, Expires: expires})
	require.NoError(t, err)
	require.Contains(t, w.Body.String(), "\n"+signed+"/hls/720p/seg_00000.m4s\n")
	cc := w.Header().Get("Cache-Control")
	require.Regexp(t, `^private, max-age=\d+$`, cc)
	require.LessOrEqual(t, atoi(t, strings.TrimPrefix(cc, "private, max-age=")), 3600)

	// HEAD and ranges, as for every playlist.
	w, err = serve(http.MethodHead, delivery.AbsolutePlaylist{Video: id, Key: layout.Master(id), Prefix: pub})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, w.Code)
	require.Empty(t, w.Body.String())
	w, err = serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: layout.Master(id), Prefix: pub}, "Range", "bytes=0-6")
	require.NoError(t, err)
	require.Equal(t, http.StatusPartialContent, w.Code)
	require.Equal(t, "#EXTM3U", w.Body.String())

	// Missing playlists and keys that are not the video's are the
	// caller's to answer.
	for _, key := range []string{
		layout.RenditionPrefix(id, "1080p") + "/index.m3u8", // not there
		layout.Master(uuid.New()),                           // another video's
		layout.Poster(id),                                   // not a playlist
	} {
		w, err = serve(http.MethodGet, delivery.AbsolutePlaylist{Video: id, Key: key, Prefix: pub})
		require.True(t, errors.Is(err, delivery.ErrNoObject), "%s: %v", key, err)
		require.Empty(t, w.Body.String(), key)
		require.Empty(t, w.Header(), key)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
