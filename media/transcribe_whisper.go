package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WhisperConfig configures the whisper engine: whisper.cpp's command-line
// program and a ggml model file, both installed by the operator (clipcut
// never downloads model weights).
type WhisperConfig struct {
	// Binary is whisper.cpp's CLI, a path or a name looked up on PATH
	// (CLIPCUT_WHISPER_BIN). Default: whisper-cli, then whisper-cpp (the
	// name some packages use). Builds before 1.7 called it "main"; set it
	// explicitly for those (1.5 or newer is needed for -ojf).
	Binary string
	// Model is the ggml model file (CLIPCUT_WHISPER_MODEL), e.g.
	// /models/ggml-base.bin. A multilingual model detects the language and
	// can translate; a ".en" model only transcribes English.
	Model string
	// Threads is whisper.cpp's -t (default: its own, min(4, cores)).
	Threads int
}

// Whisper is the whisper engine. It runs
//
//	whisper-cli -m MODEL -f AUDIO.wav -oj -ojf -of OUTBASE -l auto|LANG [-tr] [-t N]
//
// and reads OUTBASE.json, whisper.cpp's "full" JSON output (see
// parseWhisperJSON for the format). Segments whose tokens' mean
// probability is below 0.3 are dropped: that is where Whisper invents text
// over music and noise (well-heard speech scores 0.6 to 0.99).
type Whisper struct {
	cfg WhisperConfig
}

// NewWhisper returns the whisper engine for cfg.
func NewWhisper(cfg WhisperConfig) *Whisper { return &Whisper{cfg: cfg} }

// Name returns "whisper".
func (w *Whisper) Name() string { return "whisper" }

// whisperBinaries are the names whisper.cpp's CLI is installed under.
var whisperBinaries = []string{"whisper-cli", "whisper-cpp"}

func (w *Whisper) binaryName() string {
	if w.cfg.Binary != "" {
		return w.cfg.Binary
	}
	if p, err := w.binary(); err == nil {
		return p
	}
	return whisperBinaries[0]
}

// binary resolves the program to run.
func (w *Whisper) binary() (string, error) {
	if w.cfg.Binary != "" {
		p, err := lookTool(w.cfg.Binary)
		if err != nil {
			return "", configError("whisper binary %s not found: install whisper.cpp or set CLIPCUT_WHISPER_BIN to its whisper-cli program", w.cfg.Binary)
		}
		return p, nil
	}
	for _, name := range whisperBinaries {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", configError("whisper binary whisper-cli not found on PATH: install whisper.cpp or set CLIPCUT_WHISPER_BIN to its whisper-cli program")
}

// lookTool finds a program given as a path or a bare name.
func lookTool(name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		fi, err := os.Stat(name)
		if err != nil {
			return "", err
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s is not an executable file", name)
		}
		return name, nil
	}
	return exec.LookPath(name)
}

// Check verifies that the binary and the model file exist.
func (w *Whisper) Check(context.Context) error {
	if _, err := w.binary(); err != nil {
		return err
	}
	if w.cfg.Model == "" {
		return configError("whisper model not set: set CLIPCUT_WHISPER_MODEL to a ggml model file such as ggml-base.bin (get one with whisper.cpp's models/download-ggml-model.sh; clipcut never downloads models)")
	}
	fi, err := os.Stat(w.cfg.Model)
	switch {
	case err != nil:
		return configError("whisper model %s not found: set CLIPCUT_WHISPER_MODEL to a ggml model file", w.cfg.Model)
	case !fi.Mode().IsRegular() || fi.Size() == 0:
		return configError("whisper model %s is not a model file: set CLIPCUT_WHISPER_MODEL to a ggml model file", w.cfg.Model)
	}
	if f, err := os.Open(w.cfg.Model); err != nil {
		return configError("whisper model %s cannot be read (%v): check its permissions", w.cfg.Model, err)
	} else {
		f.Close()
	}
	return nil
}

// maxWhisperJSON bounds the output read back: a three-hour transcript with
// tokens is about 15 MB.
const maxWhisperJSON = 256 << 20

// Transcribe runs whisper.cpp on audioPath.
func (w *Whisper) Transcribe(ctx context.Context, audioPath string, opts TranscribeOptions) (*Transcript, error) {
	if err := w.Check(ctx); err != nil {
		return nil, err
	}
	bin, _ := w.binary()
	lang, err := validLanguageOption(opts.Language)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "clipcut-whisper-")
	if err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	defer os.RemoveAll(dir)
	outBase := filepath.Join(dir, "out")
	args := whisperArgs(w.cfg, audioPath, outBase, lang, opts.Translate)
	stderr, runErr := runTool(ctx, "whisper", bin, args, nil)
	data, readErr := readLimited(outBase+".json", maxWhisperJSON)
	if runErr != nil || readErr != nil {
		return nil, whisperError(runErr, readErr, stderr)
	}
	t, err := parseWhisperJSON(data)
	if err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	if opts.Translate {
		t.Language = "en"
	}
	return t, nil
}

// whisperArgs builds whisper.cpp's argument list.
func whisperArgs(cfg WhisperConfig, audio, outBase, lang string, translate bool) []string {
	if lang == "" {
		lang = "auto"
	}
	args := []string{"-m", cfg.Model, "-f", audio, "-oj", "-ojf", "-of", outBase, "-l", lang}
	if translate {
		args = append(args, "-tr")
	}
	if cfg.Threads > 0 {
		args = append(args, "-t", strconv.Itoa(cfg.Threads))
	}
	return args
}

// whisperError explains a failed run. whisper.cpp exits 0 after printing
// usage for an unknown argument, so a missing JSON file is checked too.
func whisperError(runErr, readErr error, stderr []string) error {
	for _, line := range stderr {
		switch {
		case strings.Contains(line, "unknown argument"):
			return configError("whisper binary does not support %q: whisper.cpp 1.5 or newer is needed (%s)", "-ojf", line)
		case strings.Contains(line, "failed to initialize whisper context"),
			strings.Contains(line, "failed to open") && strings.Contains(line, "whisper_init"),
			strings.Contains(line, "invalid model"):
			return configError("whisper could not load its model (%s): check CLIPCUT_WHISPER_MODEL", line)
		}
	}
	if runErr != nil {
		return fmt.Errorf("whisper: %w", runErr)
	}
	return fmt.Errorf("whisper: no JSON output (%v): %s", readErr, lastLine(stderr))
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// whisperOutput is whisper.cpp's -ojf JSON (output_json in
// examples/cli/cli.cpp, unchanged since 1.5):
//
//	{
//	  "systeminfo": "...", "model": {...},
//	  "params": {"model": "...", "language": "auto", "translate": false},
//	  "result": {"language": "en"},
//	  "transcription": [
//	    {
//	      "timestamps": {"from": "00:00:00,000", "to": "00:00:02,500"},
//	      "offsets": {"from": 0, "to": 2500},          // milliseconds
//	      "text": " Hello, world.",
//	      "tokens": [                                   // only with -ojf
//	        {"text": "[_BEG_]", "timestamps": {...}, "offsets": {"from": 0, "to": 0}, "id": 50364, "p": 0.98, "t_dtw": -1},
//	        {"text": " Hello", "timestamps": {...}, "offsets": {"from": 0, "to": 480}, "id": 2425, "p": 0.91, "t_dtw": -1},
//	        ...
//	        {"text": "[_TT_125]", ...}
//	      ]
//	    }
//	  ]
//	}
//
// Tokens are BPE pieces: a leading space starts a word, punctuation and
// word pieces continue it. Special tokens ([_BEG_], [_TT_n], [_SOT_],
// [_EOT_], and <|...|> in some builds) are skipped. Token offsets are
// absent when whisper.cpp computed none. Strings are escaped for '"' and
// '\' only, so they may hold raw control characters and, when a
// multi-byte character is split across tokens, bytes that are not UTF-8
// on their own; the text fields are decoded byte-exactly (rawString) and
// re-assembled before UTF-8 is checked.
type whisperOutput struct {
	Params struct {
		Language  string `json:"language"`
		Translate bool   `json:"translate"`
	} `json:"params"`
	Result struct {
		Language string `json:"language"`
	} `json:"result"`
	Transcription []struct {
		Offsets *whisperOffsets `json:"offsets"`
		Text    json.RawMessage `json:"text"`
		Tokens  []struct {
			Text    json.RawMessage `json:"text"`
			Offsets *whisperOffsets `json:"offsets"`
			P       float64         `json:"p"`
		} `json:"tokens"`
	} `json:"transcription"`
}

type whisperOffsets struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// whisperMinSegmentProb: see Whisper.
const whisperMinSegmentProb = 0.3

// parseWhisperJSON turns whisper.cpp's JSON output into a Transcript.
func parseWhisperJSON(data []byte) (*Transcript, error) {
	var out whisperOutput
	if err := json.Unmarshal(escapeControlInStrings(data), &out); err != nil {
		return nil, fmt.Errorf("malformed JSON output: %w", err)
	}
	if out.Transcription == nil && out.Result.Language == "" {
		return nil, errors.New("malformed JSON output: no transcription")
	}
	lang := NormalizeLanguage(out.Result.Language)
	t := &Transcript{Language: lang, SpokenLanguage: lang}
	if out.Params.Translate {
		t.Language = "en"
	}
	for i, seg := range out.Transcription {
		if seg.Offsets == nil {
			return nil, fmt.Errorf("malformed JSON output: segment %d has no offsets", i)
		}
		text, err := rawString(seg.Text)
		if err != nil {
			return nil, fmt.Errorf("malformed JSON output: segment %d: %w", i, err)
		}
		s := TranscriptSegment{
			Start: time.Duration(seg.Offsets.From) * time.Millisecond,
			End:   time.Duration(seg.Offsets.To) * time.Millisecond,
			Text:  cleanText(string(text)),
		}
		var (
			cur      []byte // the word being assembled, raw bytes
			curStart time.Duration
			curEnd   time.Duration
			curProb  float64
			curN     int
			probSum  float64
			probN    int
		)
		flush := func() {
			if text := cleanText(string(cur)); text != "" {
				s.Words = append(s.Words, Word{Start: curStart, End: curEnd, Text: text, Prob: curProb / float64(max(curN, 1))})
			}
			cur, curProb, curN = nil, 0, 0
		}
		for _, tok := range seg.Tokens {
			b, err := rawString(tok.Text)
			if err != nil {
				return nil, fmt.Errorf("malformed JSON output: segment %d: %w", i, err)
			}
			if len(b) == 0 || isSpecialToken(b) {
				continue
			}
			probSum += tok.P
			probN++
			from, to := s.Start, s.Start
			if tok.Offsets != nil {
				from = clampDuration(time.Duration(tok.Offsets.From)*time.Millisecond, s.Start, s.End)
				to = clampDuration(time.Duration(tok.Offsets.To)*time.Millisecond, from, s.End)
			} else if len(s.Words) > 0 || cur != nil {
				from, to = curEnd, curEnd
			}
			if len(cur) > 0 && startsWord(cur, b) {
				flush()
			}
			if len(cur) == 0 {
				if k := len(s.Words); k > 0 {
					from = max(from, s.Words[k-1].End)
					to = max(to, from)
				}
				curStart = from
			}
			cur = append(cur, b...)
			curEnd = max(to, curStart)
			curProb += tok.P
			curN++
		}
		flush()
		if s.Text == "" {
			continue
		}
		if probN > 0 && probSum/float64(probN) < whisperMinSegmentProb {
			continue
		}
		t.Segments = append(t.Segments, s)
	}
	return t, nil
}

// isSpecialToken reports whisper.cpp's names for non-text tokens.
func isSpecialToken(b []byte) bool {
	s := string(b)
	return (strings.HasPrefix(s, "[_") && strings.HasSuffix(s, "]")) ||
		(strings.HasPrefix(s, "<|") && strings.HasSuffix(s, "|>"))
}

// startsWord reports whether token b begins a new word after the word
// bytes cur: a leading space does, so does a character of a script written
// without spaces (each such token is its own word, keeping its timing);
// a UTF-8 continuation byte (the rest of a split character) and
// punctuation do not.
func startsWord(cur, b []byte) bool {
	if b[0] == ' ' {
		return true
	}
	if !utf8.RuneStart(b[0]) {
		return false
	}
	r, _ := utf8.DecodeRune(b)
	if r == utf8.RuneError || isPunctOnly(string(b)) {
		return false
	}
	last, _ := utf8.DecodeLastRune(cur)
	return noSpaceScript(r) || (last != utf8.RuneError && noSpaceScript(last))
}

func isPunctOnly(s string) bool {
	for _, r := range s {
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			return false
		}
	}
	return true
}

// cleanText makes engine text presentable: valid UTF-8 (a character
// split at a segment edge is dropped), single spaces, trimmed.
func cleanText(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	if hi < lo {
		hi = lo
	}
	return min(max(d, lo), hi)
}

// escapeControlInStrings escapes raw control characters inside JSON
// strings, which whisper.cpp writes unescaped (a token can be "\n") and
// encoding/json rejects.
func escapeControlInStrings(data []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString && c < 0x20:
			if out == nil {
				out = append(make([]byte, 0, len(data)+64), data[:i]...)
			}
			out = append(out, fmt.Sprintf(`\u%04x`, c)...)
			continue
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return data
	}
	return out
}

// rawString decodes a JSON string literal to its bytes without replacing
// invalid UTF-8 (encoding/json substitutes U+FFFD, which would turn the
// two halves of a split character into two replacement characters).
func rawString(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, fmt.Errorf("text is not a string: %.40s", raw)
	}
	s := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, errors.New("bad escape in string")
		}
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := decodeUnicodeEscape(s[i-1:])
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i += n - 2
		default:
			return nil, fmt.Errorf("bad escape \\%c in string", s[i])
		}
	}
	return out, nil
}

// decodeUnicodeEscape decodes \uXXXX (and a following low surrogate) at
// the start of s, returning the rune and the bytes consumed.
func decodeUnicodeEscape(s []byte) (rune, int, error) {
	hex4 := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(s)
	if !ok {
		return 0, 0, errors.New(`bad \u escape in string`)
	}
	if r >= 0xD800 && r < 0xDC00 {
		if lo, ok := hex4(s[6:]); ok && lo >= 0xDC00 && lo < 0xE000 {
			return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12, nil
		}
		return utf8.RuneError, 6, nil
	}
	return r, 6, nil
}
