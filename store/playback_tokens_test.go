package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// TestDeleteExpiredPlaybackTokens: the cleanup drops the rows of links
// expired for more than a day, and keeps live links, revoked or not (a
// revoked one must go on being refused until it expires).
func TestDeleteExpiredPlaybackTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "links@example.com", "Owner", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t", Privacy: store.PrivacyPrivate})
	require.NoError(t, err)
	viewer := store.Viewer{UserID: owner.ID}
	now := time.Now()
	old, err := s.CreatePlaybackToken(ctx, v.ID, viewer, now.Add(time.Hour), nil)
	require.NoError(t, err)
	recent, err := s.CreatePlaybackToken(ctx, v.ID, viewer, now.Add(time.Hour), nil)
	require.NoError(t, err)
	live, err := s.CreatePlaybackToken(ctx, v.ID, viewer, now.Add(time.Hour), nil)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `UPDATE playback_tokens SET expires_at = $2 WHERE id = $1`, old.ID, now.Add(-25*time.Hour))
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `UPDATE playback_tokens SET expires_at = $2, revoked_at = $3 WHERE id = $1`,
		recent.ID, now.Add(-time.Hour), now.Add(-2*time.Hour))
	require.NoError(t, err)

	n, err := s.DeleteExpiredPlaybackTokens(ctx, now)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var left []string
	rows, err := s.Pool().Query(ctx, `SELECT id::text FROM playback_tokens ORDER BY created_at`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		left = append(left, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{recent.ID.String(), live.ID.String()}, left)
}
