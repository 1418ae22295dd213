package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// idSubscriber records what one id topic's subscription hears.
type idSubscriber struct {
	listening chan bool
	ids       chan uuid.UUID
}

func newIDSubscriber() *idSubscriber {
	return &idSubscriber{listening: make(chan bool, 16), ids: make(chan uuid.UUID, 16)}
}

// Handlers run on the notifier's goroutine: hand over without blocking
// (the buffers are far larger than any test sends).
func (s *idSubscriber) onListening(missed bool) { s.listening <- missed }
func (s *idSubscriber) onID(id uuid.UUID)       { s.ids <- id }

func (s *idSubscriber) waitListening(t *testing.T, wantMissed bool) {
	t.Helper()
	select {
	case missed := <-s.listening:
		require.Equal(t, wantMissed, missed)
	case <-time.After(10 * time.Second):
		t.Fatal("subscription not listening within 10s")
	}
}

func (s *idSubscriber) next(t *testing.T) uuid.UUID {
	t.Helper()
	select {
	case id := <-s.ids:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no notification within 10s")
		return uuid.Nil
	}
}

// listenConnections counts the database's backends, other than the
// caller's, whose last statement was a LISTEN or UNLISTEN.
func listenConnections(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	require.NoError(t, s.Pool().QueryRow(context.Background(), `
		SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
		  AND query ~* '^\s*(un)?listen\s'`).Scan(&n))
	return n
}

func TestNotifierHoldsOneConnectionForEveryTopicAndResumesThemAfterReconnect(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := storetest.NewStore(t)
	logger := slog.New(slog.DiscardHandler)
	notifier := store.NewNotifier(s.Pool(), logger)
	require.NoError(t, notifier.Start(ctx))
	defer notifier.Stop()
	hub := store.NewHub(notifier, logger)
	require.NoError(t, hub.Start(ctx))
	defer hub.Stop()

	u, err := s.CreateUser(ctx, "a@example.com", "A", "hash")
	require.NoError(t, err)
	viewer := store.Viewer{UserID: u.ID}
	a, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "a"})
	require.NoError(t, err)
	b, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "b"})
	require.NoError(t, err)
	events, unsubscribe := hub.Subscribe(a.ID)
	defer unsubscribe()
	// The notifier connects in the background: repeat a change until the
	// hub delivers it, so the video topic is live.
	require.Eventually(t, func() bool {
		_, err := s.Pool().Exec(ctx, "UPDATE videos SET percent = percent + 1 WHERE id = $1", a.ID)
		require.NoError(t, err)
		select {
		case ev := <-events:
			return ev.ID == a.ID
		case <-time.After(200 * time.Millisecond):
			return false
		}
	}, 60*time.Second, 10*time.Millisecond)

	// Topics subscribed while the notifier is connected are added to its
	// connection.
	webhooks, privacy := newIDSubscriber(), newIDSubscriber()
	defer notifier.SubscribeWebhookEvents(webhooks.onListening, webhooks.onID)()
	defer notifier.SubscribePrivacyChanges(privacy.onListening, privacy.onID)()
	webhooks.waitListening(t, false)
	privacy.waitListening(t, false)

	event := uuid.New()
	_, err = s.Pool().Exec(ctx, "SELECT pg_notify($1, $2)", string(store.TopicWebhook), event.String())
	require.NoError(t, err)
	require.Equal(t, event, webhooks.next(t))

	// A change of anything but privacy is not announced on the privacy
	// topic; notifications arrive in commit order, so b's comes first.
	title, private := "renamed", store.PrivacyPrivate
	_, err = s.UpdateVideo(ctx, a.ID, viewer, store.VideoChanges{Title: &title})
	require.NoError(t, err)
	_, err = s.UpdateVideo(ctx, b.ID, viewer, store.VideoChanges{Privacy: &private})
	require.NoError(t, err)
	require.Equal(t, b.ID, privacy.next(t))

	require.Equal(t, 1, listenConnections(t, s), "the hub, the webhook and the privacy subscriptions share one connection")

	// Kill the listening backend: every subscription hears that it may
	// have missed notifications, and all three topics work again.
	_, err = s.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ~* '^\s*listen\s'`)
	require.NoError(t, err)
	webhooks.waitListening(t, true)
	privacy.waitListening(t, true)
	waitEvent(t, events, "resync", func(ev store.VideoEvent) bool { return ev.Resync })
	_, err = s.DeleteVideo(ctx, a.ID, viewer)
	require.NoError(t, err)
	require.Equal(t, a.ID, privacy.next(t), "a deletion is announced on the privacy topic")
	waitEvent(t, events, "deleted", func(ev store.VideoEvent) bool { return ev.Deleted })
	event = uuid.New()
	_, err = s.Pool().Exec(ctx, "SELECT pg_notify($1, $2)", string(store.TopicWebhook), event.String())
	require.NoError(t, err)
	require.Equal(t, event, webhooks.next(t))
	// The killed backend exits asynchronously; what remains is one.
	require.Eventually(t, func() bool { return listenConnections(t, s) == 1 }, 60*time.Second, 20*time.Millisecond)
}

// waitEvent skips hub events until one matches.
func waitEvent(t *testing.T, events <-chan store.VideoEvent, what string, match func(store.VideoEvent) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if match(ev) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s event within 10s", what)
		}
	}
}

func TestBackoffDoublesUpToMaxAndResets(t *testing.T) {
	t.Parallel()
	b := store.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond}
	var delays []time.Duration
	for range 5 {
		delays = append(delays, b.Delay())
		require.NoError(t, b.Wait(context.Background()))
	}
	require.Equal(t, []time.Duration{1, 2, 4, 5, 5}, scale(delays, time.Millisecond))
	b.Reset()
	require.Equal(t, time.Millisecond, b.Delay())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, (&store.Backoff{Min: time.Hour}).Wait(ctx), context.Canceled)
	require.Equal(t, 100*time.Millisecond, (&store.Backoff{}).Delay(), "the zero value starts at 100ms")
}

func scale(ds []time.Duration, unit time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d / unit
	}
	return out
}
