package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
)

// goalFirstFrame is issue 6's bound on the watch page's time to first
// frame on localhost (the figure the original Clip-Cut design reports).
const goalFirstFrame = 1200 * time.Millisecond

// browserClip is the length of the clip the browser benchmark watches:
// short, since only its start is played.
const browserClip = 6 * time.Second

// minBrowserRuns: a page load is cheap, so more runs than -runs when that
// is small (each run starts its own Chromium).
const minBrowserRuns = 5

func browserBenchmark() Benchmark {
	return Benchmark{
		Name:  "browser",
		Title: "Web app: time to first frame and initial JavaScript",
		Run:   runBrowser,
	}
}

// firstFrameResult is what frontend/e2e/firstframe.mjs prints for one run.
type firstFrameResult struct {
	Cold watchLoad `json:"cold"`
	Warm watchLoad `json:"warm"`
	Home struct {
		Scripts   []loadedScript `json:"scripts"`
		HLSLoaded bool           `json:"hlsLoaded"`
	} `json:"home"`
}

// watchLoad is one full load of the watch page, as the browser saw it.
type watchLoad struct {
	// Milestones: when each thing the first frame waits for had arrived,
	// in ms after navigation start (null when not seen).
	Milestones         map[string]*float64 `json:"milestones"`
	FirstFrameMs       float64             `json:"firstFrameMs"`
	MeasureMs          *float64            `json:"measureMs"`
	DOMContentLoadedMs *float64            `json:"domContentLoadedMs"`
	Engine             string              `json:"engine"`
	Muted              bool                `json:"muted"`
	VideoHeight        int                 `json:"videoHeight"`
	Scripts            []loadedScript      `json:"scripts"`
	HLSLoaded          bool                `json:"hlsLoaded"`
}

// loadedScript is one JavaScript file from the page's resource timing.
type loadedScript struct {
	Name          string `json:"name"`
	TransferBytes int64  `json:"transferBytes"`
	EncodedBytes  int64  `json:"encodedBytes"`
	DecodedBytes  int64  `json:"decodedBytes"`
}

// runBrowser uploads a short clip to a clipcut started as its own process,
// waits for READY, then loads its watch page in a fresh headless Chromium
// per run (frontend/e2e/firstframe.mjs) and takes the player's own
// measure of the time to first frame. The initial JavaScript is read from
// the build the binary embeds (frontend/dist).
func runBrowser(ctx context.Context, env *Env) (*Section, error) {
	frontend := filepath.Join(env.Module, "frontend")
	script := filepath.Join(frontend, "e2e", "firstframe.mjs")
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []error
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, fmt.Errorf("node is required: %w", err))
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, fmt.Errorf("chromium is required (CHROMIUM_PATH): %w", err))
	}
	if _, err := os.Stat(filepath.Join(frontend, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, errors.New("playwright-core is missing: run `npm ci` in frontend/ (make build does)"))
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	bundle, err := analyzeBundle(filepath.Join(frontend, "dist"))
	if err != nil {
		return nil, err
	}

	src, err := env.Source(ctx, browserClip)
	if err != nil {
		return nil, err
	}
	return withClipcut(ctx, env, "browser", nil, func(inst *instance.Instance, _ string) (*Section, error) {
		return measureBrowser(ctx, env, inst, src, script, chromium, bundle)
	})
}

func measureBrowser(ctx context.Context, env *Env, inst *instance.Instance, src *Source, script, chromium string, bundle *bundleReport) (*Section, error) {
	client := inst.Client()
	if err := client.SignUp(ctx, "browser-bench@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	videoID, err := uploadUntilReady(ctx, client, src, "bench first frame")
	if err != nil {
		return nil, err
	}
	runs := max(env.Runs, minBrowserRuns)
	var results []firstFrameResult
	u, err := measure(func() error {
		for i := range runs {
			r, err := runFirstFrame(ctx, script, chromium, inst.URL, videoID)
			if err != nil {
				return fmt.Errorf("run %d: %w", i+1, err)
			}
			env.Logger.Info("browser run", "round", i+1, "first_frame_ms", r.Cold.FirstFrameMs, "warm_ms", r.Warm.FirstFrameMs, "engine", r.Cold.Engine)
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The clipcut server is not a waited-for child: its CPU counts as
	// "other" here, so this overstates the disturbance a little.
	others := u.Others.Seconds() / u.Wall.Seconds()
	return browserSection(env, src, runs, results, bundle, others), nil
}

// uploadUntilReady uploads src in one PATCH and polls until the video is READY.
func uploadUntilReady(ctx context.Context, c *instance.Client, src *Source, title string) (string, error) {
	up, err := c.CreateUpload(ctx, title, filepath.Base(src.Path), src.Size)
	if err != nil {
		return "", err
	}
	if err := c.PatchFile(ctx, up.URL, src.Path); err != nil {
		return "", err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		st, err := c.VideoStatus(ctx, up.VideoID)
		if err != nil {
			return "", err
		}
		switch st.Status {
		case "READY":
			return up.VideoID, nil
		case "FAILED":
			return "", fmt.Errorf("video %s FAILED at stage %s", up.VideoID, st.Stage)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("video %s not READY after 3 minutes (status %s, stage %s)", up.VideoID, st.Status, st.Stage)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// runFirstFrame runs firstframe.mjs once (its own Chromium, empty cache).
func runFirstFrame(ctx context.Context, script, chromium, baseURL, videoID string) (firstFrameResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, "--base", baseURL, "--video", videoID)
	cmd.Dir = filepath.Dir(filepath.Dir(script))
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return firstFrameResult{}, fmt.Errorf("node %s: %w: %s", filepath.Base(script), err, strings.TrimSpace(stderr.String()))
	}
	var r firstFrameResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return r, fmt.Errorf("firstframe.mjs output: %w: %q", err, stdout.String())
	}
	if r.Cold.FirstFrameMs <= 0 {
		return r, fmt.Errorf("firstframe.mjs reported no first frame: %s", stdout.String())
	}
	return r, nil
}

// bundleFile is one built file with its size as served (the server
// gzips text assets at gzip.BestCompression).
type bundleFile struct {
	Name      string
	Raw, Gzip int64
}

// bundleReport is the app's JavaScript as built.
type bundleReport struct {
	// Initial is what index.html loads before anything runs: its module
	// script, the modulepreloads and everything they import statically.
	Initial []bundleFile
	CSS     []bundleFile
	// HLS is the hls.js chunk; HLSImporters the chunks that import() it.
	HLS          *bundleFile
	HLSImporters []string
	// Lazy are the other chunks the app loads on demand (not GraphiQL's).
	Lazy []bundleFile
}

var (
	htmlAssetRE     = regexp.MustCompile(`(?:src|href)="/assets/([\w.-]+\.(?:js|css))"`)
	staticImportRE  = regexp.MustCompile(`(?:\bfrom|\bimport)\s*"\./([\w.-]+\.js)"`)
	dynamicImportRE = regexp.MustCompile("import\\(\\s*[`\"']\\./([\\w.-]+\\.js)[`\"']\\s*\\)")
)

// analyzeBundle reads frontend/dist: the initial JavaScript of index.html
// (the static import closure of its scripts), and where hls.js sits.
func analyzeBundle(dist string) (*bundleReport, error) {
	index, err := os.ReadFile(filepath.Join(dist, "index.html"))
	if err != nil {
		return nil, fmt.Errorf("the web app is not built (%w): run `make build` or `npm run build` in frontend/", err)
	}
	assets := filepath.Join(dist, "assets")
	read := func(name string) (bundleFile, []byte, error) {
		b, err := os.ReadFile(filepath.Join(assets, name))
		if err != nil {
			return bundleFile{}, nil, err
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return bundleFile{Name: name, Raw: int64(len(b)), Gzip: int64(z.Len())}, b, nil
	}
	r := &bundleReport{}
	seen := map[string]bool{}
	var queue []string
	for _, m := range htmlAssetRE.FindAllStringSubmatch(string(index), -1) {
		name := m[1]
		if strings.HasSuffix(name, ".css") {
			f, _, err := read(name)
			if err != nil {
				return nil, err
			}
			r.CSS = append(r.CSS, f)
			continue
		}
		if !seen[name] {
			seen[name] = true
			queue = append(queue, name)
		}
	}
	if len(queue) == 0 {
		return nil, errors.New("index.html loads no script from /assets/")
	}
	// The static import closure; dynamic import()s are the lazy chunks.
	lazy := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		f, body, err := read(name)
		if err != nil {
			return nil, err
		}
		r.Initial = append(r.Initial, f)
		for _, m := range staticImportRE.FindAllStringSubmatch(string(body), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				queue = append(queue, m[1])
			}
		}
		for _, m := range dynamicImportRE.FindAllStringSubmatch(string(body), -1) {
			lazy[m[1]] = true
			if strings.HasPrefix(m[1], "hls-") {
				r.HLSImporters = append(r.HLSImporters, name)
			}
		}
	}
	for name := range lazy {
		if seen[name] {
			continue // also imported statically: part of the initial load
		}
		f, _, err := read(name)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(name, "hls-") {
			r.HLS = &f
		} else {
			r.Lazy = append(r.Lazy, f)
		}
	}
	slices.SortFunc(r.Lazy, func(a, b bundleFile) int { return strings.Compare(a.Name, b.Name) })
	return r, nil
}

// scriptsSummary says how many scripts a page load fetched and how many
// bytes they were, decoded and as sent, with their names.
func scriptsSummary(scripts []loadedScript) string {
	var decoded, encoded int64
	names := make([]string, 0, len(scripts))
	for _, s := range scripts {
		decoded += s.DecodedBytes
		encoded += s.EncodedBytes
		names = append(names, s.Name)
	}
	return fmt.Sprintf("%s, %s KiB decoded, %s KiB as sent (%s)", plural(len(scripts), "script"), kib(decoded), kib(encoded), strings.Join(names, ", "))
}

func sumBundle(files []bundleFile) (raw, gz int64) {
	for _, f := range files {
		raw += f.Raw
		gz += f.Gzip
	}
	return raw, gz
}

// firstFrameMilestones are the steps of a first visit to the watch page,
// keys of watchLoad.Milestones, in the order they normally happen.
var firstFrameMilestones = []struct{ key, label string }{
	{"html", "index.html received"},
	{"appScript", "app script received"},
	{"domContentLoaded", "DOMContentLoaded"},
	{"videoQuery", "GraphQL answers received"},
	{"hlsChunk", "hls.js chunk received"},
	{"masterPlaylist", "master playlist received"},
	{"firstSegment", "first media segment received"},
	{"playing", "first `playing`"},
}

// firstFrameLimit names the largest step between two consecutive
// milestones (by median) of the first visits.
func firstFrameLimit(ms Samples, otherCores float64) string {
	type step struct {
		label string
		at    float64
	}
	var steps []step
	var parts []string
	for _, m := range firstFrameMilestones {
		if len(ms[m.key]) == 0 {
			continue
		}
		st := ms.Stat(m.key)
		steps = append(steps, step{m.label, st.Median})
		parts = append(parts, fmt.Sprintf("%s %.0f ms", m.label, st.Median))
	}
	slices.SortStableFunc(steps, func(a, b step) int { return cmpFloat(a.at, b.at) })
	largest, from, to := 0.0, "navigation start", ""
	prev := step{"navigation start", 0}
	for _, st := range steps {
		if d := st.at - prev.at; d > largest {
			largest, from, to = d, prev.label, st.label
		}
		prev = st
	}
	s := "Medians after navigation start: " + strings.Join(parts, ", ") + "."
	if to != "" {
		s += fmt.Sprintf(" The largest step is %s → %s (%.0f ms).", from, to, largest)
	}
	if otherCores > 0.25 {
		s += fmt.Sprintf(" Processes other than the browser runs (the clipcut server included) used %.2f of the machine's cores meanwhile: on a quiet machine the CPU-bound steps "+
			"(parsing and compiling the app and hls.js in a fresh browser, the decode) shrink; run again before concluding.", otherCores)
	}
	return s
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func kib(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1024) }

func browserSection(env *Env, src *Source, runs int, results []firstFrameResult, b *bundleReport, otherCores float64) *Section {
	s := Samples{}
	milestones := Samples{}
	engines := map[string]bool{}
	muted := 0
	hlsCold, hlsHome := 0, 0
	var homeScripts []string
	var coldScripts []loadedScript
	for _, r := range results {
		s.Add("cold", r.Cold.FirstFrameMs)
		for k, v := range r.Cold.Milestones {
			if v != nil {
				milestones.Add(k, *v)
			}
		}
		s.Add("warm", r.Warm.FirstFrameMs)
		if r.Cold.DOMContentLoadedMs != nil {
			s.Add("dcl", *r.Cold.DOMContentLoadedMs)
		}
		engines[r.Cold.Engine] = true
		if r.Cold.Muted {
			muted++
		}
		if r.Cold.HLSLoaded {
			hlsCold++
		}
		if r.Home.HLSLoaded {
			hlsHome++
		}
		if coldScripts == nil {
			coldScripts = r.Cold.Scripts
		}
		if homeScripts == nil {
			for _, sc := range r.Home.Scripts {
				homeScripts = append(homeScripts, sc.Name)
			}
		}
	}
	var engineList []string
	for e := range engines {
		engineList = append(engineList, e)
	}
	slices.Sort(engineList)

	ff := Table{Header: []string{"watch page load", "navigation start → first `playing` ms", "DOMContentLoaded ms"}}
	ff.Rows = append(ff.Rows,
		[]string{"first visit (empty cache)", s.Stat("cold").Cell(0), s.Stat("dcl").Cell(0)},
		[]string{"again after the home page (app and hls.js cached)", s.Stat("warm").Cell(0), "–"},
	)

	breakdown := Table{
		Caption: "Where the time goes on a first visit: when each thing had arrived, ms after navigation start (resource timing; median (min–max)).",
		Header:  []string{"milestone", "ms"},
	}
	for _, m := range firstFrameMilestones {
		breakdown.Rows = append(breakdown.Rows, []string{m.label, milestones.Stat(m.key).Cell(0)})
	}

	js := Table{
		Caption: "JavaScript of the build the binary embeds (frontend/dist), raw and gzip (the server sends text assets gzipped at best compression).",
		Header:  []string{"file", "loaded", "raw KiB", "gzip KiB"},
	}
	for _, f := range b.Initial {
		js.Rows = append(js.Rows, []string{"`" + f.Name + "`", "every page (index.html and its static imports)", kib(f.Raw), kib(f.Gzip)})
	}
	initRaw, initGz := sumBundle(b.Initial)
	js.Rows = append(js.Rows, []string{"**initial JavaScript**", "every page", "**" + kib(initRaw) + "**", "**" + kib(initGz) + "**"})
	for _, f := range b.CSS {
		js.Rows = append(js.Rows, []string{"`" + f.Name + "`", "every page (stylesheet)", kib(f.Raw), kib(f.Gzip)})
	}
	if b.HLS != nil {
		js.Rows = append(js.Rows, []string{"`" + b.HLS.Name + "` (hls.js)", "watch page only, `import()` from " + strings.Join(b.HLSImporters, ", "), kib(b.HLS.Raw), kib(b.HLS.Gzip)})
	}
	for _, f := range b.Lazy {
		js.Rows = append(js.Rows, []string{"`" + f.Name + "`", "on demand (`import()`)", kib(f.Raw), kib(f.Gzip)})
	}

	cold := s.Stat("cold")
	g := Goal{
		Figure:   "watch page time to first frame, first visit (navigation start → first `playing`)",
		Target:   fmt.Sprintf("< %d ms", goalFirstFrame.Milliseconds()),
		Measured: fmt.Sprintf("%.0f ms (%.0f–%.0f)", cold.Median, cold.Min, cold.Max),
		Status:   Met,
	}
	if cold.Median >= float64(goalFirstFrame.Milliseconds()) {
		g.Status = Missed
		g.Limit = firstFrameLimit(milestones, otherCores)
	}
	hlsProof := "hls.js is not in the initial JavaScript"
	if b.HLS == nil {
		hlsProof = "no hls.js chunk found in the build"
	} else {
		for _, f := range b.Initial {
			if f.Name == b.HLS.Name {
				hlsProof = "hls.js IS in the initial JavaScript"
			}
		}
	}
	bundleGoal := Goal{
		Figure: "initial JavaScript, and hls.js loaded by the watch page only",
		Target: "reported; hls.js only on the watch page",
		Measured: fmt.Sprintf("%s KiB raw, %s KiB gzip; %s; the home page loaded hls.js in %d of %d runs, the watch page in %d of %d",
			kib(initRaw), kib(initGz), hlsProof, hlsHome, len(results), hlsCold, len(results)),
		Status: Met,
	}
	if hlsHome > 0 || hlsCold < len(results) || b.HLS == nil || strings.Contains(hlsProof, "IS in") {
		bundleGoal.Status = Missed
		bundleGoal.Limit = "hls.js must be a separate chunk that only the watch page imports (frontend/src/player/engine.ts)."
	}

	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ", its own private Postgres, loopback). The harness " +
				fmt.Sprintf("signs up, uploads a generated %.0f s 1080p30 clip (testsrc2 + tone) as a PUBLIC video and waits for READY. ", src.Seconds()) +
				fmt.Sprintf("Then, %s, `node frontend/e2e/firstframe.mjs` starts a fresh headless Chromium (Debian's, through playwright-core; ", plural(runs, "run")) +
				"`--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run`), " +
				"loads `/watch/<id>` with an empty cache and reads the player's own measure, `clipcut:time-to-first-frame`: navigation start " +
				"to the video element's first `playing` event (autoplay; muted when the browser's policy asks). It then opens the home page " +
				"and the watch page again, recording the JavaScript each page fetched.",
		},
		Tables: []Table{ff, breakdown, js},
		Goals:  []Goal{g, bundleGoal},
		Notes: []string{
			fmt.Sprintf("Player engine: %s; autoplay started muted in %d of %d runs (headless Chromium's autoplay policy).", strings.Join(engineList, ", "), muted, len(results)),
			"Scripts the home page fetched (resource timing, first run): " + strings.Join(homeScripts, ", ") + ".",
			"Scripts a first visit to the watch page fetched by its first frame (resource timing, first run; counts that do not depend on the machine's load): " + scriptsSummary(coldScripts) + ".",
			"GraphiQL (served at GET /graphql) is a separate page with its own bundle and is not counted.",
			"The figures are for localhost: no network latency, so they bound what the app and server add, not what a remote viewer sees.",
		},
	}
}
