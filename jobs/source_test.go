package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// ffprobeLog is a wrapper script around the real ffprobe that appends each
// run's arguments to a file before exec'ing it, so a test counts the runs
// while every run is a real one.
type ffprobeLog struct {
	t    *testing.T
	path string // the wrapper, for MediaTools.FFprobe
	log  string
}

func newFFprobeLog(t *testing.T) *ffprobeLog {
	t.Helper()
	real, err := exec.LookPath("ffprobe")
	require.NoError(t, err)
	dir := t.TempDir()
	l := &ffprobeLog{t: t, path: filepath.Join(dir, "ffprobe"), log: filepath.Join(dir, "runs.log")}
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + l.log + "'\nexec '" + real + "' \"$@\"\n"
	require.NoError(t, os.WriteFile(l.path, []byte(script), 0o755))
	return l
}

// sourceRuns counts the runs that read an upload rather than a segment the
// transcode wrote (media.MeasureRendition probes one segment per rung).
func (l *ffprobeLog) sourceRuns() int {
	l.t.Helper()
	raw, err := os.ReadFile(l.log)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(l.t, err)
	n := 0
	for line := range strings.Lines(string(raw)) {
		if fields := strings.Fields(line); len(fields) > 0 && !strings.HasSuffix(fields[len(fields)-1], ".ts") {
			n++
		}
	}
	return n
}

// s3Log is a reverse proxy in front of MinIO that records every request
// clipcut sends, so a test can count downloads.
type s3Log struct {
	mu     sync.Mutex
	bucket string
	reqs   []s3Request
}

type s3Request struct {
	method string
	url    url.URL
}

// front starts the proxy and returns cfg pointing at it. The proxy keeps the
// client's Host header, which the S3 signature covers.
func (l *s3Log) front(t *testing.T, cfg storage.Config) storage.Config {
	t.Helper()
	target, err := url.Parse("http://" + cfg.S3Endpoint)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, s3Request{r.Method, *r.URL})
		l.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	l.bucket = cfg.S3Bucket
	cfg.S3Endpoint = strings.TrimPrefix(srv.URL, "http://")
	return cfg
}

// uploadGets counts the downloads of video id's upload bytes: GetObject on
// tusd's object "uploads/<id>" (not its .info or .part, and not ListParts,
// a GET on the same path with an uploadId).
func (l *s3Log) uploadGets(id uuid.UUID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	path := "/" + l.bucket + "/uploads/" + id.String()
	n := 0
	for _, r := range l.reqs {
		if r.method == http.MethodGet && r.url.Path == path && !r.url.Query().Has("uploadId") {
			n++
		}
	}
	return n
}

// attempts returns how often each job kind ran for video id.
func (p *pipeline) attempts(id uuid.UUID) map[string]int {
	p.t.Helper()
	rows, err := p.store.Pool().Query(context.Background(),
		`SELECT kind, sum(attempt)::int FROM river_job WHERE args->>'video_id' = $1 GROUP BY kind`, id.String())
	require.NoError(p.t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		require.NoError(p.t, rows.Scan(&kind, &n))
		out[kind] = n
	}
	require.NoError(p.t, rows.Err())
	return out
}

// runJob inserts args and waits for the job to complete.
func (p *pipeline) runJob(args river.JobArgs) {
	p.t.Helper()
	ctx := context.Background()
	res, err := p.jobs.Insert(ctx, args, nil)
	require.NoError(p.t, err)
	var state string
	require.Eventually(p.t, func() bool {
		require.NoError(p.t, p.store.Pool().QueryRow(ctx, `SELECT state::text FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state))
		return state == "completed" || state == "cancelled" || state == "discarded"
	}, 2*time.Minute, 100*time.Millisecond)
	require.Equal(p.t, "completed", state)
}

// TestSourcesAreProbedOnceAndFetchedOncePerJob runs the pipeline (probe,
// transcode, thumbnails, subtitles, preview) with a counting ffprobe: only the probe
// job reads the source with ffprobe; the later jobs use the stored result.
// In S3 mode each job downloads the upload once.
func TestSourcesAreProbedOnceAndFetchedOncePerJob(t *testing.T) {
	clip := ffmpegClip(t, "clip.mp4", cat(testsrc("640x360", 25, 2), sine(2), fastH264, []string{"-c:a", "aac", "-shortest"})...)
	mediaJobs := []string{"probe", "transcode", "thumbnails", "subtitles", "preview"}
	for _, backend := range []string{"local", "minio"} {
		t.Run(backend, func(t *testing.T) {
			ffprobe := newFFprobeLog(t)
			o := pipelineOptions{backend: backend, transcriber: media.NoTranscriber{}, ffprobe: ffprobe.path}
			if backend == "minio" {
				o.s3 = &s3Log{}
			}
			p := newPipelineOpts(t, o)
			id := p.upload(clip)
			events, unsubscribe := p.hub.Subscribe(id)
			defer unsubscribe()
			v, _ := p.processed(id, events)
			require.Equal(t, store.StatusReady, v.Status, "error: %v", v.Error)
			require.NotEmpty(t, v.Renditions)
			require.NotNil(t, v.StoryboardKey, "thumbnails saw the video stream in the stored result")
			require.Equal(t, store.SubtitlesNone, v.SubtitlesStatus, "subtitles saw the audio stream in the stored result")

			p.settled(id, 0) // the preview job may still run once the video is READY
			attempts := p.attempts(id)
			total := 0
			for _, kind := range mediaJobs {
				require.Positive(t, attempts[kind], "%s ran", kind)
				total += attempts[kind]
			}
			require.Equal(t, attempts["probe"], ffprobe.sourceRuns(), "only the probe job runs ffprobe on the source")
			if o.s3 != nil {
				gets := o.s3.uploadGets(id)
				require.GreaterOrEqual(t, gets, len(mediaJobs), "every media job reads the source")
				require.LessOrEqual(t, gets, total, "no job downloads the source twice")
			}
		})
	}
}

// TestLaterJobsProbeWhenNoResultIsStored regenerates subtitles (a later
// job, run on a READY video) with the stored probe result present, absent,
// and as older code wrote it (no version).
func TestLaterJobsProbeWhenNoResultIsStored(t *testing.T) {
	ffprobe := newFFprobeLog(t)
	p := newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: media.NoTranscriber{}, ffprobe: ffprobe.path})
	id := p.upload(ffmpegClip(t, "clip.mp4", cat(testsrc("320x240", 25, 1), sine(1), fastH264, []string{"-c:a", "aac", "-shortest"})...))
	events, unsubscribe := p.hub.Subscribe(id)
	defer unsubscribe()
	v, _ := p.processed(id, events)
	require.Equal(t, store.StatusReady, v.Status, "error: %v", v.Error)
	runs := ffprobe.sourceRuns()
	require.Equal(t, p.attempts(id)["probe"], runs)

	ctx := context.Background()
	regenerate := func() {
		t.Helper()
		_, err := p.store.Pool().Exec(ctx, `UPDATE videos SET subtitles_status = 'pending', subtitles_note = NULL WHERE id = $1`, id)
		require.NoError(t, err)
		p.runJob(jobs.SubtitlesArgs{VideoID: id, Duration: 1})
		v, err := p.store.VideoByID(ctx, id)
		require.NoError(t, err)
		require.Equal(t, store.SubtitlesNone, v.SubtitlesStatus, "the job found the audio stream")
		require.Contains(t, *v.SubtitlesNote, "no transcription engine")
	}

	regenerate()
	require.Equal(t, runs, ffprobe.sourceRuns(), "stored: not probed again")

	_, err := p.store.Pool().Exec(ctx, `UPDATE videos SET media_info = media_info - 'version' WHERE id = $1`, id)
	require.NoError(t, err)
	regenerate()
	require.Equal(t, runs, ffprobe.sourceRuns(), "stored without a version, as older code wrote it: not probed again")

	_, err = p.store.Pool().Exec(ctx, `UPDATE videos SET media_info = NULL WHERE id = $1`, id)
	require.NoError(t, err)
	regenerate()
	require.Equal(t, runs+1, ffprobe.sourceRuns(), "absent: probed again")
}
