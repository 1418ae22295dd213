package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/webhook"
)

// TestWebhooksFromTheRealBinary checks the wiring of webhooks in `clipcut
// serve`: the outbox trigger's notification reaches the process's
// listener, the dispatcher and delivery jobs run on their queue, and the
// request arrives signed. It also checks that the default policy refuses
// a loopback receiver, and that the operator's allow-list lets it in.
func TestWebhooksFromTheRealBinary(t *testing.T) {
	t.Parallel()

	type received struct {
		typ, id string
		body    []byte
		sig     string
	}
	got := make(chan received, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{typ: r.Header.Get("Clipcut-Event-Type"), id: r.Header.Get("Clipcut-Event-Id"), body: body, sig: r.Header.Get("Clipcut-Signature")}
	}))
	defer receiver.Close()

	// By default a loopback receiver is refused when the webhook is made.
	strict := startClipcut(t, traversableTempDir(t))
	strict.waitReady(t)
	res, _ := strict.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = strict.graphql(t, fmt.Sprintf(`mutation { createWebhook(input: {url: %q, events: [VIDEO_CREATED]}) { secret } }`, receiver.URL),
		"Authorization", "Bearer "+token)
	require.NotEmpty(t, res["errors"], "loopback refused by default: %v", res)
	ext := res["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)
	require.Equal(t, "BAD_USER_INPUT", ext["code"])
	strict.stop(t)

	p := startClipcut(t, traversableTempDir(t), "CLIPCUT_WEBHOOK_ALLOW_CIDRS=127.0.0.0/8")
	p.waitReady(t)
	res, _ = p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token = res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = p.graphql(t, fmt.Sprintf(`mutation { createWebhook(input: {url: %q, events: [VIDEO_CREATED]}) { secret webhook { id } } }`, receiver.URL),
		"Authorization", "Bearer "+token)
	require.Empty(t, res["errors"], "%v", res)
	created := res["data"].(map[string]any)["createWebhook"].(map[string]any)
	secret := created["secret"].(string)
	hookID := created["webhook"].(map[string]any)["id"].(string)

	next := func(want string) received {
		t.Helper()
		select {
		case r := <-got:
			require.Equal(t, want, r.typ)
			require.NoError(t, webhook.VerifySignature(secret, r.sig, r.body, 5*time.Minute, time.Now()), "signature of %s", r.typ)
			return r
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s delivery within 30s\n%s", want, p.log())
			return received{}
		}
	}

	res, _ = p.graphql(t, fmt.Sprintf(`mutation { testWebhook(id: %q) { id } }`, hookID), "Authorization", "Bearer "+token)
	require.Empty(t, res["errors"], "%v", res)
	next("webhook.test")

	// A change in the database becomes a delivery: trigger, LISTEN,
	// dispatch job, delivery job.
	res, _ = p.graphql(t, `mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: 1000}) { video { id } } }`,
		"Authorization", "Bearer "+token)
	require.Empty(t, res["errors"], "%v", res)
	videoID := res["data"].(map[string]any)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string)
	r := next("video.created")
	var event struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Version int    `json:"version"`
		Data    struct {
			Video struct {
				ID string `json:"id"`
			} `json:"video"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &event))
	require.Equal(t, r.id, event.ID)
	require.Equal(t, 1, event.Version)
	require.Equal(t, videoID, event.Data.Video.ID)
	p.stop(t)
}
