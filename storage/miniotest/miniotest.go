// Package miniotest runs a real MinIO server for tests: one per test
// process, on 127.0.0.1, with random credentials and a temporary data
// directory, killed when the tests end. Each test takes its own bucket name.
//
// Wire it up once per package:
//
//	func TestMain(m *testing.M) { miniotest.Main(m) }
//
// then, in a test:
//
//	srv := miniotest.Start(t)
//	bucket := srv.BucketName(t)
//
// The server binary comes from $CLIPCUT_MINIO_BIN, else
// <repo>/.tools/bin/minio (installed by `make test-deps`), else minio on
// PATH. A missing binary fails the test: storage code is never tested
// against a mock.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/clipcut/clipcut/storage"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a running MinIO server.
type Server struct {
	// Endpoint is the server's host:port on 127.0.0.1. It speaks plain
	// HTTP.
	Endpoint string
	// AccessKey and SecretKey are the root credentials, random per process.
	AccessKey string
	SecretKey string

	cmd    *exec.Cmd
	dir    string
	done   chan struct{} // closed when the process has exited
	output *tailBuffer
}

const (
	// startTimeout bounds the wait for the server to report healthy.
	startTimeout = 60 * time.Second
	// stopTimeout bounds the wait for the killed process to exit.
	stopTimeout = 10 * time.Second
	// startAttempts covers losing a race for a free port.
	startAttempts = 3
)

var (
	inMain  atomic.Bool
	mu      sync.Mutex
	shared  *Server
	sharedE error
	started bool
	buckets atomic.Int64
)

// Main runs the tests of m, then stops the server if a test started it, and
// exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main without the exit, to combine with other test setups (for
// example storetest.Run): it runs m, stops the server and returns the
// status.
func Run(m interface{ Run() int }) int {
	inMain.Store(true)
	code := m.Run()
	mu.Lock()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "miniotest:", err)
		}
		shared = nil
	}
	mu.Unlock()
	return code
}

// Start returns the process's MinIO server, starting it on first use. It
// fails the test when the server cannot run, when no binary is installed
// (run `make test-deps`), or when TestMain does not call Main, which is
// what stops the server.
func Start(t testing.TB) *Server {
	t.Helper()
	if !inMain.Load() {
		t.Fatal("miniotest: call miniotest.Main(m) from this package's TestMain, so the MinIO server is stopped when the tests end")
	}
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		shared, sharedE = start()
	}
	if sharedE != nil {
		t.Fatal(sharedE)
	}
	return shared
}

// StorageConfig returns the clipcut storage settings of a bucket of its
// own on this server, for tests that run clipcut's code against S3.
func (s *Server) StorageConfig(t testing.TB) storage.Config {
	return storage.Config{S3Endpoint: s.Endpoint, S3Bucket: s.BucketName(t), S3AccessKey: s.AccessKey, S3SecretKey: s.SecretKey}
}

// URL is the server's base URL.
func (s *Server) URL() string {
	return "http://" + s.Endpoint
}

// BucketName returns a bucket name no other test of this process gets,
// derived from the test's name for easier debugging. The bucket itself is
// not created.
func (s *Server) BucketName(t testing.TB) string {
	n := buckets.Add(1)
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(t.Name()) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	name := fmt.Sprintf("t%04d-%s", n, b.String())
	if len(name) > 63 {
		name = name[:63]
	}
	return strings.TrimRight(name, "-")
}

// start launches a server, retrying when another process takes one of the
// chosen ports first.
func start() (*Server, error) {
	bin, err := findBinary()
	if err != nil {
		return nil, err
	}
	var errs []error
	for range startAttempts {
		s, err := startOnce(bin)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("miniotest: MinIO did not start: %w", errors.Join(errs...))
}

// findBinary locates the MinIO server binary.
func findBinary() (string, error) {
	if bin := os.Getenv("CLIPCUT_MINIO_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("miniotest: CLIPCUT_MINIO_BIN: %w", err)
		}
		return bin, nil
	}
	if root, ok := moduleRoot(); ok {
		bin := filepath.Join(root, ".tools", "bin", "minio")
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	}
	if bin, err := exec.LookPath("minio"); err == nil {
		return bin, nil
	}
	return "", errors.New("miniotest: no MinIO server binary: run `make test-deps` to install it into .tools/bin, " +
		"or set CLIPCUT_MINIO_BIN to a minio binary")
}

// moduleRoot finds the directory holding go.mod, walking up from the
// working directory (a test runs in its package's directory).
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// startOnce launches the server on fresh ports and waits until it is
// healthy.
func startOnce(bin string) (_ *Server, err error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	consoleAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "clipcut-minio-")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint:  addr,
		AccessKey: "clipcut-" + strings.ToLower(rand.Text()[:12]),
		SecretKey: rand.Text(),
		dir:       dir,
		done:      make(chan struct{}),
		output:    &tailBuffer{max: 16 << 10},
	}
	s.cmd = exec.Command(bin, "server", filepath.Join(dir, "data"),
		"--address", addr,
		"--console-address", consoleAddr,
		// Our own certs dir, so TLS certificates in ~/.minio/certs do not
		// switch the server to HTTPS.
		"--certs-dir", filepath.Join(dir, "certs"),
	)
	s.cmd.Env = append(environWithoutMinIO(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("miniotest: start %s: %w", bin, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	if err := s.waitHealthy(); err != nil {
		return nil, fmt.Errorf("%w\nMinIO output:\n%s", err, s.output.String())
	}
	return s, nil
}

// waitHealthy waits until the server answers S3 requests, the process
// exits, or startTimeout passes. The health endpoints answer 200 a moment
// before the object layer is ready (requests then fail with 503 "Server not
// initialized yet"), so the last check is an anonymous ListBuckets, which
// a ready server refuses with 403.
func (s *Server) waitHealthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	checks := []struct {
		path string
		ok   func(status int) bool
	}{
		{"/minio/health/live", func(status int) bool { return status == http.StatusOK }},
		{"/minio/health/ready", func(status int) bool { return status == http.StatusOK }},
		{"/", func(status int) bool { return status != http.StatusServiceUnavailable }},
	}
	for _, c := range checks {
		for {
			if status := getStatus(ctx, client, s.URL()+c.path); status != 0 && c.ok(status) {
				break
			}
			select {
			case <-s.done:
				return fmt.Errorf("MinIO on %s exited during startup: %s", s.Endpoint, s.cmd.ProcessState)
			case <-ctx.Done():
				return fmt.Errorf("MinIO on %s not ready (GET %s) after %s", s.Endpoint, c.path, startTimeout)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// getStatus returns the status of a GET of url, or 0 when there is no
// answer.
func getStatus(ctx context.Context, client *http.Client, url string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stop kills the server, waits for it to exit and removes its data.
func (s *Server) stop() error {
	// The data is throwaway: no need for a graceful shutdown.
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill MinIO (pid %d): %w", s.cmd.Process.Pid, err)
	}
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		return fmt.Errorf("MinIO (pid %d) still running %s after kill", s.cmd.Process.Pid, stopTimeout)
	}
	return os.RemoveAll(s.dir)
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("miniotest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// environWithoutMinIO is the environment minus MINIO_* settings, which
// could change how the server behaves.
func environWithoutMinIO() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") {
			env = append(env, kv)
		}
	}
	return env
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
