package media

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func childCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSmartCutCost measures, when CLIPCUT_CUT_BENCH is set, the CPU time
// of removing 10 s from the middle of a 60 s 1080p30 source by smart cut
// against encoding the whole ladder (BENCHMARKS.md, "Cutting"): the kernel's
// accounting of the ffmpeg children's user+sys time.
func TestSmartCutCost(t *testing.T) {
	if os.Getenv("CLIPCUT_CUT_BENCH") == "" {
		t.Skip("set CLIPCUT_CUT_BENCH=1 to measure (about ten minutes on two cores)")
	}
	ffmpeg, ffprobe := tools(t)
	ctx := testContext(t, 60*time.Minute)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mp4")
	secs := 60
	b, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=1920x1080:r=30:d=%d", secs),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=d=%d", secs), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-c:a", "aac", "-shortest", src).CombinedOutput()
	if err != nil {
		t.Fatal(err, string(b))
	}
	pinfo, err := Probe(ctx, ffprobe, src)
	if err != nil {
		t.Fatal(err)
	}
	info := *pinfo
	ladder := PlanLadder(info, LadderOptions{})
	out := filepath.Join(dir, "hls")
	c0, w0 := childCPU(), time.Now()
	if err := Transcode(ctx, ffmpeg, LadderArgs(src, info, ladder, out, EncodeOptions{}), nil); err != nil {
		t.Fatal(err)
	}
	full, fullWall := childCPU()-c0, time.Since(w0)
	pl, _ := ReadMediaPlaylist(filepath.Join(out, ladder[0].Name, MediaPlaylistName))
	mid := float64(secs) / 2
	keep := SnapToFrames([]TimeRange{{0, mid - 5.1}, {mid + 4.9, info.Duration}}, ladder[0].FrameRate)
	pieces := PlanSmartCut(pl.Segments, ladder[0].FrameRate, keep)
	c1, w1 := childCPU(), time.Now()
	n := 0
	for k, p := range pieces {
		if !p.Encoded() {
			continue
		}
		n++
		var outs []string
		for _, r := range ladder {
			outs = append(outs, filepath.Join(out, r.Name, fmt.Sprintf("e-%d.ts", k)))
		}
		if err := SmartCut(ctx, ffmpeg, src, info, ladder, p.Start, p.End, outs, EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	edit, editWall := childCPU()-c1, time.Since(w1)
	t.Logf("source %ds 1080p30, ladder %d rungs: full transcode CPU %v wall %v; edit (remove 10 s mid, %d pieces of %d) CPU %v wall %v; ratio %.4f; extrapolated to 600 s: %.4f",
		secs, len(ladder), full.Round(time.Millisecond), fullWall.Round(time.Millisecond), n, len(pieces), edit.Round(time.Millisecond), editWall.Round(time.Millisecond),
		float64(edit)/float64(full), float64(edit)/(float64(full)*600/float64(secs)))
}
