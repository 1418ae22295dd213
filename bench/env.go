package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
)

// Benchmark is one row group of the report, runnable alone with -only.
type Benchmark struct {
	// Name is the -only key and the section's anchor in BENCHMARKS.md.
	Name string
	// Title heads the section.
	Title string
	// Run measures and returns the section. An error means the harness
	// broke (not that a goal was missed); whatever section came back
	// with it is still reported.
	Run func(ctx context.Context, env *Env) (*Section, error)
}

// Env is what benchmarks share: settings, the scratch directory and
// things made once per invocation (sources, the clipcut binary).
type Env struct {
	Config
	// Work is the scratch directory. It and its parents are traversable
	// by other users (0755), because a clipcut started as root runs its
	// private Postgres as the postgres user, whose data lives under it.
	Work string
	// Module is the clipcut module's root directory.
	Module  string
	Machine Machine
	Commit  Commit
	Logger  *slog.Logger

	mu      sync.Mutex
	sources map[time.Duration]*Source
	binary  string
}

// newEnv checks the tools, makes the scratch directory and describes the
// machine. cleanup removes the scratch directory unless -keep.
func newEnv(ctx context.Context, cfg Config, logger *slog.Logger) (*Env, func(), error) {
	var missing []error
	for _, tool := range []string{cfg.FFmpeg, cfg.FFprobe, "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, fmt.Errorf("%s is required: %w", tool, err))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, nil, err
	}
	module, err := moduleRoot(ctx)
	if err != nil {
		return nil, nil, err
	}
	work := cfg.WorkDir
	if work == "" {
		work, err = os.MkdirTemp("", "clipcut-bench-")
	} else {
		err = os.MkdirAll(work, 0o755)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("scratch directory: %w", err)
	}
	if err := os.Chmod(work, 0o755); err != nil {
		return nil, nil, fmt.Errorf("scratch directory: %w", err)
	}
	env := &Env{
		Config:  cfg,
		Work:    work,
		Module:  module,
		Machine: describeMachine(ctx, cfg.FFmpeg),
		Commit:  gitCommit(ctx, module),
		Logger:  logger,
		sources: map[time.Duration]*Source{},
	}
	logger.Info("scratch directory", "path", work)
	cleanup := func() {
		if cfg.Keep || cfg.WorkDir != "" {
			logger.Info("kept scratch directory", "path", work)
			return
		}
		if err := os.RemoveAll(work); err != nil {
			logger.Warn("remove scratch directory", "path", work, "error", err)
		}
	}
	return env, cleanup, nil
}

// moduleRoot is the directory of the go.mod in use (the harness runs from
// the repository with `go run ./bench`).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the clipcut module: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("find the clipcut module: run the harness from the repository (go run ./bench)")
	}
	return filepath.Dir(gomod), nil
}

// Source returns the generated 1080p30 source clip of length d, making it
// on first use.
func (e *Env) Source(ctx context.Context, d time.Duration) (*Source, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.sources[d]; ok {
		return s, nil
	}
	e.Logger.Info("generating source", "duration", d.String())
	s, err := generateSource(ctx, e.FFmpeg, e.FFprobe, filepath.Join(e.Work, "sources"), d)
	if err != nil {
		return nil, err
	}
	e.sources[d] = s
	return s, nil
}

// ClipcutBinary returns the clipcut binary under test: -clipcut, or the
// current tree built with `go build -o <work>/clipcut ./server` on first
// use.
func (e *Env) ClipcutBinary(ctx context.Context) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.binary != "" {
		return e.binary, nil
	}
	if e.Clipcut != "" {
		abs, err := filepath.Abs(e.Clipcut)
		if err != nil {
			return "", err
		}
		e.binary = abs
		return abs, nil
	}
	out := filepath.Join(e.Work, "clipcut")
	e.Logger.Info("building clipcut", "output", out)
	if err := instance.Build(ctx, e.Module, out); err != nil {
		return "", err
	}
	e.binary = out
	return out, nil
}

// withClipcut starts a `clipcut serve` for one benchmark (name labels its
// data directory and log in the scratch directory; env adds settings to
// the harness's x264 preset), runs measure against it, and stops it. A
// measurement failure carries the end of clipcut's log; an unclean exit
// and the start-up time become notes of the section.
func withClipcut(ctx context.Context, e *Env, name string, env []string,
	measure func(inst *instance.Instance, dataDir string) (*Section, error)) (*Section, error) {
	bin, err := e.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	dataDir, err := instance.TraversableDir(e.Work, "clipcut-"+name+"-")
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(e.Work, "clipcut-"+name+".log")
	started := time.Now()
	inst, err := instance.Start(ctx, instance.Options{
		Binary:  bin,
		DataDir: dataDir,
		Env:     append([]string{"CLIPCUT_X264_PRESET=" + e.Preset}, env...),
		LogPath: logPath,
	})
	if err != nil {
		return nil, err
	}
	startup := time.Since(started)
	e.Logger.Info("clipcut started", "url", inst.URL, "pid", inst.Pid(), "took", startup.Round(time.Millisecond).String(), "log", logPath)
	section, runErr := measure(inst, dataDir)
	stopErr := inst.Stop(time.Minute)
	if runErr != nil {
		return nil, fmt.Errorf("%w\nclipcut log (%s) ends:\n%s", runErr, logPath, inst.LogTail(20))
	}
	if stopErr != nil {
		e.Logger.Warn("clipcut did not stop cleanly", "error", stopErr)
		section.Notes = append(section.Notes, "clipcut did not exit cleanly after SIGTERM: "+stopErr.Error())
	}
	section.Notes = append(section.Notes, fmt.Sprintf("clipcut (its private Postgres included) took %.1f s from exec to /ready answering 200; not part of any figure.", startup.Seconds()))
	return section, nil
}
