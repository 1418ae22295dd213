package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/media"
)

// The cut benchmark (issue 20): a 20 s clip of a 90 s 1080p source.
const (
	cutSourceLength = 90 * time.Second
	cutClipSeconds  = 20.0
)

func cutBenchmark() Benchmark {
	return Benchmark{
		Name:  "cut",
		Title: "Clips: createClip's cost against re-encoding the range, and time to playable",
		Run:   runCut,
	}
}

// runCut uploads a 90 s 1080p30 source (shorter when -duration is: a
// smoke run) to a clipcut started as its own process, waits until it is
// READY, then per run asks for a clip of 20 s from its middle (a third of
// the source when that is shorter) and times createClip's answer to the
// clip being playable and READY. clipcut's CPU time over the clip (its
// own and that of the ffmpeg children it waited for) is compared with
// the bare ladder re-encoding the same range: the same argv clipcut's
// transcode runs, with the range cut at the input.
func runCut(ctx context.Context, env *Env) (*Section, error) {
	length := cutSourceLength
	if env.Duration < length {
		length = env.Duration
	}
	src, err := env.Source(ctx, length)
	if err != nil {
		return nil, err
	}
	clip := min(cutClipSeconds, src.Seconds()/3)
	start := (src.Seconds() - clip) / 2
	// clipcut logs one "tool run" line per ffmpeg and ffprobe run (in
	// JSON, the bench reads them back to say which step cost what).
	return withClipcut(ctx, env, "cut", []string{"CLIPCUT_LOG_FORMAT=json"}, func(inst *instance.Instance, _ string) (*Section, error) {
		logPath := inst.LogPath()
		client := inst.Client()
		if err := client.SignUp(ctx, "bench-cut@clipcut.test", rand.Text(), "Benchmark"); err != nil {
			return nil, err
		}
		parentID, err := uploadReady(ctx, client, src)
		if err != nil {
			return nil, fmt.Errorf("cut source: %w", err)
		}
		samples := Samples{}
		for round := range env.Runs {
			// The source's (or the previous clip's) follow-up jobs
			// (preview, subtitles) run after READY: not the clip's cost.
			waitIdle(ctx, inst.Pid(), time.Minute)
			// What clipcut spends answering the bench's status polls,
			// measured on the idle parent: the instrument's cost, taken
			// off the clip's.
			pollCost, err := statusPollCost(ctx, client, inst.Pid(), parentID, 60)
			if err != nil {
				return nil, err
			}
			_, logAt, err := toolRunsFrom(logPath, 0)
			if err != nil {
				return nil, err
			}
			cpu0, err := pidCPUReaped(inst.Pid())
			if err != nil {
				return nil, err
			}
			own0, err := pidCPU(inst.Pid())
			if err != nil {
				return nil, err
			}
			clipID, playable, ready, polls, err := clipAndFollow(ctx, client, parentID, start, start+clip, fmt.Sprintf("clip %d", round+1))
			if err != nil {
				return nil, fmt.Errorf("clip, run %d: %w", round+1, err)
			}
			cpu1, err := pidCPUReaped(inst.Pid())
			if err != nil {
				return nil, err
			}
			own1, err := pidCPU(inst.Pid())
			if err != nil {
				return nil, err
			}
			// Every run that ended over the clip is in the CPU time
			// clipcut's children used (clipcut waited for it), whichever
			// video it ran for: the runs for other videos (a job of the
			// parent's still running when waitIdle gave up on a busy
			// machine: a running child's CPU shows only once reaped) are
			// taken off.
			runs, _, err := toolRunsFrom(logPath, logAt)
			if err != nil {
				return nil, err
			}
			steps := cutSteps(runs, clipID)
			var tools time.Duration
			for _, name := range cutStepNames {
				tools += steps[name].cpu
			}
			elsewhere := steps[cutStepElsewhere].cpu
			cpu1 -= elsewhere
			samples.Add("step:"+cutStepElsewhere, elsewhere.Seconds())
			// At most what clipcut spent of its own: the estimate is made
			// on a short idle stretch, and background work (River's, the
			// runtime's) is in both.
			polling := min(time.Duration(polls)*pollCost, own1-own0)
			samples.Add("clip_cpu_raw", (cpu1 - cpu0).Seconds())
			samples.Add("polls", float64(polls))
			samples.Add("step:"+cutStepPolls, polling.Seconds())
			cpu1 -= polling
			own1 -= polling
			for _, name := range cutStepNames {
				samples.Add("step:"+name, steps[name].cpu.Seconds())
				samples.Add("runs:"+name, float64(steps[name].runs))
			}
			samples.Add("step:"+cutStepOwn, (own1 - own0).Seconds())
			// The children clipcut waited for that logged no tool run
			// (none are expected; Postgres is not waited for until
			// clipcut stops), and the kernel's rounding of its counters.
			samples.Add("step:"+cutStepOther, (cpu1 - cpu0 - (own1 - own0) - tools).Seconds())
			env.Logger.Info("cut run steps", "round", round+1, "clip_cpu", (cpu1 - cpu0).String(), "own", (own1 - own0).String(),
				"polls", polls, "polling", polling.String(), "tools", tools.String(), "steps", fmt.Sprint(steps))
			bare, err := bareRangeCPU(ctx, env, src, start, clip, filepath.Join(env.Work, "cut-bare", fmt.Sprint(round)))
			if err != nil {
				return nil, fmt.Errorf("bare ladder, run %d: %w", round+1, err)
			}
			samples.Add("playable", playable.Seconds())
			samples.Add("ready", ready.Seconds())
			samples.Add("clip_cpu", (cpu1 - cpu0).Seconds())
			samples.Add("bare_cpu", bare.Seconds())
			samples.Add("ratio", (cpu1-cpu0).Seconds()/bare.Seconds())
			samples.Add("ratio_raw", (cpu1-cpu0+polling).Seconds()/bare.Seconds())
			env.Logger.Info("cut run", "round", round+1, "playable", playable.Round(10*time.Millisecond).String(),
				"ready", ready.Round(10*time.Millisecond).String(), "clip_cpu", (cpu1 - cpu0).Round(10*time.Millisecond).String(),
				"bare_cpu", bare.Round(10*time.Millisecond).String())
		}
		return cutSection(src, clip, samples), nil
	})
}

// uploadReady uploads src and waits until it is READY; it returns the
// video's id.
func uploadReady(ctx context.Context, c *instance.Client, src *Source) (string, error) {
	up, err := c.CreateUpload(ctx, "cut source", filepath.Base(src.Path), src.Size)
	if err != nil {
		return "", err
	}
	if err := c.PatchFile(ctx, up.URL, src.Path); err != nil {
		return "", err
	}
	deadline := time.Now().Add(2*time.Minute + 10*time.Duration(src.Seconds()*float64(time.Second)))
	for {
		st, err := c.VideoStatus(ctx, up.VideoID)
		switch {
		case err != nil:
			return "", err
		case st.Status == "READY":
			return up.VideoID, nil
		case st.Status == "FAILED":
			return "", fmt.Errorf("video %s FAILED at stage %s", up.VideoID, st.Stage)
		case time.Now().After(deadline):
			return "", fmt.Errorf("video %s not READY in time (stage %s)", up.VideoID, st.Stage)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// clipAndFollow asks for a clip and polls it until READY: the clip's id
// and the offsets from createClip's answer to playable and to READY.
func clipAndFollow(ctx context.Context, c *instance.Client, parent string, start, end float64, title string) (id string, playable, ready time.Duration, polls int, err error) {
	var out struct {
		CreateClip struct{ ID string } `json:"createClip"`
	}
	err = c.GraphQL(ctx, `mutation($input: CreateClipInput!) { createClip(input: $input) { id } }`,
		map[string]any{"input": map[string]any{"videoId": parent, "start": start, "end": end, "title": title}}, &out)
	if err != nil {
		return "", 0, 0, 0, err
	}
	t0 := time.Now()
	deadline := t0.Add(5 * time.Minute)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		st, err := c.VideoStatus(ctx, out.CreateClip.ID)
		polls++
		if err != nil {
			return "", 0, 0, 0, err
		}
		at := time.Since(t0)
		if st.Playable && playable == 0 {
			playable = at
		}
		switch st.Status {
		case "READY":
			return out.CreateClip.ID, playable, at, polls, nil
		case "FAILED":
			return "", 0, 0, 0, fmt.Errorf("clip %s FAILED at stage %s", out.CreateClip.ID, st.Stage)
		}
		if time.Now().After(deadline) {
			return "", 0, 0, 0, fmt.Errorf("clip %s not READY after %s (stage %s)", out.CreateClip.ID, at.Round(time.Second), st.Stage)
		}
		select {
		case <-ctx.Done():
			return "", 0, 0, 0, ctx.Err()
		case <-tick.C:
		}
	}
}

// statusPollCost is clipcut's own CPU time for one status poll: n polls
// of video id's status at the bench's interval, on an idle instance.
func statusPollCost(ctx context.Context, c *instance.Client, pid int, id string, n int) (time.Duration, error) {
	own0, err := pidCPU(pid)
	if err != nil {
		return 0, err
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for range n {
		if _, err := c.VideoStatus(ctx, id); err != nil {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-tick.C:
		}
	}
	own1, err := pidCPU(pid)
	if err != nil {
		return 0, err
	}
	return (own1 - own0) / time.Duration(n), nil
}

// bareRangeCPU re-encodes seconds [start, start+length) of src through the
// whole ladder (clipcut's transcode argv, the range cut at the input) and
// returns ffmpeg's CPU time.
func bareRangeCPU(ctx context.Context, env *Env, src *Source, start, length float64, out string) (time.Duration, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	defer os.RemoveAll(out)
	info := src.Info
	info.Duration = length
	ladder := media.PlanLadder(info, media.LadderOptions{})
	args := media.LadderArgs(src.Path, info, ladder, out, media.EncodeOptions{Preset: env.Preset})
	i := slices.Index(args, "-i")
	if i < 0 {
		return 0, fmt.Errorf("ladder argv has no -i")
	}
	args = slices.Insert(args, i, "-ss", fmt.Sprintf("%.3f", start), "-t", fmt.Sprintf("%.3f", length))
	cmd := exec.CommandContext(ctx, env.FFmpeg, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("ffmpeg: %w: %s", err, tailOf(string(b), 400))
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// waitIdle waits (at most max) until process pid and its reaped children
// use less than a twentieth of a core over a second.
func waitIdle(ctx context.Context, pid int, max time.Duration) {
	deadline := time.Now().Add(max)
	prev, err := pidCPUReaped(pid)
	for err == nil && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Second)
		var now time.Duration
		if now, err = pidCPUReaped(pid); err == nil && now-prev < 50*time.Millisecond {
			return
		}
		prev = now
	}
}

// pidCPUReaped is pidCPU plus the children the process has waited for
// (clipcut's ffmpeg runs).
func pidCPUReaped(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(b), true)
}

// The steps of a clip, as the cut benchmark reports them: every ffmpeg and
// ffprobe run clipcut logs a "tool run" line for is put in one by the
// line's tool and stage (cutStep); the rest of clipcut's CPU time is its
// own Go.
const (
	cutStepBoundary = "boundary pieces encoded (smart cut, all rungs)"
	cutStepJoin     = "segments joined into MP4s (stream copy)"
	cutStepHeads    = "segment heads copied (stream copy)"
	cutStepProbe    = "ffprobe"
	cutStepPoster   = "poster"
	cutStepBoard    = "storyboard"
	cutStepPreview  = "animated preview"
	cutStepFFOther  = "other tool runs"
	cutStepOwn      = "clipcut's own process (Go)"
	cutStepOther    = "children without a tool run line, and /proc's rounding"
	cutStepPolls    = "the bench's status polls (taken off)"
	// cutStepElsewhere are the tool runs for another video than the clip
	// that ended over it (not the clip's cost).
	cutStepElsewhere = "tool runs for other videos (the parent's jobs; taken off)"
)

// cutStepNames are the steps made of tool runs, in the table's order.
var cutStepNames = []string{cutStepBoundary, cutStepHeads, cutStepJoin, cutStepProbe, cutStepPoster, cutStepBoard, cutStepPreview, cutStepFFOther}

// cutStep names the step a tool run belongs to; the runs for another
// video than clip (a job of the parent's that was still running) are
// cutStepElsewhere. The stages are media's (the media function that ran
// the tool, in snake_case, unless the job named it with media.WithStage).
func cutStep(r toolRun, clip string) string {
	switch stage := r.Stage; {
	case r.VideoID != clip:
		return cutStepElsewhere
	case r.Tool == "ffprobe":
		return cutStepProbe
	case stage == "smart_cut" || stage == "smart_cut_each":
		return cutStepBoundary
	case stage == "copy_segment_heads":
		return cutStepHeads
	case stage == "join_segments" || stage == "join_segments_each":
		return cutStepJoin
	case strings.HasPrefix(stage, "poster"):
		return cutStepPoster
	case stage == "storyboard":
		return cutStepBoard
	case stage == "preview":
		return cutStepPreview
	}
	return cutStepFFOther
}

// cutStepCost is what the tool runs of one step cost.
type cutStepCost struct {
	cpu  time.Duration
	runs int
	// stages are the runs' "job_kind stage"s, for the log: a stage
	// renamed in media shows up among the other tool runs.
	stages map[string]int
}

func (c *cutStepCost) String() string {
	return fmt.Sprintf("%s in %d runs %v", c.cpu.Round(time.Millisecond), c.runs, c.stages)
}

// cutSteps groups tool runs into the steps of clip.
func cutSteps(runs []toolRun, clip string) map[string]*cutStepCost {
	steps := map[string]*cutStepCost{}
	for _, name := range append(slices.Clone(cutStepNames), cutStepElsewhere) {
		steps[name] = &cutStepCost{stages: map[string]int{}}
	}
	for _, r := range runs {
		st := steps[cutStep(r, clip)]
		st.cpu += r.CPU()
		st.runs++
		st.stages[r.JobKind+" "+r.Stage]++
	}
	return steps
}

func cutSection(src *Source, clip float64, s Samples) *Section {
	ratio, playable := s.Stat("ratio"), s.Stat("playable")
	sec := &Section{
		About: []string{
			fmt.Sprintf("A %.0f s clip from the middle of a %.0f s 1080p30 source (generated, uploaded and READY first) is asked for with createClip; "+
				"its time to playable and to READY is measured from createClip's answer, polling the status endpoint every %s. "+
				"Its CPU time is clipcut's own and that of the ffmpeg runs it waited for, over the clip (the server's Postgres is not counted). "+
				"The baseline re-encodes the same range through the whole ladder: clipcut's own transcode argv with -ss/-t at the input.",
				clip, src.Seconds(), pollInterval),
		},
		Tables: []Table{{
			Header: []string{"figure", "median (min–max)"},
			Rows: [][]string{
				{"createClip → playable, s", playable.Cell(2)},
				{"createClip → READY, s", s.Stat("ready").Cell(2)},
				{"clip CPU time, s", s.Stat("clip_cpu").Cell(2)},
				{"clip CPU time with the bench's status polls, s", s.Stat("clip_cpu_raw").Cell(2)},
				{"re-encoding the range through the ladder, CPU s", s.Stat("bare_cpu").Cell(2)},
				{"clip ÷ re-encode", ratio.Cell(2)},
				{"clip with the bench's status polls ÷ re-encode", s.Stat("ratio_raw").Cell(2)},
			},
		}},
	}
	// Where the clip's CPU time goes.
	steps := Table{Header: []string{"step of a clip", "runs", "CPU s, median (min–max)", "share of the clip's CPU"}}
	total := s.Stat("clip_cpu").Median
	for _, name := range append(slices.Clone(cutStepNames), cutStepOwn, cutStepOther, cutStepPolls, cutStepElsewhere) {
		st := s.Stat("step:" + name)
		if st.Max == 0 && st.Min == 0 {
			continue
		}
		runs := "–"
		if slices.Contains(cutStepNames, name) {
			runs = fmt.Sprintf("%.0f", s.Stat("runs:"+name).Median)
		}
		share := "–"
		if total > 0 && name != cutStepPolls && name != cutStepElsewhere {
			share = fmt.Sprintf("%.0f %%", 100*st.Median/total)
		}
		steps.Rows = append(steps.Rows, []string{name, runs, st.Cell(2), share})
	}
	steps.Rows = append(steps.Rows, []string{"clip CPU time (the steps above the polls)", "–", s.Stat("clip_cpu").Cell(2), "100 %"})
	sec.Tables = append(sec.Tables, steps)
	sec.About = append(sec.About, "Each ffmpeg and ffprobe run clipcut makes is logged by clipcut itself (a \"tool run\" line: its stage, job "+
		"and CPU time from the kernel's accounting of the child, its rusage); the steps below are the runs that ended over the clip, "+
		"grouped by their stage, clipcut's own CPU time is from /proc, and \""+cutStepOther+"\" is what the kernel counted for clipcut's "+
		"children beyond the logged runs (/proc's clock ticks against the runs' microseconds: near zero when every child logs its run). "+
		"What clipcut spends answering the bench's status polls (one every "+pollInterval.String()+" until READY) is taken off every figure: "+
		"the CPU time of one poll is measured on the idle parent (60 polls) before each clip, and multiplied by the clip's polls "+
		"(at most clipcut's own CPU time over the clip). So are the logged runs for other videos that ended over the clip "+
		"(a job of the parent's still running when the clip was asked for).")
	sec.Goals = append(sec.Goals,
		ratioGoal("clip CPU time ÷ re-encoding the range through the ladder", ratio.Median, 0.3, false,
			fmt.Sprintf("%.2f× (%.1f s vs %.1f s)", ratio.Median, s.Stat("clip_cpu").Median, s.Stat("bare_cpu").Median)),
		Goal{Figure: "createClip → playable", Target: "≤ 3 s", Measured: fmt.Sprintf("%.2f s", playable.Median),
			Status: map[bool]GoalStatus{true: Met, false: Missed}[playable.Median <= 3]},
	)
	if src.Seconds() < cutSourceLength.Seconds() {
		sec.Notes = append(sec.Notes, fmt.Sprintf("Smoke run: the source is %.0f s, not %.0f s.", src.Seconds(), cutSourceLength.Seconds()))
	}
	return sec
}
