package main

import (
	"context"
	"crypto/rand"
	"errors"
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

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The analytics benchmark's load: wrk with analyticsConnections concurrent
// reporters (over analyticsThreads threads), each POSTing batches of
// analyticsBatch heartbeat events of a new session for analyticsLoadTime;
// then a seeded video with analyticsSeedEvents events for the dashboard.
const (
	analyticsThreads     = 2
	analyticsConnections = 16
	analyticsBatch       = 50
	analyticsLoadTime    = 20 * time.Second
	analyticsSeedEvents  = 1_000_000
	analyticsSeedPerSess = 50
	analyticsQueries     = 30
)

func analyticsBenchmark() Benchmark {
	return Benchmark{
		Name:  "analytics",
		Title: "Analytics: sustained event ingest and dashboard queries on a million events",
		Run:   runAnalytics,
	}
}

func runAnalytics(ctx context.Context, env *Env) (*Section, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return nil, fmt.Errorf("wrk is required for the analytics benchmark (apt-get install wrk): %w", err)
	}
	// One address sends everything: the per-address limit is turned off
	// (each simulated viewer stays within its own limit).
	return withClipcutStack(ctx, env, "analytics", []string{"CLIPCUT_ANALYTICS_IP_RATE=0"}, func(st *clipcutStack) (*Section, error) {
		return measureAnalytics(ctx, env, st)
	})
}

func measureAnalytics(ctx context.Context, env *Env, st *clipcutStack) (*Section, error) {
	client := st.inst.Client()
	const email = "bench-analytics@clipcut.test"
	if err := client.SignUp(ctx, email, rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, st.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var owner string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM users WHERE email = $1`, email).Scan(&owner); err != nil {
		return nil, err
	}
	newVideo := func(title string, seconds float64) (string, error) {
		var id string
		err := conn.QueryRow(ctx, `INSERT INTO videos (owner_id, title, privacy, duration_seconds)
			VALUES ($1, $2, 'PUBLIC', $3) RETURNING id::text`, owner, title, seconds).Scan(&id)
		return id, err
	}
	ingestVideo, err := newVideo("Ingest target", 600)
	if err != nil {
		return nil, err
	}

	// Ingest: events/s accepted over HTTP, and written to Postgres
	// (until the buffer drained after the load stopped).
	rates, written := Samples{}, Samples{}
	var p50, p99 Samples = Samples{}, Samples{}
	var non2xx int64
	for run := range env.Runs {
		var before int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM playback_events`).Scan(&before); err != nil {
			return nil, err
		}
		script := filepath.Join(env.Work, fmt.Sprintf("analytics-%d.lua", run))
		if err := os.WriteFile(script, []byte(analyticsWrkScript(ingestVideo, run)), 0o644); err != nil {
			return nil, err
		}
		start := time.Now()
		res, err := runAnalyticsWrk(ctx, st.inst.URL+"/api/v1/analytics/events", script)
		if err != nil {
			return nil, err
		}
		// Wait for the flushes to catch up: clipcut's buffer is empty and
		// the count has stopped growing.
		var after int64
		last, stable := int64(-1), 0
		for stable < 2 {
			time.Sleep(250 * time.Millisecond)
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM playback_events`).Scan(&after); err != nil {
				return nil, err
			}
			buffered, err := analyticsBuffered(ctx, st.inst.URL)
			if err != nil {
				return nil, err
			}
			if after == last && buffered == 0 {
				stable++
			} else {
				stable = 0
			}
			last = after
		}
		elapsed := time.Since(start) - 500*time.Millisecond // the two confirming polls
		non2xx += res.Non2xx + res.Errors
		rates.Add("accepted", float64((res.Requests-res.Non2xx-res.Errors)*analyticsBatch)/(float64(res.DurationUS)/1e6))
		written.Add("written", float64(after-before)/elapsed.Seconds())
		p50.Add("p50", float64(res.P50US)/1000)
		p99.Add("p99", float64(res.P99US)/1000)
		env.Logger.Info("analytics ingest run", "run", run+1, "requests", res.Requests, "events_written", after-before,
			"events_per_s", int(float64(after-before)/elapsed.Seconds()))
	}

	// Dashboard: a video with a million events over 30 days, seeded with
	// COPY, rolled up by clipcut's own job.
	dashVideo, err := newVideo("Dashboard target", 600)
	if err != nil {
		return nil, err
	}
	seedStart := time.Now()
	if err := seedAnalytics(ctx, conn, dashVideo); err != nil {
		return nil, err
	}
	seedTook := time.Since(seedStart)
	rollStart := time.Now()
	for {
		var pending int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM playback_sessions WHERE version <> rolled_version`).Scan(&pending); err != nil {
			return nil, err
		}
		if pending == 0 {
			break
		}
		if time.Since(rollStart) > 15*time.Minute {
			return nil, fmt.Errorf("the rollup job left %d sessions unsummarised after 15 minutes", pending)
		}
		time.Sleep(time.Second)
	}
	rollTook := time.Since(rollStart)
	// The queries are measured on a settled database: the ingest runs and
	// the seed leave millions of new rows that autovacuum would otherwise
	// be working through, on the same two cores, while the queries run.
	settleStart := time.Now()
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) playback_events, playback_sessions, analytics_hourly, analytics_daily,
		analytics_hourly_viewers, analytics_daily_viewers, videos`); err != nil {
		return nil, fmt.Errorf("vacuum before the dashboard queries: %w", err)
	}
	settleTook := time.Since(settleStart)

	queries := []struct{ label, query string }{
		{"videoAnalytics, 28 days by day", `query($id: ID!) { videoAnalytics(videoId: $id) { ` + analyticsSelection + ` } }`},
		{"videoAnalytics, 7 days by hour", `query($id: ID!, $from: Time!) { videoAnalytics(videoId: $id, range: {from: $from, interval: HOUR}) { ` + analyticsSelection + ` } }`},
		{"channelAnalytics, 28 days by day", `query { channelAnalytics { ` + analyticsSelection + ` } }`},
	}
	latency := Samples{}
	var views int
	for _, q := range queries {
		vars := map[string]any{"id": dashVideo, "from": time.Now().Add(-7 * 24 * time.Hour).Format(time.RFC3339)}
		var times []float64
		for i := range analyticsQueries + 3 {
			var out struct {
				VideoAnalytics   *struct{ Totals struct{ Views int } }
				ChannelAnalytics *struct{ Totals struct{ Views int } }
			}
			t0 := time.Now()
			if err := client.GraphQL(ctx, q.query, vars, &out); err != nil {
				return nil, fmt.Errorf("%s: %w", q.label, err)
			}
			if i < 3 {
				continue // warm-up
			}
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
			if out.VideoAnalytics != nil {
				views = out.VideoAnalytics.Totals.Views
			}
		}
		slices.Sort(times)
		latency.Add(q.label+" p50", nearestRank(times, 50))
		latency.Add(q.label+" p95", nearestRank(times, 95))
	}

	accepted, wrote := rates.Stat("accepted"), written.Stat("written")
	s := &Section{
		About: []string{
			fmt.Sprintf("Ingest: wrk (a process of its own) with %d connections on %d threads, each a player reporting: every request is a POST /api/v1/analytics/events of one new session's batch of %d heartbeat events (about %d bytes), for %s per run. \"Written\" counts the rows that reached playback_events, from the start of the load until clipcut's buffer had drained, so it is the sustained rate, not the rate of answers.",
				analyticsConnections, analyticsThreads, analyticsBatch, len(analyticsBody(uuid.Nil.String(), "S", "V")), analyticsLoadTime),
			fmt.Sprintf("Dashboard: a video with %d events (%d sessions of %d events spread over 30 days) is seeded with COPY and summarised by clipcut's own rollup job, and the analytics tables are vacuumed (so autovacuum is not digesting the ingest runs' rows meanwhile); each query is then run %d times in a row over HTTP after 3 warm-ups, as the video's owner, selecting every figure: totals, the series, the retention curve (600 points), renditions and top videos.",
				analyticsSeedEvents, analyticsSeedEvents/analyticsSeedPerSess, analyticsSeedPerSess, analyticsQueries),
		},
		Tables: []Table{
			{Caption: "Ingest (events per second; median, min and max of the runs)", Header: []string{"figure", "value"}, Rows: [][]string{
				{"events accepted over HTTP", accepted.Cell(0)},
				{"events written to Postgres (sustained)", wrote.Cell(0)},
				{"request latency p50 (ms)", p50.Stat("p50").Cell(1)},
				{"request latency p99 (ms)", p99.Stat("p99").Cell(1)},
				{"requests refused (503: buffer full, the load outruns the writes) or failed, all runs", fmt.Sprint(non2xx)},
			}},
			{Caption: fmt.Sprintf("Dashboard on %d events (%d views after rollup)", analyticsSeedEvents, views), Header: []string{"query", "latency (ms)"}},
			{Caption: "Rollup", Header: []string{"step", "time"}, Rows: [][]string{
				{"seed 1,000,000 events with COPY", seedTook.Round(100 * time.Millisecond).String()},
				{"rollup job summarises them (from the seed's commit)", rollTook.Round(time.Second).String()},
				{"VACUUM (ANALYZE) of the analytics tables before the queries", settleTook.Round(100 * time.Millisecond).String()},
			}},
		},
		Notes: []string{"wrk, clipcut and Postgres share the machine's cores."},
	}
	for _, q := range queries {
		for _, p := range []string{"p50", "p95"} {
			s.Tables[1].Rows = append(s.Tables[1].Rows, []string{q.label + " " + p, latency.Stat(q.label + " " + p).Cell(1)})
		}
	}
	ingestGoal := Goal{Figure: "sustained ingest, events/s", Target: "≥ 20,000 on 2 cores", Measured: wrote.Cell(0), Status: Met}
	if wrote.Median < 20000 {
		ingestGoal.Status = Missed
		ingestGoal.Limit = "the machine's two cores are shared by wrk, clipcut (JSON decoding, validation) and Postgres (COPY and the session upsert)"
	}
	worst := 0.0
	for _, q := range queries {
		worst = max(worst, latency.Stat(q.label+" p95").Median)
	}
	dashGoal := Goal{Figure: "dashboard query on a video with 1M events, p95", Target: "< 100 ms", Measured: fmt.Sprintf("%.1f ms (slowest query)", worst), Status: Met}
	if worst >= 100 {
		dashGoal.Status = Missed
		dashGoal.Limit = "the distinct count of the range's viewers (one index entry per viewer and period) and the machine's load"
	}
	s.Goals = []Goal{ingestGoal, dashGoal}
	return s, nil
}

const analyticsSelection = `totals { views uniqueViewers watchTimeSeconds averageViewDurationSeconds startupTimeMeanMs startupTimeP50Ms startupTimeP95Ms rebufferingRatio exitsBeforeStart playbackFailures }
	series { start views uniqueViewers watchTimeSeconds averageViewDurationSeconds startupTimeP50Ms rebufferingRatio exitsBeforeStart playbackFailures }
	retention { second share } renditions { rendition seconds share } topVideos { views video { id title } }`

// analyticsBody is one batch; session and viewer are placeholders the Lua
// script fills per request.
func analyticsBody(video, session, viewer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"videoId":"%s","viewerId":"%s","sessionId":"%s","seq":0,"events":[`, video, viewer, session)
	for i := range analyticsBatch {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"seq":%d,"type":"heartbeat","t":%d,"pos":%d,"rendition":"720p","buffer":12.5}`, i, i*10000, i*10)
	}
	b.WriteString("]}")
	return b.String()
}

// analyticsWrkScript sends a new session and viewer (random-looking v4
// UUIDs made from a counter) with every request.
func analyticsWrkScript(video string, run int) string {
	body := analyticsBody(video, "%s", "%s")
	return `local counter = 0
local tid = 0
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
init = function(args) math.randomseed(os.time() + (tid or 0) * 7919 + ` + fmt.Sprint(run) + `) end
local body = [==[` + body + `]==]
local function id()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-8%03x-%06x%06x", math.random(0, 0x7fffffff), counter % 0x10000,
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end
request = function()
  return wrk.format("POST", nil, {["Content-Type"] = "text/plain;charset=UTF-8"}, string.format(body, id(), id()))
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`
}

// seedAnalytics COPYs analyticsSeedEvents events of sessions spread over
// the last 30 days into playback_events, with their session rows (marked
// for the rollup job).
func seedAnalytics(ctx context.Context, conn *pgx.Conn, video string) error {
	videoID := uuid.MustParse(video)
	sessions := analyticsSeedEvents / analyticsSeedPerSess
	now := time.Now().Add(-time.Hour)
	ids := make([]uuid.UUID, sessions)
	viewers := make([]uuid.UUID, sessions)
	starts := make([]time.Time, sessions)
	for i := range sessions {
		ids[i] = uuid.New()
		viewers[i] = uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "viewer-%d", i%(sessions/3)))
		// Divided first: i × 30 days in nanoseconds overflows int64.
		starts[i] = now.Add(-time.Duration(i) * (30 * 24 * time.Hour / time.Duration(sessions)))
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	renditions := []string{"1080p", "720p", "480p", "360p"}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"playback_events"},
		[]string{"received_at", "session_id", "seq", "kind", "client_ms", "position_ms", "buffer_ms", "rendition"},
		pgx.CopyFromSlice(analyticsSeedEvents, func(n int) ([]any, error) {
			s, i := n/analyticsSeedPerSess, n%analyticsSeedPerSess
			r := renditions[s%len(renditions)]
			// play, first_frame after 300-1300 ms, heartbeats every 10 s
			// (a stall in some), ended.
			startup := int32(300 + s%1000)
			kind, t, pos := int16(4), startup+int32(i-1)*10000, int32(i-1)*10000
			switch {
			case i == 0:
				kind, t, pos = 2, 0, 0
			case i == 1:
				kind, t, pos = 3, startup, 0
			case i == analyticsSeedPerSess-1:
				kind = 10
			case s%5 == 0 && i == 10:
				kind = 7
			case s%5 == 0 && i == 11:
				kind, pos = 8, pos-10000+2000
			}
			watched := s % 7 // some leave early: their positions stop growing
			if i > 2+watched*7 && kind == 4 {
				pos = int32(2+watched*7-1) * 10000
			}
			return []any{starts[s].Add(time.Duration(t) * time.Millisecond), ids[s], int32(i), kind, t, pos, int32(12000), r}, nil
		}))
	if err != nil {
		return fmt.Errorf("seed events: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO playback_sessions (session_id, video_id, viewer_id, started_at, last_seen)
		SELECT id, $1, viewer, at, at FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[]) AS t(id, viewer, at)`,
		videoID, ids, viewers, starts)
	if err != nil {
		return fmt.Errorf("seed sessions: %w", err)
	}
	return tx.Commit(ctx)
}

// runAnalyticsWrk runs the reporters against url and returns what the
// script printed.
func runAnalyticsWrk(ctx context.Context, url, script string) (gqlWrkResult, error) {
	cmd := exec.CommandContext(ctx, "wrk", fmt.Sprintf("-t%d", analyticsThreads), fmt.Sprintf("-c%d", analyticsConnections),
		fmt.Sprintf("-d%ds", int(analyticsLoadTime.Seconds())), "--timeout", "5s", "-s", script, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return gqlWrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseGQLWrk(out)
}

// analyticsBuffered reads clipcut_analytics_events_buffered from /metrics.
func analyticsBuffered(ctx context.Context, base string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "clipcut_analytics_events_buffered "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, errors.New("clipcut_analytics_events_buffered is not in /metrics")
}
