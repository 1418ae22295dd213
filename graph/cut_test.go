package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

const setChaptersMutation = `mutation($id: ID!, $c: [ChapterInput!]) {
	setChapters(videoId: $id, chapters: $c) { chapters { start title } } }`

func TestChaptersFromTheDescriptionAndSetChapters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("chapters@example.com", "Owner")
	other := e.signUp("other-chapters@example.com", "Other")
	id := e.makeVideos("chapters@example.com", 1, "PUBLIC", true)[0]
	_, err := e.store.Pool().Exec(context.Background(),
		"UPDATE videos SET duration_seconds = 300, description = $2 WHERE id = $1", id, "Hello\n0:00 Intro\n1:30 Demo\n")
	require.NoError(t, err)

	var read struct {
		Video struct{ Chapters []map[string]any }
	}
	e.decode(e.query(`query($id: ID!) { video(id: $id) { chapters { start title } } }`, map[string]any{"id": id}), &read)
	require.Equal(t, []map[string]any{{"start": 0.0, "title": "Intro"}, {"start": 90.0, "title": "Demo"}}, read.Video.Chapters)

	bad := e.query(setChaptersMutation, map[string]any{"id": id, "c": []map[string]any{{"start": 0, "title": "A"}, {"start": 400, "title": "B"}}}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", bad.code())
	require.Equal(t, "start", bad.Errors[0].Extensions["field"])
	bad = e.query(setChaptersMutation, map[string]any{"id": id, "c": []map[string]any{{"start": 0, "title": ""}}}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", bad.code())
	require.Equal(t, "title", bad.Errors[0].Extensions["field"])
	require.Equal(t, "FORBIDDEN", e.query(setChaptersMutation, map[string]any{"id": id, "c": nil}, bearer(other.Token)).code())

	var set struct {
		SetChapters struct{ Chapters []map[string]any }
	}
	e.decode(e.query(setChaptersMutation, map[string]any{"id": id, "c": []map[string]any{{"start": 0, "title": "Start"}, {"start": 42.5, "title": "End"}}}, bearer(owner.Token)), &set)
	require.Equal(t, []map[string]any{{"start": 0.0, "title": "Start"}, {"start": 42.5, "title": "End"}}, set.SetChapters.Chapters)
	e.decode(e.query(setChaptersMutation, map[string]any{"id": id, "c": []map[string]any{}}, bearer(owner.Token)), &set)
	require.Empty(t, set.SetChapters.Chapters, "[]: no chapters")
	e.decode(e.query(setChaptersMutation, map[string]any{"id": id, "c": nil}, bearer(owner.Token)), &set)
	require.Len(t, set.SetChapters.Chapters, 2, "null: the description's again")
	require.Equal(t, "Intro", set.SetChapters.Chapters[0]["title"])
}

func TestCreateClipRefusesBadRangesNamingTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("clips@example.com", "Owner")
	id := e.makeVideos("clips@example.com", 1, "PUBLIC", true)[0]
	_, err := e.store.Pool().Exec(context.Background(), "UPDATE videos SET duration_seconds = 10 WHERE id = $1", id)
	require.NoError(t, err)
	const m = `mutation($id: ID!, $s: Float!, $e: Float!) { createClip(input: {videoId: $id, start: $s, end: $e}) { id } }`
	for _, tc := range []struct {
		start, end float64
		field      string
	}{{-1, 2, "start"}, {2, 11, "end"}, {3, 3.2, "end"}, {5, 4, "end"}} {
		r := e.query(m, map[string]any{"id": id, "s": tc.start, "e": tc.end}, bearer(owner.Token))
		require.Equal(t, "BAD_USER_INPUT", r.code(), "%v", tc)
		require.Equal(t, tc.field, r.Errors[0].Extensions["field"], "%v", tc)
	}
	r := e.query(`mutation($id: ID!) { createClip(input: {videoId: $id, start: 0, end: 1, title: ""}) { id } }`, map[string]any{"id": id}, bearer(owner.Token))
	require.Equal(t, "title", r.Errors[0].Extensions["field"])
	var n int
	require.NoError(t, e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM videos").Scan(&n))
	require.Equal(t, 1, n, "nothing was created")
}

func TestEditVideoRefusesBadInputNamingTheFieldAndQueuesAGoodOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("edits@example.com", "Owner")
	other := e.signUp("other-edits@example.com", "Other")
	ids := e.makeVideos("edits@example.com", 2, "PUBLIC", true)
	id := ids[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET duration_seconds = 10 WHERE id = $1", id)
	require.NoError(t, err)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING' WHERE id = $1", ids[1])
	require.NoError(t, err)
	const m = `mutation($id: ID!, $keep: [TimeRangeInput!]) { editVideo(input: {videoId: $id, keep: $keep}) { id processing { stage } edit { start end } } }`
	rg := func(s, e float64) map[string]any { return map[string]any{"start": s, "end": e} }
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = rg(float64(i)*0.05, float64(i)*0.05+0.01)
	}
	for _, tc := range []struct {
		name  string
		keep  []map[string]any
		field string
	}{
		{"outside", []map[string]any{rg(-1, 2)}, "start"},
		{"past the end", []map[string]any{rg(2, 11)}, "end"},
		{"empty", []map[string]any{rg(3, 3)}, "end"},
		{"reversed", []map[string]any{rg(5, 4)}, "end"},
		{"overlapping", []map[string]any{rg(0, 5), rg(4, 6)}, "start"},
		{"unordered", []map[string]any{rg(6, 8), rg(0, 1)}, "start"},
		{"none", []map[string]any{}, "keep"},
		{"more than 100", many, "keep"},
	} {
		r := e.query(m, map[string]any{"id": id, "keep": tc.keep}, bearer(owner.Token))
		require.Equal(t, "BAD_USER_INPUT", r.code(), "%s: %+v", tc.name, r.Errors)
		require.Equal(t, tc.field, r.Errors[0].Extensions["field"], tc.name)
	}
	r := e.query(m, map[string]any{"id": ids[1], "keep": []map[string]any{rg(0, 1)}}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code(), "a video that is not READY")
	require.Equal(t, "videoId", r.Errors[0].Extensions["field"])
	require.Equal(t, "FORBIDDEN", e.query(m, map[string]any{"id": id, "keep": nil}, bearer(other.Token)).code())
	var seq int64
	require.NoError(t, e.store.Pool().QueryRow(ctx, "SELECT edit_seq FROM videos WHERE id = $1", id).Scan(&seq))
	require.Zero(t, seq, "nothing was asked for")

	var got struct {
		EditVideo struct {
			Processing struct{ Stage string }
			Edit       []map[string]any
		}
	}
	e.decode(e.query(m, map[string]any{"id": id, "keep": []map[string]any{rg(0, 2), rg(5, 10)}}, bearer(owner.Token)), &got)
	require.Equal(t, "edit", got.EditVideo.Processing.Stage, "the edit is being made")
	require.Nil(t, got.EditVideo.Edit, "the video plays the original until the edit is published")
}
