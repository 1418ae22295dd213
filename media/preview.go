package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Animated previews: a few short moments sampled across a video, joined
// into one small looping animated WebP that cards play on hover. WebP
// rather than a muted MP4: an <img> plays it with no player, no request
// per card beyond the image, and the browser honours the card's lazy
// loading; rather than GIF: a fifth of the size at better colour.
// ffmpeg's libwebp_anim encoder writes it (ffmpeg 5.1 cannot decode
// animated WebP, so ReadWebPInfo reads its chunks instead).

// Preview dimensions and pacing.
const (
	// PreviewWidth is the preview's width in pixels: a card's width on a
	// desktop grid (the height follows the aspect ratio).
	PreviewWidth = 320
	// PreviewMoments is how many moments a preview samples.
	PreviewMoments = 6
	// previewMomentSeconds is each moment's length.
	previewMomentSeconds = 1.0
	// previewFPS is the preview's frame rate: enough for motion to read,
	// few enough frames to keep the file small.
	previewFPS = 8
	// previewQuality is libwebp's lossy quality (0-100).
	previewQuality = 50
)

// PreviewMomentsOf picks the moments of a preview, in seconds of the
// source: n (PreviewMoments, fewer for a short video) moments of up to a
// second, spread evenly over the video as it plays, which is the ranges
// keep of the source when it is edited (nil: all of it, duration
// seconds). A moment never runs over a cut, so every frame of the
// preview is one the edited video shows.
func PreviewMomentsOf(duration float64, keep []TimeRange) []TimeRange {
	if keep == nil {
		keep = []TimeRange{{Start: 0, End: duration}}
	}
	total := KeptDuration(keep)
	if total <= 0 {
		return nil
	}
	n := min(PreviewMoments, max(1, int(total/previewMomentSeconds)))
	length := min(previewMomentSeconds, total)
	out := make([]TimeRange, 0, n)
	for i := range n {
		// The middle of each of n equal slices, less half a moment.
		at := max(0, min(total-length, total*(float64(i)+0.5)/float64(n)-length/2))
		start, end := sourceTime(keep, at)
		out = append(out, TimeRange{Start: start, End: min(start+length, end)})
	}
	return out
}

// sourceTime maps second t of an edit keeping keep onto the source, and
// returns the end of the kept range it lands in.
func sourceTime(keep []TimeRange, t float64) (at, rangeEnd float64) {
	var offset float64
	for _, r := range keep {
		d := r.End - r.Start
		if t < offset+d {
			return r.Start + t - offset, r.End
		}
		offset += d
	}
	last := keep[len(keep)-1]
	return last.End, last.End
}

// SourceTime maps second t of an edit keeping keep onto the source (the
// inverse of EditTime); t past the edit's end maps to the last kept
// range's end. With keep nil it is t.
func SourceTime(keep []TimeRange, t float64) float64 {
	if keep == nil {
		return t
	}
	at, _ := sourceTime(keep, t)
	return at
}

// FollowCut is where a picture taken at second t of the source goes in an
// edit keeping keep, in seconds of the source: t itself when the edit
// keeps it; the start of the next kept range when t was cut (where the
// edit resumes, as chapters do); the start of the last kept range when
// the edit ends before t. With keep nil it is t.
func FollowCut(keep []TimeRange, t float64) float64 {
	if keep == nil {
		return t
	}
	for _, r := range keep {
		if t < r.Start {
			return r.Start
		}
		if t < r.End {
			return t
		}
	}
	return keep[len(keep)-1].Start
}

// PreviewArgs are the arguments of the ffmpeg run writing the preview of
// src made of moments to out: one input per moment (input seeking is
// fast and accurate), each scaled to PreviewWidth at previewFPS, joined
// by the concat filter and encoded as a looping animated WebP.
func PreviewArgs(in string, src SourceInfo, moments []TimeRange, out string) ([]string, error) {
	v := src.Video
	if v == nil {
		return nil, ErrNoVideo
	}
	if len(moments) == 0 {
		return nil, errors.New("preview: no moment to show")
	}
	w, h := fitWithin(v.DisplayWidth, v.DisplayHeight, PreviewWidth)
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	var graph, joined strings.Builder
	for i, m := range moments {
		args = append(args, "-ss", strconv.FormatFloat(m.Start, 'f', 3, 64),
			"-t", strconv.FormatFloat(m.End-m.Start, 'f', 3, 64))
		args = append(args, inputHardening()...)
		args = append(args, "-i", inputURL(in))
		chain := []string{}
		if v.Interlaced {
			chain = append(chain, "yadif=mode=send_frame:deint=interlaced")
		}
		chain = append(chain, fmt.Sprintf("fps=%d", previewFPS),
			fmt.Sprintf("scale=%d:%d:flags=bicubic,setsar=1", w, h))
		if v.HDR {
			chain = append(chain, toneMapChain(v)...)
		}
		// Every piece the same pixel format, as concat requires.
		chain = append(chain, "format=yuv420p", "setpts=PTS-STARTPTS")
		fmt.Fprintf(&graph, "[%d:%d]%s[m%d];", i, v.Index, strings.Join(chain, ","), i)
		fmt.Fprintf(&joined, "[m%d]", i)
	}
	fmt.Fprintf(&graph, "%sconcat=n=%d:v=1:a=0[out]", joined.String(), len(moments))
	return append(args, "-filter_complex", graph.String(), "-map", "[out]", "-an",
		"-c:v", "libwebp_anim", "-loop", "0", "-quality", strconv.Itoa(previewQuality),
		"-compression_level", "4", "-f", "webp", out), nil
}

// Preview writes the animated WebP preview of src made of moments (see
// PreviewMomentsOf) to out, through a temporary file so that out is
// either absent or complete. A source without pictures gives ErrNoVideo.
func Preview(ctx context.Context, ffmpegPath, in string, src SourceInfo, moments []TimeRange, out string) (Image, error) {
	tmp := out + ".tmp.webp"
	defer os.Remove(tmp)
	args, err := PreviewArgs(in, src, moments, tmp)
	if err != nil {
		return Image{}, err
	}
	if _, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil); err != nil {
		return Image{}, fmt.Errorf("preview: %w", err)
	}
	info, err := ReadWebPInfo(tmp)
	if err != nil {
		return Image{}, fmt.Errorf("preview: %w", err)
	}
	if info.Frames == 0 {
		return Image{}, fmt.Errorf("preview: %w", errNoImage)
	}
	if err := os.Rename(tmp, out); err != nil {
		return Image{}, fmt.Errorf("preview: %w", err)
	}
	return Image{Path: out, Width: info.Width, Height: info.Height}, nil
}

// WebPInfo is what an animated WebP's chunks say about it.
type WebPInfo struct {
	// Width and Height are the canvas size.
	Width, Height int
	// Frames counts its ANMF chunks; Duration sums their durations.
	Frames   int
	Duration float64
	// Loops is how often it plays (0: forever).
	Loops int
}

// ReadWebPInfo reads the RIFF chunks of the animated WebP at path: the
// canvas (VP8X), the loop count (ANIM) and the frames (ANMF).
func ReadWebPInfo(path string) (WebPInfo, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return WebPInfo{}, fmt.Errorf("read webp: %w", err)
	}
	if len(raw) < 12 || !bytes.Equal(raw[:4], []byte("RIFF")) || !bytes.Equal(raw[8:12], []byte("WEBP")) {
		return WebPInfo{}, fmt.Errorf("read webp %s: not a WebP file", path)
	}
	var info WebPInfo
	u24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
	for p := 12; p+8 <= len(raw); {
		id, size := string(raw[p:p+4]), int(binary.LittleEndian.Uint32(raw[p+4:p+8]))
		body := raw[p+8 : min(len(raw), p+8+size)]
		switch {
		case id == "VP8X" && len(body) >= 10:
			info.Width, info.Height = u24(body[4:])+1, u24(body[7:])+1
		case id == "ANIM" && len(body) >= 6:
			info.Loops = int(binary.LittleEndian.Uint16(body[4:6]))
		case id == "ANMF" && len(body) >= 16:
			info.Frames++
			info.Duration += float64(u24(body[12:])) / 1000
		}
		p += 8 + size + size&1 // chunks are padded to even sizes
	}
	info.Duration = math.Round(info.Duration*1000) / 1000
	return info, nil
}
