package media

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Contract tests for the openai engine: fakeTranscriptionAPI implements
// the documented request and response format of OpenAI's
// POST /v1/audio/transcriptions and /v1/audio/translations
// (https://platform.openai.com/docs/api-reference/audio): a multipart form
// with file, model, response_format, timestamp_granularities[],
// language and prompt; bearer authentication; a 25 MB upload limit;
// verbose_json responses; {"error": {"message", "type", "code"}} bodies
// for errors, and Retry-After on 429. It "recognises" each stretch of
// sound in the uploaded WAV as one segment, so chunk stitching can be
// checked against where the sound really is.

// apiRequest is what the fake server saw.
type apiRequest struct {
	Path          string
	Auth          string
	Fields        map[string][]string
	FileName      string
	FileType      string
	FileSize      int64
	ContentLength int64
}

type fakeTranscriptionAPI struct {
	t *testing.T
	// respond, when set, answers request n (0-based) instead of the
	// default behaviour; return false to fall through to it.
	respond func(n int, w http.ResponseWriter, r *http.Request) bool
	// style is "openai" (top-level words without punctuation, language
	// names) or "server" (whisper.cpp/faster-whisper: words inside
	// segments with probabilities, language codes).
	style string

	mu       sync.Mutex
	requests []apiRequest
}

func (f *fakeTranscriptionAPI) seen() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiRequest(nil), f.requests...)
}

func openaiErrorBody(w http.ResponseWriter, status int, msg, typ, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

func (f *fakeTranscriptionAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const limit = 25 << 20 // the API's documented upload limit
	f.mu.Lock()
	n := len(f.requests)
	req := apiRequest{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), ContentLength: r.ContentLength}
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	record := func() {
		f.mu.Lock()
		f.requests[n] = req
		f.mu.Unlock()
	}

	if r.Method != http.MethodPost || (r.URL.Path != "/v1/audio/transcriptions" && r.URL.Path != "/v1/audio/translations") {
		openaiErrorBody(w, http.StatusNotFound, "Invalid URL ("+r.Method+" "+r.URL.Path+")", "invalid_request_error", "")
		return
	}
	if r.Header.Get("Authorization") != "Bearer sk-test" {
		openaiErrorBody(w, http.StatusUnauthorized, "Incorrect API key provided: sk-wr***ng.", "invalid_request_error", "invalid_api_key")
		return
	}
	if r.ContentLength > limit {
		openaiErrorBody(w, http.StatusRequestEntityTooLarge, "Maximum content size limit (26214400) exceeded", "server_error", "")
		return
	}
	if err := r.ParseMultipartForm(limit); err != nil {
		openaiErrorBody(w, http.StatusBadRequest, "Could not parse multipart form: "+err.Error(), "invalid_request_error", "")
		return
	}
	req.Fields = r.MultipartForm.Value
	file, hdr, err := r.FormFile("file")
	if err != nil {
		openaiErrorBody(w, http.StatusBadRequest, "you must provide a file", "invalid_request_error", "")
		return
	}
	defer file.Close()
	req.FileName, req.FileType, req.FileSize = hdr.Filename, hdr.Header.Get("Content-Type"), hdr.Size
	record()
	if f.respond != nil && f.respond(n, w, r) {
		return
	}
	if r.FormValue("model") != "whisper-1" {
		openaiErrorBody(w, http.StatusNotFound, "The model `"+r.FormValue("model")+"` does not exist", "invalid_request_error", "model_not_found")
		return
	}
	if r.FormValue("response_format") != "verbose_json" {
		openaiErrorBody(w, http.StatusBadRequest, "expected verbose_json in this test", "invalid_request_error", "")
		return
	}
	// Recognise the sound in the upload.
	tmp := filepath.Join(f.t.TempDir(), "upload.wav")
	out, err := os.Create(tmp)
	require.NoError(f.t, err)
	_, err = io.Copy(out, file)
	require.NoError(f.t, err)
	out.Close()
	act, err := AnalyzeAudio(tmp)
	if err != nil {
		openaiErrorBody(w, http.StatusBadRequest, "Invalid file format.", "invalid_request_error", "")
		return
	}
	resp := map[string]any{
		"task":     map[bool]string{true: "translate", false: "transcribe"}[r.URL.Path == "/v1/audio/translations"],
		"language": "english",
		"duration": act.Duration.Seconds(),
	}
	if f.style == "server" {
		resp["language"] = "en"
	}
	var segments []map[string]any
	var words []map[string]any
	var texts []string
	for i, s := range act.Sound {
		text := " A tone, then silence."
		texts = append(texts, text)
		seg := map[string]any{
			"id": i, "seek": 0, "start": s.Start.Seconds(), "end": s.End.Seconds(), "text": text,
			"tokens": []int{50364, 316, 8027}, "temperature": 0.0,
			"avg_logprob": -0.21, "compression_ratio": 1.1, "no_speech_prob": 0.01,
		}
		var segWords []map[string]any
		ws := strings.Fields(text)
		step := (s.End - s.Start).Seconds() / float64(len(ws))
		for k, word := range ws {
			w := map[string]any{"start": s.Start.Seconds() + float64(k)*step, "end": s.Start.Seconds() + float64(k+1)*step}
			if f.style == "server" {
				w["word"], w["probability"] = " "+word, 0.9
				segWords = append(segWords, w)
			} else {
				w["word"] = strings.Trim(word, ",.") // OpenAI's words carry no punctuation
				words = append(words, w)
			}
		}
		if segWords != nil {
			seg["words"] = segWords
		}
		segments = append(segments, seg)
	}
	resp["text"] = strings.TrimSpace(strings.Join(texts, ""))
	resp["segments"] = segments
	if f.style != "server" && r.URL.Path == "/v1/audio/transcriptions" {
		resp["words"] = words
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// writeToneWAV writes 16 kHz mono audio of the given length with 440 Hz
// tones during bursts and digital silence elsewhere.
func writeToneWAV(t *testing.T, path string, length time.Duration, bursts []Span) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	n := int64(length.Seconds() * speechSampleRate)
	bw := bufio.NewWriter(f)
	require.NoError(t, writeWAVHeader(bw, speechSampleRate, 1, n*2))
	var sample [2]byte
	for i := range n {
		at := time.Duration(i) * time.Second / speechSampleRate
		v := 0.0
		for _, b := range bursts {
			if at >= b.Start && at < b.End {
				v = 0.3 * math.Sin(2*math.Pi*440*at.Seconds())
			}
		}
		binary.LittleEndian.PutUint16(sample[:], uint16(int16(v*32767)))
		bw.Write(sample[:])
	}
	require.NoError(t, bw.Flush())
}

func newTestOpenAI(url string, cfg OpenAIConfig) (*OpenAI, *[]time.Duration) {
	cfg.BaseURL = url + "/v1"
	if cfg.APIKey == "" {
		cfg.APIKey = "sk-test"
	}
	o := NewOpenAI(cfg)
	var waits []time.Duration
	var mu sync.Mutex
	o.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return o, &waits
}

var fourBursts = []Span{
	{Start: 1 * time.Second, End: 2 * time.Second},
	{Start: 4 * time.Second, End: 5500 * time.Millisecond},
	{Start: 7500 * time.Millisecond, End: 8500 * time.Millisecond},
	{Start: 10 * time.Second, End: 11 * time.Second},
}

func TestOpenAIContractTranscribe(t *testing.T) {
	t.Parallel()
	api := &fakeTranscriptionAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	audio := filepath.Join(t.TempDir(), "audio.wav")
	writeToneWAV(t, audio, 12*time.Second, fourBursts)

	o, _ := newTestOpenAI(srv.URL, OpenAIConfig{})
	tr, err := o.Transcribe(t.Context(), audio, TranscribeOptions{Language: "en"})
	require.NoError(t, err)
	require.Equal(t, "en", tr.Language, "OpenAI's language names become codes")

	reqs := api.seen()
	require.Len(t, reqs, 1, "12 s of audio is one request")
	r := reqs[0]
	require.Equal(t, "/v1/audio/transcriptions", r.Path)
	require.Equal(t, "Bearer sk-test", r.Auth)
	require.Equal(t, []string{"whisper-1"}, r.Fields["model"])
	require.Equal(t, []string{"verbose_json"}, r.Fields["response_format"])
	require.Equal(t, []string{"segment", "word"}, r.Fields["timestamp_granularities[]"])
	require.Equal(t, []string{"en"}, r.Fields["language"])
	require.Nil(t, r.Fields["prompt"])
	require.Equal(t, "audio.wav", r.FileName)
	require.Equal(t, "audio/wav", r.FileType)
	require.Equal(t, int64(44+12*speechByteRate), r.FileSize)
	require.Greater(t, r.ContentLength, r.FileSize, "exact Content-Length, no chunked encoding")

	require.Len(t, tr.Segments, 4)
	for i, s := range tr.Segments {
		require.InDelta(t, fourBursts[i].Start.Seconds(), s.Start.Seconds(), 0.03)
		require.InDelta(t, fourBursts[i].End.Seconds(), s.End.Seconds(), 0.03)
		require.Equal(t, "A tone, then silence.", s.Text)
		// Word texts get the segment's punctuation back.
		require.Equal(t, []string{"A", "tone,", "then", "silence."}, wordTexts(s.Words))
		require.Equal(t, -1.0, s.Words[0].Prob, "OpenAI gives no word confidence")
	}
}

func TestOpenAIContractChunking(t *testing.T) {
	t.Parallel()
	api := &fakeTranscriptionAPI{t: t}
	srv := httptest.NewServer(api)
	defer srv.Close()
	audio := filepath.Join(t.TempDir(), "audio.wav")
	writeToneWAV(t, audio, 12*time.Second, fourBursts)

	// A tiny upload limit forces chunks of at most ~3 s (100 kB of
	// 32 kB/s audio); they must be cut in the silences.
	o, _ := newTestOpenAI(srv.URL, OpenAIConfig{MaxUploadBytes: 100_000})
	tr, err := o.Transcribe(t.Context(), audio, TranscribeOptions{})
	require.NoError(t, err)

	reqs := api.seen()
	require.Len(t, reqs, 4, "12 s in chunks of at most 3.1 s")
	var total int64
	for i, r := range reqs {
		require.LessOrEqual(t, r.FileSize, int64(100_000), "chunk %d", i)
		require.Nil(t, r.Fields["language"], "auto-detect sends no language")
		total += r.FileSize - 44
		if i > 0 {
			require.Equal(t, []string{"A tone, then silence."}, r.Fields["prompt"], "the previous chunk's text is the prompt")
		}
	}
	require.Equal(t, int64(12*speechByteRate), total, "every sample is sent exactly once")

	// Timestamps are stitched back: each burst is found whole, where it is.
	require.Len(t, tr.Segments, 4)
	for i, s := range tr.Segments {
		require.InDelta(t, fourBursts[i].Start.Seconds(), s.Start.Seconds(), 0.03, "segment %d", i)
		require.InDelta(t, fourBursts[i].End.Seconds(), s.End.Seconds(), 0.03, "segment %d", i)
		require.InDelta(t, fourBursts[i].Start.Seconds(), s.Words[0].Start.Seconds(), 0.03)
	}
}

func TestOpenAIContractTranslate(t *testing.T) {
	t.Parallel()
	api := &fakeTranscriptionAPI{t: t, style: "server"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	audio := filepath.Join(t.TempDir(), "audio.wav")
	writeToneWAV(t, audio, 3*time.Second, fourBursts[:1])

	o, _ := newTestOpenAI(srv.URL, OpenAIConfig{})
	tr, err := o.Transcribe(t.Context(), audio, TranscribeOptions{Translate: true, Language: "de"})
	require.NoError(t, err)
	r := api.seen()[0]
	require.Equal(t, "/v1/audio/translations", r.Path)
	require.Nil(t, r.Fields["timestamp_granularities[]"], "translations take no timestamp_granularities")
	require.Nil(t, r.Fields["language"], "translations take no language")
	require.Equal(t, "en", tr.Language)
	// whisper.cpp/faster-whisper style: words inside segments, with
	// probabilities and punctuation.
	require.Equal(t, []string{"A", "tone,", "then", "silence."}, wordTexts(tr.Segments[0].Words))
	require.Equal(t, 0.9, tr.Segments[0].Words[0].Prob)
}

func TestOpenAIContractResponses(t *testing.T) {
	t.Parallel()
	audio := filepath.Join(t.TempDir(), "audio.wav")
	writeToneWAV(t, audio, 3*time.Second, fourBursts[:1])
	for _, tc := range []struct {
		name string
		body string
		want []TranscriptSegment
	}{
		{
			name: "text only (server ignoring timestamps): one segment over the chunk",
			body: `{"text":" Hello there."}`,
			want: []TranscriptSegment{{Start: 0, End: 3 * time.Second, Text: "Hello there."}},
		},
		{
			name: "Whisper's silence and repetition rules drop segments",
			body: `{"language":"en","duration":3,"text":"x","segments":[
				{"start":0,"end":1,"text":" Thank you.","avg_logprob":-1.3,"no_speech_prob":0.93,"compression_ratio":1.0},
				{"start":1,"end":2,"text":" la la la la la la la la la la la la","avg_logprob":-0.4,"no_speech_prob":0.1,"compression_ratio":3.1},
				{"start":2,"end":2.5,"text":" Kept.","avg_logprob":-0.2,"no_speech_prob":0.7,"compression_ratio":1.0}]}`,
			want: []TranscriptSegment{{Start: 2 * time.Second, End: 2500 * time.Millisecond, Text: "Kept."}},
		},
		{
			name: "several API words make one text word",
			body: `{"language":"en","text":"x","segments":[{"start":0,"end":1,"text":" twenty-one pilots"}],
				"words":[{"word":"twenty","start":0,"end":0.3},{"word":"one","start":0.3,"end":0.5},{"word":"pilots","start":0.5,"end":1}]}`,
			want: []TranscriptSegment{{Start: 0, End: time.Second, Text: "twenty-one pilots", Words: []Word{
				{Start: 0, End: 500 * time.Millisecond, Text: "twenty-one", Prob: -1},
				{Start: 500 * time.Millisecond, End: time.Second, Text: "pilots", Prob: -1},
			}}},
		},
		{
			name: "words that do not line up with the text are kept as given",
			body: `{"language":"en","text":"x","segments":[{"start":0,"end":1,"text":" Hello world."}],
				"words":[{"word":"Hi","start":0,"end":0.4},{"word":"world","start":0.5,"end":1}]}`,
			want: []TranscriptSegment{{Start: 0, End: time.Second, Text: "Hello world.", Words: []Word{
				{Start: 0, End: 400 * time.Millisecond, Text: "Hi", Prob: -1},
				{Start: 500 * time.Millisecond, End: time.Second, Text: "world", Prob: -1},
			}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeTranscriptionAPI{t: t, respond: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				io.WriteString(w, tc.body)
				return true
			}})
			defer srv.Close()
			o, _ := newTestOpenAI(srv.URL, OpenAIConfig{})
			tr, err := o.Transcribe(t.Context(), audio, TranscribeOptions{})
			require.NoError(t, err)
			require.Equal(t, tc.want, tr.Segments)
		})
	}
}

func TestOpenAIContractErrors(t *testing.T) {
	t.Parallel()
	audio := filepath.Join(t.TempDir(), "audio.wav")
	writeToneWAV(t, audio, 2*time.Second, fourBursts[:1])

	type result struct {
		requests int
		waits    []time.Duration
		err      error
	}
	run := func(t *testing.T, cfg OpenAIConfig, respond func(n int, w http.ResponseWriter, r *http.Request) bool) result {
		api := &fakeTranscriptionAPI{t: t, respond: respond}
		srv := httptest.NewServer(api)
		defer srv.Close()
		o, waits := newTestOpenAI(srv.URL, cfg)
		_, err := o.Transcribe(t.Context(), audio, TranscribeOptions{})
		return result{len(api.seen()), *waits, err}
	}

	t.Run("401 bad key: no retry, operator must act", func(t *testing.T) {
		r := run(t, OpenAIConfig{APIKey: "sk-wrong"}, nil)
		require.Equal(t, 1, r.requests)
		require.ErrorIs(t, r.err, ErrTranscriberConfig)
		require.ErrorContains(t, r.err, "HTTP 401 Unauthorized: Incorrect API key provided")
		require.ErrorContains(t, r.err, "check CLIPCUT_OPENAI_API_KEY")
	})
	t.Run("404 unknown model", func(t *testing.T) {
		r := run(t, OpenAIConfig{Model: "whisper-9"}, nil)
		require.Equal(t, 1, r.requests)
		require.ErrorIs(t, r.err, ErrTranscriberConfig)
		require.ErrorContains(t, r.err, "The model `whisper-9` does not exist")
		require.ErrorContains(t, r.err, "CLIPCUT_OPENAI_MODEL")
	})
	t.Run("429 with Retry-After, then success", func(t *testing.T) {
		r := run(t, OpenAIConfig{}, func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 0 {
				w.Header().Set("Retry-After", "7")
				openaiErrorBody(w, http.StatusTooManyRequests, "Rate limit reached for whisper-1 in organization org-x on requests per min (RPM): Limit 50, Used 50.", "requests", "rate_limit_exceeded")
				return true
			}
			return false
		})
		require.NoError(t, r.err)
		require.Equal(t, 2, r.requests)
		require.Equal(t, []time.Duration{7 * time.Second}, r.waits, "Retry-After is honoured")
	})
	t.Run("429 retry-after-ms, capped by MaxRetryWait", func(t *testing.T) {
		r := run(t, OpenAIConfig{Retries: 2, MaxRetryWait: 5 * time.Second}, func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 0 {
				w.Header().Set("retry-after-ms", "1500")
			} else {
				w.Header().Set("Retry-After", "3600")
			}
			openaiErrorBody(w, http.StatusTooManyRequests, "Rate limit reached", "requests", "rate_limit_exceeded")
			return true
		})
		require.Equal(t, 3, r.requests)
		require.Equal(t, []time.Duration{1500 * time.Millisecond, 5 * time.Second}, r.waits)
		require.False(t, errors.Is(r.err, ErrTranscriberConfig), "rate limits are transient: the job retries later")
		require.ErrorContains(t, r.err, "rate limited (HTTP 429) after 3 attempts: Rate limit reached")
	})
	t.Run("429 insufficient quota is not retried", func(t *testing.T) {
		r := run(t, OpenAIConfig{}, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			openaiErrorBody(w, http.StatusTooManyRequests, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota")
			return true
		})
		require.Equal(t, 1, r.requests)
		require.ErrorIs(t, r.err, ErrTranscriberConfig)
		require.ErrorContains(t, r.err, "quota")
	})
	t.Run("500 retried with backoff, then reported", func(t *testing.T) {
		r := run(t, OpenAIConfig{}, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			openaiErrorBody(w, http.StatusInternalServerError, "The server had an error while processing your request. Sorry about that!", "server_error", "")
			return true
		})
		require.Equal(t, 4, r.requests, "1 attempt + 3 retries")
		require.Len(t, r.waits, 3)
		for i, d := range r.waits {
			base := time.Second << i
			require.InDelta(t, base.Seconds(), d.Seconds(), base.Seconds()*0.21, "backoff %d", i)
		}
		require.False(t, errors.Is(r.err, ErrTranscriberConfig))
		require.ErrorContains(t, r.err, "server error (HTTP 500) after 4 attempts: The server had an error")
	})
	t.Run("502 from a proxy, plain text body, then success", func(t *testing.T) {
		r := run(t, OpenAIConfig{}, func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 0 {
				w.WriteHeader(http.StatusBadGateway)
				io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
				return true
			}
			return false
		})
		require.NoError(t, r.err)
		require.Equal(t, 2, r.requests)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		r := run(t, OpenAIConfig{}, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			io.WriteString(w, `{"text": "cut off`)
			return true
		})
		require.Equal(t, 1, r.requests)
		require.ErrorContains(t, r.err, "malformed response")
	})
	t.Run("response too large", func(t *testing.T) {
		r := run(t, OpenAIConfig{MaxResponseBytes: 1000, Retries: -1}, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			io.WriteString(w, `{"text":"`+strings.Repeat("a", 5000)+`"}`)
			return true
		})
		require.ErrorContains(t, r.err, "response larger than 1000 bytes")
	})
	t.Run("server too slow: bounded by the request timeout", func(t *testing.T) {
		// The server would wait two minutes: each request ending with the
		// client's cancellation shows the timeout, not the server, ended it.
		var cancelled atomic.Int32
		r := run(t, OpenAIConfig{RequestTimeout: 200 * time.Millisecond, Retries: 1}, func(_ int, w http.ResponseWriter, req *http.Request) bool {
			select {
			case <-req.Context().Done():
				cancelled.Add(1)
			case <-time.After(2 * time.Minute):
			}
			return true
		})
		require.Equal(t, 2, r.requests)
		require.ErrorContains(t, r.err, "deadline exceeded")
		require.Eventually(t, func() bool { return cancelled.Load() == 2 }, time.Minute, 10*time.Millisecond,
			"the server saw both requests cancelled")
	})
	t.Run("cancelled context stops at once", func(t *testing.T) {
		api := &fakeTranscriptionAPI{t: t, respond: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}}
		srv := httptest.NewServer(api)
		defer srv.Close()
		o := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"})
		ctx, cancel := context.WithCancel(t.Context())
		o.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
		_, err := o.Transcribe(ctx, audio, TranscribeOptions{})
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, api.seen(), 1)
	})
}

func TestOpenAICheck(t *testing.T) {
	t.Parallel()
	require.NoError(t, NewOpenAI(OpenAIConfig{BaseURL: "http://whisper.local:8080/v1"}).Check(t.Context()), "local servers need no key")
	err := NewOpenAI(OpenAIConfig{}).Check(t.Context())
	require.ErrorIs(t, err, ErrTranscriberConfig)
	require.ErrorContains(t, err, "openai API key not set: set CLIPCUT_OPENAI_API_KEY")
	err = NewOpenAI(OpenAIConfig{BaseURL: "whisper.local:8080"}).Check(t.Context())
	require.ErrorContains(t, err, "set CLIPCUT_OPENAI_BASE_URL")
}

func TestChunkCuts(t *testing.T) {
	t.Parallel()
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	// 21 minutes with 10-minute chunks: three balanced chunks, not 10+10+1.
	act := &AudioActivity{Duration: 21 * time.Minute, Sound: []Span{{0, 21 * time.Minute}}}
	require.Equal(t, []time.Duration{7 * time.Minute, 14 * time.Minute}, chunkCuts(act, 10*time.Minute))
	// Cuts move to the nearest silence's middle within a quarter chunk.
	act = &AudioActivity{Duration: s(30), Sound: []Span{{0, s(8)}, {s(9), s(16.5)}, {s(17.5), s(30)}}}
	require.Equal(t, []time.Duration{s(8.5), s(17), s(23.5)}, chunkCuts(act, s(10)))
	// Short audio is not cut.
	require.Nil(t, chunkCuts(&AudioActivity{Duration: s(9)}, s(10)))
	for _, d := range []time.Duration{s(10.01), s(59), s(3600)} {
		cuts := chunkCuts(&AudioActivity{Duration: d, Sound: []Span{{0, d}}}, s(10))
		prev := time.Duration(0)
		for _, c := range append(cuts, d) {
			require.LessOrEqual(t, c-prev, s(10), "%v", d)
			require.Greater(t, c-prev, s(3), "%v: no tiny chunk", d)
			prev = c
		}
	}
}
