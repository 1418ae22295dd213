package video_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

func TestDescriptionChapters(t *testing.T) {
	t.Parallel()
	hour := 2 * 3600.0
	short := 100.0
	for _, tc := range []struct {
		name        string
		description string
		duration    *float64
		want        []store.Chapter
	}{
		{"youtube style", "My trip.\n\n0:00 Intro\n1:23 - The river\n1:02:03 Outro\nThanks!", &hour,
			[]store.Chapter{ch(0, "Intro"), ch(83, "The river"), ch(3723, "Outro")}},
		{"brackets, separators and CRLF", "(00:00) Start\r\n[01:30]: Middle\r\n", nil,
			[]store.Chapter{ch(0, "Start"), ch(90, "Middle")}},
		{"first not at 0:00", "0:05 Intro\n1:00 Rest", nil, []store.Chapter{}},
		{"only one", "0:00 Intro", nil, []store.Chapter{}},
		{"not increasing", "0:00 A\n2:00 B\n1:00 C", nil, []store.Chapter{}},
		{"seconds over 59", "0:00 A\n1:75 B", nil, []store.Chapter{}},
		{"past the end is left out", "0:00 A\n0:50 B\n5:00 C", &short, []store.Chapter{ch(0, "A"), ch(50, "B")}},
		{"timestamp without a title", "0:00\n1:00 B", nil, []store.Chapter{}},
		{"timestamps inside lines do not count", "See 0:00 and\nthen 1:00 here", nil, []store.Chapter{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, video.DescriptionChapters(tc.description, tc.duration))
		})
	}
}

func TestSetChaptersOverridesTheDescriptionAndRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.transcoded()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET duration_seconds = 600, description = $2 WHERE id = $1",
		v.ID, "0:00 Intro\n2:00 Main")
	require.NoError(t, err)
	v, err = e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, []store.Chapter{ch(0, "Intro"), ch(120, "Main")}, video.Chapters(v))

	for _, tc := range []struct {
		name     string
		chapters []store.Chapter
		field    string
	}{
		{"negative", []store.Chapter{ch(-1, "A")}, "start"},
		{"at the end", []store.Chapter{ch(0, "A"), ch(600, "B")}, "start"},
		{"unordered", []store.Chapter{ch(0, "A"), ch(60, "B"), ch(30, "C")}, "start"},
		{"duplicate start", []store.Chapter{ch(0, "A"), ch(0, "B")}, "start"},
		{"blank title", []store.Chapter{ch(0, "  ")}, "title"},
		{"long title", []store.Chapter{ch(0, string(make([]rune, video.MaxChapterTitle+1)))}, "title"},
		{"too many", make([]store.Chapter, video.MaxChapters+1), "chapters"},
	} {
		_, err := e.videos.SetChapters(ctx, v.ID, e.owner, tc.chapters)
		var ie *video.InputError
		require.ErrorAs(t, err, &ie, tc.name)
		require.Equal(t, tc.field, ie.Field, tc.name)
	}
	got, err := e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	require.Nil(t, got.Chapters, "refused input changed nothing")

	_, err = e.videos.SetChapters(ctx, v.ID, e.other, []store.Chapter{ch(0, "Mine")})
	require.ErrorIs(t, err, store.ErrForbidden)

	set, err := e.videos.SetChapters(ctx, v.ID, e.owner, []store.Chapter{ch(0, " Cold open "), ch(12.5, "Story")})
	require.NoError(t, err)
	require.Equal(t, []store.Chapter{ch(0, "Cold open"), ch(12.5, "Story")}, video.Chapters(set))
	got, err = e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, []store.Chapter{ch(0, "Cold open"), ch(12.5, "Story")}, video.Chapters(got), "stored")

	none, err := e.videos.SetChapters(ctx, v.ID, e.owner, []store.Chapter{})
	require.NoError(t, err)
	require.Empty(t, video.Chapters(none), "an empty list means no chapters, whatever the description says")
	got, err = e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Chapters)
	require.Empty(t, video.Chapters(got))

	back, err := e.videos.SetChapters(ctx, v.ID, e.owner, nil)
	require.NoError(t, err)
	require.Nil(t, back.Chapters)
	require.Equal(t, []store.Chapter{ch(0, "Intro"), ch(120, "Main")}, video.Chapters(back), "null: the description's again")
}

func ch(start float64, title string) store.Chapter { return store.Chapter{Start: start, Title: title} }

func TestSetPosterNeedsAReadyVideoAndATimeInside(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.videos.SetPoster(ctx, e.upload().ID, e.owner, 0)
	var se *video.StateError
	require.ErrorAs(t, err, &se)
	v := e.transcoded()
	_, err = e.videos.SetPoster(ctx, v.ID, e.other, 0)
	require.ErrorIs(t, err, store.ErrForbidden)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET duration_seconds = 10 WHERE id = $1", v.ID)
	require.NoError(t, err)
	for _, at := range []float64{-0.5, 10, 11} {
		_, err = e.videos.SetPoster(ctx, v.ID, e.owner, at)
		var ie *video.InputError
		require.ErrorAs(t, err, &ie, "%v", at)
		require.Equal(t, "time", ie.Field)
	}
	require.Equal(t, []string{"probe"}, e.jobKinds("video_id", v.ID), "nothing queued")
}

func TestEditVideoRefusesBadInputNamingTheFieldAndChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.videos.EditVideo(ctx, e.upload().ID, e.owner, []store.TimeRange{{Start: 0, End: 1}})
	var ie *video.InputError
	require.ErrorAs(t, err, &ie, "a video that is not READY")
	require.Equal(t, "videoId", ie.Field)

	v := e.transcoded()
	_, err = e.videos.EditVideo(ctx, v.ID, e.other, []store.TimeRange{{Start: 0, End: 1}})
	require.ErrorIs(t, err, store.ErrForbidden)
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET duration_seconds = 10 WHERE id = $1", v.ID)
	require.NoError(t, err)
	tooMany := make([]store.TimeRange, video.MaxEditRanges+1)
	for i := range tooMany {
		tooMany[i] = store.TimeRange{Start: float64(i) * 0.05, End: float64(i)*0.05 + 0.01}
	}
	r := func(s, e float64) store.TimeRange { return store.TimeRange{Start: s, End: e} }
	for _, bad := range []struct {
		name  string
		keep  []store.TimeRange
		field string
	}{
		{"before the start", []store.TimeRange{r(-1, 2)}, "start"},
		{"past the end", []store.TimeRange{r(2, 10.5)}, "end"},
		{"starting at the end", []store.TimeRange{r(10, 11)}, "start"},
		{"empty range", []store.TimeRange{r(3, 3)}, "end"},
		{"reversed", []store.TimeRange{r(5, 4)}, "end"},
		{"overlapping", []store.TimeRange{r(0, 5), r(4, 8)}, "start"},
		{"unordered", []store.TimeRange{r(6, 8), r(1, 2)}, "start"},
		{"nothing kept", []store.TimeRange{}, "keep"},
		{"too many", tooMany, "keep"},
	} {
		_, err := e.videos.EditVideo(ctx, v.ID, e.owner, bad.keep)
		var ie *video.InputError
		require.ErrorAs(t, err, &ie, bad.name)
		require.Equal(t, bad.field, ie.Field, bad.name)
	}
	st, err := e.store.EditState(ctx, v.ID)
	require.NoError(t, err)
	require.Zero(t, st.Seq, "no edit was asked for")
	require.Equal(t, []string{"probe"}, e.jobKinds("video_id", v.ID), "nothing queued")

	got, err := e.videos.EditVideo(ctx, v.ID, e.owner, []store.TimeRange{r(0, 2), r(5, 10)})
	require.NoError(t, err)
	require.Equal(t, store.StageEdit, got.Stage)
	require.Equal(t, store.StatusReady, got.Status, "the video stays READY and playable while it is edited")
	require.Equal(t, []string{"probe", "edit"}, e.jobKinds("video_id", v.ID))
}

func TestProcessingAgainForgetsTheEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.transcoded()
	_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET edit = '[{"start": 0, "end": 1}]', edit_seq = 3, chapters = '[]',
		edit_original = '{"chapters": [{"start": 0, "title": "A"}, {"start": 5, "title": "B"}]}' WHERE id = $1`, v.ID)
	require.NoError(t, err)
	_, err = e.videos.RetryProcessing(ctx, v.ID, e.owner)
	require.NoError(t, err)
	st, err := e.store.EditState(ctx, v.ID)
	require.NoError(t, err)
	require.Nil(t, st.Keep)
	require.Nil(t, st.Original)
	require.Equal(t, int64(4), st.Seq, "an edit being made is superseded")
	got, err := e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, []store.Chapter{ch(0, "A"), ch(5, "B")}, got.Chapters, "the chapters from before the edit")
}
