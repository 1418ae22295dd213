package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// buildBinary compiles clipcut once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "clipcut-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "clipcut")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// traversableTempDir is a temp dir the postgres user can reach (tests may
// run as root, when the private cluster runs as postgres).
func traversableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "clipcut-serve-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type process struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan error
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func startClipcut(t *testing.T, dir string, env ...string) *process {
	t.Helper()
	return startClipcutMode(t, dir, "serve", env...)
}

func startClipcutMode(t *testing.T, dir, mode string, env ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	require.NoError(t, err)
	p := &process{addr: freeAddr(t), done: make(chan error, 1)}
	p.cmd = exec.Command(bin, mode)
	p.cmd.Dir = dir
	p.cmd.Env = append(filteredEnv(), append([]string{"CLIPCUT_ADDR=" + p.addr}, env...)...)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				_ = p.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("clipcut log:\n%s", p.log())
		}
	})
	return p
}

// filteredEnv is the test's environment without settings that would
// change what is under test.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "CLIPCUT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (p *process) get(t *testing.T, path string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+p.addr+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *process) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if code, _ := p.get(t, "/ready"); code == http.StatusOK {
			return
		}
		select {
		case err := <-p.done:
			t.Fatalf("clipcut exited before ready: %v\n%s", err, p.log())
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("clipcut not ready within 3 minutes\n%s", p.log())
}

func (p *process) graphql(t *testing.T, query string, header ...string) (map[string]any, http.Header) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, "http://"+p.addr+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out, resp.Header
}

func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		require.NoError(t, err, "clipcut exits 0 after SIGTERM\n%s", p.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("clipcut did not stop within 60s\n%s", p.log())
	}
}

func TestServeRunsItsOwnPostgresAndStopsItCleanly(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir)
	p.waitReady(t)

	code, body := p.get(t, "/ready")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"ok","checks":{"database":"ok","migrations":"ok","storage":"ok","startup":"ok"}}`, body)
	code, body = p.get(t, "/graphql", "Accept", "text/html")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "GraphiQL", "browsers get GraphiQL at /graphql")
	code, body = p.get(t, "/metrics")
	require.Equal(t, http.StatusOK, code)
	require.True(t, strings.Contains(body, "clipcut_http_requests_total"), "HTTP metrics exported")
	require.True(t, strings.Contains(body, `clipcut_job_queue_depth{queue="default",state="available"}`), "queue depth exported")

	// Sign up; use the session as cookie and as bearer token.
	out, hdr := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := out["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	require.Contains(t, hdr.Get("Set-Cookie"), "clipcut_session="+token)
	require.Contains(t, hdr.Get("Set-Cookie"), "HttpOnly")
	out, _ = p.graphql(t, `{ me { name } }`, "Cookie", "clipcut_session="+token)
	require.Equal(t, "Ada", out["data"].(map[string]any)["me"].(map[string]any)["name"])
	out, _ = p.graphql(t, `{ me { email } }`, "Authorization", "Bearer "+token)
	require.Equal(t, "ada@example.com", out["data"].(map[string]any)["me"].(map[string]any)["email"])

	pgDir := filepath.Join(dir, "var", "pg")
	require.FileExists(t, filepath.Join(pgDir, "postmaster.pid"))
	p.stop(t)
	require.NoFileExists(t, filepath.Join(pgDir, "postmaster.pid"), "the private cluster shut down")
	require.Contains(t, p.log(), "stopping private PostgreSQL cluster")

	// A second start reuses the same data.
	p2 := startClipcut(t, dir)
	p2.waitReady(t)
	out, _ = p2.graphql(t, `{ me { name } }`, "Authorization", "Bearer "+token)
	require.Equal(t, "Ada", out["data"].(map[string]any)["me"].(map[string]any)["name"], "accounts and sessions survive a restart")
	p2.stop(t)
	require.NoFileExists(t, filepath.Join(pgDir, "postmaster.pid"))
}

func TestServeWithUnreachableDatabaseSaysSoAndIsNotReady(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	dead := freeAddr(t) // nothing listens here
	p := startClipcut(t, dir, "DATABASE_URL=postgres://clipcut@"+dead+"/clipcut?connect_timeout=2")
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.log(), "database unreachable") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Contains(t, p.log(), "database unreachable")
	code, body := p.get(t, "/ready")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, `"database":"unreachable"`)
	code, _ = p.get(t, "/health")
	require.Equal(t, http.StatusOK, code, "alive while waiting for the database")

	time.Sleep(2 * time.Second)
	require.Equal(t, 1, strings.Count(p.log(), "database unreachable"), "said once, not on every retry:\n%s", p.log())
	p.stop(t)
}
