package tracing

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// testSpans are spans with every kind of field and attribute value, of
// two scopes and two resources.
func testSpans() []sdktrace.ReadOnlySpan {
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0", attribute.String("service.name", "clipcut-test"), attribute.Int("n", 1))
	other := resource.NewSchemaless(attribute.String("service.name", "other"))
	ts, _ := trace.ParseTraceState("k=v")
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{9, 9}, TraceFlags: trace.FlagsSampled, Remote: true})
	sc := func(id byte) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{id}, TraceFlags: trace.FlagsSampled, TraceState: ts})
	}
	start := time.Unix(1_700_000_000, 123)
	all := []attribute.KeyValue{
		attribute.String("s", "text"), attribute.String("empty", ""), attribute.String("bad utf8", "a\xffb"),
		attribute.Bool("t", true), attribute.Bool("f", false), attribute.Int64("i", -42), attribute.Int64("zero", 0),
		attribute.Float64("x", 1.5), attribute.BoolSlice("bs", []bool{true, false}), attribute.Int64Slice("is", []int64{1, -2}),
		attribute.Float64Slice("fs", []float64{0, 2.5}), attribute.StringSlice("ss", []string{"a", ""}),
		{Key: "bytes", Value: attribute.ByteSliceValue([]byte{0, 1})},
		{Key: "slice", Value: attribute.SliceValue(attribute.StringValue("x"), attribute.IntValue(3))},
		{Key: "map", Value: attribute.MapValue(attribute.String("k", "v"))},
		{Key: "nothing", Value: attribute.Value{}},
	}
	return tracetest.SpanStubs{
		{
			Name: "GET /files", SpanContext: sc(1), Parent: parent, SpanKind: trace.SpanKindServer,
			StartTime: start, EndTime: start.Add(time.Millisecond), Attributes: all, DroppedAttributes: 2,
			Events:        []sdktrace.Event{{Name: "exception", Time: start.Add(time.Microsecond), Attributes: all[:3], DroppedAttributeCount: 1}},
			Links:         []sdktrace.Link{{SpanContext: parent, Attributes: all[3:5], DroppedAttributeCount: 3}},
			DroppedEvents: 4, DroppedLinks: 5, Status: sdktrace.Status{Code: codes.Error, Description: "broke"},
			Resource: res, InstrumentationScope: instrumentation.Scope{Name: "a", Version: "v1", SchemaURL: "https://example.com/s",
				Attributes: attribute.NewSet(attribute.String("scope", "yes"))},
		},
		{
			Name: "SELECT", SpanContext: sc(2), Parent: sc(1), SpanKind: trace.SpanKindClient, StartTime: start, EndTime: start,
			Status: sdktrace.Status{Code: codes.Ok}, Resource: res, InstrumentationScope: instrumentation.Scope{Name: "b"},
		},
		{Name: "internal", SpanContext: sc(3), StartTime: start, EndTime: start, Resource: other, InstrumentationScope: instrumentation.Scope{Name: "a"}},
		{Name: "no scope", SpanContext: sc(4), SpanKind: trace.SpanKindProducer, StartTime: start, EndTime: start, Resource: res},
		{Name: "a again", SpanContext: sc(5), SpanKind: trace.SpanKindConsumer, StartTime: start, EndTime: start, Resource: res,
			InstrumentationScope: instrumentation.Scope{Name: "a", Version: "v1", SchemaURL: "https://example.com/s",
				Attributes: attribute.NewSet(attribute.String("scope", "yes"))}},
	}.Snapshots()
}

// The spans this package writes are the message OpenTelemetry Go's own
// OTLP/HTTP exporter sends, field for field (groups sorted, as its
// order is a map's).
func TestEncodeMatchesOTLPExporter(t *testing.T) {
	spans := testSpans()
	var mu sync.Mutex
	var bodies [][]byte
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer sink.Close()
	theirs, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(sink.URL+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	// The reference marshals invalid UTF-8 not at all: give it the
	// replacement this package makes.
	fixed := testSpans()
	stub := tracetest.SpanStubsFromReadOnlySpans(fixed)
	for i := range stub {
		for j, kv := range stub[i].Attributes {
			if kv.Key == "bad utf8" {
				stub[i].Attributes[j] = attribute.String("bad utf8", "a\uFFFDb")
			}
		}
		for k := range stub[i].Events {
			for j, kv := range stub[i].Events[k].Attributes {
				if kv.Key == "bad utf8" {
					stub[i].Events[k].Attributes[j] = attribute.String("bad utf8", "a\uFFFDb")
				}
			}
		}
	}
	if err := theirs.ExportSpans(context.Background(), stub.Snapshots()); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 1 {
		t.Fatalf("%d export requests from the reference", len(bodies))
	}
	var want, got coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(bodies[0], &want); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(appendRequest(nil, spans), &got); err != nil {
		t.Fatalf("decode what appendRequest wrote: %v", err)
	}
	sortGroups(&want)
	sortGroups(&got)
	if !proto.Equal(&want, &got) {
		t.Fatalf("appendRequest wrote\n%v\nthe OTLP exporter\n%v", &got, &want)
	}
}

func sortGroups(r *coltracepb.ExportTraceServiceRequest) {
	slices.SortFunc(r.ResourceSpans, func(a, b *tracepb.ResourceSpans) int {
		return strings.Compare(a.GetResource().String(), b.GetResource().String())
	})
	for _, rs := range r.ResourceSpans {
		slices.SortFunc(rs.ScopeSpans, func(a, b *tracepb.ScopeSpans) int {
			return strings.Compare(a.GetScope().String(), b.GetScope().String())
		})
	}
}

// The exporter reads the standard variables: the per-signal ones win,
// the generic endpoint gains /v1/traces, and bad values are reported
// together.
func TestExporterSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	e, err := newExporter(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/base/", "OTEL_EXPORTER_OTLP_HEADERS": "a=1,b=two%20words",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "a=3", "OTEL_EXPORTER_OTLP_TIMEOUT": "500", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "2500",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if e.url != "http://collector:4318/base/v1/traces" || e.headers.Get("a") != "3" || e.headers.Get("b") != "two words" ||
		e.timeout != 2500*time.Millisecond || !e.gzip {
		t.Fatalf("url %s, headers %v, timeout %v, gzip %v", e.url, e.headers, e.timeout, e.gzip)
	}
	e, err = newExporter(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b:4318"}))
	if err != nil || e.url != "https://b:4318/" || e.gzip || e.timeout != 10*time.Second {
		t.Fatalf("url %v, gzip %v, timeout %v, err %v", e.url, e.gzip, e.timeout, err)
	}
	_, err = newExporter(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318", "OTEL_EXPORTER_OTLP_TIMEOUT": "soon",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd", "OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent.pem"}))
	for _, want := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_CERTIFICATE"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// An export carries the headers, gzips when asked, and is retried after
// a 503 (honouring Retry-After), but not after a 400.
func TestExporterSendsAndRetries(t *testing.T) {
	var mu sync.Mutex
	var statuses []int
	var got []*coltracepb.ExportTraceServiceRequest
	answer := []int{http.StatusServiceUnavailable, http.StatusOK, http.StatusBadRequest}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		status := answer[len(statuses)]
		statuses = append(statuses, status)
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil || r.Header.Get("Authorization") != "Bearer x" ||
			r.Header.Get("Content-Type") != "application/x-protobuf" || r.URL.Path != "/v1/traces" {
			t.Errorf("request %s %v: %v", r.URL.Path, r.Header, err)
		}
		got = append(got, &req)
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
	}))
	defer sink.Close()
	e, err := newExporter(func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": sink.URL, "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20x",
			"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	spans := testSpans()
	if err := e.ExportSpans(context.Background(), spans); err != nil {
		t.Fatalf("export after a 503: %v", err)
	}
	err = e.ExportSpans(context.Background(), spans[:1])
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("export answered 400: %v", err)
	}
	if !slices.Equal(statuses, answer) || len(got[1].ResourceSpans) != 2 || len(got[2].ResourceSpans) != 1 {
		t.Fatalf("answers %v, requests %v", statuses, got)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportSpans(context.Background(), spans); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("export after shutdown: %v", err)
	}
}
