package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
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
// trace (a job's); see toolSpan.
func runTool(ctx context.Context, tool, path string, args []string, stdout io.Writer) (lines []string, err error) {
	if trace.SpanContextFromContext(ctx).IsValid() {
		var span trace.Span
		ctx, span = toolSpan(ctx, tool)
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
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			done <- err
			return
		}
		done <- cmd.Wait()
	}()
	err = <-done
	errWriter.flush()
	lines = stderr.snapshot()
	return lines, runError(ctx, tool, err, lines)
}

// tracer is media's, from OpenTelemetry's global provider (media imports
// no project package): a no-op until the process turns tracing on.
var tracer = otel.Tracer("github.com/clipcut/clipcut/media")

// toolSpan starts the span of one tool run, named for the tool and its
// stage: the media function that ran it ("ffmpeg transcode", "ffprobe
// probe_with_limits", "ffmpeg storyboard"), found from the call stack so
// that no caller has to name itself.
func toolSpan(ctx context.Context, tool string) (context.Context, trace.Span) {
	stage := toolStage()
	return tracer.Start(ctx, tool+" "+stage, trace.WithAttributes(
		attribute.String("media.tool", tool),
		attribute.String("media.stage", stage),
	))
}

// toolStage is the snake_case name of the function that called runTool
// ("Transcode" is transcode, "(*Whisper).Transcribe" is transcribe).
func toolStage() string {
	var pcs [1]uintptr
	// 0 Callers, 1 toolStage, 2 toolSpan, 3 runTool, 4 its caller.
	if runtime.Callers(4, pcs[:]) == 0 {
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
