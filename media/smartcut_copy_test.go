package media

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// framesMD5 is the MD5 of every decoded video frame of path, in display
// order.
func framesMD5(t *testing.T, ffmpeg, path string) []string {
	t.Helper()
	out, err := exec.Command(ffmpeg, "-hide_banner", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-").Output()
	require.NoError(t, err)
	var sums []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		sums = append(sums, strings.TrimSpace(f[len(f)-1]))
	}
	return sums
}

// TestCopySegmentHeadsCopiesExactlyTheFirstFrames cuts the head of an
// MPEG-TS segment with B-frames (x264's default) by stream copy: the
// count HeadCopyFrames gives stops before a P-frame shown later, and the
// copy holds exactly the segment's first frames, bit for bit once decoded,
// with its sound.
func TestCopySegmentHeadsCopiesExactlyTheFirstFrames(t *testing.T) {
	ffmpeg, _ := tools(t)
	dir := t.TempDir()
	seg := filepath.Join(dir, "seg.ts")
	out, err := exec.Command(ffmpeg, append(concat(lavfiVideo("320x240", 30, 2), lavfiSine(2)),
		"-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "120", "-c:a", "aac", "-f", "mpegts", seg)...).CombinedOutput()
	require.NoError(t, err, "%s", out)

	pts, err := tsVideoPTS(seg)
	require.NoError(t, err)
	require.Len(t, pts, 60)
	reordered := false
	for i := 1; i < len(pts); i++ {
		reordered = reordered || pts[i] < pts[i-1]
	}
	require.True(t, reordered, "the segment has B-frames")

	want := 40
	m := HeadCopyFrames(seg, want)
	require.Positive(t, m)
	require.LessOrEqual(t, m, want)
	require.GreaterOrEqual(t, m, want-4, "a closed prefix within a few frames of the cut")

	head := filepath.Join(dir, "head.ts")
	require.NoError(t, CopySegmentHeads(testContext(t, time.Minute), ffmpeg, []string{seg}, []int{m}, Rational{Num: 30, Den: 1}, true, []string{head}))
	require.Equal(t, framesMD5(t, ffmpeg, seg)[:m], framesMD5(t, ffmpeg, head), "exactly the first m frames")
	probe, err := exec.Command(ffmpeg, "-hide_banner", "-v", "error", "-i", head, "-map", "0:a", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "%s", probe)
}
