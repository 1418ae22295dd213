package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
)

// Copying the head of a segment. A piece that a cut ends inside a segment
// (the end of a kept range) starts where the segment starts, at its
// keyframe: its first frames are in the original already, and can be
// copied as they are rather than encoded again. What stops a plain copy
// up to the cut is B-frames: in decode order a P-frame shown after the cut
// can come before B-frames shown before it, so a prefix of the packets
// holds exactly the first frames only at some points (after each P-frame
// and the B-frames that precede it on screen). HeadCopyFrames finds the
// last such point before the cut on each rung; the frames up to it are
// copied (CopySegmentHeads), and only the few after it are encoded
// (SmartCutEach, every rung from one decode), so a 3 s end piece costs a
// stream copy and an encode of a few frames instead of an encode of 3 s
// for every rung.

// SegmentHead reports whether piece p of a plan for segments segs
// (PlanSmartCut, the same fps) is encoded and starts where its segment
// starts, and that segment's index.
func SegmentHead(segs []Segment, fps Rational, p CutPiece) (int, bool) {
	if !p.Encoded() {
		return 0, false
	}
	f := fps.Float()
	snap := func(t float64) float64 {
		if f <= 0 {
			return t
		}
		return math.Round(t*f) / f
	}
	var t float64
	for i, s := range segs {
		start, end := snap(t), snap(t+s.Duration)
		if math.Abs(p.Start-start) < 1e-6 && p.End < end-1e-6 {
			return i, true
		}
		t += s.Duration
	}
	return 0, false
}

// HeadCopyFrames is how many of the first frames of an MPEG-TS segment
// (beginning with a keyframe) can be copied by taking its first packets:
// the largest m <= want such that the first m video packets in decode
// order are the first m frames in display order. It is 0 when the file
// cannot be read as such.
func HeadCopyFrames(segment string, want int) int {
	if want <= 0 {
		return 0
	}
	pts, err := tsVideoPTS(segment)
	if err != nil || len(pts) < want {
		return 0
	}
	order := make([]int, len(pts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpInt64(pts[a], pts[b]) })
	rank := make([]int, len(pts))
	for r, i := range order {
		rank[i] = r
	}
	if rank[0] != 0 {
		return 0 // does not open on the frame shown first
	}
	m, top := 0, -1
	for k := 1; k <= want; k++ {
		top = max(top, rank[k-1])
		if top == k-1 {
			m = k
		}
	}
	return m
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CopySegmentHeadsArgs are the arguments of the ffmpeg run that copies the
// first frames[i] video packets of each ins[i] (decode order; see
// HeadCopyFrames) with the audio played under them into outs[i], as
// MPEG-TS, without encoding. audio says whether the files carry sound.
func CopySegmentHeadsArgs(ins []string, frames []int, fps Rational, audio bool, outs []string) []string {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	for _, in := range ins {
		args = append(args, inputHardening()...)
		args = append(args, "-i", inputURL(in))
	}
	// Output timestamps start where the file's first stream starts (the
	// audio may begin a little before the video): the audio is cut at
	// the video's end, by time, and the video after frames packets. A
	// copied stream ends at the first packet whose decoding time reaches
	// -t, which every video packet kept is before.
	for i, out := range outs {
		d := float64(frames[i]) / fps.Float()
		lead := 0.0
		if first, start, err := tsStart(ins[i]); err == nil {
			lead = float64(first-start) / 90000
		}
		args = append(args, "-map", fmt.Sprintf("%d:v:0", i))
		if audio {
			args = append(args, "-map", fmt.Sprintf("%d:a:0?", i))
		}
		args = append(args, "-c", "copy", "-frames:v", strconv.Itoa(frames[i]),
			"-t", strconv.FormatFloat(lead+d, 'f', 6, 64),
			"-map_metadata", "-1", "-f", "mpegts", out)
	}
	return args
}

// CopySegmentHeads runs CopySegmentHeadsArgs.
func CopySegmentHeads(ctx context.Context, ffmpegPath string, ins []string, frames []int, fps Rational, audio bool, outs []string) error {
	if len(ins) == 0 || len(ins) != len(outs) || len(frames) != len(ins) || fps.Float() <= 0 || slices.Min(frames) <= 0 {
		return errors.New("copy segment heads: one output and a frame count per segment are needed")
	}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, CopySegmentHeadsArgs(ins, frames, fps, audio, outs), nil); err != nil {
		return fmt.Errorf("copy segment heads: %w", err)
	}
	return nil
}

// tsStart is the PTS of the first frame shown of an MPEG-TS file's video
// and the earliest PTS of any of its streams' first packets, in 90 kHz
// ticks.
func tsStart(path string) (video, start int64, err error) {
	s, err := scanTS(path)
	if err != nil {
		return 0, 0, err
	}
	if len(s.video) == 0 {
		return 0, 0, errors.New("mpegts: no video")
	}
	video = slices.Min(s.video)
	start = video
	if s.audioFirst >= 0 {
		start = min(start, s.audioFirst)
	}
	return video, start, nil
}

// tsVideoPTS is the presentation timestamps of an MPEG-TS file's video
// frames, in decode order (one PES packet per frame, as ffmpeg muxes).
func tsVideoPTS(path string) ([]int64, error) {
	s, err := scanTS(path)
	if err != nil {
		return nil, err
	}
	return s.video, nil
}

type tsScan struct {
	video      []int64
	audioFirst int64
}

// scanTS reads the PES headers of an MPEG-TS file's first video stream
// (H.264 or HEVC) and first audio stream.
func scanTS(path string) (tsScan, error) {
	f, err := os.Open(path)
	if err != nil {
		return tsScan{}, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	out := tsScan{audioFirst: -1}
	pmt, videoPID, audioPID := -1, -1, -1
	var pkt [188]byte
	for {
		if _, err := io.ReadFull(r, pkt[:]); err == io.EOF {
			break
		} else if err != nil {
			return tsScan{}, fmt.Errorf("mpegts %s: %w", path, err)
		}
		if pkt[0] != 0x47 {
			return tsScan{}, fmt.Errorf("mpegts %s: lost sync", path)
		}
		pid := int(pkt[1]&0x1f)<<8 | int(pkt[2])
		start := pkt[1]&0x40 != 0
		afc := pkt[3] >> 4 & 3
		if afc&1 == 0 || !start {
			continue
		}
		off := 4
		if afc&2 != 0 {
			off += 1 + int(pkt[4])
		}
		if off >= len(pkt) {
			continue
		}
		p := pkt[off:]
		switch {
		case pid == 0 && pmt < 0:
			pmt = patPMT(p)
		case pid == pmt && videoPID < 0:
			videoPID, audioPID = pmtStreams(p)
		case pid == videoPID || pid == audioPID:
			pts, ok := pesPTS(p)
			if !ok {
				continue
			}
			if pid == videoPID {
				out.video = append(out.video, pts)
			} else if out.audioFirst < 0 {
				out.audioFirst = pts
			}
		}
	}
	if videoPID < 0 {
		return tsScan{}, fmt.Errorf("mpegts %s: no video stream", path)
	}
	return out, nil
}

// patPMT is the PID of the first program's PMT in a PAT section (p begins
// with the pointer field), or -1.
func patPMT(p []byte) int {
	if len(p) < 1 || len(p) < 1+int(p[0])+8 {
		return -1
	}
	sec := p[1+int(p[0]):]
	if sec[0] != 0 {
		return -1
	}
	n := min(int(sec[1]&0x0f)<<8|int(sec[2]), len(sec)-3)
	for i := 8; i+4 <= 3+n-4; i += 4 {
		if prog := int(sec[i])<<8 | int(sec[i+1]); prog != 0 {
			return int(sec[i+2]&0x1f)<<8 | int(sec[i+3])
		}
	}
	return -1
}

// pmtStreams is the PIDs of the first video (H.264, HEVC) and audio
// stream of a PMT section (p begins with the pointer field); -1 for none.
func pmtStreams(p []byte) (video, audio int) {
	video, audio = -1, -1
	if len(p) < 1 || len(p) < 1+int(p[0])+12 {
		return
	}
	sec := p[1+int(p[0]):]
	if sec[0] != 2 {
		return
	}
	end := min(3+(int(sec[1]&0x0f)<<8|int(sec[2]))-4, len(sec))
	i := 12 + (int(sec[10]&0x0f)<<8 | int(sec[11]))
	for i+5 <= end {
		typ, pid := sec[i], int(sec[i+1]&0x1f)<<8|int(sec[i+2])
		switch typ {
		case 0x1b, 0x24:
			if video < 0 {
				video = pid
			}
		case 0x0f, 0x11, 0x03, 0x04, 0x81:
			if audio < 0 {
				audio = pid
			}
		}
		i += 5 + (int(sec[i+3]&0x0f)<<8 | int(sec[i+4]))
	}
	return
}

// pesPTS is the PTS of a PES packet's header.
func pesPTS(p []byte) (int64, bool) {
	if len(p) < 14 || p[0] != 0 || p[1] != 0 || p[2] != 1 || p[7]&0x80 == 0 {
		return 0, false
	}
	b := p[9:14]
	return int64(b[0]>>1&7)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1), true
}
