package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExtractAudio(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := tools(t)
	dir := t.TempDir()

	t.Run("on the video's timeline", func(t *testing.T) {
		t.Parallel()
		// Audio that starts a second after the video (an MP4 edit list):
		// the WAV must have that second of silence, or every cue would
		// show a second early.
		in := filepath.Join(dir, "late-audio.mp4")
		out, err := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
			"-f", "lavfi", "-i", "testsrc2=s=160x120:r=10:d=4",
			"-itsoffset", "1", "-f", "lavfi", "-i", "sine=f=440:d=2:sample_rate=48000",
			"-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", in).CombinedOutput()
		require.NoError(t, err, string(out))

		wav := filepath.Join(dir, "late.wav")
		require.NoError(t, ExtractAudio(testContext(t, time.Minute), ffmpeg, in, wav))
		data, err := os.ReadFile(wav)
		require.NoError(t, err)
		require.Equal(t, "RIFF", string(data[0:4]))
		require.Equal(t, "data", string(data[36:40]), "plain 44-byte header")
		require.Equal(t, uint16(1), binary.LittleEndian.Uint16(data[22:]), "mono")
		require.Equal(t, uint32(16000), binary.LittleEndian.Uint32(data[24:]), "16 kHz")
		require.Equal(t, uint16(16), binary.LittleEndian.Uint16(data[34:]), "16-bit")

		act, err := AnalyzeAudio(wav)
		require.NoError(t, err)
		require.InDelta(t, 3.0, act.Duration.Seconds(), 0.05)
		require.Len(t, act.Sound, 1)
		require.InDelta(t, 1.0, act.Sound[0].Start.Seconds(), 0.03)
		require.InDelta(t, 3.0, act.Sound[0].End.Seconds(), 0.03)
		_, err = os.Stat(wav + ".tmp")
		require.True(t, os.IsNotExist(err), "no temporary file left")
	})
	t.Run("a chosen stream", func(t *testing.T) {
		t.Parallel()
		wav := filepath.Join(dir, "stream.wav")
		// Stream 1 of hd720 is its audio.
		require.NoError(t, ExtractAudioStream(testContext(t, time.Minute), ffmpeg, fixture(t, "hd720"), 1, wav))
		act, err := AnalyzeAudio(wav)
		require.NoError(t, err)
		require.True(t, act.HasSound())
	})
	t.Run("no audio stream", func(t *testing.T) {
		t.Parallel()
		wav := filepath.Join(dir, "none.wav")
		err := ExtractAudio(testContext(t, time.Minute), ffmpeg, fixture(t, "noaudio"), wav)
		require.ErrorIs(t, err, ErrNoAudio)
		_, statErr := os.Stat(wav)
		require.True(t, os.IsNotExist(statErr))
	})
	t.Run("not a media file", func(t *testing.T) {
		t.Parallel()
		err := ExtractAudio(testContext(t, time.Minute), ffmpeg, fixture(t, "random"), filepath.Join(dir, "random.wav"))
		_, isReject := AsReject(err)
		require.True(t, isReject, "%v", err)
	})
}

// writeWAV writes 16-bit PCM samples (interleaved when channels > 1).
func writeWAV(t *testing.T, path string, rate, channels int, samples []int16) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	bw := bufio.NewWriter(f)
	require.NoError(t, writeWAVHeader(bw, rate, channels, int64(len(samples)*2)))
	require.NoError(t, binary.Write(bw, binary.LittleEndian, samples))
	require.NoError(t, bw.Flush())
}

// tone returns n samples of a 300 Hz tone at the given level (dBFS).
func tone(n int, dbfs float64) []int16 {
	amp := math.Pow(10, dbfs/20) * math.Sqrt2 * 32767 // RMS level -> peak
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*300*float64(i)/16000))
	}
	return out
}

func TestAnalyzeAudio(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sec := func(f float64) int { return int(f * 16000) }
	cat := func(parts ...[]int16) []int16 {
		var out []int16
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	quiet := func(n int) []int16 { return tone(n, -70) } // room tone, below the threshold
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

	t.Run("sound spans", func(t *testing.T) {
		path := filepath.Join(dir, "spans.wav")
		writeWAV(t, path, 16000, 1, cat(
			quiet(sec(1)), tone(sec(1), -20), // speech-level sound 1-2 s
			quiet(sec(0.2)), tone(sec(0.5), -30), // a 200 ms pause is part of the sound
			quiet(sec(1)), tone(sec(0.04), -10), // a 40 ms click is ignored
			quiet(sec(1)), tone(sec(1), -45), // quiet speech still counts
		))
		act, err := AnalyzeAudio(path)
		require.NoError(t, err)
		require.Equal(t, s(5.74), act.Duration)
		require.Equal(t, []Span{{s(1), s(2.7)}, {s(4.74), s(5.74)}}, act.Sound)
		require.InDelta(t, -10, act.PeakDBFS, 0.5)
		require.True(t, act.HasSound())
		require.Equal(t, s(2.7), act.SoundDuration())
		require.Equal(t, []Span{{0, s(1)}, {s(2.7), s(4.74)}}, act.Silences(time.Second))
		require.Equal(t, s(0.5), act.soundWithin(s(2.2), s(3)))
	})
	t.Run("silence", func(t *testing.T) {
		path := filepath.Join(dir, "silence.wav")
		writeWAV(t, path, 16000, 1, quiet(sec(3)))
		act, err := AnalyzeAudio(path)
		require.NoError(t, err)
		require.False(t, act.HasSound())
		require.Empty(t, act.Sound)
		path = filepath.Join(dir, "digital.wav")
		writeWAV(t, path, 16000, 1, make([]int16, sec(1)))
		act, err = AnalyzeAudio(path)
		require.NoError(t, err)
		require.False(t, act.HasSound())
		require.Less(t, act.PeakDBFS, -150.0)
	})
	t.Run("stereo 48 kHz", func(t *testing.T) {
		path := filepath.Join(dir, "stereo.wav")
		mono := cat(make([]int16, 48000), tone(48000, -20))
		stereo := make([]int16, 2*len(mono))
		for i, v := range mono {
			stereo[2*i], stereo[2*i+1] = v, v/2
		}
		writeWAV(t, path, 48000, 2, stereo)
		act, err := AnalyzeAudio(path)
		require.NoError(t, err)
		require.Equal(t, 2*time.Second, act.Duration)
		require.Equal(t, []Span{{time.Second, 2 * time.Second}}, act.Sound)
	})
	t.Run("not a wav file", func(t *testing.T) {
		path := filepath.Join(dir, "text.wav")
		require.NoError(t, os.WriteFile(path, []byte("hello, not audio at all"), 0o644))
		_, err := AnalyzeAudio(path)
		require.ErrorContains(t, err, "not a WAV file")
		_, err = AnalyzeAudio(filepath.Join(dir, "missing.wav"))
		require.Error(t, err)
	})
	t.Run("8-bit wav is refused", func(t *testing.T) {
		path := filepath.Join(dir, "8bit.wav")
		var h [44]byte
		copy(h[:], "RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data\x00\x00\x00\x00")
		require.NoError(t, os.WriteFile(path, h[:], 0o644))
		_, err := AnalyzeAudio(path)
		require.ErrorContains(t, err, "16-bit PCM")
	})
}

func TestSplitWAV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "in.wav")
	samples := make([]int16, 16000*5)
	for i := range samples {
		samples[i] = int16(i % 30000)
	}
	writeWAV(t, path, 16000, 1, samples)
	chunks, err := splitWAV(path, dir, []time.Duration{1500 * time.Millisecond, 4 * time.Second, 9 * time.Second})
	require.NoError(t, err)
	require.Len(t, chunks, 3, "a cut past the end is ignored")
	wantOffsets := []time.Duration{0, 1500 * time.Millisecond, 4 * time.Second}
	next := 0
	for i, c := range chunks {
		require.Equal(t, wantOffsets[i], c.offset)
		data, err := os.ReadFile(c.path)
		require.NoError(t, err)
		require.Equal(t, uint32(len(data)-44), binary.LittleEndian.Uint32(data[40:]))
		body := make([]int16, (len(data)-44)/2)
		require.NoError(t, binary.Read(bytes.NewReader(data[44:]), binary.LittleEndian, body))
		require.Equal(t, samples[next:next+len(body)], body, "chunk %d continues exactly", i)
		next += len(body)
	}
	require.Equal(t, len(samples), next)
}

func TestAudioSteadiness(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 16000 * 3
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]int16, n)
	for i := range noise {
		noise[i] = int16(rng.NormFloat64() * 3000)
	}
	chord := make([]int16, n)
	syllables := make([]int16, n) // 150 ms of voice, 100 ms of pause: four syllables a second
	for i := range chord {
		x := float64(i) / 16000
		chord[i] = int16(6000*math.Sin(2*math.Pi*220*x) + 4000*math.Sin(2*math.Pi*330*x))
		if math.Mod(x, 0.25) < 0.15 {
			syllables[i] = int16(8000 * math.Sin(2*math.Pi*150*x) * math.Sin(math.Pi*math.Mod(x, 0.25)/0.15))
		}
	}
	steady := func(samples []int16) bool {
		path := filepath.Join(dir, fmt.Sprintf("s%d.wav", rng.Int()))
		writeWAV(t, path, 16000, 1, samples)
		act, err := AnalyzeAudio(path)
		require.NoError(t, err)
		return act.steady(time.Second, 2*time.Second)
	}
	require.True(t, steady(noise), "noise")
	require.True(t, steady(chord), "sustained chord")
	require.False(t, steady(syllables), "speech-like rhythm")
	require.False(t, steady(make([]int16, n)), "silence is not steady sound")

	// CleanTranscript drops a word or two "heard" in steady sound, and
	// nothing else.
	path := filepath.Join(dir, "mixed.wav")
	writeWAV(t, path, 16000, 1, append(append([]int16(nil), noise...), syllables...))
	act, err := AnalyzeAudio(path)
	require.NoError(t, err)
	out := CleanTranscript(&Transcript{Segments: []TranscriptSegment{
		{Start: time.Second, End: 1800 * time.Millisecond, Text: "Thigh."},
		{Start: 1500 * time.Millisecond, End: 2500 * time.Millisecond, Text: "Three whole words."},
		{Start: 4 * time.Second, End: 4800 * time.Millisecond, Text: "Yes."},
	}}, act)
	var texts []string
	for _, s := range out.Segments {
		texts = append(texts, s.Text)
	}
	require.Equal(t, []string{"Three whole words.", "Yes."}, texts)
}
