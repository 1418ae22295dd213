package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPickVariant(t *testing.T) {
	master := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=2800000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720\n720p/index.m3u8?sig=x\n" +
		"#EXT-X-MEDIA:TYPE=SUBTITLES,URI=\"subs/en.m3u8\"\n"
	u, err := pickVariant("http://h/media/v/master.m3u8", master, 0)
	require.NoError(t, err)
	require.Equal(t, "http://h/media/v/720p/index.m3u8?sig=x", u)
	u, err = pickVariant("http://h/media/v/master.m3u8", master, 480)
	require.NoError(t, err)
	require.Equal(t, "http://h/media/v/360p/index.m3u8", u, "closest to 480")
	_, err = pickVariant("http://h/m.m3u8", "#EXTM3U\n", 720)
	require.Error(t, err)
}

func TestParseMedia(t *testing.T) {
	segs, err := parseMedia("http://h/media/v/720p/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\nseg0.ts\n#EXTINF:2.5,\n/abs/seg1.ts\n#EXT-X-ENDLIST\n")
	require.NoError(t, err)
	require.Equal(t, []segment{
		{url: "http://h/media/v/720p/seg0.ts", duration: 4 * time.Second},
		{url: "http://h/abs/seg1.ts", duration: 2500 * time.Millisecond},
	}, segs)
}

func TestPercentileAndSummary(t *testing.T) {
	require.Equal(t, 0.0, percentile(nil, 0.99))
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(100 - i)
	}
	require.Equal(t, 50.0, percentile(xs, 0.5))
	require.Equal(t, 99.0, percentile(xs, 0.99))
	require.Equal(t, 100.0, percentile(xs, 1))

	r := summarize([]viewerResult{
		{segments: []time.Duration{10 * time.Millisecond}, startup: time.Second},
		{segments: []time.Duration{20 * time.Millisecond}, stalls: 2, startup: time.Second},
		{failed: true, errors: 1, firstErr: "boom"},
	})
	require.Equal(t, 3, r.Viewers)
	require.Equal(t, 1, r.Stalled)
	require.Equal(t, 1, r.Failed)
	require.Equal(t, 2, r.Stalls)
	require.Equal(t, "boom", r.FirstErr)
	require.Equal(t, 20.0, r.SegMax)
}
