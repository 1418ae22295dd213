package graph_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// TestAppealTakedown: only the owner appeals, only a video that is down,
// once per takedown; the owner and administrators see the appeal (on the
// video, in adminVideos(appealed: true) and in the audit log), nobody
// else does; a new takedown or a restore closes it.
func TestAppealTakedown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	ownerWriteToken := e.createToken(owner, "w", []string{"VIDEOS_WRITE"}, nil)
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	appeal := `mutation($id: ID!, $m: String!) { appealTakedown(videoId: $id, message: $m) { status takedownAppeal { message createdAt } } }`
	vars := func(m string) map[string]any { return map[string]any{"id": id, "m": m} }
	takeDown := func(reason string) {
		t.Helper()
		require.Empty(t, e.query(`mutation($id: ID!, $r: String!) { takeDownVideo(videoId: $id, reason: $r) { id } }`,
			map[string]any{"id": id, "r": reason}, bearer(admin)).Errors)
	}
	videoQ := `query($id: ID!) { video(id: $id) { takedownAppeal { message } } }`
	appealedQ := `query($a: Boolean) { adminVideos(appealed: $a) { edges { node { id takedownAppeal { message } } } } }`

	require.Equal(t, "BAD_USER_INPUT", e.query(appeal, vars("Why?"), bearer(owner)).code(), "a video that is up has nothing to appeal")
	takeDown("Spam")
	require.Equal(t, "UNAUTHENTICATED", e.query(appeal, vars("Why?")).code())
	require.Equal(t, "NOT_FOUND", e.query(appeal, vars("Why?"), bearer(other)).code(), "another user cannot see a taken-down video")
	require.Equal(t, "FORBIDDEN", e.query(appeal, vars("Why?"), bearer(admin)).code(), "an administrator is not the owner")
	require.Equal(t, "BAD_USER_INPUT", e.query(appeal, vars("   "), bearer(owner)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(appeal, vars(strings.Repeat("a", 2001)), bearer(owner)).code())

	var got struct {
		AppealTakedown struct {
			Status         string
			TakedownAppeal struct{ Message, CreatedAt string }
		}
	}
	e.decode(e.query(appeal, vars("  It is my own song.  "), bearer(ownerWriteToken)), &got)
	require.Equal(t, "TAKEN_DOWN", got.AppealTakedown.Status)
	require.Equal(t, "It is my own song.", got.AppealTakedown.TakedownAppeal.Message)
	require.NotEmpty(t, got.AppealTakedown.TakedownAppeal.CreatedAt)
	r := e.query(appeal, vars("Again"), bearer(owner))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "one open appeal per takedown")
	require.Contains(t, r.Errors[0].Message, "already appealed")

	want := `{"video":{"takedownAppeal":{"message":"It is my own song."}}}`
	require.JSONEq(t, want, string(e.query(videoQ, map[string]any{"id": id}, bearer(owner)).Data))
	require.JSONEq(t, want, string(e.query(videoQ, map[string]any{"id": id}, bearer(admin)).Data))
	require.JSONEq(t, `{"video":null}`, string(e.query(videoQ, map[string]any{"id": id}, bearer(other)).Data))
	require.JSONEq(t, `{"adminVideos":{"edges":[{"node":{"id":"`+id+`","takedownAppeal":{"message":"It is my own song."}}}]}}`,
		string(e.query(appealedQ, map[string]any{"a": true}, bearer(admin)).Data))
	require.NotContains(t, string(e.query(appealedQ, map[string]any{"a": false}, bearer(admin)).Data), id)

	entry := latestAuditEntry(t, e, admin)
	require.Equal(t, "video.appealed", entry.Action)
	require.Equal(t, id, entry.TargetID)
	require.Equal(t, "It is my own song.", *entry.Reason)
	require.Equal(t, e.userID(owner), entry.Actor.ID, "the owner appealed")

	takeDown("Spam, really")
	require.JSONEq(t, `{"video":{"takedownAppeal":null}}`, string(e.query(videoQ, map[string]any{"id": id}, bearer(owner)).Data),
		"a new takedown clears the appeal")
	require.Empty(t, e.query(appeal, vars("Still mine."), bearer(owner)).Errors, "the new takedown may be appealed")
	require.Empty(t, e.query(`mutation($id: ID!) { restoreVideo(videoId: $id) { id } }`, map[string]any{"id": id}, bearer(admin)).Errors)
	require.NotContains(t, string(e.query(appealedQ, map[string]any{"a": true}, bearer(admin)).Data), id, "a restore closes the appeal")
	require.JSONEq(t, `{"video":{"takedownAppeal":null}}`, string(e.query(videoQ, map[string]any{"id": id}, bearer(owner)).Data))
	require.Equal(t, "BAD_USER_INPUT", e.query(appeal, vars("Why?"), bearer(owner)).code())
}

// TestReportByPublicID: a viewer who reached an UNLISTED video through its
// public id reports it by that id; its plain id and a PRIVATE video's
// public id stay NOT_FOUND; exactly one of the two names.
func TestReportByPublicID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	viewer := e.signUp("viewer@example.com", "Viewer").Token
	unlisted := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	publicID := func(id string) string {
		var v struct{ Video struct{ PublicID string } }
		e.decode(e.query(`query($id: ID!) { video(id: $id) { publicId } }`, map[string]any{"id": id}, bearer(owner)), &v)
		require.NotEmpty(t, v.Video.PublicID)
		return v.Video.PublicID
	}
	byID := `mutation($id: ID!) { reportVideo(videoId: $id, reason: SPAM) }`
	byPublicID := `mutation($p: String!) { reportVideo(publicId: $p, reason: HATE, note: "unlisted") }`

	require.Equal(t, "NOT_FOUND", e.query(byID, map[string]any{"id": unlisted}, bearer(viewer)).code(),
		"the plain id does not open an UNLISTED video to strangers")
	require.JSONEq(t, `{"reportVideo":true}`, string(e.query(byPublicID, map[string]any{"p": publicID(unlisted)}, bearer(viewer)).Data))
	require.Equal(t, "NOT_FOUND", e.query(byPublicID, map[string]any{"p": publicID(private)}, bearer(viewer)).code())
	require.Equal(t, "NOT_FOUND", e.query(byPublicID, map[string]any{"p": "no-such-public-id"}, bearer(viewer)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(`mutation($id: ID!, $p: String!) { reportVideo(videoId: $id, publicId: $p, reason: SPAM) }`,
		map[string]any{"id": unlisted, "p": publicID(unlisted)}, bearer(viewer)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(`mutation { reportVideo(reason: SPAM) }`, nil, bearer(viewer)).code())

	var groups struct {
		Reports []struct {
			Count   int
			Video   struct{ ID string }
			Reports []struct{ Reason, Note string }
		}
	}
	e.decode(e.query(`{ reports { count video { id } reports { reason note } } }`, nil, bearer(admin)), &groups)
	require.Len(t, groups.Reports, 1)
	require.Equal(t, unlisted, groups.Reports[0].Video.ID)
	require.Equal(t, "HATE", groups.Reports[0].Reports[0].Reason)
	require.Equal(t, "unlisted", groups.Reports[0].Reports[0].Note)
}

// TestAnswerTakedownAppeal: an administrator answers an open appeal once,
// the video staying down; the owner reads the answer and when it came
// (not who wrote it), nobody else does; the answer is audited; a page of
// appealed videos reads its appeals in one query.
func TestAnswerTakedownAppeal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin").Token
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	ids := e.makeVideos("owner@example.com", 4, store.PrivacyPublic, true)
	id := ids[0]
	answer := `mutation($id: ID!, $m: String!) { answerTakedownAppeal(videoId: $id, message: $m) { status takedownAppeal { message answer answeredAt } } }`
	vars := func(id, m string) map[string]any { return map[string]any{"id": id, "m": m} }
	for _, v := range ids {
		require.Empty(t, e.query(`mutation($id: ID!) { takeDownVideo(videoId: $id, reason: "Spam") { id } }`, map[string]any{"id": v}, bearer(admin)).Errors)
	}
	require.Equal(t, "BAD_USER_INPUT", e.query(answer, vars(id, "No."), bearer(admin)).code(), "no appeal to answer yet")
	for _, v := range ids[:3] {
		require.Empty(t, e.query(`mutation($id: ID!) { appealTakedown(videoId: $id, message: "It is my own song.") { id } }`,
			map[string]any{"id": v}, bearer(owner)).Errors)
	}

	require.Equal(t, "UNAUTHENTICATED", e.query(answer, vars(id, "No.")).code())
	require.Equal(t, "FORBIDDEN", e.query(answer, vars(id, "Granted, surely."), bearer(owner)).code(), "the owner cannot answer")
	require.Equal(t, "FORBIDDEN", e.query(answer, vars(id, "No."), bearer(other)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(answer, vars(id, "  "), bearer(admin)).code())
	require.Equal(t, "BAD_USER_INPUT", e.query(answer, vars(id, strings.Repeat("a", 2001)), bearer(admin)).code())

	var got struct {
		AnswerTakedownAppeal struct {
			Status         string
			TakedownAppeal struct {
				Message, Answer, AnsweredAt string
			}
		}
	}
	e.decode(e.query(answer, vars(id, "  The song is not yours: the label's claim stands.  "), bearer(admin)), &got)
	require.Equal(t, "TAKEN_DOWN", got.AnswerTakedownAppeal.Status, "the video stays down")
	require.Equal(t, "It is my own song.", got.AnswerTakedownAppeal.TakedownAppeal.Message)
	require.Equal(t, "The song is not yours: the label's claim stands.", got.AnswerTakedownAppeal.TakedownAppeal.Answer)
	require.NotEmpty(t, got.AnswerTakedownAppeal.TakedownAppeal.AnsweredAt)
	r := e.query(answer, vars(id, "Again."), bearer(admin))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "one answer per appeal")
	require.Contains(t, r.Errors[0].Message, "already answered")
	require.Equal(t, "BAD_USER_INPUT", e.query(`mutation($id: ID!) { appealTakedown(videoId: $id, message: "Please?") { id } }`,
		map[string]any{"id": id}, bearer(owner)).code(), "an answered appeal is not sent again")

	videoQ := `query($id: ID!) { video(id: $id) { takedownAppeal { answer answeredAt } } }`
	var seen struct {
		Video *struct {
			TakedownAppeal *struct{ Answer, AnsweredAt string }
		}
	}
	e.decode(e.query(videoQ, map[string]any{"id": id}, bearer(owner)), &seen)
	require.Equal(t, "The song is not yours: the label's claim stands.", seen.Video.TakedownAppeal.Answer, "the owner reads the answer")
	require.Equal(t, got.AnswerTakedownAppeal.TakedownAppeal.AnsweredAt, seen.Video.TakedownAppeal.AnsweredAt)
	require.JSONEq(t, `{"video":null}`, string(e.query(videoQ, map[string]any{"id": id}, bearer(other)).Data))

	entry := latestAuditEntry(t, e, admin)
	require.Equal(t, "video.appeal_answered", entry.Action)
	require.Equal(t, id, entry.TargetID)
	require.Equal(t, "The song is not yours: the label's claim stands.", *entry.Reason)
	require.Equal(t, e.userID(admin), entry.Actor.ID)

	// Four taken-down videos, three appealed, one answered: the page
	// costs its own queries and one for every appeal on it.
	pageQ := `{ adminVideos(status: TAKEN_DOWN) { edges { node { id takedownAppeal { answer } } } } }`
	bare := `{ adminVideos(status: TAKEN_DOWN) { edges { node { id } } } }`
	count := func(q string) int64 {
		before := e.queries.n.Load()
		r := e.query(q, nil, bearer(admin))
		require.Empty(t, r.Errors)
		return e.queries.n.Load() - before
	}
	require.Equal(t, count(bare)+1, count(pageQ), "one query for the page's appeals")
	var page struct {
		AdminVideos struct {
			Edges []struct {
				Node struct {
					ID             string
					TakedownAppeal *struct{ Answer *string }
				}
			}
		}
	}
	e.decode(e.query(pageQ, nil, bearer(admin)), &page)
	appealed, answered := 0, 0
	for _, edge := range page.AdminVideos.Edges {
		if a := edge.Node.TakedownAppeal; a != nil {
			appealed++
			if a.Answer != nil {
				answered++
				require.Equal(t, id, edge.Node.ID)
			}
		}
	}
	require.Equal(t, []int{3, 1}, []int{appealed, answered})
}

// auditEntry is one entry of the audit log as the tests read it.
type auditEntry struct {
	Action, TargetID string
	Reason           *string
	Actor            struct{ ID string }
}

// latestAuditEntry reads the newest entry of the audit log as the
// administrator admin.
func latestAuditEntry(t *testing.T, e *env, admin string) auditEntry {
	t.Helper()
	var log struct {
		AuditLog struct{ Edges []struct{ Node auditEntry } }
	}
	e.decode(e.query(`{ auditLog { edges { node { action targetId reason actor { id } } } } }`, nil, bearer(admin)), &log)
	require.NotEmpty(t, log.AuditLog.Edges, "the audit log is empty")
	return log.AuditLog.Edges[0].Node
}
