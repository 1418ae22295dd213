package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/webhook"
)

// webhookEventName is an enum value's wire name: VIDEO_UPLOAD_COMPLETED is
// video.upload_completed.
func webhookEventName(e model.WebhookEventType) string {
	return strings.ToLower(strings.Replace(string(e), "_", ".", 1))
}

func webhookEventEnum(name string) model.WebhookEventType {
	return model.WebhookEventType(strings.ToUpper(strings.Replace(name, ".", "_", 1)))
}

// webhookEvents validates a list of subscribed events and returns their
// wire names, without duplicates.
func webhookEvents(field string, events []model.WebhookEventType) ([]string, error) {
	var names []string
	for _, e := range events {
		name := webhookEventName(e)
		if !webhook.ValidType(name) {
			return nil, badInput(field, "%s is not an event a webhook can subscribe to.", e)
		}
		if !strings.Contains(strings.Join(names, ","), name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, badInput(field, "Choose at least one event.")
	}
	return names, nil
}

// webhookURL checks a webhook URL's form and, with the instance's policy,
// the addresses it resolves to now.
func (r *Resolver) webhookURL(ctx context.Context, field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if err := r.WebhookPolicy.CheckURL(ctx, raw); err != nil {
		var ue *webhook.URLError
		if errors.As(err, &ue) {
			return "", badInput(field, "%s", ue.Reason)
		}
		return "", err
	}
	return raw, nil
}

// maxWebhookGrace is the longest grace period of rotateWebhookSecret, in
// seconds: 7 days.
const maxWebhookGrace = 7 * 86400

func webhookModel(w store.Webhook) *model.Webhook {
	m := &model.Webhook{ID: w.ID, URL: w.URL, Active: w.Active, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		PreviousSecretExpiresAt: w.GraceEnds(time.Now())}
	for _, e := range w.Events {
		m.Events = append(m.Events, webhookEventEnum(e))
	}
	return m
}

func deliveryModel(d store.WebhookDelivery) *model.WebhookDelivery {
	return &model.WebhookDelivery{
		ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, VideoID: d.VideoID,
		Status: model.WebhookDeliveryStatus(d.Status), Attempts: d.Attempts, LastStatusCode: d.LastStatusCode,
		LastError: d.LastError, LastLatencyMs: d.LastLatencyMS, NextAttemptAt: d.NextAttemptAt,
		CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt,
	}
}
