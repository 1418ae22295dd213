package upload_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/jobs"
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

type env struct {
	t       *testing.T
	srv     *httptest.Server
	store   *store.Store
	uploads *upload.Service
	auth    *auth.Service
	dir     string
	jobs    *river.Client[pgx.Tx]
	videos  *video.Service
}

// backends are where upload bytes can live; tests that move bytes run on
// each.
var backends = []string{"local", "minio"}

func newEnv(t *testing.T, limits store.Limits) *env { return newEnvOn(t, "local", limits) }

func newEnvOn(t *testing.T, backend string, limits store.Limits) *env {
	t.Helper()
	st := storetest.NewStore(t)
	var storageCfg storage.Config
	if backend == "minio" {
		storageCfg = miniotest.Start(t).StorageConfig(t)
		_, err := storage.Open(context.Background(), storageCfg) // creates the bucket
		require.NoError(t, err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{})
	require.NoError(t, err)
	signer, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("k"), 32)})
	require.NoError(t, err)
	dir := t.TempDir()
	videos := video.New(video.Config{Store: st, Queue: jobs.NewQueue(client)})
	svc, err := upload.New(upload.Config{Dir: dir, Limits: limits, Expiry: time.Hour, Storage: storageCfg,
		OnFinished: videos.StartProcessing}, st, videos, signer, logger)
	require.NoError(t, err)
	authSvc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(upload.BasePath, svc.Handler())
	mux.HandleFunc("POST /upload", svc.HandleMultipart)
	srv := httptest.NewServer(authSvc.Middleware(auth.MiddlewareOptions{})(mux))
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: st, uploads: svc, auth: authSvc, dir: dir, jobs: client, videos: videos}
}

type user struct {
	token  string
	viewer *auth.Viewer
}

func (e *env) user(email string) user {
	e.t.Helper()
	sess, err := e.auth.SignUp(context.Background(), email, "correct horse", "U", auth.Client{IP: "127.0.0.1"})
	require.NoError(e.t, err)
	v, err := e.auth.Authenticate(context.Background(), sess.Token)
	require.NoError(e.t, err)
	return user{token: sess.Token, viewer: v}
}

func randomFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	// An MP4's first box, so the first PATCH's sniff lets it through
	// (the bytes after it are never probed here).
	copy(data, "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	path := filepath.Join(t.TempDir(), "clip.mp4")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path, data
}

type tusEvent struct {
	Event         string `json:"event"`
	URL           string `json:"url"`
	Offset        int64  `json:"offset"`
	BytesAccepted int64  `json:"bytesAccepted"`
	SentThisRun   int64  `json:"sentThisRun"`
	Message       string `json:"message"`
	Status        int    `json:"status"`
	Body          string `json:"body"`
}

// runTusJS runs the stock tus-js-client under Node and returns its events.
func runTusJS(t *testing.T, opts map[string]any) []tusEvent {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	opts["requireFrom"] = filepath.Join(wd, "..", "frontend", "package.json")
	b, _ := json.Marshal(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "testdata/tus_client.cjs", string(b))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node tus client: %s", stderr.String())
	var events []tusEvent
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var ev tusEvent
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		events = append(events, ev)
	}
	return events
}

func last(events []tusEvent) tusEvent { return events[len(events)-1] }

func (e *env) sourceSum(id uuid.UUID) [32]byte {
	e.t.Helper()
	p, release, err := e.uploads.Source(context.Background(), id)
	require.NoError(e.t, err)
	defer release()
	b, err := os.ReadFile(p)
	require.NoError(e.t, err)
	return sha256.Sum256(b)
}

func (e *env) requireProcessingStarted(id uuid.UUID) {
	e.t.Helper()
	v, err := e.store.VideoByID(context.Background(), id)
	require.NoError(e.t, err)
	require.Equal(e.t, store.StatusProcessing, v.Status)
	require.Equal(e.t, store.StageQueued, v.Stage)
	var kind string
	require.NoError(e.t, e.store.Pool().QueryRow(context.Background(),
		"SELECT kind FROM river_job WHERE args->>'video_id' = $1", id.String()).Scan(&kind))
	require.Equal(e.t, jobs.ProbeArgs{}.Kind(), kind, "the first job was queued with the status change")
}

func TestCreatedUploadResumesAfterAnInterruptionWithAStockTusClient(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testResume(t, newEnvOn(t, backend, store.Limits{}))
		})
	}
}

func testResume(t *testing.T, e *env) {
	owner := e.user("owner@example.com")
	path, data := randomFile(t, 3<<20)
	created, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "Holiday", Filename: "clip.mp4", Size: int64(len(data))})
	require.NoError(t, err)
	url := e.srv.URL + created.Path

	// The phone loses its connection after two 512 KiB chunks...
	events := runTusJS(t, map[string]any{"file": path, "uploadUrl": url, "chunkSize": 512 << 10, "abortAfterBytes": 1 << 20})
	aborted := last(events)
	require.Equal(t, "aborted", aborted.Event, "%+v", events)
	require.GreaterOrEqual(t, aborted.Offset, int64(1<<20))
	require.Less(t, aborted.Offset, int64(len(data)))
	v, err := e.store.VideoByID(context.Background(), created.Video.ID)
	require.NoError(t, err)
	require.Equal(t, store.StatusUploading, v.Status)

	// ...and resumes later from where the server says it is, without credentials.
	events = runTusJS(t, map[string]any{"file": path, "uploadUrl": url, "chunkSize": 512 << 10})
	done := last(events)
	require.Equal(t, "success", done.Event, "%+v", events)
	require.Equal(t, int64(len(data))-aborted.Offset, done.SentThisRun, "only the missing bytes were sent again")
	require.Equal(t, sha256.Sum256(data), e.sourceSum(created.Video.ID), "the stored file is the uploaded file")
	e.requireProcessingStarted(created.Video.ID)
}

func TestTusCreationWithBearerTokenAndMetadata(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testCreation(t, newEnvOn(t, backend, store.Limits{}))
		})
	}
}

func testCreation(t *testing.T, e *env) {
	owner := e.user("owner@example.com")
	path, data := randomFile(t, 700<<10)
	events := runTusJS(t, map[string]any{
		"file": path, "endpoint": e.srv.URL + upload.BasePath,
		"headers":  map[string]string{"Authorization": "Bearer " + owner.token},
		"metadata": map[string]string{"filename": "beach.mov", "title": "At the beach"},
	})
	done := last(events)
	require.Equal(t, "success", done.Event, "%+v", events)
	// The upload is named after its video (S3 appends "+<multipart id>").
	uploadID := done.URL[strings.LastIndex(done.URL, "/")+1:]
	objectID, _, _ := strings.Cut(uploadID, "+")
	id, err := uuid.Parse(objectID)
	require.NoError(t, err, "the upload takes its video's id")
	v, err := e.store.VideoByID(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, "At the beach", v.Title)
	require.Equal(t, "beach.mov", *v.Filename)
	require.Equal(t, owner.viewer.UserID, v.OwnerID)
	require.Equal(t, sha256.Sum256(data), e.sourceSum(id))
	e.requireProcessingStarted(id)
}

func (e *env) request(method, path string, body io.Reader, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(e.t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func bodyOf(t *testing.T, r *http.Response) string {
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return string(b)
}

func TestLimitsAreCheckedBeforeAnyByteIsStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{MaxFileSize: 10 << 20, StorageQuota: 15 << 20, DailyUploads: 3})
	owner := e.user("first-admin@example.com") // the first account is admin and exempt from quotas
	_ = owner
	u := e.user("creator@example.com")
	bearer := "Bearer " + u.token
	count := func() int {
		var n int
		require.NoError(t, e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM videos WHERE owner_id = $1", u.viewer.UserID).Scan(&n))
		return n
	}

	// Over the per-file limit: refused from the headers alone.
	r := e.request(http.MethodPost, upload.BasePath, strings.NewReader(strings.Repeat("x", 1024)),
		"Authorization", bearer, "Upload-Length", fmt.Sprint(11<<20), "Content-Type", "application/offset+octet-stream")
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "10 MiB")
	require.Zero(t, count())

	// Within it: created, with an expiry.
	for range 2 {
		r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", bearer, "Upload-Length", fmt.Sprint(7<<20))
		require.Equal(t, http.StatusCreated, r.StatusCode, bodyOf(t, r))
		require.NotEmpty(t, r.Header.Get("Upload-Expires"))
		_, err := http.ParseTime(r.Header.Get("Upload-Expires"))
		require.NoError(t, err)
	}
	// 14 MiB declared of a 15 MiB quota: 7 more would exceed it.
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", bearer, "Upload-Length", fmt.Sprint(7<<20))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "storage quota of 15 MiB")
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", bearer, "Upload-Length", fmt.Sprint(1<<20))
	require.Equal(t, http.StatusCreated, r.StatusCode)
	// Three uploads today: the fourth waits.
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", bearer, "Upload-Length", "10")
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "3 uploads per 24 hours")
	require.Equal(t, 3, count())

	// Anonymous and deferred-length creations are refused.
	r = e.request(http.MethodPost, upload.BasePath, nil, "Upload-Length", "10")
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", "Bearer "+owner.token, "Upload-Defer-Length", "1")
	require.Equal(t, http.StatusBadRequest, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "Upload-Length is required")

	// GraphQL's path applies the same limits.
	_, err := e.uploads.Create(context.Background(), u.viewer, upload.Request{Title: "t", Size: 1})
	var ue *upload.Error
	require.ErrorAs(t, err, &ue)
	require.Equal(t, "QUOTA_EXCEEDED", ue.PublicCode())
	require.Equal(t, http.StatusTooManyRequests, ue.Status)
}

func TestOnlyTheOwnerOrTheCapabilityMayTouchAnUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	other := e.user("other@example.com")
	created, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "t", Size: 4})
	require.NoError(t, err)
	bare := upload.BasePath + created.Video.ID.String()
	patch := func(path string, header ...string) int {
		h := append([]string{"Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"}, header...)
		return e.request(http.MethodPatch, path, strings.NewReader("ab"), h...).StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, patch(bare))
	require.Equal(t, http.StatusForbidden, patch(bare, "Authorization", "Bearer "+other.token))
	require.Equal(t, http.StatusForbidden, patch(bare+"?sig=123.forged"))
	require.Equal(t, http.StatusNotFound, patch(upload.BasePath+"not-an-id"))
	require.Equal(t, http.StatusNotFound, patch(upload.BasePath+uuid.NewString()))
	require.Equal(t, http.StatusNoContent, patch(created.Path))
	r := e.request(http.MethodHead, bare, nil, "Authorization", "Bearer "+owner.token)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "2", r.Header.Get("Upload-Offset"))
	require.NotEmpty(t, r.Header.Get("Upload-Expires"), "tus expiration: unfinished uploads say when they expire")
}

func TestChecksumExtension(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	r := e.request(http.MethodOptions, upload.BasePath, nil)
	require.Contains(t, r.Header.Get("Tus-Extension"), "checksum")
	require.Contains(t, r.Header.Get("Tus-Extension"), "expiration")
	require.Contains(t, r.Header.Get("Tus-Extension"), "termination")
	require.Contains(t, r.Header.Get("Tus-Checksum-Algorithm"), "sha1")

	created, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "t", Size: 8})
	require.NoError(t, err)
	sum := func(s string) string {
		h := sha1.Sum([]byte(s))
		return "sha1 " + base64.StdEncoding.EncodeToString(h[:])
	}
	patch := func(offset int, chunk, checksum string) *http.Response {
		return e.request(http.MethodPatch, created.Path, strings.NewReader(chunk),
			"Upload-Offset", fmt.Sprint(offset), "Content-Type", "application/offset+octet-stream", "Upload-Checksum", checksum)
	}
	require.Equal(t, 460, patch(0, "abcd", sum("abcX")).StatusCode, "a corrupted chunk is refused")
	r = e.request(http.MethodHead, created.Path, nil)
	require.Equal(t, "0", r.Header.Get("Upload-Offset"), "and nothing of it was kept")
	require.Equal(t, http.StatusBadRequest, patch(0, "abcd", "crc32 AAAA").StatusCode)
	require.Equal(t, http.StatusNoContent, patch(0, "abcd", sum("abcd")).StatusCode)
	require.Equal(t, http.StatusNoContent, patch(4, "efgh", sum("efgh")).StatusCode)
	e.requireProcessingStarted(created.Video.ID)
}

func TestTerminationCancelsOnlyUnfinishedUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	created, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "t", Size: 4})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, e.request(http.MethodDelete, created.Path, nil).StatusCode)
	_, err = e.store.VideoByID(context.Background(), created.Video.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "cancelling the upload removes its video")
	require.Equal(t, http.StatusNotFound, e.request(http.MethodHead, created.Path, nil).StatusCode)

	done, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "t", Size: 2})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, e.request(http.MethodPatch, done.Path, strings.NewReader("ok"),
		"Upload-Offset", "0", "Content-Type", "application/offset+octet-stream").StatusCode)
	r := e.request(http.MethodDelete, done.Path, nil)
	require.Equal(t, http.StatusConflict, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "deleteVideo")
}

func TestMultipartUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{MaxFileSize: 1 << 20})
	e.user("admin@example.com")
	u := e.user("creator@example.com")
	form := func(title string, file []byte) (*bytes.Buffer, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		if title != "" {
			require.NoError(t, mw.WriteField("title", title))
		}
		if file != nil {
			fw, err := mw.CreateFormFile("file", "talk.mp4")
			require.NoError(t, err)
			_, _ = fw.Write(file)
		}
		require.NoError(t, mw.Close())
		return &b, mw.FormDataContentType()
	}
	data := bytes.Repeat([]byte("v"), 300<<10)
	body, ct := form("My talk", data)
	r := e.request(http.MethodPost, "/upload", body, "Authorization", "Bearer "+u.token, "Content-Type", ct)
	require.Equal(t, http.StatusAccepted, r.StatusCode)
	var out struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		StatusURL string `json:"status_url"`
	}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&out))
	require.Equal(t, "PROCESSING", out.Status)
	require.True(t, strings.HasSuffix(out.StatusURL, "/api/v1/videos/"+out.ID+"/status"), out.StatusURL)
	require.True(t, strings.HasPrefix(out.StatusURL, "http://"), "absolute: %s", out.StatusURL)
	id := uuid.MustParse(out.ID)
	require.Equal(t, sha256.Sum256(data), e.sourceSum(id))
	e.requireProcessingStarted(id)
	v, err := e.store.VideoByID(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, "My talk", v.Title)

	body, ct = form("", bytes.Repeat([]byte("v"), 2<<20))
	r = e.request(http.MethodPost, "/upload", body, "Authorization", "Bearer "+u.token, "Content-Type", ct)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	require.Contains(t, bodyOf(t, r), "1 MiB")

	body, ct = form("no file", nil)
	r = e.request(http.MethodPost, "/upload", body, "Authorization", "Bearer "+u.token, "Content-Type", ct)
	require.Equal(t, http.StatusBadRequest, r.StatusCode)
	body, ct = form("t", data)
	require.Equal(t, http.StatusUnauthorized, e.request(http.MethodPost, "/upload", body, "Content-Type", ct).StatusCode)

	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, ent := range entries {
		require.False(t, strings.HasPrefix(ent.Name(), ".form-"), "no spool file left behind: %s", ent.Name())
	}
}

func TestBytesBeyondTheDeclaredSizeAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{})
	owner := e.user("owner@example.com")
	created, err := e.uploads.Create(context.Background(), owner.viewer, upload.Request{Title: "t", Size: 4})
	require.NoError(t, err)
	r := e.request(http.MethodPatch, created.Path, strings.NewReader("more than four bytes"),
		"Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode, bodyOf(t, r))
	r = e.request(http.MethodHead, created.Path, nil)
	require.Equal(t, "0", r.Header.Get("Upload-Offset"), "nothing of it was stored")
	v, err := e.store.VideoByID(context.Background(), created.Video.ID)
	require.NoError(t, err)
	require.Equal(t, store.StatusUploading, v.Status)
}

// An empty file is refused on every path before a video exists: tus with
// Upload-Length: 0 answers like createUpload(size: 0), and nothing counts
// against the daily limit.
func TestAnEmptyTusUploadIsRefusedBeforeAVideoExists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Limits{MaxFileSize: 10 << 20, StorageQuota: 15 << 20, DailyUploads: 1})
	e.user("first-admin@example.com") // the first account is admin and exempt from quotas
	u := e.user("creator@example.com")
	count := func() int {
		var n int
		require.NoError(t, e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM videos WHERE owner_id = $1", u.viewer.UserID).Scan(&n))
		return n
	}
	_, err := e.uploads.Create(context.Background(), u.viewer, upload.Request{Title: "t", Size: 0})
	var ue *upload.Error
	require.ErrorAs(t, err, &ue)

	r := e.request(http.MethodPost, upload.BasePath, nil, "Authorization", "Bearer "+u.token, "Upload-Length", "0")
	require.Equal(t, http.StatusBadRequest, r.StatusCode)
	require.Contains(t, bodyOf(t, r), ue.Message)
	require.Zero(t, count())

	// The day's one upload is still there to be made.
	r = e.request(http.MethodPost, upload.BasePath, nil, "Authorization", "Bearer "+u.token, "Upload-Length", "10")
	require.Equal(t, http.StatusCreated, r.StatusCode, bodyOf(t, r))
	require.Equal(t, 1, count())
}
