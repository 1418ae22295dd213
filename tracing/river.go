package tracing

import (
	"context"
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// RiverMiddleware returns River middleware that traces job inserts and
// job runs with River's own OpenTelemetry middleware (otelriver): an
// insert's span puts its W3C trace context in the job's metadata, and the
// job's run (river.work/KIND) continues that trace in whichever process
// works it, so one upload is one trace from the request to the last
// ffmpeg run. otelriver alone only links the run to the insert (a new
// trace per job); this middleware makes the insert the run's parent as
// well, keeping the link. Install it only when Enabled.
func RiverMiddleware() rivertype.Middleware {
	return &jobTracing{inner: otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
		EnableTracePropagation:      true,
		EnableWorkSpanJobKindSuffix: true,
		MeterProvider:               metricnoop.NewMeterProvider(), // metrics stay on Prometheus
	})}
}

type jobTracing struct {
	river.MiddlewareDefaults
	inner *otelriver.Middleware
}

var (
	_ rivertype.JobInsertMiddleware = (*jobTracing)(nil)
	_ rivertype.WorkerMiddleware    = (*jobTracing)(nil)
)

func (m *jobTracing) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	return m.inner.InsertMany(ctx, params, doInner)
}

func (m *jobTracing) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if sc := insertedBy(job.Metadata); sc.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	return m.inner.Work(ctx, job, doInner)
}

// insertedBy is the span context otelriver stored in a job's metadata
// when it was inserted, or an invalid one.
func insertedBy(metadata []byte) trace.SpanContext {
	var carrier struct {
		Traceparent string `json:"traceparent"`
		Tracestate  string `json:"tracestate"`
	}
	if len(metadata) == 0 || json.Unmarshal(metadata, &carrier) != nil || carrier.Traceparent == "" {
		return trace.SpanContext{}
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{
		"traceparent": carrier.Traceparent, "tracestate": carrier.Tracestate,
	})
	return trace.SpanContextFromContext(ctx)
}
