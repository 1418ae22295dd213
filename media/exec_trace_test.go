package media

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A tool run inside a trace is a span named for the tool and the media
// function that ran it, a child of the caller's span; outside a trace it
// is none.
func TestToolRunIsASpanInATrace(t *testing.T) {
	_, ffprobe := tools(t)
	in := fixture(t, "noaudio")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	if _, err := Probe(testContext(t, time.Minute), ffprobe, in); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("a probe outside any trace made %d spans, want none", n)
	}

	ctx, parent := tp.Tracer("test").Start(testContext(t, time.Minute), "job")
	if _, err := Probe(ctx, ffprobe, in); err != nil {
		t.Fatal(err)
	}
	parent.End()
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
		if s.Name() == "job" {
			continue
		}
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("span %q is not a child of the caller's span", s.Name())
		}
	}
	if len(names) < 2 || names[0] != "ffprobe probe_with_limits" {
		t.Fatalf("spans %q, want ffprobe probe_with_limits first", names)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"Transcode": "transcode", "ProbeWithLimits": "probe_with_limits", "DownloadMP4": "download_mp4",
		"posterRun": "poster_run", "SmartCut": "smart_cut", "HLSPlaylist": "hls_playlist",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
