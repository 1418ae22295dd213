package media

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// rungString is a rendition in one readable line, for table expectations:
// name, size@fps, video target/maxrate/bufsize, profile/level, audio.
func rungString(r Rendition) string {
	s := fmt.Sprintf("%s %dx%d@%s v%dk/%dk/%dk %s/%s", r.Name, r.Width, r.Height, r.FrameRate,
		r.VideoBitrate/1000, r.MaxRate/1000, r.BufSize/1000, r.Profile, LevelString(r.Level))
	if r.AudioBitrate > 0 {
		s += fmt.Sprintf(" a%dk/%dch/%d", r.AudioBitrate/1000, r.AudioChannels, r.AudioSampleRate)
	}
	return s
}

func video(w, h int, fps Rational, rotation int) *VideoStream {
	dw, dh := w, h
	if rotation == 90 || rotation == 270 {
		dw, dh = h, w
	}
	return &VideoStream{Width: w, Height: h, DisplayWidth: dw, DisplayHeight: dh, FrameRate: fps, Rotation: rotation}
}

var stereo48k = &AudioStream{Index: 1, Codec: "aac", Channels: 2, SampleRate: 48000}

func TestPlanLadder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  SourceInfo
		opts LadderOptions
		want []string
	}{
		{
			name: "landscape 1080p",
			src:  SourceInfo{Video: video(1920, 1080, Rational{30, 1}, 0), Audio: stereo48k},
			want: []string{
				"1080p 1920x1080@30 v5000k/7500k/10000k high/4.0 a128k/2ch/48000",
				"720p 1280x720@30 v2800k/4200k/5600k high/3.1 a128k/2ch/48000",
				"480p 854x480@30 v1400k/2100k/2800k main/3.1 a128k/2ch/48000",
				"360p 640x360@30 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 426x240@30 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "4K 60 fps: capped at 1080p, 1.5x bit rate above 30 fps",
			src:  SourceInfo{Video: video(3840, 2160, Rational{60, 1}, 0), Audio: stereo48k},
			want: []string{
				"1080p 1920x1080@60 v7500k/11250k/15000k high/4.2 a128k/2ch/48000",
				"720p 1280x720@60 v4200k/6300k/8400k high/3.2 a128k/2ch/48000",
				"480p 854x480@60 v2100k/3150k/4200k main/3.1 a128k/2ch/48000",
				"360p 640x360@60 v1200k/1800k/2400k main/3.1 a96k/2ch/48000",
				"240p 426x240@60 v600k/900k/1200k main/3.0 a96k/2ch/48000",
			},
		},
		{
			name: "720p 25 fps: no upscale",
			src:  SourceInfo{Video: video(1280, 720, Rational{25, 1}, 0), Audio: stereo48k},
			want: []string{
				"720p 1280x720@25 v2800k/4200k/5600k high/3.1 a128k/2ch/48000",
				"480p 854x480@25 v1400k/2100k/2800k main/3.0 a128k/2ch/48000",
				"360p 640x360@25 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 426x240@25 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "540p NTSC: own size added, bit rate interpolated",
			src:  SourceInfo{Video: video(960, 540, Rational{30000, 1001}, 0), Audio: stereo48k},
			want: []string{
				"540p 960x540@30000/1001 v1700k/2550k/3400k high/3.1 a128k/2ch/48000",
				"480p 854x480@30000/1001 v1400k/2100k/2800k main/3.1 a128k/2ch/48000",
				"360p 640x360@30000/1001 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 426x240@30000/1001 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "738p export: served by 720p, no near-duplicate rung",
			src:  SourceInfo{Video: video(1312, 738, Rational{30, 1}, 0), Audio: stereo48k},
			want: []string{
				"720p 1280x720@30 v2800k/4200k/5600k high/3.1 a128k/2ch/48000",
				"480p 854x480@30 v1400k/2100k/2800k main/3.1 a128k/2ch/48000",
				"360p 640x360@30 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 426x240@30 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "portrait 1080x1920: named by short side",
			src:  SourceInfo{Video: video(1080, 1920, Rational{30, 1}, 0), Audio: stereo48k},
			want: []string{
				"1080p 1080x1920@30 v5000k/7500k/10000k high/4.0 a128k/2ch/48000",
				"720p 720x1280@30 v2800k/4200k/5600k high/3.1 a128k/2ch/48000",
				"480p 480x854@30 v1400k/2100k/2800k main/3.1 a128k/2ch/48000",
				"360p 360x640@30 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 240x426@30 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "rotated phone video: stored 1920x1080, shown portrait",
			src:  SourceInfo{Video: video(1920, 1080, Rational{30, 1}, 90), Audio: stereo48k},
			want: []string{
				"1080p 1080x1920@30 v5000k/7500k/10000k high/4.0 a128k/2ch/48000",
				"720p 720x1280@30 v2800k/4200k/5600k high/3.1 a128k/2ch/48000",
				"480p 480x854@30 v1400k/2100k/2800k main/3.1 a128k/2ch/48000",
				"360p 360x640@30 v800k/1200k/1600k main/3.0 a96k/2ch/48000",
				"240p 240x426@30 v400k/600k/800k main/2.1 a96k/2ch/48000",
			},
		},
		{
			name: "tiny 160x120: one rung at its own size",
			src:  SourceInfo{Video: video(160, 120, Rational{15, 1}, 0), Audio: stereo48k},
			want: []string{
				"120p 160x120@15 v100k/150k/200k main/1.1 a96k/2ch/48000",
			},
		},
		{
			name: "ultrawide 2560x1080 silent: more bits for more pixels, no audio",
			src:  SourceInfo{Video: video(2560, 1080, Rational{24, 1}, 0)},
			want: []string{
				"1080p 2560x1080@24 v6650k/9975k/13300k high/5.0",
				"720p 1706x720@24 v3750k/5625k/7500k high/3.2",
				"480p 1138x480@24 v1850k/2775k/3700k main/3.1",
				"360p 854x360@24 v1050k/1575k/2100k main/3.0",
				"240p 568x240@24 v550k/825k/1100k main/2.1",
			},
		},
		{
			name: "120 fps 720p: decimated to 60",
			src:  SourceInfo{Video: video(1280, 720, Rational{120, 1}, 0), Audio: stereo48k},
			opts: LadderOptions{Rungs: []int{720, 360}},
			want: []string{
				"720p 1280x720@60 v4200k/6300k/8400k high/3.2 a128k/2ch/48000",
				"360p 640x360@60 v1200k/1800k/2400k main/3.1 a96k/2ch/48000",
			},
		},
		{
			name: "anamorphic odd size: even dimensions, own rung",
			src:  SourceInfo{Video: &VideoStream{Width: 720, Height: 576, DisplayWidth: 1024, DisplayHeight: 575, FrameRate: Rational{25, 1}}, Audio: &AudioStream{Channels: 6, SampleRate: 44100}},
			want: []string{
				"574p 1022x574@25 v1900k/2850k/3800k high/3.1 a128k/2ch/44100",
				"480p 854x480@25 v1400k/2100k/2800k main/3.0 a128k/2ch/44100",
				"360p 642x360@25 v800k/1200k/1600k main/3.0 a96k/2ch/44100",
				"240p 428x240@25 v400k/600k/800k main/2.1 a96k/2ch/44100",
			},
		},
		{
			name: "audio-only: one still-background rung keeping full audio quality",
			src:  SourceInfo{Audio: &AudioStream{Channels: 1, SampleRate: 44100}, Duration: 10},
			want: []string{
				"360p 640x360@5 v100k/150k/200k main/2.2 a128k/1ch/44100",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range PlanLadder(tt.src, tt.opts) {
				got = append(got, rungString(r))
				require.Zero(t, r.Width%2, "even width")
				require.Zero(t, r.Height%2, "even height")
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestH264Level(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w, h    int
		fps     Rational
		profile string
		maxRate int
		want    string
	}{
		{1920, 1080, Rational{30, 1}, "high", 7_500_000, "4.0"},
		{1920, 1080, Rational{30, 1}, "high", 30_000_000, "4.1"}, // over 4.0's 25 Mbit/s High limit
		{1920, 1080, Rational{60, 1}, "high", 7_500_000, "4.2"},
		{1280, 720, Rational{30, 1}, "high", 4_200_000, "3.1"},
		{1280, 720, Rational{60, 1}, "high", 4_200_000, "3.2"},
		{640, 360, Rational{30, 1}, "main", 1_200_000, "3.0"},
		{3840, 2160, Rational{30, 1}, "high", 20_000_000, "5.1"},
	}
	for _, tt := range tests {
		got := LevelString(H264Level(tt.w, tt.h, tt.fps, tt.profile, tt.maxRate, tt.maxRate))
		require.Equal(t, tt.want, got, "%dx%d@%s %s", tt.w, tt.h, tt.fps, tt.profile)
	}
	require.Equal(t, "avc1.640028", AVC1Codec("High", 40))
	require.Equal(t, "avc1.4d401e", AVC1Codec("main", 30))
	require.Equal(t, "avc1.42c015", AVC1Codec("Constrained Baseline", 21))
}

func TestRationalAndFrameRateCap(t *testing.T) {
	t.Parallel()
	r, ok := ParseRational("60000/1001")
	require.True(t, ok)
	require.Equal(t, "30000/1001", capFrameRate(r, 30).String())
	require.Equal(t, "60", capFrameRate(Rational{120, 1}, 60).String())
	require.Equal(t, "50", capFrameRate(Rational{100, 1}, 60).String())
	require.Equal(t, "60", capFrameRate(Rational{240, 1}, 60).String())
	require.Equal(t, "45", capFrameRate(Rational{90, 1}, 60).String())
	_, ok = ParseRational("0/0")
	require.False(t, ok)
	sar, ok := ParseRational("16:15")
	require.True(t, ok)
	require.Equal(t, Rational{16, 15}, sar)
}
