package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// TestVideoIDByPublicID: a current public id names its video, whatever
// its privacy; a rotated one, an unknown one and a taken-down video's
// name nothing.
func TestVideoIDByPublicID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "pid@example.com", "Owner", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t", Privacy: store.PrivacyUnlisted})
	require.NoError(t, err)
	require.NotEmpty(t, v.PublicID)
	id, err := s.VideoIDByPublicID(ctx, v.PublicID)
	require.NoError(t, err)
	require.Equal(t, v.ID, id)

	rotated, err := s.RotatePublicID(ctx, v.ID, store.Viewer{UserID: owner.ID})
	require.NoError(t, err)
	_, err = s.VideoIDByPublicID(ctx, v.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound)
	id, err = s.VideoIDByPublicID(ctx, rotated.PublicID)
	require.NoError(t, err)
	require.Equal(t, v.ID, id)
	_, err = s.VideoIDByPublicID(ctx, "AAAAAAAAAAAAAAAAAAAAAA")
	require.ErrorIs(t, err, store.ErrNotFound)

	admin, err := s.CreateUser(ctx, "admin@example.com", "Admin", "hash")
	require.NoError(t, err)
	_, err = s.TakeDownVideo(ctx, admin.ID, v.ID, "spam")
	require.NoError(t, err)
	_, err = s.VideoIDByPublicID(ctx, rotated.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound, "a taken-down video's media is nobody's")
}
