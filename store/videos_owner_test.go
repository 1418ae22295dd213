package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// The ...WithOwner(s) reads answer what the plain reads and UsersByIDs
// answer together, with the same visibility and paging.
func TestVideosReadWithTheirOwners(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	var users []store.User
	for i := range 2 {
		u, err := s.CreateUser(ctx, fmt.Sprintf("owner%d@example.com", i), fmt.Sprintf("Owner %d", i), "hash")
		require.NoError(t, err)
		users = append(users, u)
	}
	for i := range 5 {
		v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: users[i%2].ID, Title: fmt.Sprintf("v%d", i)})
		require.NoError(t, err)
		_, err = s.Pool().Exec(ctx, "UPDATE videos SET playable = true WHERE id = $1", v.ID)
		require.NoError(t, err)
	}
	private, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: users[0].ID, Title: "secret", Privacy: store.PrivacyPrivate})
	require.NoError(t, err)

	_, _, err = s.VideoWithOwnerForViewer(ctx, private.ID, store.Viewer{UserID: users[1].ID})
	require.ErrorIs(t, err, store.ErrNotFound)
	v, owner, err := s.VideoWithOwnerForViewer(ctx, private.ID, store.Viewer{UserID: users[0].ID})
	require.NoError(t, err)
	plain, err := s.VideoForViewer(ctx, private.ID, store.Viewer{UserID: users[0].ID})
	require.NoError(t, err)
	require.Equal(t, plain, v)
	require.Equal(t, users[0], owner)

	var after *store.Cursor
	for {
		page, err := s.PublicFeedWithOwners(ctx, 2, after)
		require.NoError(t, err)
		plainPage, err := s.PublicFeed(ctx, 2, after)
		require.NoError(t, err)
		require.Equal(t, plainPage.Videos, page.Videos)
		require.Equal(t, plainPage.HasNext, page.HasNext)
		var ids []uuid.UUID
		for _, v := range page.Videos {
			if !containsID(ids, v.OwnerID) {
				ids = append(ids, v.OwnerID)
			}
		}
		owners, err := s.UsersByIDs(ctx, ids)
		require.NoError(t, err)
		require.ElementsMatch(t, owners, page.Owners)
		if !page.HasNext {
			break
		}
		c := store.CursorOf(page.Videos[len(page.Videos)-1])
		after = &c
	}
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
