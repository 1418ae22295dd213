package delivery

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestParsePath checks what delivery adds to layout.ParsePath (whose
// tests hold the path forms): a content type for every object, and the
// expiry a token claims.
func TestParsePath(t *testing.T) {
	t.Parallel()
	const id = "0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10"
	const tok = "2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80"
	for _, tc := range []struct {
		path, contentType string
		expiry            time.Time
	}{
		{"/media/videos/" + id + "/hls/master.m3u8", "application/vnd.apple.mpegurl", time.Time{}},
		{"/media/videos/" + id + "/hls/720p/seg_00001.ts", "video/mp2t", time.Time{}},
		{"/media/videos/" + id + "/hls/720p/seg_1.m4s", "video/iso.segment", time.Time{}},
		{"/media/videos/" + id + "/downloads/720p.mp4", "video/mp4", time.Time{}},
		{"/media/videos/" + id + "/poster.jpg", "image/jpeg", time.Time{}},
		{"/media/videos/" + id + "/subtitles/en.vtt", "text/vtt; charset=utf-8", time.Time{}},
		{"/media/videos/" + id + "/subtitles/en.srt", "application/x-subrip; charset=utf-8", time.Time{}},
		{"/media/t/" + tok + "/videos/" + id + "/hls/master.m3u8", "application/vnd.apple.mpegurl", time.Unix(2000000000, 0)},
		{"/media/t/../videos/" + id + "/poster.jpg", "image/jpeg", time.Time{}},
	} {
		req, ok := parsePath(tc.path)
		require.True(t, ok, tc.path)
		require.Equal(t, tc.contentType, req.contentType, tc.path)
		require.Equal(t, tc.expiry, req.tokenExpiry, tc.path)
	}
	_, ok := parsePath("/media/videos/" + id + "/poster.png")
	require.False(t, ok)
}

func TestPlaylistCacheControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body    string
		private bool
		want    string
	}{
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n", false, "public, max-age=10"},
		{"#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"en\",URI=\"en.m3u8\"\n", true, "private, max-age=10"},
		{"#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2,\nseg_00000.ts\n#EXT-X-ENDLIST\n", false, "public, max-age=86400"},
		{"#EXTM3U\r\n#EXTINF:2,\r\nseg_00000.ts\r\n#EXT-X-ENDLIST", true, "private, max-age=86400"},
		{"#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:2,\nseg_00000.ts\n", false, "public, max-age=1"},
		{"#EXTM3U\n#EXTINF:2,\nseg-#EXT-X-ENDLIST.ts\n", false, "public, max-age=1"},
		{"", false, "public, max-age=1"},
		{"#EXT-X-ENDLIST", false, "public, max-age=86400"},
		{"#EXTM3U\n  #EXT-X-ENDLIST  \n", false, "public, max-age=86400"},
		{"#EXTM3U\n#EXT-X-ENDLISTX\n", false, "public, max-age=1"},
		{"#EXTM3U\n#EXTINF:2,\nx#EXT-X-STREAM-INF:.ts\n", false, "public, max-age=1"},
		{"#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i.m3u8\"\n", false, "public, max-age=10"},
	} {
		require.Equal(t, tc.want, playlistCacheControl([]byte(tc.body), tc.private), "%q", tc.body)
	}
}
