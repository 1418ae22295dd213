package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

// QueueWebhooks runs webhook dispatch and delivery with its own
// concurrency, so slow receivers never hold up video processing.
const QueueWebhooks = "webhooks"

// Defaults of WebhookSettings.
const (
	DefaultWebhookRetryWindow = video.DefaultWebhookRetryWindow
	DefaultWebhookBackoffBase = 10 * time.Second
	DefaultWebhookBackoffMax  = time.Hour
)

// webhookMaxAttempts only backs up the retry window: with the default
// backoff, 24 hours take about 32 attempts.
const webhookMaxAttempts = 100

// WebhookSettings configure webhook deliveries. The zero value reaches
// public addresses only and retries for 24 hours.
type WebhookSettings struct {
	// Client sends the requests (nil: webhook.NewClient with the default,
	// public-only policy).
	Client *webhook.Client
	// RetryWindow is how long a failing delivery is retried before it is
	// marked FAILED (DefaultWebhookRetryWindow).
	RetryWindow time.Duration
	// BackoffBase is the wait after the first failed attempt; it doubles
	// with each further failure (DefaultWebhookBackoffBase).
	BackoffBase time.Duration
	// BackoffMax caps the wait between attempts (DefaultWebhookBackoffMax).
	BackoffMax time.Duration
	// Media builds the playback URLs of video.playable, video.ready and
	// video.edited payloads (nil: those payloads carry no playback).
	Media WebhookMedia
	// PlaybackTTL is how long a private video's signed playback URLs in a
	// payload stay valid, from the attempt that sends them
	// (DefaultWebhookPlaybackTTL).
	PlaybackTTL time.Duration
}

func (s WebhookSettings) withDefaults() WebhookSettings {
	if s.Client == nil {
		s.Client = webhook.NewClient(webhook.Options{})
	}
	if s.RetryWindow <= 0 {
		s.RetryWindow = DefaultWebhookRetryWindow
	}
	if s.BackoffBase <= 0 {
		s.BackoffBase = DefaultWebhookBackoffBase
	}
	if s.BackoffMax <= 0 {
		s.BackoffMax = DefaultWebhookBackoffMax
	}
	if s.PlaybackTTL <= 0 {
		s.PlaybackTTL = DefaultWebhookPlaybackTTL
	}
	return s
}

// Window is the retry window, defaults applied.
func (s WebhookSettings) Window() time.Duration { return s.withDefaults().RetryWindow }

// backoff is the wait after failed attempt n (1-based): base * 2^(n-1),
// capped, plus up to 10% jitter derived from the job so NextRetry and the
// delivery log agree, and many failing deliveries do not retry in step.
func (s WebhookSettings) backoff(attempt int, jobID int64) time.Duration {
	d := s.BackoffBase
	for i := 1; i < attempt && d < s.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.BackoffMax)
	h := fnv.New32a()
	fmt.Fprintf(h, "%d/%d", jobID, attempt)
	return d + time.Duration(int64(h.Sum32()%1000)*int64(d)/10000)
}

// WebhookDeliveryArgs sends one event to one endpoint.
type WebhookDeliveryArgs struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind is the job's stable name.
func (WebhookDeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts puts deliveries on their own queue with enough attempts for
// the retry window.
func (WebhookDeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: webhookMaxAttempts}
}

// WebhookDeliveryWorker POSTs a delivery's event to its endpoint, signed,
// and records the outcome. A failed attempt is retried with exponential
// backoff until the retry window closes; then the delivery is FAILED.
// Delivery is at least once: an attempt whose outcome could not be recorded
// is made again, with the same event id.
type WebhookDeliveryWorker struct {
	river.WorkerDefaults[WebhookDeliveryArgs]
	deps     Deps
	settings WebhookSettings
}

func newWebhookDeliveryWorker(deps Deps) *WebhookDeliveryWorker {
	return &WebhookDeliveryWorker{deps: deps, settings: deps.Webhooks.withDefaults()}
}

// Timeout bounds an attempt; the HTTP client's own timeout is shorter.
func (w *WebhookDeliveryWorker) Timeout(*river.Job[WebhookDeliveryArgs]) time.Duration {
	return 2 * time.Minute
}

// NextRetry is the exponential backoff of WebhookSettings.
func (w *WebhookDeliveryWorker) NextRetry(job *river.Job[WebhookDeliveryArgs]) time.Time {
	return time.Now().Add(w.settings.backoff(job.Attempt, job.ID))
}

// Envelope is the JSON body of every delivery. Every timestamp in it, the
// data's included, is RFC 3339 in UTC with a "Z".
type Envelope struct {
	ID        uuid.UUID       `json:"id"`
	Type      string          `json:"type"`
	Version   int             `json:"version"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Work makes one attempt.
func (w *WebhookDeliveryWorker) Work(ctx context.Context, job *river.Job[WebhookDeliveryArgs]) error {
	st, log := w.deps.Store, w.deps.Logger
	id := job.Args.DeliveryID
	o, err := st.OutgoingDelivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("delivery %s: its webhook was deleted", id))
	}
	if err != nil {
		return err
	}
	if o.Delivery.Status != store.DeliveryPending {
		return nil // a duplicate job, or already settled
	}
	if !o.Webhook.Active && o.Event.Type != webhook.Test {
		return st.FailDelivery(ctx, id, "The webhook was disabled before this event could be delivered.")
	}
	data, err := w.webhookData(ctx, o)
	if err != nil {
		return err // the database: retried like a failed attempt
	}
	body, err := json.Marshal(Envelope{ID: o.Event.ID, Type: o.Event.Type, Version: o.Event.Version,
		CreatedAt: o.Event.CreatedAt.UTC(), Data: data})
	if err != nil {
		return river.JobCancel(fmt.Errorf("delivery %s: encode: %w", id, err))
	}
	res := w.settings.Client.Send(ctx, webhook.Request{
		URL: o.Webhook.URL, Secrets: o.Webhook.SigningSecrets(time.Now()), Body: body,
		EventID: o.Event.ID.String(), EventType: o.Event.Type, DeliveryID: id.String(),
	})
	attrs := []any{"delivery_id", id, "webhook_id", o.Webhook.ID, "event_id", o.Event.ID,
		"event_type", o.Event.Type, "attempt", job.Attempt, "status_code", res.StatusCode, "latency", res.Latency}
	if res.Err == nil {
		if _, err := st.RecordDeliveryAttempt(ctx, id, store.DeliveryAttempt{
			StatusCode: res.StatusCode, Latency: res.Latency, Status: store.DeliveryDelivered}); err != nil {
			return err // retried: the receiver deduplicates by event id
		}
		log.DebugContext(ctx, "webhook delivered", attrs...)
		return nil
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err() // shutting down: not the receiver's fault, not an attempt
	}
	next := time.Now().Add(w.settings.backoff(job.Attempt, job.ID))
	attempt := store.DeliveryAttempt{StatusCode: res.StatusCode, Error: res.Err.Error(), Latency: res.Latency,
		Status: store.DeliveryPending, NextAttemptAt: &next}
	final := next.After(o.Delivery.RetryUntil) || job.Attempt >= job.MaxAttempts
	if final {
		attempt.Status, attempt.NextAttemptAt = store.DeliveryFailed, nil
	}
	if _, err := st.RecordDeliveryAttempt(ctx, id, attempt); err != nil {
		return errors.Join(res.Err, err)
	}
	if final {
		log.WarnContext(ctx, "webhook delivery failed for good", append(attrs, "error", res.Err)...)
		return river.JobCancel(fmt.Errorf("webhook delivery %s gave up after %d attempts: %w", id, job.Attempt, res.Err))
	}
	log.InfoContext(ctx, "webhook delivery failed; will retry", append(attrs, "error", res.Err, "next_attempt_at", next)...)
	return fmt.Errorf("webhook delivery %s: %w", id, res.Err)
}
