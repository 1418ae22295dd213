package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestKilledWorkersTranscodeRunsAgainElsewhereInSeconds SIGKILLs the
// worker process running a transcode, starts another worker, and checks
// that the job runs again there within seconds (its lease lock went with
// the dead process's connection), long before the job's timeout and
// River's rescue delay (10 and 15 minutes by default, left as they are),
// and that the video ends READY.
func TestKilledWorkersTranscodeRunsAgainElsewhereInSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("liveness test: three processes and two transcodes")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := traversableTempDir(t)
	api := startClipcutMode(t, dir, "api")
	api.waitReady(t)
	dbURL := "postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dir, "var", "pg", "run")
	workerEnv := []string{"DATABASE_URL=" + dbURL, "CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_TRANSCRIBER=none"}
	w1 := startClipcutMode(t, dir, "worker", workerEnv...)
	w1.waitReady(t)
	w1ID := leaseClientID(t, w1)

	// Long enough at the default preset that the kill lands mid-encode.
	clip := makeClipOf(t, "testsrc2=size=1280x720:rate=25:duration=10", 10)
	res, _ := api.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, uploadURL := createUpload(t, api, token, "Long", len(clip))
	finishUpload(t, api, strings.TrimPrefix(uploadURL, "http://"+api.addr), clip)

	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	transcode := func() transcodeJob { return readTranscodeJob(ctx, conn, id) }

	// Kill the worker (and its ffmpeg, as a container kill does) once
	// the encode is under way.
	// A stopped ffmpeg cannot finish: the kill lands mid-transcode however
	// fast the machine is (stopEncoder: the one found may end first).
	var ffmpeg int
	require.Eventually(t, func() bool {
		if transcode().State != "running" {
			return false
		}
		ffmpeg = stopEncoder(w1.cmd.Process.Pid)
		return ffmpeg != 0
	}, 2*time.Minute, 20*time.Millisecond, "worker 1 starts the transcode\n%s", w1.log())
	time.Sleep(time.Second)
	require.NoError(t, w1.cmd.Process.Kill())
	_ = syscall.Kill(ffmpeg, syscall.SIGKILL)
	<-w1.done
	died := time.Now()
	before := transcode()
	require.Equal(t, "running", before.State, "killed mid-transcode")
	require.Equal(t, []string{w1ID}, before.AttemptedBy)

	w2 := startClipcutMode(t, dir, "worker", workerEnv...)
	w2.waitReady(t)
	w2ID := leaseClientID(t, w2)
	started := time.Since(died)
	var rerun time.Duration
	require.Eventually(t, func() bool {
		j := transcode()
		if len(j.AttemptedBy) == 2 && j.AttemptedBy[1] == w2ID {
			rerun = time.Since(died)
			return true
		}
		return false
	}, 5*time.Minute, 20*time.Millisecond, "the transcode runs again on worker 2\n%s", w2.log())
	t.Logf("death to rerun elsewhere: %s (worker 2 was ready %s after the death)", rerun.Round(10*time.Millisecond), started.Round(10*time.Millisecond))
	// Generous for a busy machine, and well below the 15 minutes the
	// rescuer would have waited.
	require.Less(t, rerun, 5*time.Minute)

	waitStatus(t, api, token, id, "READY")
	after := transcode()
	require.Equal(t, "completed", after.State)
	require.Equal(t, 2, after.Attempt)
	require.Equal(t, []string{w1ID, w2ID}, after.AttemptedBy)
	require.Len(t, after.Errors, 1)
	require.Contains(t, after.Errors[0], w1ID+" died while running the job")
	require.Contains(t, w2.log(), "returned the job of a dead worker to the queue")
	var leases []string
	rows, err := conn.Query(ctx, `SELECT client_id FROM worker_leases ORDER BY client_id`)
	require.NoError(t, err)
	leases, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{w2ID}, leases, "the dead worker's lease is gone")

	w2.stop(t)
	api.stop(t)
}

// transcodeJob is a video's transcode job as River keeps it.
type transcodeJob struct {
	State       string
	Attempt     int
	AttemptedBy []string
	Errors      []string
}

func readTranscodeJob(ctx context.Context, conn *pgx.Conn, videoID string) transcodeJob {
	var j transcodeJob
	err := conn.QueryRow(ctx, `SELECT state::text, attempt, attempted_by, coalesce(array(SELECT e->>'error' FROM unnest(errors) e), '{}')
		FROM river_job WHERE kind = 'transcode' AND args->>'video_id' = $1`, videoID).Scan(&j.State, &j.Attempt, &j.AttemptedBy, &j.Errors)
	if err != nil {
		return transcodeJob{}
	}
	return j
}

// TestRestartedServeRerunsItsPreviousIncarnationsTranscodeAtOnce SIGKILLs
// a single `clipcut serve` mid-transcode and starts it again on the same
// data directory (its private PostgreSQL survived): the new process
// returns its predecessor's job to the queue and runs it at once.
func TestRestartedServeRerunsItsPreviousIncarnationsTranscodeAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("liveness test: two transcodes")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := traversableTempDir(t)
	env := []string{"CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_TRANSCRIBER=none"}
	s1 := startClipcut(t, dir, env...)
	s1.waitReady(t)
	s1ID := leaseClientID(t, s1)

	clip := makeClipOf(t, "testsrc2=size=1280x720:rate=25:duration=10", 10)
	res, _ := s1.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, uploadURL := createUpload(t, s1, token, "Long", len(clip))
	finishUpload(t, s1, strings.TrimPrefix(uploadURL, "http://"+s1.addr), clip)

	dbURL := "postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dir, "var", "pg", "run")
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// A stopped ffmpeg cannot finish: the kill lands mid-transcode however
	// fast the machine is (stopEncoder: the one found may end first).
	var ffmpeg int
	require.Eventually(t, func() bool {
		if readTranscodeJob(ctx, conn, id).State != "running" {
			return false
		}
		ffmpeg = stopEncoder(s1.cmd.Process.Pid)
		return ffmpeg != 0
	}, 2*time.Minute, 20*time.Millisecond, "serve starts the transcode\n%s", s1.log())
	time.Sleep(time.Second)
	require.NoError(t, s1.cmd.Process.Kill())
	_ = syscall.Kill(ffmpeg, syscall.SIGKILL)
	<-s1.done
	died := time.Now()
	require.Equal(t, "running", readTranscodeJob(ctx, conn, id).State, "killed mid-transcode")

	s2 := startClipcut(t, dir, env...)
	s2.waitReady(t)
	s2ID := leaseClientID(t, s2)
	started := time.Since(died)
	var rerun time.Duration
	require.Eventually(t, func() bool {
		j := readTranscodeJob(ctx, conn, id)
		if len(j.AttemptedBy) == 2 && j.AttemptedBy[1] == s2ID {
			rerun = time.Since(died)
			return true
		}
		return false
	}, 5*time.Minute, 20*time.Millisecond, "the restarted serve runs the transcode again\n%s", s2.log())
	t.Logf("serve killed to transcode running again in its next incarnation: %s (ready %s after the death)",
		rerun.Round(10*time.Millisecond), started.Round(10*time.Millisecond))
	require.Less(t, rerun, 5*time.Minute)

	waitStatus(t, s2, token, id, "READY")
	j := readTranscodeJob(ctx, conn, id)
	require.Equal(t, "completed", j.State)
	require.Equal(t, []string{s1ID, s2ID}, j.AttemptedBy)
	conn.Close(ctx)
	s2.stop(t)
}

var leaseLine = regexp.MustCompile(`msg="holding the worker lease" client_id=(\S+)`)

// leaseClientID is the River client id a worker process took its lease for.
func leaseClientID(t *testing.T, p *process) string {
	t.Helper()
	m := leaseLine.FindStringSubmatch(p.log())
	require.NotNil(t, m, "the worker says which lease it holds\n%s", p.log())
	return m[1]
}

// makeClipOf encodes a test clip of the given length with a tone.
func makeClipOf(t *testing.T, video string, seconds int) []byte {
	t.Helper()
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", video, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	return data
}
