package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/clipcut/clipcut/media"
)

// Source is a generated input clip, probed the way clipcut probes uploads.
type Source struct {
	Path string
	Info media.SourceInfo
	Size int64
}

// Seconds is the clip's length.
func (s *Source) Seconds() float64 { return s.Info.Duration }

// generateSource writes a 1080p30 clip of length d into dir: ffmpeg's
// testsrc2 pattern (moving, coloured, with a counter) and a 440 Hz tone,
// encoded as a phone or camera would (H.264 High, veryfast, AAC stereo
// 48 kHz in MP4). Synthetic pictures compress better than camera footage,
// so every approach encodes faster than it would on real uploads; the
// comparisons stay fair because they all get the same file.
func generateSource(ctx context.Context, ffmpeg, ffprobe, dir string, d time.Duration) (*Source, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("generate source: %w", err)
	}
	secs := fmt.Sprintf("%g", d.Seconds())
	path := filepath.Join(dir, fmt.Sprintf("source-1080p30-%ss.mp4", secs))
	args := []string{
		"-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=" + secs,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + secs,
		"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ac", "2", "-b:a", "128k",
		"-movflags", "+faststart", "-shortest",
		path,
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("generate source: ffmpeg: %w: %s", err, stderr.String())
	}
	info, err := media.Probe(ctx, ffprobe, path)
	if err != nil {
		return nil, fmt.Errorf("generate source: %w", err)
	}
	return &Source{Path: path, Info: *info, Size: info.Size}, nil
}
