package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ptr[T any](v T) *T { return &v }

func TestCreateUserFirstIsAdminAndEmailUnique(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)

	first, err := s.CreateUser(ctx, "Ada@example.com", "Ada", "hash")
	require.NoError(t, err)
	require.True(t, first.IsAdmin, "the first account is the instance admin")

	second, err := s.CreateUser(ctx, "bob@example.com", "Bob", "hash")
	require.NoError(t, err)
	require.False(t, second.IsAdmin)

	_, err = s.CreateUser(ctx, "ADA@EXAMPLE.COM", "Imposter", "hash")
	require.ErrorIs(t, err, store.ErrEmailTaken, "emails are unique case-insensitively")

	got, err := s.UserByEmail(ctx, "ada@EXAMPLE.com")
	require.NoError(t, err)
	require.Equal(t, first.ID, got.ID)

	_, err = s.UserByEmail(ctx, "nobody@example.com")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestConcurrentSignUpsMakeExactlyOneAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := s.CreateUser(ctx, fmt.Sprintf("u%d@example.com", i), "U", "hash")
			errs <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
	var admins int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM users WHERE is_admin").Scan(&admins))
	require.Equal(t, 1, admins)
}

func TestSessionsExpireAndRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	u, err := s.CreateUser(ctx, "a@example.com", "A", "hash")
	require.NoError(t, err)

	id, err := s.CreateSession(ctx, u.ID, []byte("live"), time.Now().Add(time.Hour), "ua", "127.0.0.1")
	require.NoError(t, err)
	_, err = s.CreateSession(ctx, u.ID, []byte("expired"), time.Now().Add(-time.Second), "ua", "127.0.0.1")
	require.NoError(t, err)

	sess, err := s.SessionByTokenHash(ctx, []byte("live"))
	require.NoError(t, err)
	require.Equal(t, u.ID, sess.UserID)
	require.True(t, sess.IsAdmin)

	_, err = s.SessionByTokenHash(ctx, []byte("expired"))
	require.ErrorIs(t, err, store.ErrNotFound)

	ended, err := s.RevokeSession(ctx, id)
	require.NoError(t, err)
	require.True(t, ended)
	ended, err = s.RevokeSession(ctx, id)
	require.NoError(t, err)
	require.False(t, ended, "revoking twice ends nothing the second time")
	_, err = s.SessionByTokenHash(ctx, []byte("live"))
	require.ErrorIs(t, err, store.ErrNotFound)

	n, err := s.DeleteDeadSessions(ctx, time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
}

func TestLoginFailureWindows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	keys := []string{"account:a@example.com", "ip:127.0.0.1"}
	limits := []int{3, 5}
	for range 2 {
		require.NoError(t, s.RecordLoginFailure(ctx, keys, time.Minute))
	}
	blocked, err := s.LoginBlockedFor(ctx, keys, limits, time.Minute)
	require.NoError(t, err)
	require.Zero(t, blocked, "two failures are under both limits")

	require.NoError(t, s.RecordLoginFailure(ctx, keys, time.Minute))
	blocked, err = s.LoginBlockedFor(ctx, keys, limits, time.Minute)
	require.NoError(t, err)
	require.Greater(t, blocked, 50*time.Second)
	require.LessOrEqual(t, blocked, time.Minute)

	require.NoError(t, s.ClearLoginFailures(ctx, keys[0]))
	blocked, err = s.LoginBlockedFor(ctx, keys, limits, time.Minute)
	require.NoError(t, err)
	require.Zero(t, blocked, "the ip key has 3 of its 5")

	// A window that has passed starts over.
	_, err = s.Pool().Exec(ctx, "UPDATE login_failures SET window_start = now() - interval '2 minutes'")
	require.NoError(t, err)
	require.NoError(t, s.RecordLoginFailure(ctx, keys[1:], time.Minute))
	var failures int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT failures FROM login_failures WHERE key = $1", keys[1]).Scan(&failures))
	require.Equal(t, 1, failures)
}

func TestVideoVisibilityAndPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "owner@example.com", "Owner", "hash")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, "other@example.com", "Other", "hash")
	require.NoError(t, err)

	var public []uuid.UUID
	for i := range 5 {
		v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: fmt.Sprintf("v%d", i)})
		require.NoError(t, err)
		_, err = s.Pool().Exec(ctx, "UPDATE videos SET playable = true WHERE id = $1", v.ID)
		require.NoError(t, err)
		public = append([]uuid.UUID{v.ID}, public...) // newest first
	}
	private, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "secret", Privacy: store.PrivacyPrivate})
	require.NoError(t, err)

	ownerView := store.Viewer{UserID: owner.ID}
	otherView := store.Viewer{UserID: other.ID}
	_, err = s.VideoForViewer(ctx, private.ID, otherView)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.VideoForViewer(ctx, private.ID, store.Viewer{})
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.VideoForViewer(ctx, private.ID, ownerView)
	require.NoError(t, err)
	_, err = s.VideoForViewer(ctx, private.ID, store.Viewer{UserID: other.ID, IsAdmin: true})
	require.NoError(t, err)

	// The feed pages through public videos only, newest first.
	var seen []uuid.UUID
	var after *store.Cursor
	for {
		page, err := s.PublicFeed(ctx, 2, after)
		require.NoError(t, err)
		for _, v := range page.Videos {
			seen = append(seen, v.ID)
		}
		if !page.HasNext {
			break
		}
		c := store.CursorOf(page.Videos[len(page.Videos)-1])
		decoded, err := store.DecodeCursor(c.Encode())
		require.NoError(t, err)
		after = &decoded
	}
	require.Equal(t, public, seen)

	mine, err := s.UserVideos(ctx, owner.ID, ownerView, 10, nil)
	require.NoError(t, err)
	require.Len(t, mine.Videos, 6)
	theirs, err := s.UserVideos(ctx, owner.ID, otherView, 10, nil)
	require.NoError(t, err)
	require.Len(t, theirs.Videos, 5)

	_, err = store.DecodeCursor("garbage")
	require.ErrorIs(t, err, store.ErrBadCursor)
}

func TestUpdateAndDeleteEnforceOwnership(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "owner@example.com", "Owner", "hash")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, "other@example.com", "Other", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "t", Description: ptr("d")})
	require.NoError(t, err)

	_, err = s.UpdateVideo(ctx, v.ID, store.Viewer{UserID: other.ID}, store.VideoChanges{Title: ptr("hijack")})
	require.ErrorIs(t, err, store.ErrForbidden)

	got, err := s.UpdateVideo(ctx, v.ID, store.Viewer{UserID: owner.ID}, store.VideoChanges{Title: ptr("new"), Description: ptr("")})
	require.NoError(t, err)
	require.Equal(t, "new", got.Title)
	require.Nil(t, got.Description, "an empty description clears it")
	require.Equal(t, store.PrivacyPublic, got.Privacy, "unset fields keep their value")

	got, err = s.UpdateVideo(ctx, v.ID, store.Viewer{UserID: owner.ID}, store.VideoChanges{Privacy: ptr(store.PrivacyPrivate)})
	require.NoError(t, err)
	require.Equal(t, store.PrivacyPrivate, got.Privacy)
	_, err = s.DeleteVideo(ctx, v.ID, store.Viewer{UserID: other.ID})
	require.ErrorIs(t, err, store.ErrNotFound, "a private video is invisible, not forbidden")

	_, err = s.DeleteVideo(ctx, v.ID, store.Viewer{UserID: owner.ID})
	require.NoError(t, err)
	_, err = s.VideoForViewer(ctx, v.ID, store.Viewer{UserID: owner.ID})
	require.True(t, errors.Is(err, store.ErrNotFound))
}
