package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestToolRunsFromOffset(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "clipcut.log")
	first := `{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"transcode","cpu_s":3,"wall_s":4,"job_kind":"transcode","video_id":"parent"}
{"time":"x","level":"INFO","msg":"http request","method":"GET"}
`
	require.NoError(t, os.WriteFile(log, []byte(first), 0o644))
	runs, at, err := toolRunsFrom(log, 0)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, int64(len(first)), at)

	// The clip's runs, then a line still being written.
	more := `{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"smart_cut_each","cpu_s":1.5,"wall_s":1,"job_kind":"clip","video_id":"clip"}
not json, with "msg":"tool run" in it
{"time":"x","level":"INFO","msg":"tool run","tool":"ffprobe","stage":"probe_with_limits","cpu_s":0.25,"wall_s":1,"job_kind":"clip","video_id":"clip"}
{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"join_seg`
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(more)
	require.NoError(t, err)
	runs, at2, err := toolRunsFrom(log, at)
	require.NoError(t, err)
	require.Equal(t, []toolRun{
		{Tool: "ffmpeg", Stage: "smart_cut_each", CPUs: 1.5, Wall: 1, JobKind: "clip", VideoID: "clip"},
		{Tool: "ffprobe", Stage: "probe_with_limits", CPUs: 0.25, Wall: 1, JobKind: "clip", VideoID: "clip"},
	}, runs)

	// The unfinished line is read once it ends.
	_, err = f.WriteString(`ments_each","cpu_s":0.5,"wall_s":1,"job_kind":"clip","video_id":"clip"}` + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	runs, _, err = toolRunsFrom(log, at2)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, "join_segments_each", runs[0].Stage)
	require.Equal(t, 500*time.Millisecond, runs[0].CPU())

	runs, _, err = toolRunsFrom(filepath.Join(t.TempDir(), "not yet"), 0)
	require.NoError(t, err)
	require.Empty(t, runs)
}

func TestCutSteps(t *testing.T) {
	t.Parallel()
	runs := []toolRun{
		{Tool: "ffmpeg", Stage: "copy_segment_heads", CPUs: 0.1, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "smart_cut_each", CPUs: 2, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "smart_cut", CPUs: 1, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "join_segments_each", CPUs: 0.3, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "join_segments", CPUs: 0.2, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffprobe", Stage: "probe_with_limits", CPUs: 0.05, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffprobe", Stage: "measure_duration", CPUs: 0.05, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "poster_pick", CPUs: 0.4, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "storyboard", CPUs: 0.6, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "preview", CPUs: 0.7, JobKind: "clip", VideoID: "c1"},
		{Tool: "ffmpeg", Stage: "cut", CPUs: 5, JobKind: "clip", VideoID: "c1"},
		// The parent's preview, still running when the clip was asked for.
		{Tool: "ffmpeg", Stage: "preview", CPUs: 1, JobKind: "preview", VideoID: "parent"},
	}
	steps := cutSteps(runs, "c1")
	want := map[string]struct {
		cpu  time.Duration
		runs int
	}{
		cutStepHeads:     {100 * time.Millisecond, 1},
		cutStepBoundary:  {3 * time.Second, 2},
		cutStepJoin:      {500 * time.Millisecond, 2},
		cutStepProbe:     {100 * time.Millisecond, 2},
		cutStepPoster:    {400 * time.Millisecond, 1},
		cutStepBoard:     {600 * time.Millisecond, 1},
		cutStepPreview:   {700 * time.Millisecond, 1},
		cutStepFFOther:   {5 * time.Second, 1},
		cutStepElsewhere: {time.Second, 1},
	}
	require.Len(t, steps, len(want))
	for name, w := range want {
		require.Equal(t, w.runs, steps[name].runs, name)
		require.InDelta(t, w.cpu.Seconds(), steps[name].cpu.Seconds(), 1e-9, name)
	}
	require.Equal(t, map[string]int{"clip cut": 1}, steps[cutStepFFOther].stages)
	require.Equal(t, map[string]int{"preview preview": 1}, steps[cutStepElsewhere].stages)
}
