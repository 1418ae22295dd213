package graph_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const createWebhookMutation = `mutation($in: CreateWebhookInput!) {
	createWebhook(input: $in) { secret webhook { id url events active } } }`

func TestCreateWebhookRefusesBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.signUp("ada@example.com", "Ada")
	for _, tc := range []struct {
		name   string
		in     map[string]any
		field  string
		reason string
	}{
		{"not a URL", map[string]any{"url": "not a url", "events": []string{"VIDEO_READY"}}, "url", "https://"},
		{"ftp", map[string]any{"url": "ftp://93.184.215.14/x", "events": []string{"VIDEO_READY"}}, "url", "https://"},
		{"credentials", map[string]any{"url": "https://u:p@93.184.215.14/x", "events": []string{"VIDEO_READY"}}, "url", "password"},
		{"loopback", map[string]any{"url": "http://127.0.0.1:8080/x", "events": []string{"VIDEO_READY"}}, "url", "127.0.0.1"},
		{"private", map[string]any{"url": "http://10.0.0.7/x", "events": []string{"VIDEO_READY"}}, "url", "10.0.0.7"},
		{"metadata", map[string]any{"url": "http://169.254.169.254/latest", "events": []string{"VIDEO_READY"}}, "url", "169.254.169.254"},
		{"ipv6 loopback", map[string]any{"url": "http://[::1]/x", "events": []string{"VIDEO_READY"}}, "url", "::1"},
		{"name resolving to loopback", map[string]any{"url": "http://localhost/x", "events": []string{"VIDEO_READY"}}, "url", "localhost"},
		{"no events", map[string]any{"url": "https://93.184.215.14/x", "events": []string{}}, "events", "at least one"},
		{"short secret", map[string]any{"url": "https://93.184.215.14/x", "events": []string{"VIDEO_READY"}, "secret": "short"}, "secret", "16 to 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.query(createWebhookMutation, map[string]any{"in": tc.in}, bearer(ada.Token))
			require.Equal(t, "BAD_USER_INPUT", r.code(), "%+v", r.Errors)
			require.Equal(t, tc.field, r.Errors[0].Extensions["field"])
			require.Contains(t, r.Errors[0].Message, tc.reason)
		})
	}
	// An event name outside the enum fails GraphQL validation, naming it,
	// before any resolver runs.
	r := e.query(createWebhookMutation, map[string]any{"in": map[string]any{
		"url": "https://93.184.215.14/x", "events": []string{"VIDEO_EXPLODED"}}}, bearer(ada.Token))
	require.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.code())
	require.Contains(t, r.Errors[0].Message, "VIDEO_EXPLODED")

	r = e.query(createWebhookMutation, map[string]any{"in": map[string]any{
		"url": "https://93.184.215.14/x", "events": []string{"VIDEO_READY"}}})
	require.Equal(t, "UNAUTHENTICATED", r.code())
}

func TestWebhooksAreTheirOwnersOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.signUp("ada@example.com", "Ada")
	bob := e.signUp("bob@example.com", "Bob")

	var created struct {
		CreateWebhook struct {
			Secret  string
			Webhook struct {
				ID     string
				URL    string
				Events []string
				Active bool
			}
		}
	}
	e.decode(e.query(createWebhookMutation, map[string]any{"in": map[string]any{
		"url": "https://93.184.215.14/hooks", "events": []string{"VIDEO_READY", "SUBTITLES_FAILED", "VIDEO_READY"}}},
		bearer(ada.Token)), &created)
	w := created.CreateWebhook
	require.Regexp(t, `^whsec_[A-Za-z0-9_-]{43}$`, w.Secret)
	require.Equal(t, []string{"VIDEO_READY", "SUBTITLES_FAILED"}, w.Webhook.Events)
	require.True(t, w.Webhook.Active)

	var own struct{ Webhooks []struct{ ID, URL string } }
	e.decode(e.query(`{ webhooks { id url } }`, nil, bearer(ada.Token)), &own)
	require.Len(t, own.Webhooks, 1)
	e.decode(e.query(`{ webhooks { id url } }`, nil, bearer(bob.Token)), &own)
	require.Empty(t, own.Webhooks, "Bob sees none of Ada's")

	id := w.Webhook.ID
	for _, q := range []string{
		`mutation($id: ID!) { updateWebhook(input: {id: $id, active: false}) { id } }`,
		`mutation($id: ID!) { deleteWebhook(id: $id) }`,
		`mutation($id: ID!) { testWebhook(id: $id) { id } }`,
		`query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { id } } } }`,
	} {
		r := e.query(q, map[string]any{"id": id}, bearer(bob.Token))
		require.Equal(t, "NOT_FOUND", r.code(), q)
	}

	var updated struct {
		UpdateWebhook struct {
			Active bool
			Events []string
		}
	}
	e.decode(e.query(`mutation($id: ID!) { updateWebhook(input: {id: $id, active: false, events: [VIDEO_DELETED]}) { active events } }`,
		map[string]any{"id": id}, bearer(ada.Token)), &updated)
	require.False(t, updated.UpdateWebhook.Active)
	require.Equal(t, []string{"VIDEO_DELETED"}, updated.UpdateWebhook.Events)
	r := e.query(`mutation($id: ID!) { updateWebhook(input: {id: $id, url: "http://192.168.0.1/"}) { id } }`,
		map[string]any{"id": id}, bearer(ada.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "url", r.Errors[0].Extensions["field"])

	// testWebhook queues a delivery (no workers run here) that the log lists.
	var tested struct {
		TestWebhook struct{ ID, EventType, Status string }
	}
	e.decode(e.query(`mutation($id: ID!) { testWebhook(id: $id) { id eventType status } }`,
		map[string]any{"id": id}, bearer(ada.Token)), &tested)
	require.Equal(t, "webhook.test", tested.TestWebhook.EventType)
	require.Equal(t, "PENDING", tested.TestWebhook.Status)
	var log struct {
		WebhookDeliveries struct {
			Edges []struct {
				Node struct{ ID, EventType string }
			}
			PageInfo struct{ HasNextPage bool }
		}
	}
	e.decode(e.query(`query($id: ID!) { webhookDeliveries(webhookId: $id, first: 5) { edges { node { id eventType } } pageInfo { hasNextPage } } }`,
		map[string]any{"id": id}, bearer(ada.Token)), &log)
	require.Len(t, log.WebhookDeliveries.Edges, 1)
	require.Equal(t, tested.TestWebhook.ID, log.WebhookDeliveries.Edges[0].Node.ID)
	r = e.query(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, map[string]any{"id": tested.TestWebhook.ID}, bearer(ada.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "still pending")
	r = e.query(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, map[string]any{"id": tested.TestWebhook.ID}, bearer(bob.Token))
	require.Equal(t, "NOT_FOUND", r.code())

	var deleted struct{ DeleteWebhook bool }
	e.decode(e.query(`mutation($id: ID!) { deleteWebhook(id: $id) }`, map[string]any{"id": id}, bearer(ada.Token)), &deleted)
	require.True(t, deleted.DeleteWebhook)
	e.decode(e.query(`{ webhooks { id url } }`, nil, bearer(ada.Token)), &own)
	require.Empty(t, own.Webhooks)
}

func TestRotateWebhookSecretShowsTheNewSecretOnceToTheOwnerOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.signUp("ada@example.com", "Ada")
	bob := e.signUp("bob@example.com", "Bob")
	var created struct {
		CreateWebhook struct {
			Secret  string
			Webhook struct{ ID string }
		}
	}
	e.decode(e.query(createWebhookMutation, map[string]any{"in": map[string]any{
		"url": "https://93.184.215.14/hooks", "events": []string{"VIDEO_READY"}}}, bearer(ada.Token)), &created)
	id := created.CreateWebhook.Webhook.ID

	const rotate = `mutation($id: ID!, $g: Int) { rotateWebhookSecret(id: $id, gracePeriod: $g) {
		secret webhook { id previousSecretExpiresAt } } }`
	type rotated struct {
		RotateWebhookSecret struct {
			Secret  string
			Webhook struct {
				ID                      string
				PreviousSecretExpiresAt *time.Time
			}
		}
	}
	// The default grace period: 24 hours.
	var r1 rotated
	e.decode(e.query(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { id previousSecretExpiresAt } } }`,
		map[string]any{"id": id}, bearer(ada.Token)), &r1)
	require.Regexp(t, `^whsec_[A-Za-z0-9_-]{43}$`, r1.RotateWebhookSecret.Secret)
	require.NotEqual(t, created.CreateWebhook.Secret, r1.RotateWebhookSecret.Secret)
	grace := r1.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt
	require.NotNil(t, grace)
	require.WithinDuration(t, time.Now().Add(24*time.Hour), *grace, time.Hour)
	var list struct {
		Webhooks []struct{ PreviousSecretExpiresAt *time.Time }
	}
	e.decode(e.query(`{ webhooks { previousSecretExpiresAt } }`, nil, bearer(ada.Token)), &list)
	require.True(t, grace.Equal(*list.Webhooks[0].PreviousSecretExpiresAt), "listed too; the secret is not")

	// No grace period: only the new secret signs.
	var r2 rotated
	e.decode(e.query(rotate, map[string]any{"id": id, "g": 0}, bearer(ada.Token)), &r2)
	require.Nil(t, r2.RotateWebhookSecret.Webhook.PreviousSecretExpiresAt)
	require.NotEqual(t, r1.RotateWebhookSecret.Secret, r2.RotateWebhookSecret.Secret)

	for _, g := range []int{-1, 7*86400 + 1} {
		r := e.query(rotate, map[string]any{"id": id, "g": g}, bearer(ada.Token))
		require.Equal(t, "BAD_USER_INPUT", r.code(), "gracePeriod %d", g)
		require.Equal(t, "gracePeriod", r.Errors[0].Extensions["field"])
	}
	require.Equal(t, "NOT_FOUND", e.query(rotate, map[string]any{"id": id}, bearer(bob.Token)).code(), "Ada's webhook")
	require.Equal(t, "UNAUTHENTICATED", e.query(rotate, map[string]any{"id": id}).code())
	readOnly := e.createToken(ada.Token, "read", []string{"WEBHOOKS_READ"}, nil)
	require.Equal(t, "FORBIDDEN", e.query(rotate, map[string]any{"id": id}, bearer(readOnly)).code(), "needs webhooks:write")
}
