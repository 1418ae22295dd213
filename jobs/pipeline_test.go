package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/miniotest"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

type runFunc func() int

func (f runFunc) Run() int { return f() }

func TestMain(m *testing.M) {
	os.Exit(storetest.Run(runFunc(func() int { return miniotest.Run(m) })))
}

// pipeline is clipcut's upload and processing path with real workers:
// Postgres, River, tusd, ffmpeg and local storage.
type pipeline struct {
	t       *testing.T
	store   *store.Store
	media   storage.Bucket
	workDir string
	srv     *httptest.Server
	token   string
	hub     *store.Hub
	jobs    *river.Client[pgx.Tx]
	videos  *video.Service
	uploads *upload.Service
	viewer  store.Viewer
}

func newPipeline(t *testing.T) *pipeline { return newPipelineOn(t, "local") }

// newPipelineOn keeps media and upload bytes on local disk ("local") or in
// a real MinIO ("minio"), with subtitles off.
func newPipelineOn(t *testing.T, backend string) *pipeline {
	return newPipelineWith(t, backend, media.NoTranscriber{})
}

// newPipelineWith is newPipelineOn with a subtitle engine.
func newPipelineWith(t *testing.T, backend string, transcriber media.Transcriber) *pipeline {
	return newPipelineOpts(t, pipelineOptions{backend: backend, transcriber: transcriber})
}

// pipelineOptions vary the pipeline under test.
type pipelineOptions struct {
	backend     string // "local" or "minio"
	transcriber media.Transcriber
	// webhooks, when set, adds the webhooks queue with these settings and
	// the outbox listener, as clipcut serve runs them.
	webhooks *jobs.WebhookSettings
	// ffprobe is the ffprobe the workers run ("": the one on PATH).
	ffprobe string
	// s3, with backend "minio", sees every request clipcut sends to MinIO.
	s3 *s3Log
	// chunkSeconds is MediaTools.ChunkSeconds (0: no chunks).
	chunkSeconds int
	// deps, when set, changes the workers' dependencies before they start.
	deps func(*jobs.Deps)
	// mediaWorkers is how many media jobs run at once (0: one).
	mediaWorkers int
}

func newPipelineOpts(t *testing.T, o pipelineOptions) *pipeline {
	t.Helper()
	st := storetest.NewStore(t)
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	workDir := t.TempDir()
	storageCfg := storage.Config{Dir: t.TempDir()}
	if o.backend == "minio" {
		storageCfg = miniotest.Start(t).StorageConfig(t)
		if o.s3 != nil {
			storageCfg = o.s3.front(t, storageCfg)
		}
	}
	bucket, err := storage.Open(context.Background(), storageCfg)
	require.NoError(t, err)
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 2},
		jobs.QueueMedia:    {MaxWorkers: max(o.mediaWorkers, 1)},
	}
	poll := 200 * time.Millisecond
	if o.webhooks != nil {
		queues[jobs.QueueWebhooks] = river.QueueConfig{MaxWorkers: 4}
		poll = 100 * time.Millisecond
	}
	client, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{
		Logger:            slog.New(slog.DiscardHandler),
		Workers:           workers,
		Queues:            queues,
		FetchPollInterval: poll,
	})
	require.NoError(t, err)
	signer, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("k"), 32)})
	require.NoError(t, err)
	videos := video.New(video.Config{Store: st, Media: bucket, Queue: jobs.NewQueue(client)})
	uploads, err := upload.New(upload.Config{Dir: t.TempDir(), Expiry: time.Hour, Storage: storageCfg,
		OnFinished: videos.StartProcessing}, st, videos, signer, logger)
	require.NoError(t, err)
	deps := jobs.Deps{Store: st, Logger: logger, Videos: videos, Uploads: uploads, Media: bucket,
		UploadExpiry: time.Hour, WorkDir: workDir, Transcriber: o.transcriber,
		Tools: jobs.MediaTools{FFmpeg: "ffmpeg", FFprobe: "ffprobe", Preset: "ultrafast", ChunkSeconds: o.chunkSeconds}}
	if o.ffprobe != "" {
		deps.Tools.FFprobe = o.ffprobe
	}
	if o.webhooks != nil {
		deps.Webhooks = *o.webhooks
	}
	if o.deps != nil {
		o.deps(&deps)
	}
	jobs.Register(workers, deps)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, client.Start(ctx))
	notifier := store.NewNotifier(st.Pool(), logger)
	require.NoError(t, notifier.Start(ctx))
	hub := store.NewHub(notifier, logger)
	require.NoError(t, hub.Start(ctx))
	var wg sync.WaitGroup
	if o.webhooks != nil {
		wg.Go(func() { jobs.ListenForWebhookEvents(ctx, notifier, client, logger) })
	}
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 30*time.Second)
		defer stop()
		_ = client.Stop(stopCtx)
		cancel()
		wg.Wait()
		notifier.Stop()
	})

	authSvc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(t, err)
	sess, err := authSvc.SignUp(ctx, "creator@example.com", "correct horse", "Creator", auth.Client{})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(upload.BasePath, uploads.Handler())
	srv := httptest.NewServer(authSvc.Middleware(auth.MiddlewareOptions{})(mux))
	t.Cleanup(srv.Close)
	return &pipeline{t: t, store: st, media: bucket, workDir: workDir, srv: srv, token: sess.Token, hub: hub,
		jobs: client, videos: videos, uploads: uploads, viewer: store.Viewer{UserID: sess.User.ID}}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// ffmpegClip generates a test input with ffmpeg.
func ffmpegClip(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	full := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)
	out, err := exec.Command("ffmpeg", append(full, path)...).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	return path
}

func testsrc(size string, rate, seconds int) []string {
	return []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=%d:duration=%d", size, rate, seconds)}
}

func sine(seconds int) []string {
	return []string{"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", seconds)}
}

var fastH264 = []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// upload sends a file with one tus creation-with-upload request and
// returns its video's id.
func (p *pipeline) upload(path string) uuid.UUID {
	p.t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(p.t, err)
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+upload.BasePath, bytes.NewReader(data))
	require.NoError(p.t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Upload-Length", fmt.Sprint(len(data)))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(p.t, http.StatusCreated, resp.StatusCode, string(body))
	return uuid.MustParse(resp.Header.Get("X-Video-Id"))
}

// processed waits for the video to be READY or FAILED and returns it with
// every event published on the way.
func (p *pipeline) processed(id uuid.UUID, events <-chan store.VideoEvent) (store.Video, []store.VideoEvent) {
	p.t.Helper()
	var seen []store.VideoEvent
	keep := func(ev store.VideoEvent) {
		if !ev.Resync { // a resync carries no state
			seen = append(seen, ev)
		}
	}
	deadline := time.After(10 * time.Minute)
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case ev := <-events:
			keep(ev)
		case <-poll.C:
			v, err := p.store.VideoByID(context.Background(), id)
			require.NoError(p.t, err)
			if v.Status == store.StatusReady || v.Status == store.StatusFailed {
				// The stored row is the outcome; its notification may
				// still be on the way (or merged with an earlier one), so
				// take only the events already delivered.
				for {
					select {
					case ev := <-events:
						keep(ev)
					default:
						return v, seen
					}
				}
			}
		case <-deadline:
			v, _ := p.store.VideoByID(context.Background(), id)
			p.t.Fatalf("video still %s/%s after 10 minutes", v.Status, v.Stage)
		}
	}
}

func (p *pipeline) read(key string) string {
	p.t.Helper()
	rc, _, err := p.media.Get(context.Background(), key)
	require.NoError(p.t, err, key)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(p.t, err)
	return string(b)
}

func (p *pipeline) localPath(key string) string {
	path, ok := p.media.(storage.LocalPather).LocalPath(key)
	require.True(p.t, ok)
	return path
}

func keyframes(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
		"-show_entries", "frame=pts_time", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	return strings.Fields(string(out))
}

func decodedFrames(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames,width,height", "-of", "json", path).Output()
	require.NoError(t, err)
	var res struct {
		Streams []struct {
			Frames string `json:"nb_read_frames"`
		}
	}
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res.Streams, 1)
	var n int
	fmt.Sscan(res.Streams[0].Frames, &n)
	return n
}

func TestPipelineTakesGoodVideosToReady(t *testing.T) {
	p := newPipeline(t)
	for _, tc := range []struct {
		name       string
		file       func() string
		renditions []string
		frames     int // per rendition, decoded
		storyboard bool
	}{
		{"1080p landscape with audio", func() string {
			return ffmpegClip(t, "landscape.mp4", cat(testsrc("1920x1080", 30, 4), sine(4), fastH264, []string{"-c:a", "aac", "-shortest"})...)
		}, []string{"240p", "360p", "480p", "720p", "1080p"}, 120, true},
		{"portrait phone video", func() string {
			return ffmpegClip(t, "portrait.mp4", cat(testsrc("720x1280", 30, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...)
		}, []string{"240p", "360p", "480p", "720p"}, 60, true},
		{"no audio", func() string {
			return ffmpegClip(t, "silent.mp4", cat(testsrc("640x360", 25, 2), fastH264)...)
		}, []string{"240p", "360p"}, 50, true},
		{"audio only", func() string {
			return ffmpegClip(t, "podcast.m4a", cat(sine(3), []string{"-c:a", "aac"})...)
		}, []string{"360p"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := p.upload(tc.file())
			events, unsubscribe := p.hub.Subscribe(id)
			defer unsubscribe()
			v, seen := p.processed(id, events)
			require.Equal(t, store.StatusReady, v.Status, "error: %v", v.Error)
			require.True(t, v.Playable)
			require.EqualValues(t, 100, v.Percent)

			var names []string
			for _, r := range v.Renditions {
				names = append(names, r.Name)
				require.Positive(t, r.Bandwidth)
				require.LessOrEqual(t, r.AverageBandwidth, r.Bandwidth)
				require.Contains(t, r.Codecs, "avc1.")
			}
			require.Equal(t, tc.renditions, names, "lowest first")

			master := p.read(layout.Master(id))
			for _, attr := range []string{"BANDWIDTH=", "AVERAGE-BANDWIDTH=", "RESOLUTION=", "CODECS=", "FRAME-RATE="} {
				require.Contains(t, master, attr)
			}
			var firstKeys []string
			for _, r := range v.Renditions {
				require.Contains(t, master, r.Name+"/index.m3u8")
				pl := p.read(r.Playlist)
				require.Contains(t, pl, "#EXT-X-ENDLIST")
				require.Contains(t, pl, "#EXT-X-PLAYLIST-TYPE:VOD")
				for _, line := range strings.Split(pl, "\n") {
					if strings.HasSuffix(line, ".ts") {
						_, err := p.media.Stat(context.Background(), filepath.Dir(r.Playlist)+"/"+line)
						require.NoError(t, err, "every listed segment is stored")
					}
				}
				path := p.localPath(r.Playlist)
				if tc.frames > 0 {
					require.InDelta(t, tc.frames, decodedFrames(t, path), 2, "%s decodes end to end", r.Name)
				}
				keys := keyframes(t, path)
				if firstKeys == nil {
					firstKeys = keys
				}
				require.Equal(t, firstKeys, keys, "keyframes aligned across renditions (%s)", r.Name)
			}

			require.NotNil(t, v.PosterKey)
			info, err := p.media.Stat(context.Background(), *v.PosterKey)
			require.NoError(t, err)
			require.Positive(t, info.Size)
			if tc.storyboard {
				require.NotNil(t, v.StoryboardKey)
				require.Contains(t, p.read(*v.StoryboardKey), "#xywh=")
			} else {
				require.Nil(t, v.StoryboardKey)
			}

			// Progress never went back. Whether an event showed the video
			// playable while still PROCESSING depends on which
			// notifications were merged, and nothing stores when it became
			// playable: the stored final state is asserted, the event only
			// logged.
			// A retried transcode (a busy machine can cancel an attempt)
			// reports its progress again from the start, so monotony is
			// asserted only when one attempt did the work.
			var attempts int
			require.NoError(t, p.store.Pool().QueryRow(context.Background(),
				`SELECT coalesce(max(attempt), 0) FROM river_job WHERE kind = 'transcode' AND args->>'video_id' = $1`, id.String()).Scan(&attempts))
			playableEarly, lastPercent := false, -1.0
			for _, ev := range seen {
				if ev.Playable && ev.Status == store.StatusProcessing {
					playableEarly = true
				}
				if attempts == 1 {
					require.GreaterOrEqual(t, ev.Percent, lastPercent, "percent never decreases")
				}
				lastPercent = ev.Percent
			}
			if attempts != 1 {
				t.Logf("the transcode took %d attempts: percent monotony not checked", attempts)
			}
			t.Logf("an event showed the video playable while processing: %v", playableEarly)

			entries, err := os.ReadDir(p.workDir)
			require.NoError(t, err)
			require.Empty(t, entries, "scratch files are removed")
		})
	}
}

// noise is n bytes that are no media format, the same bytes on every run
// (a fixed seed), so a "not a video" test takes the same path each time.
// Fresh random bytes now and then look like a format to ffprobe's
// detection: 64 KiB of them once probed as lrc (a lyrics format), which
// changes the reason given.
func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{'c', 'l', 'i', 'p', 'c', 'u', 't'}).Read(b)
	return b
}

func TestPipelineFailsBadInputsAtOnceWithAReason(t *testing.T) {
	p := newPipeline(t)
	random := noise(256 << 10)
	write := func(name string, data []byte) string {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return path
	}
	good := ffmpegClip(t, "good.mp4", cat(testsrc("640x360", 25, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...)
	goodBytes, err := os.ReadFile(good)
	require.NoError(t, err)
	srt := write("subs.srt", []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n"))

	// A zero-byte file is refused when its upload is created (upload's
	// TestAnEmptyTusUploadIsRefusedBeforeAVideoExists); probe's own refusal
	// is media's TestProbeRejects "empty".
	cases := map[string]string{
		"random bytes named .mp4": write("random.mp4", random),
		"truncated mp4":           write("truncated.mp4", goodBytes[:len(goodBytes)/2]),
		"an image":                ffmpegClip(t, "photo.png", cat(testsrc("320x240", 1, 1), []string{"-frames:v", "1"})...),
		"30000x30000 frame size":  write("huge.y4m", append([]byte("YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n"), random[:1024]...)),
		"no video or audio":       ffmpegClip(t, "subs.mkv", "-i", srt, "-c:s", "srt"),
	}
	ids := map[string]uuid.UUID{}
	for name, path := range cases {
		ids[name] = p.upload(path)
	}
	var wg sync.WaitGroup
	for name, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			events, unsubscribe := p.hub.Subscribe(id)
			defer unsubscribe()
			v, _ := p.processed(id, events)
			t.Run(name, func(t *testing.T) {
				require.Equal(t, store.StatusFailed, v.Status)
				require.NotNil(t, v.Error)
				require.NotEmpty(t, *v.Error)
				require.NotContains(t, *v.Error, "exit status", "a reason for people, not a process status")
				require.False(t, v.Playable)

				// River records the job's end just after the worker returns.
				var attempts int
				var state string
				require.Eventually(t, func() bool {
					require.NoError(t, p.store.Pool().QueryRow(context.Background(),
						`SELECT max(attempt), max(state::text) FROM river_job WHERE args->>'video_id' = $1`, id.String()).Scan(&attempts, &state))
					return state != "running"
				}, 60*time.Second, 50*time.Millisecond)
				require.Equal(t, 1, attempts, "not retried")
				require.Equal(t, "cancelled", state)

				objects, err := p.media.List(context.Background(), layout.Prefix(id))
				require.NoError(t, err)
				require.Empty(t, objects, "no partial outputs")
				t.Logf("%s: %s", name, *v.Error)
			})
		}()
	}
	wg.Wait()
}

// TestPipelineOnS3AndDeletion runs the pipeline with upload bytes and media
// in a real MinIO, then deletes the video: its objects go, uploads included.
func TestPipelineOnS3AndDeletion(t *testing.T) {
	for _, backend := range []string{"local", "minio"} {
		t.Run(backend, func(t *testing.T) {
			p := newPipelineOn(t, backend)
			id := p.upload(ffmpegClip(t, "clip.mp4", cat(testsrc("640x360", 25, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...))
			events, unsubscribe := p.hub.Subscribe(id)
			defer unsubscribe()
			v, _ := p.processed(id, events)
			require.Equal(t, store.StatusReady, v.Status, "error: %v", v.Error)
			objects, err := p.media.List(context.Background(), layout.Prefix(id))
			require.NoError(t, err)
			require.Greater(t, len(objects), 5, "playlists, segments, poster and storyboard are stored")
			require.Contains(t, p.read(layout.Master(id)), "#EXT-X-STREAM-INF")

			ctx := context.Background()
			require.NoError(t, p.videos.Delete(ctx, id, p.viewer))
			require.Eventually(t, func() bool {
				var state string
				err := p.store.Pool().QueryRow(ctx, `SELECT state::text FROM river_job WHERE kind = 'delete_media' AND args->>'video_id' = $1`, id.String()).Scan(&state)
				return err == nil && state == "completed"
			}, 2*time.Minute, 100*time.Millisecond, "the media delete job completes")
			objects, err = p.media.List(ctx, layout.Prefix(id))
			require.NoError(t, err)
			require.Empty(t, objects, "no orphaned media")
			if backend == "minio" {
				left, err := p.media.List(ctx, "uploads")
				require.NoError(t, err)
				require.Empty(t, left, "the upload's bytes are gone too")
			}
		})
	}
}
