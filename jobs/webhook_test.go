package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

// loopback lets the test's receivers on 127.0.0.1 be reached; the default
// policy refuses them.
var loopback = webhook.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// fastRetries retries quickly, for tests.
func fastRetries(policy webhook.Policy, window time.Duration) jobs.WebhookSettings {
	return jobs.WebhookSettings{
		Client:      webhook.NewClient(webhook.Options{Policy: policy, Timeout: time.Second}),
		RetryWindow: window, BackoffBase: 50 * time.Millisecond, BackoffMax: 300 * time.Millisecond,
	}
}

// newWebhookPipeline is the pipeline with the webhooks queue, its
// settings and the outbox listener, as clipcut serve runs them.
func newWebhookPipeline(t *testing.T, settings jobs.WebhookSettings, transcriber media.Transcriber) *pipeline {
	t.Helper()
	return newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: transcriber, webhooks: &settings})
}

// receiver is a webhook endpoint on loopback that checks signatures and
// records what it got.
type receiver struct {
	t      *testing.T
	secret atomic.Pointer[string]
	srv    *httptest.Server
	// failFirst answers 500 to this many requests before recovering.
	failFirst atomic.Int32

	mu       sync.Mutex
	requests []received
}

type received struct {
	status   int
	envelope jobs.Envelope
	header   http.Header
	body     []byte
}

// currentSecret is the secret the receiver verifies with now.
func (r *receiver) currentSecret() string { return *r.secret.Load() }

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t}
	r.secret.Store(&secret)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		if err := webhook.Verify(r.currentSecret(), req.Header, body, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		var env jobs.Envelope
		require.NoError(t, json.Unmarshal(body, &env))
		require.Equal(t, env.ID.String(), req.Header.Get(webhook.EventIDHeader))
		require.Equal(t, env.Type, req.Header.Get(webhook.EventTypeHeader))
		status := http.StatusNoContent
		if r.failFirst.Add(-1) >= 0 {
			status = http.StatusInternalServerError
		}
		r.mu.Lock()
		r.requests = append(r.requests, received{status: status, envelope: env, header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// delivered returns the events answered with success, deduplicated by id
// the way a receiver does, in arrival order, and how many requests came.
func (r *receiver) delivered() ([]jobs.Envelope, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[uuid.UUID]bool{}
	var out []jobs.Envelope
	for _, req := range r.requests {
		if req.status < 300 && !seen[req.envelope.ID] {
			seen[req.envelope.ID] = true
			out = append(out, req.envelope)
		}
	}
	return out, len(r.requests)
}

func (r *receiver) waitFor(types ...string) []jobs.Envelope {
	r.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, _ := r.delivered()
		have := map[string]bool{}
		for _, e := range got {
			have[e.Type] = true
		}
		missing := false
		for _, typ := range types {
			missing = missing || !have[typ]
		}
		if !missing {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("still waiting for %v; got %v", types, typesOf(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func typesOf(es []jobs.Envelope) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

// brokenEngine is a transcriber whose configuration is wrong: subtitles
// fail for good and the video is READY regardless.
type brokenEngine struct{}

func (brokenEngine) Name() string                { return "broken" }
func (brokenEngine) Check(context.Context) error { return nil }
func (brokenEngine) Transcribe(context.Context, string, media.TranscribeOptions) (*media.Transcript, error) {
	return nil, fmt.Errorf("%w: the test engine has no model", media.ErrTranscriberConfig)
}

func TestWebhooksFollowAnUploadToReadyWithRetriesAndRedelivery(t *testing.T) {
	t.Parallel()
	settings := fastRetries(loopback, time.Minute)
	settings.Media = newSignedMedia(t)
	p := newWebhookPipeline(t, settings, brokenEngine{})
	ctx := context.Background()
	secret := webhook.NewSecret()
	recv := newReceiver(t, secret)
	recv.failFirst.Store(3) // the receiver is down for the first three requests
	hook, err := p.store.CreateWebhook(ctx, p.viewer.UserID, recv.srv.URL+"/hooks", webhook.Types, secret)
	require.NoError(t, err)

	id := p.upload(ffmpegClip(t, "clip.mp4", cat(testsrc("320x180", 25, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...))
	got := recv.waitFor(webhook.VideoCreated, webhook.VideoUploadCompleted, webhook.VideoPlayable,
		webhook.SubtitlesFailed, webhook.VideoReady)
	v, err := p.store.VideoByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, store.StatusReady, v.Status)

	recv.mu.Lock()
	for _, r := range recv.requests {
		requireZTimestamps(t, r.body)
	}
	recv.mu.Unlock()
	for _, e := range got {
		require.Equal(t, 1, e.Version)
		var data struct{ Video map[string]any }
		require.NoError(t, json.Unmarshal(e.Data, &data), string(e.Data))
		require.Equal(t, id.String(), data.Video["id"], e.Type)
		switch e.Type {
		case webhook.VideoReady, webhook.VideoPlayable:
			require.Equal(t, e.Type == webhook.VideoReady, data.Video["status"] == "READY")
			require.Equal(t, true, data.Video["playable"])
			pb, ok := data.Video["playback"].(map[string]any)
			require.True(t, ok, "%s carries playback: %s", e.Type, e.Data)
			require.Equal(t, testBase+layout.PublicPath(id)+"/hls/master.m3u8", pb["hls_url"], "public: stable, absolute")
			require.Nil(t, pb["expires_at"])
			require.NotEmpty(t, pb["renditions"])
			for _, r := range pb["renditions"].([]any) {
				r := r.(map[string]any)
				require.NotEmpty(t, r["name"])
				require.Positive(t, r["width"])
				require.Positive(t, r["height"])
				require.Positive(t, r["bandwidth"])
			}
		case webhook.SubtitlesFailed:
			require.Equal(t, "failed", data.Video["subtitles_status"])
		}
	}
	require.Len(t, got, 5, "one event per change: %v", typesOf(got))

	// Retries: three requests were answered 500 and their events came
	// again; the log shows the attempts.
	// The receiver has seen every request; the worker records each
	// answer just after it arrives, so wait for the log to settle.
	var page store.DeliveryPage
	require.Eventually(t, func() bool {
		var err error
		page, err = p.store.WebhookDeliveries(ctx, hook.ID, p.viewer.UserID, 20, nil)
		require.NoError(t, err)
		for _, d := range page.Deliveries {
			if d.Status == store.DeliveryPending {
				return false
			}
		}
		return len(page.Deliveries) == 5
	}, 60*time.Second, 20*time.Millisecond, "every delivery recorded as answered")
	attempts := 0
	var retried store.WebhookDelivery
	for _, d := range page.Deliveries {
		require.Equal(t, store.DeliveryDelivered, d.Status, "%+v", d)
		require.NotNil(t, d.DeliveredAt)
		attempts += d.Attempts
		if d.Attempts > 1 {
			retried = d
			require.NotNil(t, d.LastStatusCode)
		}
	}
	require.Equal(t, 5+3, attempts, "three failed attempts were retried")
	require.NotZero(t, retried.ID)
	_, requests := recv.delivered()
	require.Equal(t, 8, requests)

	// Redelivery: the same event, with the same id, comes again.
	d, err := p.videos.RedeliverWebhook(ctx, retried.ID, p.viewer.UserID)
	require.NoError(t, err)
	require.Equal(t, store.DeliveryPending, d.Status)
	_, err = p.videos.RedeliverWebhook(ctx, retried.ID, p.viewer.UserID)
	require.ErrorIs(t, err, store.ErrDeliveryPending, "a pending delivery is not queued twice")
	require.Eventually(t, func() bool { _, n := recv.delivered(); return n == 9 }, 30*time.Second, 50*time.Millisecond)
	recv.mu.Lock()
	last := recv.requests[len(recv.requests)-1]
	recv.mu.Unlock()
	require.Equal(t, retried.EventID, last.envelope.ID, "redelivered with the same event id")
	got, _ = recv.delivered()
	require.Len(t, got, 5, "deduplicated by id, nothing new")
	// Someone else's delivery cannot be redelivered.
	_, err = p.videos.RedeliverWebhook(ctx, retried.ID, uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound)

	// Deletion is an event too.
	require.NoError(t, p.videos.Delete(ctx, id, p.viewer))
	recv.waitFor(webhook.VideoDeleted)
}

// newWebhookWorkers runs the webhook jobs only, for tests without media.
func newWebhookWorkers(t *testing.T, settings jobs.WebhookSettings) (*store.Store, *river.Client[pgx.Tx], uuid.UUID) {
	t.Helper()
	st := storetest.NewStore(t)
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	workers := river.NewWorkers()
	deps := jobs.Deps{Store: st, Logger: logger, Webhooks: settings}
	jobs.Register(workers, deps)
	client, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{
		Logger: slog.New(slog.DiscardHandler), Workers: workers,
		Queues:            map[string]river.QueueConfig{jobs.QueueWebhooks: {MaxWorkers: 4}},
		FetchPollInterval: 100 * time.Millisecond,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, client.Start(ctx))
	notifier := store.NewNotifier(st.Pool(), logger)
	require.NoError(t, notifier.Start(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { jobs.ListenForWebhookEvents(ctx, notifier, client, logger) })
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 30*time.Second)
		defer stop()
		_ = client.Stop(stopCtx)
		cancel()
		wg.Wait()
		notifier.Stop()
	})
	authSvc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(t, err)
	sess, err := authSvc.SignUp(ctx, "owner@example.com", "correct horse", "Owner", auth.Client{})
	require.NoError(t, err)
	return st, client, sess.User.ID
}

// settled waits until every delivery of the webhook is DELIVERED or FAILED
// and returns them.
func settled(t *testing.T, st *store.Store, hookID, owner uuid.UUID, n int) []store.WebhookDelivery {
	t.Helper()
	var ds []store.WebhookDelivery
	require.Eventually(t, func() bool {
		page, err := st.WebhookDeliveries(context.Background(), hookID, owner, 50, nil)
		require.NoError(t, err)
		ds = page.Deliveries
		if len(ds) < n {
			return false
		}
		for _, d := range ds {
			if d.Status == store.DeliveryPending {
				return false
			}
		}
		return true
	}, 2*time.Minute, 50*time.Millisecond)
	return ds
}

func TestWebhookDeliveriesGiveUpAndBadReceiversDoNotBlockTheQueue(t *testing.T) {
	t.Parallel()
	// The retry window is long enough for the good receiver to be served,
	// even on a busy machine, while the bad ones are still being retried:
	// that order, not a clock, shows they do not block the queue.
	st, client, owner := newWebhookWorkers(t, fastRetries(loopback, 20*time.Second))
	ctx := context.Background()

	var downHits, hangHits atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downHits.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hangHits.Add(1)
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(60 * time.Second):
		}
	}))
	defer hang.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		chunk := make([]byte, 1<<20)
		for range 2048 { // 2 GiB, if anyone read it
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	secret := webhook.NewSecret()
	good := newReceiver(t, secret)

	mk := func(url string, events ...string) store.Webhook {
		h, err := st.CreateWebhook(ctx, owner, url, events, secret)
		require.NoError(t, err)
		return h
	}
	downHook := mk(down.URL, webhook.VideoCreated)
	hangHook := mk(hang.URL, webhook.VideoCreated)
	hugeHook := mk(huge.URL, webhook.VideoCreated)
	goodHook := mk(good.srv.URL, webhook.VideoCreated, webhook.SubtitlesReady)
	mk(good.srv.URL, webhook.VideoReady) // subscribed to other events: gets nothing

	v, err := st.CreateVideo(ctx, store.NewVideo{OwnerID: owner, Title: "Hello"})
	require.NoError(t, err)
	good.waitFor(webhook.VideoCreated)
	for _, h := range []store.Webhook{downHook, hangHook} {
		page, err := st.WebhookDeliveries(ctx, h.ID, owner, 50, nil)
		require.NoError(t, err)
		require.Len(t, page.Deliveries, 1)
		require.Equal(t, store.DeliveryPending, page.Deliveries[0].Status,
			"the good receiver is served while %s is still retried", h.URL)
	}
	require.NoError(t, st.SetSubtitlesStatus(ctx, v.ID, store.SubtitlesReady, nil))
	got := good.waitFor(webhook.VideoCreated, webhook.SubtitlesReady)
	require.Len(t, got, 2, "%v", typesOf(got))

	// The failing receivers are retried with backoff until the window
	// closes, then FAILED with the reason in the log.
	d := settled(t, st, downHook.ID, owner, 1)[0]
	require.Equal(t, store.DeliveryFailed, d.Status)
	require.Greater(t, d.Attempts, 2, "retried")
	require.EqualValues(t, d.Attempts, downHits.Load())
	require.Equal(t, 503, *d.LastStatusCode)
	require.Contains(t, *d.LastError, "503")

	d = settled(t, st, hangHook.ID, owner, 1)[0]
	require.Equal(t, store.DeliveryFailed, d.Status)
	require.Contains(t, *d.LastError, "timed out")
	require.Less(t, *d.LastLatencyMS, 5000)

	d = settled(t, st, hugeHook.ID, owner, 1)[0]
	require.Equal(t, store.DeliveryDelivered, d.Status, "a 2xx with a huge body is delivered; the body is not read")
	require.Less(t, *d.LastLatencyMS, 5000)

	// testWebhook reaches the one endpoint only.
	videos := video.New(video.Config{Store: st, Queue: jobs.NewQueue(client)})
	td, err := videos.SendTestWebhook(ctx, goodHook.ID, owner)
	require.NoError(t, err)
	require.Equal(t, webhook.Test, td.EventType)
	got = good.waitFor(webhook.Test)
	require.Len(t, got, 3)
	_, err = videos.SendTestWebhook(ctx, goodHook.ID, uuid.New())
	require.ErrorIs(t, err, store.ErrNotFound, "not someone else's webhook")
}

func TestWebhookDeliveriesRefuseLoopbackByDefault(t *testing.T) {
	t.Parallel()
	st, _, owner := newWebhookWorkers(t, jobs.WebhookSettings{
		RetryWindow: time.Second, BackoffBase: 50 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	ctx := context.Background()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	// Stored directly, as if the address had been public when the webhook
	// was created (DNS rebinding): the dial-time check still refuses it.
	hook, err := st.CreateWebhook(ctx, owner, srv.URL, []string{webhook.VideoCreated}, webhook.NewSecret())
	require.NoError(t, err)
	_, err = st.CreateVideo(ctx, store.NewVideo{OwnerID: owner, Title: "Hello"})
	require.NoError(t, err)
	d := settled(t, st, hook.ID, owner, 1)[0]
	require.Equal(t, store.DeliveryFailed, d.Status)
	require.Contains(t, *d.LastError, "not allowed")
	require.Zero(t, hits.Load(), "nothing reached the loopback receiver")
}
