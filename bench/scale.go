package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
)

// scaleViewers are the concurrent HLS viewer counts the scale benchmark
// tries against one API process; the original Clip-Cut design claims
// 2,500 concurrent streams.
var scaleViewers = []int{500, 1000, 2500}

const (
	// scaleWatch is how long every simulated viewer watches.
	scaleWatch = 40 * time.Second
	// scaleRamp spreads the viewers' starts, as real audiences arrive.
	scaleRamp = 5 * time.Second
	// scaleJobs short clips are queued per worker count.
	scaleJobs = 6
	// scaleClip is the length of each queued clip.
	scaleClip = 3 * time.Second
	// scalePlayClip is the length of the video the viewers watch (on a
	// loop): several 4-s segments.
	scalePlayClip = 12 * time.Second
)

func scaleBenchmark() Benchmark {
	return Benchmark{
		Name:  "scale",
		Title: "Scale-out: concurrent playback sessions on one API process, job throughput from 1 to 2 workers",
		Run:   runScale,
	}
}

// scaleStack is `clipcut api` on its private Postgres plus the worker
// processes started on the same database and data directory.
type scaleStack struct {
	env     *Env
	bin     string
	dataDir string
	api     *instance.Instance
	workers []*instance.Instance
	// started counts the workers ever started, to name their logs;
	// logs are their paths, in that order.
	started int
	logs    []string
}

func (s *scaleStack) addWorker(ctx context.Context, extraEnv ...string) (*instance.Instance, error) {
	s.started++
	n := s.started
	logPath := filepath.Join(s.env.Work, fmt.Sprintf("clipcut-worker-%d.log", n))
	s.logs = append(s.logs, logPath)
	w, err := instance.Start(ctx, instance.Options{
		Binary: s.bin, DataDir: s.dataDir, Mode: "worker",
		Env: append([]string{
			"DATABASE_URL=" + s.api.DatabaseURL(), "CLIPCUT_MEDIA_WORKERS=1",
			"CLIPCUT_X264_PRESET=ultrafast", "CLIPCUT_TRANSCRIBER=none",
		}, extraEnv...),
		LogPath: logPath,
	})
	if err != nil {
		return nil, err
	}
	s.workers = append(s.workers, w)
	return w, nil
}

func (s *scaleStack) stopWorkers() {
	for _, w := range s.workers {
		if err := w.Stop(time.Minute); err != nil {
			s.env.Logger.Warn("worker did not stop cleanly", "error", err)
		}
	}
	s.workers = nil
}

func runScale(ctx context.Context, env *Env) (*Section, error) {
	clip, err := env.Source(ctx, scaleClip)
	if err != nil {
		return nil, err
	}
	playClip, err := env.Source(ctx, scalePlayClip)
	if err != nil {
		return nil, err
	}
	bin, err := env.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	loadBin, err := buildBaseline(ctx, env, "hlsload")
	if err != nil {
		return nil, err
	}
	st, c, err := startScaleStack(ctx, env, bin, "scale")
	if err != nil {
		return nil, err
	}
	defer st.stop()

	var through []scaleThroughput
	for workers := 1; workers <= 2; workers++ {
		if _, err := st.addWorker(ctx); err != nil {
			return nil, err
		}
		tp, err := measureThroughput(ctx, st, c, clip, scaleJobs)
		if err != nil {
			return nil, fmt.Errorf("%w\napi log ends:\n%s", err, st.api.LogTail(10))
		}
		tp.workers = workers
		through = append(through, tp)
		env.Logger.Info("scale: throughput", "workers", workers, "videos_per_min", tp.perMin())
	}
	// The video the viewers watch, then playback measures the API process
	// alone: no encode competes.
	played, err := measureThroughput(ctx, st, c, playClip, 1)
	if err != nil {
		return nil, err
	}
	st.stopWorkers()

	hls, err := playbackURL(ctx, c, played.ids[0])
	if err != nil {
		return nil, err
	}
	var plays []scalePlayback
	for _, n := range scaleViewers {
		p, err := measurePlayback(ctx, loadBin, st.api, st.dataDir, hls, n)
		if err != nil {
			return nil, err
		}
		env.Logger.Info("scale: playback", "viewers", n, "stalled", p.res.Stalled, "failed", p.res.Failed, "seg_p99_ms", p.res.SegP99, "api_cores", p.apiCores)
		plays = append(plays, p)
	}
	return scaleSection(env, plays, through), nil
}

// scaleThroughput is one worker count's run of queued jobs.
type scaleThroughput struct {
	workers int
	videos  int
	wall    time.Duration
	// workerCPU is the workers' CPU, ffmpeg children included; pgCPU the
	// private cluster's, over the run.
	workerCPU, pgCPU time.Duration
	ids              []string
}

func (t scaleThroughput) perMin() float64 { return float64(t.videos) / t.wall.Minutes() }

// measureThroughput queues n uploads of clip at once and times from the
// first upload's last byte to the last video READY.
func measureThroughput(ctx context.Context, st *scaleStack, c *instance.Client, clip *Source, n int) (scaleThroughput, error) {
	cpu0, pg0 := st.workersCPU(), clusterCPUOrZero(st.dataDir)
	var ids []string
	var t0 time.Time
	for i := range n {
		up, err := c.CreateUpload(ctx, fmt.Sprintf("scale %d", i), filepath.Base(clip.Path), clip.Size)
		if err != nil {
			return scaleThroughput{}, err
		}
		if err := c.PatchFile(ctx, up.URL, clip.Path); err != nil {
			return scaleThroughput{}, err
		}
		if i == 0 {
			t0 = time.Now()
		}
		ids = append(ids, up.VideoID)
	}
	deadline := time.Now().Add(5 * time.Minute)
	pending := map[string]bool{}
	for _, id := range ids {
		pending[id] = true
	}
	for len(pending) > 0 {
		for id := range pending {
			s, err := c.VideoStatus(ctx, id)
			if err != nil {
				return scaleThroughput{}, err
			}
			switch s.Status {
			case "READY":
				delete(pending, id)
			case "FAILED":
				return scaleThroughput{}, fmt.Errorf("video %s FAILED at %s", id, s.Stage)
			}
		}
		if time.Now().After(deadline) {
			return scaleThroughput{}, fmt.Errorf("%d of %d videos not READY after 5 minutes", len(pending), len(ids))
		}
		select {
		case <-ctx.Done():
			return scaleThroughput{}, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
	wall := time.Since(t0)
	return scaleThroughput{
		videos: len(ids), wall: wall, ids: ids,
		workerCPU: st.workersCPU() - cpu0, pgCPU: clusterCPUOrZero(st.dataDir) - pg0,
	}, nil
}

// workersCPU is the CPU time of every worker and the ffmpeg processes it
// has waited for.
func (s *scaleStack) workersCPU() time.Duration {
	var total time.Duration
	for _, w := range s.workers {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.Pid()))
		if err != nil {
			continue
		}
		d, err := parseProcStatCPU(string(b), true)
		if err == nil {
			total += d
		}
	}
	return total
}

func clusterCPUOrZero(dataDir string) time.Duration {
	d, err := clusterCPU(filepath.Join(dataDir, "pg"))
	if err != nil {
		return 0
	}
	return d
}

// playbackURL is the video's HLS master playlist URL as a player gets it.
func playbackURL(ctx context.Context, c *instance.Client, id string) (string, error) {
	var out struct {
		Video struct {
			Playback *struct {
				HLSURL string `json:"hlsUrl"`
			} `json:"playback"`
		} `json:"video"`
	}
	if err := c.GraphQL(ctx, `query($id: ID!) { video(id: $id) { playback { hlsUrl } } }`, map[string]any{"id": id}, &out); err != nil {
		return "", err
	}
	if out.Video.Playback == nil || out.Video.Playback.HLSURL == "" {
		return "", fmt.Errorf("video %s has no hlsUrl", id)
	}
	return out.Video.Playback.HLSURL, nil
}

// scalePlayback is one viewer count's run.
type scalePlayback struct {
	viewers int
	res     hlsloadResult
	// apiCores and loadCores are the API process's and the load
	// generator's average CPU over the run, in cores; pgCores the
	// cluster's.
	apiCores, loadCores, pgCores float64
	// busyCores is the whole machine's busy CPU over the run (other
	// engineers' processes included), in cores.
	busyCores float64
	wall      time.Duration
}

// hlsloadResult is what bench/hlsload prints.
type hlsloadResult struct {
	Viewers  int     `json:"viewers"`
	Stalled  int     `json:"stalled"`
	Failed   int     `json:"failed"`
	Stalls   int     `json:"stalls"`
	Segments int     `json:"segments"`
	Errors   int     `json:"errors"`
	SegP50   float64 `json:"seg_p50_ms"`
	SegP99   float64 `json:"seg_p99_ms"`
	SegMax   float64 `json:"seg_max_ms"`
	StartP50 float64 `json:"start_p50_ms"`
	StartP99 float64 `json:"start_p99_ms"`
	Bytes    int64   `json:"bytes"`
	FirstErr string  `json:"first_error"`
}

// sustained is how many viewers played without a stall.
func (r hlsloadResult) sustained() int { return r.Viewers - r.Stalled - r.Failed }

func parseHLSLoad(out string) (hlsloadResult, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r hlsloadResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil || r.Viewers == 0 {
		return r, fmt.Errorf("hlsload printed no result: %.300s", out)
	}
	return r, nil
}

func measurePlayback(ctx context.Context, loadBin string, api *instance.Instance, dataDir, hls string, n int) (scalePlayback, error) {
	cmd := exec.CommandContext(ctx, loadBin, "-url", hls, "-viewers", strconv.Itoa(n),
		"-duration", scaleWatch.String(), "-ramp", scaleRamp.String(), "-height", "720")
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	api0, _ := pidCPU(api.Pid())
	pg0, busy0 := clusterCPUOrZero(dataDir), machineBusy()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return scalePlayback{}, err
	}
	err := cmd.Wait()
	wall := time.Since(t0)
	if err != nil {
		return scalePlayback{}, fmt.Errorf("hlsload: %w: %.300s", err, out.String())
	}
	api1, _ := pidCPU(api.Pid())
	busy := machineBusy() - busy0
	loadCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	res, err := parseHLSLoad(out.String())
	if err != nil {
		return scalePlayback{}, err
	}
	return scalePlayback{
		viewers: n, res: res, wall: wall,
		apiCores:  (api1 - api0).Seconds() / wall.Seconds(),
		loadCores: loadCPU.Seconds() / wall.Seconds(),
		pgCores:   (clusterCPUOrZero(dataDir) - pg0).Seconds() / wall.Seconds(),
		busyCores: busy.Seconds() / wall.Seconds(),
	}, nil
}

func scaleSection(env *Env, plays []scalePlayback, through []scaleThroughput) *Section {
	playT := Table{
		Caption: fmt.Sprintf("Concurrent HLS viewers on one `clipcut api` process (each watches %s at real-time pace)", scaleWatch),
		Header:  []string{"viewers", "played without a stall", "stalled", "failed to start", "segments", "segment p50 (ms)", "segment p99 (ms)", "start p99 (ms)", "served (Mbit/s)", "API CPU (cores)", "Postgres CPU (cores)", "load generator CPU (cores)", "whole machine busy (cores)"},
	}
	best := 0
	for _, p := range plays {
		r := p.res
		playT.Rows = append(playT.Rows, []string{
			strconv.Itoa(p.viewers), strconv.Itoa(r.sustained()), strconv.Itoa(r.Stalled), strconv.Itoa(r.Failed), strconv.Itoa(r.Segments),
			fmt.Sprintf("%.1f", r.SegP50), fmt.Sprintf("%.1f", r.SegP99), fmt.Sprintf("%.0f", r.StartP99),
			fmt.Sprintf("%.0f", p.mbps()),
			fmt.Sprintf("%.2f", p.apiCores), fmt.Sprintf("%.2f", p.pgCores), fmt.Sprintf("%.2f", p.loadCores), fmt.Sprintf("%.2f", p.busyCores),
		})
		if r.Stalled == 0 && r.Failed == 0 {
			best = max(best, p.viewers)
		}
	}
	jobT := Table{
		Caption: fmt.Sprintf("Job throughput: %d uploads of a %s clip queued at once (preset ultrafast, subtitles off)", scaleJobs, scaleClip),
		Header:  []string{"worker processes", "videos", "wall (s)", "videos/min", "vs 1 worker", "worker CPU incl. ffmpeg (cores)", "Postgres CPU (cores)"},
	}
	var base float64
	for _, t := range through {
		if base == 0 {
			base = t.perMin()
		}
		jobT.Rows = append(jobT.Rows, []string{
			strconv.Itoa(t.workers), strconv.Itoa(t.videos), fmt.Sprintf("%.1f", t.wall.Seconds()),
			fmt.Sprintf("%.1f", t.perMin()), fmt.Sprintf("%.2f×", t.perMin()/base),
			fmt.Sprintf("%.2f", t.workerCPU.Seconds()/t.wall.Seconds()), fmt.Sprintf("%.2f", t.pgCPU.Seconds()/t.wall.Seconds()),
		})
	}
	top := plays[len(plays)-1]
	status := Missed
	if top.res.Stalled == 0 && top.res.Failed == 0 {
		status = Met
	}
	goals := []Goal{{
		Figure:   "concurrent playback sessions from one API process without a stall",
		Target:   fmt.Sprintf("%d (the original Clip-Cut design's claim)", top.viewers),
		Measured: fmt.Sprintf("%d of %d played without a stall; largest stall-free count tried: %d", top.res.sustained(), top.viewers, best),
		Status:   status,
		Limit:    playbackLimit(top, env.Machine.Cores),
	}}
	if len(through) == 2 {
		ratio := through[1].perMin() / through[0].perMin()
		goals = append(goals, Goal{
			Figure:   "job throughput from 1 to 2 worker processes",
			Target:   "grows with workers (up to the cores available)",
			Measured: fmt.Sprintf("%.2f× (%.1f → %.1f videos/min)", ratio, through[0].perMin(), through[1].perMin()),
			Status:   Reported,
			Limit: fmt.Sprintf("%d cores: one worker's ffmpeg already uses %.2f cores, so a second worker can only fill what is left; on a machine with a core per worker (or workers on separate machines) the ratio approaches 2.",
				env.Machine.Cores, through[0].workerCPU.Seconds()/through[0].wall.Seconds()),
		})
	}
	notes := []string{}
	if first := plays[0]; first.res.Bytes > 0 {
		perViewer := first.mbps() / float64(first.viewers)
		notes = append(notes, fmt.Sprintf("Bytes, not requests, are the load: each viewer of this rendition pulls %.1f Mbit/s, so %d viewers need %.1f Gbit/s "+
			"(more than a 10 GbE link); the most this machine's loopback moved here was %.1f Gbit/s, shared with the load generator and other processes. "+
			"Past that, serve `/media/` from a CDN or S3 redirect mode (`CLIPCUT_MEDIA_S3_MODE=redirect`) rather than more API processes.",
			perViewer, top.viewers, perViewer*float64(top.viewers)/1000, maxMbps(plays)/1000))
	}
	return &Section{
		About: []string{
			"`clipcut api` runs as a separate process (" + binaryOrigin(env) + ", its own private Postgres under a scratch directory, local media " +
				"on disk, loopback). `clipcut worker` processes are started next to it on the same `DATABASE_URL` (the private cluster's socket) and data " +
				"directory, one media job at a time each (`CLIPCUT_MEDIA_WORKERS=1`).",
			fmt.Sprintf("Throughput: with 1 worker, then with 2, %d uploads are sent (tus, one PATCH each) back to back; the time runs from the first "+
				"upload's last byte to the last video READY (status polled every %d ms).", scaleJobs, pollInterval.Milliseconds()),
			fmt.Sprintf("Playback: the workers are stopped, then `bench/hlsload` (a separate process) simulates N viewers of one READY %s clip "+
				"(1080p30 source), starting evenly over %s. Each fetches the `hlsUrl` master playlist, the media playlist of the 720p rendition "+
				"(what a player on a laptop settles on; ABR switching is not simulated), then segments: the first few at "+
				"once (fast start, 3 segments buffered), then one segment each time playback consumes one (a 4-s segment every 4 s), looping "+
				"the video for %s. A stall is a segment arriving after its playback deadline (the player started when the first segment arrived). "+
				"CPU is the API process's user+system time over the run divided by its wall time.", scalePlayClip, scaleRamp, scaleWatch),
		},
		Tables: []Table{playT, jobT},
		Goals:  goals,
		Notes: append(notes,
			"One run per viewer count and per worker count (not the median of several): the playback runs hold the machine for "+
				fmt.Sprintf("%s each, and the figures are capacities rather than latencies to compare.", scaleWatch+scaleRamp),
			"The load generator runs on the same two-core machine as the API process, so its CPU (in the table) is taken from what the server could use; "+
				"on separate machines one API process would serve more.",
			"Concurrent uploads held and job pick-up latency (insert to start, LISTEN/NOTIFY) are measured by the `uploads` and `jobs` sections; not repeated here.",
		),
	}
}

// mbps is what the API process sent to the viewers, in Mbit/s.
func (p scalePlayback) mbps() float64 {
	if p.wall <= 0 {
		return 0
	}
	return float64(p.res.Bytes) * 8 / 1e6 / p.wall.Seconds()
}

func maxMbps(plays []scalePlayback) float64 {
	m := 0.0
	for _, p := range plays {
		m = max(m, p.mbps())
	}
	return m
}

// playbackLimit names what bounds playback at the largest viewer count.
func playbackLimit(p scalePlayback, cores int) string {
	used := max(p.busyCores, p.apiCores+p.loadCores+p.pgCores)
	if p.res.Stalled == 0 && p.res.Failed == 0 {
		return fmt.Sprintf("not reached at %d viewers: the API process used %.2f cores", p.viewers, p.apiCores)
	}
	if p.res.FirstErr != "" && p.res.Errors > 0 {
		return fmt.Sprintf("%d request errors (first: %s)", p.res.Errors, p.res.FirstErr)
	}
	if used > 0.85*float64(cores) {
		return fmt.Sprintf("CPU and bytes: the machine was saturated (%.2f of %d cores busy: API %.2f, load generator %.2f, Postgres %.2f, the rest other processes) "+
			"moving %.1f Gbit/s of segments over loopback; the API process's own CPU is not the bottleneck",
			used, cores, p.apiCores, p.loadCores, p.pgCores, p.mbps()/1000)
	}
	return fmt.Sprintf("segment latency (p99 %.0f ms) with CPU to spare (%.2f of %d cores used)", p.res.SegP99, used, cores)
}

// startScaleStack starts an api process on a new data directory (named
// after the benchmark) with a signed-up account, for workers to join;
// stop ends the workers and the api.
func startScaleStack(ctx context.Context, env *Env, bin, name string) (*scaleStack, *instance.Client, error) {
	dataDir, err := instance.TraversableDir(env.Work, "clipcut-"+name+"-")
	if err != nil {
		return nil, nil, err
	}
	api, err := instance.Start(ctx, instance.Options{
		Binary: bin, DataDir: dataDir, Mode: "api",
		LogPath: filepath.Join(env.Work, "clipcut-"+name+"-api.log"),
	})
	if err != nil {
		return nil, nil, err
	}
	st := &scaleStack{env: env, bin: bin, dataDir: dataDir, api: api}
	c := api.Client()
	if err := c.SignUp(ctx, name+"@bench.example", "bench-password-1234", name); err != nil {
		st.stop()
		return nil, nil, err
	}
	return st, c, nil
}

// stop ends the workers, then the api.
func (st *scaleStack) stop() {
	st.stopWorkers()
	if err := st.api.Stop(time.Minute); err != nil {
		st.env.Logger.Warn("clipcut api did not stop cleanly", "error", err)
	}
}
