package delivery_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/miniotest"
)

// fixtureRoot holds the media made once for the whole test process.
var fixtureRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "delivery-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureRoot = dir
	code := miniotest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// mediaFixture returns a directory laid out like a video's storage prefix:
// real HLS from ffmpeg (two renditions, two one-second segments each),
// poster, storyboard, subtitles and an MP4 download.
func mediaFixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir = filepath.Join(fixtureRoot, "video")
		fixtureErr = makeFixture(fixtureDir)
	})
	require.NoError(t, fixtureErr)
	return fixtureDir
}

func makeFixture(dir string) error {
	for _, d := range []string{"hls", "storyboard", "subtitles", "downloads"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ffmpeg := func(workDir string, args ...string) error {
		cmd := exec.CommandContext(ctx, "ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
		cmd.Dir = workDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ffmpeg %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	src := []string{
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
	}
	hls := append(slices.Clone(src),
		"-filter_complex", "[0:v]split=2[a][b];[b]scale=160:90[b90]",
		"-map", "[a]", "-map", "[b90]", "-map", "1:a", "-map", "1:a",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
		"-c:a", "aac", "-b:a", "64k",
		"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
		"-hls_segment_filename", "%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
		"-var_stream_map", "v:0,a:0,name:180p v:1,a:1,name:90p", "%v/index.m3u8")
	if err := ffmpeg(filepath.Join(dir, "hls"), hls...); err != nil {
		return err
	}
	if err := ffmpeg(dir, append(slices.Clone(src[:4]), "-frames:v", "1", "poster.jpg")...); err != nil {
		return err
	}
	if err := ffmpeg(dir, append(slices.Clone(src[:4]),
		"-vf", "fps=1,scale=80:45,tile=2x1", "-frames:v", "1", "storyboard/sprite_000.jpg")...); err != nil {
		return err
	}
	if err := ffmpeg(dir, append(slices.Clone(src),
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart", "downloads/180p.mp4")...); err != nil {
		return err
	}
	texts := map[string]string{
		"storyboard/storyboard.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nsprite_000.jpg#xywh=0,0,80,45\n\n" +
			"00:00:01.000 --> 00:00:02.000\nsprite_000.jpg#xywh=80,0,80,45\n",
		"subtitles/en.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello\n",
		"subtitles/en.srt": "1\n00:00:00,000 --> 00:00:02,000\nHello\n",
		"subtitles/en.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXTINF:2.000,\nen.vtt\n#EXT-X-ENDLIST\n",
		// A rendition still being encoded: an EVENT playlist, no ENDLIST.
		"hls/live/index.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:EVENT\n" +
			"#EXTINF:1.000,\n../180p/seg_00000.ts\n",
	}
	for name, text := range texts {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fixtureFile returns the bytes of the fixture's file at rest.
func fixtureFile(t *testing.T, rest string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mediaFixture(t), filepath.FromSlash(rest)))
	require.NoError(t, err)
	return b
}

// backend names where an env keeps its media and how S3 is served.
type backend string

const (
	local      backend = "local"
	s3Proxy    backend = "s3-proxy"
	s3Redirect backend = "s3-redirect"
)

// env is a delivery handler behind a real HTTP server, over a real bucket
// holding the fixture for three videos, one of each privacy.
type env struct {
	url    string // the server's base URL
	signer *auth.Signer
	bucket storage.Bucket
	root   string // the local bucket's directory; "" on S3
	reg    *prometheus.Registry

	public, unlisted, private, unknown uuid.UUID

	mu       sync.Mutex
	privacy  map[uuid.UUID]string
	rotated  map[uuid.UUID]string // public ids that replaced publicIDOf's
	lookups  map[uuid.UUID]int
	lookErr  error
	paths    []string // request paths the server saw, in order
	lookupsN atomic.Int64
	resolves atomic.Int64 // calls of resolvePublicID
}

// newEnv starts an env on backend b; edit adjusts the handler's config.
func newEnv(t *testing.T, b backend, edit ...func(*delivery.Config)) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{
		public: uuid.New(), unlisted: uuid.New(), private: uuid.New(), unknown: uuid.New(),
		lookups: map[uuid.UUID]int{},
		reg:     prometheus.NewRegistry(),
	}
	e.privacy = map[uuid.UUID]string{
		e.public: delivery.PrivacyPublic, e.unlisted: delivery.PrivacyUnlisted, e.private: delivery.PrivacyPrivate,
	}
	signer, err := auth.NewSigner([][]byte{[]byte(rand.Text() + rand.Text())})
	require.NoError(t, err)
	e.signer = signer

	switch b {
	case local:
		e.root = t.TempDir()
		l, err := storage.NewLocal(e.root)
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		e.bucket = l
	case s3Proxy, s3Redirect:
		srv := miniotest.Start(t)
		s, err := storage.NewS3(ctx, storage.S3Config{
			Endpoint: srv.Endpoint, Bucket: srv.BucketName(t), AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		})
		require.NoError(t, err)
		e.bucket = s
	default:
		t.Fatalf("unknown backend %q", b)
	}
	dir := mediaFixture(t)
	for _, id := range []uuid.UUID{e.public, e.unlisted, e.private} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			return e.bucket.PutFile(ctx, "videos/"+id.String()+"/"+filepath.ToSlash(rel), p, "")
		})
		require.NoError(t, err)
	}

	cfg := delivery.Config{
		Bucket:          e.bucket,
		Signer:          signer,
		Lookup:          e.lookup,
		Registerer:      e.reg,
		ResolvePublicID: e.resolvePublicID,
		Logger:          testLogger(t),
	}
	if b == s3Redirect {
		cfg.S3Mode = delivery.ModeRedirect
	}
	for _, f := range edit {
		f(&cfg)
	}
	h, err := delivery.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.paths = append(e.paths, r.URL.Path)
		e.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// lookup is the env's delivery.LookupFunc. Each video's public id is
// publicIDOf.
func (e *env) lookup(ctx context.Context, id uuid.UUID) (delivery.VideoState, error) {
	e.lookupsN.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lookups[id]++
	if e.lookErr != nil {
		return delivery.VideoState{}, e.lookErr
	}
	p, ok := e.privacy[id]
	if !ok {
		return delivery.VideoState{}, fmt.Errorf("video %s: %w", id, delivery.ErrNoVideo)
	}
	pid, ok := e.rotated[id]
	if !ok {
		pid = publicIDOf(id)
	}
	return delivery.VideoState{Privacy: p, PublicID: pid}, nil
}

// resolvePublicID is the env's delivery.ResolvePublicIDFunc: the video
// whose current public id (publicIDOf, or the one that replaced it) is
// pid.
func (e *env) resolvePublicID(ctx context.Context, pid string) (uuid.UUID, error) {
	e.resolves.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lookErr != nil {
		return uuid.Nil, e.lookErr
	}
	for id := range e.privacy {
		cur, ok := e.rotated[id]
		if !ok {
			cur = publicIDOf(id)
		}
		if cur == pid {
			return id, nil
		}
	}
	return uuid.Nil, fmt.Errorf("public id %s: %w", pid, delivery.ErrNoVideo)
}

// publicIDOf is the public id the env gives video id: 22 base64url
// characters derived from it.
func publicIDOf(id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString(id[:])
}

func (e *env) lookupsOf(id uuid.UUID) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lookups[id]
}

func (e *env) seenPaths() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.paths)
}

// pub is the public URL of rest of video id.
func (e *env) pub(id uuid.UUID, rest string) string {
	return e.url + publicPrefix(id) + rest
}

// unl is a URL of rest of video id under its public id (publicIDOf).
func (e *env) unl(id uuid.UUID, rest string) string {
	return e.url + unlistedPrefix(id) + rest
}

// signed is a URL of rest of video id signed to expire in ttl.
func (e *env) signed(id uuid.UUID, ttl time.Duration, rest string) string {
	return e.url + signedPrefix(e.signer, id, time.Now().Add(ttl)) + rest
}

// response is a finished HTTP exchange.
type response struct {
	*http.Response
	body []byte
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// do sends method to url with header pairs ("Range", "bytes=0-1", ...).
func do(t *testing.T, method, url string, header ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Response: resp, body: body}
}

func get(t *testing.T, url string, header ...string) response {
	t.Helper()
	return do(t, http.MethodGet, url, header...)
}

// counter returns the value of the counter name with labels (pairs) in
// reg, 0 when absent.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// errLookup is a lookup failure that is not "no such video".
var errLookup = errors.New("database is down")

// testLogger sends the handler's log to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// contains reports whether b holds s.
func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// serve runs one request through h in process.
func serve(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// publicPrefix is the public URL path of video id's media, with a
// trailing slash: append an object's path relative to the video.
func publicPrefix(id uuid.UUID) string { return layout.PublicPath(id) + "/" }

// unlistedPrefix is the media path of video id under the public id the
// env gives it first (publicIDOf), with a trailing slash.
func unlistedPrefix(id uuid.UUID) string { return layout.UnlistedPath(publicIDOf(id), id) + "/" }

// signedPrefix is publicPrefix signed with s until expires.
func signedPrefix(s *auth.Signer, id uuid.UUID, expires time.Time) string {
	_, p := delivery.SignedPath(s, id, expires)
	return p + "/"
}
