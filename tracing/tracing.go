// Package tracing owns clipcut's OpenTelemetry tracing: Setup reads the
// standard OTEL_* environment and, when an OTLP endpoint is set, installs
// a tracer provider that exports over OTLP/HTTP; the helpers here trace
// HTTP requests (HTTP), GraphQL operations (GraphQL), PostgreSQL queries
// (QueryTracer) and River jobs (RiverMiddleware). media traces its ffmpeg
// runs through OpenTelemetry's global tracer on its own, as media imports
// no project package.
//
// Tracing is off unless the environment asks for it, and off costs
// nothing: the helpers are not installed (callers check Enabled), so a
// request runs exactly the code it ran before tracing existed. Metrics
// stay on Prometheus; no meter provider is installed.
//
// The tracer provider is OpenTelemetry's global one, not a value passed
// down: the libraries that trace (otelriver) and packages that
// must not import this one (media) find it there, which is how
// OpenTelemetry is meant to be wired.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// enabled is whether Setup installed an exporting provider. Helpers'
// callers check it once, when they build their handler or pool, so that
// with tracing off nothing of it runs per request.
var enabled atomic.Bool

// Enabled reports whether tracing is on: Setup found an OTLP endpoint in
// the environment and installed a provider that exports to it.
func Enabled() bool { return enabled.Load() }

// Tracer returns clipcut's tracer for the named instrumentation scope
// (a package path), from the global provider: a no-op one when tracing is
// off.
func Tracer(scope string) trace.Tracer { return otel.Tracer(scope) }

// cachedTracer is tracer's last answer and the provider it came from.
type cachedTracer struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

var lastTracer atomic.Pointer[cachedTracer]

// tracer is Tracer(scope), kept while the global provider stays the
// same: asking the SDK's provider for a tracer locks and looks up a map,
// which every span of a request would otherwise repeat.
func tracer() trace.Tracer {
	p := otel.GetTracerProvider()
	if c := lastTracer.Load(); c != nil && c.provider == p {
		return c.tracer
	}
	t := p.Tracer(scope)
	lastTracer.Store(&cachedTracer{provider: p, tracer: t})
	return t
}

// Wanted reports whether the environment asks for traces: an OTLP
// endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT), the SDK is not disabled
// (OTEL_SDK_DISABLED) and the traces exporter is not "none"
// (OTEL_TRACES_EXPORTER).
func Wanted(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")), "none") {
		return false
	}
	return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != "" ||
		strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != ""
}

// Setup turns tracing on when the environment asks for it (Wanted) and
// returns the function that flushes and stops it; with tracing off it
// installs nothing and the returned function does nothing.
//
// Everything else comes from the standard variables: the endpoint,
// headers, timeout, compression and certificates
// (OTEL_EXPORTER_OTLP_*, read by this package's exporter), batching
// (OTEL_BSP_*, read by this package's batcher), and, read by the
// OpenTelemetry SDK itself, the sampler (OTEL_TRACES_SAMPLER, default
// parentbased_always_on) and resource attributes
// (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME).
// defaultService names the process when OTEL_SERVICE_NAME does not
// (clipcut-api and clipcut-worker tell the two roles apart); attrs are
// added to the resource. Only the http/protobuf protocol is supported.
func Setup(ctx context.Context, defaultService string, logger *slog.Logger, attrs ...attribute.KeyValue) (shutdown func(context.Context) error, err error) {
	off := func(context.Context) error { return nil }
	if !Wanted(os.Getenv) {
		return off, nil
	}
	if p := protocol(os.Getenv); p != "http/protobuf" {
		return off, fmt.Errorf("set up tracing: OTLP protocol %q is not supported; use http/protobuf", p)
	}
	if e := strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")); e != "" && e != "otlp" {
		return off, fmt.Errorf("set up tracing: traces exporter %q is not supported; use otlp or none", e)
	}
	exporter, err := newExporter(os.Getenv)
	if err != nil {
		return off, fmt.Errorf("set up tracing: %w", err)
	}
	batching, err := readBatchOptions(os.Getenv)
	if err != nil {
		return off, fmt.Errorf("set up tracing: %w", err)
	}
	// Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// override the defaults.
	res, err := resource.New(ctx,
		resource.WithAttributes(append([]attribute.KeyValue{attribute.String("service.name", defaultService)}, attrs...)...),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithFromEnv(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return off, fmt.Errorf("set up tracing: resource: %w", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(newBatcher(exporter, batching, otel.Handle)), sdktrace.WithResource(res))
	otel.SetTracerProvider(provider)
	// Only W3C trace context crosses process boundaries (HTTP headers,
	// job metadata); baggage from clients is not trusted with anything.
	otel.SetTextMapPropagator(propagation.TraceContext{})
	otel.SetErrorHandler(exportErrors(logger))
	enabled.Store(true)
	logger.Info("tracing is on: exporting spans over OTLP", "service", serviceName(res, defaultService))
	return func(ctx context.Context) error {
		enabled.Store(false)
		otel.SetTracerProvider(noop.NewTracerProvider())
		if err := provider.Shutdown(ctx); err != nil {
			return fmt.Errorf("stop tracing: %w", err)
		}
		return nil
	}, nil
}

// protocol is the OTLP protocol the environment names for traces.
func protocol(getenv func(string) string) string {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	return "http/protobuf"
}

// positiveSetting reads the positive whole number an OTEL_* variable
// named name holds (v, already trimmed); the error names the variable
// and says what it should be (what: "number of milliseconds").
func positiveSetting(name, v, what string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive %s", name, v, what)
	}
	return n, nil
}

func serviceName(res *resource.Resource, fallback string) string {
	if v, ok := res.Set().Value("service.name"); ok {
		return v.AsString()
	}
	return fallback
}

// exportErrors logs the SDK's errors (a collector that is away fails
// every export) at most once a minute, saying how many it dropped.
func exportErrors(logger *slog.Logger) otel.ErrorHandler {
	var last atomic.Int64
	var dropped atomic.Int64
	return otel.ErrorHandlerFunc(func(err error) {
		now := time.Now().UnixNano()
		prev := last.Load()
		if prev != 0 && time.Duration(now-prev) < time.Minute || !last.CompareAndSwap(prev, now) {
			dropped.Add(1)
			return
		}
		logger.Warn("tracing: exporting spans failed", "error", err, "suppressed_repeats", dropped.Swap(0))
	})
}
