package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// OpenAIConfig configures the openai engine: any server implementing
// OpenAI's audio transcription API with verbose_json responses (OpenAI's
// whisper-1; whisper.cpp's server started with --inference-path
// /v1/audio/transcriptions; faster-whisper servers such as speaches).
type OpenAIConfig struct {
	// BaseURL is the API root including the version
	// (CLIPCUT_OPENAI_BASE_URL, default https://api.openai.com/v1);
	// requests go to BaseURL/audio/transcriptions and
	// BaseURL/audio/translations.
	BaseURL string
	// APIKey is sent as a bearer token (CLIPCUT_OPENAI_API_KEY); local
	// servers may not need one.
	APIKey string
	// Model is the model name (CLIPCUT_OPENAI_MODEL, default whisper-1).
	// It must support response_format=verbose_json, which OpenAI's
	// gpt-4o-transcribe models do not.
	Model string
	// RequestTimeout bounds one upload and its transcription (default
	// 10 minutes: a CPU-only local server can take longer than the audio).
	RequestTimeout time.Duration
	// MaxUploadBytes is the largest file sent in one request (default
	// 24 MB, under the API's 25 MB limit with room for the form).
	// Larger audio is cut into chunks.
	MaxUploadBytes int64
	// ChunkDuration is the longest chunk (default 10 minutes, 19.2 MB of
	// 16 kHz WAV); chunks are cut in silences where possible.
	ChunkDuration time.Duration
	// MaxResponseBytes bounds a response body (default 16 MB).
	MaxResponseBytes int64
	// Retries is how many times a request is retried after HTTP 429, 5xx
	// or a network error (default 3).
	Retries int
	// MaxRetryWait caps the wait before a retry, including what a
	// Retry-After header asks for (default 1 minute).
	MaxRetryWait time.Duration
	// HTTPClient sends the requests (default: a client using
	// http.DefaultTransport; timeouts come from RequestTimeout).
	HTTPClient *http.Client
}

func (c OpenAIConfig) withDefaults() OpenAIConfig {
	if c.BaseURL == "" {
		c.BaseURL = "https://api.openai.com/v1"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Model == "" {
		c.Model = "whisper-1"
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 10 * time.Minute
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 24_000_000
	}
	if c.ChunkDuration <= 0 {
		c.ChunkDuration = 10 * time.Minute
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 16 << 20
	}
	if c.Retries < 0 {
		c.Retries = 0
	} else if c.Retries == 0 {
		c.Retries = 3
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = time.Minute
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	return c
}

// OpenAI is the openai engine. Each request is a multipart POST of the
// audio (file, model, response_format=verbose_json,
// timestamp_granularities[]=segment and =word, language when given, and
// the previous chunk's last words as prompt), authenticated with the API
// key as a bearer token. Translation uses /audio/translations, which has
// no language or timestamp_granularities fields.
//
// Audio larger than MaxUploadBytes is cut into WAV chunks no longer than
// ChunkDuration, preferably in the middle of a silence, sent one after
// the other, and the timestamps shifted back by each chunk's start.
//
// Segments Whisper itself would call silence (no_speech_prob > 0.6 with
// avg_logprob < -1) or a repetition loop (compression_ratio > 2.4) are
// dropped, as openai-whisper's transcribe does.
type OpenAI struct {
	cfg OpenAIConfig
	// sleep waits before a retry; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewOpenAI returns the openai engine for cfg.
func NewOpenAI(cfg OpenAIConfig) *OpenAI {
	return &OpenAI{cfg: cfg.withDefaults(), sleep: sleepContext}
}

// Name returns "openai".
func (o *OpenAI) Name() string { return "openai" }

// Check validates the settings; it makes no request (not every
// compatible server has an endpoint to probe, and startup should not
// depend on the network).
func (o *OpenAI) Check(context.Context) error {
	u, err := url.Parse(o.cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return configError("openai base URL %q is not an http(s) URL: set CLIPCUT_OPENAI_BASE_URL (e.g. https://api.openai.com/v1)", o.cfg.BaseURL)
	}
	if o.cfg.APIKey == "" && strings.HasSuffix(u.Hostname(), "openai.com") {
		return configError("openai API key not set: set CLIPCUT_OPENAI_API_KEY")
	}
	return nil
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Transcribe sends audioPath (chunked when large) to the API.
func (o *OpenAI) Transcribe(ctx context.Context, audioPath string, opts TranscribeOptions) (*Transcript, error) {
	if err := o.Check(ctx); err != nil {
		return nil, err
	}
	lang, err := validLanguageOption(opts.Language)
	if err != nil {
		return nil, err
	}
	chunks, cleanup, err := o.chunks(audioPath)
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	defer cleanup()

	t := &Transcript{}
	prompt := ""
	for i, c := range chunks {
		resp, err := o.post(ctx, c.path, lang, prompt, opts.Translate)
		if err != nil {
			if len(chunks) > 1 {
				return nil, fmt.Errorf("chunk %d of %d (from %s): %w", i+1, len(chunks), FormatVTTTimestamp(c.offset), err)
			}
			return nil, err
		}
		part := resp.transcript(chunkDuration(c.path))
		if t.SpokenLanguage == "" {
			t.SpokenLanguage = part.SpokenLanguage
		}
		for _, s := range part.Segments {
			s.Start += c.offset
			s.End += c.offset
			for k := range s.Words {
				s.Words[k].Start += c.offset
				s.Words[k].End += c.offset
			}
			t.Segments = append(t.Segments, s)
		}
		if text := part.Text(); text != "" {
			prompt = promptTail(text)
		}
	}
	t.Language = t.SpokenLanguage
	if opts.Translate {
		t.Language = "en"
	}
	return t, nil
}

// chunks returns the files to upload: the audio itself when small enough,
// otherwise WAV chunks in a temporary directory removed by cleanup.
func (o *OpenAI) chunks(audioPath string) ([]audioChunk, func(), error) {
	fi, err := os.Stat(audioPath)
	if err != nil {
		return nil, func() {}, err
	}
	maxChunk := o.cfg.ChunkDuration
	if fi.Size() <= o.cfg.MaxUploadBytes && wavDuration(audioPath) <= maxChunk {
		return []audioChunk{{path: audioPath}}, func() {}, nil
	}
	act, err := AnalyzeAudio(audioPath)
	if err != nil {
		return nil, func() {}, fmt.Errorf("audio too long or large for one request (%d bytes) and cannot be cut into chunks: %w", fi.Size(), err)
	}
	// WAV: duration is proportional to size.
	if act.Duration > 0 {
		byteRate := float64(fi.Size()) / act.Duration.Seconds()
		maxChunk = min(maxChunk, time.Duration(float64(o.cfg.MaxUploadBytes-44)/byteRate*float64(time.Second)))
	}
	maxChunk = max(maxChunk, time.Second)
	dir, err := os.MkdirTemp("", "clipcut-openai-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	chunks, err := splitWAV(audioPath, dir, chunkCuts(act, maxChunk))
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	return chunks, cleanup, nil
}

// wavDuration is a WAV file's duration, 0 when it cannot be read.
func wavDuration(path string) time.Duration {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	info, err := readWAVHeader(f)
	if err != nil {
		return 0
	}
	return time.Duration(info.dataSize/int64(2*info.channels)) * time.Second / time.Duration(info.sampleRate)
}

// chunkDuration is used when a server returns text without timings.
func chunkDuration(path string) time.Duration { return wavDuration(path) }

// promptTail is the end of the previous chunk's text, passed as prompt so
// the next chunk continues its spelling and style (OpenAI's advice for
// split files). The API reads at most 224 tokens of it.
func promptTail(text string) string {
	const maxPrompt = 200
	if len(text) <= maxPrompt {
		return text
	}
	tail := text[len(text)-maxPrompt:]
	if i := strings.IndexByte(tail, ' '); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	return strings.ToValidUTF8(tail, "")
}

// openaiError is an API error body: OpenAI's {"error": {...}}, or
// FastAPI's {"detail": ...} that Python servers send.
type openaiError struct {
	Error *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
	Detail any `json:"detail"`
}

// apiMessage extracts a readable message from an error body.
func apiMessage(body []byte) (msg, code string) {
	var e openaiError
	if json.Unmarshal(body, &e) == nil {
		if e.Error != nil {
			if e.Error.Code != nil {
				code = fmt.Sprint(e.Error.Code)
			}
			return e.Error.Message, code
		}
		if e.Detail != nil {
			if s, ok := e.Detail.(string); ok {
				return s, ""
			}
			b, _ := json.Marshal(e.Detail)
			return string(b), ""
		}
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s, ""
}

// post sends one file, retrying rate limits, server errors and network
// failures.
func (o *OpenAI) post(ctx context.Context, file, lang, prompt string, translate bool) (*openaiResponse, error) {
	endpoint := o.cfg.BaseURL + "/audio/transcriptions"
	fields := [][2]string{{"model", o.cfg.Model}, {"response_format", "verbose_json"}}
	if translate {
		endpoint = o.cfg.BaseURL + "/audio/translations"
	} else {
		fields = append(fields, [2]string{"timestamp_granularities[]", "segment"}, [2]string{"timestamp_granularities[]", "word"})
		if lang != "" {
			fields = append(fields, [2]string{"language", lang})
		}
	}
	if prompt != "" {
		fields = append(fields, [2]string{"prompt", prompt})
	}

	var lastErr error
	for attempt := 0; ; attempt++ {
		status, header, body, err := o.send(ctx, endpoint, file, fields)
		var wait time.Duration
		switch {
		case err != nil:
			if ctxErr := context.Cause(ctx); ctxErr != nil {
				return nil, fmt.Errorf("openai: %w", ctxErr)
			}
			lastErr = fmt.Errorf("openai: %s: %w", endpoint, err)
			wait = backoff(attempt)
		case status == http.StatusOK:
			var resp openaiResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				msg, _ := apiMessage(body)
				return nil, fmt.Errorf("openai: malformed response from %s (is it an OpenAI-compatible server returning verbose_json?): %v: %s", endpoint, err, msg)
			}
			return &resp, nil
		case status == http.StatusTooManyRequests:
			msg, code := apiMessage(body)
			if code == "insufficient_quota" {
				return nil, configError("openai API quota exceeded (HTTP 429: %s): check the account's plan and billing", msg)
			}
			lastErr = fmt.Errorf("openai: rate limited (HTTP 429) after %d attempts: %s", attempt+1, msg)
			wait = retryAfter(header, attempt)
		case status >= 500:
			msg, _ := apiMessage(body)
			lastErr = fmt.Errorf("openai: server error (HTTP %d) after %d attempts: %s", status, attempt+1, msg)
			wait = backoff(attempt)
		default:
			return nil, statusError(endpoint, status, body)
		}
		if attempt >= o.cfg.Retries {
			return nil, lastErr
		}
		if err := o.sleep(ctx, min(wait, o.cfg.MaxRetryWait)); err != nil {
			return nil, fmt.Errorf("openai: %w (while waiting to retry: %v)", err, lastErr)
		}
	}
}

// statusError explains a response that retrying cannot fix.
func statusError(endpoint string, status int, body []byte) error {
	msg, _ := apiMessage(body)
	what := fmt.Sprintf("HTTP %d %s: %s", status, http.StatusText(status), msg)
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return configError("openai API rejected the request (%s): check CLIPCUT_OPENAI_API_KEY", what)
	case http.StatusNotFound:
		return configError("openai API: %s not found (%s): check CLIPCUT_OPENAI_BASE_URL (it usually ends in /v1) and CLIPCUT_OPENAI_MODEL", endpoint, what)
	case http.StatusRequestEntityTooLarge:
		return configError("openai API refused the upload as too large (%s): lower the upload size limit", what)
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return configError("openai API rejected the request (%s): check that CLIPCUT_OPENAI_MODEL supports response_format=verbose_json", what)
	}
	return fmt.Errorf("openai: %s: %s", endpoint, what)
}

// backoff is the wait before retry attempt+1: 1 s, 2 s, 4 s, ... with
// ±20% jitter so workers that failed together do not retry together.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 10)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// retryAfter reads how long a 429 asks to wait: retry-after-ms (OpenAI),
// Retry-After in seconds or as an HTTP date; backoff when absent.
func retryAfter(h http.Header, attempt int) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(time.Until(t), 0)
		}
	}
	return backoff(attempt)
}

// send makes one request. The body streams the file between a prefix
// (fields and the file part's header) and the closing boundary, with an
// exact Content-Length: nothing is held in memory, and every retry
// re-reads the file.
func (o *OpenAI) send(ctx context.Context, endpoint, file string, fields [][2]string) (int, http.Header, []byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, nil, err
	}
	var prefix bytes.Buffer
	mw := multipart.NewWriter(&prefix)
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return 0, nil, nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, "audio"+filepath.Ext(file)))
	h.Set("Content-Type", audioContentType(file))
	if _, err := mw.CreatePart(h); err != nil {
		return 0, nil, nil, err
	}
	head := bytes.Clone(prefix.Bytes())
	prefix.Reset()
	if err := mw.Close(); err != nil {
		return 0, nil, nil, err
	}
	tail := bytes.Clone(prefix.Bytes())

	ctx, cancel := context.WithTimeout(ctx, o.cfg.RequestTimeout)
	defer cancel()
	body := io.MultiReader(bytes.NewReader(head), f, bytes.NewReader(tail))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.ContentLength = int64(len(head)) + fi.Size() + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if o.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	}
	resp, err := o.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, o.cfg.MaxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading response: %w", err)
	}
	if int64(len(data)) > o.cfg.MaxResponseBytes {
		return 0, nil, nil, fmt.Errorf("response larger than %d bytes", o.cfg.MaxResponseBytes)
	}
	return resp.StatusCode, resp.Header, data, nil
}

func audioContentType(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".flac":
		return "audio/flac"
	case ".mp3":
		return "audio/mpeg"
	case ".ogg", ".opus":
		return "audio/ogg"
	default:
		return "audio/wav"
	}
}

// openaiResponse is a verbose_json transcription:
//
//	{"task": "transcribe", "language": "english", "duration": 8.47, "text": "...",
//	 "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 3.32, "text": " The beach ...",
//	               "tokens": [...], "temperature": 0.0, "avg_logprob": -0.28,
//	               "compression_ratio": 1.23, "no_speech_prob": 0.009}],
//	 "words": [{"word": "The", "start": 0.0, "end": 0.24}, ...]}
//
// OpenAI names the language ("english") and lists words (without
// punctuation) at the top level; whisper.cpp's and faster-whisper's
// servers may give codes ("en") and put words, with their probability,
// inside each segment. All of these are accepted.
type openaiResponse struct {
	Language string          `json:"language"`
	Duration float64         `json:"duration"`
	Text     string          `json:"text"`
	Segments []openaiSegment `json:"segments"`
	Words    []openaiWord    `json:"words"`
}

type openaiSegment struct {
	Start            float64      `json:"start"`
	End              float64      `json:"end"`
	Text             string       `json:"text"`
	AvgLogprob       *float64     `json:"avg_logprob"`
	NoSpeechProb     *float64     `json:"no_speech_prob"`
	CompressionRatio *float64     `json:"compression_ratio"`
	Words            []openaiWord `json:"words"`
}

type openaiWord struct {
	Word        string   `json:"word"`
	Start       float64  `json:"start"`
	End         float64  `json:"end"`
	Probability *float64 `json:"probability"`
}

func seconds(s float64) time.Duration {
	return time.Duration(max(s, 0)*1000+0.5) * time.Millisecond
}

func (w openaiWord) word() Word {
	p := -1.0
	if w.Probability != nil {
		p = *w.Probability
	}
	start := seconds(w.Start)
	return Word{Start: start, End: max(seconds(w.End), start), Text: cleanText(w.Word), Prob: p}
}

// transcript converts the response; chunkLen is the audio's length, used
// when a server returns text without segments.
func (r *openaiResponse) transcript(chunkLen time.Duration) *Transcript {
	lang := NormalizeLanguage(r.Language)
	t := &Transcript{Language: lang, SpokenLanguage: lang}
	segs := r.Segments
	if len(segs) == 0 && strings.TrimSpace(r.Text) != "" {
		end := r.Duration
		if end <= 0 {
			end = chunkLen.Seconds()
		}
		segs = []openaiSegment{{Start: 0, End: end, Text: r.Text}}
	}
	var kept []openaiSegment
	for _, s := range segs {
		if s.NoSpeechProb != nil && s.AvgLogprob != nil && *s.NoSpeechProb > 0.6 && *s.AvgLogprob < -1 {
			continue // Whisper's own silence rule
		}
		if s.CompressionRatio != nil && *s.CompressionRatio > 2.4 {
			continue // a repetition loop
		}
		kept = append(kept, s)
	}
	// Top-level words go to the segment containing their middle (or the
	// nearest one), then take the segment text's punctuation.
	topWords := make([][]Word, len(kept))
	for _, w := range r.Words {
		if i := nearestSegment(kept, (w.Start+w.End)/2); i >= 0 {
			topWords[i] = append(topWords[i], w.word())
		}
	}
	for i, s := range kept {
		start := seconds(s.Start)
		seg := TranscriptSegment{Start: start, End: max(seconds(s.End), start), Text: cleanText(s.Text)}
		if seg.Text == "" {
			continue
		}
		words := topWords[i]
		if len(s.Words) > 0 {
			words = nil
			for _, w := range s.Words {
				words = append(words, w.word())
			}
		}
		seg.Words = punctuateWords(seg.Text, words)
		t.Segments = append(t.Segments, seg)
	}
	return t
}

// nearestSegment returns the segment containing time at, or the nearest
// one; -1 when there are none. Segments from a chunk are in order.
func nearestSegment(segs []openaiSegment, at float64) int {
	best, bestDist := -1, 0.0
	for i, s := range segs {
		var d float64
		switch {
		case at < s.Start:
			d = s.Start - at
		case at > s.End:
			d = at - s.End
		}
		if best < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	return best
}

// punctuateWords gives words the spelling of the segment text: OpenAI's
// word list drops punctuation ("Hello" for "Hello,"), which cue building
// needs for sentence-aware breaks. Text tokens are matched to words by
// letters and digits, several words to a token where the API split it
// ("twenty-one"); when the two do not line up, the words are kept as
// they are.
func punctuateWords(text string, words []Word) []Word {
	if len(words) == 0 {
		return nil
	}
	for _, w := range words {
		if strings.ContainsAny(w.Text, ".,?!;:") {
			return words // already punctuated (whisper.cpp, faster-whisper)
		}
	}
	tokens := strings.Fields(text)
	var out []Word
	j := 0
	for _, tok := range tokens {
		key := alnumKey(tok)
		if key == "" {
			// Punctuation standing alone ("—"): attach to the previous word.
			if len(out) > 0 {
				out[len(out)-1].Text += " " + tok
				continue
			}
			return words
		}
		if j >= len(words) {
			return words
		}
		w := words[j]
		got := alnumKey(w.Text)
		j++
		for got != key && strings.HasPrefix(key, got) && j < len(words) {
			got += alnumKey(words[j].Text)
			w.End = words[j].End
			w.Prob = min(w.Prob, words[j].Prob)
			j++
		}
		if got != key {
			return words
		}
		w.Text = tok
		out = append(out, w)
	}
	if j != len(words) {
		return words
	}
	return out
}

// alnumKey is s lower-cased with only letters and digits kept.
func alnumKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}
