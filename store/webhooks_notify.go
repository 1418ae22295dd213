package store

import "github.com/google/uuid"

// TopicWebhook carries the id of each new webhook outbox event, announced
// by the outbox trigger at commit.
const TopicWebhook Topic = "clipcut_webhook"

// SubscribeWebhookEvents calls announced with each new outbox event's id
// until unsubscribe is called. listening runs each time the LISTEN is in
// place (see Handler), so the caller can sweep for events announced while
// it was not. Both run on the notifier's goroutine and must not block.
func (n *Notifier) SubscribeWebhookEvents(listening func(missed bool), announced func(uuid.UUID)) (unsubscribe func()) {
	return n.subscribeIDs(TopicWebhook, listening, announced)
}
