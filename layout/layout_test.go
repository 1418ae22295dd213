package layout

import (
	"testing"

	"github.com/google/uuid"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("0190c1a2-7b3c-7d4e-8f60-123456789abc")
	p := "videos/" + id.String()
	for _, tc := range []struct{ got, want string }{
		{Prefix(id), p},
		{Master(id), p + "/hls/master.m3u8"},
		{RenditionPrefix(id, "720p"), p + "/hls/720p"},
		{HLSSubtitles(id, "en.0123456789.vtt"), p + "/hls/subs/en.0123456789.vtt"},
		{Poster(id), p + "/poster.jpg"},
		{Preview(id, "0a1b"), p + "/preview-0a1b.webp"},
		{StoryboardPrefix(id), p + "/storyboard"},
		{Subtitles(id, "en.0123456789.srt"), p + "/subtitles/en.0123456789.srt"},
		{Download(id, "1080p"), p + "/downloads/1080p.mp4"},
		{PublicPath(id), "/media/" + p},
		{SignedPath("123.abc", id), "/media/t/123.abc/" + p},
		{URL("https://cdn.example/media/"+p, id, Poster(id)), "https://cdn.example/media/" + p + "/poster.jpg"},
		{URL("/x", id, "videos/"+uuid.New().String()+"/poster.jpg"), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if _, ok := Rel(id, p+"/"); ok {
		t.Error("Rel accepted the bare prefix")
	}
}
