package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/httpmeter"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/store"
)

// metrics are the process's Prometheus collectors, on a registry of its own
// (no global state).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	// chunks counts the transcode chunks this process encoded.
	chunks prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clipcut_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clipcut_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern (until the handler returns).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"route"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clipcut_jobs_total",
			Help: "Background job attempts by kind and outcome (completed, failed, cancelled, snoozed).",
		}, []string{"kind", "outcome"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clipcut_job_duration_seconds",
			Help:    "Background job run time by kind.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 12),
		}, []string{"kind"}),
		chunks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "clipcut_transcode_chunks_total",
			Help: "Chunks of long videos this process encoded (transcode_chunk jobs completed): with several workers, each one's share of the encoding.",
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.jobs, m.jobTime, m.chunks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// instrument records requests to one route; route is the mux pattern and
// the method is one of a fixed set (methodLabel), so label values are
// bounded. The route's latency histogram and each method and status's
// counter are looked up once, not hashed on every request.
func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	latency := m.latency.WithLabelValues(route)
	counters := &routeCounters{vec: m.requests, route: route}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The access log's writer records the status already; wrapping
		// again would cost an allocation per request.
		sw, ok := w.(*httpmeter.Writer)
		if !ok {
			sw = &httpmeter.Writer{ResponseWriter: w}
		}
		next.ServeHTTP(sw, r)
		if sw.Status == 0 {
			sw.Status = http.StatusOK
		}
		counters.get(methodLabel(r.Method), sw.Status).Inc()
		latency.Observe(time.Since(start).Seconds())
	})
}

// methodLabel is the method label of a request: a client may send any
// token as a method, which must not create a time series each.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// routeCounters caches one route's request counters by method and status.
type routeCounters struct {
	vec   *prometheus.CounterVec
	route string
	mu    sync.RWMutex
	m     map[routeCounterKey]prometheus.Counter
}

type routeCounterKey struct {
	method string
	code   int
}

func (c *routeCounters) get(method string, code int) prometheus.Counter {
	k := routeCounterKey{method, code}
	c.mu.RLock()
	ctr, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return ctr
	}
	ctr = c.vec.WithLabelValues(c.route, method, strconv.Itoa(code))
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[routeCounterKey]prometheus.Counter)
	}
	c.m[k] = ctr
	c.mu.Unlock()
	return ctr
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// observeJobs counts River job outcomes until ctx ends.
func (m *metrics) observeJobs(ctx context.Context, client *river.Client[pgx.Tx]) {
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			outcome := map[river.EventKind]string{
				river.EventKindJobCompleted: "completed", river.EventKindJobFailed: "failed",
				river.EventKindJobCancelled: "cancelled", river.EventKindJobSnoozed: "snoozed",
			}[ev.Kind]
			m.jobs.WithLabelValues(ev.Job.Kind, outcome).Inc()
			if ev.Kind == river.EventKindJobCompleted && ev.Job.Kind == (jobs.TranscodeChunkArgs{}).Kind() {
				m.chunks.Inc()
			}
			if ev.JobStats != nil {
				m.jobTime.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
			}
		}
	}
}

// queueCollector exports the job queue's depth by state when scraped, for
// autoscaling workers on backlog.
type queueCollector struct {
	store *store.Store
	desc  *prometheus.Desc
}

func newQueueCollector(s *store.Store) *queueCollector {
	return &queueCollector{store: s, desc: prometheus.NewDesc("clipcut_job_queue_depth",
		"Jobs waiting or running, by queue and state.", []string{"queue", "state"}, nil)}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depths, err := c.store.QueueDepths(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	// Every state of the default queue is exported, zero included, so
	// dashboards and autoscalers always have a series.
	counts := map[[2]string]int64{}
	for _, state := range []string{"available", "scheduled", "running", "retryable", "pending"} {
		counts[[2]string{river.QueueDefault, state}] = 0
	}
	for _, d := range depths {
		counts[[2]string{d.Queue, d.State}] = d.Count
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}
