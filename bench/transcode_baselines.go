package main

import (
	"fmt"
	"strings"

	"github.com/clipcut/clipcut/media"
)

// handwrittenLadder is the baseline clipcut's argument builder must match:
// the single ffmpeg command an experienced engineer would type for this
// ladder from a 1080p30 source, one line per concern. One decode, a split
// filter, one x264 encoder per rung, one AAC encoder per rung (each variant
// carries its own audio, as clipcut's do), and the HLS muxer writing every
// variant through var_stream_map. Keyframes every 4 s on every rung (-g 120
// at 30 fps, no scene-cut keyframes) so the 4-second segments align,
// capped CRF 23 within each rung's VBV limits, and the plan's profiles and
// levels.
//
// It is deliberately literal: the numbers are typed, not computed, so the
// benchmark compares clipcut's builder with what a person writes.
// checkHandwrittenLadder verifies before measuring that clipcut plans the
// same ladder for the source; if the plan changes, update this command.
func handwrittenLadder(in, out, preset string) [][]string {
	return [][]string{
		{"ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "warning"},
		{"-i", in},
		{"-filter_complex", "[0:v]split=5[v1080][a][b][c][d];" +
			"[a]scale=1280:720[v720];[b]scale=854:480[v480];[c]scale=640:360[v360];[d]scale=426:240[v240]"},
		{"-map", "[v1080]", "-map", "[v720]", "-map", "[v480]", "-map", "[v360]", "-map", "[v240]"},
		{"-map", "0:a", "-map", "0:a", "-map", "0:a", "-map", "0:a", "-map", "0:a"},
		{"-c:v", "libx264", "-preset", preset, "-crf", "23", "-g", "120", "-keyint_min", "120", "-sc_threshold", "0"},
		{"-profile:v:0", "high", "-level:v:0", "4.0", "-maxrate:v:0", "7500k", "-bufsize:v:0", "10000k"},
		{"-profile:v:1", "high", "-level:v:1", "3.1", "-maxrate:v:1", "4200k", "-bufsize:v:1", "5600k"},
		{"-profile:v:2", "main", "-level:v:2", "3.1", "-maxrate:v:2", "2100k", "-bufsize:v:2", "2800k"},
		{"-profile:v:3", "main", "-level:v:3", "3.0", "-maxrate:v:3", "1200k", "-bufsize:v:3", "1600k"},
		{"-profile:v:4", "main", "-level:v:4", "2.1", "-maxrate:v:4", "600k", "-bufsize:v:4", "800k"},
		{"-c:a", "aac", "-ac", "2", "-ar", "48000", "-b:a:0", "128k", "-b:a:1", "128k", "-b:a:2", "128k", "-b:a:3", "96k", "-b:a:4", "96k"},
		{"-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_flags", "independent_segments"},
		{"-hls_segment_filename", out + "/%v/seg_%05d.ts"},
		{"-var_stream_map", "v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:480p v:3,a:3,name:360p v:4,a:4,name:240p"},
		{out + "/%v/index.m3u8"},
	}
}

// handwrittenLadderArgs is handwrittenLadder as ffmpeg's arguments.
func handwrittenLadderArgs(in, out, preset string) []string {
	var args []string
	for _, line := range handwrittenLadder(in, out, preset) {
		args = append(args, line...)
	}
	return args[1:] // without the program name
}

// handwrittenRungs is the ladder the hand-written command encodes.
var handwrittenRungs = []struct {
	name          string
	width, height int
	profile       string
	level         int
	maxRate, buf  int
	audio         int
}{
	{"1080p", 1920, 1080, "high", 40, 7_500_000, 10_000_000, 128_000},
	{"720p", 1280, 720, "high", 31, 4_200_000, 5_600_000, 128_000},
	{"480p", 854, 480, "main", 31, 2_100_000, 2_800_000, 128_000},
	{"360p", 640, 360, "main", 30, 1_200_000, 1_600_000, 96_000},
	{"240p", 426, 240, "main", 21, 600_000, 800_000, 96_000},
}

// checkHandwrittenLadder reports how clipcut's plan differs from the
// ladder the hand-written command encodes (nil when identical), so the
// comparison is never silently between different ladders.
func checkHandwrittenLadder(ladder []media.Rendition) error {
	if len(ladder) != len(handwrittenRungs) {
		return fmt.Errorf("clipcut plans %d rungs, the hand-written command encodes %d", len(ladder), len(handwrittenRungs))
	}
	for i, r := range ladder {
		h := handwrittenRungs[i]
		if r.Name != h.name || r.Width != h.width || r.Height != h.height || r.Profile != h.profile ||
			r.Level != h.level || r.MaxRate != h.maxRate || r.BufSize != h.buf || r.AudioBitrate != h.audio ||
			r.AudioChannels != 2 || r.AudioSampleRate != 48_000 || r.FrameRate.String() != "30" {
			return fmt.Errorf("rung %d: clipcut plans %+v, the hand-written command encodes %+v", i, r, h)
		}
	}
	return nil
}

// perRenditionArgs builds one ffmpeg argument list per rung: PeerTube's
// approach, a transcoding job per resolution, each decoding the whole
// source again and scaling straight from it. Each list is media.LadderArgs
// for a one-rung ladder, so encoder settings, segmenting and output layout
// are clipcut's own and only the process structure differs. (The same
// builder as media/ladder_bench_test.go, which a _test file cannot share.)
func perRenditionArgs(in string, src media.SourceInfo, ladder []media.Rendition, outDir string, opts media.EncodeOptions) [][]string {
	out := make([][]string, 0, len(ladder))
	for _, r := range ladder {
		out = append(out, media.LadderArgs(in, src, []media.Rendition{r}, outDir, opts))
	}
	return out
}

// shellCommand renders a command given line by line for a POSIX shell.
func shellCommand(lines [][]string) string {
	out := make([]string, len(lines))
	for i, line := range lines {
		words := make([]string, len(line))
		for j, w := range line {
			words[j] = shellQuote(w)
		}
		out[i] = strings.Join(words, " ")
	}
	return strings.Join(out, " \\\n  ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,=+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
