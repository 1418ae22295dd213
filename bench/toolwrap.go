package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The tool wrapper: the bench binary stands in for ffmpeg and ffprobe in
// a clipcut it starts (CLIPCUT_FFMPEG and CLIPCUT_FFPROBE pointing at
// symbolic links named ffmpeg and ffprobe to the bench binary, with
// toolWrapReal+"_FFMPEG" and "_FFPROBE" naming the real programs), runs
// the real tool, and appends
// one line per run to toolWrapLog: the argv and the tool's own CPU time
// from the kernel (its rusage). That tells which step of clipcut's work
// costs what without changing clipcut: the per-step breakdown of the cut
// benchmark.
const (
	toolWrapReal = "BENCH_TOOLWRAP_REAL"
	toolWrapLog  = "BENCH_TOOLWRAP_LOG"
)

// toolWrapEnv links ffmpeg and ffprobe to the bench binary in dir and
// returns the clipcut settings that make it run them through the wrapper,
// logging into log.
func toolWrapEnv(dir, log, ffmpeg, ffprobe string) ([]string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	env := []string{toolWrapLog + "=" + log}
	for _, t := range []struct{ name, real, setting string }{{"ffmpeg", ffmpeg, "CLIPCUT_FFMPEG"}, {"ffprobe", ffprobe, "CLIPCUT_FFPROBE"}} {
		real, err := exec.LookPath(t.real)
		if err != nil {
			return nil, err
		}
		link := filepath.Join(dir, t.name)
		_ = os.Remove(link)
		if err := os.Symlink(self, link); err != nil {
			return nil, err
		}
		env = append(env, t.setting+"="+link, toolWrapReal+"_"+strings.ToUpper(t.name)+"="+real)
	}
	return env, nil
}

// toolRun is one line of the wrapper's log.
type toolRun struct {
	Tool string        `json:"tool"`
	Args []string      `json:"args"`
	User time.Duration `json:"user"`
	Sys  time.Duration `json:"sys"`
	Wall time.Duration `json:"wall"`
	Exit int           `json:"exit"`
	// Self is the wrapper's own CPU time, counted in clipcut's reaped
	// children with the tool's: the bench takes it off again.
	Self time.Duration `json:"self"`
}

// CPU is the run's user plus system time.
func (r toolRun) CPU() time.Duration { return r.User + r.Sys }

func init() {
	log := os.Getenv(toolWrapLog)
	if log == "" {
		return
	}
	real := os.Getenv(toolWrapReal + "_" + strings.ToUpper(filepath.Base(os.Args[0])))
	if real == "" {
		return
	}
	os.Exit(runWrapped(real, log, os.Args[1:]))
}

// runWrapped runs real with args, passing stdio through and forwarding
// termination signals, and logs the run; it returns the tool's exit code.
func runWrapped(real, log string, args []string) int {
	cmd := exec.Command(real, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// Without the wrapper's own settings: a tool that runs another is
	// not wrapped twice.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, toolWrapLog+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	started := time.Now()
	if err := cmd.Start(); err != nil {
		os.Stderr.WriteString("toolwrap: " + err.Error() + "\n")
		return 127
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	run := toolRun{Tool: real, Args: args, Wall: time.Since(started)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		run.Exit = exit.ExitCode()
	case err != nil:
		run.Exit = 127
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.User = time.Duration(ru.Utime.Nano())
		run.Sys = time.Duration(ru.Stime.Nano())
	}
	var self syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) == nil {
		run.Self = time.Duration(self.Utime.Nano() + self.Stime.Nano())
	}
	if line, err := json.Marshal(run); err == nil {
		if f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			// One write of one line: O_APPEND keeps concurrent runs' lines
			// whole.
			_, _ = f.Write(append(line, '\n'))
			f.Close()
		}
	}
	if run.Exit < 0 {
		return 128 + int(syscall.SIGKILL)
	}
	return run.Exit
}

// readWrappedRuns reads the wrapper's log from byte offset from; it returns
// the runs and the offset after them.
func readWrappedRuns(path string, from int64) ([]toolRun, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, from, nil
	}
	if err != nil {
		return nil, from, err
	}
	defer f.Close()
	if _, err := f.Seek(from, 0); err != nil {
		return nil, from, err
	}
	var runs []toolRun
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	off := from
	for sc.Scan() {
		off += int64(len(sc.Bytes())) + 1
		var r toolRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, from, err
		}
		runs = append(runs, r)
	}
	return runs, off, sc.Err()
}
