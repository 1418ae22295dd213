// Command bench is clipcut's benchmark harness: `make bench` runs it as
// `go run ./bench`. It owns BENCHMARKS.md.
//
// Each benchmark measures one thing clipcut does next to a baseline that a
// user could pick instead or that bounds what the hardware allows, run
// side by side in the same invocation, interleaved round by round so that
// a noisy machine disturbs both alike. Every figure is the median of
// several runs, reported with its min and max. Each benchmark states its
// goal (from the issue that set it) and whether it is met, and where a goal
// is missed it says what limits it.
//
// Benchmarks measure; they never fail the build. The exit status is 0
// whatever the figures are, and 1 only when the harness itself breaks (a
// tool is missing, clipcut does not start, a run produces no output).
//
// Everything the benchmarks need is made here: source clips are generated
// with ffmpeg, clipcut is built and started as a separate process on its
// own private Postgres under a scratch directory, and load generators talk
// to it over loopback only.
//
// Adding a benchmark: write one file with a function returning a
// [Benchmark], and list it in [benchmarks]. Its Run returns a [Section];
// the report, the table printed on the terminal and the section of
// BENCHMARKS.md follow from it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// benchmarks lists every benchmark, in report order.
func benchmarks() []Benchmark {
	return []Benchmark{
		// The flow of one video: upload, processing, subtitles, playback.
		uploadsBenchmark(),
		transcodeBenchmark(),
		pipelineBenchmark(),
		cutBenchmark(),
		subtitlesBenchmark(),
		deliveryBenchmark(),
		browserBenchmark(),
		// The API and the machinery under it.
		graphqlBenchmark(),
		hostileBenchmark(),
		subscriptionsBenchmark(),
		jobsBenchmark(),
		analyticsBenchmark(),
		scaleBenchmark(),
		chunkScaleBenchmark(),
	}
}

// Config is the harness's settings, all flags.
type Config struct {
	Only     []string
	Runs     int
	Duration time.Duration
	Long     time.Duration
	Preset   string
	Out      string
	WorkDir  string
	Keep     bool
	Clipcut  string
	FFmpeg   string
	FFprobe  string
	// MaxOtherCores: a run during which other processes used more CPU
	// than this (in cores) is repeated.
	MaxOtherCores float64
}

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func cli(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stdout, logger); err != nil {
		logger.Error("benchmark harness failed", "error", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", "", "comma-separated benchmarks to run (default: all): "+strings.Join(names(), ", "))
	fs.IntVar(&cfg.Runs, "runs", 3, "runs per figure; each figure is their median, with min and max")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "length of the generated 1080p30 source clip")
	fs.DurationVar(&cfg.Long, "long", 60*time.Second, "length of the long source for the pipeline benchmark (0: skip it)")
	fs.StringVar(&cfg.Preset, "preset", "veryfast", "x264 preset for every approach (clipcut's default is veryfast)")
	fs.StringVar(&cfg.Out, "out", "BENCHMARKS.md", `report to write; sections of benchmarks not run are kept ("" writes none)`)
	fs.StringVar(&cfg.WorkDir, "workdir", "", "scratch directory (default: a new directory under the system temp dir)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the scratch directory (sources, outputs, server log) at the end")
	fs.StringVar(&cfg.Clipcut, "clipcut", "", "clipcut binary to benchmark (default: go build ./server into the scratch directory)")
	fs.StringVar(&cfg.FFmpeg, "ffmpeg", "ffmpeg", "ffmpeg program")
	fs.StringVar(&cfg.FFprobe, "ffprobe", "ffprobe", "ffprobe program")
	fs.Float64Var(&cfg.MaxOtherCores, "max-other-cores", 0.25, "repeat (up to twice) a transcode run during which other processes used more than this many cores")
	list := fs.Bool("list", false, "list the benchmarks and exit")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *list {
		for _, b := range benchmarks() {
			fmt.Fprintf(stderr, "%-10s %s\n", b.Name, b.Title)
		}
		return cfg, flag.ErrHelp
	}
	var problems []error
	if *only != "" {
		for n := range strings.SplitSeq(*only, ",") {
			n = strings.TrimSpace(n)
			if !slices.Contains(names(), n) {
				problems = append(problems, fmt.Errorf("-only: no benchmark %q (have %s)", n, strings.Join(names(), ", ")))
			}
			cfg.Only = append(cfg.Only, n)
		}
	}
	if cfg.Runs < 1 {
		problems = append(problems, errors.New("-runs must be at least 1"))
	}
	if cfg.Duration < 5*time.Second {
		problems = append(problems, errors.New("-duration must be at least 5s (a few 4-second segments)"))
	}
	if cfg.Long != 0 && cfg.Long < cfg.Duration {
		problems = append(problems, errors.New("-long must be 0 or at least -duration"))
	}
	return cfg, errors.Join(problems...)
}

func names() []string {
	var out []string
	for _, b := range benchmarks() {
		out = append(out, b.Name)
	}
	return out
}

// run runs the selected benchmarks, prints their report and writes the
// markdown file. A benchmark that breaks is reported as such, the others
// still run, and the harness then fails.
func run(ctx context.Context, cfg Config, stdout io.Writer, logger *slog.Logger) error {
	env, cleanup, err := newEnv(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()

	start := time.Now()
	var sections []*Section
	var broken []error
	for _, b := range benchmarks() {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, b.Name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		logger.Info("benchmark starting", "benchmark", b.Name, "runs", cfg.Runs)
		s := runBenchmark(ctx, env, b)
		if s.Err != nil {
			logger.Error("benchmark broke", "benchmark", b.Name, "error", s.Err)
			broken = append(broken, fmt.Errorf("%s: %w", b.Name, s.Err))
		} else {
			logger.Info("benchmark done", "benchmark", b.Name, "took", s.Meta.Took.Round(time.Second).String())
		}
		sections = append(sections, s)
		printSection(stdout, s)
	}
	printSummary(stdout, sections)
	fmt.Fprintf(stdout, "\nTotal time: %s\n", time.Since(start).Round(time.Second))

	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if cfg.Out != "" && len(sections) > 0 {
		if err := writeReport(cfg.Out, env.Machine, sections, names()); err != nil {
			broken = append(broken, err)
		} else {
			logger.Info("report written", "path", cfg.Out)
		}
	}
	return errors.Join(broken...)
}

// runBenchmark runs one benchmark and stamps its section with when and
// where it ran, and how busy the rest of the machine was meanwhile.
func runBenchmark(ctx context.Context, env *Env, b Benchmark) *Section {
	meta := RunMeta{
		Date:    time.Now().UTC(),
		Commit:  env.Commit,
		Machine: env.Machine.Short(),
	}
	var s *Section
	u, err := measure(func() error {
		var err error
		s, err = b.Run(ctx, env)
		return err
	})
	if s == nil {
		s = &Section{}
	}
	s.Name, s.Title = b.Name, b.Title
	s.Err = err
	meta.Took = u.Wall
	meta.OtherCores = u.Others.Seconds() / u.Wall.Seconds()
	s.Meta = meta
	return s
}
