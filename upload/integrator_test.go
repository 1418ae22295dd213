package upload_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

// mp4Head is the first box of an MP4 file: enough for the sniff.
const mp4Head = "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"

func (e *env) patch(path string, offset int64, body io.Reader, header ...string) *http.Response {
	e.t.Helper()
	h := append([]string{"Upload-Offset", fmt.Sprint(offset), "Content-Type", "application/offset+octet-stream"}, header...)
	return e.request(http.MethodPatch, path, body, h...)
}

func TestIdempotencyKeyReturnsTheSameVideoAndURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	other := e.user("other@example.com")
	ctx := context.Background()
	req := upload.Request{Title: "Trip", Filename: "trip.mp4", Size: 1000, IdempotencyKey: "order-42"}

	first, err := e.uploads.Create(ctx, owner.viewer, req)
	require.NoError(t, err)
	again, err := e.uploads.Create(ctx, owner.viewer, req)
	require.NoError(t, err)
	require.Equal(t, first.Video.ID, again.Video.ID)
	require.Equal(t, first.Path, again.Path, "the same upload URL")

	// Two retries at the same moment make one video between them.
	req.IdempotencyKey = "order-43"
	var wg sync.WaitGroup
	results := make([]upload.Created, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { results[i], errs[i] = e.uploads.Create(ctx, owner.viewer, req) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, results[0].Video.ID, results[1].Video.ID)
	require.Equal(t, results[0].Path, results[1].Path)
	require.Equal(t, http.StatusNoContent, e.patch(results[1].Path, 0, strings.NewReader(mp4Head)).StatusCode,
		"the URL the second caller got works")

	var n int
	require.NoError(t, e.store.Pool().QueryRow(ctx, "SELECT count(*) FROM videos WHERE owner_id = $1", owner.viewer.UserID).Scan(&n))
	require.Equal(t, 2, n, "one video per key")

	// The key is the caller's own: another user's same key is another video.
	theirs, err := e.uploads.Create(ctx, other.viewer, req)
	require.NoError(t, err)
	require.NotEqual(t, results[0].Video.ID, theirs.Video.ID)

	// A key reused for another file is refused.
	_, err = e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "x", Size: 999, IdempotencyKey: "order-42"})
	var ie *video.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "idempotencyKey", ie.Field)

	// After 24 hours the key names nothing: a new video.
	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET created_at = now() - interval '25 hours' WHERE id = $1", first.Video.ID)
	require.NoError(t, err)
	later, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "Trip", Filename: "trip.mp4", Size: 1000, IdempotencyKey: "order-42"})
	require.NoError(t, err)
	require.NotEqual(t, first.Video.ID, later.Video.ID)

	// Without a key every call is a new video, as before.
	a, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Size: 10})
	require.NoError(t, err)
	b, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Size: 10})
	require.NoError(t, err)
	require.NotEqual(t, a.Video.ID, b.Video.ID)
}

func TestPassthroughIsStoredUpTo255Characters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	ctx := context.Background()
	long := strings.Repeat("é", 255) // characters, not bytes
	created, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Size: 10, Passthrough: &long})
	require.NoError(t, err)
	v, err := e.store.VideoByID(ctx, created.Video.ID)
	require.NoError(t, err)
	require.Equal(t, long, *v.Passthrough)

	tooLong := long + "x"
	_, err = e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Size: 10, Passthrough: &tooLong})
	var ie *video.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "passthrough", ie.Field)

	none, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Size: 10})
	require.NoError(t, err)
	require.Nil(t, none.Video.Passthrough)

	// tus creation takes it from the metadata.
	r := e.request(http.MethodPost, upload.BasePath, nil, "Authorization", "Bearer "+owner.token, "Upload-Length", "10",
		"Upload-Metadata", "passthrough "+b64("crm:7"))
	require.Equal(t, http.StatusCreated, r.StatusCode, bodyOf(t, r))
	v, err = e.store.VideoByID(ctx, uuid.MustParse(r.Header.Get("X-Video-Id")))
	require.NoError(t, err)
	require.Equal(t, "crm:7", *v.Passthrough)
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", "Bearer "+owner.token, "Upload-Length", "10",
		"Upload-Metadata", "passthrough "+b64(tooLong))
	require.Equal(t, http.StatusBadRequest, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "255")
}

func TestDeletingAnUploadingVideoEndsItsUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	ctx := context.Background()
	size := int64(8 << 20)
	created, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "t", Filename: "a.mp4", Size: size})
	require.NoError(t, err)

	// A PATCH is sending bytes when the video is deleted: it stops with
	// 410 instead of running to the end.
	pr, pw := io.Pipe()
	answered := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPatch, e.srv.URL+created.Path, pr)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.ContentLength = size
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- nil
			return
		}
		resp.Body.Close()
		answered <- resp
	}()
	chunk := make([]byte, 32<<10)
	copy(chunk, mp4Head)
	_, err = pw.Write(chunk)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		v, err := e.store.VideoByID(ctx, created.Video.ID)
		return err == nil && v.UploadOffset > 0
	}, 30*time.Second, 20*time.Millisecond, "the upload's progress is recorded while bytes arrive")
	require.NoError(t, e.videos.Delete(ctx, created.Video.ID, owner.viewer.Store()))

	var resp *http.Response
	sent := int64(len(chunk))
	for resp == nil {
		select {
		case resp = <-answered:
		case <-time.After(50 * time.Millisecond):
			if sent+int64(len(chunk)) < size {
				if _, err := pw.Write(make([]byte, len(chunk))); err == nil {
					sent += int64(len(chunk))
				}
			}
		}
	}
	pw.Close()
	require.NotNil(t, resp)
	require.Equal(t, http.StatusGone, resp.StatusCode)
	require.Less(t, sent, size, "the PATCH ended before its last byte")

	// A later PATCH or HEAD finds no upload.
	require.Equal(t, http.StatusNotFound, e.patch(created.Path, 0, strings.NewReader(mp4Head)).StatusCode)
	require.Equal(t, http.StatusNotFound, e.request(http.MethodHead, created.Path, nil).StatusCode)

	// The deletion queued the removal of its files with the row; a worker
	// removes them.
	mediaCfg := storage.Config{Dir: t.TempDir()}
	bucket, err := storage.Open(ctx, mediaCfg)
	require.NoError(t, err)
	workers := river.NewWorkers()
	jobs.Register(workers, jobs.Deps{Store: e.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Videos: e.videos, Uploads: e.uploads, Media: bucket, WorkDir: t.TempDir()})
	worker, err := river.NewClient(riverpgxv5.New(e.store.Pool()), &river.Config{
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}, Workers: workers,
		FetchPollInterval: 200 * time.Millisecond, TestOnly: true})
	require.NoError(t, err)
	require.NoError(t, worker.Start(ctx))
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
	require.Eventually(t, func() bool {
		var state string
		err := e.store.Pool().QueryRow(ctx, `SELECT state::text FROM river_job WHERE kind = 'delete_media' AND args->>'video_id' = $1`,
			created.Video.ID.String()).Scan(&state)
		return err == nil && state == "completed"
	}, 60*time.Second, 50*time.Millisecond)
	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, ent := range entries {
		require.NotContains(t, ent.Name(), created.Video.ID.String(), "the upload's files are gone")
	}
}

func TestTheFirstPatchRefusesAFileThatIsNotAVideo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	ctx := context.Background()
	text := []byte(strings.Repeat("Dear diary, today I uploaded a text file.\n", 200))
	created, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "notes", Filename: "notes.txt", Size: int64(len(text))})
	require.NoError(t, err)

	r := e.patch(created.Path, 0, strings.NewReader(string(text)))
	require.Equal(t, http.StatusUnsupportedMediaType, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "not a video")

	v, err := e.store.VideoByID(ctx, created.Video.ID)
	require.NoError(t, err)
	require.Equal(t, store.StatusFailed, v.Status)
	require.Contains(t, *v.Error, "not a video")
	require.False(t, v.Retryable, "a retry cannot make a text file a video")
	require.Nil(t, v.UploadExpiresAt)

	// The upload is over: nothing of it was kept, and it takes no more.
	r = e.patch(created.Path, 0, strings.NewReader(string(text)))
	require.Equal(t, http.StatusGone, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "not a video")
	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, ent := range entries {
		require.NotContains(t, ent.Name(), created.Video.ID.String(), "the upload's files are gone")
	}
}

func TestTheFirstPatchAcceptsRealContainers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	ctx := context.Background()
	dir := t.TempDir()
	src := []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-f", "lavfi", "-i", "sine=duration=1"}
	files := map[string][]string{
		"clip.mp4":  {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"},
		"clip.mov":  {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"},
		"clip.mkv":  {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"},
		"clip.webm": {"-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libvorbis"},
		"clip.ts":   {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"},
		"clip.avi":  {"-c:v", "mpeg4", "-c:a", "pcm_s16le"},
		"clip.flv":  {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"},
	}
	for name, codec := range files {
		path := filepath.Join(dir, name)
		args := append(append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, src...), codec...), "-shortest", path)
		out, err := exec.Command("ffmpeg", args...).CombinedOutput()
		require.NoError(t, err, "%s: %s", name, out)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		created, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: name, Filename: name, Size: int64(len(data))})
		require.NoError(t, err)
		r := e.patch(created.Path, 0, strings.NewReader(string(data)))
		require.Equal(t, http.StatusNoContent, r.StatusCode, "%s: %s", name, bodyOf(t, r))
		e.requireProcessingStarted(created.Video.ID)
	}
}

func TestUnfinishedUploadOffersOnlyTheCallersSameFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	other := e.user("other@example.com")
	ctx := context.Background()
	size := int64(64 << 10)
	created, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "Trip", Filename: "trip.mp4", Size: size})
	require.NoError(t, err)
	part := make([]byte, 20<<10)
	copy(part, mp4Head)
	require.Equal(t, http.StatusNoContent, e.patch(created.Path, 0, strings.NewReader(string(part))).StatusCode)

	u, err := e.uploads.Unfinished(ctx, owner.viewer, "trip.mp4", size)
	require.NoError(t, err)
	require.Equal(t, created.Video.ID, u.Video.ID)
	require.Equal(t, int64(len(part)), u.Offset, "the offset the upload has")
	v, err := e.store.VideoByID(ctx, created.Video.ID)
	require.NoError(t, err)
	require.Positive(t, v.UploadOffset, "Video.upload: recorded as the PATCH's bytes arrived (at most a second behind)")
	require.LessOrEqual(t, v.UploadOffset, int64(len(part)))
	require.Equal(t, "uploading", v.Stage)

	// Its URL resumes it from there, from another browser.
	rest := make([]byte, size-int64(len(part)))
	require.Equal(t, http.StatusNoContent, e.patch(u.Path, u.Offset, strings.NewReader(string(rest))).StatusCode)
	e.requireProcessingStarted(created.Video.ID)
	_, err = e.uploads.Unfinished(ctx, owner.viewer, "trip.mp4", size)
	require.ErrorIs(t, err, store.ErrNotFound, "a finished upload is not offered")

	again, err := e.uploads.Create(ctx, owner.viewer, upload.Request{Title: "Trip", Filename: "trip.mp4", Size: size})
	require.NoError(t, err)
	for _, c := range []struct {
		name     string
		filename string
		size     int64
		viewer   bool
	}{{"another user", "trip.mp4", size, false}, {"another name", "trip2.mp4", size, true}, {"another size", "trip.mp4", size + 1, true}} {
		viewer := owner.viewer
		if !c.viewer {
			viewer = other.viewer
		}
		_, err := e.uploads.Unfinished(ctx, viewer, c.filename, c.size)
		require.ErrorIs(t, err, store.ErrNotFound, c.name)
	}
	u, err = e.uploads.Unfinished(ctx, owner.viewer, "trip.mp4", size)
	require.NoError(t, err)
	require.Equal(t, again.Video.ID, u.Video.ID)
	require.Zero(t, u.Offset)

	_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET upload_expires_at = now() - interval '1 second' WHERE id = $1", again.Video.ID)
	require.NoError(t, err)
	_, err = e.uploads.Unfinished(ctx, owner.viewer, "trip.mp4", size)
	require.ErrorIs(t, err, store.ErrNotFound, "an expired upload is not offered")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
