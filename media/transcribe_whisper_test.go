package media

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The testdata/whisper_*.json files are in whisper.cpp's -ojf format
// (output_json in examples/cli/cli.cpp): tab-indented, token objects with
// text/timestamps/offsets/id/p/t_dtw, special tokens [_BEG_] and [_TT_n]
// around each segment's text, and strings escaped only for '"' and '\'.

func readWhisperFixture(t *testing.T, name string) *Transcript {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	tr, err := parseWhisperJSON(data)
	require.NoError(t, err)
	return tr
}

func wordTexts(ws []Word) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Text)
	}
	return out
}

func TestParseWhisperJSON(t *testing.T) {
	t.Parallel()
	tr := readWhisperFixture(t, "whisper_en.json")
	require.Equal(t, "en", tr.Language)
	require.Equal(t, "en", tr.SpokenLanguage)

	var texts []string
	for _, s := range tr.Segments {
		texts = append(texts, s.Text)
	}
	// "Thank you for watching." (mean token probability 0.15, what Whisper
	// invents over an outro) is dropped; [BLANK_AUDIO] is text as far as
	// the parser knows, CleanTranscript removes it.
	require.Equal(t, []string{
		"And so, my fellow Americans, ask not what your country can do for you.",
		"Ask what you can do for your country.",
		"[BLANK_AUDIO]",
		"We choose to go to the Moon in this decade.",
	}, texts)

	first := tr.Segments[0]
	require.Equal(t, time.Duration(0), first.Start)
	require.Equal(t, 3810*time.Millisecond, first.End)
	// Special tokens are gone, punctuation joins its word.
	require.Equal(t, []string{"And", "so,", "my", "fellow", "Americans,", "ask", "not", "what", "your", "country", "can", "do", "for", "you."},
		wordTexts(first.Words))
	require.Equal(t, Word{Start: 260 * time.Millisecond, End: 490 * time.Millisecond, Text: "so,", Prob: (0.991 + 0.871) / 2}, first.Words[1])

	// " Mo" + "on" is one word spanning both tokens.
	moon := tr.Segments[3].Words[6]
	require.Equal(t, "Moon", moon.Text)
	require.Equal(t, 13190*time.Millisecond, moon.Start)
	require.Equal(t, 13530*time.Millisecond, moon.End)

	// Word times never go backwards and stay inside their segment.
	for _, s := range tr.Segments {
		var prev time.Duration
		for _, w := range s.Words {
			require.GreaterOrEqual(t, w.Start, prev)
			require.GreaterOrEqual(t, w.Start, s.Start)
			require.LessOrEqual(t, w.End, s.End)
			prev = w.Start
		}
	}

	// After cleaning, the cues read well.
	cues := BuildCues(CleanTranscript(tr, nil), CueOptions{})
	require.Equal(t, []string{
		"And so, my fellow Americans,\nask not what your country can do for you.",
		"Ask what you can do for your country.",
		"We choose to go\nto the Moon in this decade.",
	}, cueTexts(cues))
	checkCueInvariants(t, cues, CueOptions{})
	var vtt, srt bytes.Buffer
	require.NoError(t, WriteSubtitleVTTForHLS(&vtt, cues, 1400*time.Millisecond))
	require.NoError(t, WriteSRT(&srt, cues))
	golden(t, "subs_whisper_en.vtt", vtt.Bytes())
	golden(t, "subs_whisper_en.srt", srt.Bytes())
}

func TestParseWhisperJSONSplitCharacters(t *testing.T) {
	t.Parallel()
	// "été" comes as " ét\xc3" + "\xa9": neither token is UTF-8 alone.
	tr := readWhisperFixture(t, "whisper_fr.json")
	require.Equal(t, "fr", tr.Language)
	require.Len(t, tr.Segments, 1)
	require.Equal(t, "C'était un bel été, et nous avons mangé dehors.", tr.Segments[0].Text)
	require.Equal(t, []string{"C'était", "un", "bel", "été,", "et", "nous", "avons", "mangé", "dehors."}, wordTexts(tr.Segments[0].Words))
}

func TestParseWhisperJSONVariants(t *testing.T) {
	t.Parallel()
	t.Run("translated", func(t *testing.T) {
		tr := readWhisperFixture(t, "whisper_translate.json")
		require.Equal(t, "en", tr.Language)
		require.Equal(t, "de", tr.SpokenLanguage)
		require.Equal(t, "The weather is nice today.", tr.Text())
		require.Equal(t, 500*time.Millisecond, tr.Segments[0].Start)
	})
	t.Run("silence", func(t *testing.T) {
		tr := readWhisperFixture(t, "whisper_empty.json")
		require.Equal(t, "en", tr.Language)
		require.Empty(t, tr.Segments)
		require.Empty(t, BuildCues(tr, CueOptions{}))
	})
	t.Run("japanese", func(t *testing.T) {
		tr := readWhisperFixture(t, "whisper_ja.json")
		require.Equal(t, "ja", tr.Language)
		// Each token is a word (keeping its timing); punctuation joins
		// the word before it.
		require.Equal(t, []string{"こん", "にち", "は、", "世界。"}, wordTexts(tr.Segments[0].Words))
		require.Equal(t, "こんにちは、世界。", tr.Text())
		require.Equal(t, []string{"こんにちは、世界。"}, cueTexts(BuildCues(tr, CueOptions{})))
	})
	t.Run("raw control characters and escapes", func(t *testing.T) {
		// whisper.cpp does not escape control characters.
		data := "{\"result\":{\"language\":\"en\"},\"transcription\":[{\"offsets\":{\"from\":0,\"to\":1000}," +
			"\"text\":\" tab\there \\\"quoted\\\" \\u00e9\\ud83d\\ude00\",\"tokens\":[]}]}"
		tr, err := parseWhisperJSON([]byte(data))
		require.NoError(t, err)
		require.Equal(t, "tab here \"quoted\" é😀", tr.Segments[0].Text)
	})
	t.Run("no token timestamps", func(t *testing.T) {
		// Plain -oj output: segments only.
		tr, err := parseWhisperJSON([]byte(`{"result":{"language":"en"},"transcription":[{"timestamps":{"from":"00:00:01,000","to":"00:00:02,000"},"offsets":{"from":1000,"to":2000},"text":" Just text."}]}`))
		require.NoError(t, err)
		require.Equal(t, []TranscriptSegment{{Start: time.Second, End: 2 * time.Second, Text: "Just text."}}, tr.Segments)
	})
	for name, bad := range map[string]string{
		"truncated":    `{"result":{"language":"en"},"transcription":[{"offsets":{"from":0`,
		"empty object": `{}`,
		"no offsets":   `{"result":{"language":"en"},"transcription":[{"text":" hi"}]}`,
		"not json":     `whisper_init_from_file: failed`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseWhisperJSON([]byte(bad))
			require.ErrorContains(t, err, "malformed JSON output")
		})
	}
}

// fakeWhisper writes a shell script standing in for whisper-cli: it
// records its arguments, prints stderr, and copies fixture to the -of
// path (when fixture is not empty), then exits with code.
func fakeWhisper(t *testing.T, fixture, stderr string, code int) (bin, argsFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	copyCmd := ""
	if fixture != "" {
		abs, err := filepath.Abs(filepath.Join("testdata", fixture))
		require.NoError(t, err)
		copyCmd = `cp '` + abs + `' "$out.json"`
	}
	script := `#!/bin/sh
printf '%s\n' "$@" > '` + argsFile + `'
out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "-of" ]; then out="$2"; fi
  shift
done
` + copyCmd + `
printf '%s\n' '` + stderr + `' >&2
exit ` + string(rune('0'+code)) + "\n"
	bin = filepath.Join(dir, "whisper-cli")
	require.NoError(t, os.WriteFile(bin, []byte(script), 0o755))
	return bin, argsFile
}

func fakeModel(t *testing.T) string {
	model := filepath.Join(t.TempDir(), "ggml-base.bin")
	require.NoError(t, os.WriteFile(model, []byte("lmgg fake weights"), 0o644))
	return model
}

func TestWhisperEngine(t *testing.T) {
	t.Parallel()
	model := fakeModel(t)
	t.Run("runs whisper-cli and reads its JSON", func(t *testing.T) {
		bin, argsFile := fakeWhisper(t, "whisper_translate.json", "whisper_print_timings: total time = 1234.56 ms", 0)
		w := NewWhisper(WhisperConfig{Binary: bin, Model: model, Threads: 3})
		require.NoError(t, w.Check(t.Context()))
		tr, err := w.Transcribe(t.Context(), "/audio/in.wav", TranscribeOptions{Translate: true})
		require.NoError(t, err)
		require.Equal(t, "en", tr.Language)
		require.Equal(t, "de", tr.SpokenLanguage)
		args, err := os.ReadFile(argsFile)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(args)), "\n")
		require.Equal(t, []string{"-m", model, "-f", "/audio/in.wav", "-oj", "-ojf", "-of"}, lines[:7])
		require.True(t, strings.HasPrefix(lines[7], os.TempDir()), lines[7])
		require.Equal(t, []string{"-l", "auto", "-tr", "-t", "3"}, lines[8:])
	})
	t.Run("language option", func(t *testing.T) {
		bin, argsFile := fakeWhisper(t, "whisper_fr.json", "", 0)
		w := NewWhisper(WhisperConfig{Binary: bin, Model: model})
		tr, err := w.Transcribe(t.Context(), "a.wav", TranscribeOptions{Language: "French"})
		require.NoError(t, err)
		require.Equal(t, "fr", tr.Language)
		args, _ := os.ReadFile(argsFile)
		require.Contains(t, string(args), "-l\nfr\n")
		_, err = w.Transcribe(t.Context(), "a.wav", TranscribeOptions{Language: "Klingon!"})
		require.ErrorIs(t, err, ErrTranscriberConfig)
	})
	t.Run("old binary without -ojf", func(t *testing.T) {
		// whisper.cpp prints usage and exits 0 on an unknown argument.
		bin, _ := fakeWhisper(t, "", "error: unknown argument: -ojf", 0)
		_, err := NewWhisper(WhisperConfig{Binary: bin, Model: model}).Transcribe(t.Context(), "a.wav", TranscribeOptions{})
		require.ErrorIs(t, err, ErrTranscriberConfig)
		require.ErrorContains(t, err, "whisper.cpp 1.5 or newer")
	})
	t.Run("model that does not load", func(t *testing.T) {
		bin, _ := fakeWhisper(t, "", "error: failed to initialize whisper context", 2)
		_, err := NewWhisper(WhisperConfig{Binary: bin, Model: model}).Transcribe(t.Context(), "a.wav", TranscribeOptions{})
		require.ErrorIs(t, err, ErrTranscriberConfig)
		require.ErrorContains(t, err, "CLIPCUT_WHISPER_MODEL")
	})
	t.Run("crash is worth a retry", func(t *testing.T) {
		bin, _ := fakeWhisper(t, "", "ggml_abort: out of memory", 1)
		_, err := NewWhisper(WhisperConfig{Binary: bin, Model: model}).Transcribe(t.Context(), "a.wav", TranscribeOptions{})
		require.Error(t, err)
		require.False(t, errors.Is(err, ErrTranscriberConfig), "%v", err)
		require.ErrorContains(t, err, "out of memory")
	})
}

func TestWhisperCheck(t *testing.T) {
	t.Parallel()
	bin, _ := fakeWhisper(t, "", "", 0)
	for _, tc := range []struct {
		cfg  WhisperConfig
		want string
	}{
		{WhisperConfig{Binary: bin, Model: "/x/ggml-base.bin"}, "whisper model /x/ggml-base.bin not found: set CLIPCUT_WHISPER_MODEL"},
		{WhisperConfig{Binary: bin}, "whisper model not set: set CLIPCUT_WHISPER_MODEL"},
		{WhisperConfig{Binary: bin, Model: t.TempDir()}, "is not a model file"},
		{WhisperConfig{Binary: "/opt/whisper/bin/whisper-cli", Model: "/x/ggml-base.bin"},
			"whisper binary /opt/whisper/bin/whisper-cli not found: install whisper.cpp or set CLIPCUT_WHISPER_BIN"},
		{WhisperConfig{Binary: "no-such-whisper-binary", Model: "/x/ggml-base.bin"}, "whisper binary no-such-whisper-binary not found"},
	} {
		err := NewWhisper(tc.cfg).Check(t.Context())
		require.ErrorIs(t, err, ErrTranscriberConfig)
		require.ErrorContains(t, err, tc.want)
	}
}
