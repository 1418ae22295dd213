package tracing

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var otelVars = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}

func clearEnv(t testing.TB) {
	for _, k := range otelVars {
		t.Setenv(k, "")
	}
}

func TestWantedOnlyWithAnEndpoint(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_SAMPLER": "always_on"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}, false},
	} {
		if got := Wanted(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Wanted(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// Without an endpoint Setup installs nothing: the global provider stays
// the one it was (in a process that never set one, a no-op whose spans
// record nothing; other tests here install providers of their own).
func TestSetupWithoutEndpointIsOff(t *testing.T) {
	clearEnv(t)
	before := otel.GetTracerProvider()
	shutdown, err := Setup(context.Background(), "clipcut-test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	if Enabled() {
		t.Fatal("tracing is on without an endpoint")
	}
	if otel.GetTracerProvider() != before {
		t.Fatal("Setup installed a tracer provider without an endpoint")
	}
}

func TestSetupRefusesUnsupportedProtocols(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if _, err := Setup(context.Background(), "clipcut-test", slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || Enabled() {
		t.Fatalf("grpc accepted: err %v, enabled %v", err, Enabled())
	}
}

// A job's run continues the trace its insert put in the job's metadata.
func TestInsertedByReadsOtelriverMetadata(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "insert")
	defer span.End()
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	meta := []byte(`{"other":1,"traceparent":"` + carrier["traceparent"] + `"}`)
	sc := insertedBy(meta)
	if !sc.IsValid() || sc.TraceID() != span.SpanContext().TraceID() || sc.SpanID() != span.SpanContext().SpanID() {
		t.Fatalf("insertedBy = %v, want %v", sc, span.SpanContext())
	}
	for _, m := range []string{"", "{}", "not json", `{"traceparent":"garbage"}`} {
		if insertedBy([]byte(m)).IsValid() {
			t.Errorf("insertedBy(%q) is valid", m)
		}
	}
}

// Queries outside any trace (River's polling) make no spans; inside one
// they are its children.
func TestQueryTracerTracesOnlyTracedWork(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	var qt QueryTracer
	ctx := qt.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	if trace.SpanFromContext(ctx).SpanContext().IsValid() {
		t.Fatal("a query outside any trace started a span")
	}
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "request")
	ctx = qt.TraceQueryStart(parentCtx, nil, pgx.TraceQueryStartData{SQL: "\n\t  update videos set x = 1"})
	qt.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
	parent.End()
	ended := rec.Ended()
	if len(ended) != 2 || ended[0].Name() != "UPDATE" || ended[0].Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("spans %v, want UPDATE as the request's child", ended)
	}
}

func TestStatementNames(t *testing.T) {
	for in, want := range map[string]string{"SELECT 1": "SELECT", "  with x as (select 1) select": "WITH", "(select 1)": "SELECT", "": "SQL", "insert into t": "INSERT",
		"-- name: JobGetAvailable :many\nWITH x": "JobGetAvailable", "-- a comment\n  select 1": "SELECT"} {
		if got := statement(in); got != want {
			t.Errorf("statement(%q) = %q, want %q", in, got, want)
		}
	}
}

// Requests are spans, but probes, scrapes and websockets (which live for
// hours) are not.
func TestHTTPSpansSkipProbesAndWebsockets(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	var inSpan []bool
	h := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inSpan = append(inSpan, trace.SpanContextFromContext(r.Context()).IsValid())
	}))
	for _, tc := range []struct {
		path, upgrade string
		want          bool
	}{{"/graphql", "", true}, {"/uploads/abc/def", "", true}, {"/health", "", false}, {"/metrics", "", false}, {"/graphql", "websocket", false}} {
		req := httptest.NewRequest(http.MethodPost, tc.path, nil)
		if tc.upgrade != "" {
			req.Header.Set("Upgrade", tc.upgrade)
		}
		inSpan = nil
		h.ServeHTTP(httptest.NewRecorder(), req)
		if len(inSpan) != 1 || inSpan[0] != tc.want {
			t.Errorf("%s (upgrade %q): in a span %v, want %v", tc.path, tc.upgrade, inSpan, tc.want)
		}
	}
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	if len(names) != 2 || names[0] != "POST /graphql" || names[1] != "POST /uploads" {
		t.Fatalf("spans %q, want POST /graphql and POST /uploads", names)
	}
}

// A request's span continues the caller's trace and says its method,
// path, route and the response's status; a 5xx is an error.
func TestHTTPSpanContinuesTheCallerAndRecordsTheStatus(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	h := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/fail" {
			http.Error(w, "no", http.StatusBadGateway)
			return
		}
		http.NewResponseController(w).Flush() // reaches the server's writer through Unwrap
		_, _ = w.Write([]byte("ok"))
	}))
	req := httptest.NewRequest(http.MethodGet, "/files/abc/def", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if !w.Flushed || w.Body.String() != "ok" {
		t.Fatalf("flushed %v, body %q", w.Flushed, w.Body.String())
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/fail", nil))

	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans, want 2", len(ended))
	}
	attrs := func(s sdktrace.ReadOnlySpan) map[string]string {
		m := map[string]string{}
		for _, kv := range s.Attributes() {
			m[string(kv.Key)] = kv.Value.Emit()
		}
		return m
	}
	get := ended[0]
	if get.Name() != "GET /files" || get.SpanKind() != trace.SpanKindServer ||
		get.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || get.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("span %s (kind %v, parent %v), want GET /files as the caller's child", get.Name(), get.SpanKind(), get.Parent())
	}
	want := map[string]string{"http.request.method": "GET", "url.path": "/files/abc/def", "http.route": "/files", "http.response.status_code": "200"}
	if got := attrs(get); !maps.Equal(got, want) || get.Status().Code != codes.Unset {
		t.Fatalf("attributes %v, status %v; want %v, unset", got, get.Status(), want)
	}
	fail := ended[1]
	if attrs(fail)["http.response.status_code"] != "502" || fail.Status().Code != codes.Error || fail.Parent().IsValid() {
		t.Fatalf("failed request: attributes %v, status %v, parent %v", attrs(fail), fail.Status(), fail.Parent())
	}
}

// Queries made with a Quiet context (credential look-ups) make no spans.
func TestQuietQueriesMakeNoSpans(t *testing.T) {
	clearEnv(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	enabled.Store(true)
	t.Cleanup(func() { enabled.Store(false) })

	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	var qt QueryTracer
	qctx := qt.TraceQueryStart(Quiet(ctx), nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	qt.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{})
	qctx = qt.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "SELECT 2"})
	qt.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{})
	parent.End()
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	if len(names) != 2 || names[0] != "SELECT" || names[1] != "request" {
		t.Fatalf("spans %q, want one query, then the request", names)
	}
}

// A query sent over HTTP is the request's span, renamed for the
// operation (one span, not two); an operation with no request span of
// its own (over a websocket) and a subscription get a span of their own.
func TestGraphQLOperationNamesTheRequestSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	run := func(ctx context.Context, typ ast.Operation, name string, errs bool) {
		ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{
			OperationName: name, Operation: &ast.OperationDefinition{Operation: typ, Name: name},
		})
		h := GraphQL{}.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
			return func(context.Context) *graphql.Response {
				if errs {
					return &graphql.Response{Errors: gqlerror.List{{Message: "not found"}}}
				}
				return &graphql.Response{}
			}
		})
		h(ctx)
	}
	var typ ast.Operation
	var errs bool
	api := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { run(r.Context(), typ, "Video", errs) }))
	for _, tc := range []struct {
		typ  ast.Operation
		errs bool
	}{{ast.Query, false}, {ast.Mutation, true}, {ast.Subscription, false}} {
		typ, errs = tc.typ, tc.errs
		api.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	}
	run(context.Background(), ast.Query, "Videos", false)

	type got struct {
		name   string
		kind   trace.SpanKind
		route  string
		status codes.Code
	}
	var spans []got
	for _, s := range rec.Ended() {
		g := got{name: s.Name(), kind: s.SpanKind(), status: s.Status().Code}
		for _, kv := range s.Attributes() {
			if kv.Key == "http.route" {
				g.route = kv.Value.AsString()
			}
		}
		spans = append(spans, g)
	}
	want := []got{
		{"query Video", trace.SpanKindServer, "/graphql", codes.Unset},
		{"mutation Video", trace.SpanKindServer, "/graphql", codes.Error},
		{"subscription Video", trace.SpanKindInternal, "", codes.Unset},
		{"POST /graphql", trace.SpanKindServer, "/graphql", codes.Unset},
		{"query Videos", trace.SpanKindInternal, "", codes.Unset},
	}
	if !slices.Equal(spans, want) {
		t.Fatalf("spans %+v, want %+v", spans, want)
	}
}
