package media

import (
	"fmt"
	"math"
	"slices"
)

// Rendition is one rung of the HLS ladder: what to encode, not what was
// produced (see RenditionResult for that).
type Rendition struct {
	// Name is the short side followed by "p" ("720p"), so a portrait
	// 1080x1920 rendition is "1080p" like its landscape twin. It names the
	// output directory and the public /stream/{id}/{resolution} path.
	Name string `json:"name"`
	// Width and Height are the output frame size, even, square pixels,
	// already rotated for display.
	Width  int `json:"width"`
	Height int `json:"height"`
	// FrameRate is the constant output rate, the same on every rung so
	// keyframes fall on the same timestamps everywhere.
	FrameRate Rational `json:"frame_rate"`
	// VideoBitrate is the target average video bit rate in bits/s.
	VideoBitrate int `json:"video_bitrate"`
	// MaxRate and BufSize are the VBV peak rate (bits/s) and buffer (bits)
	// that bound how bursty the stream may be for a player's network.
	MaxRate int `json:"max_rate"`
	BufSize int `json:"buf_size"`
	// Profile is the x264 profile: "high", or "main" for 480p and below,
	// where old phones and TVs with Main-only decoders pick their stream.
	Profile string `json:"profile"`
	// Level is the H.264 level_idc the encoder is told to respect (40 for
	// 4.0); see H264Level.
	Level int `json:"level"`
	// AudioBitrate is the AAC-LC bit rate in bits/s; 0 means the source is
	// silent and the rendition has no audio track.
	AudioBitrate int `json:"audio_bitrate,omitempty"`
	// AudioChannels is 1 or 2: surround is downmixed to stereo, which is
	// what every HLS client can play.
	AudioChannels int `json:"audio_channels,omitempty"`
	// AudioSampleRate is 44100 or 48000 Hz.
	AudioSampleRate int `json:"audio_sample_rate,omitempty"`
}

// Codecs is the HLS CODECS value for the rendition as planned, e.g.
// "avc1.640028,mp4a.40.2". The profile and level are passed to x264
// explicitly, so with the default preset it matches what gets encoded. It
// is an upper bound in general: x264 signals a lower profile when the
// preset uses none of the higher one's tools (ultrafast has no CABAC or
// B-frames, so "main" comes out as Constrained Baseline), which any
// decoder of the declared profile still plays. MeasureRendition reports
// the exact value.
func (r Rendition) Codecs() string {
	c := AVC1Codec(r.Profile, r.Level)
	if r.AudioBitrate > 0 {
		c += "," + AACLCCodec
	}
	return c
}

// PlannedBandwidth estimates the rendition's peak bit rate before any
// segment exists (VBV peak plus audio plus ~5% MPEG-TS overhead), for the
// playable-early master playlist. The final master uses measured values.
func (r Rendition) PlannedBandwidth() int {
	return int(float64(r.MaxRate+r.AudioBitrate) * 1.05)
}

// LadderOptions tunes PlanLadder. The zero value is the default ladder.
type LadderOptions struct {
	// Rungs are the short sides to offer, largest first; default 1080, 720,
	// 480, 360, 240.
	Rungs []int
	// MaxFrameRate caps the output rate (default 60); faster sources are
	// decimated by a whole factor (120 -> 60, 100 -> 50) so motion stays
	// even.
	MaxFrameRate int
}

var defaultRungs = []int{1080, 720, 480, 360, 240}

// rungBitrates is the target video bit rate (bits/s) for a 16:9 picture
// with the given short side at up to 30 fps: a conventional H.264 ladder
// close to Apple's HLS authoring guidelines and what Mux and YouTube serve.
var rungBitrates = map[int]float64{
	1080: 5_000_000,
	720:  2_800_000,
	480:  1_400_000,
	360:  800_000,
	240:  400_000,
}

// Audio-only sources get one rendition with a plain background picture
// (see AudioOnlyRendition).
const (
	audioOnlyWidth  = 640
	audioOnlyHeight = 360
	// audioOnlyFPS is deliberately low: the picture never changes, players
	// accept it, and a six-hour podcast then costs seconds of encoding
	// rather than many minutes at 25 fps.
	audioOnlyFPS = 5
)

// PlanLadder decides the renditions for a source, largest first.
//
// Rungs are chosen by the display picture's short side, so portrait video
// gets the same ladder as landscape. The ladder never upscales: rungs above
// the source's short side are dropped, and when the source is below the top
// rung and not on a rung, its own size is added so nothing is lost to
// downscaling (a 540p source gets 540p, 480p, 360p, 240p); a source within
// 5% above a rung (a 738p export) is served by that rung instead of an
// almost identical extra one. A source smaller than the smallest rung gets
// exactly one rendition at its own size. Aspect ratio is kept and sizes are
// rounded to even numbers, which 4:2:0 chroma requires.
//
// All rungs share one constant frame rate: the source's nominal rate
// (variable-rate sources normalised), capped at MaxFrameRate. Bit rates
// follow rungBitrates, scaled by the rendition's pixel count relative to
// 16:9 (ultrawide gets more, 4:3 less) and by 1.5 above 30 fps.
//
// Audio-only sources get AudioOnlyRendition.
func PlanLadder(src SourceInfo, opts LadderOptions) []Rendition {
	if src.Video == nil {
		return []Rendition{AudioOnlyRendition(src)}
	}
	rungs := opts.Rungs
	if len(rungs) == 0 {
		rungs = defaultRungs
	}
	rungs = slices.Clone(rungs)
	slices.Sort(rungs)
	slices.Reverse(rungs)
	maxFPS := opts.MaxFrameRate
	if maxFPS <= 0 {
		maxFPS = 60
	}

	v := src.Video
	dw, dh := v.DisplayWidth, v.DisplayHeight
	short, long := min(dw, dh), max(dw, dh)
	fps := capFrameRate(v.FrameRate, maxFPS)

	var shorts []int
	for _, r := range rungs {
		if r <= short {
			shorts = append(shorts, r)
		}
	}
	own := short &^ 1 // even
	switch {
	case len(shorts) == 0:
		shorts = []int{own}
	case short < rungs[0] && !slices.Contains(shorts, own) && float64(short) > float64(shorts[0])*1.05:
		shorts = append([]int{own}, shorts...)
	}

	out := make([]Rendition, 0, len(shorts))
	for _, s := range shorts {
		l := evenRound(float64(long) * float64(s) / float64(short))
		w, h := l, s
		if dw < dh {
			w, h = s, l
		}
		r := Rendition{
			Name:      fmt.Sprintf("%dp", s),
			Width:     w,
			Height:    h,
			FrameRate: fps,
			Profile:   "high",
		}
		if s <= 480 {
			r.Profile = "main"
		}
		r.VideoBitrate = videoBitrate(s, w*h, fps)
		r.MaxRate = r.VideoBitrate * 3 / 2
		r.BufSize = r.VideoBitrate * 2
		r.Level = H264Level(w, h, fps, r.Profile, r.MaxRate, r.BufSize)
		setAudio(&r, src.Audio, s)
		out = append(out, r)
	}
	return out
}

// AudioOnlyRendition is the single rendition of an audio-only source: a
// 640x360 picture of one solid colour at a low frame rate, muxed with the
// audio. HLS players (Safari especially) and the web app's video element
// expect a video track; a still background plays everywhere, costs almost
// nothing to encode or store, and gives the player a sensible 16:9 box.
// Named "360p" so the public /stream/{id}/360p path works as for videos.
func AudioOnlyRendition(src SourceInfo) Rendition {
	fps := Rational{audioOnlyFPS, 1}
	r := Rendition{
		Name:         fmt.Sprintf("%dp", audioOnlyHeight),
		Width:        audioOnlyWidth,
		Height:       audioOnlyHeight,
		FrameRate:    fps,
		VideoBitrate: 100_000,
		MaxRate:      150_000,
		BufSize:      200_000,
		Profile:      "main",
	}
	r.Level = H264Level(r.Width, r.Height, fps, r.Profile, r.MaxRate, r.BufSize)
	// Audio is the content here: keep the full 128k even at 360p.
	setAudio(&r, src.Audio, 1080)
	return r
}

func setAudio(r *Rendition, a *AudioStream, short int) {
	if a == nil {
		return
	}
	r.AudioBitrate = 128_000
	if short <= 360 {
		r.AudioBitrate = 96_000
	}
	r.AudioChannels = 2
	if a.Channels == 1 {
		r.AudioChannels = 1
	}
	r.AudioSampleRate = 48_000
	if a.SampleRate == 44_100 {
		// Resampling 44.1 kHz music to 48 kHz costs quality for nothing.
		r.AudioSampleRate = 44_100
	}
}

// capFrameRate divides fps by the smallest whole factor that brings it to
// at most max, so frames are dropped evenly (119.88 -> 59.94).
func capFrameRate(fps Rational, max int) Rational {
	if fps.IsZero() {
		return Rational{30, 1}
	}
	k := int(math.Ceil(fps.Float()/float64(max) - 1e-9))
	if k <= 1 {
		return fps
	}
	return Rational{fps.Num, fps.Den * k}.reduce()
}

// videoBitrate is the target for a rendition with the given short side,
// pixel count and rate. The 16:9 rate for a short side between two rungs
// is interpolated log-log (bit rate grows sublinearly with size), then
// scaled linearly by the actual pixel count against 16:9, and by 1.5 above
// 30 fps (motion costs bits, but not twice as many for twice the frames).
func videoBitrate(short, pixels int, fps Rational) int {
	base := baseBitrate(short)
	ref := float64(short) * float64(short) * 16 / 9
	b := base * float64(pixels) / ref
	if fps.Float() > 30.5 {
		b *= 1.5
	}
	// Round to 50 kbit/s: the model is not that precise and round numbers
	// read better in logs and playlists.
	b = math.Round(b/50_000) * 50_000
	return max(int(b), 50_000)
}

// baseBitrate interpolates rungBitrates at any short side, extrapolating
// with the slope of the nearest segment outside the table.
func baseBitrate(short int) float64 {
	keys := make([]int, 0, len(rungBitrates))
	for k := range rungBitrates {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if b, ok := rungBitrates[short]; ok {
		return b
	}
	i := 1
	for i < len(keys)-1 && keys[i] < short {
		i++
	}
	lo, hi := keys[i-1], keys[i]
	x0, x1 := math.Log(float64(lo)), math.Log(float64(hi))
	y0, y1 := math.Log(rungBitrates[lo]), math.Log(rungBitrates[hi])
	x := math.Log(float64(short))
	return math.Exp(y0 + (x-x0)*(y1-y0)/(x1-x0))
}

// evenRound rounds to the nearest even integer, at least 2.
func evenRound(f float64) int {
	return max(int(math.Round(f/2))*2, 2)
}
