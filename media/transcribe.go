package media

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Transcriber turns speech into timed text. Engines: whisper (whisper.cpp's
// command-line program), openai (any OpenAI-compatible transcription API),
// sphinx (pocketsphinx from Debian's packages) and none. Implementations
// are safe for concurrent use.
type Transcriber interface {
	// Name is the engine's configuration name: "whisper", "openai",
	// "sphinx" or "none".
	Name() string
	// Check reports whether the engine can run (binary and model present,
	// settings complete), with a message a person can act on. It does not
	// transcribe anything and does not call remote services. Errors wrap
	// ErrTranscriberConfig.
	Check(ctx context.Context) error
	// Transcribe transcribes audioPath, a 16 kHz mono 16-bit PCM WAV file
	// as ExtractAudio writes it. Errors wrapping ErrTranscriberConfig need
	// an operator; other errors (crash, timeout, HTTP 5xx) are worth a
	// retry.
	Transcribe(ctx context.Context, audioPath string, opts TranscribeOptions) (*Transcript, error)
}

// TranscribeOptions tunes one transcription.
type TranscribeOptions struct {
	// Language is the spoken language as an ISO 639-1 code ("en", "fr");
	// empty means detect it. Engines that know one language ignore "" and
	// reject others.
	Language string
	// Translate asks for English text whatever the spoken language.
	Translate bool
}

// Transcript is what an engine heard.
type Transcript struct {
	// Language is the language of the text, ISO 639-1 ("en"); "en" when
	// translated. Empty when the engine could not tell.
	Language string `json:"language"`
	// SpokenLanguage is the language detected in the audio (differs from
	// Language when translated); empty when unknown.
	SpokenLanguage string `json:"spoken_language,omitempty"`
	// Segments are in time order.
	Segments []TranscriptSegment `json:"segments"`
}

// TranscriptSegment is a stretch of speech as the engine grouped it
// (usually a sentence or a pause-delimited phrase).
type TranscriptSegment struct {
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
	// Text is plain text (not WebVTT markup), trimmed.
	Text string `json:"text"`
	// Words are the segment's words with their own timings, when the
	// engine gives them; Text is authoritative for the wording.
	Words []Word `json:"words,omitempty"`
}

// Word is one recognised word.
type Word struct {
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
	// Text is the word as written in the segment, with attached
	// punctuation ("Hello,"), without surrounding spaces.
	Text string `json:"text"`
	// Prob is the engine's confidence in [0, 1], or -1 when the engine
	// reports none (OpenAI's API).
	Prob float64 `json:"prob"`
}

// Text joins the segments' text.
func (t *Transcript) Text() string {
	var parts []string
	for _, s := range t.Segments {
		if s.Text != "" {
			parts = append(parts, s.Text)
		}
	}
	return joinWords(parts)
}

// Words lists the words of every segment in time order, for the
// transcript a creator edits by deleting words. Segments without word
// timings (an engine that gave none) contribute nothing: a word's time
// is never guessed from its segment's.
func (t *Transcript) Words() []Word {
	var out []Word
	for _, s := range t.Segments {
		out = append(out, s.Words...)
	}
	slices.SortStableFunc(out, func(a, b Word) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

var (
	// ErrTranscriberConfig marks failures only an operator can fix: a
	// missing binary or model, a rejected API key, an option the engine
	// does not support. Retrying the job does not help; report it.
	ErrTranscriberConfig = errors.New("transcriber is not usable")
	// ErrNoTranscriber is returned by the none engine: subtitles are off.
	ErrNoTranscriber = errors.New("no transcriber configured: subtitles are off")
	// ErrNoAudio means the source has no audio stream to transcribe.
	ErrNoAudio = errors.New("the video has no audio track")
	// ErrNoSpeech means the audio is silent or nothing in it was
	// recognised as speech.
	ErrNoSpeech = errors.New("no speech found in the audio")
)

// configError wraps ErrTranscriberConfig with an actionable message.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTranscriberConfig, fmt.Sprintf(format, args...))
}

// TranscriberConfig selects and configures the engine. Field names follow
// the CLIPCUT_ environment variables the messages mention.
type TranscriberConfig struct {
	// Engine is "whisper", "openai", "sphinx", "none", or "" (or "auto")
	// for the default rule (see SelectTranscriber). CLIPCUT_TRANSCRIBER.
	Engine  string
	Whisper WhisperConfig
	OpenAI  OpenAIConfig
	Sphinx  SphinxConfig
}

// SelectTranscriber picks the engine: the configured Engine if set;
// otherwise whisper when a whisper model is configured, otherwise sphinx
// when pocketsphinx and its English model are installed, otherwise none.
// The openai engine is never chosen automatically, because it sends the
// audio to another service: that takes an explicit choice.
//
// The string says why, for one log line at startup. The error is only
// for an invalid configuration (unknown engine name); an engine that is
// chosen but cannot run is returned as chosen, so the caller should log
// its Check at startup, and every Transcribe fails with the same message
// (which then shows on the video).
func SelectTranscriber(cfg TranscriberConfig) (Transcriber, string, error) {
	switch strings.ToLower(strings.TrimSpace(cfg.Engine)) {
	case "whisper":
		w := NewWhisper(cfg.Whisper)
		return w, fmt.Sprintf("whisper: CLIPCUT_TRANSCRIBER=whisper (binary %s, model %s)", w.binaryName(), orUnset(w.cfg.Model)), nil
	case "openai":
		o := NewOpenAI(cfg.OpenAI)
		return o, fmt.Sprintf("openai: CLIPCUT_TRANSCRIBER=openai (%s, model %s)", o.cfg.BaseURL, o.cfg.Model), nil
	case "sphinx", "pocketsphinx":
		s := NewSphinx(cfg.Sphinx)
		return s, fmt.Sprintf("sphinx: CLIPCUT_TRANSCRIBER=sphinx (binary %s, model %s)", s.binaryName(), s.cfg.ModelDir), nil
	case "none", "off":
		return NoTranscriber{}, "none: CLIPCUT_TRANSCRIBER=none, subtitles are off", nil
	case "", "auto":
	default:
		return nil, "", fmt.Errorf("transcriber: unknown engine %q (use whisper, openai, sphinx, none or auto)", cfg.Engine)
	}
	if cfg.Whisper.Model != "" {
		w := NewWhisper(cfg.Whisper)
		return w, fmt.Sprintf("whisper: CLIPCUT_WHISPER_MODEL is set (binary %s, model %s)", w.binaryName(), w.cfg.Model), nil
	}
	s := NewSphinx(cfg.Sphinx)
	sphinxErr := s.Check(context.Background())
	if sphinxErr == nil {
		return s, fmt.Sprintf("sphinx: no whisper model configured (CLIPCUT_WHISPER_MODEL) and pocketsphinx is installed (binary %s, model %s)", s.binaryName(), s.cfg.ModelDir), nil
	}
	return NoTranscriber{}, fmt.Sprintf("none: subtitles are off: no whisper model configured (set CLIPCUT_WHISPER_MODEL) and pocketsphinx is not usable (%s)",
		strings.TrimPrefix(sphinxErr.Error(), ErrTranscriberConfig.Error()+": ")), nil
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// NoTranscriber is the none engine: subtitles are off.
type NoTranscriber struct{}

// Name returns "none".
func (NoTranscriber) Name() string { return "none" }

// Check always succeeds: having no engine is a valid choice.
func (NoTranscriber) Check(context.Context) error { return nil }

// Transcribe returns ErrNoTranscriber.
func (NoTranscriber) Transcribe(context.Context, string, TranscribeOptions) (*Transcript, error) {
	return nil, ErrNoTranscriber
}

// GenerateOptions tunes GenerateSubtitles.
type GenerateOptions struct {
	// FFmpegPath runs the audio extraction (default "ffmpeg").
	FFmpegPath string
	// AudioStream is the source stream index to transcribe (SourceInfo.
	// Audio.Index, so subtitles follow the track the renditions carry);
	// zero or negative means the first audio stream (which index 0 is
	// anyway when it is audio).
	AudioStream int
	// WorkDir receives the temporary audio file (removed afterwards);
	// empty means the system temporary directory.
	WorkDir    string
	Transcribe TranscribeOptions
	Cues       CueOptions
}

// Subtitles is the result of GenerateSubtitles.
type Subtitles struct {
	// Language is the text's language (ISO 639-1), possibly empty.
	Language string
	// Transcript is the cleaned transcript (for search indexing).
	Transcript *Transcript
	// Cues are ready for WriteSubtitleVTTForHLS and WriteSRT; their Text
	// is WebVTT cue text (escaped).
	Cues []Cue
	// Audio describes the extracted audio.
	Audio *AudioActivity
}

// GenerateSubtitles is the whole subtitle stage for one source file:
// extract 16 kHz mono audio, skip the engine entirely when the audio is
// silent, transcribe, drop what is not speech (see CleanTranscript), and
// build readable cues.
//
// It returns ErrNoAudio when the source has no audio stream, ErrNoSpeech
// when the audio is silent or nothing survives cleaning, and
// ErrNoTranscriber for the none engine; all three mean "no subtitles, and
// that is fine". Errors wrapping ErrTranscriberConfig need an operator;
// anything else is worth a retry.
func GenerateSubtitles(ctx context.Context, tr Transcriber, in string, opts GenerateOptions) (*Subtitles, error) {
	if tr == nil || tr.Name() == "none" {
		return nil, ErrNoTranscriber
	}
	ffmpeg := opts.FFmpegPath
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	dir, err := os.MkdirTemp(opts.WorkDir, "clipcut-audio-")
	if err != nil {
		return nil, fmt.Errorf("subtitles: %w", err)
	}
	defer os.RemoveAll(dir)
	wav := filepath.Join(dir, "audio.wav")
	if err := ExtractAudioStream(ctx, ffmpeg, in, opts.AudioStream, wav); err != nil {
		return nil, fmt.Errorf("subtitles: %w", err)
	}
	act, err := AnalyzeAudio(wav)
	if err != nil {
		return nil, fmt.Errorf("subtitles: %w", err)
	}
	if !act.HasSound() {
		return nil, fmt.Errorf("subtitles: %w (the audio is silent)", ErrNoSpeech)
	}
	t, err := tr.Transcribe(ctx, wav, opts.Transcribe)
	if err != nil {
		return nil, fmt.Errorf("subtitles: %s: %w", tr.Name(), err)
	}
	t = CleanTranscript(t, act)
	cues := BuildCues(t, opts.Cues)
	if len(cues) == 0 {
		return nil, fmt.Errorf("subtitles: %w (%s recognised nothing)", ErrNoSpeech, tr.Name())
	}
	return &Subtitles{Language: t.Language, Transcript: t, Cues: cues, Audio: act}, nil
}

// minSoundOverlap is how much of a segment must overlap detected sound
// for it to be kept: Whisper in particular "hears" phrases ("Thank you.")
// in silence.
const minSoundOverlap = 100 * time.Millisecond

// CleanTranscript returns a copy of t without what is not speech:
// non-speech annotations that Whisper-family models write for music and
// noise ("[Music]", "(applause)", "♪♪", "[BLANK_AUDIO]"), empty
// segments, a third identical segment in a row (Whisper's decoding
// loops), and, when act is not nil, segments that lie in silence
// (overlapping detected sound by less than 100 ms) and segments of one or
// two words in steady sound (noise, hum, sustained music: see
// AudioActivity.steady), which is where engines invent "Thank you." or
// "thigh". Segments are sorted by start time and their text whitespace
// normalised.
//
// Confidence filtering is engine-specific and done by each engine (see
// their Transcribe docs); this pass needs no confidences.
func CleanTranscript(t *Transcript, act *AudioActivity) *Transcript {
	out := &Transcript{Language: t.Language, SpokenLanguage: t.SpokenLanguage}
	segs := slices.Clone(t.Segments)
	slices.SortStableFunc(segs, func(a, b TranscriptSegment) int { return cmp.Compare(a.Start, b.Start) })
	for _, s := range segs {
		s.Text = stripAnnotations(s.Text)
		if s.Text == "" {
			continue
		}
		if len(s.Words) > 0 {
			words := make([]Word, 0, len(s.Words))
			for _, w := range s.Words {
				if w.Text = stripAnnotations(w.Text); w.Text != "" {
					words = append(words, w)
				}
			}
			s.Words = words
		}
		if s.End < s.Start {
			s.End = s.Start
		}
		if act != nil && act.soundWithin(s.Start, s.End) < min(minSoundOverlap, max(s.End-s.Start, time.Millisecond)) {
			continue
		}
		if act != nil && len(strings.Fields(s.Text)) <= 2 && act.steady(s.Start, s.End) {
			continue // a word or two "heard" in noise or music
		}
		if n := len(out.Segments); n >= 2 && out.Segments[n-1].Text == s.Text && out.Segments[n-2].Text == s.Text {
			continue // a third identical segment in a row: a decoding loop
		}
		out.Segments = append(out.Segments, s)
	}
	return out
}

// annotationRE matches a bracketed non-speech annotation: [Music],
// (upbeat music), *laughs*, [BLANK_AUDIO], [_TT_150].
var annotationRE = regexp.MustCompile(`\[[^\]]*\]|\([^)]*\)|\*[^*]*\*`)

// stripAnnotations removes annotations and music symbols, collapsing
// whitespace. Round brackets are only removed when they hold a typical
// sound description, since people also speak parenthetical remarks
// (which Whisper rarely writes in brackets, but subtitles might).
func stripAnnotations(s string) string {
	s = annotationRE.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '(' && !isSoundDescription(m) {
			return m
		}
		return " "
	})
	s = strings.Map(func(r rune) rune {
		switch r {
		case '♪', '♫', '♬', '♩', '🎵', '🎶':
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return "" // only punctuation left ("...", "-")
	}
	return s
}

// soundWords mark a parenthesised sound description.
var soundWords = []string{"music", "applause", "laugh", "cheer", "sigh", "cough", "noise", "silence", "inaudible",
	"sound", "singing", "whistl", "clap", "upbeat", "instrumental", "static", "beep", "breath", "chuckl", "gasp", "blank"}

func isSoundDescription(m string) bool {
	lower := strings.ToLower(m)
	for _, w := range soundWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// joinWords joins words with spaces except around scripts written without
// them (Chinese, Japanese, Thai, ...).
func joinWords(words []string) string {
	var b strings.Builder
	prev := ""
	for _, w := range words {
		if w == "" {
			continue
		}
		if prev != "" && needsSpace(prev, w) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		prev = w
	}
	return b.String()
}

// needsSpace reports whether a space separates word a from the following
// word b.
func needsSpace(a, b string) bool {
	last, _ := lastRune(a)
	first, _ := firstRune(b)
	return !noSpaceScript(last) && !noSpaceScript(first)
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

func lastRune(s string) (rune, bool) {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0, false
	}
	return rs[len(rs)-1], true
}

// noSpaceScript reports runes of scripts written without spaces between
// words, and their full-width punctuation.
func noSpaceScript(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
		unicode.Khmer, unicode.Myanmar, unicode.Tibetan) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK punctuation
		(r >= 0xFF00 && r <= 0xFFEF) // full-width forms
}

// whisperLanguages maps Whisper's language codes to their English names
// (Whisper's own table, which OpenAI's API reports names from).
var whisperLanguages = map[string]string{
	"en": "english", "zh": "chinese", "de": "german", "es": "spanish", "ru": "russian", "ko": "korean",
	"fr": "french", "ja": "japanese", "pt": "portuguese", "tr": "turkish", "pl": "polish", "ca": "catalan",
	"nl": "dutch", "ar": "arabic", "sv": "swedish", "it": "italian", "id": "indonesian", "hi": "hindi",
	"fi": "finnish", "vi": "vietnamese", "he": "hebrew", "uk": "ukrainian", "el": "greek", "ms": "malay",
	"cs": "czech", "ro": "romanian", "da": "danish", "hu": "hungarian", "ta": "tamil", "no": "norwegian",
	"th": "thai", "ur": "urdu", "hr": "croatian", "bg": "bulgarian", "lt": "lithuanian", "la": "latin",
	"mi": "maori", "ml": "malayalam", "cy": "welsh", "sk": "slovak", "te": "telugu", "fa": "persian",
	"lv": "latvian", "bn": "bengali", "sr": "serbian", "az": "azerbaijani", "sl": "slovenian", "kn": "kannada",
	"et": "estonian", "mk": "macedonian", "br": "breton", "eu": "basque", "is": "icelandic", "hy": "armenian",
	"ne": "nepali", "mn": "mongolian", "bs": "bosnian", "kk": "kazakh", "sq": "albanian", "sw": "swahili",
	"gl": "galician", "mr": "marathi", "pa": "punjabi", "si": "sinhala", "km": "khmer", "sn": "shona",
	"yo": "yoruba", "so": "somali", "af": "afrikaans", "oc": "occitan", "ka": "georgian", "be": "belarusian",
	"tg": "tajik", "sd": "sindhi", "gu": "gujarati", "am": "amharic", "yi": "yiddish", "lo": "lao",
	"uz": "uzbek", "fo": "faroese", "ht": "haitian creole", "ps": "pashto", "tk": "turkmen", "nn": "nynorsk",
	"mt": "maltese", "sa": "sanskrit", "lb": "luxembourgish", "my": "myanmar", "bo": "tibetan", "tl": "tagalog",
	"mg": "malagasy", "as": "assamese", "tt": "tatar", "haw": "hawaiian", "ln": "lingala", "ha": "hausa",
	"ba": "bashkir", "jv": "javanese", "su": "sundanese", "yue": "cantonese",
}

// languageAliases are other names Whisper accepts for a language.
var languageAliases = map[string]string{
	"burmese": "my", "valencian": "ca", "flemish": "nl", "haitian": "ht", "letzeburgesch": "lb",
	"pushto": "ps", "panjabi": "pa", "moldavian": "ro", "moldovan": "ro", "sinhalese": "si",
	"castilian": "es", "mandarin": "zh", "jw": "jv",
}

var languageCodes = func() map[string]string {
	m := make(map[string]string, len(whisperLanguages))
	for code, name := range whisperLanguages {
		m[name] = code
	}
	return m
}()

// NormalizeLanguage turns what engines report ("en", "English", "en-US",
// Whisper's "jw") into a lower-case ISO 639 code, or "" when unknown.
func NormalizeLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "auto" {
		return ""
	}
	if code, ok := languageAliases[s]; ok {
		return code
	}
	if code, ok := languageCodes[s]; ok {
		return code
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if _, ok := whisperLanguages[base]; ok {
		return base
	}
	if len(base) >= 2 && len(base) <= 3 && strings.IndexFunc(base, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
		return base
	}
	return ""
}

// LanguageName returns the English name of an ISO 639 code ("fr" ->
// "French"), or the code itself when unknown; for subtitle track labels.
func LanguageName(code string) string {
	name, ok := whisperLanguages[NormalizeLanguage(code)]
	if !ok {
		return code
	}
	words := strings.Fields(name)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// validLanguageOption checks a TranscribeOptions.Language value.
func validLanguageOption(lang string) (string, error) {
	if lang == "" || strings.EqualFold(lang, "auto") {
		return "", nil
	}
	code := NormalizeLanguage(lang)
	if code == "" {
		return "", configError("unknown language %q (use an ISO 639-1 code such as \"en\")", lang)
	}
	return code, nil
}
