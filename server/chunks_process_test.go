package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store/pgcluster"
)

// chunksTotal is the metric each process exports for the chunks it encoded.
const chunksTotal = "clipcut_transcode_chunks_total"

// TestRestartedServeFinishesAChunkedVideoWithinTheWorkLeft SIGKILLs a
// single `clipcut serve` in the middle of a chunk of a chunked video and
// crashes its private PostgreSQL too (immediate shutdown, as the issue's
// operator did), then starts serve again on the same data directory. The
// video ends READY within the encode left plus the time to restart (the
// issue asks for 15 s: restart, crash recovery and picking the encode up
// again; see crashBound), and only the chunk that was being encoded is
// encoded again.
func TestRestartedServeFinishesAChunkedVideoWithinTheEncodeLeft(t *testing.T) {
	if testing.Short() {
		t.Skip("restart test: a chunked encode interrupted by a crash")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir := traversableTempDir(t)
	env := []string{"CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_TRANSCRIBER=none", "CLIPCUT_X264_PRESET=ultrafast",
		"CLIPCUT_TRANSCODE_CHUNK_SECONDS=4"}
	s1 := startClipcut(t, dir, env...)
	s1.waitReady(t)
	s1ID := leaseClientID(t, s1)

	clip := makeClipOf(t, "testsrc2=size=960x540:rate=25:duration=24", 24)
	res, _ := s1.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, uploadURL := createUpload(t, s1, token, "Chunked", len(clip))
	finishUpload(t, s1, strings.TrimPrefix(uploadURL, "http://"+s1.addr), clip)

	dbURL := "postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dir, "var", "pg", "run")
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	// Kill it in a later chunk, once one is encoded: what was done before
	// must stay done. Its encoder is stopped first (stopEncoder), so the
	// chunk cannot end between reading which one runs and the kill.
	var ffmpeg int
	require.Eventually(t, func() bool {
		if metric(t, s1, chunksTotal) < 1 || runningChunkOf(ctx, t, conn, id, s1ID) < 1 {
			return false
		}
		ffmpeg = stopEncoder(s1.cmd.Process.Pid)
		return ffmpeg != 0
	}, 3*time.Minute, 20*time.Millisecond, "serve encodes a chunk after the first\n%s", s1.log())
	killedChunk := runningChunkOf(ctx, t, conn, id, s1ID)
	require.GreaterOrEqual(t, killedChunk, 1, "killed while it encodes a chunk")
	encodedBefore := metric(t, s1, chunksTotal)
	conn.Close(ctx)
	require.NoError(t, s1.cmd.Process.Kill())
	_ = syscall.Kill(ffmpeg, syscall.SIGKILL)
	<-s1.done
	crashPostgres(t, filepath.Join(dir, "var", "pg"))
	died := time.Now()

	s2 := startClipcut(t, dir, env...)
	s2.waitReady(t)
	waitStatus(t, s2, token, id, "READY")
	readyAfter := time.Since(died)

	conn, err = pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	waitEncodeJobsSettled(ctx, t, conn, id)
	jobs := videoJobs(ctx, t, conn, id)
	// The encode left: from the first job the restarted serve started
	// (it picks the encode up where it stopped: the next chunk, or the
	// killed one once its lease is found free) to READY. What comes before
	// is the cost of the crash: the restart, PostgreSQL's crash recovery
	// and the pick-up. The bound for it is 15 s; a 2-core machine
	// running other test suites takes several times longer to start
	// processes, so the test allows three times that, which still tells
	// recovery by lease from recovery by timeout (10 minutes and more).
	const crashBound = 3 * 15 * time.Second
	var resumed time.Time
	for _, j := range jobs {
		if j.AttemptedAt.After(died) && (resumed.IsZero() || j.AttemptedAt.Before(resumed)) {
			resumed = j.AttemptedAt
		}
	}
	require.False(t, resumed.IsZero(), "the restarted serve ran the video's jobs")
	encodeLeft := readyAfter - resumed.Sub(died)
	t.Logf("chunk %d killed; READY %s after the death: the encode resumed after %s, then took %s", killedChunk,
		readyAfter.Round(10*time.Millisecond), resumed.Sub(died).Round(10*time.Millisecond), encodeLeft.Round(10*time.Millisecond))
	require.Less(t, readyAfter, encodeLeft+crashBound, "READY within the encode left plus the restart\n%s", s2.log())

	var chunks, rerun int
	for _, j := range jobs {
		if j.Kind != "transcode_chunk" {
			continue
		}
		chunks++
		require.Equal(t, "completed", j.State)
		if j.Attempt > 1 {
			rerun++
			require.Equal(t, killedChunk, j.Chunk, "only the killed chunk runs again")
		}
	}
	require.Equal(t, 1, rerun, "the killed chunk ran again")
	require.Equal(t, chunks, int(encodedBefore+metric(t, s2, chunksTotal)),
		"every chunk was encoded once, but the killed one (%v before the kill, %v after)", encodedBefore, metric(t, s2, chunksTotal))
	s2.stop(t)
}

// TestChunkedEncodeSurvivesADatabaseOutage crashes PostgreSQL (immediate
// shutdown) for 15 seconds while a chunked video encodes and starts it
// again: the video ends READY and nothing was redone: the transcode job
// and every chunk job ran once (River's attempt count is 1), and the
// process encoded exactly as many chunks as the video has.
func TestChunkedEncodeSurvivesADatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("database outage test: a chunked encode with PostgreSQL down for 15 s")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	// Durable, unlike the other tests' clusters: with synchronous_commit
	// off (Ephemeral) a crash loses commits PostgreSQL had acknowledged,
	// such as the transaction that recorded a chunk done just before it,
	// which no production database loses.
	pgOpts := pgcluster.Options{Dir: filepath.Join(traversableTempDir(t), "pg")}
	cluster, err := pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })

	p := startClipcut(t, traversableTempDir(t), "DATABASE_URL="+cluster.URL(),
		"CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_TRANSCRIBER=none", "CLIPCUT_X264_PRESET=ultrafast", "CLIPCUT_TRANSCODE_CHUNK_SECONDS=4")
	p.waitReady(t)

	clip := makeClipOf(t, "testsrc2=size=960x540:rate=25:duration=30", 30)
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, uploadURL := createUpload(t, p, token, "Outage", len(clip))
	finishUpload(t, p, strings.TrimPrefix(uploadURL, "http://"+p.addr), clip)

	// Crash the database once a chunk is encoded and another is running.
	require.Eventually(t, func() bool {
		return childNamed(p.cmd.Process.Pid, "ffmpeg") != 0 && metric(t, p, chunksTotal) >= 1
	}, 3*time.Minute, 50*time.Millisecond, "the chunks encode\n%s", p.log())
	encodedBefore := metric(t, p, chunksTotal)
	crashPostgres(t, cluster.Dir())
	// (/metrics answers 500 meanwhile: some of its gauges come from the
	// database.)
	time.Sleep(15 * time.Second)
	cluster, err = pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Logf("PostgreSQL crashed for 15 s after %v chunks were encoded", encodedBefore)

	waitStatus(t, p, token, id, "READY")
	conn, err := pgx.Connect(ctx, cluster.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	waitEncodeJobsSettled(ctx, t, conn, id)
	var chunks int
	for _, j := range videoJobs(ctx, t, conn, id) {
		switch j.Kind {
		case "transcode", "transcode_chunk":
			require.Equal(t, "completed", j.State, "%s %d", j.Kind, j.Chunk)
			require.Equal(t, 1, j.Attempt, "%s (chunk %d) ran once: the outage did not restart it\n%s", j.Kind, j.Chunk, p.log())
			if j.Kind == "transcode_chunk" {
				chunks++
			}
		}
	}
	require.Greater(t, chunks, 2, "the video was encoded in chunks")
	require.Equal(t, float64(chunks), metric(t, p, chunksTotal), "every chunk was encoded once")
	p.stop(t)
}

// riverJob is one of a video's jobs as River keeps it.
type riverJob struct {
	Kind, State              string
	Attempt                  int
	Chunk                    int // the chunk's index; -1 for other kinds
	AttemptedAt, FinalizedAt time.Time
}

// waitEncodeJobsSettled waits until River has recorded the end of every
// transcode and chunk job of the video. A video can be READY a moment
// before that: River records a job's completion after its Work returns,
// in batches, and the steps after the last chunk (subtitles, when the
// images were made beside the chunks) may take no time at all.
func waitEncodeJobsSettled(ctx context.Context, t *testing.T, conn *pgx.Conn, id string) {
	t.Helper()
	require.Eventually(t, func() bool {
		var open int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args->>'video_id' = $1
			AND kind IN ('transcode', 'transcode_chunk') AND finalized_at IS NULL`, id).Scan(&open))
		return open == 0
	}, time.Minute, 100*time.Millisecond, "River records the end of the video's encode jobs")
}

// videoJobs lists every job of the video.
func videoJobs(ctx context.Context, t *testing.T, conn *pgx.Conn, id string) []riverJob {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT kind, state::text, attempt, coalesce((args->'chunk'->>'index')::int, -1),
			coalesce(attempted_at, created_at), coalesce(finalized_at, now())
		FROM river_job WHERE args->>'video_id' = $1 ORDER BY id`, id)
	require.NoError(t, err)
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[riverJob])
	require.NoError(t, err)
	return jobs
}

// runningChunkOf is the index of the chunk of the video that worker
// clientID is running, or -1.
func runningChunkOf(ctx context.Context, t *testing.T, conn *pgx.Conn, id, clientID string) int {
	t.Helper()
	var index int
	err := conn.QueryRow(ctx, `SELECT (args->'chunk'->>'index')::int FROM river_job
		WHERE kind = 'transcode_chunk' AND args->>'video_id' = $1 AND state = 'running'
			AND attempted_by[array_length(attempted_by, 1)] = $2`, id, clientID).Scan(&index)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1
	}
	require.NoError(t, err)
	return index
}

// crashPostgres shuts the cluster in dataDir down as `pg_ctl stop -m
// immediate` does (SIGQUIT to the postmaster: every backend quits without
// a checkpoint, so the next start runs crash recovery) and waits until the
// postmaster is gone.
func crashPostgres(t *testing.T, dataDir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGQUIT))
	require.Eventually(t, func() bool {
		// Gone, or a zombie nobody reaps (pgcluster starts over those).
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		return len(fields) > 0 && fields[0] == "Z"
	}, time.Minute, 20*time.Millisecond, "the postmaster exits")
}
