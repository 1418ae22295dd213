package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// SphinxConfig configures the sphinx engine: pocketsphinx and its US
// English model from Debian's packages (apt-get install pocketsphinx
// pocketsphinx-en-us).
type SphinxConfig struct {
	// Binary is a path or a name on PATH (CLIPCUT_SPHINX_BIN). Default:
	// pocketsphinx_continuous (Debian 12's 5prealpha), then pocketsphinx
	// (PocketSphinx 5). Which output to expect follows from the name.
	Binary string
	// ModelDir holds the acoustic model directory en-us/, en-us.lm.bin
	// and cmudict-en-us.dict (CLIPCUT_SPHINX_MODEL_DIR, default
	// /usr/share/pocketsphinx/model/en-us, where pocketsphinx-en-us
	// installs them).
	ModelDir string
}

// DefaultSphinxModelDir is where Debian's pocketsphinx-en-us installs the
// model.
const DefaultSphinxModelDir = "/usr/share/pocketsphinx/model/en-us"

// sphinxBinaries are the program names, in order of preference: the
// 5prealpha CLI that Debian 12 ships, then PocketSphinx 5's.
var sphinxBinaries = []string{"pocketsphinx_continuous", "pocketsphinx"}

// Sphinx is the sphinx engine, English only. With Debian 12's
// pocketsphinx (0.8+5prealpha) it runs
//
//	pocketsphinx_continuous -infile AUDIO.wav -time yes -hmm DIR/en-us -lm DIR/en-us.lm.bin -dict DIR/cmudict-en-us.dict
//
// which prints, per utterance (split at pauses by its voice activity
// detector), the hypothesis and then one line per word: "word start end
// confidence" (seconds from the start of the file). With PocketSphinx 5
// it runs "pocketsphinx -hmm ... -lm ... -dict ... live AUDIO.wav", which
// prints one JSON object per utterance:
// {"b":start,"d":duration,"p":prob,"t":"text","w":[{"b":..,"d":..,"p":..,"t":"word"}, ...]}.
//
// Fillers (<s>, </s>, <sil>, [NOISE]) and alternate-pronunciation marks
// ("read(2)") are removed. Pocketsphinx's confidences are too uneven to
// threshold words (correct words score 0.0003), so utterances are judged
// whole, with rules tuned on tones, noise and synthetic speech: dropped
// when the mean word confidence is under 0.02, when the words last 0.6 s
// on average (sustained tones, not syllables), when one word repeats
// three or more times and nothing else, or when a lone word is under 0.1
// confidence or longer than a second.
type Sphinx struct {
	cfg SphinxConfig
}

// NewSphinx returns the sphinx engine for cfg.
func NewSphinx(cfg SphinxConfig) *Sphinx {
	if cfg.ModelDir == "" {
		cfg.ModelDir = DefaultSphinxModelDir
	}
	return &Sphinx{cfg: cfg}
}

// Name returns "sphinx".
func (s *Sphinx) Name() string { return "sphinx" }

func (s *Sphinx) binaryName() string {
	if p, err := s.binary(); err == nil {
		return p
	}
	if s.cfg.Binary != "" {
		return s.cfg.Binary
	}
	return sphinxBinaries[0]
}

func (s *Sphinx) binary() (string, error) {
	if s.cfg.Binary != "" {
		p, err := lookTool(s.cfg.Binary)
		if err != nil {
			return "", configError("pocketsphinx binary %s not found: install pocketsphinx (apt-get install pocketsphinx) or set CLIPCUT_SPHINX_BIN", s.cfg.Binary)
		}
		return p, nil
	}
	for _, name := range sphinxBinaries {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", configError("pocketsphinx not found on PATH: install it (apt-get install pocketsphinx pocketsphinx-en-us) or set CLIPCUT_SPHINX_BIN")
}

// modelPaths are the acoustic model, language model and dictionary.
func (s *Sphinx) modelPaths() (hmm, lm, dict string) {
	return filepath.Join(s.cfg.ModelDir, "en-us"),
		filepath.Join(s.cfg.ModelDir, "en-us.lm.bin"),
		filepath.Join(s.cfg.ModelDir, "cmudict-en-us.dict")
}

// Check verifies the binary and the model files.
func (s *Sphinx) Check(context.Context) error {
	if _, err := s.binary(); err != nil {
		return err
	}
	hmm, lm, dict := s.modelPaths()
	for _, p := range []string{filepath.Join(hmm, "mdef"), lm, dict} {
		if _, err := os.Stat(p); err != nil {
			return configError("pocketsphinx model file %s not found: install pocketsphinx-en-us (apt-get install pocketsphinx-en-us) or set CLIPCUT_SPHINX_MODEL_DIR", p)
		}
	}
	return nil
}

// sphinxArgs builds the command line for the binary's generation.
func sphinxArgs(bin, hmm, lm, dict, audio string) []string {
	models := []string{"-hmm", hmm, "-lm", lm, "-dict", dict}
	if filepath.Base(bin) == "pocketsphinx" {
		return append(models, "live", audio)
	}
	// -infile must end in .wav for the header to be skipped; ExtractAudio's
	// output does.
	return append([]string{"-infile", audio, "-time", "yes"}, models...)
}

// maxSphinxOutput bounds what is read from pocketsphinx: about 40 bytes
// per word.
const maxSphinxOutput = 64 << 20

// Transcribe runs pocketsphinx on audioPath.
func (s *Sphinx) Transcribe(ctx context.Context, audioPath string, opts TranscribeOptions) (*Transcript, error) {
	if err := s.Check(ctx); err != nil {
		return nil, err
	}
	if lang, err := validLanguageOption(opts.Language); err != nil {
		return nil, err
	} else if lang != "" && lang != "en" {
		return nil, configError("the sphinx engine only recognises English, not %q: configure whisper or openai for other languages", lang)
	}
	bin, _ := s.binary()
	hmm, lm, dict := s.modelPaths()
	out := &cappedBuffer{limit: maxSphinxOutput}
	if _, err := runTool(ctx, "pocketsphinx", bin, sphinxArgs(bin, hmm, lm, dict, audioPath), out); err != nil {
		return nil, fmt.Errorf("sphinx: %w", err)
	}
	if out.truncated {
		return nil, fmt.Errorf("sphinx: output larger than %d bytes", maxSphinxOutput)
	}
	return parseSphinxOutput(out.buf.Bytes())
}

// cappedBuffer keeps the first limit bytes written to it. It never fails
// a write, so the tool is not killed by a broken pipe.
type cappedBuffer struct {
	buf       bytes.Buffer
	limit     int
	truncated bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - c.buf.Len(); room < len(p) {
		c.truncated = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// sphinxWordLine is a 5prealpha word line: "word start end confidence".
var sphinxWordLine = regexp.MustCompile(`^(\S+) (\d+\.\d+) (\d+\.\d+) (-?\d+(?:\.\d+)?(?:e-?\d+)?)$`)

// sphinxJSON is one PocketSphinx 5 utterance.
type sphinxJSON struct {
	B float64 `json:"b"`
	D float64 `json:"d"`
	P float64 `json:"p"`
	T string  `json:"t"`
	W []struct {
		B float64 `json:"b"`
		D float64 `json:"d"`
		P float64 `json:"p"`
		T string  `json:"t"`
	} `json:"w"`
}

// parseSphinxOutput reads either generation's output (see Sphinx).
func parseSphinxOutput(data []byte) (*Transcript, error) {
	t := &Transcript{Language: "en", SpokenLanguage: "en"}
	var utt []Word
	flush := func() {
		if seg, ok := sphinxSegment(utt); ok {
			t.Segments = append(t.Segments, seg)
		}
		utt = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if line[0] == '{' {
			flush()
			var u sphinxJSON
			if err := json.Unmarshal([]byte(line), &u); err != nil {
				return nil, fmt.Errorf("sphinx: malformed output line %q: %w", truncate(line, 80), err)
			}
			for _, w := range u.W {
				start := seconds(w.B)
				utt = append(utt, Word{Start: start, End: start + seconds(w.D), Text: w.T, Prob: w.P})
			}
			flush()
			continue
		}
		if m := sphinxWordLine.FindStringSubmatch(line); m != nil {
			if m[1] == "<s>" {
				flush()
			}
			b, _ := strconv.ParseFloat(m[2], 64)
			e, _ := strconv.ParseFloat(m[3], 64)
			p, _ := strconv.ParseFloat(m[4], 64)
			// The end is the start of the last frame: add the frame.
			utt = append(utt, Word{Start: seconds(b), End: seconds(e) + 10*time.Millisecond, Text: m[1], Prob: p})
			continue
		}
		flush() // a hypothesis line starts the next utterance
	}
	flush()
	return t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// sphinxAltRE matches an alternate-pronunciation suffix: "read(2)".
var sphinxAltRE = regexp.MustCompile(`\(\d+\)$`)

// sphinxSegment turns one utterance's words into a segment, or reports
// that it is not speech (see Sphinx for the rules).
func sphinxSegment(raw []Word) (TranscriptSegment, bool) {
	var words []Word
	for _, w := range raw {
		text := sphinxAltRE.ReplaceAllString(w.Text, "")
		if text == "" || strings.ContainsAny(text[:1], "<[+") {
			continue
		}
		w.Text = text
		words = append(words, w)
	}
	if len(words) == 0 {
		return TranscriptSegment{}, false
	}
	var probSum float64
	var dur time.Duration
	same := true
	for _, w := range words {
		probSum += w.Prob
		dur += w.End - w.Start
		same = same && w.Text == words[0].Text
	}
	n := len(words)
	meanProb, meanDur := probSum/float64(n), dur/time.Duration(n)
	switch {
	case meanProb < 0.02:
		return TranscriptSegment{}, false
	case n >= 2 && meanDur > 600*time.Millisecond:
		return TranscriptSegment{}, false
	case n >= 3 && same:
		return TranscriptSegment{}, false
	case n == 1 && (words[0].Prob < 0.1 || meanDur > time.Second):
		return TranscriptSegment{}, false
	}
	texts := make([]string, n)
	for i := range words {
		words[i].Text = sphinxCase(words[i].Text, i == 0)
		texts[i] = words[i].Text
	}
	return TranscriptSegment{Start: words[0].Start, End: words[n-1].End, Text: strings.Join(texts, " "), Words: words}, true
}

// sphinxCase capitalises what English always capitalises: the first word
// of an utterance and the pronoun I ("i", "i'm", "i'll").
func sphinxCase(w string, first bool) string {
	if w == "i" || strings.HasPrefix(w, "i'") || first {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		return string(r)
	}
	return w
}
