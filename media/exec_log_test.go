package media

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Every tool run logs one line at its end with its stage, its own CPU and
// wall time, and the attributes its context carries; a run that fails
// says why.
func TestToolRunLogsItsCost(t *testing.T) {
	ffmpeg, ffprobe := tools(t)
	in := fixture(t, "noaudio")
	var buf bytes.Buffer
	SetLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { SetLogger(nil) })

	ctx := WithLogAttrs(testContext(t, time.Minute), slog.String("job_kind", "probe"))
	if _, err := Probe(ctx, ffprobe, in); err != nil {
		t.Fatal(err)
	}
	// A decode of the whole file: CPU the kernel must have counted.
	if _, err := runTool(WithStage(ctx, "decode_all"), "ffmpeg", ffmpeg,
		[]string{"-nostdin", "-v", "error", "-i", in, "-f", "null", "-"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := runTool(ctx, "ffprobe", ffprobe, []string{"-v", "error", "/nonexistent/file.mp4"}, nil); err == nil {
		t.Fatal("probing a missing file succeeded")
	}

	type line struct {
		Msg     string   `json:"msg"`
		Tool    string   `json:"tool"`
		Stage   string   `json:"stage"`
		CPU     *float64 `json:"cpu_s"`
		User    *float64 `json:"user_s"`
		Sys     *float64 `json:"sys_s"`
		Wall    float64  `json:"wall_s"`
		Error   string   `json:"error"`
		JobKind string   `json:"job_kind"`
	}
	var lines []line
	for _, raw := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if l.Msg != "tool run" {
			t.Fatalf("log line %q, want msg \"tool run\"", raw)
		}
		if l.CPU == nil || l.User == nil || l.Sys == nil || l.Wall <= 0 || l.JobKind != "probe" {
			t.Fatalf("log line %q lacks cpu_s, user_s, sys_s, a positive wall_s or the context's job_kind", raw)
		}
		lines = append(lines, l)
	}
	if len(lines) < 3 {
		t.Fatalf("%d log lines, want one per run:\n%s", len(lines), buf.String())
	}
	if l := lines[0]; l.Tool != "ffprobe" || l.Stage != "probe_with_limits" || l.Error != "" {
		t.Errorf("first line %+v, want the probe's", l)
	}
	decode := lines[len(lines)-2]
	if decode.Tool != "ffmpeg" || decode.Stage != "decode_all" || *decode.CPU <= 0 || *decode.CPU < *decode.User {
		t.Errorf("decode line %+v, want stage decode_all with CPU time", decode)
	}
	if l := lines[len(lines)-1]; l.Error == "" {
		t.Errorf("the failed run's line %+v has no error", l)
	}
}
