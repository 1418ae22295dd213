package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run reports.
type wrkResult struct {
	Requests int64
	Duration time.Duration
	// Bytes is what wrk read: headers and bodies.
	Bytes         int64
	RequestsPerS  float64
	P50, P99      time.Duration
	Non2xx        int64
	SocketErrors  int64
	TimeoutErrors int64
}

var (
	wrkTotalRE   = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGTP]?B) read`)
	wrkRateRE    = regexp.MustCompile(`(?m)^Requests/sec:\s+([\d.]+)`)
	wrkPctRE     = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$`)
	wrkNon2xxRE  = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)`)
	wrkSocketsRE = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk 4's report (run with --latency for the
// percentiles).
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := wrkTotalRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk: no \"N requests in T, B read\" line in its output:\n%s", lastLines(out, 5))
	}
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	d, err := wrkDuration(m[2], m[3])
	if err != nil {
		return r, err
	}
	r.Duration = d
	if r.Bytes, err = wrkBytes(m[4], m[5]); err != nil {
		return r, err
	}
	if m := wrkRateRE.FindStringSubmatch(out); m != nil {
		r.RequestsPerS, _ = strconv.ParseFloat(m[1], 64)
	} else if d > 0 {
		r.RequestsPerS = float64(r.Requests) / d.Seconds()
	}
	for _, m := range wrkPctRE.FindAllStringSubmatch(out, -1) {
		d, err := wrkDuration(m[2], m[3])
		if err != nil {
			return r, err
		}
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if m := wrkNon2xxRE.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkSocketsRE.FindStringSubmatch(out); m != nil {
		for i, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.SocketErrors += n
			if i == 3 {
				r.TimeoutErrors = n
			}
		}
	}
	return r, nil
}

// wrkDuration reads wrk's "12.34ms" (format_time_us: us, ms, s, m, h).
func wrkDuration(num, unit string) (time.Duration, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("wrk: duration %q%s: %w", num, unit, err)
	}
	scale := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	if scale == 0 {
		return 0, fmt.Errorf("wrk: duration unit %q", unit)
	}
	return time.Duration(v * float64(scale)), nil
}

// wrkBytes reads wrk's "1.23GB" (format_binary: powers of 1024).
func wrkBytes(num, unit string) (int64, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("wrk: size %q%s: %w", num, unit, err)
	}
	i := strings.Index("BKMGTP", unit[:1])
	if unit != "B" && (i < 1 || len(unit) != 2) {
		return 0, fmt.Errorf("wrk: size unit %q", unit)
	}
	for ; i > 0; i-- {
		v *= 1024
	}
	return int64(v), nil
}

// wrkScript is a wrk Lua script that requests paths in turn, each thread
// starting at a different place in the list.
func wrkScript(paths []string) string {
	var b strings.Builder
	b.WriteString("local paths = {\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "  %q,\n", p)
	}
	b.WriteString("}\n" +
		"local i = 0\n" +
		"function setup(thread)\n" +
		"  thread:set(\"start\", math.random(#paths))\n" +
		"end\n" +
		"function init(args)\n" +
		"  i = start or 0\n" +
		"end\n" +
		"function request()\n" +
		"  i = i % #paths + 1\n" +
		"  return wrk.format(\"GET\", paths[i])\n" +
		"end\n")
	return b.String()
}

// wrkLoad is one fixed load: wrk's threads and connections, for how long.
type wrkLoad struct {
	Threads     int
	Connections int
	Duration    time.Duration
}

// args is wrk's command line against base with script.
func (l wrkLoad) args(script, base string) []string {
	return []string{
		"-t", strconv.Itoa(l.Threads), "-c", strconv.Itoa(l.Connections),
		"-d", fmt.Sprintf("%ds", int(l.Duration.Seconds())), "--latency", "-s", script, base,
	}
}

// runWrk runs wrk as its own process and parses its report. A run with
// non-2xx answers or socket errors is an error: the figures would not
// count what they claim to.
func runWrk(ctx context.Context, load wrkLoad, script, base string) (wrkResult, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "wrk", load.args(script, base)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w: %s", err, lastLines(stderr.String()+stdout.String(), 5))
	}
	r, err := parseWrk(stdout.String())
	if err != nil {
		return r, err
	}
	if r.Non2xx > 0 || r.SocketErrors > 0 {
		return r, fmt.Errorf("wrk against %s: %d non-2xx answers, %d socket errors of %d requests", base, r.Non2xx, r.SocketErrors, r.Requests)
	}
	if r.Requests == 0 {
		return r, errors.New("wrk: no requests completed")
	}
	return r, nil
}

// procCPU is the CPU time (user+sys) the processes pids have used, from
// /proc/<pid>/stat (utime and stime, in USER_HZ ticks of 10 ms); their
// waited-for children are not counted.
func procCPU(pids []int) (time.Duration, error) {
	var ticks int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, err
		}
		f, err := statFields(string(b))
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		// Fields after the command: state is field 3, utime 14, stime 15.
		for _, i := range []int{14, 15} {
			n, err := strconv.ParseInt(f[i-3], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/stat field %d: %w", pid, i, err)
			}
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// statFields splits a /proc/<pid>/stat line after the command name (which
// is in parentheses and may hold spaces): the first element is field 3,
// the state.
func statFields(line string) ([]string, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return nil, errors.New("no command name")
	}
	f := strings.Fields(line[i+1:])
	if len(f) < 13 {
		return nil, fmt.Errorf("%d fields", len(f)+2)
	}
	return f, nil
}

// childPids lists the processes whose parent is pid (nginx's workers).
func childPids(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f, err := statFields(string(b))
		if err != nil {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == pid {
			out = append(out, n)
		}
	}
	return out
}

// perfTop profiles pid with perf for d and summarises where its CPU
// went: the share spent in the kernel and in each binary, then the
// hottest symbols of exe (self time), "12.3% runtime.memmove, ...". ok is
// false when perf is not installed or not allowed.
func perfTop(ctx context.Context, dir string, pid int, exe string, d time.Duration, n int) (string, bool) {
	if _, err := exec.LookPath("perf"); err != nil {
		return "", false
	}
	data := dir + "/perf.data"
	rec := exec.CommandContext(ctx, "perf", "record", "-F", "499", "-o", data, "-p", strconv.Itoa(pid),
		"--", "sleep", strconv.Itoa(int(d.Seconds())))
	if err := rec.Run(); err != nil {
		return "", false
	}
	defer os.Remove(data)
	report := func(args ...string) string {
		out, _ := exec.CommandContext(ctx, "perf", append([]string{"report", "-i", data, "--stdio", "--no-children", "-g", "none"}, args...)...).Output()
		return string(out)
	}
	dsos := summarizePerf(report("--sort", "dso", "--percent-limit", "3"), 3)
	syms := summarizePerf(report("--sort", "sym", "--dsos", filepath.Base(exe), "--percent-limit", "1"), n)
	if dsos == "" && syms == "" {
		return "", false
	}
	return "by binary " + dsos + "; hottest functions of " + filepath.Base(exe) + " (share of all samples) " + syms, true
}

// perfLineRE is a line of perf report --sort sym ("  12.34%  [k] name")
// or --sort dso ("  61.20%  [kernel.kallsyms]").
var perfLineRE = regexp.MustCompile(`^\s*([\d.]+)%\s+(?:\[([k.])\]\s+)?(\S.*?)\s*$`)

// summarizePerf keeps the n hottest symbols of a perf report, marking
// kernel ones.
func summarizePerf(report string, n int) string {
	var parts []string
	sc := bufio.NewScanner(strings.NewReader(report))
	for sc.Scan() && len(parts) < n {
		m := perfLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[3]
		if m[2] == "k" {
			name += " (kernel)"
		}
		parts = append(parts, m[1]+"% "+name)
	}
	return strings.Join(parts, ", ")
}
