package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/media"
)

// Goals of issue 4 for media delivery, as multiples of nginx's requests
// per second on the same files.
const (
	goalSegmentsVsNginx  = 1.0
	goalPlaylistsVsNginx = 0.75
)

// deliveryLoad is the fixed load of every delivery run: as many wrk
// threads as a player-facing origin would see from a handful of edge
// connections, enough connections to keep both servers' cores busy.
var deliveryLoad = wrkLoad{Threads: 2, Connections: 32, Duration: 6 * time.Second}

func deliveryBenchmark() Benchmark {
	return Benchmark{
		Name:  "delivery",
		Title: "Delivery: segments and playlists vs nginx on the same files",
		Run:   runDelivery,
	}
}

// deliveryTarget is one server and request mix measured with wrk.
type deliveryTarget struct {
	key    string // samples key: server + "/" + mix
	server string // "clipcut", "nginx" or "go"
	mix    string // "segments", "playlists", "signed segments", "signed playlists"
	label  string
	base   string
	script string
	pids   func() []int
	// inProcess: the server runs in the harness's own process.
	inProcess bool
}

// runDelivery uploads a generated clip twice (public and private) to a
// clipcut started as its own process, waits for READY, then points an
// nginx at clipcut's media directory and loads both with wrk, round
// after round in rotating order.
func runDelivery(ctx context.Context, env *Env) (*Section, error) {
	for _, tool := range []string{"wrk", "nginx"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is required (make bench-deps installs it): %w", tool, err)
		}
	}
	src, err := env.Source(ctx, env.Duration)
	if err != nil {
		return nil, err
	}
	bin, err := env.ClipcutBinary(ctx)
	if err != nil {
		return nil, err
	}
	return withClipcut(ctx, env, "delivery", nil, func(inst *instance.Instance, dataDir string) (*Section, error) {
		return measureDelivery(ctx, env, inst, bin, src, dataDir)
	})
}

// deliveryVideo is an uploaded video's media as URL paths.
type deliveryVideo struct {
	id        string
	prefix    string // "/media/videos/<id>/" or the signed form
	rung      string
	segments  []string
	playlists []string
	segBytes  int64 // total size of segments
}

func measureDelivery(ctx context.Context, env *Env, inst *instance.Instance, bin string, src *Source, dataDir string) (*Section, error) {
	c := inst.Client()
	if err := c.SignUp(ctx, "delivery@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	var ids []string
	for _, privacy := range []string{"PUBLIC", "PRIVATE"} {
		id, err := uploadWithPrivacy(ctx, c, src, "delivery "+strings.ToLower(privacy), privacy)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if err := waitReady(ctx, c, id, 5*time.Minute+10*time.Duration(src.Seconds())*time.Second); err != nil {
			return nil, err
		}
	}
	mediaDir := filepath.Join(dataDir, "media")
	public, err := listVideoMedia(mediaDir, ids[0], "/media/videos/"+ids[0]+"/")
	if err != nil {
		return nil, err
	}
	signedPrefix, err := signedMediaPrefix(ctx, c, ids[1])
	if err != nil {
		return nil, err
	}
	private, err := listVideoMedia(mediaDir, ids[1], signedPrefix)
	if err != nil {
		return nil, err
	}

	ng, err := startNginx(ctx, filepath.Join(env.Work, "nginx"), mediaDir)
	if err != nil {
		return nil, err
	}
	defer ng.stop()
	env.Logger.Info("nginx started", "url", ng.url, "pid", ng.pid())
	goURL, stopGo, err := startGoFileServer(mediaDir)
	if err != nil {
		return nil, err
	}
	defer stopGo()

	// The same bytes and type from both, or the comparison is void.
	for _, p := range []string{public.segments[0], public.playlists[0]} {
		if err := sameAnswer(ctx, inst.URL+p, ng.url+p); err != nil {
			return nil, err
		}
	}

	scripts := filepath.Join(env.Work, "wrk")
	if err := os.MkdirAll(scripts, 0o755); err != nil {
		return nil, err
	}
	writeScript := func(name string, paths []string) (string, error) {
		p := filepath.Join(scripts, name+".lua")
		return p, os.WriteFile(p, []byte(wrkScript(paths)), 0o644)
	}
	clipcutPids := func() []int { return []int{inst.Pid()} }
	nginxPids := func() []int { return append([]int{ng.pid()}, childPids(ng.pid())...) }
	selfPid := func() []int { return []int{os.Getpid()} }
	var targets []deliveryTarget
	for _, t := range []struct {
		server, mix string
		base        string
		paths       []string
		pids        func() []int
	}{
		{"clipcut", "segments", inst.URL, public.segments, clipcutPids},
		{"nginx", "segments", ng.url, public.segments, nginxPids},
		{"go", "segments", goURL, public.segments, selfPid},
		{"clipcut", "playlists", inst.URL, public.playlists, clipcutPids},
		{"nginx", "playlists", ng.url, public.playlists, nginxPids},
		{"go", "playlists", goURL, public.playlists, selfPid},
		{"clipcut", "signed segments", inst.URL, private.segments, clipcutPids},
		{"clipcut", "signed playlists", inst.URL, private.playlists, clipcutPids},
	} {
		key := t.server + "/" + t.mix
		script, err := writeScript(strings.ReplaceAll(key, " ", "-")[len(t.server)+1:]+"-"+t.server, t.paths)
		if err != nil {
			return nil, err
		}
		targets = append(targets, deliveryTarget{key: key, server: t.server, mix: t.mix, base: t.base, script: script, pids: t.pids, inProcess: t.server == "go"})
	}

	// Warm up: page cache, connections, clipcut's privacy cache.
	warm := deliveryLoad
	warm.Duration = 2 * time.Second
	for _, t := range targets {
		if _, err := runWrk(ctx, warm, t.script, t.base); err != nil {
			return nil, fmt.Errorf("%s warm-up: %w", t.key, err)
		}
	}

	s := deliverySamples{rps: Samples{}, mibps: Samples{}, p50: Samples{}, p99: Samples{}, cpuGiB: Samples{}, cpuReq: Samples{}, cores: Samples{}, others: Samples{}}
	for round := range env.Runs {
		for i := range targets {
			t := targets[(round+i)%len(targets)]
			r, cpu, u, err := measureTarget(ctx, t)
			if err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", t.key, round+1, err)
			}
			others := u.Others
			if !t.inProcess {
				// measure's Others counts everything but the harness and
				// its waited-for children, so a server process is in it.
				others -= cpu
			}
			s.add(t.key, r, cpu, u.Wall, others)
			env.Logger.Info("delivery run", "target", t.key, "round", round+1,
				"rps", fmt.Sprintf("%.0f", r.RequestsPerS), "p99", r.P99.String(),
				"server_cpu", cpu.Round(10*time.Millisecond).String(),
				"other_processes_cores", fmt.Sprintf("%.2f", others.Seconds()/u.Wall.Seconds()))
		}
	}

	section := deliverySection(env, src, public, private, targets, s)
	// A missed goal says what clipcut spends its time on.
	for i, g := range section.Goals {
		if g.Status != Missed {
			continue
		}
		mix := "segments"
		if strings.Contains(g.Figure, "playlist") {
			mix = "playlists"
		}
		t := targets[slices.IndexFunc(targets, func(t deliveryTarget) bool { return t.key == "clipcut/"+mix })]
		section.Goals[i].Limit += profileLimit(ctx, env, t, inst.Pid(), bin)
	}
	return section, nil
}

// measureTarget runs wrk once against t and reports the server's CPU
// time meanwhile.
func measureTarget(ctx context.Context, t deliveryTarget) (wrkResult, time.Duration, Usage, error) {
	pids := t.pids()
	c0, err := procCPU(pids)
	if err != nil {
		return wrkResult{}, 0, Usage{}, err
	}
	var r wrkResult
	u, err := measure(func() error {
		var err error
		r, err = runWrk(ctx, deliveryLoad, t.script, t.base)
		return err
	})
	if err != nil {
		return r, 0, u, err
	}
	c1, err := procCPU(pids)
	if err != nil {
		return r, 0, u, err
	}
	return r, c1 - c0, u, nil
}

// profileLimit profiles clipcut under t's load with perf and names where
// its CPU goes; "" when perf cannot run.
func profileLimit(ctx context.Context, env *Env, t deliveryTarget, pid int, exe string) string {
	profCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	load := deliveryLoad
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = runWrk(profCtx, load, t.script, t.base)
	}()
	time.Sleep(time.Second)
	top, ok := perfTop(ctx, env.Work, pid, exe, load.Duration-2*time.Second, 8)
	<-done
	if !ok || top == "" {
		return ""
	}
	return " perf profile of clipcut under this load (self time): " + top + "."
}

// deliverySamples are the figures of every run, by target key.
type deliverySamples struct {
	rps, mibps, p50, p99, cpuGiB, cpuReq, cores, others Samples
}

func (s deliverySamples) add(key string, r wrkResult, cpu, wall, others time.Duration) {
	secs := r.Duration.Seconds()
	s.rps.Add(key, r.RequestsPerS)
	s.mibps.Add(key, float64(r.Bytes)/(1<<20)/secs)
	s.p50.Add(key, float64(r.P50.Microseconds())/1000)
	s.p99.Add(key, float64(r.P99.Microseconds())/1000)
	s.cpuGiB.Add(key, cpu.Seconds()/(float64(r.Bytes)/(1<<30)))
	s.cpuReq.Add(key, float64(cpu.Microseconds())/float64(r.Requests))
	s.cores.Add(key, cpu.Seconds()/secs)
	s.others.Add(key, max(0, others.Seconds()/wall.Seconds()))
}

func deliverySection(env *Env, src *Source, public, private *deliveryVideo, targets []deliveryTarget, s deliverySamples) *Section {
	table := Table{Header: []string{
		"server", "requests", "requests/s", "MiB/s", "latency p50 ms", "p99 ms",
		"server CPU s per GiB served", "server CPU µs per request", "server cores busy", "other processes (cores)", "requests/s ÷ nginx",
	}}
	nginxOf := func(mix string) string { return "nginx/" + strings.TrimPrefix(mix, "signed ") }
	for _, t := range targets {
		label := map[string]string{
			"clipcut": "clipcut `/media/`",
			"nginx":   "nginx " + nginxVersion(),
			"go":      "Go net/http.FileServer",
		}[t.server]
		table.Rows = append(table.Rows, []string{
			label, t.mix, s.rps.Stat(t.key).Cell(0), s.mibps.Stat(t.key).Cell(0),
			s.p50.Stat(t.key).Cell(2), s.p99.Stat(t.key).Cell(2),
			s.cpuGiB.Stat(t.key).Cell(2), s.cpuReq.Stat(t.key).Cell(1), s.cores.Stat(t.key).Cell(2), s.others.Stat(t.key).Cell(2),
			fmt.Sprintf("%.2f×", s.rps.Stat(t.key).Median/s.rps.Stat(nginxOf(t.mix)).Median),
		})
	}

	ratio := func(mix string) (float64, string) {
		c, n := s.rps.Stat("clipcut/"+mix).Median, s.rps.Stat(nginxOf(mix)).Median
		return c / n, fmt.Sprintf("%.2f× (%.0f vs %.0f requests/s; CPU per request %.2f×)", c/n, c, n,
			s.cpuReq.Stat("clipcut/"+mix).Median/s.cpuReq.Stat(nginxOf(mix)).Median)
	}
	var goals []Goal
	for _, g := range []struct {
		mix, figure string
		target      float64
	}{
		{"segments", "segment requests/s, clipcut ÷ nginx", goalSegmentsVsNginx},
		{"playlists", "playlist requests/s, clipcut ÷ nginx", goalPlaylistsVsNginx},
	} {
		r, measured := ratio(g.mix)
		goal := Goal{Figure: g.figure, Target: fmt.Sprintf("≥ %.2f×", g.target), Measured: measured, Status: Met}
		if r < g.target {
			goal.Status = Missed
			goal.Limit = limitDelivery(s, g.mix)
		}
		goals = append(goals, goal)
	}
	for _, mix := range []string{"signed segments", "signed playlists"} {
		_, measured := ratio(mix)
		goals = append(goals, Goal{
			Figure:   mix + " (private video, `/media/t/<token>/…`) requests/s, clipcut ÷ nginx's plain " + strings.TrimPrefix(mix, "signed "),
			Target:   "reported (no target in issue 4)",
			Measured: measured,
			Status:   Reported,
		})
	}
	goals = append(goals, Goal{
		Figure: "server CPU per GiB of segments served, clipcut vs nginx",
		Target: "reported (no target in issue 4)",
		Measured: fmt.Sprintf("%.2f s vs %.2f s (%.2f×)", s.cpuGiB.Stat("clipcut/segments").Median, s.cpuGiB.Stat("nginx/segments").Median,
			s.cpuGiB.Stat("clipcut/segments").Median/s.cpuGiB.Stat("nginx/segments").Median),
		Status: Reported,
	})

	return &Section{
		About: []string{
			fmt.Sprintf("Real files: the harness starts `clipcut serve` as its own process (%s, private Postgres, loopback), uploads the "+
				"same generated %.0f s 1080p30 clip twice through tus, once PUBLIC and once PRIVATE, and waits for READY. nginx %s "+
				"(started by the harness with its own configuration, `daemon off`, `worker_processes auto`, sendfile, access log on like "+
				"clipcut's, on another loopback port) serves clipcut's local media directory (`<data dir>/media/`) at the same paths, "+
				"so both answer `/media/videos/<id>/…` from the very same files in the page cache. A third server shows what Go itself "+
				"costs: net/http.FileServer on the same directory, inside the harness's process, with no middleware. clipcut runs with "+
				"its defaults, so wrk's media-only connections are answered on its media fast path (CLIPCUT_MEDIA_FAST_PATH).",
				binaryOrigin(env), src.Seconds(), nginxVersion()),
			fmt.Sprintf("Load: `wrk -t%d -c%d -d%ds --latency` as its own process on the same machine, with a Lua script cycling through "+
				"the paths. Segments: the %d segments of the %s rendition (%.0f KiB on average). Playlists: the master and the %d media "+
				"playlists. Signed: the private video's same files through the signed path `/media/t/<token>/videos/<id>/…` from "+
				"`createPlaybackToken` (HMAC verified on every request). Each mix runs %s per server, interleaved (the order rotates every "+
				"round), after a 2-second warm-up of each.",
				deliveryLoad.Threads, deliveryLoad.Connections, int(deliveryLoad.Duration.Seconds()),
				len(public.segments), public.rung, float64(public.segBytes)/float64(len(public.segments))/1024, len(public.playlists)-1,
				plural(env.Runs, "run")),
			"Server CPU is user+sys of clipcut's process (its Postgres is idle: the privacy of a video is looked up once every " +
				"5 seconds), of nginx's master and workers, or of the harness (for Go's file server), from /proc/<pid>/stat before " +
				"and after each run; per GiB it counts " +
				"every byte wrk read, headers included. wrk shares the two cores with the server, identically for both.",
		},
		Tables: []Table{table},
		Goals:  goals,
		Notes: []string{
			"Both servers send the same bytes with the same Content-Type (checked before measuring), ETag and Last-Modified; clipcut " +
				"also verifies the path, looks up the video's privacy (cached), sets CORS, Cache-Control and security headers and " +
				"counts the request in Prometheus metrics; nginx's configuration adds CORS and Cache-Control headers.",
			"Loopback on a shared two-core machine: absolute figures are lower than on a dedicated server with a real network, where " +
				"the bandwidth, not the origin's CPU, usually limits segment delivery. The ratios are what the goals judge.",
		},
		Code: []CodeBlock{{
			Caption: "The nginx baseline's configuration, as run (paths shortened):",
			Text:    nginxConfig("127.0.0.1:PORT", "/scratch/nginx", "<data dir>/media"),
		}},
	}
}

// limitDelivery explains a missed delivery goal from the measurements:
// CPU per request says whether clipcut does more work per request, cores
// busy whether it kept the machine as busy.
func limitDelivery(s deliverySamples, mix string) string {
	ck, nk := "clipcut/"+mix, "nginx/"+mix
	cr, nr := s.cpuReq.Stat(ck).Median, s.cpuReq.Stat(nk).Median
	cc, nc := s.cores.Stat(ck).Median, s.cores.Stat(nk).Median
	gk := "go/" + mix
	gr, grps := s.cpuReq.Stat(gk).Median, s.rps.Stat(gk).Median
	str := fmt.Sprintf("clipcut spends %.1f µs of CPU per request against nginx's %.1f µs (%.2f×), with %.2f cores busy against %.2f.",
		cr, nr, cr/nr, cc, nc)
	if cr <= nr*1.1 {
		return str + " The work per request is close: the difference is how busy each kept the shared cores."
	}
	str += fmt.Sprintf(" Go's own static file server, net/http.FileServer on the same files with nothing around it, needs %.1f µs "+
		"per request (%.0f requests/s, %.2f× nginx): that much is Go's HTTP server (a goroutine and context per request, header "+
		"parsing, a header map sorted on the way out, a background read per request, netpoller wake-ups).",
		gr, grps, grps/s.rps.Stat(nk).Median)
	str += " clipcut answers these media-only connections on its fast path (CLIPCUT_MEDIA_FAST_PATH): its own keep-alive loop " +
		"and request parser (held to net/http's by a differential test), headers written in one buffer, socket reads and writes " +
		"and the sendfile of page-cached files as raw system calls (so the scheduler does not hand the processor to another " +
		"thread mid-call), a segment's headers sent with MSG_MORE so they leave with the first bytes of the sendfile."
	if cr < gr {
		str += fmt.Sprintf(" That saves %.1f µs per request against net/http's bare file server. What stays is Go's runtime around "+
			"each request (the connection's goroutine parked in the netpoller and woken per request, the scheduler's and sysmon's "+
			"thread wake-ups, garbage collection) and clipcut's own handler and middleware (request id, Prometheus counters and "+
			"histogram twice, security headers, path parsing and the privacy check, ServeContent's conditional checks and headers, "+
			"a header map formatted per response), which nginx's C event loop and static configuration do not pay.", gr-cr)
	} else {
		str += fmt.Sprintf(" clipcut's own work on top of that is %.1f µs per request (%.0f%% of its CPU): middleware (request id, "+
			"Prometheus counters and histogram twice, security headers), path parsing and the signature or privacy check, the "+
			"file's metadata and the headers it sets.", cr-gr, (cr-gr)/cr*100)
	}
	return str
}

// startGoFileServer serves mediaDir at /media/ from the harness's own
// process with net/http.FileServer: the floor for any Go server of these
// files.
func startGoFileServer(mediaDir string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("go file server: %w", err)
	}
	srv := &http.Server{
		Handler:           http.StripPrefix("/media/", http.FileServer(http.Dir(mediaDir))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// uploadWithPrivacy creates a video with the given privacy and sends the
// clip in one tus PATCH.
func uploadWithPrivacy(ctx context.Context, c *instance.Client, src *Source, title, privacy string) (string, error) {
	var out struct {
		CreateUpload struct {
			UploadURL string              `json:"uploadUrl"`
			Video     struct{ ID string } `json:"video"`
		} `json:"createUpload"`
	}
	err := c.GraphQL(ctx, `mutation($in: CreateUploadInput!) { createUpload(input: $in) { uploadUrl video { id } } }`,
		map[string]any{"in": map[string]any{"title": title, "filename": filepath.Base(src.Path), "size": src.Size, "privacy": privacy}}, &out)
	if err != nil {
		return "", fmt.Errorf("create upload: %w", err)
	}
	if err := c.PatchFile(ctx, out.CreateUpload.UploadURL, src.Path); err != nil {
		return "", err
	}
	return out.CreateUpload.Video.ID, nil
}

// waitReady polls the status endpoint until video id is READY.
func waitReady(ctx context.Context, c *instance.Client, id string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		st, err := c.VideoStatus(ctx, id)
		if err != nil {
			return err
		}
		switch st.Status {
		case "READY":
			return nil
		case "FAILED":
			reason := ""
			if st.Error != nil {
				reason = *st.Error
			}
			return fmt.Errorf("video %s FAILED at stage %s: %s", id, st.Stage, reason)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("video %s not READY after %s (status %s, stage %s)", id, timeout, st.Status, st.Stage)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// signedMediaPrefix asks for a playback token for video id and returns
// the signed path prefix "/media/t/<token>/videos/<id>/".
func signedMediaPrefix(ctx context.Context, c *instance.Client, id string) (string, error) {
	var out struct {
		CreatePlaybackToken struct {
			Playback struct {
				HLSURL string `json:"hlsUrl"`
			} `json:"playback"`
		} `json:"createPlaybackToken"`
	}
	err := c.GraphQL(ctx, `mutation($id: ID!) { createPlaybackToken(videoId: $id, ttl: 86400) { playback { hlsUrl } } }`,
		map[string]any{"id": id}, &out)
	if err != nil {
		return "", fmt.Errorf("create playback token: %w", err)
	}
	u, err := url.Parse(out.CreatePlaybackToken.Playback.HLSURL)
	if err != nil {
		return "", err
	}
	prefix, ok := strings.CutSuffix(u.Path, "hls/"+masterPlaylistName)
	if !ok || !strings.HasPrefix(prefix, "/media/t/") {
		return "", fmt.Errorf("create playback token: unexpected hlsUrl %q", u)
	}
	return prefix, nil
}

// listVideoMedia finds a READY video's HLS files under clipcut's media
// directory: the master and media playlists, and the segments of one
// rendition (720p when there is one: what a player on a laptop settles
// on), as URL paths under prefix.
func listVideoMedia(mediaDir, id, prefix string) (*deliveryVideo, error) {
	hls := filepath.Join(mediaDir, "videos", id, "hls")
	v := &deliveryVideo{id: id, prefix: prefix, playlists: []string{prefix + "hls/" + masterPlaylistName}}
	entries, err := os.ReadDir(hls)
	if err != nil {
		return nil, fmt.Errorf("find the video's media: %w", err)
	}
	var rungs []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(hls, e.Name(), media.MediaPlaylistName)); e.IsDir() && err == nil && e.Name() != "subs" {
			rungs = append(rungs, e.Name())
			v.playlists = append(v.playlists, prefix+"hls/"+e.Name()+"/"+media.MediaPlaylistName)
		}
	}
	if len(rungs) == 0 {
		return nil, fmt.Errorf("no rendition under %s", hls)
	}
	v.rung = rungs[len(rungs)/2]
	if slices.Contains(rungs, "720p") {
		v.rung = "720p"
	}
	segs, err := os.ReadDir(filepath.Join(hls, v.rung))
	if err != nil {
		return nil, err
	}
	for _, e := range segs {
		if strings.HasSuffix(e.Name(), ".ts") || strings.HasSuffix(e.Name(), ".m4s") {
			info, err := e.Info()
			if err != nil {
				return nil, err
			}
			v.segBytes += info.Size()
			v.segments = append(v.segments, prefix+"hls/"+v.rung+"/"+e.Name())
		}
	}
	if len(v.segments) == 0 {
		return nil, fmt.Errorf("no segment under %s", filepath.Join(hls, v.rung))
	}
	return v, nil
}

// sameAnswer checks that two URLs answer 200 with the same body and
// Content-Type.
func sameAnswer(ctx context.Context, a, b string) error {
	get := func(u string) (string, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return resp.Header.Get("Content-Type"), body, err
	}
	ta, ba, err := get(a)
	if err != nil {
		return err
	}
	tb, bb, err := get(b)
	if err != nil {
		return err
	}
	if !bytes.Equal(ba, bb) {
		return fmt.Errorf("%s and %s answer different bodies (%d and %d bytes)", a, b, len(ba), len(bb))
	}
	if ta != tb {
		return fmt.Errorf("%s and %s answer different types (%q and %q)", a, b, ta, tb)
	}
	return nil
}

// nginxServer is an nginx started by the harness.
type nginxServer struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (n *nginxServer) pid() int { return n.cmd.Process.Pid }

// stop asks nginx to finish (SIGQUIT, graceful) and waits for it.
func (n *nginxServer) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
}

// nginxConfig is the baseline's configuration: a static file server for
// mediaDir at /media/, tuned as a person serving HLS with nginx would.
func nginxConfig(listen, dir, mediaDir string) string {
	return fmt.Sprintf(`daemon off;
master_process on;
worker_processes auto;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log %[2]s/access.log;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_temp_path %[2]s/tmp/body;
    proxy_temp_path %[2]s/tmp/proxy;
    fastcgi_temp_path %[2]s/tmp/fastcgi;
    uwsgi_temp_path %[2]s/tmp/uwsgi;
    scgi_temp_path %[2]s/tmp/scgi;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
        video/iso.segment m4s;
        image/jpeg jpg;
    }
    server {
        listen %[1]s;
        location /media/ {
            alias %[3]s/;
            add_header Access-Control-Allow-Origin * always;
            add_header Cache-Control "public, max-age=31536000, immutable";
        }
    }
}
`, listen, dir, strings.TrimSuffix(mediaDir, "/"))
}

// startNginx writes a configuration under dir and runs nginx in the
// foreground on a free loopback port until it answers.
func startNginx(ctx context.Context, dir, mediaDir string) (*nginxServer, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(addr, dir, mediaDir)), 0o644); err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command("nginx", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	setParentDeath(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	n := &nginxServer{url: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(n.done) }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			return n, nil
		}
		select {
		case <-n.done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return nil, fmt.Errorf("nginx exited: %s %s", stderr.String(), log)
		case <-ctx.Done():
			n.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.stop()
			return nil, errors.New("nginx did not listen within 10 s")
		}
	}
}

// nginxVersion is "1.22.1", from nginx -v.
func nginxVersion() string {
	out, _ := exec.Command("nginx", "-v").CombinedOutput()
	_, v, ok := strings.Cut(strings.TrimSpace(string(out)), "nginx/")
	if !ok {
		return ""
	}
	return v
}

// masterPlaylistName is the master playlist under a video's hls/ (jobs'
// unexported masterName).
const masterPlaylistName = "master.m3u8"
