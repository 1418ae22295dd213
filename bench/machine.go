package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the figures were measured.
type Machine struct {
	CPU      string
	Cores    int
	Memory   string
	Kernel   string
	FFmpeg   string
	Go       string
	Postgres string
	// Load is the 1-minute load average when the harness started, before
	// it ran anything: what else the machine was doing.
	Load string
}

// Short is the one-line description each section carries.
func (m Machine) Short() string {
	return fmt.Sprintf("%s, %d cores, %s RAM, Linux %s", m.CPU, m.Cores, m.Memory, m.Kernel)
}

func describeMachine(ctx context.Context, ffmpeg string) Machine {
	m := Machine{
		Load:     loadAverage(),
		CPU:      cpuModel(),
		Cores:    runtime.NumCPU(),
		Memory:   memTotal(),
		Kernel:   firstLine("/proc/sys/kernel/osrelease"),
		Go:       runtime.Version(),
		FFmpeg:   "unknown",
		Postgres: "unknown",
	}
	if out, err := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-version").Output(); err == nil {
		// "ffmpeg version 5.1.6-0+deb12u1 Copyright ..."
		if f := strings.Fields(string(out)); len(f) >= 3 {
			m.FFmpeg = f[2]
		}
	}
	m.Postgres = postgresVersion(ctx)
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kib, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				break
			}
			return fmt.Sprintf("%.1f GiB", kib/(1<<20))
		}
	}
	return "unknown"
}

// postgresVersion is the newest server in /usr/lib/postgresql, where
// clipcut looks first for its private cluster.
func postgresVersion(ctx context.Context) string {
	entries, err := os.ReadDir("/usr/lib/postgresql")
	if err != nil || len(entries) == 0 {
		return "unknown"
	}
	bin := "/usr/lib/postgresql/" + entries[len(entries)-1].Name() + "/bin/postgres"
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "postgres (PostgreSQL)"))
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// loadAverage is the 1-minute load average: taken while the harness is
// idle, it says how much else is competing for the cores.
func loadAverage() string {
	f := strings.Fields(firstLine("/proc/loadavg"))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// Commit is the source tree measured.
type Commit struct {
	Hash  string `json:"hash"`
	Dirty bool   `json:"dirty"`
}

func (c Commit) String() string {
	if c.Dirty {
		return c.Hash + " + uncommitted changes"
	}
	return c.Hash
}

func gitCommit(ctx context.Context, dir string) Commit {
	c := Commit{Hash: "unknown"}
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--short=12", "HEAD")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		c.Hash = strings.TrimSpace(string(out))
	}
	cmd = exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil {
		c.Dirty = len(strings.TrimSpace(string(out))) > 0
	}
	return c
}
