package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseHLSLoad(t *testing.T) {
	r, err := parseHLSLoad("warming up\n" + `{"viewers":500,"stalled":3,"failed":1,"stalls":4,"segments":5000,"seg_p99_ms":12.5}` + "\n")
	require.NoError(t, err)
	require.Equal(t, 500, r.Viewers)
	require.Equal(t, 496, r.sustained())
	require.Equal(t, 12.5, r.SegP99)
	_, err = parseHLSLoad("panic: boom")
	require.Error(t, err)
}

func TestScaleThroughputAndLimits(t *testing.T) {
	require.InDelta(t, 12.0, scaleThroughput{videos: 6, wall: 30 * time.Second}.perMin(), 1e-9)

	ok := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500}, apiCores: 0.4}
	require.Contains(t, playbackLimit(ok, 2), "not reached at 2500 viewers")
	busy := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Stalled: 10}, apiCores: 1.1, loadCores: 0.6, pgCores: 0.1}
	require.Contains(t, playbackLimit(busy, 2), "API 1.10")
	idle := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Stalled: 10, SegP99: 900}, apiCores: 0.2}
	require.Contains(t, playbackLimit(idle, 2), "p99 900 ms")
	broken := scalePlayback{viewers: 2500, res: hlsloadResult{Viewers: 2500, Failed: 10, Errors: 10, FirstErr: "GET /x: 429"}}
	require.Contains(t, playbackLimit(broken, 2), "first: GET /x: 429")
}

func TestScalePlaybackMbps(t *testing.T) {
	p := scalePlayback{res: hlsloadResult{Bytes: 125_000_000}, wall: 10 * time.Second}
	require.InDelta(t, 100.0, p.mbps(), 1e-9)
	require.Equal(t, 0.0, scalePlayback{}.mbps())
	require.InDelta(t, 100.0, maxMbps([]scalePlayback{{}, p}), 1e-9)
}

func TestChunkScaleSource(t *testing.T) {
	t.Setenv(chunkSourceEnv, "")
	d, chunk, err := chunkScaleSource()
	require.NoError(t, err)
	require.Equal(t, 90*time.Second, d)
	require.Equal(t, 30, chunk)
	t.Setenv(chunkSourceEnv, "15s")
	d, chunk, err = chunkScaleSource()
	require.NoError(t, err)
	require.Equal(t, 15*time.Second, d)
	require.Equal(t, 4, chunk, "three chunks of whole segments")
	t.Setenv(chunkSourceEnv, "5s")
	_, _, err = chunkScaleSource()
	require.Error(t, err)
}

func TestChunkScaleGoals(t *testing.T) {
	run := func(workers, chunk int, kill bool, ready, cpu time.Duration) chunkRun {
		return chunkRun{chunkPlan: chunkPlan{workers, chunk, kill}, ready: ready, playable: 2 * time.Second, workerCPU: cpu}
	}
	killed := run(2, 30, true, 60*time.Second, 90*time.Second)
	killed.returned, killed.rerun = 6*time.Second, 7*time.Second
	goals := chunkScaleGoals(run(1, 0, false, 100*time.Second, 100*time.Second), run(1, 30, false, 104*time.Second, 103*time.Second),
		run(2, 30, false, 52*time.Second, 104*time.Second), killed)
	require.Len(t, goals, 5)
	require.Equal(t, "2.00× (104.0 s → 52.0 s)", goals[0].Measured)
	require.Equal(t, Met, goals[0].Status)
	require.Equal(t, "wall 1.04×, CPU 1.03×", goals[1].Measured)
	require.Equal(t, Met, goals[1].Status)
	require.Contains(t, goals[3].Measured, "+8.0 s (52.0 s → 60.0 s")
	require.Equal(t, "7.0 s (back in the queue after 6.0 s)", goals[4].Measured)
	require.Equal(t, Met, goals[4].Status)
}

func TestChunkCostFromWorkerLogs(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "worker.log")
	lines := `{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"transcode","cpu_s":10.5,"wall_s":11,"job_kind":"transcode_chunk","video_id":"v1"}
{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"transcode","cpu_s":4.5,"wall_s":5,"job_kind":"transcode_chunk","video_id":"v1"}
{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"audio_pass","cpu_s":1.25,"wall_s":2,"job_kind":"transcode_chunk","video_id":"v1"}
{"time":"x","level":"INFO","msg":"tool run","tool":"ffmpeg","stage":"transcode","cpu_s":99,"wall_s":99,"job_kind":"transcode","video_id":"other"}
{"time":"x","level":"INFO","msg":"chunk encoded","video_id":"v1"}
not json
`
	require.NoError(t, os.WriteFile(log, []byte(lines), 0o644))
	tools := map[string]*toolCost{}
	require.NoError(t, readToolRuns(log, "v1", tools))
	require.Len(t, tools, 2)
	require.InDelta(t, 15.0, tools["transcode_chunk transcode"].cpu, 1e-9)
	require.Equal(t, 2, tools["transcode_chunk transcode"].runs)

	chunked := chunkRun{chunkPlan: chunkPlan{1, 30, false}, cost: &chunkCost{tools: tools, jobs: map[string]*jobCost{"transcode_chunk": {n: 2, wall: 17}}, total: 20}}
	unchunked := chunkRun{chunkPlan: chunkPlan{1, 0, false}, cost: &chunkCost{
		tools: map[string]*toolCost{"transcode transcode": {cpu: 14, runs: 1}}, jobs: map[string]*jobCost{"transcode": {n: 1, wall: 15}}, total: 16}}
	require.InDelta(t, 3.75, chunked.cost.goCPU(), 1e-9)
	tables := chunkCostTables([]chunkRun{unchunked, chunked, {chunkPlan: chunkPlan{2, 30, true}}})
	require.Len(t, tables, 2)
	require.Len(t, tables[0].Header, 3, "the killed run has no breakdown")
	note := chunkOverheadNote(unchunked, chunked)
	require.Contains(t, note, "+4.00 s")
	require.Contains(t, note, "video encodes (the ladder, or the chunks) +1.00 s")
	require.Contains(t, note, "`audio_pass` +1.25 s")
	require.Contains(t, note, "clipcut's own Go +1.75 s")
}
