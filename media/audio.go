package media

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Speech engines want 16 kHz mono 16-bit PCM: Whisper resamples anything
// to it, pocketsphinx's en-us model is trained on it.
const (
	speechSampleRate = 16000
	speechByteRate   = speechSampleRate * 2
)

// ExtractAudio writes the first audio stream of in as a 16 kHz mono 16-bit
// PCM WAV file at out (see ExtractAudioStream).
func ExtractAudio(ctx context.Context, ffmpegPath, in, out string) error {
	return ExtractAudioStream(ctx, ffmpegPath, in, -1, out)
}

// ExtractAudioStream writes audio stream streamIndex of in (an absolute
// stream index as SourceInfo.Audio.Index; zero or negative: the first
// audio stream) as a 16 kHz mono 16-bit PCM WAV file at out, through a
// temporary file so out is either absent or complete. It returns
// ErrNoAudio when there is no such audio stream.
//
// The audio is placed on the source's timeline (aresample's first_pts=0
// pads a stream that starts late with silence and trims priming samples
// before zero, async fills timestamp gaps), so cue times match the video
// whatever the container's stream offsets. The WAV header is the plain
// 44-byte one (bitexact, no metadata), which every engine reads.
func ExtractAudioStream(ctx context.Context, ffmpegPath, in string, streamIndex int, out string) error {
	stream := "0:a:0"
	if streamIndex > 0 {
		stream = "0:" + strconv.Itoa(streamIndex)
	}
	tmp := out + ".tmp"
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error"}
	args = append(args, inputHardening()...)
	args = append(args, "-i", inputURL(in),
		"-map", stream, "-vn", "-sn", "-dn",
		"-af", "aresample=async=1:first_pts=0",
		"-ac", "1", "-ar", strconv.Itoa(speechSampleRate), "-c:a", "pcm_s16le",
		"-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
		"-f", "wav", tmp)
	stderr, err := runTool(ctx, "ffmpeg", ffmpegPath, args, nil)
	if err != nil {
		os.Remove(tmp)
		for _, line := range stderr {
			if strings.Contains(line, "matches no streams") {
				return fmt.Errorf("extract audio: %w", ErrNoAudio)
			}
		}
		return fmt.Errorf("extract audio: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("extract audio: %w", err)
	}
	return nil
}

// Span is a stretch of time.
type Span struct {
	Start, End time.Duration
}

// AudioActivity is where a recording has sound, measured by AnalyzeAudio.
type AudioActivity struct {
	// Duration is the length of the audio.
	Duration time.Duration
	// Sound lists the stretches louder than the silence threshold, in
	// order, without overlaps.
	Sound []Span
	// PeakDBFS is the loudest 20 ms frame's RMS level in dBFS (-inf for
	// digital silence).
	PeakDBFS float64

	// rms is every frame's RMS level (linear, full scale 1), for
	// steadiness checks: 200 kB per hour.
	rms []float32
}

// Silence detection parameters. Frames are 20 ms; a frame is silent when
// its RMS level is below silenceDBFS (room tone and hiss sit well below
// quiet speech at about -35 dBFS); pauses shorter than minSilence belong
// to the sound around them; sounds shorter than minSound (clicks) are
// ignored.
const (
	frameDuration = 20 * time.Millisecond
	silenceDBFS   = -50.0
	minSilence    = 300 * time.Millisecond
	minSound      = 100 * time.Millisecond
	// minAudibleTotal is how much sound there must be for transcription
	// to be worth running.
	minAudibleTotal = 250 * time.Millisecond
)

// HasSound reports whether there is enough sound to possibly hold speech.
func (a *AudioActivity) HasSound() bool { return a.SoundDuration() >= minAudibleTotal }

// SoundDuration is the total length of the sound spans.
func (a *AudioActivity) SoundDuration() time.Duration {
	var d time.Duration
	for _, s := range a.Sound {
		d += s.End - s.Start
	}
	return d
}

// soundWithin is how much sound lies within [start, end].
func (a *AudioActivity) soundWithin(start, end time.Duration) time.Duration {
	var d time.Duration
	for _, s := range a.Sound {
		if lo, hi := max(s.Start, start), min(s.End, end); hi > lo {
			d += hi - lo
		}
	}
	return d
}

// steady reports whether the sound around [start, end] (half a second
// either side) is steady, like noise, hum or sustained music, rather than
// speech-like. Speech rises and falls with its syllables several times a
// second, so within any second many frames are well below that second's
// mean level; steady sound has almost none. This is the low-energy frame
// ratio of speech/music discrimination (Saunders 1996; Scheirer and
// Slaney 1997): measured here at 0.4 to 0.5 for speech and 0.00 for pink
// noise and sustained chords. It cannot tell speech over loud music from
// music, so it only ever vetoes very short segments.
func (a *AudioActivity) steady(start, end time.Duration) bool {
	const window = int(time.Second / frameDuration)
	from := max(int((start-500*time.Millisecond)/frameDuration), 0)
	to := min(int((end+500*time.Millisecond)/frameDuration)+1, len(a.rms))
	if to-from < window/2 {
		return false // too little to judge
	}
	var low, total int
	for w := from; w < to; w += window {
		frames := a.rms[w:min(w+window, to)]
		var mean float64
		for _, v := range frames {
			mean += float64(v)
		}
		mean /= float64(len(frames))
		if 20*math.Log10(mean+1e-10) < silenceDBFS {
			continue // silence says nothing either way
		}
		for _, v := range frames {
			total++
			if float64(v) < 0.5*mean {
				low++
			}
		}
	}
	return total >= window/2 && float64(low)/float64(total) < steadyLowEnergyRatio
}

// steadyLowEnergyRatio is the share of low-energy frames below which
// sound counts as steady.
const steadyLowEnergyRatio = 0.05

// Silences returns the gaps between sound spans (including before the
// first and after the last) that are at least minLen long.
func (a *AudioActivity) Silences(minLen time.Duration) []Span {
	var out []Span
	prev := time.Duration(0)
	for _, s := range append(a.Sound, Span{Start: a.Duration, End: a.Duration}) {
		if s.Start-prev >= minLen {
			out = append(out, Span{Start: prev, End: s.Start})
		}
		prev = s.End
	}
	return out
}

// AnalyzeAudio measures where a 16-bit PCM WAV file (as ExtractAudio
// writes it; several channels are averaged) has sound, in one pass in
// Go: reading the file costs far less than a second ffmpeg run with
// silencedetect, which matters because the subtitle stage should cost
// little more than the engine itself.
func AnalyzeAudio(path string) (*AudioActivity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("analyze audio: %w", err)
	}
	defer f.Close()
	info, err := readWAVHeader(f)
	if err != nil {
		return nil, fmt.Errorf("analyze audio %s: %w", path, err)
	}
	if _, err := f.Seek(info.dataOffset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("analyze audio: %w", err)
	}
	frameSamples := max(info.sampleRate/int(time.Second/frameDuration), 1)
	frameBytes := frameSamples * info.channels * 2
	r := bufio.NewReaderSize(io.LimitReader(f, info.dataSize), 1<<16)
	buf := make([]byte, frameBytes)

	act := &AudioActivity{PeakDBFS: math.Inf(-1)}
	var (
		frames  int64
		runs    []Span // raw runs of loud frames
		inSound bool
	)
	frameTime := func(n int64) time.Duration { return time.Duration(n) * frameDuration }
	for {
		n, err := io.ReadFull(r, buf)
		if n < 2*info.channels {
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("analyze audio: %w", err)
			}
			break
		}
		var sum float64
		for i := 0; i+1 < n; i += 2 {
			v := float64(int16(binary.LittleEndian.Uint16(buf[i:]))) / 32768
			sum += v * v
		}
		// The mean power over all channels' samples: averaging channels
		// first would cancel out-of-phase content.
		power := sum / float64(n/2)
		level := 10 * math.Log10(power+1e-20)
		act.PeakDBFS = max(act.PeakDBFS, level)
		act.rms = append(act.rms, float32(math.Sqrt(power)))
		loud := level >= silenceDBFS
		switch {
		case loud && !inSound:
			runs = append(runs, Span{Start: frameTime(frames), End: frameTime(frames + 1)})
		case loud:
			runs[len(runs)-1].End = frameTime(frames + 1)
		}
		inSound = loud
		frames++
		if err != nil {
			break
		}
	}
	act.Duration = time.Duration(info.dataSize/int64(2*info.channels)) * time.Second / time.Duration(info.sampleRate)
	// Pauses shorter than minSilence belong to the sound around them;
	// then sounds shorter than minSound (clicks) are dropped.
	var merged []Span
	for _, s := range runs {
		if k := len(merged) - 1; k >= 0 && s.Start-merged[k].End < minSilence {
			merged[k].End = s.End
			continue
		}
		merged = append(merged, s)
	}
	for _, s := range merged {
		if s.End-s.Start >= minSound {
			act.Sound = append(act.Sound, Span{Start: s.Start, End: min(s.End, act.Duration)})
		}
	}
	return act, nil
}

// wavInfo is the part of a WAV header clipcut needs.
type wavInfo struct {
	sampleRate int
	channels   int
	dataOffset int64
	dataSize   int64
}

// readWAVHeader parses a RIFF/WAVE header of 16-bit PCM audio (plain or
// WAVE_FORMAT_EXTENSIBLE), skipping other chunks. A data size that is
// unset (written to a pipe) or past the end of the file means "to the end
// of the file".
func readWAVHeader(f *os.File) (wavInfo, error) {
	var info wavInfo
	fi, err := f.Stat()
	if err != nil {
		return info, err
	}
	var riff [12]byte
	if _, err := io.ReadFull(f, riff[:]); err != nil || string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return info, errors.New("not a WAV file")
	}
	pos := int64(12)
	var gotFormat bool
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(f, hdr[:]); err != nil {
			return info, errors.New("WAV file has no data chunk")
		}
		pos += 8
		id, size := string(hdr[0:4]), int64(binary.LittleEndian.Uint32(hdr[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return info, errors.New("WAV format chunk is invalid")
			}
			b := make([]byte, size)
			if _, err := io.ReadFull(f, b); err != nil {
				return info, errors.New("WAV format chunk is truncated")
			}
			format := binary.LittleEndian.Uint16(b[0:2])
			if format == 0xFFFE && size >= 26 {
				format = binary.LittleEndian.Uint16(b[24:26]) // extensible: the sub-format GUID starts with the tag
			}
			info.channels = int(binary.LittleEndian.Uint16(b[2:4]))
			info.sampleRate = int(binary.LittleEndian.Uint32(b[4:8]))
			bits := binary.LittleEndian.Uint16(b[14:16])
			if format != 1 || bits != 16 || info.channels < 1 || info.sampleRate < 1000 {
				return info, fmt.Errorf("WAV audio must be 16-bit PCM (format %d, %d bits, %d channels, %d Hz)", format, bits, info.channels, info.sampleRate)
			}
			gotFormat = true
			pos += size
			if size%2 == 1 {
				pos++
			}
			if _, err := f.Seek(pos, io.SeekStart); err != nil {
				return info, err
			}
		case "data":
			if !gotFormat {
				return info, errors.New("WAV data chunk before format chunk")
			}
			info.dataOffset = pos
			if rest := fi.Size() - pos; size == 0 || size == 0xFFFFFFFF || size > rest {
				size = rest
			}
			info.dataSize = size - size%int64(2*info.channels)
			return info, nil
		default:
			pos += size + size%2
			if _, err := f.Seek(pos, io.SeekStart); err != nil {
				return info, err
			}
		}
	}
}

// writeWAVHeader writes a 44-byte header for 16-bit PCM.
func writeWAVHeader(w io.Writer, sampleRate, channels int, dataSize int64) error {
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+dataSize))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(h[28:], uint32(sampleRate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(dataSize))
	_, err := w.Write(h[:])
	return err
}

// audioChunk is a piece of a longer recording.
type audioChunk struct {
	path   string
	offset time.Duration // where the chunk starts in the whole recording
}

// splitWAV cuts the WAV file at path at the given times (ascending,
// strictly inside the audio) into files under dir, sample-exactly: the
// header is rewritten and samples are copied, no re-encoding. Go does it
// rather than ffmpeg because PCM needs no codec, and byte offsets give
// exact chunk start times to stitch timestamps back with.
func splitWAV(path, dir string, cuts []time.Duration) ([]audioChunk, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := readWAVHeader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	frame := int64(2 * info.channels)
	totalFrames := info.dataSize / frame
	bounds := []int64{0}
	for _, c := range cuts {
		n := int64(c) * int64(info.sampleRate) / int64(time.Second)
		if n > bounds[len(bounds)-1] && n < totalFrames {
			bounds = append(bounds, n)
		}
	}
	bounds = append(bounds, totalFrames)
	var chunks []audioChunk
	for i := 0; i+1 < len(bounds); i++ {
		from, to := bounds[i], bounds[i+1]
		out := fmt.Sprintf("%s/chunk_%03d.wav", dir, i)
		if err := writeWAVSection(f, info, from*frame, (to-from)*frame, out); err != nil {
			return nil, err
		}
		chunks = append(chunks, audioChunk{
			path:   out,
			offset: time.Duration(from) * time.Second / time.Duration(info.sampleRate),
		})
	}
	return chunks, nil
}

func writeWAVSection(f *os.File, info wavInfo, offset, size int64, out string) error {
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := writeWAVHeader(bw, info.sampleRate, info.channels, size); err != nil {
		w.Close()
		return err
	}
	if _, err := io.Copy(bw, io.NewSectionReader(f, info.dataOffset+offset, size)); err != nil {
		w.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// chunkCuts chooses where to cut audio into pieces no longer than
// maxChunk. The pieces are balanced (a 21-minute recording with 10-minute
// chunks becomes three of about 7 minutes, not 10+10+1, which would leave
// a tiny last request), and each cut goes in the middle of the silence
// (at least 300 ms) nearest to its ideal place, within a quarter of a
// chunk either side, so words are not cut in two; at the ideal place when
// there is no such silence.
func chunkCuts(act *AudioActivity, maxChunk time.Duration) []time.Duration {
	if maxChunk <= 0 || act.Duration <= maxChunk {
		return nil
	}
	silences := act.Silences(minSilence)
	var cuts []time.Duration
	start := time.Duration(0)
	for act.Duration-start > maxChunk {
		rest := act.Duration - start
		n := (rest + maxChunk - 1) / maxChunk // chunks still needed
		target := rest / n
		ideal := start + target
		lo, hi := ideal-target/4, min(ideal+target/4, start+maxChunk)
		cut, best := ideal, time.Duration(-1)
		for _, s := range silences {
			mid := clampDuration((s.Start+s.End)/2, max(s.Start, lo), min(s.End, hi))
			if mid < lo || mid > hi || mid < s.Start || mid > s.End {
				continue
			}
			if d := absDuration(mid - ideal); best < 0 || d < best {
				cut, best = mid, d
			}
		}
		cuts = append(cuts, cut)
		start = cut
	}
	return cuts
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
