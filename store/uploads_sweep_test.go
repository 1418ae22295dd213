package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store/storetest"
)

// The upload sweeper's two lists: uploads whose expiry passed and uploads
// not touched for a while, each oldest first, UPLOADING videos only.
func TestExpiredAndStaleUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	u, err := s.CreateUser(ctx, "sweep@example.com", "Sweep", "hash")
	require.NoError(t, err)
	insert := func(status string, expiresAgo, touchedAgo time.Duration) uuid.UUID {
		var id uuid.UUID
		require.NoError(t, s.Pool().QueryRow(ctx, `
			INSERT INTO videos (owner_id, title, status, privacy, upload_expires_at, updated_at)
			VALUES ($1, 'v', $2, 'PRIVATE', now() - make_interval(secs => $3), now() - make_interval(secs => $4))
			RETURNING id`, u.ID, status, expiresAgo.Seconds(), touchedAgo.Seconds()).Scan(&id))
		return id
	}
	older := insert("UPLOADING", 2*time.Hour, 3*time.Hour)
	newer := insert("UPLOADING", time.Hour, 2*time.Hour)
	fresh := insert("UPLOADING", -time.Hour, 0)
	insert("PROCESSING", 3*time.Hour, 4*time.Hour)

	expired, err := s.ExpiredUploads(ctx, time.Now(), 10)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{older, newer}, expired)
	expired, err = s.ExpiredUploads(ctx, time.Now(), 1)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{older}, expired)

	stale, err := s.StaleUploads(ctx, time.Now().Add(-time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{older, newer}, stale)
	require.NotContains(t, stale, fresh)
}
