package media

import (
	"os"
	"sync"
	"testing"
	"time"
)

// perRenditionArgs builds the ffmpeg argument lists for the "one process
// per rendition" approach PeerTube takes (a transcoding job per
// resolution): each process decodes the whole source again and encodes a
// single rung, scaled straight from the source. Same encoder settings,
// segmenting and output layout as LadderArgs, so the benchmarks below
// compare only the process structure.
func perRenditionArgs(in string, src SourceInfo, ladder []Rendition, outDir string, opts EncodeOptions) [][]string {
	out := make([][]string, 0, len(ladder))
	for _, r := range ladder {
		out = append(out, LadderArgs(in, src, []Rendition{r}, outDir, opts))
	}
	return out
}

// benchSource generates the benchmark input once: 8 s of 1080p30 High
// profile H.264 with stereo AAC, like a phone or camera upload.
func benchSource(b *testing.B) (string, SourceInfo) {
	b.Helper()
	_, ffprobe := tools(b)
	in := fixture(b, "bench1080")
	src, err := Probe(b.Context(), ffprobe, in)
	if err != nil {
		b.Fatal(err)
	}
	return in, *src
}

// reportSpeed records how many seconds of source are processed per second
// of wall time, the number that decides how many workers an instance needs.
func reportSpeed(b *testing.B, src SourceInfo, start time.Time) {
	b.ReportMetric(src.Duration*float64(b.N)/time.Since(start).Seconds(), "x_realtime")
}

// BenchmarkLadderSingleDecode is clipcut's approach: one ffmpeg, one
// decode, every rung encoded from a shared filter graph.
func BenchmarkLadderSingleDecode(b *testing.B) {
	ffmpeg, _ := tools(b)
	in, src := benchSource(b)
	ladder := PlanLadder(src, LadderOptions{})
	start := time.Now()
	for b.Loop() {
		out := b.TempDir()
		if err := Transcode(b.Context(), ffmpeg, LadderArgs(in, src, ladder, out, EncodeOptions{}), nil); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(out)
	}
	reportSpeed(b, src, start)
}

// BenchmarkLadderPerRendition runs one ffmpeg per rung, one after another,
// as a single worker processing a PeerTube-style job queue would.
func BenchmarkLadderPerRendition(b *testing.B) {
	ffmpeg, _ := tools(b)
	in, src := benchSource(b)
	ladder := PlanLadder(src, LadderOptions{})
	start := time.Now()
	for b.Loop() {
		out := b.TempDir()
		for _, args := range perRenditionArgs(in, src, ladder, out, EncodeOptions{}) {
			if err := Transcode(b.Context(), ffmpeg, args, nil); err != nil {
				b.Fatal(err)
			}
		}
		os.RemoveAll(out)
	}
	reportSpeed(b, src, start)
}

// BenchmarkLadderPerRenditionParallel runs one ffmpeg per rung, all at
// once, as several workers sharing the machine would.
func BenchmarkLadderPerRenditionParallel(b *testing.B) {
	ffmpeg, _ := tools(b)
	in, src := benchSource(b)
	ladder := PlanLadder(src, LadderOptions{})
	start := time.Now()
	for b.Loop() {
		out := b.TempDir()
		var wg sync.WaitGroup
		errs := make(chan error, len(ladder))
		for _, args := range perRenditionArgs(in, src, ladder, out, EncodeOptions{}) {
			wg.Go(func() { errs <- Transcode(b.Context(), ffmpeg, args, nil) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		os.RemoveAll(out)
	}
	reportSpeed(b, src, start)
}
