// Package instance runs clipcut as a separate process for the benchmarks
// and talks to it the way integrators do: GraphQL over HTTP, tus uploads,
// the REST status endpoint. It owns nothing of clipcut itself; every
// benchmark that needs a running clipcut (the pipeline today, GraphQL,
// subscriptions and uploads later) starts one here.
package instance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Build compiles clipcut from the module at moduleDir into out, the way
// the design says it builds: go build -o out ./server.
func Build(ctx context.Context, moduleDir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./server")
	cmd.Dir = moduleDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build clipcut: %w\n%s", err, b)
	}
	return nil
}

// Options configure a clipcut process.
type Options struct {
	// Binary is the clipcut executable.
	Binary string
	// DataDir is CLIPCUT_DATA_DIR: the private Postgres cluster and local
	// media live there. When clipcut runs as root its cluster runs as the
	// postgres user, who must be able to traverse the directory and its
	// parents (0755 under /tmp).
	DataDir string
	// Env adds CLIPCUT_* settings (for example CLIPCUT_X264_PRESET=fast).
	Env []string
	// LogPath receives clipcut's log (stderr and stdout).
	LogPath string
	// ReadyTimeout bounds the start-up, including initdb on a first start
	// (default 2 minutes).
	ReadyTimeout time.Duration
	// Mode is the subcommand: serve (the default), api or worker. A worker
	// answers only /health, /ready and /metrics; give it the DATABASE_URL
	// of an api or serve instance's private cluster in Env (see
	// [Instance.DatabaseURL]) and the same DataDir, so that local media
	// and upload bytes are shared.
	Mode string
}

// Instance is a running `clipcut serve`.
type Instance struct {
	// URL is the base URL, http://127.0.0.1:<port>.
	URL string

	dataDir string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{}
	waitErr error
}

// Start runs `clipcut serve` (or opts.Mode) on a free loopback port with
// no DATABASE_URL unless opts.Env sets one (so it starts its own Postgres
// under DataDir) and waits until /ready answers 200.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Minute
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(opts.LogPath)
	if err != nil {
		return nil, fmt.Errorf("clipcut log: %w", err)
	}
	// Not CommandContext: stopping is Stop's job, with SIGTERM and a wait,
	// so the private Postgres shuts down cleanly.
	mode := opts.Mode
	if mode == "" {
		mode = "serve"
	}
	cmd := exec.Command(opts.Binary, mode)
	cmd.Dir = opts.DataDir
	cmd.Env = append(cleanEnv(),
		"CLIPCUT_DATA_DIR="+opts.DataDir,
		"CLIPCUT_ADDR="+addr,
	)
	cmd.Env = append(cmd.Env, opts.Env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start clipcut: %w", err)
	}
	in := &Instance{URL: "http://" + addr, dataDir: opts.DataDir, cmd: cmd, logPath: opts.LogPath, logFile: logFile, done: make(chan struct{})}
	go func() {
		in.waitErr = cmd.Wait()
		close(in.done)
	}()
	if err := in.waitReady(ctx, opts.ReadyTimeout); err != nil {
		_ = in.Stop(30 * time.Second)
		return nil, err
	}
	return in, nil
}

// DatabaseURL is the URL of the private Postgres cluster an instance
// started without DATABASE_URL runs under its DataDir (Unix socket, no
// password), for further processes on the same database.
func (in *Instance) DatabaseURL() string {
	dir := filepath.Join(in.dataDir, "pg")
	socketDir := filepath.Join(dir, "run")
	// store/pgcluster's rule: a socket path too long for Unix sockets moves
	// to a short directory derived from the data directory.
	if len(socketDir)+len("/.s.PGSQL.5432") > 100 {
		sum := sha256.Sum256([]byte(dir))
		socketDir = filepath.Join(os.TempDir(), "clipcut-pg-"+hex.EncodeToString(sum[:6]))
	}
	return "postgres://clipcut@/clipcut?sslmode=disable&host=" + url.QueryEscape(socketDir)
}

// Pid is the clipcut process id.
func (in *Instance) Pid() int { return in.cmd.Process.Pid }

// LogPath is the file clipcut logs to (Options.LogPath).
func (in *Instance) LogPath() string { return in.logPath }

// LogTail is the last n lines of clipcut's log, for error messages,
// leaving out the access log (a benchmark's polling would fill it).
func (in *Instance) LogTail(n int) string {
	b, err := os.ReadFile(in.logPath)
	if err != nil {
		return ""
	}
	var lines []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		if !strings.Contains(line, `msg="http request"`) && !strings.Contains(line, `"msg":"http request"`) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (in *Instance) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+"/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-in.done:
			return fmt.Errorf("clipcut exited before it was ready: %v\n%s", in.waitErr, in.LogTail(20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("clipcut not ready within %s\n%s", timeout, in.LogTail(20))
}

// Stop sends SIGTERM and waits up to timeout for clipcut (and with it its
// private Postgres) to exit, then kills it. It reports a non-zero exit.
func (in *Instance) Stop(timeout time.Duration) error {
	defer in.logFile.Close()
	select {
	case <-in.done:
		return in.exitError()
	default:
	}
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop clipcut: %w", err)
	}
	select {
	case <-in.done:
		return in.exitError()
	case <-time.After(timeout):
		_ = in.cmd.Process.Kill()
		<-in.done
		return fmt.Errorf("clipcut did not stop within %s after SIGTERM; killed\n%s", timeout, in.LogTail(20))
	}
}

func (in *Instance) exitError() error {
	if in.waitErr != nil {
		return fmt.Errorf("clipcut exited: %w\n%s", in.waitErr, in.LogTail(20))
	}
	return nil
}

// cleanEnv is the harness's environment without settings that would
// change what is measured (a DATABASE_URL would skip the private
// Postgres, stray CLIPCUT_* variables would change the configuration).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "CLIPCUT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// TraversableDir makes a fresh directory under parent that any user can
// traverse (0755), for CLIPCUT_DATA_DIR.
func TraversableDir(parent, pattern string) (string, error) {
	dir, err := os.MkdirTemp(parent, pattern)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	for p := parent; p != "/" && p != "."; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		if fi.Mode().Perm()&0o005 != 0o005 {
			return "", fmt.Errorf("%s (mode %v) is not traversable by other users; clipcut's private Postgres could not reach %s", p, fi.Mode().Perm(), dir)
		}
	}
	return dir, nil
}

// Client calls one clipcut instance as one signed-in user.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// Client returns an anonymous client; SignUp signs it in.
func (in *Instance) Client() *Client {
	return &Client{base: in.URL, http: &http.Client{Timeout: 5 * time.Minute}}
}

// Token is the bearer token after SignUp.
func (c *Client) Token() string { return c.token }

func (c *Client) newRequest(ctx context.Context, method, url string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

func readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Errorf("%s %s: %s: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, bytes.TrimSpace(b))
}
