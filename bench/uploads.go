package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clipcut/clipcut/bench/instance"
)

// Goal of issue 9 for uploads, and the sizes it is measured with.
const (
	goalUploadVsPut   = 0.9 // at least this × the plain PUT's throughput
	uploadLargeSize   = 1 << 30
	uploadChunkSize   = 32 << 20
	uploadSmallSize   = 8 << 20
	uploadConcurrency = 150
)

func uploadsBenchmark() Benchmark {
	return Benchmark{
		Name:  "uploads",
		Title: "Uploads: tus (one PATCH, 32 MiB chunks, 150 at once) vs a plain HTTP PUT",
		Run:   runUploads,
	}
}

func runUploads(ctx context.Context, env *Env) (*Section, error) {
	putBin, err := buildBaseline(ctx, env, "plainput")
	if err != nil {
		return nil, err
	}
	loadBin, err := buildBaseline(ctx, env, "uploadload")
	if err != nil {
		return nil, err
	}
	// Quotas and the upload-creation rate limit are lifted: the benchmark
	// creates hundreds of uploads for one account, and creating them is
	// not what is measured.
	settings := []string{"CLIPCUT_RATE_LIMIT_UPLOADS=off", "CLIPCUT_RATE_LIMIT_GRAPHQL=" + graphqlRateLimit,
		"CLIPCUT_USER_DAILY_UPLOADS=0", "CLIPCUT_USER_STORAGE_QUOTA=0", "CLIPCUT_MAX_UPLOAD_SIZE=10GiB"}
	return withClipcutStack(ctx, env, "uploads", settings, func(st *clipcutStack) (*Section, error) {
		return measureUploads(ctx, env, st, putBin, loadBin)
	})
}

// uploadPairs are the goals: each tus case against its PUT baseline.
var uploadPairs = []struct{ tus, put, figure string }{
	{"tus-single", "put-single", "1 GiB through tus in one PATCH, throughput ÷ plain PUT"},
	{"tus-chunked", "put-single", "1 GiB through tus in 32 MiB PATCHes, throughput ÷ plain PUT"},
	{"tus-150", "put-150", fmt.Sprintf("%d concurrent 8 MiB tus uploads, throughput ÷ %d plain PUTs", uploadConcurrency, uploadConcurrency)},
}

// uploadCase is one way of sending bytes: to clipcut over tus or to the
// plain PUT server, one large file or many small ones at once.
type uploadCase struct {
	key, label string
	tus        bool
	chunk      int64
	file       string
	count      int
	// fsync: the PUT server fsyncs the file before answering.
	fsync bool
}

func measureUploads(ctx context.Context, env *Env, st *clipcutStack, putBin, loadBin string) (*Section, error) {
	dir := filepath.Join(env.Work, "uploads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	large, small := filepath.Join(dir, "large.bin"), filepath.Join(dir, "small.bin")
	for _, f := range []struct {
		path string
		size int64
	}{{large, uploadLargeSize}, {small, uploadSmallSize}} {
		if err := randomFile(f.path, f.size); err != nil {
			return nil, err
		}
	}
	putDir := filepath.Join(dir, "put")
	plain, err := startBaselineServer(ctx, env, putBin, "-dir", putDir)
	if err != nil {
		return nil, err
	}
	defer plain.stop()
	client := st.inst.Client()
	if err := client.SignUp(ctx, "bench-uploads@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}

	cases := []uploadCase{
		{key: "tus-single", label: "tus, 1 GiB in one PATCH", tus: true, file: large, count: 1},
		{key: "tus-chunked", label: "tus, 1 GiB in 32 MiB PATCHes", tus: true, chunk: uploadChunkSize, file: large, count: 1},
		{key: "put-single", label: "plain PUT, 1 GiB", file: large, count: 1},
		{key: "put-fsync", label: "plain PUT, 1 GiB, fsync before answering (reference, no goal)", file: large, count: 1, fsync: true},
		{key: "tus-150", label: fmt.Sprintf("tus, %d × 8 MiB at once (one PATCH each)", uploadConcurrency), tus: true, file: small, count: uploadConcurrency},
		{key: "put-150", label: fmt.Sprintf("plain PUT, %d × 8 MiB at once", uploadConcurrency), file: small, count: uploadConcurrency},
	}
	seconds, mbps, cpu, paired, finish := Samples{}, Samples{}, Samples{}, Samples{}, Samples{}
	var notes []string
	// runCase sends one case's bytes once and records its figures.
	runCase := func(c uploadCase, round int) (float64, error) {
		urls := make([]string, c.count)
		var videos []string
		for j := range urls {
			if !c.tus {
				urls[j] = fmt.Sprintf("%s/files/%s-%d-%d", plain.URL, c.key, round, j)
				if c.fsync {
					urls[j] += "?fsync=1"
				}
				continue
			}
			up, err := client.CreateUpload(ctx, fmt.Sprintf("bench %s %d/%d", c.key, round+1, j+1), "random.bin", fileSize(c.file))
			if err != nil {
				return 0, err
			}
			urls[j] = up.URL
			videos = append(videos, up.VideoID)
		}
		urlFile := filepath.Join(dir, "urls.txt")
		if err := os.WriteFile(urlFile, []byte(strings.Join(urls, "\n")), 0o644); err != nil {
			return 0, err
		}
		// Start from clean page cache writeback: the previous run's
		// dirty pages are on disk before this one starts.
		syscall.Sync()
		pid := plain.Pid()
		if c.tus {
			pid = st.inst.Pid()
		}
		c0, _ := pidCPU(pid)
		res, err := runUploadLoad(ctx, loadBin, c, urlFile)
		c1, _ := pidCPU(pid)
		if err != nil {
			return 0, fmt.Errorf("%s, run %d: %w", c.key, round+1, err)
		}
		rate := float64(res.Bytes) / res.Seconds / 1e6
		seconds.Add(c.key, res.Seconds)
		mbps.Add(c.key, rate)
		cpu.Add(c.key, (c1-c0).Seconds()/(float64(res.Bytes)/(1<<30)))
		finish.Add(c.key, res.Finish)
		env.Logger.Info("upload run", "case", c.key, "round", round+1, "seconds", fmt.Sprintf("%.2f", res.Seconds),
			"MB/s", fmt.Sprintf("%.0f", rate), "requests", res.Requests)
		// The random bytes fail probing; let that finish (so no ffprobe
		// runs during the next measurement) and remove the videos, and
		// the PUT files, so the disk does not fill up.
		if n := settleVideos(ctx, client, videos); n > 0 {
			notes = append(notes, fmt.Sprintf("%s run %d: %d videos were still PROCESSING a minute after their upload.", c.key, round+1, n))
		}
		if err := os.RemoveAll(putDir); err != nil {
			return 0, err
		}
		return rate, os.MkdirAll(putDir, 0o755)
	}
	// Each tus case runs right next to its PUT baseline, which goes first
	// every other round, and the goal is judged on the ratio within each
	// pair: the load of the rest of the machine drifts less within a pair
	// than across a round.
	byKey := map[string]uploadCase{}
	for _, c := range cases {
		byKey[c.key] = c
	}
	for round := range env.Runs {
		for _, pair := range uploadPairs {
			order := []uploadCase{byKey[pair.tus], byKey[pair.put]}
			if round%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			var rates [2]float64
			for i, c := range order {
				r, err := runCase(c, round)
				if err != nil {
					return nil, err
				}
				rates[i] = r
			}
			if round%2 == 1 {
				rates[0], rates[1] = rates[1], rates[0]
			}
			paired.Add(pair.tus, rates[0]/rates[1])
		}
		if _, err := runCase(byKey["put-fsync"], round); err != nil {
			return nil, err
		}
	}
	// Where the time goes in one large upload each, for the limits.
	profiles := map[string][]perfEntry{}
	for _, c := range []uploadCase{cases[0], cases[2]} {
		pid, url := st.inst.Pid(), ""
		var videos []string
		if c.tus {
			up, err := client.CreateUpload(ctx, "bench profile", "random.bin", fileSize(c.file))
			if err != nil {
				return nil, err
			}
			url, videos = up.URL, []string{up.VideoID}
		} else {
			pid, url = plain.Pid(), plain.URL+"/files/profile"
		}
		urlFile := filepath.Join(dir, "urls.txt")
		if err := os.WriteFile(urlFile, []byte(url), 0o644); err != nil {
			return nil, err
		}
		syscall.Sync()
		data := filepath.Join(env.Work, "perf-uploads-"+c.key+".data")
		report, ok, err := perfProfile(ctx, pid, data, func() error {
			_, err := runUploadLoad(ctx, loadBin, c, urlFile)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", c.key, err)
		}
		if ok {
			_ = os.WriteFile(strings.TrimSuffix(data, ".data")+".txt", []byte(report), 0o644)
			profiles[c.key] = parsePerfChildren(report)
		}
		_ = os.Remove(data)
		settleVideos(ctx, client, videos)
		_ = os.RemoveAll(filepath.Join(putDir, "profile"))
	}
	return uploadsSection(env, cases, seconds, mbps, cpu, paired, finish, notes, profiles), nil
}

// uploadLoadResult is what bench/uploadload prints.
type uploadLoadResult struct {
	Seconds  float64 `json:"seconds"`
	Bytes    int64   `json:"bytes"`
	Requests int64   `json:"requests"`
	// Finish is the longest wait between the last byte of a body and its
	// answer.
	Finish float64 `json:"finish_seconds"`
}

func runUploadLoad(ctx context.Context, bin string, c uploadCase, urlFile string) (uploadLoadResult, error) {
	mode := "put"
	if c.tus {
		mode = "tus"
	}
	out, err := exec.CommandContext(ctx, bin, "-mode", mode, "-file", c.file, "-chunk", strconv.FormatInt(c.chunk, 10), "-urls", urlFile).CombinedOutput()
	if err != nil {
		return uploadLoadResult{}, fmt.Errorf("uploadload: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return parseUploadLoad(string(out))
}

func parseUploadLoad(out string) (uploadLoadResult, error) {
	for line := range strings.SplitSeq(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			var r uploadLoadResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return r, fmt.Errorf("uploadload: %w", err)
			}
			if r.Seconds <= 0 || r.Bytes <= 0 {
				return r, fmt.Errorf("uploadload: empty result %q", rest)
			}
			return r, nil
		}
	}
	return uploadLoadResult{}, fmt.Errorf("uploadload printed no result: %.300s", out)
}

// settleVideos waits (up to a minute) until none of the videos is
// PROCESSING, deletes them all, and returns how many never settled.
func settleVideos(ctx context.Context, c *instance.Client, ids []string) int {
	deadline := time.Now().Add(time.Minute)
	pending := ids
	for len(pending) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		var still []string
		for _, id := range pending {
			if s, err := c.VideoStatus(ctx, id); err == nil && s.Status == "PROCESSING" {
				still = append(still, id)
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_ = c.GraphQL(ctx, `mutation($id: ID!) { deleteVideo(id: $id) }`, map[string]any{"id": id}, nil)
		})
	}
	wg.Wait()
	return len(pending)
}

func uploadsSection(env *Env, cases []uploadCase, seconds, mbps, cpu, paired, finish Samples, notes []string, profiles map[string][]perfEntry) *Section {
	table := Table{Header: []string{"upload", "time s", "throughput MB/s", "÷ plain PUT run next to it", "server CPU s per GiB", "last byte → answer s"}}
	for _, c := range cases {
		rel := "–"
		if c.tus {
			rel = paired.Stat(c.key).Cell(2)
		}
		table.Rows = append(table.Rows, []string{c.label, seconds.Stat(c.key).Cell(2), mbps.Stat(c.key).Cell(0), rel, cpu.Stat(c.key).Cell(2), finish.Stat(c.key).Cell(3)})
	}
	var goals []Goal
	for _, p := range uploadPairs {
		r := paired.Stat(p.tus)
		goal := ratioGoal(p.figure, r.Median, goalUploadVsPut, true,
			fmt.Sprintf("%.2f× (%.2f–%.2f; medians %.0f vs %.0f MB/s)", r.Median, r.Min, r.Max, mbps.Stat(p.tus).Median, mbps.Stat(p.put).Median))
		if goal.Status == Missed {
			goal.Limit = uploadLimit(p.tus, p.put, seconds, cpu, finish, profiles["tus-single"])
		}
		goals = append(goals, goal)
	}
	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ") with local-disk storage under the scratch directory " +
				"(tusd's file store, the file locker) and default settings but for quotas and the upload-creation rate limit, lifted " +
				"because the benchmark creates hundreds of uploads for one account. Each tus upload is created with `createUpload` " +
				"(not timed) and its `uploadUrl` gets the bytes as a stock tus client sends them: PATCH from offset 0 with " +
				"`Upload-Offset`, no checksum header. The files are an MP4 header (which the server's sniff of the first bytes accepts) and random bytes, so each upload then fails probing; the harness " +
				"waits for that and deletes the videos before the next run.",
			"Baseline: `bench/plainput`, a `net/http` handler that `io.Copy`s a PUT body into a file in the same filesystem (no fsync; " +
				"tusd's file store does not fsync either). The client (`bench/uploadload`) is a separate process on loopback and " +
				"times from its first request to its last answer, and the longest wait between handing over a body's last byte and " +
				"its answer (the server's work at the end of a request). A PUT that fsyncs before answering is shown for reference: " +
				"what acknowledging only durable bytes would cost. The page cache is flushed (`sync`) before every run. " +
				fmt.Sprintf("%s per case. Each tus case runs right next to its PUT baseline (which goes first every other round) and "+
					"is judged on the ratio within the pair, the median over the rounds: on a shared machine the load drifts less within "+
					"a pair than across a round. The 1 GiB PUT is paired with both 1 GiB tus cases, so it has twice the runs.", plural(env.Runs, "run")),
		},
		Tables: []Table{table},
		Goals:  goals,
		Notes:  notes,
	}
}

// uploadLimit explains a missed upload goal: from the CPU each GiB cost
// clipcut and the PUT server, how long the server took to answer after
// the last byte (the work tus adds at the end of a request), and where
// clipcut's CPU went under perf.
func uploadLimit(key, putKey string, seconds, cpu, finish Samples, profile []perfEntry) string {
	tusCPU, putCPU := cpu.Stat(key).Median, cpu.Stat(putKey).Median
	tusFin, putFin := finish.Stat(key).Median, finish.Stat(putKey).Median
	s := fmt.Sprintf("Server CPU per GiB: clipcut %.2f s, the PUT server %.2f s; from the last byte sent to the answer: %.3f s vs %.3f s. ",
		tusCPU, putCPU, tusFin, putFin)
	switch key {
	case "tus-chunked":
		if extra := seconds.Stat(key).Median - seconds.Stat("tus-single").Median; extra > 0 {
			s += fmt.Sprintf("The same bytes take %.2f s longer in %d PATCHes than in one, about %.0f ms per PATCH: each is a new "+
				"request with the capability check and upload lookup in Postgres, tusd's lock file and .info rewrite. ",
				extra, uploadLargeSize/uploadChunkSize, extra*1000/float64(uploadLargeSize/uploadChunkSize))
		}
	case "tus-150":
		s += fmt.Sprintf("With %d uploads finishing together, each one's end (the upload lookup, recording its id, and the "+
			"transaction that moves the video to PROCESSING and inserts its probe job, each commit an fsync of Postgres's WAL "+
			"on the same disk) queues for clipcut's 20 database connections and the two cores: that wait is the gap. ", uploadConcurrency)
	}
	if tusCPU <= putCPU*1.15 && tusFin < 0.1 {
		s += "clipcut spends no more CPU per byte than the PUT server and answers as soon as the bytes are in, so the gap is " +
			"not clipcut's code: the copy is bound by the kernel (socket reads, ext4 buffered writes) and by what the rest of " +
			"the machine and the disk's writeback did during the runs (see their spread). "
	}
	if shares := profileShares(profile, uploadProfileFrames); shares != "" {
		s += "perf on clipcut during one 1 GiB PATCH, share of its CPU samples (cumulative): " + shares + "."
	}
	return strings.TrimSpace(s)
}

// uploadProfileFrames are the frames that show where a PATCH's CPU goes.
var uploadProfileFrames = []profileFrame{
	{"tusd's copy of the body to the file (filestore WriteChunk)", "github.com/tus/tusd/v2/pkg/filestore.(*fileUpload).WriteChunk"},
	{"of which write(2) to the file", "os.(*File).Write"},
	{"and reading the socket through tusd's body reader", "github.com/tus/tusd/v2/pkg/handler.(*bodyReader).Read"},
	{"garbage collection", "runtime.gcBgMarkWorker"},
}

// mp4Head is the start of an MP4 (an ftyp box) that the random files
// begin with, so the upload's first PATCH passes the server's sniff of
// the container (a file that is not a video is refused before its bytes
// are stored) and the rest is stored and then fails probing, as before.
var mp4Head = []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'}

// randomFile writes size bytes to path: an MP4 header, then pseudo-random
// bytes (incompressible, not a video).
func randomFile(path string, size int64) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() == size && hasPrefix(path, mp4Head) {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(mp4Head); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	var seed [32]byte
	_, _ = rand.Read(seed[:])
	src := mrand.NewChaCha8(seed)
	if _, err := io.CopyN(f, src, size-int64(len(mp4Head))); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// hasPrefix reports whether the file at path starts with head.
func hasPrefix(path string, head []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(head))
	_, err = io.ReadFull(f, b)
	return err == nil && bytes.Equal(b, head)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
