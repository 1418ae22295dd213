package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// toolRun is one "tool run" line of clipcut's JSON log: media logs one
// per ffmpeg, ffprobe and transcriber run when it ends (media.SetLogger),
// with the tool's own CPU from the kernel's accounting of the child, and
// the job it ran for (jobs.Middleware). The benchmarks that say where
// clipcut's CPU went read these lines rather than wrap the tools.
type toolRun struct {
	Tool    string  `json:"tool"`
	Stage   string  `json:"stage"`
	CPUs    float64 `json:"cpu_s"`
	Wall    float64 `json:"wall_s"`
	JobKind string  `json:"job_kind"`
	VideoID string  `json:"video_id"`
	Error   string  `json:"error"`
}

// CPU is the run's user plus system time.
func (r toolRun) CPU() time.Duration { return time.Duration(r.CPUs * float64(time.Second)) }

// toolRunLine is the message of the lines toolRunsFrom reads.
const toolRunLine = `"msg":"tool run"`

// toolRunsFrom reads the tool runs logged in the JSON log at path from
// byte offset from on; it returns them and the offset after the last
// whole line, where the next read starts. A line still being written (no
// newline yet) is left for the next read; lines that are not JSON (a
// tool's or Postgres's own output) are skipped. A log not yet created
// has no runs.
func toolRunsFrom(path string, from int64) ([]toolRun, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, from, nil
	}
	if err != nil {
		return nil, from, fmt.Errorf("tool runs: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, from, fmt.Errorf("tool runs: %s: %w", path, err)
	}
	var runs []toolRun
	r := bufio.NewReaderSize(f, 64<<10)
	off := from
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return runs, off, nil
		}
		if err != nil {
			return nil, from, fmt.Errorf("tool runs: %s: %w", path, err)
		}
		off += int64(len(line))
		if !bytes.Contains(line, []byte(toolRunLine)) {
			continue
		}
		var run struct {
			Msg string `json:"msg"`
			toolRun
		}
		if json.Unmarshal(line, &run) != nil || run.Msg != "tool run" {
			continue
		}
		runs = append(runs, run.toolRun)
	}
}

// readToolRuns adds the tool runs for video logged in the JSON log at
// path to into, by "job_kind stage".
func readToolRuns(path, video string, into map[string]*toolCost) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("worker log: %w", err)
	}
	runs, _, err := toolRunsFrom(path, 0)
	if err != nil {
		return fmt.Errorf("worker log: %w", err)
	}
	for _, run := range runs {
		if run.VideoID != video {
			continue
		}
		key := run.JobKind + " " + run.Stage
		t := into[key]
		if t == nil {
			t = &toolCost{}
			into[key] = t
		}
		t.cpu += run.CPUs
		t.wall += run.Wall
		t.runs++
	}
	return nil
}
