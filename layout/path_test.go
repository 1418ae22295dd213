package layout_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	const id = "0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10"
	const tok = "2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80"
	for _, tc := range []struct {
		path  string
		key   string // "" when refused
		kind  layout.Kind
		token string
		// malformed: the signed form with a token that cannot be one.
		malformed bool
	}{
		{path: "/media/videos/" + id + "/hls/master.m3u8", key: "videos/" + id + "/hls/master.m3u8", kind: layout.KindPlaylist},
		{path: "/media/videos/" + id + "/hls/720p/index.m3u8", key: "videos/" + id + "/hls/720p/index.m3u8", kind: layout.KindPlaylist},
		{path: "/media/videos/" + id + "/hls/720p/seg_00001.ts", key: "videos/" + id + "/hls/720p/seg_00001.ts", kind: layout.KindSegment},
		{path: "/media/videos/" + id + "/hls/720p/init.mp4", key: "videos/" + id + "/hls/720p/init.mp4", kind: layout.KindSegment},
		{path: "/media/videos/" + id + "/hls/720p/seg_1.m4s", key: "videos/" + id + "/hls/720p/seg_1.m4s", kind: layout.KindSegment},
		{path: "/media/videos/" + id + "/hls/subs/en.vtt", key: "videos/" + id + "/hls/subs/en.vtt", kind: layout.KindSegment},
		{path: "/media/videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage},
		{path: "/media/videos/" + id + "/poster-0123456789.jpg", key: "videos/" + id + "/poster-0123456789.jpg", kind: layout.KindImage},
		{path: "/media/videos/" + id + "/poster-.jpg"},
		{path: "/media/videos/" + id + "/poster-XYZ.jpg"},
		{path: "/media/videos/" + id + "/preview-0123456789.webp", key: "videos/" + id + "/preview-0123456789.webp", kind: layout.KindImage},
		{path: "/media/videos/" + id + "/preview-.webp"},
		{path: "/media/videos/" + id + "/preview-0123.jpg"},
		{path: "/media/videos/" + id + "/poster-0123.png"},
		{path: "/media/videos/" + id + "/storyboard/storyboard.vtt", key: "videos/" + id + "/storyboard/storyboard.vtt", kind: layout.KindStoryboard},
		{path: "/media/videos/" + id + "/storyboard/sprite_000.jpg", key: "videos/" + id + "/storyboard/sprite_000.jpg", kind: layout.KindStoryboard},
		{path: "/media/videos/" + id + "/subtitles/en.vtt", key: "videos/" + id + "/subtitles/en.vtt", kind: layout.KindSubtitles},
		{path: "/media/videos/" + id + "/subtitles/en.srt", key: "videos/" + id + "/subtitles/en.srt", kind: layout.KindSubtitles},
		{path: "/media/videos/" + id + "/subtitles/en.m3u8", key: "videos/" + id + "/subtitles/en.m3u8", kind: layout.KindPlaylist},
		{path: "/media/videos/" + id + "/downloads/720p.mp4", key: "videos/" + id + "/downloads/720p.mp4", kind: layout.KindDownload},
		{path: "/media/t/" + tok + "/videos/" + id + "/hls/master.m3u8", key: "videos/" + id + "/hls/master.m3u8", kind: layout.KindPlaylist, token: tok},
		// Never used as a path; verification refuses it (403).
		{path: "/media/t/../videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage, token: ".."},

		{path: "/media/videos/" + id + "/poster.png"},
		{path: "/media/videos/" + id + "/poster.jpg/x.jpg"},
		{path: "/media/videos/" + id + "/thumb.jpg"},
		{path: "/media/videos/" + id + "/source.mp4"},
		{path: "/media/videos/" + id + "/hls"},
		{path: "/media/videos/" + id + "/hls/"},
		{path: "/media/videos/" + id + "/hls/720p/"},
		{path: "/media/videos/" + id + "/hls/x.txt"},
		{path: "/media/videos/" + id + "/hls/x.TS"},
		{path: "/media/videos/" + id + "/hls/x"},
		{path: "/media/videos/" + id + "/hls.d/x"},
		{path: "/media/videos/" + id + "/hls/.clipcut-tmp-abc.ts"},
		{path: "/media/videos/" + id + "/hls/../poster.jpg"},
		{path: "/media/videos/" + id + "/hls/./master.m3u8"},
		{path: "/media/videos/" + id + "//hls/master.m3u8"},
		{path: "/media/videos/" + id + "/hls//master.m3u8"},
		{path: "/media/videos/" + id + `/hls\master.m3u8`},
		{path: "/media/videos/" + id + "/hls/seg\x00.ts"},
		{path: "/media/videos/" + id + "/hls/seg\n.ts"},
		{path: "/media/videos/" + id + "/hls/seg\xff.ts"},
		{path: "/media/videos/" + id + "/hls/" + strings.Repeat("a", 300) + ".ts"},
		{path: "/media/videos/" + id},
		{path: "/media/videos/" + id + "/"},
		{path: "/media/videos/" + strings.ToUpper(id) + "/poster.jpg"},
		{path: "/media/videos/" + strings.ReplaceAll(id, "-", "") + "/poster.jpg"},
		{path: "/media/videos/{" + id + "}/poster.jpg"},
		{path: "/media/videos/" + strings.Replace(id, "0", "g", 1) + "/poster.jpg"},
		{path: "/media/videos/not-a-uuid/poster.jpg"},
		{path: "/media/videos//poster.jpg"},
		{path: "/media/" + id + "/poster.jpg"},
		{path: "/videos/" + id + "/poster.jpg"},
		{path: "/media/uploads/" + id + "/poster.jpg"},
		{path: "/media/t/" + tok},
		{path: "/media/t/" + tok + "/t/" + tok + "/videos/" + id + "/poster.jpg"},
		{path: "/media/t/" + tok + "/videos/" + id + "/poster.png"},
		{path: "/media/t/a b/videos/" + id + "/thumb.jpg"},
		// A mangled token still names the object: the caller refuses the
		// link (403), not the object (404).
		{path: "/media/t//videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage, malformed: true},
		{path: "/media/t/a%2fb/videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage, malformed: true},
		{path: "/media/t/a b/videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage, malformed: true},
		{path: "/media/t/" + tok + "~/videos/" + id + "/hls/master.m3u8", key: "videos/" + id + "/hls/master.m3u8", kind: layout.KindPlaylist, malformed: true},
		{path: "/media/t/" + strings.Repeat("1", 300) + "/videos/" + id + "/poster.jpg", key: "videos/" + id + "/poster.jpg", kind: layout.KindImage, malformed: true},
	} {
		o, ok := layout.ParsePath(tc.path)
		if tc.key == "" {
			require.False(t, ok, "%q", tc.path)
			continue
		}
		require.True(t, ok, "%q", tc.path)
		require.Equal(t, tc.key, o.Key)
		require.Equal(t, tc.kind, o.Kind)
		require.Equal(t, tc.token, o.Token)
		require.Equal(t, tc.malformed, o.MalformedToken, "%q", tc.path)
		require.Equal(t, id, o.ID.String())
		require.Equal(t, id, o.IDText())
		require.Equal(t, tc.key[strings.LastIndexByte(tc.key, '.'):], o.Ext)
	}
}

// TestParsePathInvertsBuilders checks that every object the package names
// parses back, publicly and signed, to its key and video.
func TestParsePathInvertsBuilders(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	const tok = "1700000000.abc-_"
	const pid = "AbCdEfGhIjKlMnOpQr-_09"
	for _, key := range []string{
		layout.Master(id), layout.RenditionPrefix(id, "1080p") + "/index.m3u8", layout.RenditionPrefix(id, "1080p") + "/seg_00000.ts",
		layout.HLSSubtitles(id, "en.0123456789.vtt"), layout.HLSSubtitles(id, "en.0123456789.m3u8"), layout.Poster(id), layout.PosterVersion(id, "0123456789"),
		layout.StoryboardPrefix(id) + "/storyboard.vtt", layout.Subtitles(id, "en.1.srt"), layout.Download(id, "720p"),
	} {
		for _, prefix := range []string{layout.PublicPath(id), layout.SignedPath(tok, id), layout.UnlistedPath(pid, id)} {
			o, ok := layout.ParsePath(layout.URL(prefix, id, key))
			require.True(t, ok, key)
			require.Equal(t, key, o.Key)
			require.Equal(t, id, o.ID)
			if prefix == layout.UnlistedPath(pid, id) {
				require.Equal(t, pid, o.PublicID)
			} else {
				require.Empty(t, o.PublicID)
			}
		}
	}
}

// validKeyTable holds keys on both sides of every rule of
// storage.ValidateKey.
var validKeyTable = []string{
	"", "a", "a/b", "videos/x/hls/master.m3u8", "/a", "a/", "a//b", ".", "..", "a/./b", "a/../b", "./a", "a/..",
	"...", "a/.../b", ".a", "a.", "a\\b", "a\x00b", "a\x1fb", "a\x7fb", "a\tb", "a b", "caf\xc3\xa9", "caf\xc3", "\xff",
	"a/\u2028/b", strings.Repeat("a", 255), strings.Repeat("a", 256), "x/" + strings.Repeat("a", 255) + "/y",
	"x/" + strings.Repeat("a", 256), strings.Repeat("a/", 512), strings.Repeat("a/", 511) + "ab", strings.Repeat("ab/", 341) + "a",
	".clipcut-tmp-", "a/.clipcut-tmp-x", "a/x.clipcut-tmp-", ".clipcut-tmp", "a/.CLIPCUT-TMP-x",
}

func TestValidKeyMatchesStorage(t *testing.T) {
	t.Parallel()
	for _, key := range validKeyTable {
		require.Equal(t, storage.ValidateKey(key) == nil, layout.ValidKey(key), "%q", key)
	}
}

// FuzzValidKey looks for a key layout and storage judge differently:
// go test ./layout -run '^$' -fuzz FuzzValidKey.
func FuzzValidKey(f *testing.F) {
	for _, key := range validKeyTable {
		f.Add(key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := layout.ValidKey(key), storage.ValidateKey(key) == nil; got != want {
			t.Fatalf("%q: layout says %v, storage %v", key, got, want)
		}
	})
}

func BenchmarkParsePath(b *testing.B) {
	paths := []string{
		"/media/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10/hls/720p/seg_00001.ts",
		"/media/t/2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10/hls/720p/index.m3u8",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			if _, ok := layout.ParsePath(p); !ok {
				b.Fatal(p)
			}
		}
	}
}

// TestParsePathUnlisted checks the public id form: a public id of the
// right shape is taken, anything else refuses the path.
func TestParsePathUnlisted(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	const pid = "AbCdEfGhIjKlMnOpQr-_09"
	o, ok := layout.ParsePath(layout.UnlistedPath(pid, id) + "/hls/master.m3u8")
	require.True(t, ok)
	require.Equal(t, pid, o.PublicID)
	require.Equal(t, layout.Master(id), o.Key)
	require.Empty(t, o.Token)
	for _, bad := range []string{"", "short", pid + "x", "AbCdEfGhIjKlMnOpQr-.09", "AbCdEfGhIjKlMnOpQr-/09"} {
		_, ok := layout.ParsePath("/media/u/" + bad + "/" + layout.Master(id))
		require.False(t, ok, bad)
	}
	require.True(t, layout.IsPublicID(pid))
	require.False(t, layout.IsPublicID(id.String()))
}

// TestParsePathPublicID checks the public id form without a video id:
// every object a builder names round-trips through PublicIDPath and
// SetID, the path never holds the video id, and traversal, unknown
// objects and bad public ids are refused.
func TestParsePathPublicID(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	const pid = "AbCdEfGhIjKlMnOpQr-_09"
	for _, key := range []string{
		layout.Master(id), layout.RenditionPrefix(id, "720p") + "/index.m3u8",
		layout.RenditionPrefix(id, "720p") + "/seg_00001.ts", layout.HLSSubtitles(id, "en.vtt"),
		layout.Poster(id), layout.PosterVersion(id, "0123abcd"), layout.Preview(id, "beef"),
		layout.StoryboardPrefix(id) + "/storyboard.vtt", layout.Subtitles(id, "en.srt"),
		layout.Download(id, "720p"), layout.ChaptersTrack(id, "00ff"),
	} {
		u := layout.URL(layout.PublicIDPath(pid), id, key)
		require.NotContains(t, u, id.String(), key)
		o, ok := layout.ParsePath(u)
		require.True(t, ok, u)
		require.True(t, o.NeedsID(), u)
		require.Equal(t, pid, o.PublicID)
		require.Empty(t, o.Key)
		require.Empty(t, o.Token)
		rel, _ := layout.Rel(id, key)
		require.Equal(t, rel, o.Rel)
		o.SetID(id)
		require.False(t, o.NeedsID())
		require.Equal(t, id, o.ID)
		require.Equal(t, key, o.Key)
		require.Equal(t, id.String(), o.IDText())

		// The older form with the video id still parses, to the same object.
		old, ok := layout.ParsePath(layout.URL(layout.UnlistedPath(pid, id), id, key))
		require.True(t, ok)
		require.False(t, old.NeedsID())
		require.Equal(t, key, old.Key)
		require.Equal(t, o.Rel, old.Rel)
		require.Equal(t, o.Kind, old.Kind)
	}
	base := layout.PublicIDPath(pid)
	for _, bad := range []string{
		"/../hls/master.m3u8", "/hls/../../videos/x/hls/master.m3u8", "/hls/./master.m3u8",
		"/hls//master.m3u8", "/./poster.jpg", "/..", "/", "", "/hls/master.m3u8/",
		"/hls\\master.m3u8", "/hls/\x00.ts", "/source.mp4", "/chunks/a.ts", "/hls",
		"/thumb.jpg", "/poster.png", "/videos/" + id.String(), "/videos/x/hls/master.m3u8",
		"/hls/.clipcut-tmp-1.ts", "/" + strings.Repeat("a", 256) + "/x.ts",
	} {
		_, ok := layout.ParsePath(base + bad)
		require.False(t, ok, bad)
	}
	for _, bad := range []string{"short", pid + "x", "AbCdEfGhIjKlMnOpQr-.09", id.String()} {
		_, ok := layout.ParsePath(layout.BasePath + "u/" + bad + "/hls/master.m3u8")
		require.False(t, ok, bad)
	}
}

func BenchmarkSetID(b *testing.B) {
	id := uuid.New()
	p := layout.URL(layout.PublicIDPath("AbCdEfGhIjKlMnOpQr-_09"), id, layout.Master(id))
	b.ReportAllocs()
	for b.Loop() {
		o, _ := layout.ParsePath(p)
		o.SetID(id)
	}
}
