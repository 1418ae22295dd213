package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/store"
)

// webhookEventRetention is how long outbox events and their delivery log
// are kept.
const webhookEventRetention = 30 * 24 * time.Hour

// WebhookDispatchArgs fans undispatched outbox events out to deliveries.
// The listener inserts one per announced event (EventID set, unique by it
// so each event wakes one dispatcher across all workers); the periodic
// sweep inserts one without EventID, which catches whatever a listener
// missed and prunes old events.
type WebhookDispatchArgs struct {
	EventID uuid.UUID `json:"event_id,omitzero"`
}

// Kind is the job's stable name.
func (WebhookDispatchArgs) Kind() string { return "webhook_dispatch" }

// InsertOpts keeps one dispatcher per event, and one sweep per period.
func (a WebhookDispatchArgs) InsertOpts() river.InsertOpts {
	if a.EventID == uuid.Nil {
		return river.InsertOpts{Queue: QueueWebhooks, UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Second}}
	}
	return river.InsertOpts{Queue: QueueWebhooks, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WebhookDispatchWorker turns outbox events into delivery rows and
// delivery jobs, in one transaction per batch: an event is dispatched
// exactly when its deliveries and their jobs exist.
type WebhookDispatchWorker struct {
	river.WorkerDefaults[WebhookDispatchArgs]
	deps     Deps
	settings WebhookSettings
}

func newWebhookDispatchWorker(deps Deps) *WebhookDispatchWorker {
	return &WebhookDispatchWorker{deps: deps, settings: deps.Webhooks.withDefaults()}
}

// Timeout bounds one dispatch run.
func (w *WebhookDispatchWorker) Timeout(*river.Job[WebhookDispatchArgs]) time.Duration {
	return 2 * time.Minute
}

// Work dispatches every pending event, a batch at a time.
func (w *WebhookDispatchWorker) Work(ctx context.Context, job *river.Job[WebhookDispatchArgs]) error {
	const batch = 100
	st := w.deps.Store
	client := river.ClientFromContext[pgx.Tx](ctx)
	total := 0
	for range 50 { // at most 5000 events a run; the next run takes the rest
		var n int
		err := st.InTx(ctx, func(tx pgx.Tx) error {
			var ids []uuid.UUID
			var err error
			n, ids, err = st.DispatchWebhookEventsTx(ctx, tx, batch, w.settings.RetryWindow)
			if err != nil || len(ids) == 0 {
				return err
			}
			params := make([]river.InsertManyParams, len(ids))
			for i, id := range ids {
				params[i] = river.InsertManyParams{Args: WebhookDeliveryArgs{DeliveryID: id}}
			}
			_, err = client.InsertManyTx(ctx, tx, params)
			return err
		})
		if err != nil {
			return err
		}
		total += n
		if n < batch {
			break
		}
	}
	if total > 0 {
		w.deps.Logger.DebugContext(ctx, "dispatched webhook events", "events", total)
	}
	if job.Args.EventID == uuid.Nil {
		if _, err := st.DeleteOldWebhookEvents(ctx, time.Now().Add(-webhookEventRetention), 10000); err != nil {
			return err
		}
	}
	return nil
}

// webhookSweep is the periodic dispatcher run.
func webhookSweep() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return WebhookDispatchArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// ListenForWebhookEvents wakes a dispatcher for every event the outbox
// trigger announces, through the process's notifier, until ctx ends. Each
// time the notifier (re)connects it also queues a sweep for events
// announced while it was not listening. Worker processes run it; the
// periodic sweep covers the rest.
func ListenForWebhookEvents(ctx context.Context, notifier *store.Notifier, client *river.Client[pgx.Tx], logger *slog.Logger) {
	// The notifier's goroutine must not wait for River, so its callbacks
	// only note what to insert; this goroutine inserts.
	var w webhookWakeups
	w.wake = make(chan struct{}, 1)
	unsubscribe := notifier.SubscribeWebhookEvents(func(bool) { w.add(uuid.Nil) }, w.add)
	defer unsubscribe()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		sweep, ids := w.take()
		if sweep {
			insertWebhookDispatch(ctx, client, logger, WebhookDispatchArgs{})
		}
		for _, id := range ids {
			insertWebhookDispatch(ctx, client, logger, WebhookDispatchArgs{EventID: id})
		}
	}
}

// maxPendingWakeups bounds the ids waiting for their dispatcher job; past
// it, one sweep takes their place.
const maxPendingWakeups = 1000

// webhookWakeups collects announced event ids (uuid.Nil: sweep) between
// the notifier's goroutine and the listener's.
type webhookWakeups struct {
	mu    sync.Mutex
	ids   []uuid.UUID
	sweep bool
	wake  chan struct{}
}

func (w *webhookWakeups) add(id uuid.UUID) {
	w.mu.Lock()
	if id == uuid.Nil || len(w.ids) >= maxPendingWakeups {
		w.sweep = true
	} else {
		w.ids = append(w.ids, id)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *webhookWakeups) take() (sweep bool, ids []uuid.UUID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sweep, ids = w.sweep, w.ids
	w.sweep, w.ids = false, nil
	return sweep, ids
}

func insertWebhookDispatch(ctx context.Context, client *river.Client[pgx.Tx], logger *slog.Logger, args WebhookDispatchArgs) {
	if _, err := client.Insert(ctx, args, nil); err != nil && ctx.Err() == nil {
		logger.WarnContext(ctx, "cannot queue webhook dispatch; the periodic sweep will", "error", err)
	}
}
