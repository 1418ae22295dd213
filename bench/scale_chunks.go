package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/bench/instance"
)

const (
	// chunkScaleClip is the long video the chunked-encoding benchmark
	// encodes (the 90 s 1080p source).
	chunkScaleClip = 90 * time.Second
	// chunkScaleChunk is CLIPCUT_TRANSCODE_CHUNK_SECONDS for the chunked
	// runs: clipcut's default.
	chunkScaleChunk = 30
	// chunkSourceEnv shortens the source for a smoke run of the
	// benchmark (a Go duration, at least 12s); the chunks shrink with it
	// so that it is still cut into three.
	chunkSourceEnv = "BENCH_CHUNKS_SOURCE"
	// chunkRunsEnv picks runs by number (0 unchunked, 1 one worker
	// chunked, 2 two workers, 3 two workers with a kill; comma-separated)
	// for measuring one change quickly; the goals need all four.
	chunkRunsEnv = "BENCH_CHUNKS_RUNS"
)

func chunkScaleBenchmark() Benchmark {
	return Benchmark{
		Name:  "scale-chunks",
		Title: "One long video on 1 and 2 worker processes: chunked encoding, the cost of a killed worker and its recovery time",
		Run:   runChunkScale,
	}
}

// chunkScaleSource is the source length and chunk length to run with:
// the figures, or a shorter source from chunkSourceEnv.
func chunkScaleSource() (time.Duration, int, error) {
	d := chunkScaleClip
	if v := os.Getenv(chunkSourceEnv); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 12*time.Second {
			return 0, 0, fmt.Errorf("%s=%q: want a duration of at least 12s", chunkSourceEnv, v)
		}
	}
	chunk := chunkScaleChunk
	if d < 3*chunkScaleChunk*time.Second {
		// Whole 4-s segments: PlanChunks rounds up to them anyway.
		chunk = max(4, int(d.Seconds()/3)/4*4)
	}
	return d, chunk, nil
}

// chunkPlan is one run's setup.
type chunkPlan struct {
	workers, chunkSeconds int
	// kill: SIGKILL a worker halfway through the encode (half the READY
	// time of the same run without a kill) and start a new one at once
	// on the same core, as a container's restart policy does.
	kill bool
}

// chunkRun is one encode of the long video.
type chunkRun struct {
	chunkPlan
	// playable and ready run from the upload's last byte.
	playable, ready time.Duration
	// workerCPU is the workers' CPU, ffmpeg included (without a killed
	// worker's); busy the whole machine's busy cores over the run (other
	// processes included).
	workerCPU time.Duration
	busy      float64
	// For a run with a kill: when it came, and, from River's record of
	// the chunk the killed worker was encoding, how long after it the
	// chunk was back in the queue (the liveness check's error entry) and
	// running again in another process.
	killedAt, returned, rerun time.Duration
	// jobs is River's record of the video's jobs (see readVideoJobs).
	jobs videoJobs
	// cpuStart is the workers' CPU when the upload began (see
	// measureLongVideo); cost is where it went (see readChunkCost), for
	// runs without a kill.
	cpuStart time.Duration
	cost     *chunkCost
}

func (r chunkRun) label() string {
	chunks := "unchunked"
	if r.chunkSeconds > 0 {
		chunks = fmt.Sprintf("chunks of %d s", r.chunkSeconds)
	}
	label := fmt.Sprintf("%d worker(s), %s", r.workers, chunks)
	if r.kill {
		label += ", one SIGKILLed halfway"
	}
	return label
}

// runChunkScale encodes one long 1080p video four times: on one worker
// pinned to one core without chunks, then with chunks, then on two
// workers pinned to a core each with chunks, and that again with one of
// the two killed halfway.
func runChunkScale(ctx context.Context, env *Env) (*Section, error) {
	length, chunk, err := chunkScaleSource()
	if err != nil {
		return nil, err
	}
	clip, err := env.Source(ctx, length)
	if err != nil {
		return nil, err
	}
	bin, err := env.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	st, c, err := startScaleStack(ctx, env, bin, "chunks")
	if err != nil {
		return nil, err
	}
	defer st.stop()
	conn, err := pgx.Connect(ctx, st.api.DatabaseURL())
	if err != nil {
		return nil, fmt.Errorf("connect to the api's database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var runs []chunkRun
	var twoWorkers time.Duration // the READY time the kill run is timed from
	for n, plan := range []chunkPlan{{1, 0, false}, {1, chunk, false}, {2, chunk, false}, {2, chunk, true}} {
		if v := os.Getenv(chunkRunsEnv); v != "" && !slices.Contains(strings.Split(v, ","), strconv.Itoa(n)) {
			continue
		}
		if plan.kill && twoWorkers == 0 {
			return nil, fmt.Errorf("%s: the kill run needs run 2 (two workers) first", chunkRunsEnv)
		}
		r := chunkRun{chunkPlan: plan}
		firstLog := len(st.logs) // this run's workers' logs
		for i := range plan.workers {
			if _, err := st.addPinnedWorker(ctx, i, plan.chunkSeconds); err != nil {
				return nil, err
			}
		}
		var k *chunkKill
		if plan.kill {
			k = &chunkKill{st: st, conn: conn, chunk: chunk, at: twoWorkers / 2}
		}
		video, t0, err := measureLongVideo(ctx, st, c, clip, &r, k)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\napi log ends:\n%s", r.label(), err, st.api.LogTail(10))
		}
		// The last chunk's job is recorded completed after READY can
		// come (River completes jobs in batches): read once every job of
		// the video has ended.
		if err := waitVideoJobs(ctx, conn, video); err != nil {
			return nil, err
		}
		if r.jobs, err = readVideoJobs(ctx, conn, video, t0, r.ready); err != nil {
			return nil, err
		}
		if err := logVideoJobs(ctx, env, conn, video, t0, r.label()); err != nil {
			return nil, err
		}
		if k != nil {
			if err := k.recovery(ctx, &r); err != nil {
				return nil, err
			}
		} else {
			if r.cost, err = readChunkCost(ctx, st, conn, video, st.logs[firstLog:], r.cpuStart); err != nil {
				return nil, fmt.Errorf("%s: %w", r.label(), err)
			}
			env.Logger.Info("scale-chunks cost", "run", r.label(), "cost", r.cost.String())
		}
		env.Logger.Info("scale-chunks", "run", r.label(), "ready_s", r.ready.Seconds(), "playable_s", r.playable.Seconds(),
			"worker_cpu_s", r.workerCPU.Seconds(), "machine_busy_cores", r.busy, "returned_s", r.returned.Seconds(), "rerun_s", r.rerun.Seconds(),
			"jobs", r.jobs.String())
		runs = append(runs, r)
		if plan.workers == 2 && !plan.kill {
			twoWorkers = r.ready
		}
		st.stopWorkers()
	}
	return chunkScaleSection(env, length, runs), nil
}

// addPinnedWorker starts a worker with the given chunk length (0: no
// chunks) pinned to core i (modulo the cores there are); its ffmpeg
// children inherit the pinning.
func (s *scaleStack) addPinnedWorker(ctx context.Context, i, chunkSeconds int) (*instance.Instance, error) {
	// JSON logs: readChunkCost reads the workers' tool runs from them.
	w, err := s.addWorker(ctx, fmt.Sprintf("CLIPCUT_TRANSCODE_CHUNK_SECONDS=%d", chunkSeconds), "CLIPCUT_LOG_FORMAT=json")
	if err != nil {
		return nil, err
	}
	cpu := i % runtime.NumCPU()
	if out, err := exec.CommandContext(ctx, "taskset", "-a", "-cp", strconv.Itoa(cpu), strconv.Itoa(w.Pid())).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("taskset: %w: %s", err, out)
	}
	return w, nil
}

// chunkKill kills, once the run has gone on for at, the worker encoding a
// chunk of the video, and starts its replacement on the same core.
type chunkKill struct {
	st    *scaleStack
	conn  *pgx.Conn
	chunk int
	at    time.Duration

	video    string
	done     bool
	job      int64
	killedAt time.Time
	since    time.Duration // from the upload's last byte
}

// poll kills when it is time and a worker is encoding a chunk; a moment
// between two chunks waits for the next poll.
func (k *chunkKill) poll(ctx context.Context, video string, elapsed time.Duration) error {
	if k.done || elapsed < k.at {
		return nil
	}
	rows, err := k.conn.Query(ctx, `SELECT id, attempted_by[array_length(attempted_by, 1)] FROM river_job
		WHERE kind = 'transcode_chunk' AND state = 'running' AND args->>'video_id' = $1 ORDER BY id`, video)
	if err != nil {
		return fmt.Errorf("running chunks: %w", err)
	}
	type running struct {
		ID     int64
		Client string
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[running])
	if err != nil {
		return fmt.Errorf("running chunks: %w", err)
	}
	for _, j := range jobs {
		for i, w := range k.st.workers {
			// River client ids are host-PID-random (jobs.Liveness).
			if !strings.Contains(j.Client, fmt.Sprintf("-%d-", w.Pid())) {
				continue
			}
			if err := syscall.Kill(w.Pid(), syscall.SIGKILL); err != nil {
				return fmt.Errorf("kill worker: %w", err)
			}
			// Its ffmpeg dies with it (media runs ffmpeg with a parent
			// death signal).
			k.killedAt, k.since, k.job, k.video, k.done = time.Now(), elapsed, j.ID, video, true
			k.st.workers = append(k.st.workers[:i:i], k.st.workers[i+1:]...)
			if _, err := k.st.addPinnedWorker(ctx, i, k.chunk); err != nil {
				return fmt.Errorf("restart the killed worker: %w", err)
			}
			return nil
		}
	}
	return nil
}

// recovery reads River's record of the killed chunk: when the liveness
// check returned it to the queue, and when it started again.
func (k *chunkKill) recovery(ctx context.Context, r *chunkRun) error {
	if !k.done {
		return errors.New("no worker was encoding a chunk after half the run: nothing was killed")
	}
	var rerunAt, returnedAt time.Time
	var attempt int
	err := k.conn.QueryRow(ctx, `SELECT attempt, attempted_at, (errors[array_length(errors, 1)]->>'at')::timestamptz
		FROM river_job WHERE id = $1`, k.job).Scan(&attempt, &rerunAt, &returnedAt)
	if err != nil {
		return fmt.Errorf("the killed chunk's job: %w", err)
	}
	if attempt < 2 {
		return fmt.Errorf("the killed chunk's job %d ran %d time(s)", k.job, attempt)
	}
	r.killedAt, r.returned, r.rerun = k.since, returnedAt.Sub(k.killedAt), rerunAt.Sub(k.killedAt)
	return nil
}

// measureLongVideo uploads clip and times it to playable and to READY;
// with kill, it polls it along the way. It returns the video's id and
// when its upload's last byte arrived.
func measureLongVideo(ctx context.Context, st *scaleStack, c *instance.Client, clip *Source, r *chunkRun, kill *chunkKill) (string, time.Time, error) {
	fail := func(err error) (string, time.Time, error) { return "", time.Time{}, err }
	up, err := c.CreateUpload(ctx, "long", filepath.Base(clip.Path), clip.Size)
	if err != nil {
		return fail(err)
	}
	cpu0, busy0 := st.workersCPU(), machineBusy()
	if err := c.PatchFile(ctx, up.URL, clip.Path); err != nil {
		return fail(err)
	}
	t0 := time.Now()
	deadline := t0.Add(10 * time.Minute)
	for {
		s, err := c.VideoStatus(ctx, up.VideoID)
		if err != nil {
			return fail(err)
		}
		if s.Playable && r.playable == 0 {
			r.playable = time.Since(t0)
		}
		if s.Status == "READY" {
			r.ready = time.Since(t0)
			break
		}
		if s.Status == "FAILED" {
			return fail(fmt.Errorf("video %s FAILED at %s", up.VideoID, s.Stage))
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("video %s not READY after 10 minutes", up.VideoID))
		}
		if kill != nil {
			cpuBefore := st.workersCPU()
			if err := kill.poll(ctx, up.VideoID, time.Since(t0)); err != nil {
				return fail(err)
			}
			// The killed worker's CPU leaves the sum with it.
			cpu0 -= cpuBefore - st.workersCPU()
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	r.workerCPU = st.workersCPU() - cpu0
	r.cpuStart = cpu0
	r.busy = (machineBusy() - busy0).Seconds() / r.ready.Seconds()
	return up.VideoID, t0, nil
}

// videoJobs is River's record of one video's processing, in seconds
// from its upload's last byte.
type videoJobs struct {
	// firstChunk is when the first chunk (or the unchunked transcode)
	// started, lastChunk when the last one finished.
	firstChunk, lastChunk float64
	// chunks are the chunks' run times in order, and workers the time
	// each process spent on chunks.
	chunks  []float64
	workers []float64
	// after is from the last chunk's end to READY: thumbnails, preview
	// and subtitles, one after another on the media queue.
	after float64
}

func (j videoJobs) String() string {
	if len(j.chunks) == 0 {
		return "no transcode recorded"
	}
	return fmt.Sprintf("transcode from %.1f s to %.1f s (jobs of %s s; per worker %s s), then %.1f s to READY",
		j.firstChunk, j.lastChunk, floats(j.chunks), floats(j.workers), j.after)
}

// waitVideoJobs waits, up to two minutes, until no media job of video is
// open.
func waitVideoJobs(ctx context.Context, conn *pgx.Conn, video string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var open int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = 'media' AND args->>'video_id' = $1
			AND finalized_at IS NULL`, video).Scan(&open); err != nil {
			return fmt.Errorf("the video's open jobs: %w", err)
		}
		if open == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("video %s still has %d media jobs 2 minutes after READY", video, open)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// logVideoJobs logs every media job of video as it ran (its last
// attempt), in seconds from t0, with the process that ran it: the
// timeline behind the per-worker split.
func logVideoJobs(ctx context.Context, env *Env, conn *pgx.Conn, video string, t0 time.Time, run string) error {
	rows, err := conn.Query(ctx, `SELECT kind, coalesce((args->'chunk'->>'index')::int, -1), attempted_at, finalized_at,
		coalesce(attempted_by[array_length(attempted_by, 1)], '') FROM river_job
		WHERE queue = 'media' AND args->>'video_id' = $1 AND attempted_at IS NOT NULL ORDER BY attempted_at`, video)
	if err != nil {
		return fmt.Errorf("the video's jobs: %w", err)
	}
	type ran struct {
		Kind       string
		Chunk      int
		Start, End time.Time
		Client     string
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ran])
	if err != nil {
		return fmt.Errorf("the video's jobs: %w", err)
	}
	for _, j := range jobs {
		env.Logger.Info("scale-chunks job", "run", run, "kind", j.Kind, "chunk", j.Chunk,
			"start_s", j.Start.Sub(t0).Seconds(), "end_s", j.End.Sub(t0).Seconds(), "client", j.Client)
	}
	return nil
}

// readVideoJobs reads when each transcode job of video ran (its last
// attempt), relative to t0, the upload's last byte.
func readVideoJobs(ctx context.Context, conn *pgx.Conn, video string, t0 time.Time, ready time.Duration) (videoJobs, error) {
	rows, err := conn.Query(ctx, `SELECT attempted_at, finalized_at, attempted_by[array_length(attempted_by, 1)] FROM river_job
		WHERE kind IN ('transcode', 'transcode_chunk') AND state = 'completed' AND args->>'video_id' = $1
		ORDER BY (args->'chunk'->>'index')::int NULLS FIRST`, video)
	if err != nil {
		return videoJobs{}, fmt.Errorf("the video's jobs: %w", err)
	}
	type span struct {
		Start, End time.Time
		Client     string
	}
	spans, err := pgx.CollectRows(rows, pgx.RowToStructByPos[span])
	if err != nil {
		return videoJobs{}, fmt.Errorf("the video's jobs: %w", err)
	}
	var j videoJobs
	perWorker := map[string]float64{}
	var clients []string
	first := true
	for i, s := range spans {
		if i == 0 && len(spans) > 1 {
			continue // the planning transcode job
		}
		start, end := s.Start.Sub(t0).Seconds(), s.End.Sub(t0).Seconds()
		if first || start < j.firstChunk {
			j.firstChunk = start
		}
		first = false
		j.lastChunk = max(j.lastChunk, end)
		j.chunks = append(j.chunks, end-start)
		if _, ok := perWorker[s.Client]; !ok {
			clients = append(clients, s.Client)
		}
		perWorker[s.Client] += end - start
	}
	for _, c := range clients {
		j.workers = append(j.workers, perWorker[c])
	}
	j.after = ready.Seconds() - j.lastChunk
	return j, nil
}

func chunkScaleSection(env *Env, length time.Duration, runs []chunkRun) *Section {
	t := Table{
		Caption: fmt.Sprintf("A %s 1080p30 upload to READY (preset ultrafast, subtitles off), each worker pinned to one core", length),
		Header:  []string{"run", "playable (s)", "READY (s)", "worker CPU incl. ffmpeg (s)", "whole machine busy (cores)", "killed at (s)", "killed chunk back in the queue after (s)", "running again after (s)"},
	}
	for _, r := range runs {
		killed, returned, rerun := "–", "–", "–"
		if r.kill {
			killed, returned, rerun = fmt.Sprintf("%.1f", r.killedAt.Seconds()), fmt.Sprintf("%.1f", r.returned.Seconds()), fmt.Sprintf("%.1f", r.rerun.Seconds())
		}
		t.Rows = append(t.Rows, []string{r.label(), fmt.Sprintf("%.1f", r.playable.Seconds()), fmt.Sprintf("%.1f", r.ready.Seconds()),
			fmt.Sprintf("%.1f", r.workerCPU.Seconds()), fmt.Sprintf("%.2f", r.busy), killed, returned, rerun})
	}
	var goals []Goal
	if len(runs) == 4 {
		goals = chunkScaleGoals(runs[0], runs[1], runs[2], runs[3])
	}
	notes := []string{
		"One run each, on a machine shared with other work: the busy column shows how much else ran.",
		"The crash run's worker CPU leaves out the killed worker's, which its death took with it.",
	}
	for _, r := range runs {
		notes = append(notes, fmt.Sprintf("Jobs, %s: %s.", r.label(), r.jobs))
	}
	if len(runs) >= 2 && runs[0].chunkSeconds == 0 && runs[1].chunkSeconds > 0 && runs[1].workers == 1 {
		if n := chunkOverheadNote(runs[0], runs[1]); n != "" {
			notes = append(notes, n)
		}
	}
	if length != chunkScaleClip {
		notes = append([]string{fmt.Sprintf("**Smoke run**: the source was shortened to %s with %s (chunks of %d s); "+
			"the issue's figures are for a %s source with chunks of %d s, to be measured on an idle machine.",
			length, chunkSourceEnv, runs[len(runs)-1].chunkSeconds, chunkScaleClip, chunkScaleChunk)}, notes...)
	}
	return &Section{
		About: []string{
			"`clipcut api` with its private PostgreSQL and local media, and `clipcut worker` processes on the same database and data directory, " +
				"one media job at a time each, every worker (and so its ffmpeg children) pinned to its own core with `taskset`. " +
				fmt.Sprintf("One %s upload per run; time from its last byte to playable and to READY (status polled every %d ms).", length, pollInterval.Milliseconds()),
			"Four runs: one worker without chunks (`CLIPCUT_TRANSCODE_CHUNK_SECONDS=0`), one worker with chunks, two workers with chunks, and two " +
				"workers with chunks where the worker encoding a chunk is SIGKILLed (its ffmpeg dies with it) once half the previous run's READY time " +
				"has passed, and a new worker starts at once on the same core, as a container's restart policy would do it.",
			"Speed-up: READY time of one worker over two. Chunking overhead: the chunked over the unchunked run on one worker, wall (READY) and " +
				"worker CPU. Crash cost: the READY time the kill added to the same two-worker run without one. Recovery: from River's record of " +
				"the killed chunk, the time from the SIGKILL to the liveness check's error entry (the chunk back in the queue) and to the chunk's " +
				"next attempt starting in another process.",
		},
		Tables: append([]Table{t}, chunkCostTables(runs)...),
		Goals:  goals,
		Notes:  notes,
	}
}

func chunkScaleGoals(unchunked, one, two, killed chunkRun) []Goal {
	speedup := one.ready.Seconds() / two.ready.Seconds()
	extra := killed.ready - two.ready
	return []Goal{{
		Figure:   "READY time, 2 workers vs 1 (one core each, chunked)",
		Target:   ">= 1.8× faster",
		Measured: fmt.Sprintf("%.2f× (%.1f s → %.1f s)", speedup, one.ready.Seconds(), two.ready.Seconds()),
		Status:   metIf(speedup >= 1.8),
		Limit: fmt.Sprintf("River's record of the jobs: the transcode ran %.1f s on 1 worker and %.1f s on 2 (%.2f×; per worker %s s of chunks), "+
			"and the %.1f s (1 worker) and %.1f s (2 workers) from the upload to the first chunk and from the last chunk to READY (probe with "+
			"keyframes and planning before; after, the assembly (with the storyboard from the chunks' thumbnails), the poster unless a free "+
			"worker made it beside the chunks, and subtitles) shrink only by what runs beside the chunks; the machine averaged %.2f busy cores during the "+
			"2-worker run (the API process and PostgreSQL are not pinned and share the two cores)",
			one.jobs.lastChunk-one.jobs.firstChunk, two.jobs.lastChunk-two.jobs.firstChunk,
			(one.jobs.lastChunk-one.jobs.firstChunk)/(two.jobs.lastChunk-two.jobs.firstChunk), floats(two.jobs.workers),
			one.jobs.firstChunk+one.jobs.after, two.jobs.firstChunk+two.jobs.after, two.busy),
	}, {
		Figure:   "chunking overhead on one worker (wall, CPU)",
		Target:   "<= 1.05× the unchunked encode",
		Measured: fmt.Sprintf("wall %.2f×, CPU %.2f×", one.ready.Seconds()/unchunked.ready.Seconds(), one.workerCPU.Seconds()/unchunked.workerCPU.Seconds()),
		Status:   metIf(one.ready.Seconds() <= 1.05*unchunked.ready.Seconds() && one.workerCPU.Seconds() <= 1.05*unchunked.workerCPU.Seconds()),
	}, {
		Figure:   "playable after the upload's last byte, chunked",
		Target:   "<= 5 s",
		Measured: fmt.Sprintf("%.1f s (1 worker), %.1f s (2 workers); unchunked %.1f s", one.playable.Seconds(), two.playable.Seconds(), unchunked.playable.Seconds()),
		Status:   metIf(max(one.playable, two.playable) <= 5*time.Second),
	}, {
		Figure: "crash cost: READY time added by a worker SIGKILLed halfway (2 workers, chunked, the killed one restarted at once)",
		Target: "reported (at most the chunk it was encoding)",
		Measured: fmt.Sprintf("+%.1f s (%.1f s → %.1f s, %.2f×); a chunk is %d s of video",
			extra.Seconds(), two.ready.Seconds(), killed.ready.Seconds(), killed.ready.Seconds()/two.ready.Seconds(), killed.chunkSeconds),
		Status: Reported,
	}, {
		Figure:   "from a worker's death to its chunk running in another process",
		Target:   "<= 10 s",
		Measured: fmt.Sprintf("%.1f s (back in the queue after %.1f s)", killed.rerun.Seconds(), killed.returned.Seconds()),
		Status:   metIf(killed.rerun <= 10*time.Second),
		Limit: "the chunk returns to the queue at a live process's next liveness check (every 2 s): at once when the dead worker was on the same machine and its process is gone (as here), after its lease stayed free for 4 s otherwise; " +
			"it then runs at the next fetch of a free worker",
	}}
}

func floats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(parts, " and ")
}

func metIf(ok bool) GoalStatus {
	if ok {
		return Met
	}
	return Missed
}
