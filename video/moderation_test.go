package video_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// TestModerationNeedsAnAdministrator: the service refuses every
// administrator action to anyone else, whatever the caller checked, and
// changes nothing.
func TestModerationNeedsAnAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.upload()
	reason := "r"
	calls := map[string]func(actor store.Viewer) error{
		"take down": func(a store.Viewer) error { _, err := e.videos.TakeDownVideo(ctx, a, v.ID, "spam"); return err },
		"restore":   func(a store.Viewer) error { _, err := e.videos.RestoreVideo(ctx, a, v.ID); return err },
		"dismiss":   func(a store.Viewer) error { _, err := e.videos.DismissReports(ctx, a, v.ID, &reason); return err },
		"disable": func(a store.Viewer) error {
			_, err := e.videos.SetUserDisabled(ctx, a, e.other.UserID, true, nil)
			return err
		},
		"promote": func(a store.Viewer) error { _, err := e.videos.SetUserAdmin(ctx, a, e.other.UserID, true); return err },
	}
	for name, call := range calls {
		for _, actor := range []store.Viewer{{}, e.other, e.owner} { // owner: an account, not acting as administrator
			var me *video.ModerationError
			require.True(t, errors.As(call(actor), &me), name)
			require.Equal(t, "FORBIDDEN", me.PublicCode(), name)
		}
	}
	got, err := e.store.VideoForViewer(ctx, v.ID, e.other)
	require.NoError(t, err, "still up")
	require.Nil(t, got.TakenDownAt)
}

// TestTakeDownValidatesAndHides: the reason is required and shown to the
// owner only; the last administrator cannot be disabled.
func TestTakeDownValidatesAndHides(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := store.Viewer{UserID: e.owner.UserID, IsAdmin: true} // the first account is the administrator
	v := e.upload()

	_, err := e.videos.TakeDownVideo(ctx, admin, v.ID, "   ")
	var in *video.InputError
	require.ErrorAs(t, err, &in)
	require.Equal(t, "reason", in.Field)

	down, err := e.videos.TakeDownVideo(ctx, admin, v.ID, " Copyright claim ")
	require.NoError(t, err)
	require.Equal(t, "Copyright claim", *down.TakedownReason)
	_, err = e.store.VideoForViewer(ctx, v.ID, e.other)
	require.ErrorIs(t, err, store.ErrNotFound, "hidden from others")
	own, err := e.store.VideoForViewer(ctx, v.ID, e.owner)
	require.NoError(t, err, "its owner still sees it")
	require.NotNil(t, own.TakenDownAt)
	require.ErrorIs(t, e.videos.ReportVideo(ctx, e.other, store.ReportTarget{VideoID: v.ID}, "SPAM", nil), store.ErrNotFound)

	_, err = e.videos.SetUserDisabled(ctx, admin, admin.UserID, true, nil)
	var me *video.ModerationError
	require.ErrorAs(t, err, &me)
	require.Equal(t, "BAD_USER_INPUT", me.PublicCode())
}

// TestDeleteOfSomeoneElsesVideoByAnAdministratorIsAudited: deleteVideo by
// an administrator on another account's video leaves the audit entry
// adminDeleteVideo leaves; an owner deleting their own video leaves none.
func TestDeleteOfSomeoneElsesVideoByAnAdministratorIsAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := store.Viewer{UserID: e.owner.UserID, IsAdmin: true}
	theirs, err := e.videos.CreateUpload(ctx, store.NewUpload{OwnerID: e.other.UserID, Title: "Theirs",
		Size: 1000, ExpiresAt: time.Now().Add(time.Hour)}, store.Limits{})
	require.NoError(t, err)
	own, err := e.videos.CreateUpload(ctx, store.NewUpload{OwnerID: e.other.UserID, Title: "Own",
		Size: 1000, ExpiresAt: time.Now().Add(time.Hour)}, store.Limits{})
	require.NoError(t, err)
	mine := e.upload()

	require.NoError(t, e.videos.Delete(ctx, own.ID, e.other))
	require.NoError(t, e.videos.Delete(ctx, mine.ID, admin), "an administrator deleting their own video")
	log, err := e.store.AuditLog(ctx, 10, nil)
	require.NoError(t, err)
	require.Empty(t, log.Entries, "owners deleting their own videos are not audited")

	require.NoError(t, e.videos.Delete(ctx, theirs.ID, admin))
	log, err = e.store.AuditLog(ctx, 10, nil)
	require.NoError(t, err)
	require.Len(t, log.Entries, 1)
	got := log.Entries[0]
	require.Equal(t, store.AuditVideoDeleted, got.Action)
	require.Equal(t, admin.UserID, got.ActorID)
	require.Equal(t, "video", got.TargetType)
	require.Equal(t, theirs.ID, got.TargetID)
	require.Equal(t, "Theirs", got.Data["title"])
	require.Equal(t, e.other.UserID.String(), got.Data["owner_id"])
	_, err = e.store.VideoForViewer(ctx, theirs.ID, admin)
	require.ErrorIs(t, err, store.ErrNotFound)
}
