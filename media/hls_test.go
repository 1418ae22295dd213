package media

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var sampleResults = []RenditionResult{
	{Name: "1080p", URI: "1080p/index.m3u8", Width: 1920, Height: 1080, FrameRate: 30, Bandwidth: 6_123_456, AverageBandwidth: 4_801_234, Codecs: "avc1.640028,mp4a.40.2"},
	{Name: "240p", URI: "240p/index.m3u8", Width: 426, Height: 240, FrameRate: 30, Bandwidth: 512_000, AverageBandwidth: 401_000, Codecs: "avc1.4d4015,mp4a.40.2"},
	{Name: "720p", URI: "720p/index.m3u8", Width: 1280, Height: 720, FrameRate: 30000.0 / 1001, Bandwidth: 3_400_000, AverageBandwidth: 2_700_000, Codecs: "avc1.64001f,mp4a.40.2"},
}

func TestWriteMasterPlaylist(t *testing.T) {
	t.Parallel()
	t.Run("renditions only", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, WriteMasterPlaylist(&b, sampleResults, nil))
		golden(t, "master_plain.m3u8", b.Bytes())
	})
	t.Run("with subtitles", func(t *testing.T) {
		var b bytes.Buffer
		subs := []SubtitleTrack{
			{Name: "English (auto-generated)", Language: "en", URI: "subtitles/en.m3u8"},
			{Name: "Français", Language: "fr", URI: "subtitles/fr.m3u8"},
		}
		require.NoError(t, WriteMasterPlaylist(&b, sampleResults, subs))
		golden(t, "master_subtitles.m3u8", b.Bytes())
	})
	t.Run("planned", func(t *testing.T) {
		var planned []RenditionResult
		for _, r := range PlanLadder(SourceInfo{Video: video(1280, 720, Rational{30, 1}, 0), Audio: stereo48k}, LadderOptions{}) {
			planned = append(planned, r.PlannedResult())
		}
		var b bytes.Buffer
		require.NoError(t, WriteMasterPlaylist(&b, planned, nil))
		golden(t, "master_planned.m3u8", b.Bytes())
	})
	t.Run("names made fit", func(t *testing.T) {
		// A stored label HLS cannot quote is written, made fit, so it
		// never stops the master from being published.
		var b bytes.Buffer
		subs := []SubtitleTrack{
			{Name: "The \"director's\"\r\ncut\x07", Language: "en", URI: "subtitles/en.m3u8"},
			{Name: "\n", Language: "fr", URI: "subtitles/fr.m3u8"},
		}
		require.NoError(t, WriteMasterPlaylist(&b, sampleResults, subs))
		require.Contains(t, b.String(), `NAME="The 'director's'  cut",LANGUAGE="en"`)
		require.Contains(t, b.String(), `NAME="fr",LANGUAGE="fr"`)
		require.Equal(t, 4+1+len(subs)+3*len(sampleResults), strings.Count(b.String(), "\n"), "no value broke a line:\n%s", b.String())
	})
	t.Run("invalid", func(t *testing.T) {
		var b bytes.Buffer
		require.Error(t, WriteMasterPlaylist(&b, nil, nil))
		bad := sampleResults[0]
		bad.Codecs = `avc1"`
		require.Error(t, WriteMasterPlaylist(&b, []RenditionResult{bad}, nil))
		require.Error(t, WriteMasterPlaylist(&b, sampleResults, []SubtitleTrack{{Name: "x", URI: "a\".m3u8"}}))
		require.Error(t, WriteMasterPlaylist(&b, sampleResults, []SubtitleTrack{{Name: "x", Language: "e\nn", URI: "a.m3u8"}}))
		noBandwidth := sampleResults[0]
		noBandwidth.Bandwidth = 0
		require.Error(t, WriteMasterPlaylist(&b, []RenditionResult{noBandwidth}, nil))
	})
}

// ffmpegEventPlaylist is what ffmpeg 5.1's hls muxer writes mid-encode.
const ffmpegEventPlaylist = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:4.000000,
seg_00000.ts
#EXTINF:4.000000,
seg_00001.ts
#EXTINF:1.200000,
seg_00002.ts
`

func TestParseMediaPlaylist(t *testing.T) {
	t.Parallel()
	p, err := ParseMediaPlaylist(strings.NewReader(ffmpegEventPlaylist))
	require.NoError(t, err)
	require.Equal(t, &MediaPlaylist{
		Version:             6,
		TargetDuration:      4,
		PlaylistType:        "EVENT",
		IndependentSegments: true,
		Segments: []Segment{
			{URI: "seg_00000.ts", Duration: 4},
			{URI: "seg_00001.ts", Duration: 4},
			{URI: "seg_00002.ts", Duration: 1.2},
		},
	}, p)
	require.InDelta(t, 9.2, p.Duration(), 1e-9)

	p, err = ParseMediaPlaylist(strings.NewReader(ffmpegEventPlaylist + "#EXT-X-ENDLIST\n"))
	require.NoError(t, err)
	require.True(t, p.EndList)

	for _, bad := range []string{"", "seg.ts\n", "#EXTM3U\nseg.ts\n", "#EXTM3U\n#EXTINF:x,\nseg.ts\n", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"} {
		_, err := ParseMediaPlaylist(strings.NewReader(bad))
		require.Error(t, err, "%q", bad)
	}
}

func TestFinalizeMediaPlaylist(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, FinalizeMediaPlaylist(strings.NewReader(ffmpegEventPlaylist+"#EXT-X-ENDLIST\n"), &b))
	golden(t, "finalized.m3u8", b.Bytes())

	// Idempotent, and the same result whether or not ffmpeg wrote ENDLIST.
	var again, noEnd bytes.Buffer
	require.NoError(t, FinalizeMediaPlaylist(bytes.NewReader(b.Bytes()), &again))
	require.Equal(t, b.String(), again.String())
	require.NoError(t, FinalizeMediaPlaylist(strings.NewReader(ffmpegEventPlaylist), &noEnd))
	require.Equal(t, b.String(), noEnd.String())

	// A playlist without a type gets VOD before its first segment.
	var untyped bytes.Buffer
	require.NoError(t, FinalizeMediaPlaylist(strings.NewReader(strings.Replace(ffmpegEventPlaylist, "#EXT-X-PLAYLIST-TYPE:EVENT\n", "", 1)), &untyped))
	p, err := ParseMediaPlaylist(&untyped)
	require.NoError(t, err)
	require.Equal(t, "VOD", p.PlaylistType)
	require.True(t, p.EndList)
	require.Len(t, p.Segments, 3)

	require.Error(t, FinalizeMediaPlaylist(strings.NewReader("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"), &b), "no segments")
}

func TestSegmentBandwidths(t *testing.T) {
	t.Parallel()
	segs := []Segment{{"a", 4}, {"b", 4}, {"c", 0.1}}
	// 4 s at 1 Mbit/s, 4 s at 2 Mbit/s, then a 0.1 s tail of one big
	// keyframe (400 kbit, "4 Mbit/s" on its own).
	sizes := []int64{500_000, 1_000_000, 50_000}
	peak, avg := segmentBandwidths(segs, sizes, 4)
	// The tail only counts together with its neighbour: (8M+0.4M)/4.1 s.
	require.Equal(t, 2_048_781, peak)
	require.Equal(t, 1_530_865, avg) // 12.4 Mbit over 8.1 s

	// A clip shorter than half the target duration: peak falls back to
	// the average.
	peak, avg = segmentBandwidths([]Segment{{"a", 1}}, []int64{1000}, 4)
	require.Equal(t, 8000, peak)
	require.Equal(t, 8000, avg)
}

func TestWriteSubtitlePlaylist(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteSubtitlePlaylist(&b, "en.vtt", 125.4))
	golden(t, "subtitles.m3u8", b.Bytes())
	require.Error(t, WriteSubtitlePlaylist(&b, "", 1))
	require.Error(t, WriteSubtitlePlaylist(&b, "en.vtt", 0))
}
