package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPreviewMomentsSpreadOverWhatPlays(t *testing.T) {
	t.Parallel()
	got := PreviewMomentsOf(60, nil)
	if len(got) != PreviewMoments {
		t.Fatalf("%d moments, want %d", len(got), PreviewMoments)
	}
	for i, m := range got {
		if m.End-m.Start != 1 || m.Start < 0 || m.End > 60 || i > 0 && m.Start <= got[i-1].End {
			t.Fatalf("moment %d is %+v (all: %+v)", i, m, got)
		}
	}
	if got := PreviewMomentsOf(2.5, nil); len(got) != 2 {
		t.Fatalf("a 2.5 s video has %d moments, want 2: %+v", len(got), got)
	}
	if got := PreviewMomentsOf(0.4, nil); len(got) != 1 || got[0] != (TimeRange{0, 0.4}) {
		t.Fatalf("a 0.4 s video: %+v", got)
	}
	// An edit: every moment inside a kept range, none over a cut.
	keep := []TimeRange{{0, 3.2}, {10, 13}, {40, 46}}
	for _, m := range PreviewMomentsOf(60, keep) {
		inside := false
		for _, r := range keep {
			inside = inside || m.Start >= r.Start && m.End <= r.End && m.End > m.Start
		}
		if !inside {
			t.Fatalf("moment %+v is not within a kept range of %+v", m, keep)
		}
	}
	if SourceTime(keep, 4) != 10.8 || SourceTime(nil, 4) != 4 || SourceTime(keep, 99) != 46 {
		t.Fatalf("SourceTime: %v %v %v", SourceTime(keep, 4), SourceTime(nil, 4), SourceTime(keep, 99))
	}
}

func TestPreviewIsASmallLoopingAnimatedWebP(t *testing.T) {
	ffmpeg, ffprobe := tools(t)
	for _, c := range []struct {
		fixture string
		w, h    int
	}{{"landscape1080", 320, 180}, {"portrait", 180, 320}} {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			in := fixture(t, c.fixture)
			src, err := Probe(context.Background(), ffprobe, in)
			if err != nil {
				t.Fatal(err)
			}
			moments := PreviewMomentsOf(src.Duration, nil)
			out := filepath.Join(t.TempDir(), "preview.webp")
			img, err := Preview(testContext(t, 2*60e9), ffmpeg, in, *src, moments, out)
			if err != nil {
				t.Fatal(err)
			}
			info, err := ReadWebPInfo(out)
			if err != nil {
				t.Fatal(err)
			}
			if info.Width != c.w || info.Height != c.h || img.Width != c.w || img.Height != c.h {
				t.Fatalf("preview is %dx%d (image %dx%d), want %dx%d", info.Width, info.Height, img.Width, img.Height, c.w, c.h)
			}
			if info.Loops != 0 {
				t.Fatalf("plays %d times, want forever", info.Loops)
			}
			// Every moment's frames at 8 fps.
			want := float64(len(moments))
			if info.Duration < want-0.3 || info.Duration > want+0.3 || info.Frames < len(moments)*previewFPS-len(moments) {
				t.Fatalf("%d frames over %.3f s, want %d moments of a second at %d fps", info.Frames, info.Duration, len(moments), previewFPS)
			}
			fi, _ := os.Stat(out)
			if fi.Size() > 400<<10 {
				t.Fatalf("preview is %d bytes: too big for a card", fi.Size())
			}
		})
	}
	t.Run("audio", func(t *testing.T) {
		t.Parallel()
		in := fixture(t, "audioonly")
		src, err := Probe(context.Background(), ffprobe, in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Preview(context.Background(), ffmpeg, in, *src, PreviewMomentsOf(src.Duration, nil), filepath.Join(t.TempDir(), "p.webp"))
		if !errors.Is(err, ErrNoVideo) {
			t.Fatalf("audio: %v, want ErrNoVideo", err)
		}
	})
}
