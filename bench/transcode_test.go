package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/media"
)

// The hand-written baseline must keep encoding the ladder clipcut plans
// for the benchmark's 1080p30 stereo source; this fails at `make test`
// time, before a benchmark run would refuse to compare different ladders.
func TestHandwrittenCommandEncodesClipcutsLadder(t *testing.T) {
	t.Parallel()
	src := media.SourceInfo{
		Duration: 20,
		Video: &media.VideoStream{Codec: "h264", Width: 1920, Height: 1080, DisplayWidth: 1920, DisplayHeight: 1080,
			FrameRate: media.Rational{Num: 30, Den: 1}, SampleAspectRatio: media.Rational{Num: 1, Den: 1}},
		Audio: &media.AudioStream{Index: 1, Codec: "aac", Channels: 2, SampleRate: 48_000},
	}
	require.NoError(t, checkHandwrittenLadder(media.PlanLadder(src, media.LadderOptions{})))

	args := handwrittenLadderArgs("in.mp4", "out", "veryfast")
	require.Equal(t, "-hide_banner", args[0], "program name dropped")
	require.Equal(t, "out/%v/index.m3u8", args[len(args)-1])
}
