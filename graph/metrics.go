package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// Metrics counts GraphQL operations for Prometheus, labelled by operation
// type and first root field (both bounded by the schema; client-chosen
// operation names are not used as labels).
type Metrics struct {
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
}

// NewMetrics registers the GraphQL metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clipcut_graphql_operations_total",
			Help: "GraphQL operations by type, root field and outcome (ok or error).",
		}, []string{"type", "field", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clipcut_graphql_operation_duration_seconds",
			Help:    "Time to execute GraphQL queries and mutations.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10),
		}, []string{"type", "field"}),
	}
	reg.MustRegister(m.operations, m.duration)
	return m
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = (*Metrics)(nil)

func (*Metrics) ExtensionName() string                   { return "Metrics" }
func (*Metrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse observes each response: one per query or mutation, one
// per event of a subscription (subscriptions are counted, not timed).
func (m *Metrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	typ, field := "unknown", "unknown"
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		for _, sel := range oc.Operation.SelectionSet {
			if f, ok := sel.(*ast.Field); ok {
				field = f.Name // the schema's name, not an alias
				break
			}
		}
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	m.operations.WithLabelValues(typ, field, outcome).Inc()
	if typ != "subscription" {
		m.duration.WithLabelValues(typ, field).Observe(time.Since(start).Seconds())
	}
	return resp
}
