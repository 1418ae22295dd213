package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// videoSelection is bench/graphql.go's selection (package main of the
// bench, which a test here cannot import).
const videoSelection = `id title description status playable privacy duration width height createdAt
owner { id name }
renditions { name width height bandwidth averageBandwidth codecs frameRate }
processing { stage percent error }`

// The baseline answers what clipcut's GraphQL handler answers, on the same
// database, for every kind of video the two queries can meet: the bench
// checks this too before it measures, but only on its own seed.
func TestAnswersAsClipcutDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewStore(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(t, err)
	ada, err := svc.SignUp(ctx, "ada@example.com", "correct horse battery", "Ada", auth.Client{IP: "127.0.0.1"})
	require.NoError(t, err)
	bob, err := svc.SignUp(ctx, "bob@example.com", "correct horse battery", "Bob", auth.Client{IP: "127.0.0.1"})
	require.NoError(t, err)

	seed := func(owner store.User, title, privacy, set string, args ...any) string {
		v, err := st.CreateVideo(ctx, store.NewVideo{OwnerID: owner.ID, Title: title, Privacy: privacy})
		require.NoError(t, err)
		if set != "" {
			_, err = st.Pool().Exec(ctx, `UPDATE videos SET `+set+` WHERE id = $1`, append([]any{v.ID}, args...)...)
			require.NoError(t, err)
		}
		return v.ID.String()
	}
	renditions := []store.Rendition{
		{Name: "360p", Width: 640, Height: 360, Bandwidth: 900000, AverageBandwidth: 800000, Codecs: "avc1.64001e,mp4a.40.2", FrameRate: 29.97, Playlist: "videos/x/360p/index.m3u8", StartTime: 1.4},
		{Name: "720p", Width: 1280, Height: 720, Bandwidth: 3000000, AverageBandwidth: 2500000, Codecs: "avc1.64001f,mp4a.40.2", FrameRate: 30},
	}
	ready := seed(ada.User, "Ready", "PUBLIC", `status = 'READY', playable = true, stage = 'done', percent = 100,
		duration_seconds = 12.5, width = 1280, height = 720, renditions = $2, description = 'A description'`, renditions)
	uploading := seed(bob.User, "Uploading", "PUBLIC", "")
	failed := seed(bob.User, "Failed", "UNLISTED", `status = 'FAILED', stage = 'failed', percent = 40, error = 'Not a video.'`)
	private := seed(bob.User, "Private", "PRIVATE", `status = 'READY', playable = true, stage = 'done', percent = 100`)
	for i := range 3 {
		seed(bob.User, "Feed", "PUBLIC", `status = 'PROCESSING', playable = true, stage = 'transcode', percent = $2, renditions = $3`,
			float64(i)*10.5, renditions[:1])
	}

	clipcut := svc.Middleware(auth.MiddlewareOptions{})(graph.NewHandler(&graph.Resolver{Store: st, Auth: svc, Logger: logger}, graph.Options{}))
	plain := newHandler(st)
	answer := func(h http.Handler, path, token string, body any) any {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.NotContains(t, rec.Body.String(), `"errors"`)
		var v any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
		return v
	}

	videoQuery := `query($id: ID!) { video(id: $id) { ` + videoSelection + ` } }`
	for _, token := range []string{ada.Token, bob.Token, ""} {
		for _, id := range []string{ready, uploading, failed, private, "7b0f4a3e-0000-4000-8000-000000000000"} {
			want := answer(clipcut, "/graphql", token, map[string]any{"query": videoQuery, "variables": map[string]any{"id": id}})
			got := answer(plain, "/video", token, map[string]any{"id": id})
			require.Equal(t, want, got, "video %s", id)
		}
	}
	videosQuery := `query($n: Int) { videos(first: $n) { edges { cursor node { ` + videoSelection +
		` } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	for _, n := range []int{1, 2, 50} {
		want := answer(clipcut, "/graphql", ada.Token, map[string]any{"query": videosQuery, "variables": map[string]any{"n": n}})
		got := answer(plain, "/videos", ada.Token, map[string]any{"first": n})
		require.Equal(t, want, got, "videos(first: %d)", n)
	}
	_, err = st.Pool().Exec(ctx, `UPDATE videos SET playable = false`)
	require.NoError(t, err)
	want := answer(clipcut, "/graphql", "", map[string]any{"query": videosQuery, "variables": map[string]any{"n": 50}})
	got := answer(plain, "/videos", "", map[string]any{"first": 50})
	require.Equal(t, want, got, "an empty feed")
}
