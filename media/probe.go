package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// SourceInfo is what clipcut needs to know about an upload, as reported by
// ffprobe and normalised. Its JSON is stored on the video (media_info) at
// probe time and read back by the later jobs instead of probing again, so
// the field names are a stored format: rename none, and when a field
// changes meaning, bump store.ProbeResultVersion.
type SourceInfo struct {
	// Format is ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
	Format string `json:"format"`
	// Duration is the playable length in seconds.
	Duration float64 `json:"duration"`
	// Size is the file size in bytes.
	Size int64 `json:"size"`
	// Bitrate is the container's overall bit rate in bits/s (0 if unknown).
	Bitrate int64 `json:"bitrate,omitempty"`
	// Video is the main picture stream; nil for audio-only files. Cover art
	// embedded in audio files (attached pictures) does not count as video.
	Video *VideoStream `json:"video,omitempty"`
	// Audio is the main audio stream; nil for silent files.
	Audio *AudioStream `json:"audio,omitempty"`
	// Keyframes are the times (seconds) of the picture's keyframes
	// around the boundaries of the chunks a long video is encoded in
	// (ChunkKeyframes), kept so that planning the chunks needs no second
	// look at the source (SnapChunksAt). Nil when not read: a short or
	// audio-only source, or a probe that did not plan chunks.
	Keyframes []float64 `json:"keyframes,omitempty"`
}

// VideoStream describes the source's picture.
type VideoStream struct {
	// Index is the stream's index in the file, for ffmpeg's -map 0:<Index>.
	Index int `json:"index"`
	// Codec is ffprobe's codec_name, e.g. "h264", "hevc", "vp9".
	Codec string `json:"codec"`
	// Profile is the codec profile as ffprobe names it, e.g. "High".
	Profile string `json:"profile,omitempty"`
	// Width and Height are the stored (coded) frame size.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Rotation is how far a player turns the picture clockwise to display
	// it: 0, 90, 180 or 270. Phones store portrait video as landscape
	// frames plus a rotation.
	Rotation int `json:"rotation,omitempty"`
	// DisplayWidth and DisplayHeight are the size a player shows: the
	// stored size stretched by the sample aspect ratio, then rotated. The
	// ladder is planned from these, since ffmpeg applies both when
	// decoding for us (autorotate, and our setsar after scaling).
	DisplayWidth  int `json:"display_width"`
	DisplayHeight int `json:"display_height"`
	// SampleAspectRatio is the pixel shape (1:1 for square pixels).
	SampleAspectRatio Rational `json:"sample_aspect_ratio"`
	// FrameRate is the nominal constant rate the ladder encodes at: the
	// source's rate, or for variable-frame-rate sources its average snapped
	// to a standard rate when close.
	FrameRate Rational `json:"frame_rate"`
	// AvgFrameRate and RealFrameRate are ffprobe's avg_frame_rate and
	// r_frame_rate, kept for diagnosis.
	AvgFrameRate  Rational `json:"avg_frame_rate"`
	RealFrameRate Rational `json:"r_frame_rate"`
	// VFR reports a variable frame rate (phones, screen recorders); the
	// ladder normalises it to FrameRate so segments and keyframes line up.
	VFR bool `json:"vfr,omitempty"`
	// PixelFormat is ffprobe's pix_fmt, e.g. "yuv420p", "yuv420p10le".
	PixelFormat string `json:"pixel_format,omitempty"`
	// Bitrate is the stream's bit rate in bits/s (0 if unknown).
	Bitrate int64 `json:"bitrate,omitempty"`
	// Interlaced reports interlaced fields (camcorders, broadcast); the
	// transcode deinterlaces such sources.
	Interlaced bool `json:"interlaced,omitempty"`
	// ColorTransfer, ColorPrimaries and ColorSpace are ffprobe's colour
	// tags, e.g. "arib-std-b67", "bt2020", "bt2020nc".
	ColorTransfer  string `json:"color_transfer,omitempty"`
	ColorPrimaries string `json:"color_primaries,omitempty"`
	ColorSpace     string `json:"color_space,omitempty"`
	// HDR reports a PQ or HLG transfer (recent iPhones record HLG by
	// default); the transcode tone-maps it to SDR BT.709, because 8-bit
	// H.264 players would otherwise show washed-out colours.
	HDR bool `json:"hdr,omitempty"`
}

// AudioStream describes the source's main audio.
type AudioStream struct {
	// Index is the stream's index in the file, for ffmpeg's -map 0:<Index>.
	Index int `json:"index"`
	// Codec is ffprobe's codec_name, e.g. "aac", "opus".
	Codec string `json:"codec"`
	// Channels is the channel count (2 for stereo).
	Channels int `json:"channels"`
	// ChannelLayout is ffprobe's layout name, e.g. "stereo", "5.1".
	ChannelLayout string `json:"channel_layout,omitempty"`
	// SampleRate is in Hz.
	SampleRate int `json:"sample_rate"`
	// Bitrate is the stream's bit rate in bits/s (0 if unknown).
	Bitrate int64 `json:"bitrate,omitempty"`
}

// Limits bounds what Probe accepts. Zero fields take the defaults.
type Limits struct {
	// MaxDuration is the longest accepted file (default 6 hours).
	MaxDuration time.Duration
	// MaxSide is the largest accepted width or height in pixels (default
	// 8192, a little above 8K UHD's 7680).
	MaxSide int
	// MaxPixels is the largest accepted frame area (default 36 megapixels,
	// 8K UHD's 33.2 Mpx with headroom): a 30000x30000 header is an attack or
	// a broken file, and decoding it would exhaust worker memory.
	MaxPixels int
}

// MinSide is the smallest accepted width and height in pixels: below it
// the ladder would publish renditions such as "2p" that no player shows
// usefully, and encoders' macroblocks (16x16) are larger than the frame.
const MinSide = 16

// Default limits; see Limits.
const (
	DefaultMaxDuration = 6 * time.Hour
	DefaultMaxSide     = 8192
	DefaultMaxPixels   = 36_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxDuration <= 0 {
		l.MaxDuration = DefaultMaxDuration
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	return l
}

// Probe inspects a local file with ffprobe and validates it against the
// default Limits. See ProbeWithLimits.
func Probe(ctx context.Context, ffprobePath, input string) (*SourceInfo, error) {
	return ProbeWithLimits(ctx, ffprobePath, input, Limits{})
}

// ProbeWithLimits inspects a local file with ffprobe and validates it.
//
// Unusable input returns a *RejectError with a Reason for the uploader:
// empty, not a media file, truncated, an image, absurd dimensions, neither
// video nor audio, or longer than limits.MaxDuration. Audio-only files are
// accepted (the ladder gives them a background picture). Anything else
// (ffprobe missing, ctx cancelled, unreadable path) is a plain error that is
// worth retrying.
func ProbeWithLimits(ctx context.Context, ffprobePath, input string, limits Limits) (*SourceInfo, error) {
	limits = limits.withDefaults()
	fi, err := os.Stat(input)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("probe: %s is a directory", input)
	}
	if fi.Size() == 0 {
		return nil, &RejectError{
			Reason: "The file is empty (0 bytes): the upload did not complete. Upload it again.",
			Detail: "size 0",
		}
	}

	args := append(inputHardening(),
		"-v", "error",
		"-print_format", "json",
		"-show_format", "-show_streams",
		inputURL(input))
	var out bytes.Buffer
	if _, err := runTool(ctx, "ffprobe", ffprobePath, args, &out); err != nil {
		if rej, ok := AsReject(err); ok && strings.Contains(rej.Detail, "moov atom not found") && !looksLikeMP4(input) {
			// ffmpeg picks the MP4 demuxer from a .mp4 name, so random
			// bytes called video.mp4 also lack a moov atom. Only call it
			// truncated when it starts like an MP4.
			return nil, &RejectError{
				Reason: "The file is not a video or audio file ffmpeg can read (it may be damaged or in an unsupported format).",
				Detail: rej.Detail,
			}
		}
		var exit *toolExitError
		if errors.As(err, &exit) {
			// ffprobe ran and refused the file for a reason we have no
			// rule for. Unlike ffmpeg later on, ffprobe only reads the
			// file, so this is still the file's fault.
			return nil, &RejectError{
				Reason: "The file is not a video or audio file ffmpeg can read.",
				Detail: err.Error(),
			}
		}
		return nil, err
	}

	var raw ffprobeOutput
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		return nil, fmt.Errorf("probe: decode ffprobe output: %w", err)
	}
	info := raw.sourceInfo(fi.Size())
	if info.Duration <= 0 {
		// Browser recordings (MediaRecorder WebM) and raw streams carry no
		// duration; measure it from the packets instead of rejecting them.
		if err := measureDuration(ctx, ffprobePath, input, info); err != nil {
			return nil, err
		}
	}
	if err := validate(info, &raw, limits); err != nil {
		return nil, err
	}
	return info, nil
}

// looksLikeMP4 reports whether the file starts with an ISO BMFF box
// (ftyp, moov, mdat, ...), as MP4/MOV/3GP files do.
func looksLikeMP4(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 8)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	switch string(head[4:8]) {
	case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid":
		return true
	}
	return false
}

// inputHardening restricts what ffmpeg/ffprobe may open for an untrusted
// upload. Only local files: an uploaded HLS playlist or concat script named
// video.mp4 would otherwise make the worker fetch URLs (SSRF) or read other
// local files into a public video. And only demuxers for real media formats
// (see allowedFormats), which rules out playlist-style demuxers entirely.
func inputHardening() []string {
	return []string{
		"-protocol_whitelist", "file",
		"-format_whitelist", allowedFormats,
	}
}

// inputURL makes a path unambiguous to ffmpeg: without the file: prefix a
// name containing a colon reads as a protocol and one starting with a dash
// as an option.
func inputURL(path string) string { return "file:" + path }

// allowedFormats lists the demuxers clipcut accepts uploads in: the
// containers cameras, phones, editors and browsers produce, plain audio
// formats, and the image demuxers (so images are recognised and rejected
// with a clear reason rather than "unsupported format"). Playlist and
// scripting demuxers (hls, dash, concat, ffconcat, tee, etc.) are
// deliberately absent.
const allowedFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,mpegvideo,asf," +
	"ogg,wav,w64,mp3,flac,aac,ac3,eac3,dts,truehd,amr,aiff,caf,wv,ape,tta,au,mxf,dv,rm,nut," +
	"ivf,h264,hevc,m4v,mjpeg,gif,yuv4mpegpipe,obu,av1," +
	"image2,png_pipe,jpeg_pipe,bmp_pipe,webp_pipe,tiff_pipe,gif_pipe,svg_pipe,jpegxl_pipe," +
	"j2k_pipe,psd_pipe,qoi_pipe,dpx_pipe,exr_pipe,pcx_pipe,ppm_pipe,pgm_pipe,pam_pipe"

// ffprobeOutput is the subset of ffprobe's JSON we read.
type ffprobeOutput struct {
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		Size       string `json:"size"`
		BitRate    string `json:"bit_rate"`
	} `json:"format"`
	Streams []ffprobeStream `json:"streams"`
}

type ffprobeStream struct {
	Index          int               `json:"index"`
	CodecName      string            `json:"codec_name"`
	CodecType      string            `json:"codec_type"`
	Profile        string            `json:"profile"`
	Width          int               `json:"width"`
	Height         int               `json:"height"`
	SAR            string            `json:"sample_aspect_ratio"`
	PixFmt         string            `json:"pix_fmt"`
	FieldOrder     string            `json:"field_order"`
	ColorTransfer  string            `json:"color_transfer"`
	ColorPrimaries string            `json:"color_primaries"`
	ColorSpace     string            `json:"color_space"`
	RFrameRate     string            `json:"r_frame_rate"`
	AvgFrameRate   string            `json:"avg_frame_rate"`
	Duration       string            `json:"duration"`
	BitRate        string            `json:"bit_rate"`
	NbFrames       string            `json:"nb_frames"`
	SampleRate     string            `json:"sample_rate"`
	Channels       int               `json:"channels"`
	ChannelLayout  string            `json:"channel_layout"`
	Disposition    map[string]int    `json:"disposition"`
	Tags           map[string]string `json:"tags"`
	SideData       []struct {
		Type     string  `json:"side_data_type"`
		Rotation float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// sourceInfo normalises ffprobe's output. It does not validate.
func (p *ffprobeOutput) sourceInfo(statSize int64) *SourceInfo {
	info := &SourceInfo{
		Format:   p.Format.FormatName,
		Duration: parseFloat(p.Format.Duration),
		Size:     parseInt(p.Format.Size),
		Bitrate:  parseInt(p.Format.BitRate),
	}
	if info.Size <= 0 {
		info.Size = statSize
	}
	if v := p.pickVideo(); v != nil {
		info.Video = v.videoStream()
		if info.Duration <= 0 {
			info.Duration = parseFloat(v.Duration)
		}
	}
	if a := p.pick("audio"); a != nil {
		info.Audio = &AudioStream{
			Index:         a.Index,
			Codec:         a.CodecName,
			Channels:      a.Channels,
			ChannelLayout: a.ChannelLayout,
			SampleRate:    int(parseInt(a.SampleRate)),
			Bitrate:       parseInt(a.BitRate),
		}
		if info.Duration <= 0 {
			info.Duration = parseFloat(a.Duration)
		}
	}
	return info
}

// pickVideo returns the main picture stream, skipping cover art
// (attached_pic) that MP3s and M4As carry as a one-frame "video" stream.
func (p *ffprobeOutput) pickVideo() *ffprobeStream {
	var candidates []*ffprobeStream
	for i := range p.Streams {
		s := &p.Streams[i]
		if s.CodecType == "video" && s.Disposition["attached_pic"] == 0 {
			candidates = append(candidates, s)
		}
	}
	return preferDefault(candidates)
}

func (p *ffprobeOutput) pick(codecType string) *ffprobeStream {
	var candidates []*ffprobeStream
	for i := range p.Streams {
		if p.Streams[i].CodecType == codecType {
			candidates = append(candidates, &p.Streams[i])
		}
	}
	return preferDefault(candidates)
}

// preferDefault returns the stream flagged default, else the first.
func preferDefault(streams []*ffprobeStream) *ffprobeStream {
	for _, s := range streams {
		if s.Disposition["default"] == 1 {
			return s
		}
	}
	if len(streams) > 0 {
		return streams[0]
	}
	return nil
}

func (s *ffprobeStream) videoStream() *VideoStream {
	v := &VideoStream{
		Index:          s.Index,
		Codec:          s.CodecName,
		Profile:        s.Profile,
		Width:          s.Width,
		Height:         s.Height,
		Rotation:       s.rotation(),
		PixelFormat:    s.PixFmt,
		Bitrate:        parseInt(s.BitRate),
		ColorTransfer:  s.ColorTransfer,
		ColorPrimaries: s.ColorPrimaries,
		ColorSpace:     s.ColorSpace,
	}
	switch s.FieldOrder {
	case "tt", "bb", "tb", "bt":
		v.Interlaced = true
	}
	switch s.ColorTransfer {
	case "smpte2084", "arib-std-b67":
		v.HDR = true
	}
	v.SampleAspectRatio = Rational{1, 1}
	if sar, ok := ParseRational(s.SAR); ok {
		v.SampleAspectRatio = sar
	}
	v.AvgFrameRate, _ = ParseRational(s.AvgFrameRate)
	v.RealFrameRate, _ = ParseRational(s.RFrameRate)
	v.FrameRate, v.VFR = nominalFrameRate(v.AvgFrameRate, v.RealFrameRate)

	// Stretch by the pixel shape first (anamorphic DV and DVD are stored
	// narrower than shown), then rotate, which is the order players apply.
	dw, dh := v.Width, v.Height
	if sar := v.SampleAspectRatio.Float(); sar > 0 && sar != 1 {
		dw = int(math.Round(float64(dw) * sar))
	}
	if v.Rotation == 90 || v.Rotation == 270 {
		dw, dh = dh, dw
	}
	v.DisplayWidth, v.DisplayHeight = dw, dh
	return v
}

// rotation reads the display rotation from the display-matrix side data
// (what ffmpeg 5+ reports) or the legacy "rotate" tag (older ffprobe and
// some muxers), normalised to 0, 90, 180 or 270 degrees. The sign does not
// matter for display size; only quarter turns swap width and height.
func (s *ffprobeStream) rotation() int {
	deg := 0.0
	found := false
	for _, sd := range s.SideData {
		if sd.Type == "Display Matrix" {
			deg, found = sd.Rotation, true
			break
		}
	}
	if !found {
		if tag, ok := s.Tags["rotate"]; ok {
			deg = parseFloat(tag)
		}
	}
	// Round to the nearest quarter turn; matrices for 90 degrees come back
	// as -90.00000000001 and the like.
	q := int(math.Round(deg/90)) % 4
	if q < 0 {
		q += 4
	}
	return q * 90
}

// nominalFrameRate picks the constant rate to encode at and reports whether
// the source is variable-frame-rate. r_frame_rate is the rate that can
// represent every timestamp, avg_frame_rate is frames over duration; they
// agree for constant-rate files (to rounding; 0.2% is allowed) and differ
// for VFR ones.
//
// For mild VFR (a phone recording nominally at 30 fps that averages 29.87
// because it dropped a few frames) the nominal r_frame_rate is kept: no
// frame is lost, and the few duplicated ones cost x264 almost nothing.
// When r_frame_rate is not a real rate (a container timebase like 1000/1)
// or far above the average, the average snapped to a standard rate within
// 2% is used instead.
func nominalFrameRate(avg, real Rational) (Rational, bool) {
	const fallback = 30
	switch {
	case avg.IsZero() && real.IsZero():
		return Rational{fallback, 1}, false
	case avg.IsZero():
		if real.Float() > 240 { // a timebase, not a rate
			return Rational{fallback, 1}, true
		}
		return real, false
	case real.IsZero():
		return snapRate(avg), false
	}
	a, r := avg.Float(), real.Float()
	if math.Abs(a-r)/r <= 0.002 {
		return snapRate(real), false
	}
	if std, ok := nearestStandardRate(r, 0.001); ok && r <= 60 && r <= a*1.25 {
		return std, true
	}
	return snapRate(avg), true
}

// snapRate returns the standard rate within 2% of r, or r rounded to
// 1/100 fps (e.g. 2987/100) when nothing is close.
func snapRate(r Rational) Rational {
	if std, ok := nearestStandardRate(r.Float(), 0.02); ok {
		return std
	}
	if r.Den <= 1001 {
		return r
	}
	return Rational{int(math.Round(r.Float() * 100)), 100}.reduce()
}

// imageCodecs are codecs that, alone in an image container or as a single
// frame, mean "a still picture", not a video.
var imageCodecs = map[string]bool{
	"png": true, "mjpeg": true, "jpegls": true, "bmp": true, "webp": true, "tiff": true,
	"gif": true, "jpeg2000": true, "jpegxl": true, "svg": true, "psd": true, "qoi": true,
	"dpx": true, "exr": true, "pcx": true, "ppm": true, "pgm": true, "pam": true, "pgmyuv": true,
}

// validate applies the acceptance rules to a probed file.
func validate(info *SourceInfo, raw *ffprobeOutput, limits Limits) error {
	if isImageFormat(info.Format) {
		return &RejectError{
			Reason: fmt.Sprintf("The file is an image (%s), not a video. Upload a video or audio file.", imageKind(info, raw)),
			Detail: "format " + info.Format,
		}
	}
	v := info.Video
	if v != nil {
		if v.Width <= 0 || v.Height <= 0 {
			return &RejectError{
				Reason: "The video stream is damaged: its frame size cannot be determined. Export or upload it again.",
				Detail: fmt.Sprintf("stream %d size %dx%d", v.Index, v.Width, v.Height),
			}
		}
		if v.Width > limits.MaxSide || v.Height > limits.MaxSide || v.Width*v.Height > limits.MaxPixels {
			return &RejectError{
				Reason: fmt.Sprintf("The video's frame size (%dx%d) is too large: at most %d pixels on a side and %d megapixels are accepted. Export it at a standard resolution such as 3840x2160.",
					v.Width, v.Height, limits.MaxSide, limits.MaxPixels/1_000_000),
				Detail: fmt.Sprintf("stream %d size %dx%d", v.Index, v.Width, v.Height),
			}
		}
		if imageCodecs[v.Codec] && info.Audio == nil && singleFrame(raw, v.Index, info.Duration) {
			return &RejectError{
				Reason: fmt.Sprintf("The file is a single image (%s), not a video. Upload a video or audio file.", imageKind(info, raw)),
				Detail: fmt.Sprintf("codec %s, duration %.3f", v.Codec, info.Duration),
			}
		}
		if v.Width < MinSide || v.Height < MinSide {
			return &RejectError{
				Reason: fmt.Sprintf("The video's frame size (%dx%d) is too small: at least %dx%d pixels are needed. Export it at a standard resolution such as 1280x720.",
					v.Width, v.Height, MinSide, MinSide),
				Detail: fmt.Sprintf("stream %d size %dx%d", v.Index, v.Width, v.Height),
			}
		}
	}
	if info.Video == nil && info.Audio == nil {
		return &RejectError{
			Reason: "The file contains no video or audio. Upload a video or audio file.",
			Detail: fmt.Sprintf("format %s, %d streams", info.Format, len(raw.Streams)),
		}
	}
	if info.Duration <= 0 {
		return &RejectError{
			Reason: "The file has no playable length (its duration is zero or unreadable). Export or upload it again.",
			Detail: fmt.Sprintf("duration %.3f", info.Duration),
		}
	}
	if max := limits.MaxDuration.Seconds(); info.Duration > max {
		return &RejectError{
			Reason: fmt.Sprintf("The file is too long (%s): at most %s is accepted. Trim or split it and upload the parts.",
				formatClock(info.Duration), formatClock(max)),
			Detail: fmt.Sprintf("duration %.3f > %.0f", info.Duration, max),
		}
	}
	return nil
}

// isImageFormat reports ffmpeg's still-image demuxers: image2 for named
// image files and the <codec>_pipe family for sniffed ones.
func isImageFormat(format string) bool {
	return format == "image2" || strings.HasSuffix(format, "_pipe")
}

// singleFrame reports a one-frame picture: nb_frames 1, or no meaningful
// duration. Animated GIFs and motion-JPEG clips have many frames and pass.
func singleFrame(raw *ffprobeOutput, index int, duration float64) bool {
	for _, s := range raw.Streams {
		if s.Index == index {
			if n := parseInt(s.NbFrames); n > 0 {
				return n == 1
			}
		}
	}
	return duration < 0.5
}

func imageKind(info *SourceInfo, raw *ffprobeOutput) string {
	codec := ""
	if info.Video != nil {
		codec = info.Video.Codec
	} else if len(raw.Streams) > 0 {
		codec = raw.Streams[0].CodecName
	}
	switch codec {
	case "mjpeg", "jpegls":
		return "JPEG"
	case "":
		return strings.TrimSuffix(info.Format, "_pipe")
	default:
		return strings.ToUpper(codec)
	}
}

// measureDuration reads every packet's timestamp of the main stream to find
// the end of a file whose header carries no duration. Demuxing without
// decoding runs at disk speed. It also fills in the average frame rate,
// which ffprobe cannot compute without a duration.
func measureDuration(ctx context.Context, ffprobePath, input string, info *SourceInfo) error {
	index := -1
	switch {
	case info.Video != nil:
		index = info.Video.Index
	case info.Audio != nil:
		index = info.Audio.Index
	default:
		return nil // validate rejects it
	}
	args := append(inputHardening(),
		"-v", "error",
		"-select_streams", strconv.Itoa(index),
		"-show_entries", "packet=pts_time,duration_time",
		"-of", "csv=p=0",
		inputURL(input))
	var end float64
	var packets int
	w := &lineWriter{fn: func(line string) {
		pts, dur, _ := strings.Cut(line, ",")
		if t := parseFloat(pts) + parseFloat(dur); t > end {
			end = t
		}
		packets++
	}}
	if _, err := runTool(ctx, "ffprobe", ffprobePath, args, w); err != nil {
		return fmt.Errorf("probe: measure duration: %w", err)
	}
	w.flush()
	info.Duration = end
	if v := info.Video; v != nil && v.AvgFrameRate.IsZero() && end > 0 && packets > 1 {
		avg := Rational{int(math.Round(float64(packets) / end * 1000)), 1000}.reduce()
		v.AvgFrameRate = avg
		v.FrameRate, v.VFR = nominalFrameRate(avg, v.RealFrameRate)
	}
	return nil
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func parseInt(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// formatClock renders seconds as "H:MM:SS" for people.
func formatClock(seconds float64) string {
	s := int(math.Round(seconds))
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
