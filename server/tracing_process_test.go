package main

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is a minimal OTLP/HTTP trace receiver: it decodes the
// protobuf export requests clipcut's exporter sends and keeps each span
// with the service that sent it.
type otlpReceiver struct {
	url   string
	mu    sync.Mutex
	spans []receivedSpan
}

type receivedSpan struct {
	service, name       string
	traceID, id, parent string
	attrs               map[string]string
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &otlpReceiver{url: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *otlpReceiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		http.NotFound(w, req)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var export collectortrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(data, &export); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, rs := range export.ResourceSpans {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.Key == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				attrs := map[string]string{}
				for _, kv := range s.Attributes {
					attrs[kv.Key] = kv.GetValue().GetStringValue()
				}
				r.spans = append(r.spans, receivedSpan{service: service, name: s.Name, traceID: hex.EncodeToString(s.TraceId),
					id: hex.EncodeToString(s.SpanId), parent: hex.EncodeToString(s.ParentSpanId), attrs: attrs})
			}
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// trace returns the spans received so far with trace id id.
func (r *otlpReceiver) trace(id string) []receivedSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []receivedSpan
	for _, s := range r.spans {
		if s.traceID == id {
			out = append(out, s)
		}
	}
	return out
}

// TestOneUploadIsOneTraceAcrossTheAPIAndAWorkerProcess runs an API and a
// separate worker process exporting to a local OTLP receiver. A client
// that traces its upload (one W3C traceparent on createUpload and on the
// tus PATCH) finds, under that one trace id: the API's request and GraphQL
// operation spans with their queries, the job insert, and the worker's
// job runs with a span per ffprobe and ffmpeg stage, told apart by
// service name; every span's parent is in the trace.
func TestOneUploadIsOneTraceAcrossTheAPIAndAWorkerProcess(t *testing.T) {
	t.Parallel()
	recv := startOTLPReceiver(t)
	otel := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.url, "OTEL_BSP_SCHEDULE_DELAY=200", "OTEL_TRACES_SAMPLER=parentbased_always_on"}
	dir := traversableTempDir(t)
	api := startClipcutMode(t, dir, "api", otel...)
	api.waitReady(t)
	dbURL := "postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dir, "var", "pg", "run")
	worker := startClipcutMode(t, dir, "worker", append(otel, "DATABASE_URL="+dbURL, "CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_X264_PRESET=ultrafast")...)
	worker.waitReady(t)

	data := makeClip(t, "testsrc2=size=320x180:rate=25:duration=2", 440)
	res, _ := api.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const clientSpan = "00f067aa0ba902b7"
	traceparent := "00-" + traceID + "-" + clientSpan + "-01"
	res, _ = api.graphql(t, fmt.Sprintf(`mutation CreateUpload { createUpload(input: {title: "Traced", filename: "clip.mp4", size: %d}) { uploadUrl video { id } } }`, len(data)),
		"Authorization", "Bearer "+token, "traceparent", traceparent)
	created := res["data"].(map[string]any)["createUpload"].(map[string]any)
	id := created["video"].(map[string]any)["id"].(string)
	uploadPath := strings.TrimPrefix(created["uploadUrl"].(string), "http://"+api.addr)
	tusPath, query, _ := strings.Cut(uploadPath, "?")

	req, err := http.NewRequest(http.MethodPatch, "http://"+api.addr+uploadPath, bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Content-Length", strconv.Itoa(len(data)))
	req.Header.Set("traceparent", traceparent)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	waitStatus(t, api, token, id, "READY")

	has := func(spans []receivedSpan, service string, match func(receivedSpan) bool) bool {
		for _, s := range spans {
			if s.service == service && match(s) {
				return true
			}
		}
		return false
	}
	named := func(prefix string) func(receivedSpan) bool {
		return func(s receivedSpan) bool { return strings.HasPrefix(s.name, prefix) }
	}
	want := []struct {
		service, what string
		match         func(receivedSpan) bool
	}{
		// One span is both: the operation names its request's span.
		{"clipcut-api", "the createUpload request, named for its GraphQL operation", func(s receivedSpan) bool {
			return s.name == "mutation CreateUpload" && s.attrs["http.route"] == "/graphql"
		}},
		{"clipcut-api", "a query of the operation", named("INSERT")},
		{"clipcut-api", "the upload's PATCH", func(s receivedSpan) bool { return s.name == "PATCH /uploads" && s.attrs["url.path"] == tusPath }},
		{"clipcut-api", "the job insert", named("river.insert_many")},
		{"clipcut-worker", "the probe job", named("river.work/probe")},
		{"clipcut-worker", "the transcode job", named("river.work/transcode")},
		{"clipcut-worker", "a query of a job", named("UPDATE")},
		{"clipcut-worker", "the probe's ffprobe run", named("ffprobe probe")},
		{"clipcut-worker", "the transcode's ffmpeg run", named("ffmpeg transcode")},
	}
	// Poll until every span wanted is there and the trace is one tree:
	// each span's parent is the client's span or a span of the trace (a
	// job run's parent is its insert, in the other process). Spans end,
	// and are exported, before their parents: a job still running after
	// READY (subtitles) has children already received.
	problem := func(spans []receivedSpan) string {
		for _, w := range want {
			if !has(spans, w.service, w.match) {
				return "lacks " + w.what + " (" + w.service + ")"
			}
		}
		ids := map[string]bool{clientSpan: true}
		for _, s := range spans {
			ids[s.id] = true
		}
		for _, s := range spans {
			if !ids[s.parent] {
				return fmt.Sprintf("has %s: %s whose parent %s is not in it", s.service, s.name, s.parent)
			}
		}
		return ""
	}
	var spans []receivedSpan
	deadline := time.Now().Add(2 * time.Minute)
	for {
		spans = recv.trace(traceID)
		p := problem(spans)
		if p == "" {
			break
		}
		if time.Now().After(deadline) {
			var names []string
			for _, s := range spans {
				names = append(names, s.service+": "+s.name)
			}
			t.Fatalf("trace %s %s; it has %d spans: %q", traceID, p, len(spans), names)
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, s := range spans {
		require.NotContains(t, s.attrs["db.query.text"], "FROM sessions", "the session look-up is no span of the request")
		for k, v := range s.attrs {
			require.False(t, query != "" && strings.Contains(v, query), "span %s attribute %s carries the upload URL's signature", s.name, k)
		}
		if strings.HasPrefix(s.name, "ffmpeg ") || strings.HasPrefix(s.name, "ffprobe ") {
			require.Equal(t, "clipcut-worker", s.service, "ffmpeg runs only in the worker")
			require.NotEmpty(t, s.attrs["media.stage"])
		}
	}

	// Log lines of traced work carry the trace id: the API's access log
	// line for the PATCH, and a job's lines in the worker (the media jobs
	// log nothing when they succeed; the cleanup job, run at start, does).
	require.Regexp(t, `msg="http request" method=PATCH .*trace_id=`+traceID, api.log())
	require.Regexp(t, `job_id=\d+ .*trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}`, worker.log())
}
