package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/store/storetest"
)

type echoArgs struct{}

func (echoArgs) Kind() string { return "liveness_test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
}

func (echoWorker) Work(context.Context, *river.Job[echoArgs]) error { return nil }

// TestLivenessReturnsADeadWorkersJobAndLeavesALiveOnesAlone starts a
// worker (River client plus liveness service) next to two other workers'
// leases with a job running on each: one worker's lease connection dies, as
// when its process is killed, and its job runs again on the new worker; the
// other worker's job stays where it is.
func TestLivenessReturnsADeadWorkersJobAndLeavesALiveOnesAlone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := storetest.NewStore(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	dead, err := st.AcquireLease(ctx, "dead-worker")
	require.NoError(t, err)
	live, err := st.AcquireLease(ctx, "live-worker")
	require.NoError(t, err)
	t.Cleanup(func() { _ = live.Release(context.Background()) })
	running := func(by string) int64 {
		var id int64
		require.NoError(t, st.Pool().QueryRow(ctx, `
			INSERT INTO river_job (kind, args, queue, state, attempt, max_attempts, attempted_at, attempted_by)
			VALUES ('liveness_test_echo', '{}', 'default', 'running', 1, 25, now(), ARRAY[$1])
			RETURNING id`, by).Scan(&id))
		return id
	}
	deadJob, liveJob := running("dead-worker"), running("live-worker")

	workers := river.NewWorkers()
	river.AddWorker(workers, echoWorker{})
	liveness := jobs.NewLiveness(st, logger)
	client, err := river.NewClient(riverpgxv5.New(st.Pool()), &river.Config{
		ID:      liveness.ClientID(),
		Logger:  slog.New(slog.DiscardHandler),
		Workers: workers,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
	})
	require.NoError(t, err)
	require.NoError(t, liveness.Start(ctx))
	require.NoError(t, client.Start(ctx))

	// Until now the lease was held (unreferenced, the garbage collector
	// would close its socket); its connection dies as its process would.
	runtime.KeepAlive(dead)
	_, err = st.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'clipcut lease dead-worker'`)
	require.NoError(t, err)
	died := time.Now()
	var state string
	var attempt int
	var attemptedBy []string
	require.Eventually(t, func() bool {
		err := st.Pool().QueryRow(ctx, `SELECT state::text, attempt, attempted_by FROM river_job WHERE id = $1`, deadJob).Scan(&state, &attempt, &attemptedBy)
		return err == nil && state == "completed"
	}, 45*time.Second, 50*time.Millisecond, "the dead worker's job runs again\n%s", &logs)
	t.Logf("the dead worker's job completed elsewhere %s after its lease connection died", time.Since(died).Round(10*time.Millisecond))
	require.Equal(t, 2, attempt)
	require.Equal(t, []string{"dead-worker", liveness.ClientID()}, attemptedBy)
	require.Contains(t, logs.String(), "returned the job of a dead worker to the queue")

	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT state::text, attempted_by FROM river_job WHERE id = $1`, liveJob).Scan(&state, &attemptedBy))
	require.Equal(t, "running", state, "a live worker keeps its job")
	require.Equal(t, []string{"live-worker"}, attemptedBy)

	require.NoError(t, client.Stop(ctx))
	liveness.Stop()
	var leases []string
	rows, err := st.Pool().Query(ctx, `SELECT client_id FROM worker_leases ORDER BY client_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		leases = append(leases, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"live-worker"}, leases, "a stopped worker deletes its lease; a dead one's is deleted with its jobs")
}

// TestLivenessReturnsAGoneProcessesJobsAtOnce: a worker of this machine
// whose process is gone (a restarted serve's predecessor) is dead without
// the grace: the new process's first check, as it starts, returns its job,
// and says why.
func TestLivenessReturnsAGoneProcessesJobsAtOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := storetest.NewStore(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))

	// A PID no process has any more: a child that ran and was reaped.
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	host, err := os.Hostname()
	require.NoError(t, err)
	if len(host) > 60 {
		host = host[:60]
	}
	predecessor := fmt.Sprintf("%s-%d-0badcafe", host, gone.Process.Pid)
	lease, err := st.AcquireLease(ctx, predecessor)
	require.NoError(t, err)
	var job int64
	require.NoError(t, st.Pool().QueryRow(ctx, `
		INSERT INTO river_job (kind, args, queue, state, attempt, max_attempts, attempted_at, attempted_by)
		VALUES ('liveness_test_echo', '{}', 'default', 'running', 1, 25, now(), ARRAY[$1])
		RETURNING id`, predecessor).Scan(&job))
	runtime.KeepAlive(lease)
	_, err = st.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
		"clipcut lease "+predecessor)
	require.NoError(t, err)

	liveness := jobs.NewLiveness(st, logger)
	require.NoError(t, liveness.Start(ctx))
	t.Cleanup(liveness.Stop)
	var state string
	require.Eventually(t, func() bool {
		err := st.Pool().QueryRow(ctx, `SELECT state::text FROM river_job WHERE id = $1`, job).Scan(&state)
		return err == nil && state == "available"
	}, 45*time.Second, 50*time.Millisecond, "the predecessor's job is back in the queue\n%s", &logs)
	require.Contains(t, logs.String(), "a worker of this machine is gone", "returned without the grace")
}

// syncBuffer is a bytes.Buffer a logger and the test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
