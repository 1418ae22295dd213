package tracing

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// batchRecorder is an exporter that hands each batch it is given to the
// test, optionally holding the first export until released.
type batchRecorder struct {
	batches chan []string // each batch's span names
	hold    chan struct{} // when set, the first export waits for it to close
	entered chan struct{} // closed when the first export starts
	once    sync.Once

	mu       sync.Mutex
	shutdown bool
}

func newBatchRecorder() *batchRecorder {
	return &batchRecorder{batches: make(chan []string, 100), entered: make(chan struct{})}
}

func (r *batchRecorder) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	first := false
	r.once.Do(func() { first = true; close(r.entered) })
	if first && r.hold != nil {
		<-r.hold
	}
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	r.batches <- names
	return nil
}

func (r *batchRecorder) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shutdown = true
	return nil
}

// next is the next batch exported; the test fails if none comes in a
// minute (a span queued for export never left).
func (r *batchRecorder) next(t *testing.T) []string {
	t.Helper()
	select {
	case b := <-r.batches:
		return b
	case <-time.After(time.Minute):
		t.Fatal("no batch was exported")
		return nil
	}
}

func endSpans(tp *sdktrace.TracerProvider, names ...string) {
	for _, n := range names {
		_, s := tp.Tracer("test").Start(context.Background(), n)
		s.End()
	}
}

// A full batch leaves at once, without waiting for the schedule delay;
// what is left waits for the delay or a flush.
func TestBatcherExportsAFullBatchAtOnce(t *testing.T) {
	rec := newBatchRecorder()
	b := newBatcher(rec, batchOptions{delay: time.Hour, timeout: time.Minute, maxQueue: 10, maxBatch: 3}, func(err error) { t.Error(err) })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	defer tp.Shutdown(context.Background())

	endSpans(tp, "a", "b", "c")
	if got := strings.Join(rec.next(t), ","); got != "a,b,c" {
		t.Fatalf("first batch %s, want a,b,c", got)
	}
	endSpans(tp, "d", "e")
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// With the delay an hour, only the flush exported d and e.
	if got := strings.Join(rec.next(t), ","); got != "d,e" {
		t.Fatalf("flushed batch %s, want d,e", got)
	}
}

// A span that does not fill a batch leaves after the schedule delay.
func TestBatcherExportsAfterTheDelay(t *testing.T) {
	rec := newBatchRecorder()
	b := newBatcher(rec, batchOptions{delay: 10 * time.Millisecond, timeout: time.Minute, maxQueue: 2048, maxBatch: 512}, func(err error) { t.Error(err) })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	defer tp.Shutdown(context.Background())
	endSpans(tp, "alone")
	if got := strings.Join(rec.next(t), ","); got != "alone" {
		t.Fatalf("batch %s, want alone", got)
	}
}

// While an export is stuck, spans beyond the queue's size are dropped,
// not waited for, and the next export reports how many.
func TestBatcherDropsWhenTheQueueIsFull(t *testing.T) {
	rec := newBatchRecorder()
	rec.hold = make(chan struct{})
	errs := make(chan error, 10)
	b := newBatcher(rec, batchOptions{delay: time.Hour, timeout: time.Minute, maxQueue: 4, maxBatch: 2}, func(err error) { errs <- err })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	defer tp.Shutdown(context.Background())

	endSpans(tp, "1", "2") // a full batch: its export starts and is held
	<-rec.entered
	endSpans(tp, "3", "4", "5", "6", "7", "8") // the queue takes four
	close(rec.hold)
	var got []string
	for len(got) < 6 {
		got = append(got, rec.next(t)...)
	}
	if strings.Join(got, ",") != "1,2,3,4,5,6" {
		t.Fatalf("exported %v, want 1 to 6", got)
	}
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "dropped 2 spans") || !strings.Contains(err.Error(), "OTEL_BSP_MAX_QUEUE_SIZE=4") {
			t.Fatalf("error %q does not say two spans were dropped and which setting to raise", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the dropped spans were not reported")
	}
}

// Shutdown exports what is queued and shuts the exporter down; later
// spans, and unsampled ones at any time, are not queued.
func TestBatcherShutdownExportsWhatIsQueued(t *testing.T) {
	rec := newBatchRecorder()
	b := newBatcher(rec, batchOptions{delay: time.Hour, timeout: time.Minute, maxQueue: 2048, maxBatch: 512}, func(err error) { t.Error(err) })
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b), sdktrace.WithSampler(sdktrace.NeverSample()))
	endSpans(unsampled, "unsampled")
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	endSpans(tp, "x", "y")
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.next(t), ","); got != "x,y" {
		t.Fatalf("batch at shutdown %s, want x,y", got)
	}
	rec.mu.Lock()
	shut := rec.shutdown
	rec.mu.Unlock()
	if !shut {
		t.Fatal("the exporter was not shut down")
	}
	sampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled})
	b.OnEnd(tracetest.SpanStub{Name: "late", SpanContext: sampled}.Snapshot())
	b.mu.Lock()
	n := len(b.queue)
	b.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d spans queued after shutdown", n)
	}
	if err := b.ForceFlush(context.Background()); err != nil {
		t.Fatalf("flush after shutdown: %v", err)
	}
}

func TestReadBatchOptions(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	o, err := readBatchOptions(env(nil))
	if err != nil || o != (batchOptions{delay: 5 * time.Second, timeout: 30 * time.Second, maxQueue: 2048, maxBatch: 512}) {
		t.Fatalf("defaults %+v, %v", o, err)
	}
	o, err = readBatchOptions(env(map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_BSP_EXPORT_TIMEOUT": " 1000 ",
		"OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "512"}))
	if err != nil || o != (batchOptions{delay: 200 * time.Millisecond, timeout: time.Second, maxQueue: 100, maxBatch: 100}) {
		t.Fatalf("set %+v, %v (a batch larger than the queue is the queue)", o, err)
	}
	_, err = readBatchOptions(env(map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "5s", "OTEL_BSP_MAX_QUEUE_SIZE": "0"}))
	if err == nil || !strings.Contains(err.Error(), "OTEL_BSP_SCHEDULE_DELAY") || !strings.Contains(err.Error(), "OTEL_BSP_MAX_QUEUE_SIZE") {
		t.Fatalf("invalid settings: %v, want both named", err)
	}
}
