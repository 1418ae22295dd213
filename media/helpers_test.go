package media

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// update regenerates golden files: go test ./media -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fixtureDir holds the generated clips for the whole test binary run, so
// each clip is generated once however many tests use it.
var fixtureDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "clipcut-media-fixtures-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tools returns the ffmpeg and ffprobe paths, skipping the test when they
// are not installed (make test installs them).
func tools(t testing.TB) (ffmpeg, ffprobe string) {
	t.Helper()
	ffmpeg, err1 := exec.LookPath("ffmpeg")
	ffprobe, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		t.Skip("ffmpeg/ffprobe not installed")
	}
	return ffmpeg, ffprobe
}

// fixtureSpec makes one test input: ffmpeg args (the output path is
// appended), a Go function writing the file, or neither, in which case
// makeFixture has a recipe for it (derived inputs).
type fixtureSpec struct {
	file  string
	args  []string
	build func(path string) error
}

func lavfiVideo(size string, rate, seconds int) []string {
	return []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=%s:r=%d:d=%d", size, rate, seconds)}
}

func lavfiSine(seconds int) []string {
	return []string{"-f", "lavfi", "-i", fmt.Sprintf("sine=f=440:sample_rate=48000:d=%d", seconds)}
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var x264Fast = []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
var aacStereo = []string{"-c:a", "aac", "-ac", "2", "-b:a", "128k"}

var fixtureSpecs = map[string]fixtureSpec{
	"landscape1080": {file: "landscape1080.mp4", args: concat(lavfiVideo("1920x1080", 30, 4), lavfiSine(4), x264Fast, aacStereo, []string{"-shortest"})},
	"hd720":         {file: "hd720.mp4", args: concat(lavfiVideo("1280x720", 25, 2), lavfiSine(2), x264Fast, aacStereo, []string{"-shortest"})},
	"portrait":      {file: "portrait.mp4", args: concat(lavfiVideo("720x1280", 30, 2), lavfiSine(2), x264Fast, aacStereo, []string{"-shortest"})},
	"src480":        {file: "src480.mp4", args: concat(lavfiVideo("854x480", 30, 6), lavfiSine(6), x264Fast, aacStereo, []string{"-shortest"})},
	"tiny11":        {file: "tiny11.mp4", args: concat(lavfiVideo("256x144", 10, 11), x264Fast)},
	"noaudio":       {file: "noaudio.mp4", args: concat(lavfiVideo("640x360", 30, 2), x264Fast)},
	"audioonly":     {file: "audioonly.m4a", args: concat(lavfiSine(5), []string{"-c:a", "aac", "-b:a", "96k"})},
	"coverart":      {file: "coverart.mp3"},
	"vfr": {file: "vfr.mp4", args: concat(lavfiVideo("320x240", 30, 3),
		[]string{"-vf", `select='not(between(mod(n\,10)\,3\,5))'`, "-fps_mode", "vfr"}, x264Fast)},
	"interlaced": {file: "interlaced.mp4", args: concat(lavfiVideo("320x240", 25, 1),
		[]string{"-flags", "+ilme+ildct", "-top", "1", "-x264-params", "interlaced=1"}, x264Fast)},
	"hdr": {file: "hdr.mp4", args: concat(lavfiVideo("320x180", 30, 2),
		[]string{"-vf", "format=yuv420p10le", "-color_trc", "arib-std-b67", "-color_primaries", "bt2020",
			"-colorspace", "bt2020nc", "-c:v", "libx264", "-preset", "ultrafast"})},
	// A full-range BT.601 phone-style encode: the rungs resized from other
	// rungs (zscale) must not trip over its colour tags.
	"fullrange": {file: "fullrange.mp4", args: concat(lavfiVideo("1280x720", 30, 2),
		[]string{"-vf", "format=yuvj420p", "-color_range", "pc", "-colorspace", "smpte170m", "-color_primaries", "smpte170m",
			"-color_trc", "smpte170m", "-c:v", "libx264", "-preset", "ultrafast"})},
	"nodur": {file: "nodur.webm"},
	// The benchmark input: a phone/camera-like 1080p High profile upload.
	"bench1080": {file: "bench1080.mp4", args: concat(lavfiVideo("1920x1080", 30, 8), lavfiSine(8),
		[]string{"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p"},
		aacStereo, []string{"-shortest"})},
	// Long but tiny and cheap: 1000 s at 2 fps, a keyframe every 5 s.
	"long":   {file: "long.mp4", args: concat(lavfiVideo("96x54", 2, 1000), x264Fast, []string{"-g", "10"})},
	"image":  {file: "image.png", args: concat(lavfiVideo("320x240", 1, 1), []string{"-frames:v", "1"})},
	"jpeg":   {file: "photo.jpg", args: concat(lavfiVideo("320x240", 1, 1), []string{"-frames:v", "1"})},
	"subs":   {file: "subtitles-only.mkv"},
	"random": {file: "random.mp4", build: func(p string) error { return os.WriteFile(p, randomBytes(256<<10), 0o644) }},
	"empty":  {file: "empty.mp4", build: func(p string) error { return os.WriteFile(p, nil, 0o644) }},
	// A y4m header is a few bytes of text, so a frame size can be forged
	// without encoding anything. ffmpeg refuses 30000x30000 outright
	// (larger than its image-size sanity limit); 10000x6000 it reports,
	// and our limits must refuse.
	"huge": {file: "huge.y4m", build: func(p string) error {
		return os.WriteFile(p, append([]byte("YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n"), randomBytes(1024)...), 0o644)
	}},
	"big": {file: "big.y4m", build: func(p string) error {
		return os.WriteFile(p, append([]byte("YUV4MPEG2 W10000 H6000 F25:1 Ip A1:1 C420jpeg\nFRAME\n"), randomBytes(1024)...), 0o644)
	}},
	// An HLS playlist named like a video: the classic ffmpeg SSRF and
	// local-file-read vector.
	"playlist": {file: "playlist.mp4", build: func(p string) error {
		return os.WriteFile(p, []byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"), 0o644)
	}},
	"truncated": {file: "truncated.mp4"},
	"rotated":   {file: "rotated.mp4"},
}

// randomBytes returns n bytes of noise, the same on every run: ffprobe's
// format detection, given enough different noise, sometimes finds a format
// in it (lrc subtitles, once in a CI run), which the tests must not depend
// on.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte([]byte("clipcut media test noise, fixed."))).Read(b)
	return b
}

var (
	fixtureMu    sync.Mutex
	fixtureOnces = map[string]*fixtureOnce{}
)

type fixtureOnce struct {
	once sync.Once
	path string
	err  error
}

// fixture returns the path of a generated test input, creating it on first
// use.
func fixture(t testing.TB, name string) string {
	t.Helper()
	ffmpeg, _ := tools(t)
	fixtureMu.Lock()
	f, ok := fixtureOnces[name]
	if !ok {
		f = &fixtureOnce{}
		fixtureOnces[name] = f
	}
	fixtureMu.Unlock()
	f.once.Do(func() { f.path, f.err = makeFixture(t, ffmpeg, name) })
	require.NoError(t, f.err, "fixture %s", name)
	return f.path
}

func makeFixture(t testing.TB, ffmpeg, name string) (string, error) {
	spec, ok := fixtureSpecs[name]
	if !ok {
		return "", fmt.Errorf("no fixture %q", name)
	}
	path := filepath.Join(fixtureDir, spec.file)
	run := func(args ...string) error {
		full := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)
		out, err := exec.Command(ffmpeg, full...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ffmpeg %s: %w: %s", strings.Join(full, " "), err, out)
		}
		return nil
	}
	switch {
	case spec.build != nil:
		return path, spec.build(path)
	case spec.args != nil:
		return path, run(append(spec.args, path)...)
	}
	switch name {
	case "truncated":
		// The first half of a valid MP4 whose index (moov) is at the end:
		// what an interrupted upload of a camera file looks like.
		data, err := os.ReadFile(fixture(t, "hd720"))
		if err != nil {
			return "", err
		}
		return path, os.WriteFile(path, data[:len(data)/2], 0o644)
	case "rotated":
		// A phone-style portrait clip: landscape frames plus a 90 degree
		// display matrix.
		return path, run("-i", fixture(t, "noaudio"), "-c", "copy", "-metadata:s:v", "rotate=90", path)
	case "coverart":
		return path, run(concat(lavfiSine(2), []string{"-i", fixture(t, "image"), "-map", "0", "-map", "1",
			"-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", "-id3v2_version", "3", path})...)
	case "nodur":
		// Written to a pipe, as a browser's MediaRecorder does: the WebM
		// header then carries no duration.
		out, err := os.Create(path)
		if err != nil {
			return "", err
		}
		defer out.Close()
		cmd := exec.Command(ffmpeg, concat([]string{"-hide_banner", "-nostdin", "-v", "error"},
			lavfiVideo("320x240", 30, 3), []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm", "pipe:1"})...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = out, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%w: %s", err, stderr.String())
		}
		return path, nil
	case "subs":
		srt := filepath.Join(fixtureDir, "subs.srt")
		if err := os.WriteFile(srt, []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n"), 0o644); err != nil {
			return "", err
		}
		return path, run("-i", srt, "-c:s", "srt", path)
	}
	return "", fmt.Errorf("fixture %q has no recipe", name)
}

// probeJSON runs ffprobe with extra args and decodes its JSON output.
func probeJSON(t testing.TB, ffprobe string, out any, args ...string) {
	t.Helper()
	full := append([]string{"-v", "error", "-print_format", "json"}, args...)
	b, err := exec.Command(ffprobe, full...).Output()
	require.NoError(t, err, "ffprobe %v", full)
	require.NoError(t, json.Unmarshal(b, out))
}

// keyframeTimes lists the video keyframe timestamps (seconds, as printed)
// of a file.
func keyframeTimes(t testing.TB, ffprobe, path string) []string {
	t.Helper()
	b, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	var keys []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		pts, flags, _ := strings.Cut(line, ",")
		if strings.Contains(flags, "K") {
			keys = append(keys, pts)
		}
	}
	return keys
}

// imageSize returns a picture's dimensions and codec.
func imageSize(t testing.TB, ffprobe, path string) (w, h int, codec string) {
	t.Helper()
	var out struct {
		Streams []struct {
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			CodecName string `json:"codec_name"`
		} `json:"streams"`
	}
	probeJSON(t, ffprobe, &out, "-show_streams", path)
	require.Len(t, out.Streams, 1)
	return out.Streams[0].Width, out.Streams[0].Height, out.Streams[0].CodecName
}

// golden compares got with testdata/<name>.golden, rewriting it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./media -update")
	require.Equal(t, string(want), string(got), "golden %s differs; run go test ./media -update if the change is intended", path)
}

// testContext bounds a test's tool runs so that a hung tool fails the test
// rather than the whole binary. d is what the run needs on an idle
// machine; the bound is ten times that, and never later than shortly
// before go test's own -timeout, because a busy machine (CI running
// several packages, an encode beside the tests) is many times slower and
// a test asserts what a tool produced, never how fast.
func testContext(t *testing.T, d time.Duration) context.Context {
	deadline := time.Now().Add(10 * d)
	if end, ok := t.Deadline(); ok && end.Add(-30*time.Second).Before(deadline) {
		deadline = end.Add(-30 * time.Second)
	}
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// decodeErrors fully decodes a file with ffmpeg and returns its error
// output (empty when the file decodes cleanly).
func decodeErrors(t testing.TB, ffmpeg, path string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-")
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	return stderr.String()
}

func atof(t testing.TB, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return f
}
