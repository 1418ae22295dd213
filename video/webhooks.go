package video

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/webhook"
)

// SendTestWebhook queues a webhook.test event for one of owner's webhooks,
// in one transaction with its delivery job, and returns the delivery.
func (s *Service) SendTestWebhook(ctx context.Context, webhookID, owner uuid.UUID) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = s.store.CreateTestDeliveryTx(ctx, tx, webhookID, owner, webhook.Test, map[string]any{
			"webhook_id": webhookID,
			"message":    "This is a test event sent by testWebhook. Answer with any 2xx status.",
		}, s.retryWindow)
		if err != nil {
			return err
		}
		return s.queue.WebhookDeliveryTx(ctx, tx, d.ID)
	})
	return d, err
}

// RedeliverWebhook sends a DELIVERED or FAILED delivery of one of owner's
// webhooks again (same event, same id), with a fresh retry window, in one
// transaction with its job. A delivery still pending gives
// store.ErrDeliveryPending: it is retried on its own.
func (s *Service) RedeliverWebhook(ctx context.Context, deliveryID, owner uuid.UUID) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = s.store.RedeliverTx(ctx, tx, deliveryID, owner, s.retryWindow)
		if err != nil {
			return err
		}
		return s.queue.WebhookDeliveryTx(ctx, tx, d.ID)
	})
	return d, err
}
