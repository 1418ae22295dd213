package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// stderrTailLines is how much of a tool's stderr we keep: enough to see the
// failure and what led to it, bounded so a six-hour encode that warns on
// every frame cannot grow memory.
const stderrTailLines = 50

// maxLine bounds one buffered output line; ffmpeg can print very long lines
// (metadata dumps) and only their beginning is useful.
const maxLine = 4096

// lineWriter is an io.Writer that calls fn for every line written to it,
// splitting on \n and \r (ffmpeg redraws status lines with carriage
// returns). Used as a command's Stdout/Stderr, exec copies into it and
// cmd.Wait waits until every byte has been seen, which a StdoutPipe read
// concurrently with Wait does not guarantee.
type lineWriter struct {
	fn  func(line string)
	buf []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			if room := maxLine - len(w.buf); room > 0 {
				w.buf = append(w.buf, p[:min(room, len(p))]...)
			}
			break
		}
		if room := maxLine - len(w.buf); room > 0 {
			w.buf = append(w.buf, p[:min(room, i)]...)
		}
		w.flush()
		p = p[i+1:]
	}
	return n, nil
}

// flush emits a pending partial line (output that did not end in a newline).
func (w *lineWriter) flush() {
	if line := strings.TrimSpace(string(w.buf)); line != "" {
		w.fn(line)
	}
	w.buf = w.buf[:0]
}

// tail keeps the last n lines given to add.
type tail struct {
	mu    sync.Mutex
	n     int
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == t.n {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:t.n-1]
	}
	t.lines = append(t.lines, line)
}

func (t *tail) snapshot() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.lines...)
}

// runTool runs path with args, bounded by ctx, writing stdout to stdout
// (nil discards it). It returns the last stderr lines and the error
// runError derives from the exit.
//
// The tool gets its own process group, killed as a whole on cancellation
// (see setProcessGroup). It is started and waited for on one locked OS
// thread because on Linux the parent-death signal fires when the thread
// that forked the child exits, and Go may retire a thread that a locked
// goroutine leaves; pinning the thread for the tool's lifetime keeps the
// signal meaning "the worker died".
//
// Each run is a span ("ffmpeg transcode") when the run is part of a
// trace (a job's); see toolSpan. Each run that started logs one line when
// it ends (see logToolRun): its stage, its own CPU time and its wall time.
func runTool(ctx context.Context, tool, path string, args []string, stdout io.Writer) (lines []string, err error) {
	stage := toolStage(ctx)
	if trace.SpanContextFromContext(ctx).IsValid() {
		var span trace.Span
		ctx, span = toolSpan(ctx, tool, stage)
		defer func() {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.End()
		}()
	}
	cmd := exec.CommandContext(ctx, path, args...)
	setProcessGroup(cmd)
	// Pipes can be held open by a killed tool's children; do not wait for
	// them forever after the kill.
	cmd.WaitDelay = 5 * time.Second
	if stdout != nil {
		cmd.Stdout = stdout
	}
	stderr := &tail{n: stderrTailLines}
	errWriter := &lineWriter{fn: stderr.add}
	cmd.Stderr = errWriter

	done := make(chan error, 1)
	var started time.Time
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		started = time.Now()
		if err := cmd.Start(); err != nil {
			done <- err
			return
		}
		done <- cmd.Wait()
	}()
	err = <-done
	errWriter.flush()
	lines = stderr.snapshot()
	err = runError(ctx, tool, err, lines)
	if cmd.ProcessState != nil {
		logToolRun(ctx, tool, stage, cmd.ProcessState, time.Since(started), err)
	}
	return lines, err
}

// toolLogger is where tool runs are logged (nil: nowhere); see SetLogger.
var toolLogger atomic.Pointer[slog.Logger]

// SetLogger makes media log every ffmpeg, ffprobe and transcriber run it
// starts to l, one line at the run's end ("tool run": tool, stage, cpu_s,
// user_s, sys_s, wall_s, max_rss_mib where known, error when it failed,
// and the attributes of WithLogAttrs), so an operator sees what each
// step of processing costs. The CPU is the tool's own, from the kernel's
// accounting of the child process (its rusage). nil turns it off (the
// default).
func SetLogger(l *slog.Logger) { toolLogger.Store(l) }

type logAttrsKey struct{}

// WithLogAttrs returns ctx with attrs added to the log line of every tool
// run started with it (a job's id and kind, the video).
func WithLogAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(logAttrsKey{}).([]slog.Attr)
	return context.WithValue(ctx, logAttrsKey{}, append(slices.Clip(prev), attrs...))
}

type stageKey struct{}

// WithStage returns ctx whose tool runs are named stage in logs and spans
// instead of after the media function that started them: a job that
// runs the same function for different ends (the audio pass and a chunk's
// encode are both Transcode) tells them apart.
func WithStage(ctx context.Context, stage string) context.Context {
	return context.WithValue(ctx, stageKey{}, stage)
}

// logToolRun logs one finished tool run (see SetLogger).
func logToolRun(ctx context.Context, tool, stage string, ps *os.ProcessState, wall time.Duration, err error) {
	l := toolLogger.Load()
	if l == nil || !l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	user, sys := ps.UserTime(), ps.SystemTime()
	attrs := []slog.Attr{
		slog.String("tool", tool),
		slog.String("stage", stage),
		slog.Float64("cpu_s", roundMilli(user+sys)),
		slog.Float64("user_s", roundMilli(user)),
		slog.Float64("sys_s", roundMilli(sys)),
		slog.Float64("wall_s", roundMilli(wall)),
	}
	if rss := maxRSS(ps); rss > 0 {
		attrs = append(attrs, slog.Float64("max_rss_mib", math.Round(float64(rss)/(1<<20)*10)/10))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	extra, _ := ctx.Value(logAttrsKey{}).([]slog.Attr)
	attrs = append(attrs, extra...)
	l.LogAttrs(ctx, slog.LevelInfo, "tool run", attrs...)
}

func roundMilli(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// tracer is media's, from OpenTelemetry's global provider (media imports
// no project package): a no-op until the process turns tracing on.
var tracer = otel.Tracer("github.com/clipcut/clipcut/media")

// toolSpan starts the span of one tool run, named for the tool and its
// stage ("ffmpeg transcode", "ffprobe probe_with_limits", "ffmpeg
// storyboard").
func toolSpan(ctx context.Context, tool, stage string) (context.Context, trace.Span) {
	return tracer.Start(ctx, tool+" "+stage, trace.WithAttributes(
		attribute.String("media.tool", tool),
		attribute.String("media.stage", stage),
	))
}

// toolStage names a tool run: the stage WithStage put in ctx, else the
// snake_case name of the media function that called runTool
// ("Transcode" is transcode, "(*Whisper).Transcribe" is transcribe),
// found from the call stack so that no caller has to name itself.
func toolStage(ctx context.Context) string {
	if s, ok := ctx.Value(stageKey{}).(string); ok && s != "" {
		return s
	}
	var pcs [1]uintptr
	// 0 Callers, 1 toolStage, 2 runTool, 3 its caller.
	if runtime.Callers(3, pcs[:]) == 0 {
		return "run"
	}
	frame, _ := runtime.CallersFrames(pcs[:]).Next()
	name := frame.Function
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	// "media.Storyboard.func1" (a closure) is Storyboard's.
	parts := strings.Split(name, ".")
	for len(parts) > 1 && strings.HasPrefix(parts[len(parts)-1], "func") {
		parts = parts[:len(parts)-1]
	}
	return snakeCase(parts[len(parts)-1])
}

// snakeCase turns a Go identifier into snake_case: "ProbeWithLimits" is
// probe_with_limits, "DownloadMP4" download_mp4.
func snakeCase(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1]) && unicode.IsUpper(r[i-1])) {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// runError turns a finished tool run into the error callers should see:
// the context's error when cancelled, a classified error for recognised
// stderr, otherwise a plain error carrying the last stderr line.
func runError(ctx context.Context, tool string, err error, stderr []string) error {
	if err == nil {
		return nil
	}
	if ctxErr := context.Cause(ctx); ctxErr != nil {
		return fmt.Errorf("%s: %w", tool, ctxErr)
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) {
		return fmt.Errorf("%s: not installed: %w", tool, err)
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		// Could not start (missing binary, permissions): operational.
		return fmt.Errorf("%s: %w", tool, err)
	}
	if !exitErr.Exited() {
		// Killed by a signal we did not send (OOM killer, an admin): the
		// input may be fine, so let the job retry.
		return fmt.Errorf("%s: %w: %s", tool, err, lastLine(stderr))
	}
	if classified := classifyStderr(tool, stderr); classified != nil {
		return classified
	}
	return &toolExitError{tool: tool, err: err, last: lastLine(stderr)}
}

// toolExitError is a tool that exited non-zero with stderr no rule
// recognises. Callers decide whether that is the input's fault (ffprobe)
// or worth a retry (ffmpeg).
type toolExitError struct {
	tool string
	err  error
	last string
}

func (e *toolExitError) Error() string { return fmt.Sprintf("%s: %v: %s", e.tool, e.err, e.last) }
func (e *toolExitError) Unwrap() error { return e.err }
