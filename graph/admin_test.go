package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/webhook"
)

// adminFields is every administrator-only operation, with arguments that
// pass validation (unknown ids are fine: NOT_FOUND comes after the access
// check the matrix is about).
var adminFields = map[string]string{
	"adminOverview":        `{ adminOverview { storageBytes users activity { uploadsStarted } processingTime { count } discardedJobs { id } } }`,
	"adminUsers":           `{ adminUsers { edges { node { storageBytes storageQuotaBytes effectiveDailyUploads user { email } } } } }`,
	"adminVideos":          `{ adminVideos { edges { node { id } } } }`,
	"reports":              `{ reports { count } }`,
	"auditLog":             `{ auditLog { edges { node { action } } } }`,
	"setUserDisabled":      `mutation { setUserDisabled(userId: "` + zeroID + `", disabled: true) { id } }`,
	"setUserAdmin":         `mutation { setUserAdmin(userId: "` + zeroID + `", admin: true) { id } }`,
	"takeDownVideo":        `mutation { takeDownVideo(videoId: "` + zeroID + `", reason: "r") { id } }`,
	"restoreVideo":         `mutation { restoreVideo(videoId: "` + zeroID + `") { id } }`,
	"resolveReport":        `mutation { resolveReport(videoId: "` + zeroID + `", action: DISMISS) { id } }`,
	"setUserLimits":        `mutation { setUserLimits(userId: "` + zeroID + `", dailyUploads: 3) { dailyUploads } }`,
	"adminDeleteVideo":     `mutation { adminDeleteVideo(videoId: "` + zeroID + `") }`,
	"answerTakedownAppeal": `mutation { answerTakedownAppeal(videoId: "` + zeroID + `", message: "m") { id } }`,
}

// TestAdminFieldsAuthorizationMatrix: anonymous viewers are
// UNAUTHENTICATED; signed-in users, their tokens (even with the admin
// scope, which they cannot get) and an administrator's token without the
// admin scope are FORBIDDEN; an administrator's session and admin token
// pass.
func TestAdminFieldsAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	user := e.signUp("user@example.com", "User").Token
	adminToken := e.createToken(admin, "admin", []string{"ADMIN"}, nil)
	adminReadToken := e.createToken(admin, "read", []string{"VIDEOS_READ", "VIDEOS_WRITE"}, nil)
	userToken := e.createToken(user, "read", []string{"VIDEOS_READ"}, nil)
	r := e.query(createTokenMutation, map[string]any{"n": "x", "s": []string{"ADMIN"}}, bearer(user))
	require.Equal(t, "FORBIDDEN", r.code(), "only administrators grant the admin scope")

	for name, q := range adminFields {
		require.Equal(t, "UNAUTHENTICATED", e.query(q, nil).code(), "%s anonymous", name)
		for cred, who := range map[string]string{user: "user", userToken: "user token", adminReadToken: "admin token without the scope"} {
			require.Equal(t, "FORBIDDEN", e.query(q, nil, bearer(cred)).code(), "%s as %s", name, who)
		}
		for _, cred := range []string{admin, adminToken} {
			r := e.query(q, nil, bearer(cred))
			require.NotContains(t, []string{"FORBIDDEN", "UNAUTHENTICATED"}, r.code(), "%s as admin: %+v", name, r.Errors)
		}
	}

	// A demoted administrator's session and token lose access at once.
	var me struct{ SetUserAdmin struct{ IsAdmin bool } }
	var ids struct{ Me struct{ ID string } }
	e.decode(e.query(`{ me { id } }`, nil, bearer(user)), &ids)
	e.decode(e.query(`mutation($id: ID!) { setUserAdmin(userId: $id, admin: true) { isAdmin } }`, map[string]any{"id": ids.Me.ID}, bearer(admin)), &me)
	require.True(t, me.SetUserAdmin.IsAdmin)
	require.Empty(t, e.query(adminFields["adminOverview"], nil, bearer(user)).Errors, "a new administrator's existing session works at once")
	e.decode(e.query(`{ me { id } }`, nil, bearer(admin)), &ids)
	e.decode(e.query(`mutation($id: ID!) { setUserAdmin(userId: $id, admin: false) { isAdmin } }`, map[string]any{"id": ids.Me.ID}, bearer(admin)), &me)
	require.False(t, me.SetUserAdmin.IsAdmin)
	require.Equal(t, "FORBIDDEN", e.query(adminFields["adminOverview"], nil, bearer(admin)).code())
	require.Equal(t, "FORBIDDEN", e.query(adminFields["adminOverview"], nil, bearer(adminToken)).code())
}

func (e *env) userID(token string) string {
	e.t.Helper()
	var me struct{ Me struct{ ID string } }
	e.decode(e.query(`{ me { id } }`, nil, bearer(token)), &me)
	return me.Me.ID
}

// TestLastAdministratorStays: the only administrator can neither demote
// nor disable themselves; with a second one, either can go.
func TestLastAdministratorStays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	other := e.signUp("other@example.com", "Other").Token
	adminID, otherID := e.userID(admin), e.userID(other)
	demote := `mutation($id: ID!) { setUserAdmin(userId: $id, admin: false) { isAdmin } }`
	disable := `mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { disabled } }`
	for _, q := range []string{demote, disable} {
		r := e.query(q, map[string]any{"id": adminID}, bearer(admin))
		require.Equal(t, "BAD_USER_INPUT", r.code(), q)
		require.Contains(t, r.Errors[0].Message, "last administrator")
	}
	require.Empty(t, e.query(`mutation($id: ID!) { setUserAdmin(userId: $id, admin: true) { id } }`, map[string]any{"id": otherID}, bearer(admin)).Errors)
	require.Empty(t, e.query(demote, map[string]any{"id": adminID}, bearer(other)).Errors)
	r := e.query(demote, map[string]any{"id": otherID}, bearer(other))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "now other is the last one")
	require.Equal(t, "NOT_FOUND", e.query(demote, map[string]any{"id": zeroID}, bearer(other)).code())
}

// TestDisabledAccountIsLockedOutAndHidden: disabling deletes the
// account's sessions and revokes its tokens in one go, refuses its
// password, and hides its videos from everyone but administrators;
// enabling lets it log in again. Both are audited.
func TestDisabledAccountIsLockedOutAndHidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	bob := e.signUp("bob@example.com", "Bob").Token
	viewer := e.signUp("viewer@example.com", "Viewer").Token
	bobToken := e.createToken(bob, "t", []string{"VIDEOS_READ"}, nil)
	secondSession := e.logIn("bob@example.com")
	video := e.makeVideos("bob@example.com", 1, store.PrivacyPublic, true)[0]
	bobID := e.userID(bob)

	var out struct{ SetUserDisabled struct{ Disabled bool } }
	e.decode(e.query(`mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true, reason: "spam") { disabled } }`,
		map[string]any{"id": bobID}, bearer(admin)), &out)
	require.True(t, out.SetUserDisabled.Disabled)

	for _, cred := range []string{bob, secondSession, bobToken} {
		require.Equal(t, "UNAUTHENTICATED", e.query(`{ me { id } }`, nil, bearer(cred)).code())
	}
	var n int
	require.NoError(t, e.store.Pool().QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM sessions WHERE user_id = $1) + (SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL)`,
		bobID).Scan(&n))
	require.Zero(t, n, "sessions deleted and tokens revoked")
	r := e.query(`mutation { logIn(input: {email: "bob@example.com", password: "correct horse battery"}) { token } }`, nil)
	require.Equal(t, "FORBIDDEN", r.code())
	require.Contains(t, r.Errors[0].Message, "disabled")
	r = e.query(`mutation { logIn(input: {email: "bob@example.com", password: "wrong password"}) { token } }`, nil)
	require.NotContains(t, r.Errors[0].Message, "disabled", "only the right password learns it")

	videoQ := `query($id: ID!) { video(id: $id) { id } }`
	for _, cred := range []string{"", viewer} {
		var opts []reqOpt
		if cred != "" {
			opts = append(opts, bearer(cred))
		}
		require.JSONEq(t, `{"video":null}`, string(e.query(videoQ, map[string]any{"id": video}, opts...).Data))
		require.NotContains(t, string(e.query(`{ videos { edges { node { id } } } }`, nil, opts...).Data), video)
	}
	require.Contains(t, string(e.query(videoQ, map[string]any{"id": video}, bearer(admin)).Data), video)

	e.decode(e.query(`mutation($id: ID!) { setUserDisabled(userId: $id, disabled: false) { disabled } }`,
		map[string]any{"id": bobID}, bearer(admin)), &out)
	require.False(t, out.SetUserDisabled.Disabled)
	require.NotEmpty(t, e.logIn("bob@example.com"))
	require.Contains(t, string(e.query(`{ videos { edges { node { id } } } }`, nil).Data), video)

	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Action, TargetType, TargetID string
					Reason                       *string
					Actor                        struct{ Name string }
				}
			}
		}
	}
	e.decode(e.query(`{ auditLog { edges { node { action targetType targetId reason actor { name } } } } }`, nil, bearer(admin)), &log)
	require.Len(t, log.AuditLog.Edges, 2)
	newest, oldest := log.AuditLog.Edges[0].Node, log.AuditLog.Edges[1].Node
	require.Equal(t, "user.enabled", newest.Action)
	require.Equal(t, "user.disabled", oldest.Action)
	require.Equal(t, "spam", *oldest.Reason)
	require.Equal(t, bobID, oldest.TargetID)
	require.Equal(t, "user", oldest.TargetType)
	require.Equal(t, "Admin", oldest.Actor.Name)
}

// TestReportTakeDownAndRestore: reports are NOT_FOUND on a video the
// reporter cannot see, one open per viewer and video, grouped for
// administrators; taking down hides the video from everyone but its owner
// (who reads the reason) and administrators, refuses its media, writes
// the webhook event and the audit row; restoring undoes it.
func TestReportTakeDownAndRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	viewer := e.signUp("viewer@example.com", "Viewer").Token
	other := e.signUp("other@example.com", "Other").Token
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	ownerID := mustUUID(t, e.userID(owner))
	_, err := e.store.CreateWebhook(ctx, ownerID, "https://hooks.example.com/x", []string{"video.taken_down", "video.restored"}, webhook.NewSecret())
	require.NoError(t, err)

	report := `mutation($id: ID!, $r: ReportReason!, $n: String) { reportVideo(videoId: $id, reason: $r, note: $n) }`
	require.Equal(t, "NOT_FOUND", e.query(report, map[string]any{"id": private, "r": "SPAM"}, bearer(viewer)).code(),
		"a private video is not revealed by a report")
	require.Equal(t, "NOT_FOUND", e.query(report, map[string]any{"id": uuid.NewString(), "r": "SPAM"}, bearer(viewer)).code())
	require.Equal(t, "UNAUTHENTICATED", e.query(report, map[string]any{"id": public, "r": "SPAM"}).code())
	for range 2 {
		require.JSONEq(t, `{"reportVideo":true}`, string(e.query(report, map[string]any{"id": public, "r": "HATE", "n": "bad"}, bearer(viewer)).Data))
	}
	require.JSONEq(t, `{"reportVideo":true}`, string(e.query(report, map[string]any{"id": public, "r": "SPAM"}, bearer(other)).Data))

	var groups struct {
		Reports []struct {
			Count   int
			Video   struct{ ID string }
			Reports []struct {
				Reason string
				Note   *string
			}
		}
	}
	e.decode(e.query(`{ reports { count video { id } reports { reason note } } }`, nil, bearer(admin)), &groups)
	require.Len(t, groups.Reports, 1)
	require.Equal(t, 2, groups.Reports[0].Count, "one open report per viewer and video")
	require.Equal(t, public, groups.Reports[0].Video.ID)
	require.Equal(t, "HATE", groups.Reports[0].Reports[0].Reason)

	r := e.query(`mutation($id: ID!) { resolveReport(videoId: $id, action: TAKE_DOWN, reason: "  ") { id } }`, map[string]any{"id": public}, bearer(admin))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	var down struct {
		ResolveReport struct{ Status, TakedownReason string }
	}
	e.decode(e.query(`mutation($id: ID!) { resolveReport(videoId: $id, action: TAKE_DOWN, reason: "Hate speech") { status takedownReason } }`,
		map[string]any{"id": public}, bearer(admin)), &down)
	require.Equal(t, "TAKEN_DOWN", down.ResolveReport.Status)
	require.Equal(t, "Hate speech", down.ResolveReport.TakedownReason)
	e.decode(e.query(`{ reports { count } }`, nil, bearer(admin)), &groups)
	require.Empty(t, groups.Reports, "the video's reports are closed")

	videoQ := `query($id: ID!) { video(id: $id) { status takedownReason } }`
	for _, cred := range []string{"", viewer} {
		var opts []reqOpt
		if cred != "" {
			opts = append(opts, bearer(cred))
		}
		require.JSONEq(t, `{"video":null}`, string(e.query(videoQ, map[string]any{"id": public}, opts...).Data))
		require.NotContains(t, string(e.query(`{ videos { edges { node { id } } } }`, nil, opts...).Data), public)
	}
	require.JSONEq(t, `{"video":{"status":"TAKEN_DOWN","takedownReason":"Hate speech"}}`,
		string(e.query(videoQ, map[string]any{"id": public}, bearer(owner)).Data), "the owner sees why")
	require.Equal(t, "NOT_FOUND", e.query(report, map[string]any{"id": public, "r": "SPAM"}, bearer(viewer)).code())
	_, err = e.store.VideoPrivacy(ctx, mustUUID(t, public))
	require.ErrorIs(t, err, store.ErrNotFound, "media delivery's lookup refuses it")

	var restored struct{ RestoreVideo struct{ Status string } }
	e.decode(e.query(`mutation($id: ID!) { restoreVideo(videoId: $id) { status } }`, map[string]any{"id": public}, bearer(admin)), &restored)
	require.Equal(t, "READY", restored.RestoreVideo.Status)
	require.JSONEq(t, `{"video":{"status":"READY","takedownReason":null}}`, string(e.query(videoQ, map[string]any{"id": public}, bearer(viewer)).Data))
	privacy, err := e.store.VideoPrivacy(ctx, mustUUID(t, public))
	require.NoError(t, err)
	require.Equal(t, store.PrivacyPublic, privacy)

	rows, err := e.store.Pool().Query(ctx, `SELECT type, data FROM webhook_events WHERE video_id = $1 ORDER BY seq`, mustUUID(t, public))
	require.NoError(t, err)
	var types []string
	for rows.Next() {
		var typ string
		var data json.RawMessage
		require.NoError(t, rows.Scan(&typ, &data))
		types = append(types, typ)
		if typ == "video.taken_down" {
			require.Contains(t, string(data), `"takedown_reason": "Hate speech"`)
		}
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"video.taken_down", "video.restored"}, types)

	var log struct {
		AuditLog struct {
			Edges []struct{ Node struct{ Action string } }
		}
	}
	e.decode(e.query(`{ auditLog { edges { node { action } } } }`, nil, bearer(admin)), &log)
	var actions []string
	for _, edge := range log.AuditLog.Edges {
		actions = append(actions, edge.Node.Action)
	}
	require.Equal(t, []string{"video.restored", "video.taken_down"}, actions)
}

// TestReportsAreRateLimited: a viewer's reports are capped per hour.
func TestReportsAreRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("admin@example.com", "Admin")
	viewer := e.signUp("viewer@example.com", "Viewer").Token
	ids := e.makeVideos("admin@example.com", store.MaxReportsPerHour+1, store.PrivacyPublic, true)
	report := `mutation($id: ID!) { reportVideo(videoId: $id, reason: OTHER) }`
	for i, id := range ids {
		r := e.query(report, map[string]any{"id": id}, bearer(viewer))
		if i < store.MaxReportsPerHour {
			require.Empty(t, r.Errors, fmt.Sprint(i))
			continue
		}
		require.Equal(t, "RATE_LIMITED", r.code())
	}
}

// TestUserLimitOverrides: an administrator's per-account limits replace
// the instance defaults (2 GiB, 5 uploads a day in newEnv) at the next
// upload, null goes back to the default, 0 is unlimited; the admin area
// shows the account's own and the effective limits; changes are audited.
func TestUserLimitOverrides(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	user := e.signUp("user@example.com", "User").Token
	userID := e.userID(user)
	set := `mutation($id: ID!, $q: Int64, $d: Int, $r: String) {
		setUserLimits(userId: $id, storageQuotaBytes: $q, dailyUploads: $d, reason: $r) {
			storageQuotaBytes dailyUploads effectiveStorageQuotaBytes effectiveDailyUploads user { id } } }`
	type limits struct {
		StorageQuotaBytes, DailyUploads                   *int64
		EffectiveStorageQuotaBytes, EffectiveDailyUploads int64
	}
	var out struct{ SetUserLimits limits }
	upload := func(size int64) gqlResponse {
		return e.query(createUpload, map[string]any{"in": map[string]any{"title": "t", "filename": "t.mp4", "size": size}}, bearer(user))
	}

	require.Equal(t, "FORBIDDEN", e.query(set, map[string]any{"id": userID, "d": 100}, bearer(user)).code(), "nobody raises their own limits")
	require.Equal(t, "BAD_USER_INPUT", e.query(set, map[string]any{"id": userID, "d": -1}, bearer(admin)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(set, map[string]any{"id": userID, "q": -1}, bearer(admin)).code())
	require.Equal(t, "NOT_FOUND", e.query(set, map[string]any{"id": zeroID, "d": 1}, bearer(admin)).code())

	e.decode(e.query(set, map[string]any{"id": userID, "q": 100, "d": 1, "r": "trial account"}, bearer(admin)), &out)
	one, hundred := int64(1), int64(100)
	require.Equal(t, limits{StorageQuotaBytes: &hundred, DailyUploads: &one, EffectiveStorageQuotaBytes: 100, EffectiveDailyUploads: 1}, out.SetUserLimits)
	require.Equal(t, "QUOTA_EXCEEDED", upload(101).code(), "over the account's own quota")
	require.Empty(t, upload(60).Errors)
	r := upload(10)
	require.Equal(t, "QUOTA_EXCEEDED", r.code(), "the account's own daily limit")
	require.Contains(t, r.Errors[0].Message, "1 uploads per 24 hours")

	// Back to the default daily limit (5), quota kept: 60 + 60 > 100.
	e.decode(e.query(set, map[string]any{"id": userID, "q": 100}, bearer(admin)), &out)
	require.Equal(t, limits{StorageQuotaBytes: &hundred, EffectiveStorageQuotaBytes: 100, EffectiveDailyUploads: 5}, out.SetUserLimits)
	r = upload(60)
	require.Equal(t, "QUOTA_EXCEEDED", r.code())
	require.Contains(t, r.Errors[0].Message, "storage quota of 100 B")
	require.Empty(t, upload(40).Errors)

	// 0: unlimited, past the instance's 2 GiB (the 1 GiB file limit stays).
	zero := int64(0)
	e.decode(e.query(set, map[string]any{"id": userID, "q": 0}, bearer(admin)), &out)
	require.Equal(t, limits{StorageQuotaBytes: &zero, EffectiveStorageQuotaBytes: 0, EffectiveDailyUploads: 5}, out.SetUserLimits)
	for range 2 {
		require.Empty(t, upload(1<<30).Errors)
	}

	var users struct {
		AdminUsers struct {
			Edges []struct {
				Node struct {
					limits
					User struct{ Email string }
				}
			}
		}
	}
	e.decode(e.query(`{ adminUsers { edges { node { storageQuotaBytes dailyUploads effectiveStorageQuotaBytes effectiveDailyUploads user { email } } } } }`,
		nil, bearer(admin)), &users)
	byEmail := map[string]limits{}
	for _, edge := range users.AdminUsers.Edges {
		byEmail[edge.Node.User.Email] = edge.Node.limits
	}
	require.Equal(t, limits{StorageQuotaBytes: &zero, EffectiveDailyUploads: 5}, byEmail["user@example.com"])
	require.Equal(t, limits{}, byEmail["admin@example.com"], "administrators have no default limits")

	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Action, TargetID string
					Reason           *string
				}
			}
		}
	}
	e.decode(e.query(`{ auditLog { edges { node { action targetId reason } } } }`, nil, bearer(admin)), &log)
	require.Len(t, log.AuditLog.Edges, 3, "one entry per change")
	for _, edge := range log.AuditLog.Edges {
		require.Equal(t, "user.limits_set", edge.Node.Action)
		require.Equal(t, userID, edge.Node.TargetID)
	}
	require.Equal(t, "trial account", *log.AuditLog.Edges[2].Node.Reason)
	e.decode(e.query(set, map[string]any{"id": userID, "q": 0}, bearer(admin)), &out)
	e.decode(e.query(`{ auditLog { edges { node { action targetId reason } } } }`, nil, bearer(admin)), &log)
	require.Len(t, log.AuditLog.Edges, 3, "setting the same limits again records nothing")
}

// TestAdminOverviewRates: the overview counts the last 24 hours hour by
// hour, measures processing, and lists the jobs River discarded with
// their last error.
func TestAdminOverviewRates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.signUp("admin@example.com", "Admin").Token
	ids := e.makeVideos("admin@example.com", 3, store.PrivacyPublic, true)
	// Two of them finished uploading 10 and 30 s before they were ready.
	_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET processed_at = now(), uploaded_at = now() - make_interval(secs => CASE WHEN id = $1 THEN 10 ELSE 30 END)
		WHERE id = ANY($2)`, ids[0], ids[:2])
	require.NoError(t, err)
	_, err = e.store.Pool().Exec(ctx, `UPDATE videos SET status = 'FAILED', error = 'This file is not a video.' WHERE id = $1`, ids[2])
	require.NoError(t, err)
	_, err = e.store.Pool().Exec(ctx, `INSERT INTO river_job (args, kind, max_attempts, attempt, queue, state, finalized_at, errors)
		VALUES ('{}', 'gone_kind', 1, 1, 'default', 'discarded', now(), ARRAY['{"attempt": 1, "error": "first"}', '{"attempt": 1, "error": "job kind is not registered"}']::jsonb[])`)
	require.NoError(t, err)

	var out struct {
		AdminOverview struct {
			Activity []struct {
				Hour                              time.Time
				UploadsStarted, Processed, Failed int
			}
			ProcessingTime struct {
				Count                     int
				MedianSeconds, P95Seconds float64
			}
			DiscardedJobs []struct {
				ID                 int64
				Kind, Queue, Error string
			}
			Failures []struct{ VideoID, Error string }
		}
	}
	e.decode(e.query(`{ adminOverview { activity { hour uploadsStarted processed failed }
		processingTime { count medianSeconds p95Seconds } discardedJobs { id kind queue error } failures { videoId error } } }`, nil, bearer(admin)), &out)
	o := out.AdminOverview
	require.Len(t, o.Activity, 24)
	for i := 1; i < len(o.Activity); i++ {
		require.Equal(t, time.Hour, o.Activity[i].Hour.Sub(o.Activity[i-1].Hour))
	}
	var started, processed, failed int
	for _, h := range o.Activity {
		started, processed, failed = started+h.UploadsStarted, processed+h.Processed, failed+h.Failed
	}
	require.Equal(t, []int{3, 2, 1}, []int{started, processed, failed})
	require.Equal(t, 2, o.ProcessingTime.Count)
	require.InDelta(t, 20, o.ProcessingTime.MedianSeconds, 0.5)
	require.InDelta(t, 29, o.ProcessingTime.P95Seconds, 0.5)
	require.Len(t, o.DiscardedJobs, 1)
	require.Equal(t, "gone_kind", o.DiscardedJobs[0].Kind)
	require.Equal(t, "job kind is not registered", o.DiscardedJobs[0].Error, "the last error")
	require.Len(t, o.Failures, 1)
	require.Equal(t, ids[2], o.Failures[0].VideoID)
}

// TestDisablingEndsOpenSubscriptions: the websocket connections an
// account opened with a session and with an API token end as soon as an
// administrator disables it (its credentials are deleted and revoked, which
// the notifier announces), each with UNAUTHENTICATED and close code 4403.
func TestDisablingEndsOpenSubscriptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	token := e.createToken(owner, "ci", []string{"VIDEOS_READ"}, nil)
	ownerID := e.userID(owner)
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
	_, err := e.store.Pool().Exec(context.Background(), "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 1 WHERE id = $1", id)
	require.NoError(t, err)

	var kas [2]int
	conns := make([]*wsClient, 0, 2)
	for i, cred := range []string{owner, token} {
		c := e.dialWS("graphql-transport-ws", map[string]any{"Authorization": "Bearer " + cred})
		require.Equal(t, "connection_ack", c.next(&kas[i]).Type)
		c.subscribeProgress("graphql-transport-ws", "progress", id)
		c.readProgressOf(&kas[i])
		conns = append(conns, c)
	}
	r := e.query(`mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { disabled } }`, map[string]any{"id": ownerID}, bearer(admin))
	require.Empty(t, r.Errors)

	for i, c := range conns {
		var gotError bool
		for {
			_, b, err := c.conn.Read(c.ctx)
			if err != nil {
				require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err), "connection %d: %v", i, err)
				break
			}
			var m wsMessage
			require.NoError(t, json.Unmarshal(b, &m))
			if m.Type == "ping" || m.Type == "pong" {
				continue
			}
			require.Equal(t, "error", m.Type, "connection %d: no event after the account was disabled: %s", i, b)
			require.Contains(t, string(m.Payload), `"code":"UNAUTHENTICATED"`)
			gotError = true
		}
		require.True(t, gotError, "connection %d: the subscription ended with an error", i)
	}
}

// TestAdminDeletesAnyVideoAudited: an administrator deletes another
// account's video with its files queued for removal, audited with the
// reason; the owner cannot use this field, and an unknown video is
// NOT_FOUND.
func TestAdminDeletesAnyVideoAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	del := `mutation($id: ID!, $r: String) { adminDeleteVideo(videoId: $id, reason: $r) }`

	require.Equal(t, "FORBIDDEN", e.query(del, map[string]any{"id": id}, bearer(owner)).code())
	require.JSONEq(t, `{"adminDeleteVideo":true}`, string(e.query(del, map[string]any{"id": id, "r": "illegal content"}, bearer(admin)).Data))
	require.Equal(t, "NOT_FOUND", e.query(del, map[string]any{"id": id}, bearer(admin)).code(), "gone")
	_, err := e.store.VideoByID(ctx, mustUUID(t, id))
	require.ErrorIs(t, err, store.ErrNotFound)
	var jobs int
	require.NoError(t, e.store.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'delete_media' AND args->>'video_id' = $1`, id).Scan(&jobs))
	require.Equal(t, 1, jobs, "its files are queued for removal")

	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Action, TargetID string
					Reason           *string
				}
			}
		}
	}
	e.decode(e.query(`{ auditLog { edges { node { action targetId reason } } } }`, nil, bearer(admin)), &log)
	require.Len(t, log.AuditLog.Edges, 1)
	require.Equal(t, "video.deleted", log.AuditLog.Edges[0].Node.Action)
	require.Equal(t, id, log.AuditLog.Edges[0].Node.TargetID)
	require.Equal(t, "illegal content", *log.AuditLog.Edges[0].Node.Reason)
}
