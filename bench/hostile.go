package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Goal of issue 18 for hostile documents: refusing one costs at most this
// × the server CPU of answering a trivial query.
const goalHostileCost = 10.0

// Load shape of the hostile benchmark: clients sending one document over
// and over for a fixed time, anonymously (an attacker needs no account).
const (
	hostileClients   = 4
	hostileRunLength = 4 * time.Second
	hostileWarmup    = time.Second
)

func hostileBenchmark() Benchmark {
	return Benchmark{
		Name:  "hostile",
		Title: "Hostile documents: server CPU to refuse a fragment bomb, duplicate fields and aliases vs a trivial query",
		Run:   runHostile,
	}
}

// hostileDoc is one GraphQL document sent to clipcut.
type hostileDoc struct {
	key, label string
	body       []byte
}

// trivialQuery is what every hostile document's cost is compared with.
const trivialQuery = `{ __typename }`

// fragmentBomb is the document of issue 18: query{me{...F0}} with
// fragment Fi on User{...F(i+1) ...F(i+1)} for i < depth, which expands
// to 2^depth fields if anything expands it.
func fragmentBomb(depth int) string {
	var b strings.Builder
	b.WriteString("query{me{...F0}}")
	for i := range depth {
		fmt.Fprintf(&b, " fragment F%d on User{...F%d ...F%d}", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on User{id}", depth)
	return b.String()
}

// duplicateFields is {me{id id id ...}} with n copies of id.
func duplicateFields(n int) string {
	return "{me{" + strings.Repeat("id ", n) + "}}"
}

// aliasedPages asks for n aliases of videos(first: 50).
func aliasedPages(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, "a%d:videos(first:50){edges{node{id title}}} ", i)
	}
	b.WriteString("}")
	return b.String()
}

func hostileDocs() []hostileDoc {
	doc := func(key, label, query string) hostileDoc {
		return hostileDoc{key: key, label: label, body: jsonBody(map[string]any{"query": query})}
	}
	docs := []hostileDoc{
		doc("trivial", "trivial query `"+trivialQuery+"`", trivialQuery),
		doc("bomb30", "fragment bomb, depth 30", fragmentBomb(30)),
		doc("bomb60", "fragment bomb, depth 60", fragmentBomb(60)),
		doc("dup330k", "330,000 duplicate fields `{me{id id …}}`", duplicateFields(330_000)),
		doc("alias1000", "1,000 aliases of `videos(first: 50)`", aliasedPages(1000)),
	}
	for i := range docs {
		docs[i].label += fmt.Sprintf(" (%s)", byteSize(len(docs[i].body)))
	}
	return docs
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func runHostile(ctx context.Context, env *Env) (*Section, error) {
	return withClipcutStack(ctx, env, "hostile", []string{"CLIPCUT_RATE_LIMIT_GRAPHQL=" + graphqlRateLimit}, func(st *clipcutStack) (*Section, error) {
		return measureHostile(ctx, env, st)
	})
}

// hostileAnswer is what one document gets: its HTTP status and the codes
// of its errors.
type hostileAnswer struct {
	status int
	codes  []string
}

func (a hostileAnswer) String() string {
	if len(a.codes) == 0 {
		return fmt.Sprintf("%d, data", a.status)
	}
	return fmt.Sprintf("%d, `%s`", a.status, strings.Join(a.codes, "`, `"))
}

func measureHostile(ctx context.Context, env *Env, st *clipcutStack) (*Section, error) {
	url := st.inst.URL + "/graphql"
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: hostileClients}}
	docs := hostileDocs()
	load0 := loadAverages()

	// Each document must be answered as expected before its cost means
	// anything: the trivial one with data, the others refused.
	answers := map[string]hostileAnswer{}
	for _, d := range docs {
		a, err := postHostile(ctx, client, url, d.body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.key, err)
		}
		if (d.key == "trivial") != (len(a.codes) == 0) {
			return nil, fmt.Errorf("%s: unexpected answer %s", d.key, a)
		}
		answers[d.key] = a
		if _, err := hostileRun(ctx, client, url, d.body, hostileWarmup); err != nil {
			return nil, fmt.Errorf("warm-up %s: %w", d.key, err)
		}
	}

	cpu, rps := Samples{}, Samples{}
	pid := st.inst.Pid()
	for round := range env.Runs {
		for i := range docs {
			d := docs[(round+i)%len(docs)]
			c0, err := pidCPU(pid)
			if err != nil {
				return nil, err
			}
			t0 := time.Now()
			n, err := hostileRun(ctx, client, url, d.body, hostileRunLength)
			if err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", d.key, round+1, err)
			}
			wall := time.Since(t0)
			c1, _ := pidCPU(pid)
			cpu.Add(d.key, float64((c1-c0).Microseconds())/float64(n))
			rps.Add(d.key, float64(n)/wall.Seconds())
			env.Logger.Info("hostile run", "doc", d.key, "round", round+1, "requests", n,
				"cpu_us_per_req", fmt.Sprintf("%.0f", float64((c1-c0).Microseconds())/float64(n)))
		}
	}
	return hostileSection(env, docs, answers, cpu, rps, load0), nil
}

// hostileRun sends body from hostileClients clients for d and returns how
// many answers came back. Every answer must be what the first one was.
func hostileRun(ctx context.Context, client *http.Client, url string, body []byte, d time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, hostileClients)
	for range hostileClients {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					errs <- fmt.Errorf("answer %s", resp.Status)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if n.Load() == 0 {
		return 0, fmt.Errorf("no answer within %s", d)
	}
	return n.Load(), nil
}

// postHostile sends body once and reads the status and error codes.
func postHostile(ctx context.Context, client *http.Client, url string, body []byte) (hostileAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return hostileAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return hostileAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return hostileAnswer{}, err
	}
	var r struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return hostileAnswer{}, fmt.Errorf("answer %s: %.300s: %w", resp.Status, b, err)
	}
	a := hostileAnswer{status: resp.StatusCode}
	for _, e := range r.Errors {
		a.codes = append(a.codes, e.Extensions.Code)
	}
	return a, nil
}

func hostileSection(env *Env, docs []hostileDoc, answers map[string]hostileAnswer, cpu, rps Samples, load0 string) *Section {
	table := Table{Header: []string{"document", "answer (status, extensions.code)", "requests/s", "server CPU µs/request", "÷ trivial query"}}
	base := cpu.Stat("trivial").Median
	var goals []Goal
	for _, d := range docs {
		ratio := cpu.Stat(d.key).Median / base
		table.Rows = append(table.Rows, []string{d.label, answers[d.key].String(), rps.Stat(d.key).Cell(0),
			cpu.Stat(d.key).Cell(0), fmt.Sprintf("%.1f×", ratio)})
		if d.key == "trivial" {
			continue
		}
		g := ratioGoal(d.label+": server CPU to refuse, ÷ a trivial query", ratio, goalHostileCost, false,
			fmt.Sprintf("%.1f× (%.0f vs %.0f µs)", ratio, cpu.Stat(d.key).Median, base))
		if g.Status == Missed {
			g.Limit = fmt.Sprintf("Refusing it costs %.0f µs of server CPU per request, most of it in receiving and reading "+
				"the body (%s) before the guard can look at the document.", cpu.Stat(d.key).Median, byteSize(len(d.body)))
		}
		goals = append(goals, g)
	}
	return &Section{
		About: []string{
			"`clipcut serve` runs as a separate process (" + binaryOrigin(env) + ") on a Postgres cluster the harness starts, " +
				"with its default document limits (graph.DefaultDocumentLimits) and the per-client GraphQL rate limit raised to `" +
				graphqlRateLimit + "` so that its check runs but never refuses.",
			fmt.Sprintf("%d clients in the harness POST one document to `/graphql` over and over, anonymously, for %s; "+
				"%s per document, rotating which document goes first. Server CPU is the clipcut process's user+system time over "+
				"the run (/proc/<pid>/stat) divided by its answers. The documents are those of issue 18: `query{me{...F0}}` with "+
				"`fragment Fi on User{...F(i+1) ...F(i+1)}` for i < depth (2^depth fields if expanded), `{me{id id …}}` with "+
				"330,000 copies (about what a 1 MiB body holds), and 1,000 aliases of `videos(first:50){edges{node{id title}}}`. "+
				"Before measuring, each is sent once: the trivial query must be answered with data, the others refused.",
				hostileClients, hostileRunLength, plural(env.Runs, "run")),
		},
		Tables: []Table{table},
		Goals:  goals,
		Notes: []string{
			"The clients share the machine's cores with the server; the figure is the server's CPU alone. Load average " +
				"(/proc/loadavg) when the benchmark started: " + load0 + ".",
		},
	}
}

// loadAverages is /proc/loadavg's 1, 5 and 15-minute load averages, as
// uptime shows them.
func loadAverages() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
