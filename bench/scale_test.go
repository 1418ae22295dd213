package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseHLSLoad(t *testing.T) {
	r, err := parseHLSLoad("warming up\n" + `{"viewers":500,"stalled":3,"failed":1,"stalls":4,"segments":5000,"seg_p99_ms":12.5}` + "\n")
	require.NoError(t, err)
	require.Equal(t, 500, r.Viewers)
	require.Equal(t, 496, r.sustained())
	require.Equal(t, 12.5, r.SegP99)
	_, err = parseHLSLoad("panic: boom")
	require.Error(t, err)
}

func TestScaleThroughputAndLimits(t *testing.T) {
	require.InDelta(t, 12.0, scaleThroughput{videos: 6, wall: 30 * time.Second}.perMin(), 1e-9)

	ok := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500}, apiCores: 0.4}
	require.Contains(t, playbackLimit(ok, 2), "not reached at 2500 viewers")
	busy := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Stalled: 10}, apiCores: 1.1, loadCores: 0.6, pgCores: 0.1}
	require.Contains(t, playbackLimit(busy, 2), "API 1.10")
	idle := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Stalled: 10, SegP99: 900}, apiCores: 0.2}
	require.Contains(t, playbackLimit(idle, 2), "p99 900 ms")
	broken := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Failed: 10, Errors: 10, FirstErr: "GET /x: 429"}}
	require.Contains(t, playbackLimit(broken, 2), "first: GET /x: 429")
}

func TestScalePlaybackMbps(t *testing.T) {
	p := scalePlayback{res: hlsloadResult{Bytes: 125_000_000}, wall: 10 * time.Second}
	require.InDelta(t, 100.0, p.mbps(), 1e-9)
	require.Equal(t, 0.0, scalePlayback{}.mbps())
	require.InDelta(t, 100.0, maxMbps([]scalePlayback{{}, p}), 1e-9)
}
