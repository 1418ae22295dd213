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

func TestCredentialRevocationsAreAnnounced(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := storetest.NewStore(t)
	notifier := store.NewNotifier(s.Pool(), slog.New(slog.DiscardHandler))
	require.NoError(t, notifier.Start(ctx))
	defer notifier.Stop()
	sub := newIDSubscriber()
	defer notifier.SubscribeCredentialRevocations(sub.onListening, sub.onID)()
	sub.waitListening(t, false)

	u, err := s.CreateUser(ctx, "a@example.com", "A", "hash")
	require.NoError(t, err)
	later := time.Now().Add(time.Hour)
	session := func(hash string) uuid.UUID {
		id, err := s.CreateSession(ctx, u.ID, []byte(hash), later, "test", "127.0.0.1")
		require.NoError(t, err)
		return id
	}
	token := func(hash string) uuid.UUID {
		tok, err := s.CreateAPIToken(ctx, store.NewAPIToken{UserID: u.ID, Name: hash, Prefix: "ccp_x", TokenHash: []byte(hash), Scopes: []string{"VIDEOS_READ"}}, 10)
		require.NoError(t, err)
		return tok.ID
	}
	s1, s2, s3 := session("s1"), session("s2"), session("s3")
	t1, t2 := token("t1"), token("t2")

	// logOut and revokeApiToken.
	ok, err := s.RevokeSession(ctx, s1)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, s1, sub.next(t))
	ok, err = s.RevokeAPIToken(ctx, u.ID, t1)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, t1, sub.next(t))

	// Revoking again, or deleting what was already revoked (the sweep),
	// announces nothing; a live session the sweep deletes (it expired)
	// is announced.
	ok, err = s.RevokeSession(ctx, s1)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = s.Pool().Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 hour' WHERE id = $1`, s2)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `UPDATE sessions SET revoked_at = now() - interval '2 hours' WHERE id = $1`, s1)
	require.NoError(t, err)
	n, err := s.DeleteDeadSessions(ctx, time.Now().Add(-time.Minute))
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	require.Equal(t, s2, sub.next(t), "s1 was announced when it was revoked, not again")

	// A rolled-back revocation announces nothing.
	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1`, s3)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))

	// Deleting the account ends its live credentials, by cascade.
	_, err = s.Pool().Exec(ctx, `DELETE FROM users WHERE id = $1`, u.ID)
	require.NoError(t, err)
	got := map[uuid.UUID]bool{sub.next(t): true, sub.next(t): true}
	require.Equal(t, map[uuid.UUID]bool{s3: true, t2: true}, got)
	select {
	case id := <-sub.ids:
		t.Fatalf("unexpected announcement of %s", id)
	default:
	}
}
