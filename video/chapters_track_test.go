package video_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

func TestChaptersTrackIsPublishedAndFollowsChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	v := e.transcoded()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET duration_seconds = 600 WHERE id = $1", v.ID)
	require.NoError(t, err)
	v, err = e.store.VideoByID(ctx, v.ID)
	require.NoError(t, err)
	_, _, ok := video.ChaptersTrack(v)
	require.False(t, ok, "no chapters, no track")

	// The description's chapters, published when the description changes.
	desc := "Trip\n0:00 Intro\n2:00 Main part\n"
	v, err = e.videos.Update(ctx, v.ID, e.owner, store.VideoChanges{Description: &desc})
	require.NoError(t, err)
	key, vtt, ok := video.ChaptersTrack(v)
	require.True(t, ok)
	want := "WEBVTT\n\n00:00:00.000 --> 00:02:00.000\nIntro\n\n00:02:00.000 --> 00:10:00.000\nMain part\n"
	require.Equal(t, want, string(vtt))
	require.Equal(t, want, e.read(key))
	_, served := layout.ParsePath(layout.URL(layout.PublicPath(v.ID), v.ID, key))
	require.True(t, served, "/media serves %s", key)

	// setChapters overrides them under a new name.
	v, err = e.videos.SetChapters(ctx, v.ID, e.owner, []store.Chapter{ch(0, "A"), ch(30.5, "B")})
	require.NoError(t, err)
	key2, _, ok := video.ChaptersTrack(v)
	require.True(t, ok)
	require.NotEqual(t, key, key2)
	require.Equal(t, "WEBVTT\n\n00:00:00.000 --> 00:00:30.500\nA\n\n00:00:30.500 --> 00:10:00.000\nB\n", e.read(key2))
}
