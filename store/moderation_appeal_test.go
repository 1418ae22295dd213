package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// TestTakedownAppeal: only the owner appeals, only while the video is
// down, once per takedown; a new takedown or a restore clears it, and
// AdminVideos filters on it.
func TestTakedownAppeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	admin, err := s.CreateUser(ctx, "admin@example.com", "Admin", "hash")
	require.NoError(t, err)
	owner, err := s.CreateUser(ctx, "owner@example.com", "Owner", "hash")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, "other@example.com", "Other", "hash")
	require.NoError(t, err)
	v, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "Song"})
	require.NoError(t, err)
	asOwner := store.Viewer{UserID: owner.ID}
	appealed := func(want bool) []store.Video {
		page, err := s.AdminVideos(ctx, "", nil, &want, 10, nil)
		require.NoError(t, err)
		return page.Videos
	}

	_, err = s.AppealTakedown(ctx, asOwner, v.ID, "Why?")
	require.ErrorIs(t, err, store.ErrNotTakenDown)
	_, err = s.TakeDownVideo(ctx, admin.ID, v.ID, "Spam")
	require.NoError(t, err)
	_, err = s.AppealTakedown(ctx, store.Viewer{UserID: other.ID}, v.ID, "Why?")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.AppealTakedown(ctx, store.Viewer{UserID: admin.ID, IsAdmin: true}, v.ID, "Why?")
	require.ErrorIs(t, err, store.ErrForbidden)

	_, err = s.AppealTakedown(ctx, asOwner, v.ID, "Mine.")
	require.NoError(t, err)
	_, err = s.AppealTakedown(ctx, asOwner, v.ID, "Again.")
	require.ErrorIs(t, err, store.ErrAppealOpen)
	a, err := s.TakedownAppeal(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, "Mine.", a.Message)
	require.Equal(t, owner.ID, a.OwnerID)
	require.Len(t, appealed(true), 1)
	require.Empty(t, appealed(false))

	_, err = s.TakeDownVideo(ctx, admin.ID, v.ID, "Spam, really")
	require.NoError(t, err)
	a, err = s.TakedownAppeal(ctx, v.ID)
	require.NoError(t, err)
	require.Nil(t, a, "a new takedown clears the appeal")
	_, err = s.AppealTakedown(ctx, asOwner, v.ID, "Still mine.")
	require.NoError(t, err)
	_, err = s.RestoreVideo(ctx, admin.ID, v.ID)
	require.NoError(t, err)
	require.Empty(t, appealed(true), "a restore closes the appeal")

	var appeals int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = $1 AND actor_id = $2 AND target_id = $3`,
		store.AuditVideoAppealed, owner.ID, v.ID).Scan(&appeals))
	require.Equal(t, 2, appeals, "each appeal is in the audit log")
}

// TestReportByPublicID: an UNLISTED video is reported by its public id,
// not by its plain id; a PRIVATE video's public id stays NOT_FOUND.
func TestReportByPublicID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	owner, err := s.CreateUser(ctx, "owner@example.com", "Owner", "hash")
	require.NoError(t, err)
	viewerUser, err := s.CreateUser(ctx, "viewer@example.com", "Viewer", "hash")
	require.NoError(t, err)
	viewer := store.Viewer{UserID: viewerUser.ID}
	unlisted, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "U", Privacy: store.PrivacyUnlisted})
	require.NoError(t, err)
	private, err := s.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: "P", Privacy: store.PrivacyPrivate})
	require.NoError(t, err)

	_, err = s.CreateReport(ctx, store.ReportTarget{VideoID: unlisted.ID}, viewer, "SPAM", nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	id, err := s.CreateReport(ctx, store.ReportTarget{PublicID: unlisted.PublicID}, viewer, "SPAM", nil)
	require.NoError(t, err)
	require.Equal(t, unlisted.ID, id)
	_, err = s.CreateReport(ctx, store.ReportTarget{PublicID: private.PublicID}, viewer, "SPAM", nil)
	require.ErrorIs(t, err, store.ErrNotFound)
	groups, err := s.OpenReports(ctx, 10)
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, unlisted.ID, groups[0].Video.ID)
}
