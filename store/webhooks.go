package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Webhook is an endpoint an owner registered for events about their videos.
type Webhook struct {
	ID      uuid.UUID
	OwnerID uuid.UUID
	URL     string
	// Events are the subscribed event types ("video.ready", ...).
	Events    []string
	Secret    string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// PreviousSecret is the secret rotateWebhookSecret replaced; it signs
	// beside Secret until PreviousSecretExpiresAt (both nil when none).
	PreviousSecret          *string
	PreviousSecretExpiresAt *time.Time
}

// SigningSecrets are the secrets that sign a delivery sent at now: the
// current one first, then the previous one while its grace period lasts.
func (w Webhook) SigningSecrets(now time.Time) []string {
	secrets := []string{w.Secret}
	if w.PreviousSecret != nil && w.PreviousSecretExpiresAt != nil && now.Before(*w.PreviousSecretExpiresAt) {
		secrets = append(secrets, *w.PreviousSecret)
	}
	return secrets
}

// GraceEnds is when the previous secret stops signing, or nil when only
// the current one signs at now.
func (w Webhook) GraceEnds(now time.Time) *time.Time {
	if w.PreviousSecretExpiresAt == nil || !now.Before(*w.PreviousSecretExpiresAt) {
		return nil
	}
	return w.PreviousSecretExpiresAt
}

const webhookColumns = `id, owner_id, url, events, secret, active, created_at, updated_at,
	previous_secret, previous_secret_expires_at`

func scanWebhook(row pgx.Row) (Webhook, error) {
	var w Webhook
	err := row.Scan(&w.ID, &w.OwnerID, &w.URL, &w.Events, &w.Secret, &w.Active, &w.CreatedAt, &w.UpdatedAt,
		&w.PreviousSecret, &w.PreviousSecretExpiresAt)
	return w, err
}

// MaxWebhooksPerOwner bounds how many endpoints one user may register.
const MaxWebhooksPerOwner = 20

// ErrTooManyWebhooks is returned by CreateWebhook past MaxWebhooksPerOwner.
var ErrTooManyWebhooks = fmt.Errorf("at most %d webhooks per user", MaxWebhooksPerOwner)

// CreateWebhook registers an endpoint for owner.
func (s *Store) CreateWebhook(ctx context.Context, owner uuid.UUID, url string, events []string, secret string) (Webhook, error) {
	var w Webhook
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// Serializes one owner's creations so the count holds.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('webhooks' || $1::text, 0))", owner); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhooks WHERE owner_id = $1`, owner).Scan(&n); err != nil {
			return err
		}
		if n >= MaxWebhooksPerOwner {
			return ErrTooManyWebhooks
		}
		var err error
		w, err = scanWebhook(tx.QueryRow(ctx, `
			INSERT INTO webhooks (owner_id, url, events, secret) VALUES ($1, $2, $3, $4)
			RETURNING `+webhookColumns, owner, url, events, secret))
		return err
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	return w, nil
}

// Webhooks lists owner's webhooks, newest first.
func (s *Store) Webhooks(ctx context.Context, owner uuid.UUID) ([]Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE owner_id = $1
		ORDER BY created_at DESC, id DESC`, owner)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) { return scanWebhook(r) })
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return ws, nil
}

// OwnedWebhook returns one of owner's webhooks, or ErrNotFound.
func (s *Store) OwnedWebhook(ctx context.Context, id, owner uuid.UUID) (Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1 AND owner_id = $2`, id, owner))
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook %s: %w", id, notFound(err))
	}
	return w, nil
}

// WebhookChanges are what UpdateWebhook may set; nil keeps a value.
type WebhookChanges struct {
	URL    *string
	Events []string // nil keeps them
	Active *bool
}

// UpdateWebhook changes one of owner's webhooks, or returns ErrNotFound.
func (s *Store) UpdateWebhook(ctx context.Context, id, owner uuid.UUID, c WebhookChanges) (Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `
		UPDATE webhooks SET url = coalesce($3, url), events = coalesce($4, events),
		       active = coalesce($5, active), updated_at = now()
		WHERE id = $1 AND owner_id = $2 RETURNING `+webhookColumns, id, owner, c.URL, c.Events, c.Active))
	if err != nil {
		return Webhook{}, fmt.Errorf("update webhook %s: %w", id, notFound(err))
	}
	return w, nil
}

// RotateWebhookSecret gives one of owner's webhooks a new signing secret.
// For grace (when positive) the replaced secret keeps signing beside it,
// so the receiver can switch without losing a delivery; a rotation during
// a grace period ends the older secret's at once (two secrets at most).
// ErrNotFound when the webhook is not owner's.
func (s *Store) RotateWebhookSecret(ctx context.Context, id, owner uuid.UUID, secret string, grace time.Duration) (Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `
		UPDATE webhooks SET
		       previous_secret = CASE WHEN $4::interval > interval '0' THEN secret END,
		       previous_secret_expires_at = CASE WHEN $4::interval > interval '0' THEN now() + $4::interval END,
		       secret = $3, updated_at = now()
		WHERE id = $1 AND owner_id = $2 RETURNING `+webhookColumns, id, owner, secret, grace))
	if err != nil {
		return Webhook{}, fmt.Errorf("rotate webhook secret %s: %w", id, notFound(err))
	}
	return w, nil
}

// DeleteWebhook removes one of owner's webhooks with its delivery log;
// deliveries still queued find nothing and stop.
func (s *Store) DeleteWebhook(ctx context.Context, id, owner uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1 AND owner_id = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete webhook %s: %w", id, ErrNotFound)
	}
	return nil
}

// Delivery statuses.
const (
	DeliveryPending   = "PENDING"
	DeliveryDelivered = "DELIVERED"
	DeliveryFailed    = "FAILED"
)

// WebhookDelivery is one event sent (or to be sent) to one endpoint.
type WebhookDelivery struct {
	ID             uuid.UUID
	EventID        uuid.UUID
	WebhookID      uuid.UUID
	EventType      string
	VideoID        *uuid.UUID
	Status         string
	Attempts       int
	LastStatusCode *int
	LastError      *string
	LastLatencyMS  *int
	NextAttemptAt  *time.Time
	RetryUntil     time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeliveredAt    *time.Time
}

const deliveryColumns = `d.id, d.event_id, d.webhook_id, e.type, e.video_id, d.status, d.attempts,
	d.last_status_code, d.last_error, d.last_latency_ms, d.next_attempt_at, d.retry_until,
	d.created_at, d.updated_at, d.delivered_at`

func scanDelivery(row pgx.Row) (WebhookDelivery, error) {
	var d WebhookDelivery
	err := row.Scan(&d.ID, &d.EventID, &d.WebhookID, &d.EventType, &d.VideoID, &d.Status, &d.Attempts,
		&d.LastStatusCode, &d.LastError, &d.LastLatencyMS, &d.NextAttemptAt, &d.RetryUntil,
		&d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt)
	return d, err
}

// DeliveryPage is one page of a webhook's delivery log, newest first.
type DeliveryPage struct {
	Deliveries []WebhookDelivery
	HasNext    bool
}

// DeliveryCursor returns the cursor that points at d.
func DeliveryCursor(d WebhookDelivery) Cursor { return Cursor{CreatedAt: d.CreatedAt, ID: d.ID} }

// WebhookDeliveries lists the deliveries of one of owner's webhooks,
// newest first; ErrNotFound when the webhook is not owner's.
func (s *Store) WebhookDeliveries(ctx context.Context, webhookID, owner uuid.UUID, first int, after *Cursor) (DeliveryPage, error) {
	if _, err := s.OwnedWebhook(ctx, webhookID, owner); err != nil {
		return DeliveryPage{}, err
	}
	args := []any{webhookID, first + 1}
	where := `d.webhook_id = $1`
	if after != nil {
		where += ` AND (d.created_at, d.id) < ($3, $4)`
		args = append(args, after.CreatedAt, after.ID)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+`
		FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		WHERE `+where+` ORDER BY d.created_at DESC, d.id DESC LIMIT $2`, args...)
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("webhook deliveries: %w", err)
	}
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WebhookDelivery, error) { return scanDelivery(r) })
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("webhook deliveries: %w", err)
	}
	page := DeliveryPage{Deliveries: ds}
	if len(ds) > first {
		page.Deliveries, page.HasNext = ds[:first], true
	}
	return page, nil
}

// WebhookDelivery returns one delivery by id (for trusted callers).
func (s *Store) WebhookDelivery(ctx context.Context, id uuid.UUID) (WebhookDelivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`
		FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1`, id))
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("webhook delivery %s: %w", id, notFound(err))
	}
	return d, nil
}

// WebhookEvent is one row of the outbox.
type WebhookEvent struct {
	ID        uuid.UUID
	Type      string
	VideoID   *uuid.UUID
	Version   int
	Data      json.RawMessage
	CreatedAt time.Time
}

// OutgoingDelivery is what one delivery attempt needs.
type OutgoingDelivery struct {
	Delivery WebhookDelivery
	Event    WebhookEvent
	Webhook  Webhook
}

// OutgoingDelivery loads a delivery with its event and endpoint, or
// ErrNotFound when the endpoint (and with it the delivery) was deleted.
func (s *Store) OutgoingDelivery(ctx context.Context, id uuid.UUID) (OutgoingDelivery, error) {
	var o OutgoingDelivery
	d := &o.Delivery
	w := &o.Webhook
	e := &o.Event
	err := s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`,
		       e.id, e.type, e.video_id, e.version, e.data, e.created_at,
		       w.id, w.owner_id, w.url, w.events, w.secret, w.active, w.created_at, w.updated_at,
		       w.previous_secret, w.previous_secret_expires_at
		FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event_id
		JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.id = $1`, id).Scan(
		&d.ID, &d.EventID, &d.WebhookID, &d.EventType, &d.VideoID, &d.Status, &d.Attempts,
		&d.LastStatusCode, &d.LastError, &d.LastLatencyMS, &d.NextAttemptAt, &d.RetryUntil,
		&d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt,
		&e.ID, &e.Type, &e.VideoID, &e.Version, &e.Data, &e.CreatedAt,
		&w.ID, &w.OwnerID, &w.URL, &w.Events, &w.Secret, &w.Active, &w.CreatedAt, &w.UpdatedAt,
		&w.PreviousSecret, &w.PreviousSecretExpiresAt)
	if err != nil {
		return OutgoingDelivery{}, fmt.Errorf("outgoing delivery %s: %w", id, notFound(err))
	}
	return o, nil
}

// DeliveryAttempt is the outcome of one attempt, for RecordDeliveryAttempt.
type DeliveryAttempt struct {
	StatusCode int // 0: no answer
	Error      string
	Latency    time.Duration
	// Status is the delivery's new status.
	Status string
	// NextAttemptAt is when the next attempt runs (PENDING only).
	NextAttemptAt *time.Time
}

// RecordDeliveryAttempt logs an attempt on a PENDING delivery. It reports
// false when the delivery is gone or no longer PENDING.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id uuid.UUID, a DeliveryAttempt) (bool, error) {
	var code *int
	if a.StatusCode != 0 {
		code = &a.StatusCode
	}
	var errText *string
	if a.Error != "" {
		e := a.Error
		if len(e) > 1000 {
			e = e[:1000]
		}
		errText = &e
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_status_code = $3,
		       last_error = $4, last_latency_ms = $5, next_attempt_at = $6, updated_at = now(),
		       delivered_at = CASE WHEN $2 = 'DELIVERED' THEN now() ELSE delivered_at END
		WHERE id = $1 AND status = 'PENDING'`,
		id, a.Status, code, errText, int(a.Latency/time.Millisecond), a.NextAttemptAt)
	if err != nil {
		return false, fmt.Errorf("record delivery attempt %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FailDelivery marks a PENDING delivery FAILED without an attempt (its
// endpoint was disabled, or retries ran out).
func (s *Store) FailDelivery(ctx context.Context, id uuid.UUID, reason string) error {
	_, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'FAILED', last_error = $2,
		next_attempt_at = NULL, updated_at = now() WHERE id = $1 AND status = 'PENDING'`, id, reason)
	if err != nil {
		return fmt.Errorf("fail delivery %s: %w", id, err)
	}
	return nil
}

// DispatchWebhookEventsTx fans up to limit undispatched outbox events out
// to the deliveries of the endpoints subscribed to them, and marks the
// events dispatched, in tx. Events locked by another dispatcher are
// skipped. It returns how many events it took and the new deliveries.
func (s *Store) DispatchWebhookEventsTx(ctx context.Context, tx pgx.Tx, limit int, retryWindow time.Duration) (int, []uuid.UUID, error) {
	rows, err := tx.Query(ctx, `
		SELECT id FROM webhook_events WHERE dispatched_at IS NULL
		ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return 0, nil, fmt.Errorf("dispatch webhook events: %w", err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(events) == 0 {
		return 0, nil, err
	}
	rows, err = tx.Query(ctx, `
		INSERT INTO webhook_deliveries (event_id, webhook_id, retry_until, next_attempt_at)
		SELECT e.id, w.id, now() + $2::interval, now()
		FROM webhook_events e JOIN webhooks w
		  ON (e.webhook_id IS NOT NULL AND w.id = e.webhook_id)
		  OR (e.webhook_id IS NULL AND w.owner_id = e.owner_id AND w.active AND e.type = ANY (w.events))
		WHERE e.id = ANY ($1)
		ORDER BY e.seq
		ON CONFLICT (event_id, webhook_id) DO NOTHING
		RETURNING id`, events, retryWindow)
	if err != nil {
		return 0, nil, fmt.Errorf("dispatch webhook events: %w", err)
	}
	deliveries, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, nil, fmt.Errorf("dispatch webhook events: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE webhook_events SET dispatched_at = now() WHERE id = ANY ($1)`, events); err != nil {
		return 0, nil, fmt.Errorf("dispatch webhook events: %w", err)
	}
	return len(events), deliveries, nil
}

// CreateTestDeliveryTx writes an event of eventType with data for one of
// owner's webhooks only, already dispatched to its one delivery, in tx, and
// returns the delivery. testWebhook uses it for webhook.test events.
func (s *Store) CreateTestDeliveryTx(ctx context.Context, tx pgx.Tx, webhookID, owner uuid.UUID, eventType string, data any, retryWindow time.Duration) (WebhookDelivery, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("test delivery: %w", err)
	}
	d, err := scanDelivery(tx.QueryRow(ctx, `
		WITH e AS (
			INSERT INTO webhook_events (type, owner_id, webhook_id, data, dispatched_at)
			SELECT $3, owner_id, id, $4, now() FROM webhooks WHERE id = $1 AND owner_id = $2
			RETURNING *),
		d AS (
			INSERT INTO webhook_deliveries (event_id, webhook_id, retry_until, next_attempt_at)
			SELECT e.id, e.webhook_id, now() + $5::interval, now() FROM e
			RETURNING *)
		SELECT `+deliveryColumns+` FROM d JOIN e ON e.id = d.event_id`,
		webhookID, owner, eventType, payload, retryWindow))
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("test delivery for webhook %s: %w", webhookID, notFound(err))
	}
	return d, nil
}

// ErrDeliveryPending is returned by RedeliverTx for a delivery that is
// still being attempted.
var ErrDeliveryPending = fmt.Errorf("the delivery is still pending")

// RedeliverTx puts a DELIVERED or FAILED delivery of one of owner's
// webhooks back to PENDING with a fresh retry window, in tx. The event,
// and so its id, stay the same.
func (s *Store) RedeliverTx(ctx context.Context, tx pgx.Tx, deliveryID, owner uuid.UUID, retryWindow time.Duration) (WebhookDelivery, error) {
	var status string
	err := tx.QueryRow(ctx, `
		SELECT d.status FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.id = $1 AND w.owner_id = $2 FOR UPDATE OF d`, deliveryID, owner).Scan(&status)
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("redeliver %s: %w", deliveryID, notFound(err))
	}
	if status == DeliveryPending {
		return WebhookDelivery{}, ErrDeliveryPending
	}
	d, err := scanDelivery(tx.QueryRow(ctx, `
		WITH u AS (
			UPDATE webhook_deliveries SET status = 'PENDING', retry_until = now() + $2::interval,
			       next_attempt_at = now(), updated_at = now()
			WHERE id = $1 RETURNING *)
		SELECT `+deliveryColumns+` FROM u d JOIN webhook_events e ON e.id = d.event_id`, deliveryID, retryWindow))
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("redeliver %s: %w", deliveryID, err)
	}
	return d, nil
}

// DeleteOldWebhookEvents removes outbox events (and their deliveries)
// older than before, up to limit rows, and reports how many went.
func (s *Store) DeleteOldWebhookEvents(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhook_events WHERE id IN (
		SELECT id FROM webhook_events WHERE created_at < $1 AND dispatched_at IS NOT NULL LIMIT $2)`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("delete old webhook events: %w", err)
	}
	return tag.RowsAffected(), nil
}
