package pgcluster

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestStartsAfterAnUncleanStop kills the private cluster's postmaster and
// starts the cluster again over what it left: a postmaster.pid naming a
// zombie, a PID that is gone, and a PID another program now has. Each time
// Start says so in one line, PostgreSQL runs crash recovery, and every
// committed row is there.
func TestStartsAfterAnUncleanStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The test process becomes the reaper of orphans, so that the
	// postmaster (which pg_ctl leaves orphaned) is its child: killed, it
	// stays a zombie until reaped here, as it does under an init that
	// reaps nothing; and nothing the test kills outlives it as a zombie.
	require.NoError(t, unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
	t.Cleanup(reapOrphans)

	dir, err := os.MkdirTemp("", "clipcut-pgcluster-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // the postgres user must reach it when tests run as root
	var logs syncBuffer
	opts := Options{Dir: filepath.Join(dir, "pg"), Ephemeral: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	c, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		if c != nil { // the last cluster Start returned
			_ = c.Stop(context.Background())
		}
	})
	exec1(ctx, t, c, "CREATE TABLE marks (label text PRIMARY KEY)")
	exec1(ctx, t, c, "INSERT INTO marks VALUES ('before')")

	// A live cluster is adopted, as before.
	c, err = Start(ctx, opts)
	require.NoError(t, err)
	require.Contains(t, logs.String(), "adopting a PostgreSQL cluster that was already running")

	// 1. The postmaster is SIGKILLed and stays a zombie.
	pidFile := filepath.Join(c.Dir(), "postmaster.pid")
	pm := killPostmaster(t, c)
	require.Eventually(t, func() bool { return procState(pm) == "Z" }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, syscall.Kill(pm, 0), "a zombie's PID answers kill(pid, 0)")
	require.FileExists(t, pidFile)
	logs.Reset()
	c, err = Start(ctx, opts)
	require.NoError(t, err, "start over a postmaster.pid naming a zombie")
	requireOneStaleLine(t, logs.String(), "zombie")
	require.Equal(t, []string{"before"}, marks(ctx, t, c))
	exec1(ctx, t, c, "INSERT INTO marks VALUES ('after zombie')")
	reap(pm)

	// 2. The postmaster is SIGKILLed and reaped: its PID is gone.
	pm = killPostmaster(t, c)
	require.Eventually(t, func() bool { return procState(pm) == "Z" }, 60*time.Second, 20*time.Millisecond)
	reap(pm)
	logs.Reset()
	c, err = Start(ctx, opts)
	require.NoError(t, err, "start over a postmaster.pid naming a PID that is gone")
	requireOneStaleLine(t, logs.String(), "gone")
	require.Equal(t, []string{"after zombie", "before"}, marks(ctx, t, c))

	// 3. After a clean stop, the lock files reappear naming a PID another
	// program has (a container restarted: PIDs are handed out anew).
	pidData, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	sockLock := filepath.Join(c.socketDir, ".s.PGSQL.5432.lock")
	lockData, err := os.ReadFile(sockLock)
	require.NoError(t, err)
	require.NoError(t, c.Stop(ctx))
	require.NoFileExists(t, pidFile)
	other := exec.Command("sleep", "120")
	require.NoError(t, other.Start())
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	require.NoError(t, os.WriteFile(pidFile, withPID(pidData, other.Process.Pid), 0o600))
	require.NoError(t, os.WriteFile(sockLock, withPID(lockData, other.Process.Pid), 0o600))
	if c.cred != nil {
		require.NoError(t, os.Chown(pidFile, int(c.cred.Uid), int(c.cred.Gid)))
		require.NoError(t, os.Chown(sockLock, int(c.cred.Uid), int(c.cred.Gid)))
	}
	logs.Reset()
	c, err = Start(ctx, opts)
	require.NoError(t, err, "start over lock files naming another program")
	requireOneStaleLine(t, logs.String(), "another program (sleep)")
	require.Equal(t, []string{"after zombie", "before"}, marks(ctx, t, c))
	require.NoError(t, other.Process.Signal(syscall.Signal(0)), "the other program was left alone")
	require.NoError(t, c.Stop(ctx))
}

// killPostmaster SIGKILLs c's postmaster, as a container kill or the OOM
// killer does, and returns its PID.
func killPostmaster(t *testing.T, c *Cluster) int {
	t.Helper()
	pid, err := lockFilePID(filepath.Join(c.Dir(), "postmaster.pid"))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	return pid
}

func requireOneStaleLine(t *testing.T, logs, reason string) {
	t.Helper()
	require.Equal(t, 1, strings.Count(logs, "postmaster.pid is stale"), "said once:\n%s", logs)
	require.Contains(t, logs, reason)
	require.NotContains(t, logs, "adopting")
}

func exec1(ctx context.Context, t *testing.T, c *Cluster, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, c.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	// The cluster runs without fsync; a synchronous commit still hands
	// the WAL to the kernel, which keeps it when PostgreSQL is killed.
	_, err = conn.Exec(ctx, "SET synchronous_commit = on")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, sql)
	require.NoError(t, err)
}

func marks(ctx context.Context, t *testing.T, c *Cluster) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx, c.URL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT label FROM marks ORDER BY label")
	require.NoError(t, err)
	labels, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return labels
}

// withPID replaces the PID on the first line of a lock file's contents.
func withPID(data []byte, pid int) []byte {
	_, rest, _ := bytes.Cut(data, []byte("\n"))
	return append([]byte(strconv.Itoa(pid)+"\n"), rest...)
}

// procState is the state letter of a process ("" when it is gone).
func procState(pid int) string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

func reap(pid int) {
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, 0, nil)
}

// reapOrphans stops being a subreaper and reaps every orphan that exited
// meanwhile (the killed postmasters' children).
func reapOrphans() {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and the test at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
