package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/store"
)

// Goals of issue 9 for GraphQL queries.
const (
	goalGraphQLThroughput = 0.85 // at least this × the plain handler's req/s
	goalGraphQLP99        = 1.5  // p99 at most this × the plain handler's
)

// Load shape of the graphql benchmark: wrk's threads and connections, and
// how long each measured run lasts.
const (
	graphqlThreads       = 2
	graphqlConnections   = 32
	graphqlRunLength     = 8 * time.Second
	graphqlWarmup        = 2 * time.Second
	graphqlProfileLength = 5 * time.Second
	graphqlSeedVideos    = 60
	graphqlPageSize      = 50
	graphqlRateLimit     = "1000000000/1s"
	// graphqlTimeout is how long wrk waits for an answer before counting a timeout.
	graphqlTimeout = "10s"
)

// videoSelection is what both operations ask of each video: everything on
// a watch page or a feed card that comes from the video row and its owner.
const videoSelection = `id title description status playable privacy duration width height createdAt
owner { id name }
renditions { name width height bandwidth averageBandwidth codecs frameRate }
processing { stage percent error }`

func graphqlBenchmark() Benchmark {
	return Benchmark{
		Name:  "graphql",
		Title: "GraphQL: video(id) and a 50-video page vs a hand-written handler",
		Run:   runGraphQL,
	}
}

// graphqlOp is one operation, as sent to clipcut (a GraphQL request) and
// to the plain handler (its own path and body).
type graphqlOp struct {
	key, label string
	gqlBody    []byte
	plainPath  string
	plainBody  []byte
	// fields is how many fields the answer holds: what gqlgen resolves
	// and marshals one by one.
	fields int
}

// graphqlTarget is one server under load.
type graphqlTarget struct {
	key, label string
	pid        int
	url        func(op graphqlOp) string
	body       func(op graphqlOp) []byte
}

// gqlWrkResult is what the Lua done() hook of a wrk run prints.
type gqlWrkResult struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	P50US      int64 `json:"p50_us"`
	P99US      int64 `json:"p99_us"`
	Errors     int64 `json:"errors"`
	Timeouts   int64 `json:"timeouts"`
	Non2xx     int64 `json:"non2xx"`
}

func (r gqlWrkResult) rps() float64 { return float64(r.Requests) / (float64(r.DurationUS) / 1e6) }

// runGraphQL loads clipcut's /graphql and the plain handler in turn with
// wrk at a fixed concurrency, alternating which goes first each round.
func runGraphQL(ctx context.Context, env *Env) (*Section, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return nil, fmt.Errorf("wrk is required for the graphql benchmark (apt-get install wrk): %w", err)
	}
	plainBin, err := buildBaseline(ctx, env, "plainapi")
	if err != nil {
		return nil, err
	}
	// One token sends every request: clipcut's per-token GraphQL rate
	// limit is raised out of reach, so its check still runs but never
	// refuses.
	load0 := loadAverages()
	return withClipcutStack(ctx, env, "graphql", []string{"CLIPCUT_RATE_LIMIT_GRAPHQL=" + graphqlRateLimit}, func(st *clipcutStack) (*Section, error) {
		// With CLIPCUT_BENCH_TRACING=on a second clipcut, tracing to a
		// discarding receiver, answers beside the first.
		var traced *instance.Instance
		var sink *traceSink
		if benchTracing() {
			var err error
			if sink, err = startTraceSink(); err != nil {
				return nil, err
			}
			defer sink.stop()
			if traced, err = startTracedClipcut(ctx, env, st, sink, "CLIPCUT_RATE_LIMIT_GRAPHQL="+graphqlRateLimit); err != nil {
				return nil, err
			}
			defer func() { _ = traced.Stop(time.Minute) }()
		}
		section, err := measureGraphQL(ctx, env, st, plainBin, traced)
		if err != nil {
			return nil, err
		}
		if sink != nil {
			section.Notes = append(section.Notes, sink.note())
		}
		section.Notes = append(section.Notes, "Load average (/proc/loadavg, 1, 5, 15 min) when the benchmark started: "+load0+
			"; the machine is shared, so compare the side-by-side ratios rather than the absolute figures.")
		return section, nil
	})
}

func measureGraphQL(ctx context.Context, env *Env, st *clipcutStack, plainBin string, traced *instance.Instance) (*Section, error) {
	client := st.inst.Client()
	if err := client.SignUp(ctx, "bench-graphql@clipcut.test", rand.Text(), "Benchmark"); err != nil {
		return nil, err
	}
	token := client.Token()
	first, err := seedVideos(ctx, st.DatabaseURL, "bench-graphql@clipcut.test", graphqlSeedVideos)
	if err != nil {
		return nil, err
	}
	plain, err := startBaselineServer(ctx, env, plainBin, "-database-url", st.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer plain.stop()

	ops := []graphqlOp{
		{
			key: "video", label: "video(id)",
			gqlBody:   jsonBody(map[string]any{"query": "query($id: ID!) { video(id: $id) { " + videoSelection + " } }", "variables": map[string]any{"id": first}}),
			plainPath: "/video", plainBody: jsonBody(map[string]any{"id": first}),
		},
		{
			key: "videos", label: fmt.Sprintf("videos(first: %d)", graphqlPageSize),
			gqlBody: jsonBody(map[string]any{"query": "query($n: Int) { videos(first: $n) { edges { cursor node { " + videoSelection +
				" } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }", "variables": map[string]any{"n": graphqlPageSize}}),
			plainPath: "/videos", plainBody: jsonBody(map[string]any{"first": graphqlPageSize}),
		},
	}
	targets := []graphqlTarget{
		{
			key: "clipcut", label: "clipcut /graphql (auth middleware, gqlgen)", pid: st.inst.Pid(),
			url:  func(graphqlOp) string { return st.inst.URL + "/graphql" },
			body: func(op graphqlOp) []byte { return op.gqlBody },
		},
		{
			key: "plain", label: "hand-written net/http + encoding/json", pid: plain.Pid(),
			url:  func(op graphqlOp) string { return plain.URL + op.plainPath },
			body: func(op graphqlOp) []byte { return op.plainBody },
		},
	}
	if traced != nil { // CLIPCUT_BENCH_TRACING=on: bench/tracing.go
		targets = append(targets, graphqlTarget{
			key: "traced", label: "clipcut /graphql, tracing on (OTLP to a local sink)", pid: traced.Pid(),
			url:  func(graphqlOp) string { return traced.URL + "/graphql" },
			body: func(op graphqlOp) []byte { return op.gqlBody },
		})
	}

	// The two must answer the same before their speed means anything.
	var identical []string
	for i, op := range ops {
		var answers [2][]byte
		for i, t := range targets[:2] {
			b, err := postAuthorized(ctx, t.url(op), token, t.body(op))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", t.key, op.key, err)
			}
			answers[i] = b
		}
		same, err := sameJSON(answers[0], answers[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.key, err)
		}
		if !same {
			return nil, fmt.Errorf("%s: clipcut and the plain handler answer differently; fix bench/plainapi\nclipcut: %.600s\nplain:   %.600s", op.key, answers[0], answers[1])
		}
		if op.key == "videos" && bytes.Count(answers[0], []byte(`"cursor"`)) != graphqlPageSize {
			return nil, fmt.Errorf("videos: expected %d edges in %.300s", graphqlPageSize, answers[0])
		}
		ops[i].fields = countFields(answers[0]) - 1 // not "data"
		how := "semantically identical"
		if bytes.Equal(answers[0], answers[1]) {
			how = "byte-identical"
		}
		identical = append(identical, fmt.Sprintf("%s: %s (%d bytes)", op.label, how, len(answers[0])))
	}

	scripts := map[string]string{}
	for _, op := range ops {
		for _, t := range targets {
			path := filepath.Join(env.Work, fmt.Sprintf("wrk-%s-%s.lua", t.key, op.key))
			if err := os.WriteFile(path, []byte(gqlWrkScript(t.body(op), token)), 0o644); err != nil {
				return nil, err
			}
			scripts[t.key+op.key] = path
			if _, err := runGQLWrk(ctx, t.url(op), path, graphqlWarmup); err != nil {
				return nil, fmt.Errorf("warm-up %s %s: %w", t.key, op.key, err)
			}
		}
	}

	rps, p50, p99 := Samples{}, Samples{}, Samples{}
	var timeouts []string
	serverCPU, pgCPU := Samples{}, Samples{}
	for round := range env.Runs {
		for _, op := range ops {
			for i := range targets {
				t := targets[(round+i)%len(targets)]
				k := t.key + op.key
				s0, _ := pidCPU(t.pid)
				p0, _ := clusterCPU(st.cluster.Dir())
				res, err := runGQLWrk(ctx, t.url(op), scripts[k], graphqlRunLength)
				if err != nil {
					return nil, fmt.Errorf("%s %s, run %d: %w", t.key, op.key, round+1, err)
				}
				s1, _ := pidCPU(t.pid)
				p1, _ := clusterCPU(st.cluster.Dir())
				if res.Errors > 0 || res.Non2xx > 0 {
					return nil, fmt.Errorf("%s %s, run %d: %d socket errors, %d non-2xx answers", t.key, op.key, round+1, res.Errors, res.Non2xx)
				}
				// A request still unanswered after wrk's timeout is left
				// out of its latency figures: say so.
				if res.Timeouts > 0 {
					timeouts = append(timeouts, fmt.Sprintf("%s %s run %d: %d of %d requests timed out (%s) and are not in its latency figures",
						t.label, op.label, round+1, res.Timeouts, res.Requests, graphqlTimeout))
				}
				rps.Add(k, res.rps())
				p50.Add(k, float64(res.P50US)/1000)
				p99.Add(k, float64(res.P99US)/1000)
				serverCPU.Add(k, float64((s1-s0).Microseconds())/float64(res.Requests))
				pgCPU.Add(k, float64((p1-p0).Microseconds())/float64(res.Requests))
				env.Logger.Info("graphql run", "target", t.key, "op", op.key, "round", round+1,
					"rps", fmt.Sprintf("%.0f", res.rps()), "p99_ms", fmt.Sprintf("%.2f", float64(res.P99US)/1000))
			}
		}
	}
	// Where clipcut's CPU goes, for the limits: one more run of each
	// operation under perf.
	profiles := map[string][]perfEntry{}
	for _, op := range ops {
		t := targets[0]
		data := filepath.Join(env.Work, "perf-graphql-"+op.key+".data")
		report, ok, err := perfProfile(ctx, t.pid, data, func() error {
			_, err := runGQLWrk(ctx, t.url(op), scripts[t.key+op.key], graphqlProfileLength)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", op.key, err)
		}
		if ok {
			_ = os.WriteFile(strings.TrimSuffix(data, ".data")+".txt", []byte(report), 0o644)
			profiles[op.key] = parsePerfChildren(report)
		}
		_ = os.Remove(data)
	}
	return graphqlSection(env, ops, targets, rps, p50, p99, serverCPU, pgCPU, identical, profiles, timeouts), nil
}

func graphqlSection(env *Env, ops []graphqlOp, targets []graphqlTarget, rps, p50, p99, serverCPU, pgCPU Samples, identical []string, profiles map[string][]perfEntry, timeouts []string) *Section {
	table := Table{Header: []string{"operation", "server", "req/s", "p50 ms", "p99 ms", "server CPU µs/req", "Postgres CPU µs/req"}}
	var goals []Goal
	split := splitCost(ops, serverCPU)
	for _, op := range ops {
		for _, t := range targets {
			k := t.key + op.key
			table.Rows = append(table.Rows, []string{op.label, t.label, rps.Stat(k).Cell(0), p50.Stat(k).Cell(2), p99.Stat(k).Cell(2),
				serverCPU.Stat(k).Cell(0), pgCPU.Stat(k).Cell(0)})
		}
		c, p := "clipcut"+op.key, "plain"+op.key
		tr := rps.Stat(c).Median / rps.Stat(p).Median
		g := ratioGoal(op.label+": throughput, clipcut ÷ plain handler", tr, goalGraphQLThroughput, true,
			fmt.Sprintf("%.2f× (%.0f vs %.0f req/s)", tr, rps.Stat(c).Median, rps.Stat(p).Median))
		if g.Status == Missed {
			g.Limit = graphqlLimit(op, serverCPU, pgCPU, profiles[op.key], split)
		}
		goals = append(goals, g)
		lr := p99.Stat(c).Median / p99.Stat(p).Median
		g = ratioGoal(op.label+": p99 latency, clipcut ÷ plain handler", lr, goalGraphQLP99, false,
			fmt.Sprintf("%.2f× (%.2f vs %.2f ms)", lr, p99.Stat(c).Median, p99.Stat(p).Median))
		if g.Status == Missed {
			g.Limit = "At a fixed 32 connections with the cores saturated, latency is the queue behind each request's CPU: " +
				"the cause is the throughput row's."
		}
		goals = append(goals, g)
		if _, ok := rps["traced"+op.key]; ok {
			goals = append(goals, tracingCost(op.label, serverCPU.Stat(c).Median, serverCPU.Stat("traced"+op.key).Median,
				rps.Stat(c).Median, rps.Stat("traced"+op.key).Median))
		}
	}
	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ") on a Postgres cluster the harness starts " +
				"(passed as `DATABASE_URL`), default settings (access log on) but for the per-token GraphQL rate limit, raised to `" + graphqlRateLimit + "` so that its check runs but never refuses. The harness signs up through GraphQL and inserts " +
				fmt.Sprintf("%d PUBLIC, playable videos (five renditions each) straight into `videos`. ", graphqlSeedVideos) +
				"Every request carries the account's bearer token. clipcut's auth middleware keeps a live session for " +
				"1 s (`auth.SessionCacheTTL`; a logOut through the process drops it at once), so it queries the session about once a second; " +
				"the plain handler queries it on every request. clipcut reads each video with its owner in one query (a join); " +
				"the plain handler asks for the owners in a second one, as clipcut's dataloader used to.",
			"Baseline: `bench/plainapi`, a hand-written `net/http` + `encoding/json` server in its own process on the same database, " +
				"calling clipcut's own store methods (session lookup, the video query with its visibility rule or the feed query, the owners " +
				"by `id = ANY($1)`) and `graph/model`'s conversions, but not gqlgen, and writing the same JSON. Before measuring, both answers are compared: " + strings.Join(identical, "; ") + ".",
			fmt.Sprintf("Load: `wrk -t%d -c%d -d%s` on loopback, a separate process, POSTing the same body with the same Authorization header "+
				"(a Lua script reports requests, p50 and p99). Each server is warmed up for %s first; then %s per operation and server, "+
				"alternating which server goes first. Server CPU is the server process's user+system time over the run divided by its requests; "+
				"Postgres CPU the same for the postmaster and its backends.",
				graphqlThreads, graphqlConnections, graphqlRunLength, graphqlWarmup, plural(env.Runs, "run")),
		},
		Tables: []Table{table},
		Goals:  goals,
		Notes: append([]string{
			"wrk, the server and Postgres share the machine's cores: the figures are the whole loop's, not the server's alone.",
			graphqlLevers,
		}, timeouts...),
	}
}

// graphqlLevers is what issue 18's levers did, measured in process
// (bench/plainapi's BenchmarkSideBySide, which runs clipcut's handler with
// and without its fast path for plain reads and the plain handler, and
// graph's BenchmarkVideoByID and BenchmarkVideosPage; allocations per
// request do not depend on the machine's load), and where the remaining
// cost lies.
const graphqlLevers = "Issue 18's levers, measured in process (`go test ./bench/plainapi -bench SideBySide`: the two operations through " +
	"clipcut's handler, through the same handler with `graph.Options.NoFastReads`, i.e. gqlgen's executor alone, and through the plain handler; " +
	"medians of 5 runs on one core under a load average of about 30, so compare allocations and ratios rather than microseconds). " +
	"gqlgen's own levers first: reading each video with its owner in one query (a join) instead of priming the dataloader with a second query, " +
	"and keeping a live session for 1 s, take two of the three queries of `video(id)` off Postgres and the server; " +
	"gqlgen always answers an `extensions` map, empty or not, which sent every response through `json.Marshal` a second time " +
	"(a re-scan of the whole answer): only a non-empty one does now. " +
	"`exec.worker_limit: 2` (the number of cores) added 620 allocations to a 50-video page (the semaphore) and no measurable CPU saving, so it is left unset. " +
	"The `@concurrent` directive that let a list of plain objects be marshalled without a goroutine per element (gqlgen#3203, in v0.17.50) " +
	"was reverted right after (gqlgen#3287: it broke dataloaders) and v0.17.95 has no replacement: every element of `edges` and `renditions` is one goroutine, and every field, " +
	"plain struct fields included, goes through `graphql.ResolveField` (a FieldContext, a context value, closures, a boxed result, " +
	"a marshaler closure): about 16 allocations per field, 43,900 for the 2,757 fields of a 50-video page (field contexts 11% of them, field sets 16%, " +
	"resolveField's boxing and closures 19%, the generated per-field closures 17%, scalar marshalers 7%, an `errors.New` per scalar field 5%, " +
	"@defer bookkeeping 6%, context values 4%, the per-element goroutines 4%). That per-field cost, not the database, was what kept " +
	"`videos(first: 50)` at a tenth of the plain handler (gqlgen alone, in process: 9,400 CPU-µs and 43,938 allocations per page, the plain handler 2,470 and 3,584). " +
	"So clipcut now answers the common reads itself (graph/fastpath.go, a gqlgen response interceptor): an operation whose root fields are only " +
	"`video(id)` and `videos` and whose selections touch only fields that are plain values of the models (Video's scalars, owner, processing, " +
	"renditions; User's id, name, isAdmin, createdAt; the connection, edges and pageInfo; `__typename`; fragments, aliases, @skip and @include) " +
	"runs the same resolvers behind the same @public check, after gqlgen has parsed, validated and measured it, collects each selection once per " +
	"request and appends the JSON straight from the models, byte for byte what gqlgen writes (graph's TestFastReadsAnswerAsGqlgen compares both). " +
	"Anything else (another root field, a field with a resolver or an access rule of its own such as `email`, @defer, an error, a null in a non-null place) " +
	"goes to gqlgen whole, as before. In process: `videos(first: 50)` 43,938 → 3,331 allocations and 9,400 → 2,460 CPU-µs per page " +
	"(the plain handler 3,584 and 2,470: 1.00×; 11.3 vs 11.1 ms per request with Postgres on the same core); `video(id)` 1,030 → 298 allocations " +
	"and 314 → 178 CPU-µs (the plain handler 188 and 241, as it also queries the session and the owner; 0.98 vs 1.57 ms per request). The page's CPU is now mostly the store's: scanning 51 rows, half of it " +
	"encoding/json decoding the renditions column. Left as is: the feed's join with its owners costs Postgres more than the feed " +
	"and a second query for one owner (EXPLAIN ANALYZE on the bench data: about 0.4 ms planning + 0.27 ms executing against 0.08 + 0.03 ms; " +
	"the owner's columns are repeated on all 51 rows), which the server's CPU no longer hides. " +
	"Under wrk on the shared machine (the run of 2026-12-06 05:23 UTC, other processes using 1.80 of the 2 cores) the CPU per request, server plus Postgres, " +
	"was within 3% of the plain handler's for both operations (515 vs 501 µs, 3,672 vs 3,599 µs) while throughput was 0.60× and 0.63×: " +
	"with the cores oversubscribed, each server gets the share the scheduler gives its threads, not the share its CPU per request would; " +
	"and the server process's CPU (331 vs 252 µs for video(id)) is now mostly outside the GraphQL handler, whose in-process cost is below the plain handler's: " +
	"the server's middleware (request id, access log, recovery, security headers, rate limits, metrics) and HTTP."

// graphqlLimit explains a missed goal from the CPU each request costs
// (with the cores saturated, throughput is the cores divided by the CPU
// per request of the server plus Postgres plus wrk) and from where
// clipcut's CPU went under perf.
func graphqlLimit(op graphqlOp, serverCPU, pgCPU Samples, profile []perfEntry, split costSplit) string {
	c, p := "clipcut"+op.key, "plain"+op.key
	cs, ps := serverCPU.Stat(c).Median, serverCPU.Stat(p).Median
	cp, pp := pgCPU.Stat(c).Median, pgCPU.Stat(p).Median
	s := fmt.Sprintf("CPU per request: clipcut %.0f µs in the server + %.0f µs in Postgres, the plain handler %.0f + %.0f µs; "+
		"on two shared cores throughput follows that sum. ", cs, cp, ps, pp)
	if cs-ps > cp-pp {
		s += fmt.Sprintf("The server's own work is the difference (%.0f µs more per request, %.1f× the plain handler's)", cs-ps, cs/ps)
		if split.ok {
			s += fmt.Sprintf("; the answer has %d fields. Fitting both operations' extra CPU to fixed + per-field: "+
				"%.0f µs per request (middleware chain, operation parsing from cache, complexity and depth checks, the response "+
				"writer) plus %.1f µs per field (what gqlgen's executor spends per field; the fast path for plain reads writes "+
				"them from the models in one pass, as encoding/json's cached struct encoder does)", op.fields, split.fixed, split.perField)
		}
		s += "."
	} else {
		s += fmt.Sprintf("Postgres does %.0f µs more per request for clipcut: more or heavier queries per request.", cp-pp)
	}
	if shares := profileShares(profile, graphqlProfileFrames); shares != "" {
		s += " perf on clipcut under the same load, share of its CPU samples spent in (cumulative, so nested frames overlap): " + shares + "."
	}
	return s
}

// costSplit is clipcut's extra server CPU per request over the plain
// handler, as a fixed part and a part per field of the answer.
type costSplit struct {
	fixed, perField float64
	ok              bool
}

// splitCost fits extra = fixed + perField × fields through the first
// two operations (which differ in size by two orders of magnitude).
func splitCost(ops []graphqlOp, serverCPU Samples) costSplit {
	if len(ops) < 2 || ops[0].fields == ops[1].fields || ops[0].fields == 0 || ops[1].fields == 0 {
		return costSplit{}
	}
	extra := func(op graphqlOp) float64 {
		return serverCPU.Stat("clipcut"+op.key).Median - serverCPU.Stat("plain"+op.key).Median
	}
	a, b := ops[0], ops[1]
	per := (extra(b) - extra(a)) / float64(b.fields-a.fields)
	return costSplit{fixed: extra(a) - per*float64(a.fields), perField: per, ok: per > 0}
}

// profileFrame names a group of stack frames by the prefix of its
// outermost function.
type profileFrame struct{ label, prefix string }

// graphqlProfileFrames are the frames that explain clipcut's GraphQL CPU.
var graphqlProfileFrames = []profileFrame{
	{"gqlgen executing the operation (resolvers, field marshalling)", "github.com/99designs/gqlgen/graphql/executor.(*Executor).DispatchOperation"},
	{"gqlgen marshalling list elements in one goroutine each (MarshalSliceConcurrently)", "github.com/99designs/gqlgen/graphql.MarshalSliceConcurrently"},
	{"clipcut's fast path for plain reads (resolvers and JSON)", "github.com/clipcut/clipcut/graph.(*fastReads).InterceptResponse"},
	{"the store query and row scan", "github.com/clipcut/clipcut/store.(*Store)."},
	{"the session lookup (auth)", "github.com/clipcut/clipcut/auth.(*Service).Authenticate"},
	{"the owner dataloader", "github.com/graph-gophers/dataloader"},
	{"writing the JSON response", "github.com/99designs/gqlgen/graphql/handler/transport.writeJson"},
	{"the access log line", "log/slog.(*Logger).log"},
	{"memory allocation", "runtime.mallocgc"},
	{"garbage collection", "runtime.gcBgMarkWorker"},
}

// profileShares renders, for each frame group, the largest cumulative
// share among the profile's symbols with its prefix: "label 31%, ...".
func profileShares(profile []perfEntry, frames []profileFrame) string {
	var parts []string
	for _, f := range frames {
		best := 0.0
		for _, e := range profile {
			if strings.HasPrefix(e.Symbol, f.prefix) {
				best = max(best, e.Children)
			}
		}
		if best >= 2 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", f.label, best))
		}
	}
	return strings.Join(parts, ", ")
}

// gqlWrkScript makes every request a POST of body with the bearer token, and
// prints the figures as one JSON line when wrk is done.
func gqlWrkScript(body []byte, token string) string {
	return `wrk.method = "POST"
wrk.body = [==[` + string(body) + `]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ` + token + `"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"timeouts":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write, e.timeout, e.status))
end
`
}

// runGQLWrk runs wrk against url for d and returns what the script printed.
func runGQLWrk(ctx context.Context, url, script string, d time.Duration) (gqlWrkResult, error) {
	cmd := exec.CommandContext(ctx, "wrk", fmt.Sprintf("-t%d", graphqlThreads), fmt.Sprintf("-c%d", graphqlConnections),
		fmt.Sprintf("-d%ds", int(d.Seconds())), "--timeout", graphqlTimeout, "-s", script, url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return gqlWrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseGQLWrk(out)
}

// parseGQLWrk finds the BENCHJSON line the script's done() prints.
func parseGQLWrk(out []byte) (gqlWrkResult, error) {
	for line := range strings.SplitSeq(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "BENCHJSON "); ok {
			var r gqlWrkResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return r, fmt.Errorf("wrk output: %w", err)
			}
			if r.Requests == 0 || r.DurationUS == 0 {
				return r, fmt.Errorf("wrk made no requests:\n%s", out)
			}
			return r, nil
		}
	}
	return gqlWrkResult{}, fmt.Errorf("wrk printed no result:\n%s", out)
}

func postAuthorized(ctx context.Context, url, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %.300s", url, resp.Status, b)
	}
	if bytes.Contains(b, []byte(`"errors"`)) {
		return nil, fmt.Errorf("%s: %.600s", url, b)
	}
	return b, nil
}

// sameJSON reports whether a and b decode to the same value.
func sameJSON(a, b []byte) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, fmt.Errorf("decode %.100s: %w", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, fmt.Errorf("decode %.100s: %w", b, err)
	}
	return reflect.DeepEqual(x, y), nil
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// seedVideos inserts n PUBLIC, playable, READY videos with five
// renditions each for the account with email, one second apart, and
// returns the newest one's id.
func seedVideos(ctx context.Context, dbURL, email string, n int) (string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var owner string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM users WHERE lower(email) = lower($1)`, email).Scan(&owner); err != nil {
		return "", fmt.Errorf("seed: owner: %w", err)
	}
	var newest string
	for i := range n {
		var rs []store.Rendition
		for _, h := range []int{240, 360, 480, 720, 1080} {
			rs = append(rs, store.Rendition{Name: fmt.Sprintf("%dp", h), Width: h * 16 / 9, Height: h, Bandwidth: h * 5500,
				AverageBandwidth: h * 4400, Codecs: "avc1.64001f,mp4a.40.2", FrameRate: 29.97, Playlist: fmt.Sprintf("videos/x/%dp/index.m3u8", h)})
		}
		var id string
		err := conn.QueryRow(ctx, `
			INSERT INTO videos (owner_id, title, description, status, privacy, playable, stage, percent,
				duration_seconds, width, height, renditions, created_at)
			VALUES ($1, $2, $3, 'READY', 'PUBLIC', true, 'done', 100, $4, 1920, 1080, $5, now() - make_interval(secs => $6))
			RETURNING id::text`,
			owner, fmt.Sprintf("Benchmark video %d", i+1), fmt.Sprintf("Seeded by the graphql benchmark, number %d of %d.", i+1, n),
			60.0+float64(i)/8, rs, float64(i)).Scan(&id)
		if err != nil {
			return "", fmt.Errorf("seed: insert video: %w", err)
		}
		if i == 0 {
			newest = id
		}
	}
	if newest == "" {
		return "", errors.New("seed: no videos")
	}
	return newest, nil
}

// countFields counts the keys of every object in a JSON document.
func countFields(doc []byte) int {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return 0
	}
	var count func(any) int
	count = func(v any) int {
		n := 0
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				n += 1 + count(x)
			}
		case []any:
			for _, x := range v {
				n += count(x)
			}
		}
		return n
	}
	return count(v)
}
