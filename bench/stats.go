package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Stat summarises the runs of one figure.
type Stat struct {
	Median, Min, Max float64
	N                int
}

// statOf summarises xs; the median of an even count is the mean of the
// middle two.
func statOf(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stat{Median: med, Min: s[0], Max: s[n-1], N: n}
}

// Cell formats the median with its range, "21.3 (20.9–22.0)", with prec
// decimals; a single run shows just its value.
func (s Stat) Cell(prec int) string {
	if s.N == 0 {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f", prec, s.Median)
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, s.Median, prec, s.Min, prec, s.Max)
}

// Samples collects the runs of several figures by name.
type Samples map[string][]float64

// Add records one run of a figure.
func (s Samples) Add(name string, v float64) { s[name] = append(s[name], v) }

// Stat summarises a figure.
func (s Samples) Stat(name string) Stat { return statOf(s[name]) }

// Usage is what one run cost.
type Usage struct {
	Wall time.Duration
	// CPU is user+sys time of the child processes that ran and were
	// waited for during the run (every ffmpeg of an approach, however
	// many there were): the kernel's RUSAGE_CHILDREN before and after.
	// Benchmarks run one thing at a time, so nothing else is counted.
	CPU time.Duration
	// Others is the CPU time the rest of the machine used meanwhile (all
	// processes, from /proc/stat, minus the run's and the harness's own):
	// on a shared machine it says how disturbed the run was.
	Others time.Duration
}

// measure runs f and reports its wall time, its children's CPU time and
// everyone else's.
func measure(f func() error) (Usage, error) {
	c0, s0, b0 := childrenCPU(), selfCPU(), machineBusy()
	t0 := time.Now()
	err := f()
	u := Usage{Wall: time.Since(t0), CPU: childrenCPU() - c0}
	if b0 > 0 {
		u.Others = max(0, machineBusy()-b0-u.CPU-(selfCPU()-s0))
	}
	return u, err
}

func childrenCPU() time.Duration { return rusage(syscall.RUSAGE_CHILDREN) }

func selfCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time every process on the machine has used since
// boot: the first line of /proc/stat (user nice system idle iowait irq
// softirq steal ..., in USER_HZ ticks of 10 ms) without idle and iowait.
// 0 when unavailable.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// plural is "1 run", "3 runs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
