package media

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProbeAccepts(t *testing.T) {
	t.Parallel()
	_, ffprobe := tools(t)

	type want struct {
		video          bool
		codec          string
		width, height  int
		displayW       int
		displayH       int
		rotation       int
		fps            Rational
		vfr            bool
		interlaced     bool
		hdr            bool
		audio          bool
		audioChannels  int
		audioRate      int
		minDur, maxDur float64
	}
	tests := []struct {
		fixture string
		want    want
	}{
		{"landscape1080", want{video: true, codec: "h264", width: 1920, height: 1080, displayW: 1920, displayH: 1080, fps: Rational{30, 1}, audio: true, audioChannels: 2, audioRate: 48000, minDur: 3.9, maxDur: 4.1}},
		{"hd720", want{video: true, codec: "h264", width: 1280, height: 720, displayW: 1280, displayH: 720, fps: Rational{25, 1}, audio: true, audioChannels: 2, audioRate: 48000, minDur: 1.9, maxDur: 2.1}},
		{"portrait", want{video: true, codec: "h264", width: 720, height: 1280, displayW: 720, displayH: 1280, fps: Rational{30, 1}, audio: true, audioChannels: 2, audioRate: 48000, minDur: 1.9, maxDur: 2.1}},
		// Stored 640x360 with a 90 degree display matrix: shown portrait.
		{"rotated", want{video: true, codec: "h264", width: 640, height: 360, displayW: 360, displayH: 640, rotation: 90, fps: Rational{30, 1}, minDur: 1.9, maxDur: 2.1}},
		{"noaudio", want{video: true, codec: "h264", width: 640, height: 360, displayW: 640, displayH: 360, fps: Rational{30, 1}, minDur: 1.9, maxDur: 2.1}},
		{"audioonly", want{audio: true, audioChannels: 1, audioRate: 48000, minDur: 4.9, maxDur: 5.1}},
		// Cover art is an attached picture, not video: audio-only.
		{"coverart", want{audio: true, audioChannels: 1, audioRate: 48000, minDur: 1.9, maxDur: 2.1}},
		// 7 of every 10 frames at 30 fps: 21 fps average, flagged VFR.
		{"vfr", want{video: true, codec: "h264", width: 320, height: 240, displayW: 320, displayH: 240, fps: Rational{21, 1}, vfr: true, minDur: 2.8, maxDur: 3.1}},
		{"interlaced", want{video: true, codec: "h264", width: 320, height: 240, displayW: 320, displayH: 240, fps: Rational{25, 1}, interlaced: true, minDur: 0.9, maxDur: 1.1}},
		{"hdr", want{video: true, codec: "h264", width: 320, height: 180, displayW: 320, displayH: 180, fps: Rational{30, 1}, hdr: true, minDur: 1.9, maxDur: 2.1}},
		// No duration in the header: measured from packets.
		{"nodur", want{video: true, codec: "vp8", width: 320, height: 240, displayW: 320, displayH: 240, fps: Rational{30, 1}, minDur: 2.9, maxDur: 3.1}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			path := fixture(t, tt.fixture)
			info, err := Probe(testContext(t, 30*time.Second), ffprobe, path)
			require.NoError(t, err)
			w := tt.want
			require.InDelta(t, (w.minDur+w.maxDur)/2, info.Duration, (w.maxDur-w.minDur)/2)
			require.Positive(t, info.Size)
			if w.video {
				v := info.Video
				require.NotNil(t, v)
				require.Equal(t, w.codec, v.Codec)
				require.Equal(t, [2]int{w.width, w.height}, [2]int{v.Width, v.Height}, "stored size")
				require.Equal(t, [2]int{w.displayW, w.displayH}, [2]int{v.DisplayWidth, v.DisplayHeight}, "display size")
				require.Equal(t, w.rotation, v.Rotation)
				require.Equal(t, w.fps, v.FrameRate)
				require.Equal(t, w.vfr, v.VFR)
				require.Equal(t, w.interlaced, v.Interlaced)
				require.Equal(t, w.hdr, v.HDR)
				require.Equal(t, Rational{1, 1}, v.SampleAspectRatio)
				require.NotEmpty(t, v.PixelFormat)
			} else {
				require.Nil(t, info.Video)
			}
			if w.audio {
				require.NotNil(t, info.Audio)
				require.Equal(t, w.audioChannels, info.Audio.Channels)
				require.Equal(t, w.audioRate, info.Audio.SampleRate)
			} else {
				require.Nil(t, info.Audio)
			}
			// It must survive the JSON round trip the store does.
			b, err := json.Marshal(info)
			require.NoError(t, err)
			var back SourceInfo
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, *info, back)
		})
	}
}

func TestProbeRejects(t *testing.T) {
	t.Parallel()
	_, ffprobe := tools(t)
	tests := []struct {
		fixture string
		limits  Limits
		reason  string // exact Reason
	}{
		{"random", Limits{}, "The file is not a video or audio file ffmpeg can read (it may be damaged or in an unsupported format)."},
		{"truncated", Limits{}, "The file is not a video ffmpeg can read (moov atom not found: the upload may be truncated). Upload the complete file again."},
		{"empty", Limits{}, "The file is empty (0 bytes): the upload did not complete. Upload it again."},
		{"image", Limits{}, "The file is an image (PNG), not a video. Upload a video or audio file."},
		{"jpeg", Limits{}, "The file is an image (JPEG), not a video. Upload a video or audio file."},
		{"huge", Limits{}, "The video's frame size (30000x30000) is invalid or far too large. Export it at a standard resolution such as 1920x1080."},
		{"big", Limits{}, "The video's frame size (10000x6000) is too large: at most 8192 pixels on a side and 36 megapixels are accepted. Export it at a standard resolution such as 3840x2160."},
		{"subs", Limits{}, "The file contains no video or audio. Upload a video or audio file."},
		{"playlist", Limits{}, "The file's format (hls) is not a supported video or audio format. Upload a common format such as MP4, MOV, MKV, WebM or MP3."},
		{"hd720", Limits{MaxDuration: time.Second}, "The file is too long (0:00:02): at most 0:00:01 is accepted. Trim or split it and upload the parts."},
		{"landscape1080", Limits{MaxSide: 1280}, "The video's frame size (1920x1080) is too large: at most 1280 pixels on a side and 36 megapixels are accepted. Export it at a standard resolution such as 3840x2160."},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			info, err := ProbeWithLimits(testContext(t, 30*time.Second), ffprobe, fixture(t, tt.fixture), tt.limits)
			require.Nil(t, info)
			rej, ok := AsReject(err)
			require.True(t, ok, "want a RejectError, got %v", err)
			require.Equal(t, tt.reason, rej.Reason)
			require.Equal(t, tt.reason, err.Error())
			require.NotEmpty(t, rej.Detail)
		})
	}
}

// A frame smaller than 16x16 is refused at probe with a reason, instead of
// becoming a READY video with a "2p" rendition.
func TestProbeRejectsTinyFrames(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	for _, size := range []string{"8x8", "2x2", "640x8"} {
		t.Run(size, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "tiny.mkv")
			// FFV1 encodes any frame size (x264 needs even sides).
			out, err := exec.Command(ffmpeg, concat([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"},
				lavfiVideo(size, 10, 1), []string{"-c:v", "ffv1", path})...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			info, err := ProbeWithLimits(testContext(t, 30*time.Second), ffprobe, path, Limits{})
			require.Nil(t, info)
			rej, ok := AsReject(err)
			require.True(t, ok, "want a RejectError, got %v", err)
			require.Equal(t, "The video's frame size ("+size+") is too small: at least 16x16 pixels are needed. Export it at a standard resolution such as 1280x720.", rej.Reason)
		})
	}
	// 16x16 itself is a video.
	path := filepath.Join(t.TempDir(), "small.mkv")
	out, err := exec.Command(ffmpeg, concat([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"},
		lavfiVideo("16x16", 10, 1), []string{"-c:v", "ffv1", path})...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	info, err := ProbeWithLimits(testContext(t, 30*time.Second), ffprobe, path, Limits{})
	require.NoError(t, err)
	require.Equal(t, 16, info.Video.Width)
}

func TestProbeTransientErrors(t *testing.T) {
	t.Parallel()
	_, ffprobe := tools(t)
	input := fixture(t, "hd720")

	t.Run("ffprobe missing", func(t *testing.T) {
		t.Parallel()
		_, err := Probe(t.Context(), filepath.Join(t.TempDir(), "no-ffprobe"), input)
		require.Error(t, err)
		_, isReject := AsReject(err)
		require.False(t, isReject, "a missing tool is not the upload's fault: %v", err)
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Probe(ctx, ffprobe, input)
		require.ErrorIs(t, err, context.Canceled)
		_, isReject := AsReject(err)
		require.False(t, isReject)
	})
	t.Run("missing input", func(t *testing.T) {
		t.Parallel()
		_, err := Probe(t.Context(), ffprobe, filepath.Join(t.TempDir(), "gone.mp4"))
		require.ErrorIs(t, err, os.ErrNotExist)
		_, isReject := AsReject(err)
		require.False(t, isReject)
	})
}

// TestParseFFprobeOutput covers metadata the generated fixtures cannot
// produce with this ffmpeg: the legacy rotate tag, -90/270 matrices,
// anamorphic pixels and odd frame rates.
func TestParseFFprobeOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stream   string
		rotation int
		dw, dh   int
		fps      Rational
		vfr      bool
	}{
		{"rotate tag 90", `{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"r_frame_rate":"30/1","avg_frame_rate":"30/1","tags":{"rotate":"90"}}`, 90, 1080, 1920, Rational{30, 1}, false},
		{"rotate tag 180", `{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"r_frame_rate":"30/1","avg_frame_rate":"30/1","tags":{"rotate":"180"}}`, 180, 1920, 1080, Rational{30, 1}, false},
		{"matrix -90", `{"index":0,"codec_type":"video","codec_name":"hevc","width":3840,"height":2160,"r_frame_rate":"60/1","avg_frame_rate":"60/1","side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]}`, 270, 2160, 3840, Rational{60, 1}, false},
		{"matrix 270 wins over tag", `{"index":0,"codec_type":"video","codec_name":"h264","width":1280,"height":720,"r_frame_rate":"30/1","avg_frame_rate":"30/1","tags":{"rotate":"0"},"side_data_list":[{"side_data_type":"Display Matrix","rotation":270.00000001}]}`, 270, 720, 1280, Rational{30, 1}, false},
		{"anamorphic PAL", `{"index":0,"codec_type":"video","codec_name":"dvvideo","width":720,"height":576,"sample_aspect_ratio":"64:45","r_frame_rate":"25/1","avg_frame_rate":"25/1"}`, 0, 1024, 576, Rational{25, 1}, false},
		{"NTSC", `{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"r_frame_rate":"30000/1001","avg_frame_rate":"30000/1001"}`, 0, 1920, 1080, Rational{30000, 1001}, false},
		{"phone VFR snaps to 30", `{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080,"r_frame_rate":"30/1","avg_frame_rate":"17892000/599083"}`, 0, 1920, 1080, Rational{30, 1}, true},
		{"timebase r_frame_rate", `{"index":0,"codec_type":"video","codec_name":"vp8","width":640,"height":480,"r_frame_rate":"1000/1","avg_frame_rate":"24/1"}`, 0, 640, 480, Rational{24, 1}, true},
		{"unknown rates", `{"index":0,"codec_type":"video","codec_name":"h264","width":640,"height":480,"r_frame_rate":"0/0","avg_frame_rate":"0/0"}`, 0, 640, 480, Rational{30, 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var raw ffprobeOutput
			require.NoError(t, json.Unmarshal([]byte(`{"format":{"format_name":"mov","duration":"10.0"},"streams":[`+tt.stream+`]}`), &raw))
			info := raw.sourceInfo(1)
			require.NotNil(t, info.Video)
			require.Equal(t, tt.rotation, info.Video.Rotation)
			require.Equal(t, [2]int{tt.dw, tt.dh}, [2]int{info.Video.DisplayWidth, info.Video.DisplayHeight})
			require.Equal(t, tt.fps, info.Video.FrameRate)
			require.Equal(t, tt.vfr, info.Video.VFR)
		})
	}
}

func TestClassifyStderr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line   string
		reject bool
		plain  bool
	}{
		{"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found", true, false},
		{"file:/x.mp4: Invalid data found when processing input", true, false},
		{"[matroska,webm @ 0x1] EBML header parsing failed", true, false},
		{"Decoder (codec none) not found for input stream #0:0", true, false},
		{"[segment @ 0x1] Failed to open segment 'x': No space left on device", false, true},
		{"Error while decoding stream #0:0: Cannot allocate memory", false, true},
		{"frame=  10 fps=0.0 q=0.0 size=N/A", false, false},
	}
	for _, tt := range tests {
		err := classifyStderr("ffmpeg", []string{tt.line})
		_, isReject := AsReject(err)
		require.Equal(t, tt.reject, isReject, tt.line)
		require.Equal(t, tt.plain, err != nil && !isReject, tt.line)
	}
	// Operational failures win over the input errors they cause.
	err := classifyStderr("ffmpeg", []string{"x: Invalid data found when processing input", "av_interleaved_write_frame(): No space left on device"})
	require.Error(t, err)
	_, isReject := AsReject(err)
	require.False(t, isReject)
	require.False(t, errors.Is(err, context.Canceled))
}
