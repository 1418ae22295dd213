package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/media"
)

// goalPlayable is issue 3's bound on the time from upload complete to
// playable, whatever the video's length.
const goalPlayable = 5 * time.Second

// pollInterval is how often the status endpoint is polled: the resolution
// of every pipeline figure.
const pollInterval = 50 * time.Millisecond

func pipelineBenchmark() Benchmark {
	return Benchmark{
		Name:  "pipeline",
		Title: "Transcoding: upload complete to playable and to READY",
		Run:   runPipeline,
	}
}

// pipelineSource is a clip the pipeline benchmark uploads.
type pipelineSource struct {
	key string
	src *Source
	// fullBaseline: run the bare ladder to the end for the READY baseline
	// (the short clip), or only until it is playable (the long clip,
	// which is there to show that time to playable does not grow with
	// length; its full baseline would double the benchmark's run time).
	fullBaseline bool
}

// Pipeline milestones, in the order a video reaches them; each is the
// first status poll that shows it (or a later one).
const (
	msProbe     = "probe job running"
	msTranscode = "probe done, transcode queued"
	msEncoding  = "ffmpeg reporting progress"
	msPlayable  = "playable"
	msLadder    = "ladder done, thumbnails running"
	msReady     = "READY"
)

var milestones = []string{msProbe, msTranscode, msEncoding, msPlayable, msLadder, msReady}

// runPipeline uploads generated clips to a clipcut started as its own
// process, and times each milestone from the moment the upload's final
// PATCH is answered. Side by side, the same ladder argv runs bare (no
// server, no jobs) on the same clip: the floor for playable (the first
// segment of every rung written) and for READY (the whole ladder).
func runPipeline(ctx context.Context, env *Env) (*Section, error) {
	short, err := env.Source(ctx, env.Duration)
	if err != nil {
		return nil, err
	}
	sources := []pipelineSource{{key: "short", src: short, fullBaseline: true}}
	if env.Long > 0 {
		long, err := env.Source(ctx, env.Long)
		if err != nil {
			return nil, err
		}
		sources = append(sources, pipelineSource{key: "long", src: long})
	}

	var tracingEnv []string
	var sink *traceSink
	if benchTracing() { // bench/tracing.go
		if sink, err = startTraceSink(); err != nil {
			return nil, err
		}
		defer sink.stop()
		tracingEnv = sink.env("clipcut-bench")
	}
	return withClipcut(ctx, env, "pipeline", tracingEnv, func(inst *instance.Instance, _ string) (*Section, error) {
		section, err := measurePipeline(ctx, env, inst, sources)
		if err == nil && sink != nil {
			section.Notes = append(section.Notes, sink.note()+" Compare with a run without CLIPCUT_BENCH_TRACING.")
		}
		return section, err
	})
}

func measurePipeline(ctx context.Context, env *Env, inst *instance.Instance, sources []pipelineSource) (*Section, error) {
	client := inst.Client()
	if err := client.SignUp(ctx, "bench@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	runs := map[string][]pipelineRun{}
	floors, whatIfs, bareWalls, serverCPU := Samples{}, Samples{}, Samples{}, Samples{}
	for round := range env.Runs {
		for _, s := range sources {
			// clipcut's own CPU (its ffmpeg and ffprobe children not
			// counted): where tracing, when on, does its work.
			cpu0, err := pidCPU(inst.Pid())
			if err != nil {
				return nil, err
			}
			r, err := uploadAndFollow(ctx, client, s.src, fmt.Sprintf("bench %s %d", s.key, round+1))
			if err != nil {
				return nil, fmt.Errorf("%s clip, run %d: %w", s.key, round+1, err)
			}
			cpu1, err := pidCPU(inst.Pid())
			if err != nil {
				return nil, err
			}
			serverCPU.Add(s.key, (cpu1 - cpu0).Seconds())
			runs[s.key] = append(runs[s.key], r)

			ladder := media.PlanLadder(s.src.Info, media.LadderOptions{})
			out := filepath.Join(env.Work, "pipeline-bare", fmt.Sprintf("%s-%d", s.key, round))
			args := media.LadderArgs(s.src.Path, s.src.Info, ladder, out, media.EncodeOptions{Preset: env.Preset})
			floor, wall, err := bareLadder(ctx, env, args, ladder, out, s.fullBaseline)
			if err != nil {
				return nil, fmt.Errorf("%s clip, bare ladder run %d: %w", s.key, round+1, err)
			}
			floors.Add(s.key, floor.Seconds())
			if s.fullBaseline {
				bareWalls.Add(s.key, wall.Seconds())
			}
			whatIf := time.Duration(0)
			whatIfOut := out + "-whatif"
			whatIfArgs := media.LadderArgs(s.src.Path, s.src.Info, ladder, whatIfOut, media.EncodeOptions{Preset: env.Preset})
			if args, ok := oneFirstSegmentArgs(whatIfArgs, 4); ok {
				if whatIf, _, err = bareLadder(ctx, env, args, ladder, whatIfOut, false); err != nil {
					return nil, fmt.Errorf("%s clip, what-if run %d: %w", s.key, round+1, err)
				}
				whatIfs.Add(s.key, whatIf.Seconds())
			}
			for _, dir := range []string{out, whatIfOut} {
				if err := os.RemoveAll(dir); err != nil {
					return nil, err
				}
			}
			env.Logger.Info("pipeline run", "clip", s.key, "round", round+1,
				"playable", r.at[msPlayable].Round(10*time.Millisecond).String(),
				"ready", r.at[msReady].Round(10*time.Millisecond).String(),
				"bare_first_segments", floor.Round(10*time.Millisecond).String(),
				"bare_wall", wall.Round(10*time.Millisecond).String(),
				"whatif_first_segments", whatIf.Round(10*time.Millisecond).String(),
				"clipcut_cpu", (cpu1 - cpu0).String())
		}
	}
	return pipelineSection(env, sources, runs, floors, whatIfs, bareWalls, serverCPU), nil
}

// pipelineRun is one upload's milestones, as offsets from the moment the
// final PATCH returned 204.
type pipelineRun struct {
	at map[string]time.Duration
}

// uploadAndFollow creates an upload, sends the clip in one PATCH, then
// polls the status endpoint every pollInterval until READY.
func uploadAndFollow(ctx context.Context, c *instance.Client, src *Source, title string) (pipelineRun, error) {
	up, err := c.CreateUpload(ctx, title, filepath.Base(src.Path), src.Size)
	if err != nil {
		return pipelineRun{}, err
	}
	if err := c.PatchFile(ctx, up.URL, src.Path); err != nil {
		return pipelineRun{}, err
	}
	t0 := time.Now()
	// Generous: a loaded two-core machine encodes a 1080p ladder at about
	// real time; ten times that means something is stuck.
	deadline := t0.Add(2*time.Minute + 10*time.Duration(src.Seconds()*float64(time.Second)))
	run := pipelineRun{at: map[string]time.Duration{}}
	reached := func(ms string, ok bool, at time.Duration) {
		if _, seen := run.at[ms]; ok && !seen {
			run.at[ms] = at
		}
	}
	stageRank := map[string]int{"queued": 0, "probe": 1, "transcode": 2, "thumbnails": 3, "done": 4}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		st, err := c.VideoStatus(ctx, up.VideoID)
		if err != nil {
			return run, err
		}
		at := time.Since(t0)
		rank := stageRank[st.Stage]
		reached(msProbe, rank >= 1, at)
		reached(msTranscode, rank >= 2, at)
		// The transcode job reports 5% when it starts and more once ffmpeg
		// prints progress.
		reached(msEncoding, rank >= 3 || rank == 2 && st.Percent > 5, at)
		reached(msPlayable, st.Playable, at)
		reached(msLadder, rank >= 3, at)
		switch st.Status {
		case "READY":
			reached(msReady, true, at)
			return run, nil
		case "FAILED":
			reason := ""
			if st.Error != nil {
				reason = *st.Error
			}
			return run, fmt.Errorf("video %s FAILED at stage %s: %s", up.VideoID, st.Stage, reason)
		}
		if time.Now().After(deadline) {
			return run, fmt.Errorf("video %s not READY after %s (status %s, stage %s, %.0f%%)",
				up.VideoID, at.Round(time.Second), st.Status, st.Stage, st.Percent)
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-tick.C:
		}
	}
}

// bareLadder runs args (a ladder encode writing HLS under out) through
// media.Transcode with no server around it, and reports when every rung's
// playlist first lists a segment (the earliest a playable-early design
// with these segments could publish) and, when full, the whole encode's
// wall time; otherwise it stops ffmpeg at the first segments.
func bareLadder(ctx context.Context, env *Env, args []string, ladder []media.Rendition, out string, full bool) (firstSegments, wall time.Duration, err error) {
	encodeCtx, stopEncode := context.WithCancel(ctx)
	defer stopEncode()
	stopWatch := make(chan struct{})
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first time.Duration
	)
	t0 := time.Now()
	wg.Go(func() {
		tick := time.NewTicker(pollInterval)
		defer tick.Stop()
		for {
			select {
			case <-stopWatch:
				return
			case <-tick.C:
			}
			if everyRungHasASegment(out, ladder) {
				mu.Lock()
				first = time.Since(t0)
				mu.Unlock()
				if !full {
					stopEncode()
				}
				return
			}
		}
	})
	err = media.Transcode(encodeCtx, env.FFmpeg, args, nil)
	wall = time.Since(t0)
	close(stopWatch)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if first == 0 && err == nil && everyRungHasASegment(out, ladder) {
		first = wall // finished between two looks
	}
	if first == 0 {
		if err == nil {
			err = errors.New("ffmpeg exited")
		}
		return 0, 0, fmt.Errorf("no segment in every rung: %w", err)
	}
	if !full && errors.Is(err, context.Canceled) && ctx.Err() == nil {
		err = nil
	}
	return first, wall, err
}

// oneFirstSegmentArgs is the comparison behind fast start: clipcut's
// ladder argv with its 1-second first segments undone, so the first
// segment is seg seconds long like every other (a keyframe forced at
// every multiple of seg from the start, no -hls_init_time). ok is false
// when the argv no longer has the options this rewrites.
func oneFirstSegmentArgs(args []string, seg int) (_ []string, ok bool) {
	out := make([]string, 0, len(args))
	var keyframes, initTime bool
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-force_key_frames" && i+1 < len(args):
			out = append(out, args[i], fmt.Sprintf("expr:gte(t,n_forced*%d)", seg))
			i++
			keyframes = true
		case args[i] == "-hls_init_time" && i+1 < len(args):
			i++
			initTime = true
		default:
			out = append(out, args[i])
		}
	}
	return out, keyframes && initTime
}

func everyRungHasASegment(dir string, ladder []media.Rendition) bool {
	for _, r := range ladder {
		pl, err := media.ReadMediaPlaylist(filepath.Join(dir, r.Name, media.MediaPlaylistName))
		if err != nil || len(pl.Segments) == 0 {
			return false
		}
	}
	return true
}

func pipelineSection(env *Env, sources []pipelineSource, runs map[string][]pipelineRun, floors, whatIfs, bareWalls, serverCPU Samples) *Section {
	main := Table{Header: []string{
		"clip", "upload → playable s", "bare ffmpeg → first segment of every rung s", "upload → READY s",
		"READY ÷ duration", "bare ladder wall s", "READY ÷ bare ladder",
	}}
	breakdown := Table{
		Caption: "Where the time goes: each milestone's median, in seconds after the upload's final PATCH returned 204.",
		Header:  append([]string{"clip"}, milestones...),
	}
	whatIf := Table{
		Caption: "What fast start buys: clipcut cuts the first 4 s into 1-second segments (keyframes forced every second until 4 s " +
			"on every rung, `-hls_init_time 1`); the same bare ladder without it (one 4-second first segment), time to the first " +
			"segment of every rung.",
		Header: []string{"clip", "bare ffmpeg, 1 s first segments (clipcut) s", "bare ffmpeg, one 4 s first segment s"},
	}
	var goals []Goal
	var readyFractions []string
	// The bare ladder's speed (× real time) from the clip encoded in full;
	// the ladder and the machine are the same for every clip.
	speed := 0.0
	for _, s := range sources {
		if s.fullBaseline {
			speed = s.src.Seconds() / bareWalls.Stat(s.key).Median
		}
	}
	for _, s := range sources {
		dur := s.src.Seconds()
		ms := Samples{}
		frac := []float64{}
		for _, r := range runs[s.key] {
			for _, m := range milestones {
				if d, ok := r.at[m]; ok {
					ms.Add(m, d.Seconds())
				}
			}
			frac = append(frac, r.at[msReady].Seconds()/dur)
		}
		clip := fmt.Sprintf("%.0f s 1080p30", dur)
		readyRatio, bareCell := "–", "not measured (would double the run time)"
		if s.fullBaseline {
			bareCell = bareWalls.Stat(s.key).Cell(1)
			readyRatio = fmt.Sprintf("%.2f×", ms.Stat(msReady).Median/bareWalls.Stat(s.key).Median)
		}
		main.Rows = append(main.Rows, []string{
			clip, ms.Stat(msPlayable).Cell(2), floors.Stat(s.key).Cell(2), ms.Stat(msReady).Cell(1),
			statOf(frac).Cell(2), bareCell, readyRatio,
		})
		row := []string{clip}
		for _, m := range milestones {
			if len(ms[m]) == 0 {
				row = append(row, "not seen")
				continue
			}
			row = append(row, fmt.Sprintf("%.2f", ms.Stat(m).Median))
		}
		breakdown.Rows = append(breakdown.Rows, row)
		if len(whatIfs[s.key]) > 0 {
			whatIf.Rows = append(whatIf.Rows, []string{clip, floors.Stat(s.key).Cell(2), whatIfs.Stat(s.key).Cell(2)})
		}

		playable := ms.Stat(msPlayable)
		g := Goal{
			Figure:   fmt.Sprintf("upload complete → playable, %s clip", clip),
			Target:   fmt.Sprintf("≤ %.0f s", goalPlayable.Seconds()),
			Measured: fmt.Sprintf("%.2f s (%.2f–%.2f)", playable.Median, playable.Min, playable.Max),
			Status:   Met,
		}
		if playable.Median > goalPlayable.Seconds() {
			g.Status = Missed
			g.Limit = limitPlayable(ms, floors.Stat(s.key).Median, whatIfs.Stat(s.key), speed)
		}
		goals = append(goals, g)
		readyFractions = append(readyFractions, fmt.Sprintf("%.2f× (%s)", statOf(frac).Median, clip))
	}
	goals = append(goals, Goal{
		Figure:   "upload complete → READY, as a fraction of the video's duration",
		Target:   "reported (no target in issue 3)",
		Measured: strings.Join(readyFractions, ", "),
		Status:   Reported,
	})
	tables := []Table{main, breakdown}
	if len(whatIf.Rows) > 0 {
		tables = append(tables, whatIf)
	}
	if len(serverCPU) > 0 {
		cpu := Table{
			Caption: "clipcut's own CPU per upload, from the final PATCH to READY (its ffmpeg and ffprobe runs not counted): " +
				"what tracing, with CLIPCUT_BENCH_TRACING=on, adds to; compare a run with it and one without.",
			Header: []string{"clip", "clipcut process CPU s"},
		}
		for _, s := range sources {
			cpu.Rows = append(cpu.Rows, []string{fmt.Sprintf("%.0f s 1080p30", s.src.Seconds()), serverCPU.Stat(s.key).Cell(2)})
		}
		tables = append(tables, cpu)
	}

	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ", its own private Postgres under a scratch directory, " +
				"listening on loopback, x264 preset `" + env.Preset + "`). The harness signs up through GraphQL, calls `createUpload`, " +
				"sends the whole clip in one tus PATCH to the returned `uploadUrl`, and from the moment that PATCH is answered 204 polls " +
				fmt.Sprintf("`GET /api/v1/videos/{id}/status` every %d ms until `status` is READY; each figure is the first poll that shows it ", pollInterval.Milliseconds()) +
				fmt.Sprintf("(resolution about %d ms). %s per clip, interleaved.", pollInterval.Milliseconds(), plural(env.Runs, "run")),
			"Baseline, run right after each upload on the same clip: the argv clipcut's transcode job runs (`media.LadderArgs` via " +
				"`media.Transcode`) with no server, no jobs and no storage copy. Its time to the first segment of every rung is the " +
				"floor for playable; its full wall time (short clip only) is the floor for READY.",
		},
		Tables: tables,
		Goals:  goals,
		Notes: []string{
			"READY includes the poster and storyboard job and the subtitles job after the ladder (the instance's default engine, " +
				"pocketsphinx when installed; the clip's audio is a sine tone, so it finds no speech).",
			"The long clip is there to show that time to playable does not grow with length; only its first segments are encoded bare.",
		},
	}
}

// limitPlayable explains a missed playable goal by splitting the time
// into what happens before the transcode job is queued (probe job), the
// encode of the first segment of every rung (measured bare: the floor for
// this segment length), and the rest (transcode job pickup, second probe,
// ffmpeg start-up, the syncer's half-second tick, copying to storage and
// the database update), and names the largest. whatIf is the bare floor
// without fast start (one 4-second first segment).
func limitPlayable(ms Samples, floor float64, whatIf Stat, speed float64) string {
	playable := ms.Stat(msPlayable).Median
	before := ms.Stat(msTranscode).Median
	rest := playable - before - floor
	restText := fmt.Sprintf("%.2f s is the rest", rest)
	if rest < 0.1 {
		restText = "the rest is within the runs' spread"
	}
	parts := fmt.Sprintf("Of %.2f s: %.2f s until the probe job has run and queued the transcode; %.2f s is what ffmpeg alone needs "+
		"to finish the first (1-second) segment of all five rungs (bare floor); %s (transcode job pickup, its own probe, "+
		"ffmpeg start-up, the segment syncer's half-second tick, copying to storage, setting playable).", playable, before, floor, restText)
	if floor < before || floor < rest {
		if rest >= before {
			return parts + " The pipeline's own overhead after the probe dominates: job pickup, the second probe and the syncer's tick."
		}
		return parts + " Job pickup and probing before the transcode dominate."
	}
	s := parts + " The floor dominates: the single-process ladder advances every rung in lockstep and a segment is only " +
		"listed once the keyframe that ends it (plus x264's lookahead) is encoded"
	if speed > 0 {
		s += fmt.Sprintf(", here at %.2f× real time for the whole ladder", speed)
	}
	if whatIf.N > 0 {
		s += fmt.Sprintf(" (with one 4-second first segment the floor would be %.2f s)", whatIf.Median)
	}
	return s + "."
}

// binaryOrigin says which clipcut was measured.
func binaryOrigin(env *Env) string {
	if env.Clipcut != "" {
		return "the binary `" + env.Clipcut + "`"
	}
	return "built from this tree with `go build ./server`"
}
