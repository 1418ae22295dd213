package media

import (
	"fmt"
	"math"
	"strings"
)

// h264Level is one row of ITU-T H.264 Table A-1.
type h264Level struct {
	idc     int // level_idc: 10 × the level number (31 for 3.1)
	maxMBPS int // macroblocks per second
	maxFS   int // macroblocks per frame
	maxBR   int // kbit/s for Baseline/Main (High allows 1.25×)
	maxCPB  int // kbit for Baseline/Main (High allows 1.25×)
}

var h264Levels = []h264Level{
	{10, 1485, 99, 64, 175},
	{11, 3000, 396, 192, 500},
	{12, 6000, 396, 384, 1000},
	{13, 11880, 396, 768, 2000},
	{20, 11880, 396, 2000, 2000},
	{21, 19800, 792, 4000, 4000},
	{22, 20250, 1620, 4000, 4000},
	{30, 40500, 1620, 10000, 10000},
	{31, 108000, 3600, 14000, 14000},
	{32, 216000, 5120, 20000, 20000},
	{40, 245760, 8192, 20000, 25000},
	{41, 245760, 8192, 50000, 62500},
	{42, 522240, 8704, 50000, 62500},
	{50, 589824, 22080, 135000, 135000},
	{51, 983040, 36864, 240000, 240000},
	{52, 2073600, 36864, 240000, 240000},
}

// H264Level returns the lowest H.264 level_idc (e.g. 40 for level 4.0)
// that allows the given frame size, rate and VBV settings (bits/s, bits)
// in the given profile ("high", "main", "baseline").
//
// The ladder sets this level explicitly instead of letting x264 pick, so
// the HLS CODECS attribute is known before the encode finishes (the
// playable-early master playlist needs it) and x264 clamps its reference
// frames to what the level's decoders can hold.
func H264Level(width, height int, fps Rational, profile string, maxRate, bufSize int) int {
	mbW, mbH := (width+15)/16, (height+15)/16
	fs := mbW * mbH
	mbps := int(math.Ceil(float64(fs) * fps.Float()))
	factor := 1.0
	if profile == "high" {
		factor = 1.25
	}
	for _, l := range h264Levels {
		side := int(math.Sqrt(float64(l.maxFS) * 8))
		if fs <= l.maxFS && mbW <= side && mbH <= side && mbps <= l.maxMBPS &&
			float64(maxRate) <= float64(l.maxBR)*1000*factor &&
			float64(bufSize) <= float64(l.maxCPB)*1000*factor {
			return l.idc
		}
	}
	return h264Levels[len(h264Levels)-1].idc
}

// LevelString formats a level_idc the way x264's -level option and people
// write it: 31 -> "3.1", 40 -> "4.0".
func LevelString(idc int) string { return fmt.Sprintf("%d.%d", idc/10, idc%10) }

// AVC1Codec returns the RFC 6381 codec string for H.264 as HLS CODECS
// wants it: avc1.PPCCLL with profile_idc, the constraint-flag byte and
// level_idc in hex. The constraint bytes are the ones x264 writes (it sets
// constraint_set1 for Main, set0+set1 for Baseline), so the string matches
// the SPS byte for byte. profile is ffprobe's or x264's name, case-
// insensitive: "High", "main", "Constrained Baseline".
func AVC1Codec(profile string, levelIDC int) string {
	var pc string
	switch strings.ToLower(profile) {
	case "high":
		pc = "6400"
	case "main":
		pc = "4d40"
	case "baseline", "constrained baseline":
		pc = "42c0"
	case "high 10":
		pc = "6e00"
	case "high 4:2:2":
		pc = "7a00"
	default:
		pc = "6400"
	}
	return fmt.Sprintf("avc1.%s%02x", pc, levelIDC)
}

// AACLCCodec is the RFC 6381 codec string for AAC-LC, the audio clipcut
// encodes.
const AACLCCodec = "mp4a.40.2"
