package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestHubDeliversCommittedChangesAndResyncsAfterReconnect(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := storetest.NewStore(t)
	notifier := store.NewNotifier(s.Pool(), slog.New(slog.DiscardHandler))
	require.NoError(t, notifier.Start(ctx))
	defer notifier.Stop()
	hub := store.NewHub(notifier, slog.New(slog.DiscardHandler))
	require.NoError(t, hub.Start(ctx))
	defer hub.Stop()

	u, err := s.CreateUser(ctx, "a@example.com", "A", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "t"})
	require.NoError(t, err)
	events, unsubscribe := hub.Subscribe(v.ID)
	defer unsubscribe()

	// Events are snapshots of state, so wait for the one that matches,
	// skipping older ones still queued.
	waitFor := func(what string, match func(store.VideoEvent) bool) {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case ev := <-events:
				if match(ev) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s event within 60s", what)
			}
		}
	}

	// The notifier may still be connecting: retry the change until it is seen.
	require.Eventually(t, func() bool {
		_, err := s.Pool().Exec(ctx, "UPDATE videos SET stage = 'probe', percent = percent + 1, status = 'PROCESSING' WHERE id = $1", v.ID)
		require.NoError(t, err)
		select {
		case ev := <-events:
			return ev.Stage == "probe" && ev.Status == store.StatusProcessing
		case <-time.After(200 * time.Millisecond):
			return false
		}
	}, 60*time.Second, 10*time.Millisecond)

	_, err = s.Pool().Exec(ctx, "UPDATE videos SET playable = true, percent = 50 WHERE id = $1", v.ID)
	require.NoError(t, err)
	waitFor("playable", func(ev store.VideoEvent) bool { return ev.Playable && ev.Percent == 50 })

	// Kill the listening backend: the notifier reconnects and the hub tells
	// subscribers to re-read the state they may have missed.
	_, err = s.Pool().Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")
	require.NoError(t, err)
	waitFor("resync", func(ev store.VideoEvent) bool { return ev.Resync })

	_, err = s.Pool().Exec(ctx, "UPDATE videos SET status = 'READY', stage = 'done', percent = 100 WHERE id = $1", v.ID)
	require.NoError(t, err)
	waitFor("ready", func(ev store.VideoEvent) bool { return ev.Status == store.StatusReady })

	_, err = s.Pool().Exec(ctx, "DELETE FROM videos WHERE id = $1", v.ID)
	require.NoError(t, err)
	waitFor("deleted", func(ev store.VideoEvent) bool { return ev.Deleted })
}

// A subscriber can read its state before the notifier's first LISTEN is in
// place (the notifier connects in the background): a change committed in
// between sends a notification nobody hears. The first LISTEN resyncs
// every open subscriber, so it re-reads instead of waiting for a change
// that already happened. Here the notifier starts only after the change.
func TestHubResyncsSubscribersOpenBeforeTheFirstListen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	notifier := store.NewNotifier(s.Pool(), slog.New(slog.DiscardHandler))
	hub := store.NewHub(notifier, slog.New(slog.DiscardHandler))
	require.NoError(t, hub.Start(ctx))
	defer hub.Stop()

	u, err := s.CreateUser(ctx, "a@example.com", "A", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: "t"})
	require.NoError(t, err)
	events, unsubscribe := hub.Subscribe(v.ID)
	defer unsubscribe()
	_, err = s.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe' WHERE id = $1", v.ID)
	require.NoError(t, err)

	require.NoError(t, notifier.Start(ctx))
	defer notifier.Stop()
	select {
	case ev := <-events:
		require.Equal(t, v.ID, ev.ID)
		require.True(t, ev.Resync, "the change was made before the LISTEN: the subscriber is told to re-read")
	case <-time.After(60 * time.Second):
		t.Fatal("no resync after the notifier's first LISTEN: the change made before it is never seen")
	}
}
