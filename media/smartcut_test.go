package media

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BitsSource writes a video of seconds at rate fps whose every frame shows
// its number in binary: ten vertical stripes, the i-th white when bit i is
// set. Compression blurs brightness, never a stripe's colour, so
// FrameNumbers reads the number back from any rendition.
func bitsSource(t testing.TB, ffmpeg string, seconds, rate int) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bits.mp4")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-v", "error",
		"-f", "lavfi", "-i", "color=c=black:s=480x360:r="+strconv.Itoa(rate)+":d="+strconv.Itoa(seconds),
		"-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d="+strconv.Itoa(seconds),
		"-vf", "geq=lum='if(bitand(N\\,pow(2\\,floor(X*10/W)))\\,235\\,16)':cb=128:cr=128",
		"-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-g", "7", "-c:a", "aac", "-shortest", out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	return out
}

// frameNumbers decodes every frame of path (a video file or a media
// playlist, whose segments are decoded one by one in order) and reads the
// number each shows (see bitsSource).
func frameNumbers(t testing.TB, ffmpeg, path string) []int {
	t.Helper()
	if strings.HasSuffix(path, ".m3u8") {
		pl, err := ReadMediaPlaylist(path)
		require.NoError(t, err)
		var out []int
		for _, s := range pl.Segments {
			out = append(out, frameNumbers(t, ffmpeg, filepath.Join(filepath.Dir(path), s.URI))...)
		}
		return out
	}
	raw, err := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i", path,
		"-vf", "scale=10:1:flags=area,format=gray", "-fps_mode", "passthrough", "-f", "rawvideo", "-").Output()
	require.NoError(t, err)
	require.Zero(t, len(raw)%10)
	var out []int
	for f := 0; f < len(raw); f += 10 {
		n := 0
		for i := range 10 {
			if raw[f+i] > 128 {
				n |= 1 << i
			}
		}
		out = append(out, n)
	}
	return out
}

func frameRange(from, to int) []int {
	var out []int
	for n := from; n < to; n++ {
		out = append(out, n)
	}
	return out
}

func TestSmartCutReusesWholeSegmentsAndReencodesOnlyAtTheCuts(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 5*time.Minute)
	src := bitsSource(t, ffmpeg, 20, 10)
	pinfo, err := Probe(ctx, ffprobe, src)
	require.NoError(t, err)
	info := *pinfo
	ladder := PlanLadder(info, LadderOptions{})
	require.Len(t, ladder, 2, "360p and 240p")
	dir := t.TempDir()
	opts := EncodeOptions{Preset: "ultrafast"}
	require.NoError(t, Transcode(ctx, ffmpeg, LadderArgs(src, info, ladder, dir, opts), nil))
	require.Equal(t, frameRange(0, 200), frameNumbers(t, ffmpeg, filepath.Join(dir, "240p", MediaPlaylistName)),
		"the reading of frame numbers works on the original")

	keep := SnapToFrames([]TimeRange{{0, 2.3}, {7.1, 12}, {13.3, 20}}, ladder[0].FrameRate)
	orig, err := ReadMediaPlaylist(filepath.Join(dir, ladder[0].Name, MediaPlaylistName))
	require.NoError(t, err)
	pieces := PlanSmartCut(orig.Segments, ladder[0].FrameRate, keep)
	var encoded, reused int
	for _, p := range pieces {
		if p.Encoded() {
			encoded++
		} else {
			reused++
		}
	}
	require.Equal(t, 3, encoded, "one piece per cut boundary inside a segment: 2.3, 7.1, 13.3")
	require.Equal(t, 4, reused, "0-1, 1-2, 8-12 and 16-20 are reused")

	items := make([][]EditItem, len(ladder))
	for k, p := range pieces {
		var outs []string
		for _, r := range ladder {
			outs = append(outs, filepath.Join(dir, r.Name, "edit-"+strconv.Itoa(k)+".ts"))
		}
		if p.Encoded() {
			require.NoError(t, SmartCut(ctx, ffmpeg, src, info, ladder, p.Start, p.End, outs, opts))
		}
		for i := range ladder {
			it := EditItem{URI: "edit-" + strconv.Itoa(k) + ".ts", Duration: p.End - p.Start, Discontinuity: p.Discontinuity}
			if !p.Encoded() {
				seg, err := ReadMediaPlaylist(filepath.Join(dir, ladder[i].Name, MediaPlaylistName))
				require.NoError(t, err)
				it.URI = seg.Segments[p.Segment].URI
			}
			items[i] = append(items[i], it)
		}
	}
	want := append(append(frameRange(0, 23), frameRange(71, 120)...), frameRange(133, 200)...)
	for i, r := range ladder {
		var buf bytes.Buffer
		require.NoError(t, WriteEditPlaylist(&buf, items[i]))
		path := filepath.Join(dir, r.Name, "edit.m3u8")
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		pl, err := ReadMediaPlaylist(path)
		require.NoError(t, err)
		require.InDelta(t, KeptDuration(keep), pl.Duration(), 0.1, "%s: the sum of the kept ranges, within a frame", r.Name)
		require.Equal(t, want, frameNumbers(t, ffmpeg, path), "%s: every kept frame, in order, and no other", r.Name)
	}
}

func TestEditCuesDropsCutCuesAndShiftsLaterOnes(t *testing.T) {
	t.Parallel()
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	keep := []TimeRange{{0, 2}, {5, 10}}
	got := EditCues([]Cue{
		{Start: s(0.5), End: s(1.5), Text: "kept"},
		{Start: s(2.5), End: s(4.5), Text: "cut"},
		{Start: s(1.5), End: s(6), Text: "straddles"},
		{Start: s(6), End: s(7), Text: "shifted"},
	}, keep)
	require.Equal(t, []Cue{
		{Start: s(0.5), End: s(1.5), Text: "kept"},
		{Start: s(1.5), End: s(3), Text: "straddles"},
		{Start: s(3), End: s(4), Text: "shifted"},
	}, got)
	at, ok := EditTime(keep, 7)
	require.True(t, ok)
	require.InDelta(t, 4, at, 1e-9)
	_, ok = EditTime(keep, 3)
	require.False(t, ok)
}
