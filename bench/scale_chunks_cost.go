package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// chunkCost is where the workers' CPU went while they processed one
// video, from the upload's last byte to the end of its last job (the
// animated preview can end after READY): the tool runs the workers
// logged for the video (media's "tool run" lines: each ffmpeg's and
// ffprobe's own CPU from the kernel's accounting of the child), by job
// kind and stage, River's record of the video's jobs, and the rest, the
// workers' own Go code (job polling, uploads to storage, playlists,
// progress writes, River).
type chunkCost struct {
	// tools are the video's tool runs by "job_kind stage".
	tools map[string]*toolCost
	// jobs is River's record by job kind: how many completed and the
	// seconds they ran (attempted to finalized, last attempts).
	jobs map[string]*jobCost
	// total is the workers' CPU, children included, over the video.
	total float64
}

type toolCost struct {
	cpu, wall float64
	runs      int
}

type jobCost struct {
	n    int
	wall float64
}

// toolCPU is the CPU of every tool run of the video.
func (c *chunkCost) toolCPU() float64 {
	var sum float64
	for _, t := range c.tools {
		sum += t.cpu
	}
	return sum
}

// goCPU is the workers' own CPU: everything the kernel counted for the
// worker processes and their children less the children's.
func (c *chunkCost) goCPU() float64 { return c.total - c.toolCPU() }

func (c *chunkCost) String() string {
	var parts []string
	for _, k := range sortedCostKeys(c.tools) {
		t := c.tools[k]
		parts = append(parts, fmt.Sprintf("%s %.1f s (%d runs)", k, t.cpu, t.runs))
	}
	return fmt.Sprintf("%s; clipcut's own Go %.1f s; total %.1f s", strings.Join(parts, ", "), c.goCPU(), c.total)
}

// jobOrder is the pipeline's order of job kinds, for the tables.
var jobOrder = []string{"probe", "transcode", "transcode_chunk", "thumbnails", "preview", "subtitles"}

func jobRank(kind string) int {
	if i := slices.Index(jobOrder, kind); i >= 0 {
		return i
	}
	return len(jobOrder)
}

// sortedCostKeys orders "job_kind stage" keys by the pipeline's order,
// then by stage.
func sortedCostKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ki, _, _ := strings.Cut(keys[i], " ")
		kj, _, _ := strings.Cut(keys[j], " ")
		if ri, rj := jobRank(ki), jobRank(kj); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// readChunkCost waits for every media job of video to end, then reads
// the workers' CPU since cpuStart, their tool runs for the video from
// logs (the JSON logs of the run's workers) and River's record of the
// video's jobs.
func readChunkCost(ctx context.Context, st *scaleStack, conn *pgx.Conn, video string, logs []string, cpuStart time.Duration) (*chunkCost, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var open int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = 'media' AND args->>'video_id' = $1
			AND finalized_at IS NULL`, video).Scan(&open); err != nil {
			return nil, fmt.Errorf("the video's open jobs: %w", err)
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("video %s still has %d media jobs 2 minutes after READY", video, open)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
	c := &chunkCost{tools: map[string]*toolCost{}, jobs: map[string]*jobCost{}, total: (st.workersCPU() - cpuStart).Seconds()}
	for _, path := range logs {
		if err := readToolRuns(path, video, c.tools); err != nil {
			return nil, err
		}
	}
	rows, err := conn.Query(ctx, `SELECT kind, extract(epoch FROM finalized_at - attempted_at)::float8 FROM river_job
		WHERE queue = 'media' AND args->>'video_id' = $1 AND state = 'completed'`, video)
	if err != nil {
		return nil, fmt.Errorf("the video's jobs: %w", err)
	}
	type ran struct {
		Kind string
		Wall float64
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ran])
	if err != nil {
		return nil, fmt.Errorf("the video's jobs: %w", err)
	}
	for _, j := range jobs {
		jc := c.jobs[j.Kind]
		if jc == nil {
			jc = &jobCost{}
			c.jobs[j.Kind] = jc
		}
		jc.n++
		jc.wall += j.Wall
	}
	return c, nil
}

// chunkCostTables are the CPU breakdown of the runs that have one (those
// without a kill), side by side, and River's record of their jobs.
func chunkCostTables(runs []chunkRun) []Table {
	var with []chunkRun
	for _, r := range runs {
		if r.cost != nil {
			with = append(with, r)
		}
	}
	if len(with) == 0 {
		return nil
	}
	cpu := Table{
		Caption: "Where the workers' CPU went, upload to the video's last job (s of CPU; tool runs from the workers' \"tool run\" log lines, the rest is clipcut's own Go)",
		Header:  []string{"job, stage"},
	}
	jobs := Table{
		Caption: "River's record of the video's jobs (count, and seconds they ran in all)",
		Header:  []string{"job"},
	}
	toolKeys := map[string]bool{}
	jobKeys := map[string]bool{}
	for _, r := range with {
		cpu.Header = append(cpu.Header, r.label())
		jobs.Header = append(jobs.Header, r.label())
		for k := range r.cost.tools {
			toolKeys[k] = true
		}
		for k := range r.cost.jobs {
			jobKeys[k] = true
		}
	}
	for _, k := range sortedCostKeys(toolKeys) {
		row := []string{"`" + k + "`"}
		for _, r := range with {
			if t := r.cost.tools[k]; t != nil {
				row = append(row, fmt.Sprintf("%.2f (%d runs)", t.cpu, t.runs))
			} else {
				row = append(row, "–")
			}
		}
		cpu.Rows = append(cpu.Rows, row)
	}
	tools, gos, totals := []string{"every tool run"}, []string{"clipcut's own Go (worker CPU less its tools')"}, []string{"**worker CPU incl. its tools**"}
	for _, r := range with {
		tools = append(tools, fmt.Sprintf("%.2f", r.cost.toolCPU()))
		gos = append(gos, fmt.Sprintf("%.2f", r.cost.goCPU()))
		totals = append(totals, fmt.Sprintf("**%.2f**", r.cost.total))
	}
	cpu.Rows = append(cpu.Rows, tools, gos, totals)
	for _, k := range sortedCostKeys(jobKeys) {
		row := []string{"`" + k + "`"}
		for _, r := range with {
			if j := r.cost.jobs[k]; j != nil {
				row = append(row, fmt.Sprintf("%d, %.1f s", j.n, j.wall))
			} else {
				row = append(row, "–")
			}
		}
		jobs.Rows = append(jobs.Rows, row)
	}
	return []Table{cpu, jobs}
}

// chunkOverheadNote says what the chunked run on one worker spent beyond
// the unchunked one, by stage (whichever job ran it: the rendition
// measurements are the transcode's unchunked and the first chunk's
// chunked), largest differences first.
func chunkOverheadNote(unchunked, chunked chunkRun) string {
	if unchunked.cost == nil || chunked.cost == nil {
		return ""
	}
	byStage := func(c *chunkCost) map[string]float64 {
		m := map[string]float64{}
		for k, t := range c.tools {
			_, stage, _ := strings.Cut(k, " ")
			if stage == "transcode" {
				stage = "video encodes (the ladder, or the chunks)"
			} else {
				stage = "`" + stage + "`"
			}
			m[stage] += t.cpu
		}
		m["clipcut's own Go"] = c.goCPU()
		return m
	}
	a, b := byStage(unchunked.cost), byStage(chunked.cost)
	type diff struct {
		what string
		d    float64
	}
	var diffs []diff
	for k := range b {
		diffs = append(diffs, diff{k, b[k] - a[k]})
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			diffs = append(diffs, diff{k, -a[k]})
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		if abs(diffs[i].d) != abs(diffs[j].d) {
			return abs(diffs[i].d) > abs(diffs[j].d)
		}
		return diffs[i].what < diffs[j].what
	})
	var parts []string
	for _, d := range diffs {
		if abs(d.d) >= 0.05 {
			parts = append(parts, fmt.Sprintf("%s %+.2f s", d.what, d.d))
		}
	}
	return fmt.Sprintf("Chunked minus unchunked CPU on one worker, upload to the last job: %+.2f s (%.3f×): %s.",
		chunked.cost.total-unchunked.cost.total, chunked.cost.total/unchunked.cost.total, strings.Join(parts, ", "))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
