package pgcluster

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A cluster stopped uncleanly (its postmaster SIGKILLed, the machine or
// container gone) leaves postmaster.pid behind, and a socket lock file
// naming the same PID. PostgreSQL starts over such files only when that
// PID no longer exists; pg_ctl status likewise calls the cluster running
// while the PID answers kill(pid, 0). A PID answers when it is a zombie
// (an init that reaps no orphans keeps a dead postmaster as one) or when
// another program got the number after a restart, which in a container
// with few processes is likely. inspectPidFile tells those apart.

// inspectPidFile reads the data directory's postmaster.pid. It returns the
// PID it names (0 when there is no pid file) and, when that PID is not a
// running postmaster of this data directory, why: the file is stale.
func (c *Cluster) inspectPidFile() (pid int, stale string) {
	pid, err := lockFilePID(filepath.Join(c.opts.Dir, "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, ""
	}
	if err != nil {
		return 0, err.Error()
	}
	return pid, staleReason(pid, c.opts.Dir)
}

// removeStaleLockFiles removes postmaster.pid and the socket lock file
// when it names the same dead postmaster, or another stale process.
func (c *Cluster) removeStaleLockFiles(pid int) error {
	pidFile := filepath.Join(c.opts.Dir, "postmaster.pid")
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("postgres: remove stale %s: %w", pidFile, err)
	}
	locks, _ := filepath.Glob(filepath.Join(c.socketDir, ".s.PGSQL.*.lock"))
	for _, lock := range locks {
		lockPID, err := lockFilePID(lock)
		if err == nil && lockPID != pid && staleReason(lockPID, c.opts.Dir) == "" {
			continue // a live postmaster of this data directory: leave it to PostgreSQL
		}
		if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("postgres: remove stale %s: %w", lock, err)
		}
	}
	return nil
}

// lockFilePID returns the PID on the first line of a PostgreSQL lock file.
func lockFilePID(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s names no process (%q)", filepath.Base(path), strings.TrimSpace(line))
	}
	return pid, nil
}

// staleReason says why pid is not a running postmaster of dataDir, or ""
// when it may be one. Where /proc cannot tell (another system, no
// permission), the process is given the benefit of the doubt.
func staleReason(pid int, dataDir string) string {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return "the process is gone"
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && procMounted() {
			return "the process is gone"
		}
		return ""
	}
	// pid (comm) state ...; comm may hold spaces and parentheses.
	s := string(stat)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return ""
	}
	comm, fields := s[open+1:end], strings.Fields(s[end+1:])
	if len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X") {
		return "the process is a zombie (a dead postmaster nobody reaped)"
	}
	if comm != "postgres" {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || filepath.Base(exe) != "postgres" {
			return fmt.Sprintf("the PID now belongs to another program (%s)", comm)
		}
	}
	// A postmaster works in its data directory.
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && !sameDir(cwd, dataDir) {
		return "the PID now belongs to a PostgreSQL of another data directory (" + cwd + ")"
	}
	return ""
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

func sameDir(a, b string) bool {
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(ai, bi)
}
