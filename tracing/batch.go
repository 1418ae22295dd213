package tracing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// batcher is the span processor Setup installs in place of the
// OpenTelemetry SDK's BatchSpanProcessor, with the same settings
// (OTEL_BSP_*) and the same behaviour for whoever reads the traces:
// ended spans wait in a bounded queue and leave in batches from one
// goroutine, when a batch is full or the schedule delay has passed, and
// spans that find the queue full are dropped (and counted in a logged
// error) rather than slowing the request that ended them.
//
// The difference is the hand-over. The SDK's processor sends each ended
// span over a channel to its export goroutine, waking that goroutine
// once per span: two spans per video(id) request, each costing a
// goroutine switch and often a wake-up of an idle thread, about as much
// CPU as the span itself. Here a span is appended under a mutex and the
// goroutine is woken once per batch (BenchmarkRequestSpans compares the
// two).
type batcher struct {
	exporter sdktrace.SpanExporter
	opts     batchOptions

	mu      sync.Mutex
	queue   []sdktrace.ReadOnlySpan
	dropped int // spans refused since the last export, the queue being full
	stopped bool

	spare []sdktrace.ReadOnlySpan // the exporting goroutine's: the last queue, emptied, swapped back in

	full   chan struct{} // a batch is waiting; capacity 1
	flush  chan flushRequest
	stop   chan struct{} // closed by Shutdown
	exited chan struct{} // closed when run returns
	ctx    context.Context
	cancel context.CancelFunc // ends run's export when Shutdown's context does
	report func(error)        // given the errors of run's own exports
}

var _ sdktrace.SpanProcessor = (*batcher)(nil)

// batchOptions are the batch span processor's standard settings.
type batchOptions struct {
	delay    time.Duration // OTEL_BSP_SCHEDULE_DELAY: longest a span waits for a batch to fill
	timeout  time.Duration // OTEL_BSP_EXPORT_TIMEOUT: one batch's export, retries included
	maxQueue int           // OTEL_BSP_MAX_QUEUE_SIZE
	maxBatch int           // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
}

type flushRequest struct {
	ctx  context.Context
	done chan error
}

// readBatchOptions reads OTEL_BSP_SCHEDULE_DELAY and
// OTEL_BSP_EXPORT_TIMEOUT (milliseconds), OTEL_BSP_MAX_QUEUE_SIZE and
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE, with the specification's defaults (5 s,
// 30 s, 2048 and 512), reporting every value that is not a positive
// integer. A batch larger than the queue is the queue, as in the SDK.
func readBatchOptions(getenv func(string) string) (batchOptions, error) {
	var problems []error
	num := func(name string, def int) int {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		n, err := positiveSetting(name, v, "whole number")
		if err != nil {
			problems = append(problems, err)
			return def
		}
		return n
	}
	o := batchOptions{
		delay:    time.Duration(num("OTEL_BSP_SCHEDULE_DELAY", 5000)) * time.Millisecond,
		timeout:  time.Duration(num("OTEL_BSP_EXPORT_TIMEOUT", 30000)) * time.Millisecond,
		maxQueue: num("OTEL_BSP_MAX_QUEUE_SIZE", 2048),
		maxBatch: num("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512),
	}
	o.maxBatch = min(o.maxBatch, o.maxQueue)
	return o, errors.Join(problems...)
}

// newBatcher starts a batcher exporting to exporter; report is given
// the errors of the exports it makes on its own (Setup passes
// otel.Handle, which logs them).
func newBatcher(exporter sdktrace.SpanExporter, opts batchOptions, report func(error)) *batcher {
	b := &batcher{
		exporter: exporter,
		opts:     opts,
		full:     make(chan struct{}, 1),
		flush:    make(chan flushRequest),
		stop:     make(chan struct{}),
		exited:   make(chan struct{}),
		report:   report,
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.run()
	return b
}

// OnStart does nothing: spans are queued when they end.
func (*batcher) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues a sampled span for export, or drops it if the queue is
// full or the batcher is shut down.
func (b *batcher) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	if len(b.queue) >= b.opts.maxQueue {
		b.dropped++
		b.mu.Unlock()
		return
	}
	b.queue = append(b.queue, s)
	n := len(b.queue)
	b.mu.Unlock()
	if n == b.opts.maxBatch {
		select {
		case b.full <- struct{}{}:
		default: // already signalled
		}
	}
}

// run exports what is queued when a batch is full, when the schedule
// delay has passed since the last export, and when asked to flush.
func (b *batcher) run() {
	defer close(b.exited)
	t := time.NewTimer(b.opts.delay)
	defer t.Stop()
	for {
		var req flushRequest
		select {
		case <-b.stop:
			return
		case <-t.C:
		case <-b.full:
		case req = <-b.flush:
		}
		if req.done != nil {
			req.done <- b.export(req.ctx)
		} else if err := b.export(b.ctx); err != nil {
			b.report(err)
		}
		t.Reset(b.opts.delay)
	}
}

// export sends everything queued, in batches of at most maxBatch, each
// with its own timeout. Only run calls it, or Shutdown once run has
// returned.
func (b *batcher) export(ctx context.Context) error {
	b.mu.Lock()
	spans := b.queue
	b.queue = b.spare[:0]
	dropped := b.dropped
	b.dropped = 0
	b.mu.Unlock()

	var errs []error
	if dropped > 0 {
		errs = append(errs, fmt.Errorf("dropped %d spans: the queue of spans waiting for export was full (OTEL_BSP_MAX_QUEUE_SIZE=%d)", dropped, b.opts.maxQueue))
	}
	for rest := spans; len(rest) > 0; {
		n := min(len(rest), b.opts.maxBatch)
		if err := b.exportBatch(ctx, rest[:n]); err != nil {
			errs = append(errs, err)
		}
		rest = rest[n:]
	}
	clear(spans) // the spans are garbage now; the array is reused
	b.spare = spans[:0]
	return errors.Join(errs...)
}

func (b *batcher) exportBatch(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	ctx, cancel := context.WithTimeout(ctx, b.opts.timeout)
	defer cancel()
	return b.exporter.ExportSpans(ctx, spans)
}

// ForceFlush exports everything queued now and waits for it.
func (b *batcher) ForceFlush(ctx context.Context) error {
	req := flushRequest{ctx: ctx, done: make(chan error, 1)}
	select {
	case b.flush <- req:
	case <-b.exited: // shut down: Shutdown flushed
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops queueing, exports what is queued and shuts the exporter
// down. Spans that end afterwards are dropped.
func (b *batcher) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return nil
	}
	b.stopped = true
	b.mu.Unlock()
	close(b.stop)
	// An export under way ends with ctx.
	stopRun := context.AfterFunc(ctx, b.cancel)
	defer stopRun()
	select {
	case <-b.exited:
	case <-ctx.Done():
		return fmt.Errorf("stop the span batcher: %w", ctx.Err())
	}
	return errors.Join(b.export(ctx), b.exporter.Shutdown(ctx))
}
