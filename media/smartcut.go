package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Smart cut: an edit of a transcoded video (keep these ranges, drop the
// rest) that reuses the HLS segments lying wholly inside a kept range and
// re-encodes only the segments a cut boundary falls in.
//
// The edited rendition is a new media playlist that references the
// original's segments where it still can and lists the re-encoded pieces
// between them, with EXT-X-DISCONTINUITY wherever timestamps jump: after a
// cut, and on both sides of every re-encoded piece (its timestamps start
// afresh). The other way, remuxing every kept segment into new files with
// continuous timestamps, was weighed and left: it stores the whole video a
// second time per edit and costs a read and a write of every byte, where
// references cost nothing and make an edit of an hour-long video take
// seconds. What references cost is discontinuities (a player resets its
// demuxer there, which hls.js, Safari and ExoPlayer do seamlessly for VOD),
// and a tie to the original's segment names, which never change once a
// video is READY.

// TimeRange is [Start, End) in seconds of the original video.
type TimeRange struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// KeptDuration is the total length of keep.
func KeptDuration(keep []TimeRange) float64 {
	var d float64
	for _, r := range keep {
		d += r.End - r.Start
	}
	return d
}

// SnapToFrames moves every range onto the frame grid of fps: a range
// starts with the frame shown at its start and ends after the last frame
// that starts before its end. Ranges that hold no frame are dropped.
func SnapToFrames(keep []TimeRange, fps Rational) []TimeRange {
	f := fps.Float()
	if f <= 0 {
		return keep
	}
	out := make([]TimeRange, 0, len(keep))
	for _, r := range keep {
		a := math.Floor(r.Start*f + 1e-6)
		b := math.Ceil(r.End*f - 1e-6)
		if b > a {
			out = append(out, TimeRange{Start: a / f, End: b / f})
		}
	}
	return out
}

// EditTime maps time t of the original onto the edited video: the time
// at which the edit shows what the original showed at t, and false when t
// was cut out. A t at the end of a kept range maps to the end of its part.
func EditTime(keep []TimeRange, t float64) (float64, bool) {
	var offset float64
	for _, r := range keep {
		if t >= r.Start && t <= r.End {
			return offset + t - r.Start, true
		}
		offset += r.End - r.Start
	}
	return 0, false
}

// nextKept is where t lands in the edit when t itself was cut: the start
// of the next kept part (the edit's end when there is none).
func nextKept(keep []TimeRange, t float64) float64 {
	var offset float64
	for _, r := range keep {
		if t < r.Start {
			return offset
		}
		offset += r.End - r.Start
	}
	return offset
}

// EditCues maps subtitle cues onto the edited video: cues wholly inside
// cut ranges are dropped, later ones shifted, and a cue that straddles a
// cut keeps the parts of it that were kept (it starts where its first kept
// part starts and ends where its last ends).
func EditCues(cues []Cue, keep []TimeRange) []Cue {
	out := make([]Cue, 0, len(cues))
	for _, c := range cues {
		s, e := c.Start.Seconds(), c.End.Seconds()
		ns, ok := EditTime(keep, s)
		if !ok {
			ns = nextKept(keep, s)
		}
		ne, ok := EditTime(keep, e)
		if !ok {
			// The end was cut: the cue ends where the kept part before it
			// ends, which is where the next one starts in the edit.
			ne = nextKept(keep, e)
		}
		if ne-ns < 0.001 {
			continue
		}
		c.Start, c.End = seconds(ns), seconds(ne)
		out = append(out, c)
	}
	return out
}

// CutPiece is one entry of an edited rendition's playlist.
type CutPiece struct {
	// Segment is the index of the original segment reused as is, or -1
	// for a piece re-encoded from the source.
	Segment int
	// Start and End are the piece's range in the original, in seconds.
	Start, End float64
	// Discontinuity is set when the piece's timestamps do not follow the
	// piece before it.
	Discontinuity bool
}

// Encoded reports whether the piece is re-encoded.
func (p CutPiece) Encoded() bool { return p.Segment < 0 }

// PlanSmartCut lists the pieces of an edit of a rendition whose
// segments are segs (in order, from time zero): segments wholly inside a
// kept range are reused, and the part of a segment a range boundary cuts
// is re-encoded. keep must be ordered, disjoint and on the frame grid of
// fps (SnapToFrames); segment boundaries are snapped to the same grid.
func PlanSmartCut(segs []Segment, fps Rational, keep []TimeRange) []CutPiece {
	f := fps.Float()
	snap := func(t float64) float64 {
		if f <= 0 {
			return t
		}
		return math.Round(t*f) / f
	}
	type span struct{ start, end float64 }
	spans := make([]span, len(segs))
	var t float64
	for i, s := range segs {
		spans[i] = span{snap(t), snap(t + s.Duration)}
		t += s.Duration
	}
	const eps = 1e-6
	var out []CutPiece
	lastEnd, lastEncoded := -1.0, false
	for _, r := range keep {
		for i, s := range spans {
			a, b := max(r.Start, s.start), min(r.End, s.end)
			if b-a < eps {
				continue
			}
			p := CutPiece{Segment: i, Start: a, End: b}
			if a > s.start+eps || b < s.end-eps {
				p.Segment = -1
			}
			p.Discontinuity = len(out) > 0 && (math.Abs(a-lastEnd) > eps || p.Encoded() || lastEncoded)
			out = append(out, p)
			lastEnd, lastEncoded = b, p.Encoded()
		}
	}
	return out
}

// EditItem is one segment of an edited media playlist.
type EditItem struct {
	URI           string
	Duration      float64
	Discontinuity bool
}

// WriteEditPlaylist writes a finished (VOD) media playlist of items.
func WriteEditPlaylist(w io.Writer, items []EditItem) error {
	return writeEditPlaylist(w, items, len(items))
}

// WriteOpenEditPlaylist writes the first n of items as an EVENT playlist
// that grows: what plays while the rest is made (a clip is playable once
// its first piece is). Its target duration is that of all items, so the
// finished playlist keeps it.
func WriteOpenEditPlaylist(w io.Writer, items []EditItem, n int) error {
	return writeEditPlaylist(w, items, n)
}

func writeEditPlaylist(w io.Writer, items []EditItem, n int) error {
	if len(items) == 0 || n < 1 || n > len(items) {
		return errors.New("edit playlist: no segments")
	}
	target := 1.0
	for _, it := range items {
		if err := checkQuoted(it.URI); err != nil || it.URI == "" {
			return fmt.Errorf("edit playlist: invalid URI %q", it.URI)
		}
		target = max(target, it.Duration)
	}
	kind := "VOD"
	if n < len(items) {
		kind = "EVENT"
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:%s\n#EXT-X-INDEPENDENT-SEGMENTS\n",
		int(math.Ceil(target-1e-6)), kind)
	for _, it := range items[:n] {
		if it.Discontinuity {
			fmt.Fprintln(bw, "#EXT-X-DISCONTINUITY")
		}
		fmt.Fprintf(bw, "#EXTINF:%s,\n%s\n", strconv.FormatFloat(it.Duration, 'f', 6, 64), it.URI)
	}
	if n == len(items) {
		fmt.Fprintln(bw, "#EXT-X-ENDLIST")
	}
	return bw.Flush()
}

// SmartCutArgs are the arguments of the ffmpeg run that re-encodes
// [start, end) of the source in into one MPEG-TS file per rung of ladder
// (outs[i] for ladder[i]), with what LadderArgs gives each rung: the same
// filter graph (frame rate, scaling, tone mapping), x264 preset, CRF,
// profile, level and VBV, and the rung's AAC settings. Its first frame is
// the source frame at start (a keyframe), and it holds exactly the frames
// of the range.
//
// The video is read from half a frame before start, so the frame at start
// survives ffmpeg's accurate seek whatever the rounding of its timestamp;
// the audio is read from a second opening of in seeked exactly to start,
// so both are cut at the same time. Each encoder runs one thread unless
// opts.Threads says otherwise (negative: as many as x264 likes).
func SmartCutArgs(in string, src SourceInfo, ladder []Rendition, start, end float64, outs []string, opts EncodeOptions) []string {
	return smartCutArgs(in, src, ladder, start, nil, end, outs, opts)
}

// smartCutArgs is SmartCutArgs where rung i leaves out the first skip[i]
// frames of the piece (and the sound under them): pieces that start a
// few frames apart on different rungs, from one decode (nil: none).
func smartCutArgs(in string, src SourceInfo, ladder []Rendition, start float64, skip []int, end float64, outs []string, opts EncodeOptions) []string {
	opts = opts.withDefaults()
	fps := ladderFrameRate(ladder)
	frames := max(int(math.Round((end-start)*fps.Float())), 1)
	skipped := func(i int) int {
		if i < len(skip) {
			return min(max(skip[i], 0), frames-1)
		}
		return 0
	}
	trimmed := false
	for i := range ladder {
		trimmed = trimmed || skipped(i) > 0
	}
	vStart := max(start-0.5/fps.Float(), 0)
	ff := func(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	args = append(args, inputHardening()...)
	args = append(args, "-ss", ff(vStart), "-t", ff(end-vStart+1/fps.Float()), "-i", inputURL(in))
	audio := src.Audio != nil
	if audio {
		args = append(args, inputHardening()...)
		args = append(args, "-ss", ff(start), "-t", ff(end-start), "-i", inputURL(in))
	}
	graph := ladderFilterGraph(src, ladder, opts)
	if v := src.Video; v != nil {
		// The first frame kept is half a frame after the seek point: its
		// time becomes zero, where the audio starts, so the two stay in
		// sync (the frame rate filter would otherwise round it a frame
		// later).
		head := fmt.Sprintf("[0:%d]", v.Index)
		graph = strings.Replace(graph, head, head+"setpts=PTS-STARTPTS,", 1)
	}
	if src.Video == nil {
		// The background picture of an audio-only rendition: only as long
		// as the piece.
		graph = ""
		for i, r := range ladder {
			if i > 0 {
				graph += ";"
			}
			graph += fmt.Sprintf("color=c=%s:s=%dx%d:r=%s:d=%s,format=yuv420p[v%d]",
				opts.BackgroundColor, r.Width, r.Height, r.FrameRate, ff(end-start), i)
		}
	}
	audioLabel := func(i int) string { return fmt.Sprintf("1:%d", src.Audio.Index) }
	if trimmed && src.Video != nil {
		// Each rung's picture and sound start skip[i] frames later.
		var b strings.Builder
		for i := range ladder {
			graph = strings.Replace(graph, fmt.Sprintf("[v%d]", i), fmt.Sprintf("[u%d]", i), 1)
			fmt.Fprintf(&b, ";[u%d]trim=start_frame=%d,setpts=PTS-STARTPTS[v%d]", i, skipped(i), i)
		}
		graph += b.String()
		if audio {
			var heard []int
			for i, r := range ladder {
				if r.AudioBitrate > 0 {
					heard = append(heard, i)
				}
			}
			graph += fmt.Sprintf(";[1:%d]asplit=%d", src.Audio.Index, len(heard))
			for _, i := range heard {
				graph += fmt.Sprintf("[b%d]", i)
			}
			for _, i := range heard {
				graph += fmt.Sprintf(";[b%d]atrim=start=%s,asetpts=PTS-STARTPTS[a%d]", i, ff(float64(skipped(i))/fps.Float()), i)
			}
			audioLabel = func(i int) string { return fmt.Sprintf("[a%d]", i) }
		}
	}
	args = append(args, "-filter_complex", graph)
	for i, r := range ladder {
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
		if audio && r.AudioBitrate > 0 {
			args = append(args, "-map", audioLabel(i))
		}
		// The piece's length, not a frame count: -frames:v closes the
		// output with the audio still queued, and the piece would lose
		// most of its sound.
		length := end - start - float64(skipped(i))/fps.Float()
		args = append(args, "-t", ff(length),
			"-c:v", "libx264", "-preset", opts.Preset, "-sc_threshold", "0",
			"-g", strconv.Itoa(frames-skipped(i)+1),
			"-profile:v", r.Profile, "-level:v", LevelString(r.Level))
		if opts.RateControl == CappedCRF {
			args = append(args, "-crf", strconv.Itoa(opts.CRF))
		} else {
			args = append(args, "-b:v", kbps(r.VideoBitrate))
		}
		args = append(args, "-maxrate:v", kbps(r.MaxRate), "-bufsize:v", kbps(r.BufSize))
		if audio && r.AudioBitrate > 0 {
			args = append(args, "-c:a", "aac", "-b:a", kbps(r.AudioBitrate),
				"-ac", strconv.Itoa(r.AudioChannels), "-ar", strconv.Itoa(r.AudioSampleRate))
		}
		// One thread per encoder unless asked otherwise: a piece is a few
		// seconds long, and x264's frame threads cost more CPU filling
		// and draining their pipeline than they save on it (a quarter
		// more on a 3 s 1080p piece); the rungs' encoders run side by
		// side anyway. A negative opts.Threads leaves x264 its own
		// count, for a piece that is waited for (the top rung's encoder
		// alone then bounds its wall time).
		if opts.Threads >= 0 {
			args = append(args, "-threads", strconv.Itoa(max(opts.Threads, 1)))
		}
		args = append(args, "-map_metadata", "-1", "-map_chapters", "-1",
			"-max_muxing_queue_size", "4096", "-f", "mpegts", outs[i])
	}
	return args
}

// SmartCutEach is SmartCut where rung i's piece starts skip[i] frames
// after start: the tails that follow segment heads copied up to
// different frames (CopySegmentHeads), encoded from one decode.
func SmartCutEach(ctx context.Context, ffmpegPath, in string, src SourceInfo, ladder []Rendition, start float64, skip []int, end float64, outs []string, opts EncodeOptions) error {
	if len(outs) != len(ladder) || len(ladder) == 0 || len(skip) != len(ladder) {
		return errors.New("smart cut: one output and one skip per rung are needed")
	}
	if start < 0 || end <= start {
		return fmt.Errorf("smart cut: bad range %.3f to %.3f s", start, end)
	}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, smartCutArgs(in, src, ladder, start, skip, end, outs, opts), nil); err != nil {
		return fmt.Errorf("smart cut %.3f to %.3f s: %w", start, end, err)
	}
	return nil
}

// SmartCut runs SmartCutArgs.
func SmartCut(ctx context.Context, ffmpegPath, in string, src SourceInfo, ladder []Rendition, start, end float64, outs []string, opts EncodeOptions) error {
	if len(outs) != len(ladder) || len(ladder) == 0 {
		return errors.New("smart cut: one output per rung is needed")
	}
	if start < 0 || end <= start {
		return fmt.Errorf("smart cut: bad range %.3f to %.3f s", start, end)
	}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, SmartCutArgs(in, src, ladder, start, end, outs, opts), nil); err != nil {
		return fmt.Errorf("smart cut %.3f to %.3f s: %w", start, end, err)
	}
	return nil
}
