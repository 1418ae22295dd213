package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// benchSelection is what bench/graphql.go asks of each video.
const benchSelection = `id title description status playable privacy duration width height createdAt
owner { id name }
renditions { name width height bandwidth averageBandwidth codecs frameRate }
processing { stage percent error }`

// seedBenchVideos inserts n PUBLIC, playable videos with five renditions
// each for owner, as the graphql benchmark row does, and returns the
// newest one's id.
func (e *env) seedBenchVideos(owner string, n int) string {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.store.UserByEmail(ctx, owner)
	require.NoError(e.t, err)
	var rs []store.Rendition
	for _, h := range []int{240, 360, 480, 720, 1080} {
		rs = append(rs, store.Rendition{Name: fmt.Sprintf("%dp", h), Width: h * 16 / 9, Height: h, Bandwidth: h * 5500,
			AverageBandwidth: h * 4400, Codecs: "avc1.64001f,mp4a.40.2", FrameRate: 29.97, Playlist: fmt.Sprintf("videos/x/%dp/index.m3u8", h)})
	}
	var newest string
	for i := range n {
		var id string
		require.NoError(e.t, e.store.Pool().QueryRow(ctx, `
			INSERT INTO videos (owner_id, title, description, status, privacy, playable, stage, percent,
				duration_seconds, width, height, renditions, created_at)
			VALUES ($1, $2, $3, 'READY', 'PUBLIC', true, 'done', 100, $4, 1920, 1080, $5, now() - make_interval(secs => $6))
			RETURNING id::text`,
			u.ID, fmt.Sprintf("Benchmark video %d", i+1), fmt.Sprintf("Seeded, number %d of %d.", i+1, n),
			60.0+float64(i)/8, rs, float64(i)).Scan(&id))
		if i == 0 {
			newest = id
		}
	}
	return newest
}

// benchmarkQuery runs one GraphQL request through the handler the test
// server serves (auth middleware, gqlgen, dataloaders, real Postgres),
// without the network, b.N times. Where the time goes:
//
//	go test ./graph -run '^$' -bench VideosPage -benchtime 4s \
//	    -cpuprofile /tmp/cpu.out -memprofile /tmp/mem.out -o /tmp/graph.test
//	go tool pprof -top -cum -ignore argon2 /tmp/graph.test /tmp/cpu.out
//	go tool pprof -sample_index alloc_objects -top /tmp/graph.test /tmp/mem.out
//
// (argon2 is the sign-up before the timer starts.) On a shared machine
// compare allocs/op, which the load does not change, before cpu-µs/op.
func benchmarkQuery(b *testing.B, query func(e *env, first string) map[string]any) {
	e := newEnv(b)
	token := e.signUp("bench@example.com", "Bench").Token
	first := e.seedBenchVideos("bench@example.com", 60)
	body, err := json.Marshal(query(e, first))
	require.NoError(b, err)
	run := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, req)
		return w
	}
	w := run()
	require.Equal(b, http.StatusOK, w.Code)
	require.NotContains(b, w.Body.String(), `"errors"`)
	b.ReportAllocs()
	before := cpuTime()
	for b.Loop() {
		run()
	}
	// The process's CPU time per request (all goroutines, GC included):
	// what bounds throughput when the cores are saturated, unlike ns/op,
	// which also counts the wait for Postgres.
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-µs/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkVideoByID(b *testing.B) {
	benchmarkQuery(b, func(_ *env, first string) map[string]any {
		return map[string]any{"query": "query($id: ID!) { video(id: $id) { " + benchSelection + " } }",
			"variables": map[string]any{"id": first}}
	})
}

func BenchmarkVideosPage(b *testing.B) {
	benchmarkQuery(b, func(*env, string) map[string]any {
		return map[string]any{"query": "query($n: Int) { videos(first: $n) { edges { cursor node { " + benchSelection +
			" } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }", "variables": map[string]any{"n": 50}}
	})
}
