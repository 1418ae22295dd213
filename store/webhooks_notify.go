package store

import (
	"context"

	"github.com/google/uuid"
)

// WebhookChannel is the NOTIFY channel on which the outbox trigger
// announces each new webhook event's id.
const WebhookChannel = "clipcut_webhook"

// ListenWebhookEvents LISTENs on WebhookChannel and calls onEvent with each
// announced event id until ctx ends or the connection fails (it returns
// the error; the caller reconnects). onListening runs once the LISTEN is in
// place, so the caller can sweep for events announced before.
func (s *Store) ListenWebhookEvents(ctx context.Context, onListening func(), onEvent func(uuid.UUID)) error {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state: never hand it back to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+WebhookChannel); err != nil {
		return err
	}
	onListening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, err := uuid.Parse(n.Payload); err == nil {
			onEvent(id)
		}
	}
}
