package media

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestPosterFromImage(t *testing.T) {
	ffmpeg, _ := tools(t)
	dir := t.TempDir()
	gen := func(name, size string) string {
		p := filepath.Join(dir, name)
		out, err := exec.Command(ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size="+size,
			"-frames:v", "1", p).CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v: %s", name, err, out)
		}
		return p
	}
	for _, c := range []struct {
		name, size string
		w, h       int
	}{
		{"a.png", "320x240", 320, 240},
		{"a.webp", "320x240", 320, 240},
		{"big.jpg", "2560x1440", 1280, 720},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := PosterFromImage(context.Background(), ffmpeg, gen(c.name, c.size), filepath.Join(dir, c.name+".out.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			if img.Width != c.w || img.Height != c.h {
				t.Fatalf("poster is %dx%d, want %dx%d", img.Width, img.Height, c.w, c.h)
			}
			if _, err := os.Stat(img.Path); err != nil {
				t.Fatal(err)
			}
		})
	}
	bad := map[string][]byte{
		"text":          []byte("hello, this is not an image at all"),
		"truncated":     append([]byte("\x89PNG\r\n\x1a\n"), make12(200)...),
		"riff not webp": []byte("RIFF\x00\x00\x00\x00WAVEfmt "),
	}
	for name, body := range bad {
		p := filepath.Join(dir, "bad")
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "bad.jpg")
		if _, err := PosterFromImage(context.Background(), ffmpeg, p, out); !errors.Is(err, ErrBadImage) {
			t.Errorf("%s: err = %v, want ErrBadImage", name, err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: a poster was written", name)
		}
	}
}

func make12(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}
