package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// BenchmarkSideBySide runs the graphql bench row's two operations through
// clipcut's GraphQL handler (auth middleware, gqlgen, its fast path for
// plain video reads), the same handler without the fast path, and this
// baseline, in one process on one database, without the network: the
// in-process counterpart of `go run ./bench -only graphql`. cpu-µs/op is
// the process's CPU time per request (Postgres runs elsewhere), which on a
// busy machine says more than ns/op; allocs/op does not depend on the load.
func BenchmarkSideBySide(b *testing.B) {
	ctx := context.Background()
	st := storetest.NewStore(b)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(b, err)
	sess, err := svc.SignUp(ctx, "bench@example.com", "correct horse battery", "Bench", auth.Client{IP: "127.0.0.1"})
	require.NoError(b, err)
	var rs []store.Rendition
	for _, h := range []int{240, 360, 480, 720, 1080} {
		rs = append(rs, store.Rendition{Name: fmt.Sprintf("%dp", h), Width: h * 16 / 9, Height: h, Bandwidth: h * 5500,
			AverageBandwidth: h * 4400, Codecs: "avc1.64001f,mp4a.40.2", FrameRate: 29.97, Playlist: fmt.Sprintf("videos/x/%dp/index.m3u8", h)})
	}
	var first string
	for i := range 60 {
		var id string
		require.NoError(b, st.Pool().QueryRow(ctx, `
			INSERT INTO videos (owner_id, title, description, status, privacy, playable, stage, percent,
				duration_seconds, width, height, renditions, created_at)
			VALUES ($1, $2, $3, 'READY', 'PUBLIC', true, 'done', 100, $4, 1920, 1080, $5, now() - make_interval(secs => $6))
			RETURNING id::text`,
			sess.User.ID, fmt.Sprintf("Benchmark video %d", i+1), fmt.Sprintf("Seeded, number %d of 60.", i+1),
			60.0+float64(i)/8, rs, float64(i)).Scan(&id))
		if i == 0 {
			first = id
		}
	}
	clipcut := svc.Middleware(auth.MiddlewareOptions{})(graph.NewHandler(&graph.Resolver{Store: st, Auth: svc, Logger: logger}, graph.Options{}))
	// gqlgen is clipcut's handler without its fast path for plain video
	// reads: every field through gqlgen's executor, as before issue 18.
	gqlgen := svc.Middleware(auth.MiddlewareOptions{})(graph.NewHandler(&graph.Resolver{Store: st, Auth: svc, Logger: logger}, graph.Options{NoFastReads: true}))
	plain := newHandler(st)
	ops := []struct {
		name      string
		gqlBody   any
		plainPath string
		plainBody any
	}{
		{"video", map[string]any{"query": `query($id: ID!) { video(id: $id) { ` + videoSelection + ` } }`, "variables": map[string]any{"id": first}},
			"/video", map[string]any{"id": first}},
		{"videos", map[string]any{"query": `query($n: Int) { videos(first: $n) { edges { cursor node { ` + videoSelection +
			` } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, "variables": map[string]any{"n": 50}},
			"/videos", map[string]any{"first": 50}},
	}
	for _, op := range ops {
		for _, target := range []struct {
			name string
			h    http.Handler
			path string
			body any
		}{{"clipcut", clipcut, "/graphql", op.gqlBody}, {"gqlgen", gqlgen, "/graphql", op.gqlBody}, {"plain", plain, op.plainPath, op.plainBody}} {
			b.Run(op.name+"/"+target.name, func(b *testing.B) {
				body, err := json.Marshal(target.body)
				require.NoError(b, err)
				run := func() *httptest.ResponseRecorder {
					req := httptest.NewRequest(http.MethodPost, target.path, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+sess.Token)
					w := httptest.NewRecorder()
					target.h.ServeHTTP(w, req)
					return w
				}
				w := run()
				require.Equal(b, http.StatusOK, w.Code, w.Body.String())
				b.ReportAllocs()
				before := cpuTime()
				for b.Loop() {
					run()
				}
				b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
