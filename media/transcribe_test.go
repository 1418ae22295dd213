package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSelectTranscriber(t *testing.T) {
	t.Parallel()
	sphinx := fakeSphinxInstall(t)
	noSphinx := SphinxConfig{Binary: "/nonexistent/pocketsphinx_continuous"}
	for _, tc := range []struct {
		name   string
		cfg    TranscriberConfig
		engine string
		why    string
	}{
		{"explicit whisper", TranscriberConfig{Engine: "whisper", Whisper: WhisperConfig{Binary: "/opt/w/whisper-cli", Model: "/m/ggml-base.bin"}},
			"whisper", "whisper: CLIPCUT_TRANSCRIBER=whisper (binary /opt/w/whisper-cli, model /m/ggml-base.bin)"},
		{"explicit openai", TranscriberConfig{Engine: "OpenAI"}, "openai", "openai: CLIPCUT_TRANSCRIBER=openai (https://api.openai.com/v1, model whisper-1)"},
		{"explicit sphinx", TranscriberConfig{Engine: "sphinx", Sphinx: sphinx}, "sphinx", "sphinx: CLIPCUT_TRANSCRIBER=sphinx"},
		{"explicit none", TranscriberConfig{Engine: "none", Whisper: WhisperConfig{Model: "/m.bin"}}, "none", "subtitles are off"},
		{"auto: whisper when its model is configured", TranscriberConfig{Whisper: WhisperConfig{Model: "/m/ggml-small.bin"}, Sphinx: sphinx},
			"whisper", "whisper: CLIPCUT_WHISPER_MODEL is set"},
		{"auto: sphinx when installed", TranscriberConfig{Engine: "auto", Sphinx: sphinx}, "sphinx", "sphinx: no whisper model configured (CLIPCUT_WHISPER_MODEL) and pocketsphinx is installed"},
		{"auto: never openai, even with a key", TranscriberConfig{OpenAI: OpenAIConfig{APIKey: "sk-x"}, Sphinx: sphinx}, "sphinx", "sphinx:"},
		{"auto: none when nothing is available", TranscriberConfig{Sphinx: noSphinx}, "none",
			"none: subtitles are off: no whisper model configured (set CLIPCUT_WHISPER_MODEL) and pocketsphinx is not usable (pocketsphinx binary /nonexistent/pocketsphinx_continuous not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, why, err := SelectTranscriber(tc.cfg)
			require.NoError(t, err)
			require.Equal(t, tc.engine, tr.Name())
			require.Contains(t, why, tc.why)
		})
	}
	_, _, err := SelectTranscriber(TranscriberConfig{Engine: "vosk"})
	require.ErrorContains(t, err, `unknown engine "vosk"`)
}

func TestNoTranscriber(t *testing.T) {
	t.Parallel()
	var tr Transcriber = NoTranscriber{}
	require.NoError(t, tr.Check(t.Context()))
	_, err := tr.Transcribe(t.Context(), "a.wav", TranscribeOptions{})
	require.ErrorIs(t, err, ErrNoTranscriber)
	_, err = GenerateSubtitles(t.Context(), tr, "in.mp4", GenerateOptions{})
	require.ErrorIs(t, err, ErrNoTranscriber)
}

func TestCleanTranscript(t *testing.T) {
	t.Parallel()
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	seg := func(start, end float64, text string) TranscriptSegment {
		return TranscriptSegment{Start: s(start), End: s(end), Text: text}
	}
	act := &AudioActivity{Duration: s(60), Sound: []Span{{0, s(30)}, {s(40), s(60)}}}
	in := &Transcript{Language: "en", Segments: []TranscriptSegment{
		seg(5, 6, "[BLANK_AUDIO]"),
		seg(1, 2, "  Hello   there. "),
		seg(6, 7, "(upbeat music)"),
		seg(7, 8, "♪ ♪"),
		seg(8, 9, "♪ Never gonna give you up ♪"),
		seg(9, 10, "(laughs) That was funny."),
		seg(10, 11, "He said (quietly) no."),
		seg(11, 12, "..."),
		{Start: s(12), End: s(13), Text: "[Music] Go", Words: []Word{{Start: s(12), End: s(12.5), Text: "[Music]"}, {Start: s(12.5), End: s(13), Text: "Go"}}},
		seg(31, 39, "Thank you."), // inside the silence
		seg(29.8, 35, "Edge."),    // 200 ms of sound: timings that drifted into silence
		seg(29.97, 35, "Drift."),  // 30 ms of sound: not there
		seg(41, 42, "Again."), seg(42, 43, "Again."), seg(43, 44, "Again."), seg(44, 45, "Again."),
	}}
	out := CleanTranscript(in, act)
	var texts []string
	for _, x := range out.Segments {
		texts = append(texts, x.Text)
	}
	require.Equal(t, []string{"Hello there.", "Never gonna give you up", "That was funny.", "He said (quietly) no.", "Go", "Edge.", "Again.", "Again."}, texts)
	require.Equal(t, []string{"Go"}, wordTexts(out.Segments[4].Words))
	require.Len(t, in.Segments, 16, "the input is not modified")

	// Without activity, nothing is dropped for silence.
	require.Len(t, CleanTranscript(&Transcript{Segments: []TranscriptSegment{seg(31, 39, "Thank you.")}}, nil).Segments, 1)
}

func TestLanguages(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"en": "en", "English": "en", "en-US": "en", "pt_BR": "pt", "jw": "jv", "javanese": "jv", "haitian creole": "ht",
		"Mandarin": "zh", "yue": "yue", "auto": "", "": "", "Klingon!": "", "tlh": "tlh",
	} {
		require.Equal(t, want, NormalizeLanguage(in), in)
	}
	require.Equal(t, "French", LanguageName("fr"))
	require.Equal(t, "Haitian Creole", LanguageName("ht"))
	require.Equal(t, "xx", LanguageName("xx"))
}

// speechTools skips the test unless the offline engine and espeak-ng are
// installed (make test installs them).
func speechTools(t *testing.T) (ffmpeg string) {
	t.Helper()
	ffmpeg, _ = tools(t)
	for _, bin := range []string{"espeak-ng", "pocketsphinx_continuous"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (apt-get install espeak-ng pocketsphinx pocketsphinx-en-us)", bin)
		}
	}
	if err := NewSphinx(SphinxConfig{}).Check(t.Context()); err != nil {
		t.Skip(err)
	}
	return ffmpeg
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
}

// speechVideo makes a small video whose soundtrack is espeak-ng saying
// sentences, with a second of silence before them and gap after each,
// and returns where each sentence is.
func speechVideo(t *testing.T, ffmpeg string, sentences []string, gap time.Duration) (string, []Span) {
	dir := t.TempDir()
	inputs := []string{"-f", "lavfi", "-i", "testsrc2=s=160x120:r=10"} // input 0: the picture
	var labels strings.Builder
	n := 1
	silence := func(d time.Duration) {
		inputs = append(inputs, "-f", "lavfi", "-t", fmt.Sprintf("%.3f", d.Seconds()), "-i", "anullsrc=r=22050:cl=mono")
		fmt.Fprintf(&labels, "[%d:a]", n)
		n++
	}
	var spans []Span
	at := time.Second
	silence(at)
	for i, text := range sentences {
		wav := filepath.Join(dir, fmt.Sprintf("s%d.wav", i))
		run(t, "espeak-ng", "-v", "en-us", "-w", wav, text)
		act, err := AnalyzeAudio(wav)
		require.NoError(t, err)
		require.NotEmpty(t, act.Sound)
		spans = append(spans, Span{Start: at + act.Sound[0].Start, End: at + act.Sound[len(act.Sound)-1].End})
		inputs = append(inputs, "-i", wav)
		fmt.Fprintf(&labels, "[%d:a]", n)
		n++
		silence(gap)
		at += act.Duration + gap
	}
	out := filepath.Join(dir, "speech.mp4")
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, inputs...)
	args = append(args, "-filter_complex", fmt.Sprintf("%sconcat=n=%d:v=0:a=1[a]", labels.String(), n-1),
		"-map", "0:v", "-map", "[a]", "-t", fmt.Sprintf("%.3f", at.Seconds()),
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ar", "44100", out)
	run(t, ffmpeg, args...)
	return out, spans
}

// End to end with the real offline engine: espeak-ng speaks known
// sentences, ffmpeg muxes them onto a generated video, and the subtitle
// stage must find them where they are. Exact words are not asserted
// (pocketsphinx hears synthetic speech poorly), only that some are right.
func TestGenerateSubtitlesSphinx(t *testing.T) {
	t.Parallel()
	ffmpeg := speechTools(t)
	sentences := []string{"The quick brown fox jumps over the lazy dog.", "We will meet again tomorrow morning."}
	video, spans := speechVideo(t, ffmpeg, sentences, 2500*time.Millisecond)

	sub, err := GenerateSubtitles(testContext(t, 2*time.Minute), NewSphinx(SphinxConfig{}), video, GenerateOptions{FFmpegPath: ffmpeg, WorkDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, "en", sub.Language)
	require.Len(t, sub.Audio.Sound, len(sentences), "the extracted audio has the sentences where they were put")

	// Every recognised segment lies within a sentence.
	require.NotEmpty(t, sub.Transcript.Segments)
	const slack = 350 * time.Millisecond
	for _, s := range sub.Transcript.Segments {
		inside := false
		for _, sp := range spans {
			inside = inside || (s.Start >= sp.Start-slack && s.End <= sp.End+slack)
		}
		require.True(t, inside, "segment %q at %v-%v is outside the speech %v", s.Text, s.Start, s.End, spans)
	}
	// Some words are right.
	spoken := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(strings.Join(sentences, " "))) {
		spoken[strings.Trim(w, ".")] = true
	}
	var right []string
	for _, w := range strings.Fields(strings.ToLower(sub.Transcript.Text())) {
		if spoken[w] {
			right = append(right, w)
		}
	}
	require.NotEmpty(t, right, "recognised %q", sub.Transcript.Text())

	// Every word pocketsphinx printed comes with its own time: in order,
	// inside its segment, and spelled as the segment's text says.
	words := sub.Transcript.Words()
	var segWords []string
	for _, s := range sub.Transcript.Segments {
		require.NotEmpty(t, s.Words, "segment %q has its words", s.Text)
		for i, w := range s.Words {
			require.Less(t, w.Start, w.End, "word %q", w.Text)
			require.GreaterOrEqual(t, w.Start, s.Start, "word %q starts inside %q", w.Text, s.Text)
			require.LessOrEqual(t, w.End, s.End, "word %q ends inside %q", w.Text, s.Text)
			if i > 0 {
				require.GreaterOrEqual(t, w.Start, s.Words[i-1].End, "words of %q do not overlap", s.Text)
			}
		}
		segWords = append(segWords, strings.Fields(s.Text)...)
	}
	require.Equal(t, segWords, wordTexts(words), "Words lists every segment's words in order")

	// The cues are well formed, each shows during (or lingers just
	// after) a sentence, and the files written from them parse back.
	checkCueInvariants(t, sub.Cues, CueOptions{})
	for _, c := range sub.Cues {
		overlaps := false
		for _, sp := range spans {
			overlaps = overlaps || (c.Start < sp.End+slack && c.End > sp.Start)
		}
		require.True(t, overlaps, "cue %q at %v-%v shows during silence", c.Text, c.Start, c.End)
		require.GreaterOrEqual(t, c.Start, spans[0].Start-time.Second)
		require.LessOrEqual(t, c.End, spans[len(spans)-1].End+2*time.Second)
	}
	var vtt, srt bytes.Buffer
	require.NoError(t, WriteSubtitleVTTForHLS(&vtt, sub.Cues, 1400*time.Millisecond))
	require.NoError(t, WriteSRT(&srt, sub.Cues))
	fromVTT, err := ParseVTT(&vtt)
	require.NoError(t, err)
	require.Equal(t, sub.Cues, fromVTT)
	fromSRT, err := ParseSRT(&srt)
	require.NoError(t, err)
	require.Len(t, fromSRT, len(sub.Cues))
	t.Logf("recognised: %q; cues: %q", sub.Transcript.Text(), cueTexts(sub.Cues))
}

// failingTranscriber fails the test if the subtitle stage calls it.
type failingTranscriber struct{ t *testing.T }

func (f failingTranscriber) Name() string                { return "test" }
func (f failingTranscriber) Check(context.Context) error { return nil }
func (f failingTranscriber) Transcribe(context.Context, string, TranscribeOptions) (*Transcript, error) {
	f.t.Error("the engine must not run")
	return nil, errors.New("called")
}

// stubTranscriber returns a fixed result.
type stubTranscriber struct {
	tr  *Transcript
	err error
}

func (s stubTranscriber) Name() string                { return "stub" }
func (s stubTranscriber) Check(context.Context) error { return nil }
func (s stubTranscriber) Transcribe(context.Context, string, TranscribeOptions) (*Transcript, error) {
	return s.tr, s.err
}

func TestGenerateSubtitlesWithoutSpeech(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := tools(t)
	dir := t.TempDir()
	opts := GenerateOptions{FFmpegPath: ffmpeg, WorkDir: dir}

	t.Run("no audio track", func(t *testing.T) {
		t.Parallel()
		_, err := GenerateSubtitles(testContext(t, time.Minute), failingTranscriber{t}, fixture(t, "noaudio"), opts)
		require.ErrorIs(t, err, ErrNoAudio)
	})
	t.Run("silent audio: the engine is not even run", func(t *testing.T) {
		t.Parallel()
		silent := filepath.Join(t.TempDir(), "silent.mp4")
		run(t, ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=10:d=3",
			"-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", silent)
		_, err := GenerateSubtitles(testContext(t, time.Minute), failingTranscriber{t}, silent, opts)
		require.ErrorIs(t, err, ErrNoSpeech)
		require.ErrorContains(t, err, "silent")
	})
	t.Run("engine finds only annotations", func(t *testing.T) {
		t.Parallel()
		tr := stubTranscriber{tr: &Transcript{Language: "en", Segments: []TranscriptSegment{{Start: 0, End: 2 * time.Second, Text: "[Music]"}}}}
		_, err := GenerateSubtitles(testContext(t, time.Minute), tr, fixture(t, "hd720"), opts)
		require.ErrorIs(t, err, ErrNoSpeech)
		require.ErrorContains(t, err, "stub recognised nothing")
	})
	t.Run("engine misconfigured", func(t *testing.T) {
		t.Parallel()
		tr := stubTranscriber{err: configError("whisper model /x/ggml-base.bin not found: set CLIPCUT_WHISPER_MODEL")}
		_, err := GenerateSubtitles(testContext(t, time.Minute), tr, fixture(t, "hd720"), opts)
		require.ErrorIs(t, err, ErrTranscriberConfig)
		require.ErrorContains(t, err, "whisper model /x/ggml-base.bin not found: set CLIPCUT_WHISPER_MODEL")
	})
	t.Run("the real engine on music and noise", func(t *testing.T) {
		t.Parallel()
		speechTools(t)
		for name, src := range map[string]string{
			// Sustained chords changing twice a second: a stand-in for
			// instrumental music.
			"music": "aevalsrc='0.3*sin(2*PI*(220+110*floor(mod(t*2,4)))*t)+0.2*sin(2*PI*330*t)*(0.5+0.5*sin(2*PI*3*t))+0.1*sin(2*PI*(440+55*floor(mod(t*4,8)))*t)':s=16000:d=4",
			// Seed 5 makes pocketsphinx hear one confident word, "thigh".
			"noise": "anoisesrc=c=pink:a=0.2:d=4:r=16000:seed=5",
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				in := filepath.Join(t.TempDir(), name+".m4a")
				run(t, ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-c:a", "aac", in)
				_, err := GenerateSubtitles(testContext(t, time.Minute), NewSphinx(SphinxConfig{}), in, opts)
				require.ErrorIs(t, err, ErrNoSpeech)
			})
		}
	})
}
