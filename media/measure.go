package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// MeasureRendition describes a produced rendition for the master playlist
// from its files: the media playlist at playlistPath (outDir/<name>/
// index.m3u8), the sizes of the segments it lists, and ffprobe's view of
// its first segment.
//
// BANDWIDTH is the peak segment bit rate as RFC 8216 defines it (see
// segmentBandwidths) and AVERAGE-BANDWIDTH is total bits / total duration,
// both counting whole MPEG-TS files (what a player downloads). CODECS comes from the H.264
// profile and level found in the stream, not from the plan.
//
// It can be called on a rendition still being encoded (it measures the
// segments listed so far); the final master should use measurements taken
// after the encode finished.
func MeasureRendition(ctx context.Context, ffprobePath, playlistPath string) (RenditionResult, error) {
	pl, err := ReadMediaPlaylist(playlistPath)
	if err != nil {
		return RenditionResult{}, fmt.Errorf("measure rendition: %w", err)
	}
	if len(pl.Segments) == 0 {
		return RenditionResult{}, fmt.Errorf("measure rendition %s: no segments yet", playlistPath)
	}
	dir := filepath.Dir(playlistPath)
	sizes := make([]int64, len(pl.Segments))
	for i, s := range pl.Segments {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.URI)))
		if err != nil {
			return RenditionResult{}, fmt.Errorf("measure rendition: %w", err)
		}
		sizes[i] = fi.Size()
	}
	peak, avg := segmentBandwidths(pl.Segments, sizes, pl.TargetDuration)

	name := filepath.Base(dir)
	res := RenditionResult{
		Name:             name,
		URI:              name + "/" + filepath.Base(playlistPath),
		Bandwidth:        peak,
		AverageBandwidth: avg,
		Segments:         len(pl.Segments),
		Duration:         pl.Duration(),
	}
	if err := probeSegment(ctx, ffprobePath, filepath.Join(dir, filepath.FromSlash(pl.Segments[0].URI)), &res); err != nil {
		return RenditionResult{}, fmt.Errorf("measure rendition %s: %w", name, err)
	}
	return res, nil
}

// segmentBandwidths returns the peak and average bit rates of segments with
// the given byte sizes. The peak follows RFC 8216's definition of the peak
// segment bit rate: the highest rate of any run of contiguous segments
// lasting between 0.5 and 1.5 times the target duration. Taking single
// segments instead would let the video's short last segment (a keyframe
// and a few frames in a fraction of a second) claim a peak many times the
// real one, and players would avoid the rendition.
func segmentBandwidths(segs []Segment, sizes []int64, targetDuration int) (peak, avg int) {
	var bits, dur float64
	for i, s := range segs {
		bits += float64(sizes[i]) * 8
		dur += s.Duration
	}
	if dur > 0 {
		avg = int(math.Ceil(bits / dur))
	}
	lo, hi := 0.5*float64(targetDuration), 1.5*float64(targetDuration)
	for i := range segs {
		var b, d float64
		for j := i; j < len(segs); j++ {
			b += float64(sizes[j]) * 8
			d += segs[j].Duration
			if d > hi {
				break
			}
			if d >= lo && d > 0 {
				peak = max(peak, int(math.Ceil(b/d)))
			}
		}
	}
	if peak == 0 {
		// Too short for any qualifying run (or no target duration).
		peak = avg
	}
	return peak, avg
}

// probeSegment fills size, frame rate and codecs from one segment.
func probeSegment(ctx context.Context, ffprobePath, segment string, res *RenditionResult) error {
	args := append(inputHardening(),
		"-v", "error",
		"-print_format", "json",
		"-show_streams",
		inputURL(segment))
	var out bytes.Buffer
	if _, err := runTool(ctx, "ffprobe", ffprobePath, args, &out); err != nil {
		return err
	}
	var raw struct {
		Streams []struct {
			CodecType  string `json:"codec_type"`
			CodecName  string `json:"codec_name"`
			Profile    string `json:"profile"`
			Level      int    `json:"level"`
			Width      int    `json:"width"`
			Height     int    `json:"height"`
			RFrameRate string `json:"r_frame_rate"`
			StartTime  string `json:"start_time"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		return fmt.Errorf("decode ffprobe output: %w", err)
	}
	var video, audio string
	for _, s := range raw.Streams {
		switch {
		case s.CodecType == "video" && video == "":
			if s.CodecName != "h264" {
				return fmt.Errorf("unexpected video codec %q", s.CodecName)
			}
			video = AVC1Codec(s.Profile, s.Level)
			res.Width, res.Height = s.Width, s.Height
			if fr, ok := ParseRational(s.RFrameRate); ok {
				res.FrameRate = fr.Float()
			}
			res.StartTime = parseFloat(s.StartTime)
		case s.CodecType == "audio" && audio == "":
			if s.CodecName != "aac" {
				return fmt.Errorf("unexpected audio codec %q", s.CodecName)
			}
			audio = AACLCCodec
		}
	}
	if video == "" {
		return errors.New("no video stream in segment")
	}
	res.Codecs = video
	if audio != "" {
		res.Codecs += "," + audio
	}
	return nil
}
