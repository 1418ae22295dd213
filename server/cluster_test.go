package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/miniotest"
	"github.com/clipcut/clipcut/store/pgcluster"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(miniotest.Run(runFunc(func() int { return storetest.Run(m) })))
}

// Secrets the cluster runs with; none may appear in any process's log.
const (
	clusterSecretKey = "cluster-test-signing-key-0123456789abcdef"
	clusterDBSecret  = "db-password-never-logged-7f3a"
	clusterAPIKey    = "sk-openai-key-never-logged-91c2"
)

// TestClusterSurvivesKilledWorkersStoppedAPIsAndADatabaseRestart runs the
// scale-out deployment on loopback: one PostgreSQL, one MinIO, two API
// processes and two worker processes, each with its own data directory, so
// that they share nothing but the database and the bucket. It then does
// to them what happens in production:
//
//   - an upload starts on API 1, the connection is cut midway, and the
//     client resumes it on API 2 (tus HEAD + PATCH);
//   - API 2 holds the videoProgress subscription while a worker transcodes;
//   - the worker running the transcode is killed with SIGKILL midway: the
//     other worker completes the job once River rescues it;
//   - a second upload runs on API 1 when API 1 gets SIGTERM: the bytes it
//     received are kept and the client finishes on API 2;
//   - PostgreSQL restarts: /ready answers 503 meanwhile and recovers by
//     itself, and the subscription keeps delivering events;
//
// and checks that both files arrived intact, both videos play, the bucket
// holds exactly the expected objects, and no secret was logged.
func TestClusterSurvivesKilledWorkersStoppedAPIsAndADatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test: several processes for about two minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	// PostgreSQL, restartable, and MinIO with the bucket created up front
	// (as compose's createbucket service does).
	pgOpts := pgcluster.Options{Dir: filepath.Join(traversableTempDir(t), "pg"), Ephemeral: true}
	cluster, err := pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })
	minio := miniotest.Start(t)
	s3cfg := minio.StorageConfig(t)
	bucket, err := storage.Open(ctx, s3cfg)
	require.NoError(t, err)

	// The password is ignored (trust authentication on the socket) but
	// must never be logged.
	dbURL := strings.Replace(cluster.URL(), "clipcut@", "clipcut:"+clusterDBSecret+"@", 1)
	common := []string{
		"DATABASE_URL=" + dbURL,
		"CLIPCUT_DB_MAX_CONNS=8",
		"CLIPCUT_LOG_LEVEL=debug",
		"CLIPCUT_SECRET_KEYS=" + clusterSecretKey,
		"CLIPCUT_S3_ENDPOINT=" + s3cfg.S3Endpoint,
		"CLIPCUT_S3_BUCKET=" + s3cfg.S3Bucket,
		"CLIPCUT_S3_ACCESS_KEY=" + s3cfg.S3AccessKey,
		"CLIPCUT_S3_SECRET_KEY=" + s3cfg.S3SecretKey,
		"CLIPCUT_S3_USE_SSL=false",
	}
	workerEnv := append([]string{
		"CLIPCUT_MEDIA_WORKERS=1",
		"CLIPCUT_X264_PRESET=ultrafast",
		"CLIPCUT_TRANSCRIBER=none",
		"CLIPCUT_OPENAI_API_KEY=" + clusterAPIKey,
		// No short job timeouts: a dead worker's transcode returns to
		// the queue within seconds through its lease (jobs.Liveness).
	}, common...)
	api1 := startClipcutMode(t, traversableTempDir(t), "api", append([]string{"CLIPCUT_SHUTDOWN_TIMEOUT=2s"}, common...)...)
	api2 := startClipcutMode(t, traversableTempDir(t), "api", common...)
	w1 := startClipcutMode(t, traversableTempDir(t), "worker", workerEnv...)
	w2 := startClipcutMode(t, traversableTempDir(t), "worker", workerEnv...)
	procs := []*process{api1, api2, w1, w2}
	for _, p := range procs {
		p.waitReady(t)
	}

	// A lasts long enough that its transcode is caught while it runs.
	clipA := makeClipOf(t, "testsrc2=size=1920x1080:rate=25:duration=5", 5)
	clipB := makeClip(t, "testsrc=size=1280x720:rate=25:duration=3", 500)

	res, _ := api1.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	idA, urlA := createUpload(t, api1, token, "A", len(clipA))

	// The subscription lives on API 2 for the whole test.
	events := subscribeProgress(ctx, t, api2, token, idA)
	first := <-events
	require.Equal(t, "UPLOADING", first.Status, "the first event is the current state")

	// Upload A: half the bytes to API 1, then the connection drops.
	sent := patchPartial(t, api1, urlA, clipA, len(clipA)/2, nil)
	t.Logf("upload A: %d of %d bytes sent to API 1 before the connection was cut", sent, len(clipA))
	pathA := strings.TrimPrefix(urlA, "http://"+api1.addr)
	offset := waitOffset(t, api2, pathA)
	require.Positive(t, offset, "API 1 kept what it received")
	finishUpload(t, api2, pathA, clipA)

	// Kill the worker that runs A's transcode, once it has stored some
	// segments: the partial outputs must not survive.
	victim, survivor, ffmpegPID := freezeTranscode(ctx, t, cluster.URL(), idA, w1, w2, func() bool {
		objs, _ := bucket.List(ctx, "videos/"+idA+"/hls")
		return len(objs) > 0
	})
	require.NoError(t, victim.cmd.Process.Kill())
	_ = syscall.Kill(ffmpegPID, syscall.SIGKILL) // a container kill takes the children too
	<-victim.done
	t.Logf("killed worker %s mid-transcode", victim.addr)

	// Upload B on API 1, which gets SIGTERM midway: it stops accepting,
	// saves what it received when its shutdown deadline cuts the
	// connection, and exits cleanly; the client finishes on API 2.
	idB, urlB := createUpload(t, api1, token, "B", len(clipB))
	pathB := strings.TrimPrefix(urlB, "http://"+api1.addr)
	sentB := patchPartial(t, api1, urlB, clipB, len(clipB)/2, func() { api1.stop(t) })
	t.Logf("upload B: %d bytes sent to API 1 before SIGTERM", sentB)
	offset = waitOffset(t, api2, pathB)
	require.Positive(t, offset, "API 1 saved the bytes of the interrupted PATCH before exiting")
	finishUpload(t, api2, pathB, clipB)

	// PostgreSQL restarts: /ready says so, then recovers by itself.
	require.NoError(t, cluster.Stop(ctx))
	require.Eventually(t, func() bool { code, _ := api2.get(t, "/ready"); return code == http.StatusServiceUnavailable },
		60*time.Second, 100*time.Millisecond, "/ready answers 503 while the database is down")
	code, _ := api2.get(t, "/health")
	require.Equal(t, http.StatusOK, code, "alive while the database is down")
	time.Sleep(time.Second)
	cluster, err = pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	restarted := time.Now()
	for _, p := range []*process{api2, survivor} {
		require.Eventually(t, func() bool { code, _ := p.get(t, "/ready"); return code == http.StatusOK },
			90*time.Second, 100*time.Millisecond, "/ready recovers by itself\n%s", p.log())
	}
	t.Logf("ready again %s after the database restarted", time.Since(restarted).Round(time.Millisecond))

	// Both videos finish; the subscription, which lived through the
	// restart, sees A become READY.
	var last progressEvent
	for ev := range events {
		last = ev
		if ev.Status == "READY" || ev.Status == "FAILED" {
			break
		}
	}
	require.Equal(t, "READY", last.Status, "A completes on the surviving worker\n%s", survivor.log())
	waitStatus(t, api2, token, idB, "READY")

	// The transcode of A was attempted by both workers and completed once.
	conn, err := pgx.Connect(ctx, cluster.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var state string
	var attempt int
	var attemptedBy []string
	require.NoError(t, conn.QueryRow(ctx, `SELECT state, attempt, attempted_by FROM river_job WHERE kind = 'transcode' AND args->>'video_id' = $1`, idA).
		Scan(&state, &attempt, &attemptedBy))
	require.Equal(t, "completed", state)
	require.GreaterOrEqual(t, attempt, 2)
	require.GreaterOrEqual(t, len(distinct(attemptedBy)), 2, "two workers attempted the transcode: %v", attemptedBy)

	// Outputs: both videos decode end to end through API 2, every rung
	// lasts as long as the source, and the uploads are byte-identical.
	for _, id := range []string{idA, idB} {
		ok, msg := decodes(t, "http://"+api2.addr+"/media/videos/"+id+"/hls/master.m3u8")
		require.True(t, ok, "video %s plays: %s", id, msg)
	}
	expected := map[string]bool{}
	for _, id := range []string{idA, idB} {
		for _, key := range referencedObjects(ctx, t, bucket, conn, id) {
			expected[key] = true
		}
	}
	sums := map[string]bool{}
	objects, err := bucket.List(ctx, "")
	require.NoError(t, err)
	var stray []string
	for _, o := range objects {
		if strings.HasPrefix(o.Key, "uploads/") && !strings.Contains(path.Base(o.Key), ".") {
			sums[objectSum(ctx, t, bucket, o.Key)] = true
			continue
		}
		if strings.HasPrefix(o.Key, "uploads/") && strings.HasSuffix(o.Key, ".info") {
			continue
		}
		if !expected[o.Key] {
			stray = append(stray, o.Key)
		}
		delete(expected, o.Key)
	}
	require.Empty(t, stray, "objects nothing refers to")
	require.Empty(t, expected, "objects the playlists refer to but the bucket lacks")
	require.Equal(t, map[string]bool{sha(clipA): true, sha(clipB): true}, sums, "the stored uploads are the files sent")

	// Shut down the rest and look for secrets in every log.
	survivor.stop(t)
	api2.stop(t)
	for _, p := range procs {
		for _, secret := range []string{clusterSecretKey, clusterDBSecret, clusterAPIKey, s3cfg.S3SecretKey} {
			require.NotContains(t, p.log(), secret, "a secret was logged")
		}
	}
}

type progressEvent struct {
	Status, Stage string
	Percent       float64
	Playable      bool
}

// makeClip encodes a 3-second test clip with a tone and returns its bytes.
func makeClip(t *testing.T, video string, tone int) []byte {
	t.Helper()
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", video, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:duration=3", tone),
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	return data
}

func createUpload(t *testing.T, p *process, token, title string, size int) (id, uploadURL string) {
	t.Helper()
	res, _ := p.graphql(t, fmt.Sprintf(`mutation { createUpload(input: {title: %q, filename: "clip.mp4", size: %d}) { uploadUrl video { id } } }`, title, size),
		"Authorization", "Bearer "+token)
	created, ok := res["data"].(map[string]any)["createUpload"].(map[string]any)
	require.True(t, ok, "%v", res)
	return created["video"].(map[string]any)["id"].(string), created["uploadUrl"].(string)
}

// patchPartial sends data from offset 0 in one PATCH but stops after n
// bytes and drops the connection once p has spooled them; with interrupt, it first calls it (which
// stops the server) while the PATCH is still open. It returns how many
// bytes it wrote.
func patchPartial(t *testing.T, p *process, uploadURL string, data []byte, n int, interrupt func()) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, uploadURL, pr)
	require.NoError(t, err)
	req.ContentLength = int64(len(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("PATCH ended with %s", resp.Status)
		}
		done <- err
	}()
	written := 0
	for written < n {
		k, err := pw.Write(data[written:min(n, written+64<<10)])
		written += k
		require.NoError(t, err)
	}
	// The pipe hands the bytes to the client's connection; wait until p
	// has read them all into its part spool (tusd's s3store writes the
	// body to tusd-s3-tmp-* files under p's data directory as it reads).
	require.Eventually(t, func() bool { return spooled(p) >= int64(written) },
		60*time.Second, 20*time.Millisecond, "p reads the %d bytes sent\n%s", written, p.log())
	if interrupt != nil {
		interrupt() // returns once the server has exited
	}
	// Drop the connection: the body fails mid-stream.
	pw.CloseWithError(errors.New("connection cut"))
	cancel()
	select {
	case err := <-done:
		t.Logf("cut-off PATCH: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the PATCH never ended")
	}
	return written
}

// spooled returns how many upload bytes p holds in tusd's part spool files.
func spooled(p *process) int64 {
	var total int64
	_ = filepath.WalkDir(p.cmd.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "tusd-s3-tmp-") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	return total
}

// tusHead returns an upload's offset as p sees it.
func tusHead(t *testing.T, p *process, uploadPath string) int64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodHead, "http://"+p.addr+uploadPath, nil)
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	off, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	require.NoError(t, err)
	return off
}

// waitOffset waits until the offset p reports stops changing: the
// interrupted request may still be saving its bytes on the other replica.
func waitOffset(t *testing.T, p *process, uploadPath string) int64 {
	t.Helper()
	last, stable := int64(-1), 0
	for range 100 {
		off := tusHead(t, p, uploadPath)
		if off == last && off > 0 {
			stable++
			if stable == 3 {
				return off
			}
		} else {
			stable = 0
		}
		last = off
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

// finishUpload sends the rest of data to p from the offset p reports.
func finishUpload(t *testing.T, p *process, uploadPath string, data []byte) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		off := tusHead(t, p, uploadPath)
		req, err := http.NewRequest(http.MethodPatch, "http://"+p.addr+uploadPath, strings.NewReader(string(data[off:])))
		require.NoError(t, err)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", strconv.FormatInt(off, 10))
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNoContent {
			return
		}
		// 409: the offset moved (the other replica was still saving);
		// 423: its lock is not released yet. A tus client retries both.
		require.True(t, attempt < 20 && (resp.StatusCode == http.StatusConflict || resp.StatusCode == http.StatusLocked),
			"PATCH from %d: %s %s\n%s", off, resp.Status, body, p.log())
		time.Sleep(250 * time.Millisecond)
	}
}

// subscribeProgress holds a videoProgress subscription on p and delivers
// its events until the server completes it.
func subscribeProgress(ctx context.Context, t *testing.T, p *process, token, id string) <-chan progressEvent {
	t.Helper()
	conn, _, err := coderws.Dial(ctx, "ws://"+p.addr+"/graphql", &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	t.Cleanup(func() { conn.CloseNow() })
	send := func(v any) error {
		b, _ := json.Marshal(v)
		return conn.Write(ctx, coderws.MessageText, b)
	}
	type msg struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	require.NoError(t, send(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}}))
	require.NoError(t, send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($id: ID!) { videoProgress(id: $id) { status stage percent playable } }`,
		"variables": map[string]any{"id": id}}}))
	events := make(chan progressEvent, 1000)
	go func() {
		defer close(events)
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var m msg
			if json.Unmarshal(b, &m) != nil {
				return
			}
			switch m.Type {
			case "ping":
				_ = send(map[string]string{"type": "pong"})
			case "next":
				var body struct {
					Data struct{ VideoProgress progressEvent }
				}
				if json.Unmarshal(m.Payload, &body) == nil {
					events <- body.Data.VideoProgress
				}
			case "complete", "error":
				return
			}
		}
	}()
	return events
}

// waitForTranscode returns the worker whose ffmpeg is running, the other
// worker, and ffmpeg's pid.
func waitForTranscode(t *testing.T, a, b *process) (victim, other *process, ffmpeg int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, pair := range [][2]*process{{a, b}, {b, a}} {
			if pid := childNamed(pair[0].cmd.Process.Pid, "ffmpeg"); pid != 0 {
				return pair[0], pair[1], pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no worker started ffmpeg within 60s\n%s\n%s", a.log(), b.log())
	return nil, nil, 0
}

// freezeTranscode finds the worker whose ffmpeg runs the transcode of
// video id and stops that ffmpeg (SIGSTOP) at a moment when stored(), the
// transcode's partial outputs, holds and the job is still running: a
// stopped ffmpeg cannot finish, so a kill that follows lands mid-transcode
// however fast the machine is. Until then it lets ffmpeg run in short
// steps. It returns the victim, the other worker and the stopped ffmpeg.
func freezeTranscode(ctx context.Context, t *testing.T, dbURL, id string, a, b *process, stored func() bool) (victim, other *process, ffmpeg int) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		victim, other, ffmpeg = waitForTranscode(t, a, b)
		if syscall.Kill(ffmpeg, syscall.SIGSTOP) != nil {
			continue // it exited meanwhile
		}
		var state string
		err := conn.QueryRow(ctx, `SELECT state FROM river_job WHERE kind = 'transcode' AND args->>'video_id' = $1`, id).Scan(&state)
		require.NoError(t, err)
		require.NotEqual(t, "completed", state, "the transcode finished before it could be interrupted")
		if state == "running" && stored() && childNamed(victim.cmd.Process.Pid, "ffmpeg") == ffmpeg {
			return victim, other, ffmpeg
		}
		_ = syscall.Kill(ffmpeg, syscall.SIGCONT)
		time.Sleep(20 * time.Millisecond) // let it run a step
	}
	t.Fatalf("the transcode of %s never ran with stored outputs\n%s\n%s", id, a.log(), b.log())
	return nil, nil, 0
}

// childNamed returns the pid of a child of parent whose command is name.
func childNamed(parent int, name string) int {
	if pids := childrenNamed(parent, name); len(pids) > 0 {
		return pids[0]
	}
	return 0
}

// childrenNamed lists the pids of parent's children whose command is
// name.
func childrenNamed(parent int, name string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) > 1 && s[open+1:close] == name && fields[1] == strconv.Itoa(parent) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// stopEncoder SIGSTOPs a child ffmpeg of parent that encodes video
// (libx264: a transcode or a chunk, not the audio pass, a poster or a
// probe) and returns its pid, or 0 when there is none or it ended before
// it could be stopped: on a busy machine the ffmpeg found may finish (and
// even be waiting to be reaped) by the time the signal is sent, so a
// caller polls until one is stopped instead of failing on that race. A
// stopped ffmpeg cannot finish, so what the caller kills next is killed
// mid-encode however fast the machine is.
func stopEncoder(parent int) int {
	for _, pid := range childrenNamed(parent, "ffmpeg") {
		cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte("libx264")) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGSTOP) != nil {
			continue // gone already
		}
		if state := procState(pid); state == 'T' || state == 't' {
			return pid
		}
		// A zombie takes the signal without stopping: it has ended.
	}
	return 0
}

// procState is the state letter of /proc/<pid>/stat ('R', 'S', 'T', 'Z',
// ...), or 0 when the process is gone. A SIGSTOP sent is delivered before
// kill returns to a process that is not running on another CPU, and
// otherwise within its next scheduling tick, so the state is read until
// it is stopped or a second has passed.
func procState(pid int) byte {
	var state byte
	for deadline := time.Now().Add(time.Second); ; {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			return 0
		}
		s := string(stat)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			state = s[i+2]
		}
		if state == 'T' || state == 't' || state == 'Z' || time.Now().After(deadline) {
			return state
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitStatus(t *testing.T, p *process, token, id, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		code, body := p.get(t, "/api/v1/videos/"+id+"/status", "Authorization", "Bearer "+token)
		if code == http.StatusOK && strings.Contains(body, `"status":"`+want+`"`) {
			return
		}
		require.NotContains(t, body, `"status":"FAILED"`)
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("video %s not %s in 10 minutes", id, want)
}

// referencedObjects lists the objects a finished video consists of: its
// master playlist, what the playlists reference, its poster, its animated preview, and its
// storyboard map with the sheets the map references.
func referencedObjects(ctx context.Context, t *testing.T, b storage.Bucket, conn *pgx.Conn, id string) []string {
	t.Helper()
	prefix := "videos/" + id
	master := prefix + "/hls/master.m3u8"
	keys := []string{master, prefix + "/poster.jpg", prefix + "/storyboard/storyboard.vtt"}
	// The animated preview is made after READY, under a name only the
	// video's row knows: wait for the video's jobs to finish, then take it.
	var preview *string
	require.Eventually(t, func() bool {
		var pending int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args->>'video_id' = $1
			AND state NOT IN ('completed', 'cancelled', 'discarded')`, id).Scan(&pending))
		return pending == 0
	}, 3*time.Minute, 200*time.Millisecond, "the jobs of video %s finish", id)
	require.NoError(t, conn.QueryRow(ctx, `SELECT preview_key FROM videos WHERE id = $1`, id).Scan(&preview))
	require.NotNil(t, preview, "video %s has its preview", id)
	keys = append(keys, *preview)
	refs := func(key string) []string {
		r, _, err := b.Get(ctx, key)
		require.NoError(t, err, key)
		defer r.Close()
		var out []string
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if i := strings.Index(line, `URI="`); i >= 0 {
				uri := line[i+5:]
				out = append(out, uri[:strings.IndexByte(uri, '"')])
				continue
			}
			if i := strings.Index(line, "#xywh="); i > 0 {
				out = append(out, line[:i])
				continue
			}
			if line != "" && !strings.HasPrefix(line, "#") && !strings.Contains(line, "-->") && line != "WEBVTT" {
				out = append(out, line)
			}
		}
		return out
	}
	resolve := func(base, ref string) string { return path.Join(path.Dir(base), ref) }
	for _, media := range refs(master) {
		mediaKey := resolve(master, media)
		keys = append(keys, mediaKey)
		for _, seg := range refs(mediaKey) {
			keys = append(keys, resolve(mediaKey, seg))
		}
	}
	board := prefix + "/storyboard/storyboard.vtt"
	for _, sheet := range distinct(refs(board)) {
		keys = append(keys, resolve(board, sheet))
	}
	return distinct(keys)
}

func distinct(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func objectSum(ctx context.Context, t *testing.T, b storage.Bucket, key string) string {
	t.Helper()
	r, _, err := b.Get(ctx, key)
	require.NoError(t, err)
	defer r.Close()
	h := sha256.New()
	_, err = io.Copy(h, r)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestClusterEncodesOneVideoOnEveryWorker runs two worker processes on one
// long video cut into small chunks: both encode chunks of it (each one's
// clipcut_transcode_chunks_total rises), one of them is then SIGKILLed
// in the middle of a chunk: its chunk is back in the queue within seconds
// (asserted from River's record, measured from the kill) and runs again
// on the survivor as soon as it is free, and the video still ends READY
// with an aligned ladder: every rendition has every source frame and the same
// segments, and the bucket holds nothing the playlists do not list (the
// killed chunk's retry removed what its dead attempt stored).
func TestClusterEncodesOneVideoOnEveryWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test: several processes for about a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	pgOpts := pgcluster.Options{Dir: filepath.Join(traversableTempDir(t), "pg"), Ephemeral: true}
	cluster, err := pgcluster.Start(ctx, pgOpts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cluster.Stop(context.Background()) })
	minio := miniotest.Start(t)
	s3cfg := minio.StorageConfig(t)
	bucket, err := storage.Open(ctx, s3cfg)
	require.NoError(t, err)
	common := []string{
		"DATABASE_URL=" + cluster.URL(),
		"CLIPCUT_DB_MAX_CONNS=8",
		"CLIPCUT_SECRET_KEYS=" + clusterSecretKey,
		"CLIPCUT_S3_ENDPOINT=" + s3cfg.S3Endpoint,
		"CLIPCUT_S3_BUCKET=" + s3cfg.S3Bucket,
		"CLIPCUT_S3_ACCESS_KEY=" + s3cfg.S3AccessKey,
		"CLIPCUT_S3_SECRET_KEY=" + s3cfg.S3SecretKey,
		"CLIPCUT_S3_USE_SSL=false",
	}
	workerEnv := append([]string{
		"CLIPCUT_MEDIA_WORKERS=1",
		"CLIPCUT_X264_PRESET=ultrafast",
		"CLIPCUT_TRANSCRIBER=none",
		"CLIPCUT_TRANSCODE_CHUNK_SECONDS=4",
	}, common...)
	api := startClipcutMode(t, traversableTempDir(t), "api", common...)
	w1 := startClipcutMode(t, traversableTempDir(t), "worker", workerEnv...)
	w2 := startClipcutMode(t, traversableTempDir(t), "worker", workerEnv...)
	for _, p := range []*process{api, w1, w2} {
		p.waitReady(t)
	}

	const seconds, fps = 60, 25
	clip := makeClipOf(t, fmt.Sprintf("testsrc2=size=640x360:rate=%d:duration=%d", fps, seconds), seconds)
	res, _ := api.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id, url := createUpload(t, api, token, "long", len(clip))
	finishUpload(t, api, strings.TrimPrefix(url, "http://"+api.addr), clip)

	const chunks = "clipcut_transcode_chunks_total"
	status := func() string {
		_, body := api.get(t, "/api/v1/videos/"+id+"/status", "Authorization", "Bearer "+token)
		require.NotContains(t, body, `"status":"FAILED"`)
		return body
	}
	deadline := time.Now().Add(5 * time.Minute)
	for metric(t, w1, chunks) == 0 || metric(t, w2, chunks) == 0 {
		require.NotContains(t, status(), `"status":"READY"`, "the video was ready before both workers encoded a chunk:\n%s\n%s", w1.log(), w2.log())
		require.True(t, time.Now().Before(deadline), "both workers did not encode chunks in 5 minutes")
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("chunks encoded: worker 1 %v, worker 2 %v", metric(t, w1, chunks), metric(t, w2, chunks))

	// Kill a worker whose ffmpeg is encoding a chunk now; stopped first,
	// so the kill lands mid-chunk however fast the machine is. (A worker
	// can also be making the video's poster or audio pass, which are
	// queued with the chunks: then its ffmpeg runs on, and the next one is
	// tried.) The chunk the victim is encoding is read while its ffmpeg is
	// stopped and before the kill: the survivor runs on the same machine,
	// so it finds the victim's process gone at its first liveness check
	// and returns the chunk to the queue at once, possibly before a query
	// made after the kill could see it running.
	conn, err := pgx.Connect(ctx, cluster.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var (
		victim, survivor     *process
		ffmpeg               int
		victimID, survivorID string
		killed               []int64
	)
	freezeDeadline := time.Now().Add(3 * time.Minute)
	for {
		require.True(t, time.Now().Before(freezeDeadline), "no worker was caught encoding a chunk in 3 minutes")
		victim, survivor, ffmpeg = waitForTranscode(t, w1, w2)
		if syscall.Kill(ffmpeg, syscall.SIGSTOP) != nil {
			continue // it exited meanwhile
		}
		victimID, survivorID = leaseClientID(t, victim), leaseClientID(t, survivor)
		rows, err := conn.Query(ctx, `SELECT id FROM river_job WHERE kind = 'transcode_chunk' AND args->>'video_id' = $1
			AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $2`, id, victimID)
		require.NoError(t, err)
		killed, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		require.NoError(t, err)
		if len(killed) == 1 && childNamed(victim.cmd.Process.Pid, "ffmpeg") == ffmpeg {
			break
		}
		_ = syscall.Kill(ffmpeg, syscall.SIGCONT)
		time.Sleep(20 * time.Millisecond)
	}
	before := metric(t, survivor, chunks)
	require.Len(t, killed, 1, "the victim is encoding one chunk")

	require.NoError(t, victim.cmd.Process.Kill())
	_ = syscall.Kill(ffmpeg, syscall.SIGKILL)
	<-victim.done
	died := time.Now()

	waitStatus(t, api, token, id, "READY")
	require.Greater(t, metric(t, survivor, chunks), before, "the survivor encoded the rest")
	waitEncodeJobsSettled(ctx, t, conn, id)

	var retried int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'transcode_chunk' AND args->>'video_id' = $1 AND attempt > 1`, id).Scan(&retried))
	require.Equal(t, 1, retried, "the killed chunk, and only it, ran again")

	// Recovery time, from River's record of the killed chunk: when the
	// survivor's liveness check returned it to the queue (the error entry
	// it wrote) and when the survivor started it again. The liveness
	// constants give 6 s to the return and the issue asks for 10 s; 20 s
	// leaves room for a busy machine and is still nothing like the job
	// timeout (10 minutes) or River's rescuer (15 minutes). The survivor
	// works one job at a time, so the rerun may also wait for the chunk
	// it was encoding when the other died: the longest first-attempt
	// chunk bounds that wait.
	const recoveryBound = 20 * time.Second
	var (
		attemptedBy        []string
		rerunAt, returnAt  time.Time
		state, returnError string
	)
	require.NoError(t, conn.QueryRow(ctx, `SELECT state::text, attempted_by, attempted_at, (errors[1]->>'at')::timestamptz, errors[1]->>'error'
		FROM river_job WHERE id = $1`, killed[0]).Scan(&state, &attemptedBy, &rerunAt, &returnAt, &returnError))
	require.Equal(t, "completed", state)
	require.Equal(t, []string{victimID, survivorID}, attemptedBy, "the killed chunk ran again on the survivor")
	require.Contains(t, returnError, victimID+" died while running the job")
	var longest float64
	require.NoError(t, conn.QueryRow(ctx, `SELECT coalesce(max(extract(epoch FROM finalized_at - attempted_at)), 0)::float8
		FROM river_job WHERE kind = 'transcode_chunk' AND args->>'video_id' = $1 AND attempt = 1 AND state = 'completed'`, id).Scan(&longest))
	longestChunk := time.Duration(longest * float64(time.Second))
	t.Logf("killed chunk returned to the queue %s after the death, running again on the survivor %s after it (longest chunk encode %s)",
		returnAt.Sub(died).Round(10*time.Millisecond), rerunAt.Sub(died).Round(10*time.Millisecond), longestChunk.Round(10*time.Millisecond))
	require.Less(t, returnAt.Sub(died), recoveryBound, "the dead worker's chunk returns to the queue within the lease bound")
	require.Less(t, rerunAt.Sub(died), recoveryBound+longestChunk, "the survivor runs the dead worker's chunk as soon as it is free")

	// The ladder: every rendition has every frame, and the same segment
	// boundaries as the others.
	master := "http://" + api.addr + "/media/videos/" + id + "/hls/master.m3u8"
	ok, msg := decodes(t, master)
	require.True(t, ok, "the video plays: %s", msg)
	_, body := api.get(t, "/media/videos/"+id+"/hls/master.m3u8")
	var durations []string
	for line := range strings.SplitSeq(body, "\n") {
		if !strings.HasSuffix(line, ".m3u8") {
			continue
		}
		rendition := "http://" + api.addr + "/media/videos/" + id + "/hls/" + line
		out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
			"-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", rendition).Output()
		require.NoError(t, err)
		// ffprobe lists the stream once per HLS program too.
		require.Equal(t, strconv.Itoa(seconds*fps), strings.Fields(string(out))[0], "%s has every frame once", line)
		_, playlist := api.get(t, "/media/videos/"+id+"/hls/"+line)
		var extinf []string
		for l := range strings.SplitSeq(playlist, "\n") {
			if strings.HasPrefix(l, "#EXTINF") {
				extinf = append(extinf, l)
			}
		}
		if durations == nil {
			durations = extinf
		}
		require.Equal(t, durations, extinf, "%s: segments aligned with the other renditions", line)
	}
	require.NotEmpty(t, durations)

	expected := map[string]bool{}
	for _, key := range referencedObjects(ctx, t, bucket, conn, id) {
		expected[key] = true
	}
	objects, err := bucket.List(ctx, "videos/"+id+"/")
	require.NoError(t, err)
	for _, o := range objects {
		require.True(t, expected[o.Key], "stray object %s", o.Key)
	}
	survivor.stop(t)
}
