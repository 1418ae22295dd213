package store_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestAPITokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	u, err := s.CreateUser(ctx, "ada@example.com", "Ada", "hash")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, "bob@example.com", "Bob", "hash")
	require.NoError(t, err)
	hash := func(secret string) []byte { h := sha256.Sum256([]byte(secret)); return h[:] }
	create := func(secret string, expires *time.Time) (store.APIToken, error) {
		return s.CreateAPIToken(ctx, store.NewAPIToken{UserID: u.ID, Name: secret, Prefix: secret[:4],
			TokenHash: hash(secret), Scopes: []string{"videos:read"}, ExpiresAt: expires}, 2)
	}

	first, err := create("first", nil)
	require.NoError(t, err)
	past := time.Now().Add(-time.Minute)
	_, err = create("expired", &past)
	require.NoError(t, err, "expired tokens do not count against the limit")
	_, err = create("second", nil)
	require.NoError(t, err)
	_, err = create("third", nil)
	require.ErrorIs(t, err, store.ErrTooManyAPITokens)

	list, err := s.APITokens(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, list, 2, "expired tokens are not listed")
	require.Equal(t, "second", list[0].Name, "newest first")

	// Looking a token up records its use, at most once a minute.
	got, err := s.APITokenByHash(ctx, hash("first"))
	require.NoError(t, err)
	require.Equal(t, first.ID, got.ID)
	require.True(t, got.IsAdmin, "the first account is the admin")
	require.Nil(t, got.LastUsedAt)
	again, err := s.APITokenByHash(ctx, hash("first"))
	require.NoError(t, err)
	require.NotNil(t, again.LastUsedAt)
	_, err = s.APITokenByHash(ctx, hash("expired"))
	require.ErrorIs(t, err, store.ErrNotFound)

	ok, err := s.RevokeAPIToken(ctx, other.ID, first.ID)
	require.NoError(t, err)
	require.False(t, ok, "only the owner revokes")
	ok, err = s.RevokeAPIToken(ctx, u.ID, first.ID)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = s.APITokenByHash(ctx, hash("first"))
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = create("third", nil)
	require.NoError(t, err, "a revoked token frees its place")
}
