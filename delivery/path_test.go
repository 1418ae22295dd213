package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	const id = "0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10"
	const tok = "2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80"
	for _, tc := range []struct {
		path  string
		key   string // "" when refused
		kind  kind
		token string
	}{
		{path: "/media/videos/" + id + "/hls/master.m3u8", key: "videos/" + id + "/hls/master.m3u8", kind: kindPlaylist},
		{path: "/media/videos/" + id + "/hls/720p/index.m3u8", key: "videos/" + id + "/hls/720p/index.m3u8", kind: kindPlaylist},
		{path: "/media/videos/" + id + "/hls/720p/seg_00001.ts", key: "videos/" + id + "/hls/720p/seg_00001.ts", kind: kindSegment},
		{path: "/media/videos/" + id + "/hls/720p/init.mp4", key: "videos/" + id + "/hls/720p/init.mp4", kind: kindSegment},
		{path: "/media/videos/" + id + "/hls/720p/seg_1.m4s", key: "videos/" + id + "/hls/720p/seg_1.m4s", kind: kindSegment},
		{path: "/media/videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: kindImage},
		{path: "/media/videos/" + id + "/storyboard/storyboard.vtt", key: "videos/" + id + "/storyboard/storyboard.vtt", kind: kindStoryboard},
		{path: "/media/videos/" + id + "/storyboard/sprite_000.jpg", key: "videos/" + id + "/storyboard/sprite_000.jpg", kind: kindStoryboard},
		{path: "/media/videos/" + id + "/subtitles/en.vtt", key: "videos/" + id + "/subtitles/en.vtt", kind: kindSubtitles},
		{path: "/media/videos/" + id + "/subtitles/en.srt", key: "videos/" + id + "/subtitles/en.srt", kind: kindSubtitles},
		{path: "/media/videos/" + id + "/subtitles/en.m3u8", key: "videos/" + id + "/subtitles/en.m3u8", kind: kindPlaylist},
		{path: "/media/videos/" + id + "/downloads/720p.mp4", key: "videos/" + id + "/downloads/720p.mp4", kind: kindDownload},
		{path: "/media/t/" + tok + "/videos/" + id + "/hls/master.m3u8", key: "videos/" + id + "/hls/master.m3u8", kind: kindPlaylist, token: tok},
		// Never used as a path; verification refuses it (403).
		{path: "/media/t/../videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: kindImage, token: ".."},

		{path: "/media/videos/" + id + "/poster.png"},
		{path: "/media/videos/" + id + "/poster.jpg/x.jpg"},
		{path: "/media/videos/" + id + "/thumb.jpg"},
		{path: "/media/videos/" + id + "/source.mp4"},
		{path: "/media/videos/" + id + "/hls"},
		{path: "/media/videos/" + id + "/hls/"},
		{path: "/media/videos/" + id + "/hls/720p/"},
		{path: "/media/videos/" + id + "/hls/x.txt"},
		{path: "/media/videos/" + id + "/hls/x.TS"},
		{path: "/media/videos/" + id + "/hls/.clipcut-tmp-abc.ts"},
		{path: "/media/videos/" + id + "/hls/../poster.jpg"},
		{path: "/media/videos/" + id + "/hls/./master.m3u8"},
		{path: "/media/videos/" + id + "//hls/master.m3u8"},
		{path: "/media/videos/" + id + "/hls//master.m3u8"},
		{path: "/media/videos/" + id + `/hls\master.m3u8`},
		{path: "/media/videos/" + id + "/hls/seg\x00.ts"},
		{path: "/media/videos/" + id + "/hls/seg\n.ts"},
		{path: "/media/videos/" + id + "/hls/" + strings.Repeat("a", 300) + ".ts"},
		{path: "/media/videos/" + id},
		{path: "/media/videos/" + id + "/"},
		{path: "/media/videos/" + strings.ToUpper(id) + "/poster.jpg"},
		{path: "/media/videos/" + strings.ReplaceAll(id, "-", "") + "/poster.jpg"},
		{path: "/media/videos/{" + id + "}/poster.jpg"},
		{path: "/media/videos/not-a-uuid/poster.jpg"},
		{path: "/media/videos//poster.jpg"},
		{path: "/media/" + id + "/poster.jpg"},
		{path: "/videos/" + id + "/poster.jpg"},
		{path: "/media/uploads/" + id + "/poster.jpg"},
		{path: "/media/t//videos/" + id + "/poster.jpg"},
		{path: "/media/t/" + tok},
		{path: "/media/t/" + tok + "/t/" + tok + "/videos/" + id + "/poster.jpg"},
		{path: "/media/t/a%2fb/videos/" + id + "/poster.jpg"},
		{path: "/media/t/" + strings.Repeat("1", 300) + "/videos/" + id + "/poster.jpg"},
	} {
		req, ok := parsePath(tc.path)
		if tc.key == "" {
			require.False(t, ok, "%q", tc.path)
			continue
		}
		require.True(t, ok, "%q", tc.path)
		require.Equal(t, tc.key, req.key)
		require.Equal(t, tc.kind, req.kind)
		require.Equal(t, tc.token, req.token)
		require.Equal(t, id, req.id.String())
		require.Equal(t, id, req.idText)
		if tc.token == tok {
			require.Equal(t, time.Unix(2000000000, 0), req.tokenExpiry)
		}
	}
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
