package main

// Shared by the graphql, subscriptions and uploads benchmarks: a clipcut
// on a Postgres cluster the harness starts itself (so that a baseline
// server can read the same database), and small baseline programs under
// bench/ built and run as separate processes.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/store/pgcluster"
)

// clipcutStack is a clipcut instance and the Postgres cluster it uses.
type clipcutStack struct {
	inst    *instance.Instance
	cluster *pgcluster.Cluster
	// DatabaseURL is the cluster's clipcut database, the one clipcut
	// uses (given to it as DATABASE_URL).
	DatabaseURL string
	logPath     string
	started     time.Duration
}

// startClipcutStack starts a private Postgres cluster under the scratch
// directory and `clipcut serve` on it with DATABASE_URL, so baselines can
// be pointed at the very same database. extraEnv adds CLIPCUT_* settings.
func startClipcutStack(ctx context.Context, env *Env, name string, extraEnv ...string) (*clipcutStack, error) {
	bin, err := env.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	dataDir, err := instance.TraversableDir(env.Work, name+"-data-")
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "pg"), Logger: env.Logger.With("component", "postgres")})
	if err != nil {
		return nil, fmt.Errorf("start Postgres: %w", err)
	}
	logPath := filepath.Join(env.Work, name+"-clipcut.log")
	inst, err := instance.Start(ctx, instance.Options{
		Binary:  bin,
		DataDir: dataDir,
		Env:     append([]string{"DATABASE_URL=" + cluster.URL()}, extraEnv...),
		LogPath: logPath,
	})
	if err != nil {
		_ = cluster.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	s := &clipcutStack{inst: inst, cluster: cluster, DatabaseURL: cluster.URL(), logPath: logPath, started: time.Since(t0)}
	env.Logger.Info("clipcut started", "benchmark", name, "url", inst.URL, "pid", inst.Pid(), "took", s.started.Round(time.Millisecond).String(), "log", logPath)
	return s, nil
}

// stop stops clipcut, then the cluster; it returns a note for the report
// when something did not stop cleanly.
func (s *clipcutStack) stop(ctx context.Context) string {
	var problems []error
	if err := s.inst.Stop(time.Minute); err != nil {
		problems = append(problems, err)
	}
	if err := s.cluster.Stop(context.WithoutCancel(ctx)); err != nil {
		problems = append(problems, err)
	}
	if err := errors.Join(problems...); err != nil {
		return "clipcut or its Postgres did not stop cleanly: " + err.Error()
	}
	return ""
}

// withClipcutStack starts a stack (startClipcutStack), runs measure on it
// and stops it: a failed measurement's error ends with the tail of
// clipcut's log, and a stack that did not stop cleanly adds a note to the
// section.
func withClipcutStack(ctx context.Context, env *Env, name string, extraEnv []string, measure func(*clipcutStack) (*Section, error)) (*Section, error) {
	st, err := startClipcutStack(ctx, env, name, extraEnv...)
	if err != nil {
		return nil, err
	}
	section, runErr := measure(st)
	note := st.stop(ctx)
	if runErr != nil {
		return nil, fmt.Errorf("%w\nclipcut log (%s) ends:\n%s", runErr, st.logPath, st.inst.LogTail(20))
	}
	if note != "" {
		section.Notes = append(section.Notes, note)
	}
	return section, nil
}

// buildBaseline compiles the program in bench/<dir> into the scratch
// directory.
func buildBaseline(ctx context.Context, env *Env, dir string) (string, error) {
	out := filepath.Join(env.Work, "bin", filepath.Base(dir))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./bench/"+dir)
	cmd.Dir = env.Module
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bench/%s: %w\n%s", dir, err, b)
	}
	return out, nil
}

// baselineServer is a baseline server running as its own process.
type baselineServer struct {
	URL     string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// startBaselineServer runs bin with -addr <free loopback port> and args,
// and waits until GET /healthz answers 200.
func startBaselineServer(ctx context.Context, env *Env, bin string, args ...string) (*baselineServer, error) {
	addr, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(env.Work, filepath.Base(bin)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"-addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setParentDeath(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	h := &baselineServer{URL: "http://" + addr, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		h.waitErr = cmd.Wait()
		logFile.Close()
		close(h.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return h, nil
			}
		}
		select {
		case <-h.done:
			return nil, fmt.Errorf("%s exited: %v\n%s", bin, h.waitErr, fileTail(logPath, 10))
		case <-ctx.Done():
			h.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			h.stop()
			return nil, fmt.Errorf("%s did not answer /healthz within 30s\n%s", bin, fileTail(logPath, 10))
		}
	}
}

// Pid is the server's process id.
func (h *baselineServer) Pid() int { return h.cmd.Process.Pid }

func (h *baselineServer) stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.done
	}
}

func freeLoopbackPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func fileTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// rssBytes is a process's resident set size (VmRSS in /proc/<pid>/status).
func rssBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseVmRSS(f)
}

// parseVmRSS finds "VmRSS:   123456 kB" in a /proc/<pid>/status.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("VmRSS: unexpected %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmRSS: %w", err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS line")
}

// nearestRank is the p-th nearestRank (0–100) of sorted xs, nearest rank.
func nearestRank(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// ratioGoal is a goal on a ratio: met when ratio is at least (atLeast)
// or at most (!atLeast) target.
func ratioGoal(figure string, ratio, target float64, atLeast bool, measured string) Goal {
	g := Goal{Figure: figure, Measured: measured, Status: Met}
	if atLeast {
		g.Target = fmt.Sprintf("≥ %.2g×", target)
		if ratio < target {
			g.Status = Missed
		}
	} else {
		g.Target = fmt.Sprintf("≤ %.2g×", target)
		if ratio > target {
			g.Status = Missed
		}
	}
	return g
}
