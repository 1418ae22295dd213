package media

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sphinxLegacyOutput is what Debian 12's pocketsphinx_continuous -time yes
// printed for espeak-ng speech ("Hello world. This is a test of the
// subtitle system." and "The quick brown fox jumps over the lazy dog.").
const sphinxLegacyOutput = `well he did but are told to do
<s> 0.000 0.320 0.999600
well 0.330 0.650 0.992229
<sil> 0.660 1.060 0.999800
he 1.070 1.140 0.032893
did 1.150 1.290 0.007832
but 1.300 1.670 0.702900
are 1.680 1.790 0.174052
<sil> 1.800 2.360 0.999700
told 2.370 2.550 0.029972
to 2.560 2.700 0.021071
do 2.710 2.890 0.036961
<sil> 2.900 2.960 0.107770
</s> 2.970 3.470 1.000000
the quick brown fox jumped so but i'm lazy all
<s> 4.720 4.800 0.999800
the 4.810 4.960 0.592467
quick 4.970 5.290 0.000250
brown 5.300 5.580 0.005631
fox 5.590 5.920 0.999800
jumped 5.930 6.250 0.009638
so 6.260 6.440 0.481146
but 6.450 6.610 0.033220
i'm(2) 6.620 6.680 0.002721
lazy 6.690 7.050 0.001165
all 7.060 7.190 0.658199
</s> 7.200 7.590 1.000000
`

// What it printed for synthetic music (sustained chords) and pink noise:
// confident garbage that must not become captions.
const sphinxMusicOutput = `all all all all
<s> 0.000 0.770 0.998701
all 0.780 1.720 0.875101
<sil> 1.730 2.770 0.999400
all 2.780 3.720 0.927086
<sil> 3.730 4.770 0.999400
all 4.780 5.720 0.945911
<sil> 5.730 6.770 0.999900
all 6.780 7.720 0.106410
</s> 7.730 7.980 1.000000
`

const sphinxNoiseOutput = `thigh
<s> 0.000 0.020 0.999900
thigh 0.030 0.810 0.000958
</s> 0.820 0.840 1.000000

<s> 9.000 9.500 0.999900
</s> 9.510 9.800 1.000000
`

// sphinx5Output is PocketSphinx 5's JSON lines (format_hyp/format_seg in
// programs/pocketsphinx_main.c) for its classic "go forward ten meters"
// recording, then an utterance of only silence.
const sphinx5Output = `{"b":0.000,"d":2.130,"p":0.512,"t":"go forward ten meters","w":[{"b":0.000,"d":0.290,"p":0.998,"t":"<s>"},{"b":0.290,"d":0.290,"p":0.911,"t":"go"},{"b":0.580,"d":0.410,"p":0.802,"t":"forward"},{"b":0.990,"d":0.330,"p":0.747,"t":"ten"},{"b":1.320,"d":0.560,"p":0.912,"t":"meters(2)"},{"b":1.880,"d":0.250,"p":1.000,"t":"</s>"}]}
{"b":3.410,"d":0.800,"p":0.010,"t":"","w":[{"b":3.410,"d":0.800,"p":0.999,"t":"<sil>"}]}
`

func TestParseSphinxOutput(t *testing.T) {
	t.Parallel()
	tr, err := parseSphinxOutput([]byte(sphinxLegacyOutput))
	require.NoError(t, err)
	require.Equal(t, "en", tr.Language)
	require.Len(t, tr.Segments, 2)
	s := tr.Segments[0]
	require.Equal(t, "Well he did but are told to do", s.Text, "first word capitalised, fillers gone")
	require.Equal(t, 330*time.Millisecond, s.Start)
	require.Equal(t, 2900*time.Millisecond, s.End, "the end is the last frame's end")
	require.Equal(t, Word{Start: 330 * time.Millisecond, End: 660 * time.Millisecond, Text: "Well", Prob: 0.992229}, s.Words[0])
	require.Equal(t, "The quick brown fox jumped so but I'm lazy all", tr.Segments[1].Text, "alternate pronunciation mark dropped, I capitalised")
	require.Equal(t, 4810*time.Millisecond, tr.Segments[1].Start)

	for name, out := range map[string]string{"music": sphinxMusicOutput, "noise": sphinxNoiseOutput, "nothing": ""} {
		tr, err := parseSphinxOutput([]byte(out))
		require.NoError(t, err, name)
		require.Empty(t, tr.Segments, name)
	}

	tr, err = parseSphinxOutput([]byte(sphinx5Output))
	require.NoError(t, err)
	require.Equal(t, []TranscriptSegment{{Start: 290 * time.Millisecond, End: 1880 * time.Millisecond, Text: "Go forward ten meters", Words: []Word{
		{Start: 290 * time.Millisecond, End: 580 * time.Millisecond, Text: "Go", Prob: 0.911},
		{Start: 580 * time.Millisecond, End: 990 * time.Millisecond, Text: "forward", Prob: 0.802},
		{Start: 990 * time.Millisecond, End: 1320 * time.Millisecond, Text: "ten", Prob: 0.747},
		{Start: 1320 * time.Millisecond, End: 1880 * time.Millisecond, Text: "meters", Prob: 0.912},
	}}}, tr.Segments)

	_, err = parseSphinxOutput([]byte(`{"b":0.0,"t":"broken`))
	require.ErrorContains(t, err, "malformed output line")
}

func TestSphinxArgs(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"-infile", "/a/audio.wav", "-time", "yes", "-hmm", "H", "-lm", "L", "-dict", "D"},
		sphinxArgs("/usr/bin/pocketsphinx_continuous", "H", "L", "D", "/a/audio.wav"))
	require.Equal(t, []string{"-hmm", "H", "-lm", "L", "-dict", "D", "live", "/a/audio.wav"},
		sphinxArgs("/usr/local/bin/pocketsphinx", "H", "L", "D", "/a/audio.wav"))
}

// fakeSphinxInstall makes an executable and a model directory with the
// files Check looks for.
func fakeSphinxInstall(t *testing.T) SphinxConfig {
	dir := t.TempDir()
	bin := filepath.Join(dir, "pocketsphinx_continuous")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	models := filepath.Join(dir, "model")
	require.NoError(t, os.MkdirAll(filepath.Join(models, "en-us"), 0o755))
	for _, f := range []string{"en-us/mdef", "en-us.lm.bin", "cmudict-en-us.dict"} {
		require.NoError(t, os.WriteFile(filepath.Join(models, f), []byte("x"), 0o644))
	}
	return SphinxConfig{Binary: bin, ModelDir: models}
}

func TestSphinxCheck(t *testing.T) {
	t.Parallel()
	cfg := fakeSphinxInstall(t)
	require.NoError(t, NewSphinx(cfg).Check(t.Context()))

	err := NewSphinx(SphinxConfig{Binary: cfg.Binary, ModelDir: "/nonexistent/en-us"}).Check(t.Context())
	require.ErrorIs(t, err, ErrTranscriberConfig)
	require.ErrorContains(t, err, "pocketsphinx model file /nonexistent/en-us/en-us/mdef not found: install pocketsphinx-en-us")

	err = NewSphinx(SphinxConfig{Binary: "/nonexistent/pocketsphinx", ModelDir: cfg.ModelDir}).Check(t.Context())
	require.ErrorContains(t, err, "pocketsphinx binary /nonexistent/pocketsphinx not found")

	_, err = NewSphinx(cfg).Transcribe(t.Context(), "a.wav", TranscribeOptions{Language: "fr"})
	require.ErrorIs(t, err, ErrTranscriberConfig)
	require.ErrorContains(t, err, "only recognises English")
}
