package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/clipcut/clipcut/bench/instance"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/pgcluster"
)

// Jobs benchmark sizes.
const (
	// latencySamples jobs are inserted one at a time per run, spaced by
	// latencySpacing: longer than River's FetchCooldown (100 ms), so
	// each one meets an idle queue, as a video's next job usually does.
	latencySamples = 60
	latencySpacing = 150 * time.Millisecond
	// riverDefaultMaxWorkers is what River suggests when a queue's size
	// is not a concern (its examples' MaxWorkers).
	riverDefaultMaxWorkers = 100
)

func jobsBenchmark() Benchmark {
	return Benchmark{
		Name:  "jobs",
		Title: "Jobs: River insert-to-start latency and no-op throughput",
		Run:   runJobs,
	}
}

// noopArgs is a job that does nothing.
type noopArgs struct {
	Seq int64 `json:"seq"`
}

func (noopArgs) Kind() string { return "bench_noop" }

// runJobs measures River as clipcut configures it (pgx pool driver,
// LISTEN/NOTIFY, default fetch timings) on a private Postgres started as
// clipcut starts one, next to a hand-written Postgres queue on the same
// database: INSERT + NOTIFY in one transaction, a listener that claims
// the row with SKIP LOCKED.
func runJobs(ctx context.Context, env *Env) (*Section, error) {
	dir, err := instance.TraversableDir(env.Work, "jobs-pg-")
	if err != nil {
		return nil, err
	}
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "pg"), Logger: env.Logger})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := cluster.Stop(context.WithoutCancel(ctx)); err != nil {
			env.Logger.Warn("stop the jobs benchmark's Postgres", "error", err)
		}
	}()
	pool, err := store.NewPool(ctx, cluster.URL(), 20) // clipcut's default CLIPCUT_DB_MAX_CONNS
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	quiet := slog.New(slog.DiscardHandler)
	if err := store.Migrate(ctx, pool, quiet); err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_queue (
		id bigserial PRIMARY KEY, state text NOT NULL DEFAULT 'available', args jsonb NOT NULL)`); err != nil {
		return nil, fmt.Errorf("baseline queue table: %w", err)
	}

	lat, thr := Samples{}, Samples{}
	clipcutWorkers := max(1, env.Machine.Cores) // CLIPCUT_WORKERS' default: the default queue's MaxWorkers
	for round := range env.Runs {
		steps := []struct {
			name string
			run  func() error
		}{
			{"river latency", func() error {
				ds, err := riverLatency(ctx, pool, clipcutWorkers)
				addPercentiles(lat, "river", ds)
				return err
			}},
			{"baseline latency", func() error {
				notify, claim, err := baselineLatency(ctx, pool)
				addPercentiles(lat, "notify", notify)
				addPercentiles(lat, "baseline", claim)
				return err
			}},
			{"river throughput", func() error {
				for _, w := range []int{clipcutWorkers, riverDefaultMaxWorkers} {
					rate, err := riverThroughput(ctx, pool, w)
					if err != nil {
						return err
					}
					thr.Add("river/"+strconv.Itoa(w), rate)
				}
				return nil
			}},
			{"baseline throughput", func() error {
				for _, w := range []int{clipcutWorkers, 16} {
					rate, err := baselineThroughput(ctx, pool, w)
					if err != nil {
						return err
					}
					thr.Add("baseline/"+strconv.Itoa(w), rate)
				}
				return nil
			}},
		}
		for i := range steps {
			st := steps[(round+i)%len(steps)]
			if err := st.run(); err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", st.name, round+1, err)
			}
		}
		env.Logger.Info("jobs run", "round", round+1,
			"river_p50_ms", fmt.Sprintf("%.2f", lat["river/p50"][round]), "baseline_p50_ms", fmt.Sprintf("%.2f", lat["baseline/p50"][round]))
	}
	return jobsSection(env, lat, thr, clipcutWorkers), nil
}

// addPercentiles records the p50 and p99 of ds, in milliseconds.
func addPercentiles(s Samples, key string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	s.Add(key+"/p50", float64(percentile(ds, 50).Microseconds())/1000)
	s.Add(key+"/p99", float64(percentile(ds, 99).Microseconds())/1000)
}

// percentile is the nearest-rank percentile p of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// riverClient starts a River client on pool working noop jobs on the
// default queue with maxWorkers, configured as clipcut configures its
// own (River's defaults otherwise). started receives each job's Seq and
// the time its Work began.
func riverClient(ctx context.Context, pool *pgxpool.Pool, maxWorkers int, started func(seq int64, at time.Time)) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(_ context.Context, job *river.Job[noopArgs]) error {
		started(job.Args.Seq, time.Now())
		return nil
	}))
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:  slog.New(slog.DiscardHandler),
		Workers: workers,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}},
	})
	if err != nil {
		return nil, err
	}
	if err := client.Start(ctx); err != nil {
		return nil, err
	}
	return client, nil
}

// riverLatency inserts latencySamples jobs one at a time and returns each
// one's time from the Insert call to its Work starting.
func riverLatency(ctx context.Context, pool *pgxpool.Pool, maxWorkers int) ([]time.Duration, error) {
	var mu sync.Mutex
	startedAt := map[int64]time.Time{}
	done := make(chan int64, latencySamples)
	client, err := riverClient(ctx, pool, maxWorkers, func(seq int64, at time.Time) {
		mu.Lock()
		startedAt[seq] = at
		mu.Unlock()
		done <- seq
	})
	if err != nil {
		return nil, err
	}
	defer stopRiver(ctx, client)
	// Let the client settle (leader election, first fetch) before timing.
	time.Sleep(500 * time.Millisecond)
	var out []time.Duration
	for i := range int64(latencySamples) {
		t0 := time.Now()
		if _, err := client.Insert(ctx, noopArgs{Seq: i}, nil); err != nil {
			return out, err
		}
		select {
		case seq := <-done:
			mu.Lock()
			out = append(out, startedAt[seq].Sub(t0))
			mu.Unlock()
		case <-time.After(5 * time.Second):
			return out, fmt.Errorf("job %d not started within 5 s", i)
		case <-ctx.Done():
			return out, ctx.Err()
		}
		time.Sleep(latencySpacing)
	}
	return out, nil
}

// riverThroughput inserts a backlog of no-op jobs into a running client
// in one InsertMany and returns how many it completes per second, from
// the insert to the last one marked completed in the database.
func riverThroughput(ctx context.Context, pool *pgxpool.Pool, maxWorkers int) (float64, error) {
	// Enough jobs for a few seconds of work at either size.
	n := 200 * maxWorkers
	if n > 5000 {
		n = 5000
	}
	var worked atomic.Int64
	client, err := riverClient(ctx, pool, maxWorkers, func(int64, time.Time) { worked.Add(1) })
	if err != nil {
		return 0, err
	}
	defer stopRiver(ctx, client)
	completed, cancel := client.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	time.Sleep(500 * time.Millisecond)
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{Seq: int64(i)}}
	}
	t0 := time.Now()
	if _, err := client.InsertMany(ctx, params); err != nil {
		return 0, err
	}
	deadline := time.After(2 * time.Minute)
	for got := 0; got < n; {
		select {
		case <-completed:
			got++
		case <-deadline:
			return 0, fmt.Errorf("%d of %d no-op jobs completed after 2 minutes (%d worked)", got, n, worked.Load())
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return float64(n) / time.Since(t0).Seconds(), nil
}

func stopRiver(ctx context.Context, client *river.Client[pgx.Tx]) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = client.Stop(stopCtx)
	// Leave the next step an empty table.
	_, _ = client.JobDeleteMany(stopCtx, river.NewJobDeleteManyParams().Kinds(noopArgs{}.Kind()).First(10000))
}

// baselineLatency is the same measurement against the smallest Postgres
// queue that starts jobs on notification: one transaction inserts the
// row and NOTIFYs, a listening connection wakes and claims the row
// (UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)). It returns
// the time to the notification's arrival and to the claim.
func baselineLatency(ctx context.Context, pool *pgxpool.Pool) (notify, claim []time.Duration, err error) {
	listener, err := pool.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer listener.Release()
	if _, err := listener.Exec(ctx, "LISTEN bench_queue"); err != nil {
		return nil, nil, err
	}
	defer func() { _, _ = listener.Exec(context.WithoutCancel(ctx), "UNLISTEN *") }()
	type start struct{ notified, claimed time.Time }
	starts := make(chan start, 1)
	workerErr := make(chan error, 1)
	lctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		conn := listener.Conn()
		for {
			if _, err := conn.WaitForNotification(lctx); err != nil {
				if lctx.Err() == nil {
					workerErr <- err
				}
				return
			}
			at := time.Now()
			var id int64
			err := conn.QueryRow(lctx, `UPDATE bench_queue SET state = 'running' WHERE id = (
				SELECT id FROM bench_queue WHERE state = 'available' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`).Scan(&id)
			if err != nil {
				if lctx.Err() == nil {
					workerErr <- err
				}
				return
			}
			starts <- start{notified: at, claimed: time.Now()}
		}
	})
	defer func() { stop(); wg.Wait() }()
	time.Sleep(100 * time.Millisecond)
	for i := range latencySamples {
		t0 := time.Now()
		if _, err := pool.Exec(ctx, `WITH j AS (INSERT INTO bench_queue (args) VALUES ($1) RETURNING id)
			SELECT pg_notify('bench_queue', id::text) FROM j`, fmt.Sprintf(`{"seq":%d}`, i)); err != nil {
			return notify, claim, err
		}
		select {
		case s := <-starts:
			notify = append(notify, s.notified.Sub(t0))
			claim = append(claim, s.claimed.Sub(t0))
		case err := <-workerErr:
			return notify, claim, err
		case <-time.After(5 * time.Second):
			return notify, claim, errors.New("baseline job not claimed within 5 s")
		}
		time.Sleep(latencySpacing)
	}
	_, err = pool.Exec(ctx, "TRUNCATE bench_queue")
	return notify, claim, err
}

// baselineThroughput works a backlog of rows with workers goroutines,
// each claiming one row (SKIP LOCKED) and marking it completed in a
// second statement, as a minimal queue would; rows per second.
func baselineThroughput(ctx context.Context, pool *pgxpool.Pool, workers int) (float64, error) {
	n := min(200*workers, 5000)
	if _, err := pool.Exec(ctx, `INSERT INTO bench_queue (args) SELECT jsonb_build_object('seq', g) FROM generate_series(1, $1) g`, n); err != nil {
		return 0, err
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				var id int64
				err := pool.QueryRow(ctx, `UPDATE bench_queue SET state = 'running' WHERE id = (
					SELECT id FROM bench_queue WHERE state = 'available' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`).Scan(&id)
				if errors.Is(err, pgx.ErrNoRows) {
					return
				}
				if err == nil {
					_, err = pool.Exec(ctx, `UPDATE bench_queue SET state = 'completed' WHERE id = $1`, id)
				}
				if err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	rate := float64(n) / time.Since(t0).Seconds()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	_, err := pool.Exec(ctx, "TRUNCATE bench_queue")
	return rate, err
}

func jobsSection(env *Env, lat, thr Samples, clipcutWorkers int) *Section {
	latency := Table{
		Caption: fmt.Sprintf("Insert-to-start latency: %d jobs per run inserted one at a time, %d ms apart (each meets an idle queue).",
			latencySamples, latencySpacing.Milliseconds()),
		Header: []string{"queue", "p50 ms", "p99 ms", "p50 ÷ bare Postgres"},
	}
	base := lat.Stat("baseline/p50").Median
	for _, r := range []struct{ key, label string }{
		{"river", fmt.Sprintf("River (as clipcut configures it: LISTEN/NOTIFY, FetchCooldown %s, default queue MaxWorkers %d)", river.FetchCooldownDefault, clipcutWorkers)},
		{"baseline", "bare Postgres: INSERT + NOTIFY in one transaction, listener claims the row with SKIP LOCKED"},
		{"notify", "bare Postgres: INSERT + NOTIFY, until the notification arrives (no claim)"},
	} {
		latency.Rows = append(latency.Rows, []string{r.label, lat.Stat(r.key + "/p50").Cell(2), lat.Stat(r.key + "/p99").Cell(2),
			fmt.Sprintf("%.1f×", lat.Stat(r.key+"/p50").Median/base)})
	}
	throughput := Table{
		Caption: "No-op throughput: a backlog inserted at once (River: one InsertMany into a running client; bare: rows inserted " +
			"before the clock starts), worked until the last is marked completed.",
		Header: []string{"queue", "workers", "jobs/s"},
	}
	for _, r := range []struct {
		key, label string
		workers    int
	}{
		{"river", "River, as clipcut's default queue", clipcutWorkers},
		{"river", "River", riverDefaultMaxWorkers},
		{"baseline", "bare Postgres: claim (SKIP LOCKED) then complete, one row per statement", clipcutWorkers},
		{"baseline", "bare Postgres: claim (SKIP LOCKED) then complete, one row per statement", 16},
	} {
		key := r.key + "/" + strconv.Itoa(r.workers)
		throughput.Rows = append(throughput.Rows, []string{r.label, strconv.Itoa(r.workers), thr.Stat(key).Cell(0)})
	}
	rp50, rp99 := lat.Stat("river/p50").Median, lat.Stat("river/p99").Median
	bp99 := lat.Stat("baseline/p99").Median
	return &Section{
		About: []string{
			"A private PostgreSQL cluster started the way `clipcut serve` starts its own (store/pgcluster: durable, Unix socket) and " +
				"migrated with clipcut's and River's migrations; a River client in the harness's process on a 20-connection pgx pool " +
				"(clipcut's default), configured as server/app.go configures clipcut's (River's defaults: LISTEN/NOTIFY for inserts, " +
				fmt.Sprintf("FetchCooldown %s, FetchPollInterval %s), with a worker that does nothing. The baseline is Postgres itself on the ",
					river.FetchCooldownDefault, river.FetchPollIntervalDefault) +
				"same database and pool: the least a queue that starts jobs on notification must do. " +
				fmt.Sprintf("%s; each latency figure is the median over runs of that run's percentile.", plural(env.Runs, "run")),
		},
		Tables: []Table{latency, throughput},
		Goals: []Goal{
			{
				Figure:   "job insert-to-start latency, River",
				Target:   "reported (no target in issue 9)",
				Measured: fmt.Sprintf("p50 %.2f ms, p99 %.2f ms (bare Postgres p50 %.2f ms, p99 %.2f ms)", rp50, rp99, base, bp99),
				Status:   Reported,
			},
			{
				Figure: "no-op job throughput, River",
				Target: "reported (no target in issue 9)",
				Measured: fmt.Sprintf("%.0f jobs/s with %d workers (clipcut's default queue), %.0f jobs/s with %d",
					thr.Stat("river/"+strconv.Itoa(clipcutWorkers)).Median, clipcutWorkers,
					thr.Stat("river/"+strconv.Itoa(riverDefaultMaxWorkers)).Median, riverDefaultMaxWorkers),
				Status: Reported,
			},
		},
		Notes: []string{
			"River's insert path is an INSERT plus a pg_notify in the same transaction (at most one notification per queue per " +
				"FetchCooldown); the producer listening on its own connection wakes and fetches (an UPDATE … FOR UPDATE SKIP LOCKED " +
				"of up to MaxWorkers jobs), no sooner than FetchCooldown after its previous fetch, then hands the job to a goroutine. " +
				"Completions are written back in batches. Throughput with few workers is bounded by fetches: each fetch takes at most " +
				"MaxWorkers jobs and fetches come at most once per FetchCooldown, so clipcut's light queue (one worker per core) works " +
				"at most MaxWorkers ÷ FetchCooldown jobs per second; its jobs (probe, cleanup) take far longer than that.",
			"The machine is shared: figures from one run to another show how much that disturbs them.",
		},
	}
}
