package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CutArgs are the arguments of the ffmpeg run that cuts [start, end)
// seconds of in into out, an MP4 a new video is processed from. The range
// is re-encoded (x264 at high quality, AAC), so it starts exactly on the
// source frame at start whatever the keyframes: this file is a source,
// transcoded again by the pipeline, not what viewers get.
func CutArgs(in string, src SourceInfo, start, end float64, out string) []string {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning",
		"-ss", strconv.FormatFloat(start, 'f', 6, 64)}
	args = append(args, inputHardening()...)
	args = append(args, "-i", inputURL(in), "-t", strconv.FormatFloat(end-start, 'f', 6, 64))
	if v := src.Video; v != nil {
		args = append(args, "-map", fmt.Sprintf("0:%d", v.Index),
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p")
		if v.FrameRate.Num > 0 && v.FrameRate.Den > 0 {
			args = append(args, "-r", fmt.Sprintf("%d/%d", v.FrameRate.Num, v.FrameRate.Den))
		}
	}
	if a := src.Audio; a != nil {
		args = append(args, "-map", fmt.Sprintf("0:%d", a.Index), "-c:a", "aac", "-b:a", "256k")
	}
	return append(args, "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", out)
}

// Cut writes [start, end) of in to out (CutArgs), through a temporary
// file so out is either absent or complete.
func Cut(ctx context.Context, ffmpegPath, in string, src SourceInfo, start, end float64, out string) error {
	if src.Video == nil && src.Audio == nil {
		return errors.New("cut: source has neither video nor audio")
	}
	if start < 0 || end <= start {
		return fmt.Errorf("cut: bad range %.3f to %.3f s", start, end)
	}
	tmp := out + ".tmp.mp4"
	defer os.Remove(tmp)
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, CutArgs(in, src, start, end, tmp), nil); err != nil {
		return fmt.Errorf("cut: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("cut: %w", err)
	}
	return nil
}

// JoinSegments joins MPEG-TS files (the segments of an HLS rendition, in
// order, possibly with timestamp discontinuities between them) into one
// file with continuous timestamps, by stream copy: ffmpeg's concat
// demuxer restarts each file where the one before it ended. MPEG-TS keeps
// every segment's parameter sets in band, so segments encoded separately
// (a smart cut's re-encoded pieces beside reused segments) join cleanly.
//
// out is an MP4 when its name ends in .mp4, else MPEG-TS. A file that is
// read with seeks (a clip's source: posters by frame, edits) should be
// an MP4: its index makes ffmpeg's input seeking exact, where in MPEG-TS
// it can land on the keyframe after the time asked for.
func JoinSegments(ctx context.Context, ffmpegPath string, segments []string, out string) error {
	return JoinSegmentsEach(ctx, ffmpegPath, [][]string{segments}, []string{out})
}

// JoinSegmentsEach is JoinSegments of several lists at once: segments[i]
// joined into outs[i], in one ffmpeg run (one start-up, which costs as
// much CPU as copying a 20 s rendition).
func JoinSegmentsEach(ctx context.Context, ffmpegPath string, segments [][]string, outs []string) error {
	if len(segments) == 0 || len(segments) != len(outs) {
		return errors.New("join segments: one output per list is needed")
	}
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	for i, segs := range segments {
		if len(segs) == 0 {
			return errors.New("join segments: none")
		}
		var list strings.Builder
		list.WriteString("ffconcat version 1.0\n")
		for _, s := range segs {
			abs, err := filepath.Abs(s)
			if err != nil {
				return fmt.Errorf("join segments: %w", err)
			}
			list.WriteString("file '" + strings.ReplaceAll(abs, "'", `'\''`) + "'\n")
		}
		listPath := outs[i] + ".ffconcat"
		if err := os.WriteFile(listPath, []byte(list.String()), 0o600); err != nil {
			return fmt.Errorf("join segments: %w", err)
		}
		defer os.Remove(listPath)
		args = append(args, "-f", "concat", "-safe", "0", "-i", listPath)
	}
	tmps := make([]string, len(outs))
	for i, out := range outs {
		format, ext := []string{"-f", "mpegts"}, ".tmp.ts"
		if strings.HasSuffix(out, ".mp4") {
			format, ext = []string{"-movflags", "+faststart", "-f", "mp4"}, ".tmp.mp4"
		}
		tmps[i] = out + ext
		defer os.Remove(tmps[i])
		args = append(args, "-map", strconv.Itoa(i), "-c", "copy")
		args = append(append(args, format...), tmps[i])
	}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil); err != nil {
		return fmt.Errorf("join segments: %w", err)
	}
	for i, out := range outs {
		if err := os.Rename(tmps[i], out); err != nil {
			return fmt.Errorf("join segments: %w", err)
		}
	}
	return nil
}
