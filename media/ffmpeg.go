package media

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// EncodeOptions tunes LadderArgs. The zero value is the default encode.
type EncodeOptions struct {
	// Preset is the x264 preset (default "veryfast": the usual choice for
	// on-demand ladders, far cheaper than "medium" for a small quality
	// cost at these bit rates).
	Preset string
	// SegmentSeconds is the HLS segment and keyframe interval (default 4).
	SegmentSeconds int
	// RateControl chooses how bit rates are spent (default CappedCRF).
	RateControl RateControl
	// CRF is the x264 constant rate factor for CappedCRF (default 23).
	CRF int
	// Threads, when positive, limits each encoder's threads (ffmpeg
	// -threads); by default x264 sizes itself from the CPU count.
	Threads int
	// BackgroundColor is the picture of audio-only renditions, in ffmpeg
	// colour syntax (default "0x1f2933", a dark slate that matches the web
	// app's player frame).
	BackgroundColor string
}

// RateControl is an x264 rate-control strategy.
type RateControl int

const (
	// CappedCRF encodes at constant quality (CRF) with the rung's VBV
	// MaxRate/BufSize as a ceiling: easy content (talking heads, slides,
	// screencasts) comes out far smaller than its target, hard content is
	// capped at the rung's peak. PeerTube and most VOD platforms do this.
	CappedCRF RateControl = iota
	// AverageBitrate is one-pass ABR at the rung's VideoBitrate within the
	// same VBV limits: predictable sizes, worse quality per bit.
	AverageBitrate
)

func (o EncodeOptions) withDefaults() EncodeOptions {
	if o.Preset == "" {
		o.Preset = "veryfast"
	}
	if o.SegmentSeconds <= 0 {
		o.SegmentSeconds = 4
	}
	if o.CRF <= 0 {
		o.CRF = 23
	}
	if o.BackgroundColor == "" {
		o.BackgroundColor = "0x1f2933"
	}
	return o
}

// Names of the files LadderArgs makes ffmpeg write under outDir/<name>/.
const (
	// MediaPlaylistName is each rendition's media playlist. ffmpeg writes
	// it to a temporary file and renames it, so readers always see a whole
	// playlist.
	MediaPlaylistName = "index.m3u8"
	// SegmentPattern is each rendition's MPEG-TS segment names (printf
	// syntax): seg_00000.ts, seg_00001.ts, ...
	SegmentPattern = "seg_%05d.ts"
)

// LadderArgs returns the ffmpeg arguments (without the program name) that
// encode every rendition of ladder from one decode of in, writing HLS under
// outDir: outDir/<name>/index.m3u8 and outDir/<name>/seg_00000.ts, ....
//
// Decoding once matters: decoding a 4K HEVC phone clip costs as much as
// encoding a couple of rungs, and a process per rendition (PeerTube's
// approach) pays it once per rung. The filter graph deinterlaces and
// normalises to the ladder's constant frame rate, scales once to the top
// rung, tone-maps HDR when the source needs it, and splits. Each smaller
// rung is resized from the smallest rung at least twice its size, or from
// the top rung (360p from 720p, 240p from 480p, 720p and 480p from the
// top): a rung at least twice as large keeps every detail the smaller one
// can show, and each resize then reads a quarter of the pixels or fewer.
// Those resizes use zimg (zscale), which does them in about half the CPU
// time of swscale; the top rung keeps swscale, which converts any pixel
// format and colour tagging a source may arrive with.
//
// Audio is encoded once per distinct setting, not once per rung: the
// ladder's rungs share one AAC encoder for each bit rate (two for the
// default ladder, where one per rung would be five encoders fed the same
// samples). Every rung still carries its audio in its own segments, so
// every media playlist plays on its own: the output is ffmpeg's tee muxer
// with one HLS muxer per rung, each selecting its video and its audio
// stream (the HLS muxer's own var_stream_map cannot give one encoded
// stream to several variants).
//
// Keyframes are aligned across renditions so players can switch between
// them at any segment boundary: every rung has the same frame rate, scene-
// cut keyframes are disabled, and keyframes are forced at exact multiples
// of the segment duration (-force_key_frames expr), with -g as a backstop.
//
// Fast start: the first segment-length of video is cut into 1-second
// segments (a keyframe forced every second until then, on every rung
// alike; -hls_init_time 1). A segment is only listed once the keyframe
// that ends it is encoded, and the ladder encodes all rungs in lockstep at
// about real time on a small machine, so a 4-second first segment would
// make a video playable ~4.5 s after its upload; 1-second ones make it
// ~1.5 s, and players start on a smaller first download.
//
// Playable early: playlists are EVENT playlists that grow as segments are
// finished. With the temp_file flag, ffmpeg writes each segment as
// seg_N.ts.tmp and renames it when complete, then rewrites the playlist
// (itself via a temporary file and rename), so every segment listed in an
// index.m3u8 is complete on disk. The caller finalises the playlists with
// FinalizeMediaPlaylist when ffmpeg succeeds.
//
// in must be a local file; outDir should be empty (clear it before a
// retry so no stale segment survives) and must not contain '%', which the
// HLS muxer treats as a pattern; any other character is escaped for the
// tee muxer. ffmpeg creates the rendition directories.
func LadderArgs(in string, src SourceInfo, ladder []Rendition, outDir string, opts EncodeOptions) []string {
	opts = opts.withDefaults()
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	args = append(args, inputHardening()...)
	args = append(args, "-i", inputURL(in))
	args = append(args, "-filter_complex", ladderFilterGraph(src, ladder, opts))

	// Output streams: the rungs' videos 0..N-1, then one audio stream per
	// distinct audio encoding, shared by every rung that uses it.
	for i := range ladder {
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
	}
	audios, rungAudio := ladderAudio(src, ladder)
	for range audios {
		args = append(args, "-map", fmt.Sprintf("0:%d", src.Audio.Index))
	}

	fps := ladderFrameRate(ladder)
	gop := max(int(math.Round(float64(opts.SegmentSeconds)*fps.Float())), 1)
	args = append(args,
		"-c:v", "libx264",
		"-preset", opts.Preset,
		"-sc_threshold", "0",
		"-g", strconv.Itoa(gop),
		"-force_key_frames", keyframeExpr(opts.SegmentSeconds),
	)
	if opts.RateControl == CappedCRF {
		args = append(args, "-crf", strconv.Itoa(opts.CRF))
	}
	for i, r := range ladder {
		v := fmt.Sprintf(":v:%d", i)
		args = append(args,
			"-profile"+v, r.Profile,
			"-level"+v, LevelString(r.Level))
		if opts.RateControl == AverageBitrate {
			args = append(args, "-b"+v, kbps(r.VideoBitrate))
		}
		args = append(args,
			"-maxrate"+v, kbps(r.MaxRate),
			"-bufsize"+v, kbps(r.BufSize))
	}
	if len(audios) > 0 {
		args = append(args, "-c:a", "aac")
		for j, a := range audios {
			s := fmt.Sprintf(":a:%d", j)
			args = append(args,
				"-b"+s, kbps(a.bitrate),
				"-ac"+s, strconv.Itoa(a.channels),
				"-ar"+s, strconv.Itoa(a.sampleRate))
		}
	}
	if opts.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(opts.Threads))
	}

	// One HLS muxer per rung behind the tee muxer, each given its video
	// and its (shared) audio. Each muxer's var_stream_map names its one
	// variant, so "%v" in its paths becomes the rung's name and ffmpeg
	// creates the rendition directory.
	slaves := make([]string, len(ladder))
	for i, r := range ladder {
		sel, vsm := strconv.Itoa(i), "v:0"
		if j := rungAudio[i]; j >= 0 {
			sel += "," + strconv.Itoa(len(ladder)+j)
			vsm += ",a:0"
		}
		slaves[i] = teeSlave([][2]string{
			{"f", "hls"},
			{"select", sel},
			// The MPEG-TS mux delay ffmpeg gives an output by default
			// (-muxdelay 0.7), which the tee muxer does not pass on:
			// timestamps start at about 1.4 s, leaving decoders the
			// buffering time the T-STD model expects, as before.
			{"max_delay", "700000"},
			{"hls_time", strconv.Itoa(opts.SegmentSeconds)},
			{"hls_init_time", "1"},
			{"hls_list_size", "0"},
			{"hls_playlist_type", "event"},
			{"hls_flags", "independent_segments+temp_file"},
			{"hls_segment_type", "mpegts"},
			{"start_number", "0"},
			{"hls_segment_filename", filepath.Join(outDir, "%v", SegmentPattern)},
			{"var_stream_map", vsm + ",name:" + r.Name},
		}, filepath.Join(outDir, "%v", MediaPlaylistName))
	}
	args = append(args,
		// Phone videos carry GPS positions and device names; published
		// segments must not.
		"-map_metadata", "-1",
		"-map_chapters", "-1",
		// Many encoders in one process start at different speeds; a
		// generous queue avoids "Too many packets buffered" aborts.
		"-max_muxing_queue_size", "4096",
		"-progress", "pipe:1",
		"-nostats",
		"-f", "tee",
		strings.Join(slaves, "|"),
	)
	return args
}

// audioEncoding is one AAC encode of the source's audio.
type audioEncoding struct{ bitrate, channels, sampleRate int }

// ladderAudio lists the distinct audio encodings the ladder needs, in
// order of first use, and for each rung the index of its encoding (-1
// for a rung without audio). The default ladder needs two (128 kbit/s
// from 480p up, 96 kbit/s below) where one encoder per rung would run
// five identical-input AAC encoders.
func ladderAudio(src SourceInfo, ladder []Rendition) ([]audioEncoding, []int) {
	var encs []audioEncoding
	rungs := make([]int, len(ladder))
	for i, r := range ladder {
		rungs[i] = -1
		if r.AudioBitrate <= 0 || src.Audio == nil {
			continue
		}
		e := audioEncoding{r.AudioBitrate, r.AudioChannels, r.AudioSampleRate}
		j := slices.Index(encs, e)
		if j < 0 {
			j = len(encs)
			encs = append(encs, e)
		}
		rungs[i] = j
	}
	return encs, rungs
}

// teeSlave renders one output of ffmpeg's tee muxer: "[k=v:k=v]filename".
// The muxer unescapes twice (splitting outputs on '|', then each option
// value), so option values are escaped for both and the filename for the
// first; any path then survives, quotes and colons included.
func teeSlave(opts [][2]string, filename string) string {
	parts := make([]string, len(opts))
	for i, kv := range opts {
		parts[i] = kv[0] + "=" + avEscape(kv[1], `\':]`)
	}
	return avEscape("["+strings.Join(parts, ":")+"]"+filename, `\'|`)
}

// avEscape backslash-escapes special and whitespace characters the way
// FFmpeg's av_get_token reads them back.
func avEscape(s, special string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(special, c) || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ladderFilterGraph builds the -filter_complex graph producing [v0]..[vN-1].
func ladderFilterGraph(src SourceInfo, ladder []Rendition, opts EncodeOptions) string {
	fps := ladderFrameRate(ladder)
	if src.Video == nil {
		// Audio-only: a generated still background, as long as the audio.
		var parts []string
		for i, r := range ladder {
			parts = append(parts, fmt.Sprintf("color=c=%s:s=%dx%d:r=%s:d=%.3f,format=yuv420p[v%d]",
				opts.BackgroundColor, r.Width, r.Height, r.FrameRate, src.Duration, i))
		}
		return strings.Join(parts, ";")
	}

	top := 0
	for i, r := range ladder {
		if r.Width*r.Height > ladder[top].Width*ladder[top].Height {
			top = i
		}
	}
	var chain []string
	if src.Video.Interlaced {
		// Only frames flagged interlaced are touched, so mixed content
		// (progressive segments in an interlaced stream) stays sharp.
		chain = append(chain, "yadif=mode=send_frame:deint=interlaced")
	}
	chain = append(chain, "fps="+fps.String(), scaleChain(ladder[top]))
	if src.Video.HDR {
		// After scaling: tone-mapping a 4K phone clip in 32-bit float
		// costs several times more than at the top rung's size.
		chain = append(chain, toneMapChain(src.Video)...)
	}
	chain = append(chain, "format=yuv420p")

	head := fmt.Sprintf("[0:%d]%s", src.Video.Index, strings.Join(chain, ","))
	if len(ladder) == 1 {
		return head + "[v0]"
	}
	// Each non-top rung is resized from its parent: the smallest rung at
	// least twice its size in both directions, else the top rung. Every
	// rung with children splits its output among itself and them.
	children := make([][]int, len(ladder))
	for i, r := range ladder {
		if i == top {
			continue
		}
		p := top
		for j, q := range ladder {
			if q.Width >= 2*r.Width && q.Height >= 2*r.Height && q.Width*q.Height < ladder[p].Width*ladder[p].Height {
				p = j
			}
		}
		children[p] = append(children[p], i)
	}
	out := func(i int) string {
		if len(children[i]) == 0 {
			return fmt.Sprintf("[v%d]", i)
		}
		labels := fmt.Sprintf("split=%d[v%d]", len(children[i])+1, i)
		for _, c := range children[i] {
			labels += fmt.Sprintf("[s%d]", c)
		}
		return "," + labels
	}
	parts := []string{head + out(top)}
	for i, r := range ladder {
		if i != top {
			parts = append(parts, fmt.Sprintf("[s%d]%s%s", i, resizeChain(r), out(i)))
		}
	}
	return strings.Join(parts, ";")
}

// scaleChain scales to the rendition's size with square pixels (the ladder
// already folded the source's sample aspect ratio into the size).
func scaleChain(r Rendition) string {
	return fmt.Sprintf("scale=%d:%d:flags=bicubic,setsar=1", r.Width, r.Height)
}

// resizeChain downsizes one yuv420p rung to another's size with zimg's
// Catmull-Rom bicubic (B=0, C=0.5: as sharp as swscale's default bicubic).
func resizeChain(r Rendition) string {
	return fmt.Sprintf("zscale=w=%d:h=%d:filter=bicubic:param_a=0:param_b=0.5,setsar=1", r.Width, r.Height)
}

// toneMapChain converts PQ/HLG HDR to SDR BT.709 with zimg and the Hable
// curve. The source's transfer, primaries and matrix are passed explicitly
// because zscale cannot convert from frames whose tags it must guess.
func toneMapChain(v *VideoStream) []string {
	prim := v.ColorPrimaries
	if prim == "" || prim == "unknown" {
		prim = "bt2020"
	}
	matrix := v.ColorSpace
	if matrix == "" || matrix == "unknown" {
		matrix = "bt2020nc"
	}
	return []string{
		fmt.Sprintf("zscale=tin=%s:pin=%s:min=%s:t=linear:npl=100", v.ColorTransfer, prim, matrix),
		"format=gbrpf32le",
		"zscale=p=bt709",
		"tonemap=tonemap=hable:desat=0",
		"zscale=t=bt709:m=bt709:r=tv",
	}
}

// ladderFrameRate is the ladder's common frame rate.
func ladderFrameRate(ladder []Rendition) Rational {
	if len(ladder) == 0 || ladder[0].FrameRate.IsZero() {
		return Rational{30, 1}
	}
	return ladder[0].FrameRate
}

// kbps formats bits/s as ffmpeg's "2800k".
func kbps(bits int) string { return strconv.Itoa(bits/1000) + "k" }

// keyframeExpr is the -force_key_frames expression of LadderArgs: a
// keyframe every second during the first seg seconds (the fast-start
// segments), then one at every multiple of seg. n_forced counts the
// keyframes forced so far: seg of them (at 0, 1, ..., seg-1) before the
// switch, so the k-th keyframe after it falls at seg*(k-seg+1).
func keyframeExpr(seg int) string {
	if seg <= 1 {
		return "expr:gte(t,n_forced)"
	}
	return fmt.Sprintf("expr:if(lt(t,%d),gte(t,n_forced),gte(t,%d*(n_forced-%d)))", seg, seg, seg-1)
}
