package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidCPU is the user+system CPU time a process has used
// (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms).
func pidCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(b), false)
}

// parseProcStatCPU reads utime+stime (and with reaped, cutime+cstime:
// the children it has waited for) from a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted after its closing parenthesis.
func parseProcStatCPU(stat string, reaped bool) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat: no command name in %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime 15.
	if len(f) < 15 {
		return 0, fmt.Errorf("proc stat: short line %q", stat)
	}
	fields := f[11:13]
	if reaped {
		fields = f[11:15]
	}
	var ticks int64
	for _, s := range fields {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// clusterCPU is the CPU time used by a cluster's postmaster and every
// process it started (backends, walwriter, ...), found through the
// cluster's postmaster.pid. Processes that have exited are not counted;
// the benchmarks keep their connections open, so their backends live
// through a measurement.
func clusterCPU(dataDir string) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	master, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	// The postmaster's own time plus, through cutime and cstime, that of
	// every backend it has reaped: a connection closed during the run
	// still counts.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", master))
	if err != nil {
		return 0, err
	}
	total, err := parseProcStatCPU(string(stat), true)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if statPPID(string(stat)) != master {
			continue
		}
		if cpu, err := parseProcStatCPU(string(stat), false); err == nil {
			total += cpu
		}
	}
	return total, nil
}

// statPPID is field 4 of a /proc/<pid>/stat line, -1 if unreadable.
func statPPID(stat string) int {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 2 {
		return -1
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return n
}

// perfProfile records pid's on-CPU stacks with perf for as long as load
// runs, and returns `perf report` with children (cumulative) percentages,
// sorted by symbol, as text. ok is false when perf is missing or fails.
func perfProfile(ctx context.Context, pid int, out string, load func() error) (report string, ok bool, err error) {
	if _, lookErr := exec.LookPath("perf"); lookErr != nil {
		return "", false, load()
	}
	rec := exec.CommandContext(ctx, "perf", "record", "-F", "999", "-g", "-o", out, "-p", strconv.Itoa(pid))
	var recOut bytes.Buffer
	rec.Stdout, rec.Stderr = &recOut, &recOut
	if startErr := rec.Start(); startErr != nil {
		return "", false, load()
	}
	err = load()
	// perf writes its data when interrupted; its exit status then says
	// nothing useful, the report below does.
	_ = rec.Process.Signal(syscall.SIGINT)
	_ = rec.Wait()
	b, repErr := exec.CommandContext(ctx, "perf", "report", "-i", out, "--stdio", "--children",
		"--sort", "sym", "-g", "none", "--percent-limit", "2").Output()
	if repErr != nil {
		return "", false, err
	}
	return string(b), true, err
}

// perfEntry is one line of `perf report --children --sort sym`.
type perfEntry struct {
	Children, Self float64
	Symbol         string
}

// parsePerfChildren reads the lines "  52.10%     1.20%  clipcut  [.] net/http.(*conn).serve"
// (with or without the command column) of a perf report.
func parsePerfChildren(report string) []perfEntry {
	var out []perfEntry
	for line := range strings.SplitSeq(report, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasSuffix(f[0], "%") || !strings.HasSuffix(f[1], "%") {
			continue
		}
		c, err1 := strconv.ParseFloat(strings.TrimSuffix(f[0], "%"), 64)
		s, err2 := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
		i := slices.IndexFunc(f, func(s string) bool { return s == "[.]" || s == "[k]" })
		if err1 != nil || err2 != nil || i < 0 || i+1 >= len(f) {
			continue
		}
		sym := strings.Join(f[i+1:], " ")
		if f[i] == "[k]" {
			sym += " (kernel)"
		}
		out = append(out, perfEntry{Children: c, Self: s, Symbol: sym})
	}
	return out
}
