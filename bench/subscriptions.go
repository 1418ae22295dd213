package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Goals of issue 9 for subscriptions.
const (
	goalFanOut       = 1.5              // fan-out time at most this × the raw broadcast's
	goalMemPerConn   = 2.0              // memory per connection at most this × raw's
	subscriptionWait = 30 * time.Second // longest one event may take to reach everyone
)

// subscribers is how many connections each server gets: 10,000, or
// CLIPCUT_BENCH_SUBSCRIBERS for a quick look (memory per connection
// hardly depends on it; fan-out time does).
var subscribers = func() int {
	if n, err := strconv.Atoi(os.Getenv("CLIPCUT_BENCH_SUBSCRIBERS")); err == nil && n > 0 {
		return n
	}
	return 10000
}()

const progressSubscription = `subscription($id: ID!) { videoProgress(id: $id) { videoId status stage percent playable error } }`

func subscriptionsBenchmark() Benchmark {
	return Benchmark{
		Name:  "subscriptions",
		Title: "Subscriptions: one event to 10,000 videoProgress subscribers vs a raw websocket broadcast",
		Run:   runSubscriptions,
	}
}

func runSubscriptions(ctx context.Context, env *Env) (*Section, error) {
	rawBin, err := buildBaseline(ctx, env, "rawws")
	if err != nil {
		return nil, err
	}
	loadBin, err := buildBaseline(ctx, env, "wsload")
	if err != nil {
		return nil, err
	}
	// Every subscriber uses the same token: the per-token GraphQL rate
	// limit is raised out of reach (it counts requests, not events).
	load0 := loadAverages()
	st, err := startClipcutStack(ctx, env, "subscriptions", "CLIPCUT_RATE_LIMIT_GRAPHQL="+graphqlRateLimit)
	if err != nil {
		return nil, err
	}
	section, runErr := measureSubscriptions(ctx, env, st, rawBin, loadBin)
	note := st.stop(ctx)
	if runErr == nil {
		section.Notes = append(section.Notes, "Load average (/proc/loadavg, 1, 5, 15 min) when the benchmark started: "+load0+
			"; the machine is shared, so compare the side-by-side ratios rather than the absolute figures.")
	}
	if runErr != nil {
		return nil, fmt.Errorf("%w\nclipcut log (%s) ends:\n%s", runErr, st.logPath, st.inst.LogTail(20))
	}
	if note != "" {
		section.Notes = append(section.Notes, note)
	}
	return section, nil
}

// fanOutTarget is one server with its subscribers.
type fanOutTarget struct {
	key, label string
	pid        int
	load       *wsLoad
	// publish sends event k (from 1) and returns when it was sent.
	publish func(ctx context.Context, k int) (time.Time, error)
	// rssBefore and rssAfter bracket opening the connections.
	rssBefore, rssAfter int64
	setup               float64
}

func measureSubscriptions(ctx context.Context, env *Env, st *clipcutStack, rawBin, loadBin string) (*Section, error) {
	client := st.inst.Client()
	if err := client.SignUp(ctx, "bench-subscriptions@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	db, err := pgx.Connect(ctx, st.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close(context.WithoutCancel(ctx))
	var videoID string
	err = db.QueryRow(ctx, `
		INSERT INTO videos (owner_id, title, status, privacy, stage, percent)
		SELECT id, 'Subscriptions benchmark', 'PROCESSING', 'PUBLIC', 'transcode', 10 FROM users WHERE email = $1
		RETURNING id::text`, "bench-subscriptions@clipcut.test").Scan(&videoID)
	if err != nil {
		return nil, fmt.Errorf("seed video: %w", err)
	}
	raw, err := startBaselineServer(ctx, env, rawBin)
	if err != nil {
		return nil, err
	}
	defer raw.stop()

	// The percent of event k; the raw server broadcasts exactly the
	// message clipcut is expected to send for it.
	percent := func(k int) float64 { return float64(10 + k) }
	payload := func(k int) []byte {
		return []byte(fmt.Sprintf(`{"payload":{"data":{"videoProgress":{"videoId":%q,"status":"PROCESSING","stage":"transcode","percent":%g,"playable":false,"error":null}}},"id":"1","type":"next"}`,
			videoID, percent(k)))
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	clipcut := &fanOutTarget{
		key: "clipcut", label: "clipcut: graphql-transport-ws videoProgress, event from an UPDATE of the video row (trigger → NOTIFY → hub)",
		pid: st.inst.Pid(),
		publish: func(ctx context.Context, k int) (time.Time, error) {
			t0 := time.Now()
			_, err := db.Exec(ctx, `UPDATE videos SET percent = $2, updated_at = now() WHERE id = $1`, videoID, percent(k))
			return t0, err
		},
	}
	rawT := &fanOutTarget{
		key: "raw", label: "raw gorilla/websocket broadcast (bench/rawws), event from POST /broadcast",
		pid: raw.Pid(),
		publish: func(ctx context.Context, k int) (time.Time, error) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, raw.URL+"/broadcast", bytes.NewReader(payload(k)))
			t0 := time.Now()
			resp, err := httpClient.Do(req)
			if err != nil {
				return t0, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				return t0, fmt.Errorf("broadcast: %s", resp.Status)
			}
			return t0, nil
		},
	}
	// Warm the publish paths (the raw server's keep-alive connection,
	// the database connection) before anyone listens.
	if _, err := rawT.publish(ctx, 0); err != nil {
		return nil, err
	}
	if _, err := clipcut.publish(ctx, 0); err != nil {
		return nil, err
	}
	targets := []*fanOutTarget{clipcut, rawT}

	wsURL := "ws" + strings.TrimPrefix(st.inst.URL, "http") + "/graphql"
	for _, t := range targets {
		var args []string
		if t == clipcut {
			args = []string{"-url", wsURL, "-protocol", "graphql-transport-ws",
				"-init", string(jsonBody(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + client.Token()}})),
				"-subscribe", string(jsonBody(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": progressSubscription, "variables": map[string]any{"id": videoID}}}))}
		} else {
			args = []string{"-url", "ws" + strings.TrimPrefix(raw.URL, "http") + "/ws"}
		}
		if t.rssBefore, err = rssBytes(t.pid); err != nil {
			return nil, err
		}
		env.Logger.Info("opening subscriptions", "target", t.key, "n", subscribers)
		t.load, err = startWSLoad(ctx, env, loadBin, t.key, append(args, "-n", strconv.Itoa(subscribers)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.key, err)
		}
		defer t.load.stop()
		t.setup = t.load.setupSeconds
		time.Sleep(2 * time.Second) // let the servers settle after the burst of connections
		if t.rssAfter, err = rssBytes(t.pid); err != nil {
			return nil, err
		}
		env.Logger.Info("subscribers ready", "target", t.key, "setup_s", fmt.Sprintf("%.1f", t.setup),
			"rss_per_conn_kib", fmt.Sprintf("%.1f", float64(t.rssAfter-t.rssBefore)/float64(subscribers)/1024))
	}
	goroutines, _ := promGauge(ctx, st.inst.URL+"/metrics", "go_goroutines")

	p50, p99, fanOut, cpu := Samples{}, Samples{}, Samples{}, Samples{}
	// Events are cheap next to setting up 20,000 connections: several
	// per run.
	for round := range subscriptionEvents(env.Runs) {
		k := round + 1
		for i := range targets {
			t := targets[(round+i)%len(targets)]
			c0, _ := pidCPU(t.pid)
			t0, err := t.publish(ctx, k)
			if err != nil {
				return nil, fmt.Errorf("%s: publish event %d: %w", t.key, k, err)
			}
			times, sample, err := t.load.collect(k, subscriptionWait)
			if err != nil {
				return nil, fmt.Errorf("%s: event %d: %w", t.key, k, err)
			}
			c1, _ := pidCPU(t.pid)
			same, err := sameJSON([]byte(sample), payload(k))
			if err != nil || !same {
				return nil, fmt.Errorf("%s: event %d arrived as %.300s, expected %s", t.key, k, sample, payload(k))
			}
			lat, missing := latencies(times, t0)
			if missing > 0 {
				return nil, fmt.Errorf("%s: event %d reached %d of %d subscribers within %s", t.key, k, len(lat), subscribers, subscriptionWait)
			}
			p50.Add(t.key, nearestRank(lat, 50))
			p99.Add(t.key, nearestRank(lat, 99))
			fanOut.Add(t.key, lat[len(lat)-1])
			cpu.Add(t.key, float64((c1-c0).Microseconds())/float64(subscribers))
			env.Logger.Info("fan-out", "target", t.key, "event", k, "p50_ms", fmt.Sprintf("%.1f", nearestRank(lat, 50)),
				"p99_ms", fmt.Sprintf("%.1f", nearestRank(lat, 99)), "all_ms", fmt.Sprintf("%.1f", lat[len(lat)-1]))
			// Let the clients and servers go quiet before the next event.
			time.Sleep(500 * time.Millisecond)
		}
	}
	// Where clipcut's CPU goes during a fan-out, for the limit: one more
	// event under perf.
	k := subscriptionEvents(env.Runs) + 1
	data := filepath.Join(env.Work, "perf-subscriptions.data")
	report, ok, err := perfProfile(ctx, clipcut.pid, data, func() error {
		time.Sleep(200 * time.Millisecond) // perf attaches
		if _, err := clipcut.publish(ctx, k); err != nil {
			return err
		}
		_, _, err := clipcut.load.collect(k, subscriptionWait)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	var profile []perfEntry
	if ok {
		_ = os.WriteFile(strings.TrimSuffix(data, ".data")+".txt", []byte(report), 0o644)
		profile = parsePerfChildren(report)
	}
	_ = os.Remove(data)
	return subscriptionsSection(env, targets, p50, p99, fanOut, cpu, goroutines, profile), nil
}

// fanOutProfileFrames are the frames that show where a fan-out's CPU goes.
var fanOutProfileFrames = []profileFrame{
	{"the shared stream: one execution and encoding per event, frames queued to each socket", "github.com/clipcut/clipcut/graph.(*mxStream).publish"},
	{"gqlgen executing the subscription's selection (once per event)", "github.com/99designs/gqlgen/graphql/executor.(*Executor).DispatchOperation"},
	{"the per-connection writers (gorilla/websocket)", "github.com/clipcut/clipcut/graph.(*wsConn).flush"},
	{"encoding/json", "encoding/json.Marshal"},
	{"the resolver's stream goroutine", "github.com/clipcut/clipcut/graph.streamVideoProgress"},
	{"the hub handing the event to each subscription", "github.com/clipcut/clipcut/store.(*Hub).publish"},
	{"write(2) to the sockets", "syscall.write"},
	{"memory allocation", "runtime.mallocgc"},
	{"garbage collection", "runtime.gcBgMarkWorker"},
	{"the goroutine scheduler", "runtime.schedule"},
}

// subscriptionEvents is how many events each server fans out.
func subscriptionEvents(runs int) int { return 3 * runs }

// latencies turns receive times (unix ns, 0 for none) into sorted
// milliseconds after t0, and counts the subscribers that got nothing.
func latencies(times []int64, t0 time.Time) (ms []float64, missing int) {
	base := t0.UnixNano()
	for _, t := range times {
		if t == 0 {
			missing++
			continue
		}
		ms = append(ms, float64(t-base)/1e6)
	}
	slices.Sort(ms)
	return ms, missing
}

func subscriptionsSection(env *Env, targets []*fanOutTarget, p50, p99, fanOut, cpu Samples, goroutines float64, profile []perfEntry) *Section {
	table := Table{Header: []string{"server", "p50 ms", "p99 ms", "all delivered ms", "server CPU µs per delivery", "RSS per connection KiB", "10,000 set up in s"}}
	mem := map[string]float64{}
	for _, t := range targets {
		mem[t.key] = float64(t.rssAfter-t.rssBefore) / float64(subscribers) / 1024
		table.Rows = append(table.Rows, []string{t.label, p50.Stat(t.key).Cell(1), p99.Stat(t.key).Cell(1), fanOut.Stat(t.key).Cell(1),
			cpu.Stat(t.key).Cell(1), fmt.Sprintf("%.1f", mem[t.key]), fmt.Sprintf("%.1f", t.setup)})
	}
	c, r := fanOut.Stat("clipcut").Median, fanOut.Stat("raw").Median
	g1 := ratioGoal("fan-out time to all 10,000, clipcut ÷ raw broadcast", c/r, goalFanOut, false,
		fmt.Sprintf("%.2f× (%.1f vs %.1f ms)", c/r, c, r))
	if g1.Status == Missed {
		g1.Limit = fmt.Sprintf("Server CPU per delivered event: clipcut %.1f µs, raw %.1f µs; on two cores shared with the 10,000 clients, "+
			"fan-out time follows it. clipcut executes and encodes the event once for all subscribers of the same document "+
			"(a multiplexed stream), queues the frame to each socket and starts a writer goroutine per socket for the write; "+
			"the raw server encodes one frame for everyone (PreparedMessage) and hands it to each connection's write pump. "+
			"The database part (UPDATE, trigger, NOTIFY, one LISTEN connection) happens once per event, not per subscriber.",
			cpu.Stat("clipcut").Median, cpu.Stat("raw").Median)
		if shares := profileShares(profile, fanOutProfileFrames); shares != "" {
			g1.Limit += " perf on clipcut during one more event, share of its CPU samples (cumulative, nested frames overlap): " + shares + "."
		}
	}
	g2 := ratioGoal("memory per connection, clipcut ÷ raw broadcast", mem["clipcut"]/mem["raw"], goalMemPerConn, false,
		fmt.Sprintf("%.2f× (%.1f vs %.1f KiB)", mem["clipcut"]/mem["raw"], mem["clipcut"], mem["raw"]))
	if g2.Status == Missed {
		g2.Limit = fmt.Sprintf("clipcut ran %.0f goroutines with %d subscriptions open (%.1f per connection; the raw server runs 2: "+
			"a read and a write pump); clipcut's transport keeps one per connection, its reader, which is the HTTP handler's "+
			"goroutine: its stack holds the middleware chain, and net/http keeps the upgrade request, its headers and "+
			"context and the connection's 4 KiB read and write buffers (gorilla/websocket reads and writes through them) "+
			"until the handler returns; plus the connection's operation state and keep-alive timer. `go test ./graph/ -run "+
			"TestIdleSubscriptionMemory` measures the same in process (heap and stacks after GC).", goroutines, subscribers, goroutines/float64(subscribers))
	}
	notes := []string{"The clients share the two cores with the server while an event fans out, alike for both servers."}
	if subscribers != 10000 {
		notes = append(notes, fmt.Sprintf("Run with %d subscribers per server (CLIPCUT_BENCH_SUBSCRIBERS), not 10,000: "+
			"RSS per connection includes the garbage collector's headroom, which depends on the count.", subscribers))
	}
	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ") on a Postgres cluster the harness starts; " +
				"one PUBLIC video is PROCESSING. A client process (`bench/wsload`, gorilla/websocket) opens 10,000 websockets to " +
				"`/graphql` with `graphql-transport-ws`, sends `connection_init` with the bearer token and subscribes to " +
				"`videoProgress` on that video, waiting for the first event (the current state) on each. Another wsload opens " +
				"10,000 websockets to the baseline. Connections come from several loopback addresses (127.0.0.2, …).",
			"Baseline: `bench/rawws`, gorilla/websocket's chat-example shape (read pump and write pump per connection, a send " +
				"channel each) with the message encoded once (`PreparedMessage`), broadcasting exactly the bytes clipcut's `next` message " +
				"carries for the same event (checked on every event).",
			fmt.Sprintf("An event: for clipcut, `UPDATE videos SET percent = …` on the video (what a transcode job's progress does), whose trigger "+
				"NOTIFYs, and clipcut's single LISTEN connection hands it to the hub; for the baseline, `POST /broadcast`. Latency is from "+
				"just before the UPDATE (or POST) to each connection's receipt of the message, on the same clock. %s, one event per server "+
				"each, alternating which goes first. Memory per connection is the server's RSS after opening the 10,000 minus before, "+
				"divided by 10,000.", plural(subscriptionEvents(env.Runs), "round")),
		},
		Tables: []Table{table},
		Goals:  []Goal{g1, g2},
		Notes:  notes,
	}
}

// promGauge reads one unlabelled sample from a Prometheus text page.
func promGauge(ctx context.Context, url, name string) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return parsePromGauge(string(b), name)
}

func parsePromGauge(text, name string) (float64, error) {
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	return 0, fmt.Errorf("metrics: no %s", name)
}

// wsLoad is a running bench/wsload.
type wsLoad struct {
	cmd          *exec.Cmd
	stdin        io.WriteCloser
	out          *bufio.Scanner
	stderr       *bytes.Buffer
	setupSeconds float64
}

// startWSLoad runs wsload and waits for its READY line.
func startWSLoad(ctx context.Context, env *Env, bin, name string, args []string) (*wsLoad, error) {
	cmd := exec.Command(bin, args...)
	setParentDeath(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &wsLoad{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout), stderr: &stderr}
	w.out.Buffer(make([]byte, 1<<20), 64<<20)
	line, err := w.line("READY ", 5*time.Minute)
	if err != nil {
		w.stop()
		return nil, err
	}
	var ready struct {
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		w.stop()
		return nil, fmt.Errorf("wsload: %w", err)
	}
	w.setupSeconds = ready.Seconds
	_ = os.WriteFile(filepath.Join(env.Work, "wsload-"+name+".log"), stderr.Bytes(), 0o644)
	return w, nil
}

// line waits for the next stdout line with prefix and returns the rest.
func (w *wsLoad) line(prefix string, timeout time.Duration) (string, error) {
	type result struct {
		text string
		ok   bool
	}
	ch := make(chan result, 1)
	go func() {
		ok := w.out.Scan()
		ch <- result{w.out.Text(), ok}
	}()
	select {
	case r := <-ch:
		if !r.ok {
			w.cmd.Wait()
			return "", fmt.Errorf("wsload exited: %s", strings.TrimSpace(w.stderr.String()))
		}
		rest, ok := strings.CutPrefix(r.text, prefix)
		if !ok {
			return "", fmt.Errorf("wsload: expected %q, got %.200q", prefix, r.text)
		}
		return rest, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("wsload: no %q line within %s", prefix, timeout)
	}
}

// collect asks for every connection's k-th message time.
func (w *wsLoad) collect(k int, timeout time.Duration) ([]int64, string, error) {
	if _, err := fmt.Fprintf(w.stdin, "collect %d %d\n", k, timeout.Milliseconds()); err != nil {
		return nil, "", fmt.Errorf("wsload: %w", err)
	}
	line, err := w.line("TIMES ", timeout+time.Minute)
	if err != nil {
		return nil, "", err
	}
	var r struct {
		Times  []int64 `json:"times"`
		Sample string  `json:"sample"`
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return nil, "", fmt.Errorf("wsload: %w", err)
	}
	return r.Times, r.Sample, nil
}

func (w *wsLoad) stop() {
	fmt.Fprintln(w.stdin, "quit")
	w.stdin.Close()
	done := make(chan struct{})
	go func() { w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		<-done
	}
}
