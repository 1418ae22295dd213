package store_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// killLease ends a lease's connection from the server side, as the death
// of its process does, and waits until its lock is released.
func killLease(ctx context.Context, t *testing.T, s *store.Store, clientID string) {
	t.Helper()
	_, err := s.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, "clipcut lease "+clientID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ids, err := s.UnheldLeases(ctx)
		return err == nil && contains(ids, clientID)
	}, 60*time.Second, 20*time.Millisecond, "the lock goes with the connection")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// runningJob inserts a job as River leaves it while a worker runs it.
func runningJob(ctx context.Context, t *testing.T, s *store.Store, state string, attempt, maxAttempts int, metadata string, attemptedBy ...string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, s.Pool().QueryRow(ctx, `
		INSERT INTO river_job (kind, args, queue, state, attempt, max_attempts, attempted_at, attempted_by, metadata, scheduled_at, finalized_at)
		VALUES ('transcode', '{}', 'media', $1::river_job_state, $2, $3, now() - interval '1 minute', $4, $5::jsonb, now() - interval '2 minutes',
			CASE WHEN $1 IN ('completed', 'cancelled', 'discarded') THEN now() END)
		RETURNING id`, state, attempt, maxAttempts, attemptedBy, metadata).Scan(&id))
	return id
}

type jobRow struct {
	State       string
	Attempt     int
	Errors      []json.RawMessage
	Metadata    map[string]any
	ScheduledAt time.Time
	FinalizedAt *time.Time
}

func readJob(ctx context.Context, t *testing.T, s *store.Store, id int64) jobRow {
	t.Helper()
	var j jobRow
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT state::text, attempt, coalesce(errors, '{}'), metadata, scheduled_at, finalized_at FROM river_job WHERE id = $1`, id).
		Scan(&j.State, &j.Attempt, &j.Errors, &j.Metadata, &j.ScheduledAt, &j.FinalizedAt))
	return j
}

func TestDeadWorkersJobsGoBackToTheQueueAndLiveOnesKeepTheirs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)

	dead, err := s.AcquireLease(ctx, "host-1-dead") // its connection dies below
	require.NoError(t, err)
	live, err := s.AcquireLease(ctx, "host-2-live")
	require.NoError(t, err)
	t.Cleanup(func() { _ = live.Release(context.Background()) })

	requeue := runningJob(ctx, t, s, "running", 1, 25, `{}`, "host-1-dead")
	lastAttempt := runningJob(ctx, t, s, "running", 3, 3, `{}`, "old", "older", "host-1-dead")
	cancelAsked := runningJob(ctx, t, s, "running", 1, 25, `{"cancel_attempted_at": "2026-01-01T00:00:00Z"}`, "host-1-dead")
	rescuedBefore := runningJob(ctx, t, s, "running", 2, 25, `{"river:rescue_count": 1}`, "host-2-live", "host-1-dead")
	refetched := runningJob(ctx, t, s, "running", 2, 25, `{}`, "host-1-dead", "host-2-live")
	noLease := runningJob(ctx, t, s, "running", 1, 25, `{}`, "pre-lease-worker")
	finished := runningJob(ctx, t, s, "completed", 1, 25, `{}`, "host-1-dead")
	liveJob := runningJob(ctx, t, s, "running", 1, 25, `{}`, "host-2-live")

	unheld, err := s.UnheldLeases(ctx)
	require.NoError(t, err)
	require.Empty(t, unheld, "both processes hold their lease")
	got, err := s.ReleaseDeadLeases(ctx, []string{"host-1-dead", "host-2-live"}, time.Now())
	require.NoError(t, err)
	require.Empty(t, got, "a held lease keeps its jobs, whatever the caller believes")

	// Unreferenced, the lease's connection would be closed when the
	// garbage collector finalizes its socket.
	runtime.KeepAlive(dead)
	killLease(ctx, t, s, "host-1-dead")
	unheld, err = s.UnheldLeases(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"host-1-dead"}, unheld)

	now := time.Now().Truncate(time.Microsecond)
	got, err = s.ReleaseDeadLeases(ctx, []string{"host-1-dead", "host-2-live"}, now)
	require.NoError(t, err)
	require.Equal(t, []store.RequeuedJob{
		{ID: requeue, Kind: "transcode", ClientID: "host-1-dead", Attempt: 1, State: "available"},
		{ID: lastAttempt, Kind: "transcode", ClientID: "host-1-dead", Attempt: 3, State: "discarded"},
		{ID: cancelAsked, Kind: "transcode", ClientID: "host-1-dead", Attempt: 1, State: "cancelled"},
		{ID: rescuedBefore, Kind: "transcode", ClientID: "host-1-dead", Attempt: 2, State: "available"},
	}, got)

	j := readJob(ctx, t, s, requeue)
	require.Equal(t, "available", j.State)
	require.Equal(t, 1, j.Attempt, "River counts the next attempt when it fetches the job")
	require.True(t, j.ScheduledAt.Before(now), "runs again at once, in its old place in the queue (scheduled when it was first)")
	require.Nil(t, j.FinalizedAt)
	require.Len(t, j.Errors, 1)
	var attemptErr struct {
		At      time.Time
		Attempt int
		Error   string
	}
	require.NoError(t, json.Unmarshal(j.Errors[0], &attemptErr))
	require.Equal(t, 1, attemptErr.Attempt)
	require.True(t, attemptErr.At.Equal(now))
	require.Contains(t, attemptErr.Error, "host-1-dead died")
	require.EqualValues(t, 1, j.Metadata["river:rescue_count"])

	j = readJob(ctx, t, s, lastAttempt)
	require.Equal(t, "discarded", j.State)
	require.NotNil(t, j.FinalizedAt)
	j = readJob(ctx, t, s, cancelAsked)
	require.Equal(t, "cancelled", j.State)
	require.NotNil(t, j.FinalizedAt)
	require.EqualValues(t, 2, readJob(ctx, t, s, rescuedBefore).Metadata["river:rescue_count"])
	for _, id := range []int64{refetched, noLease, liveJob} {
		j := readJob(ctx, t, s, id)
		require.Equal(t, "running", j.State, "job %d is another worker's", id)
		require.Empty(t, j.Errors)
	}
	require.Equal(t, "completed", readJob(ctx, t, s, finished).State)

	// The dead worker's lease is gone; a second pass finds nothing.
	unheld, err = s.UnheldLeases(ctx)
	require.NoError(t, err)
	require.Empty(t, unheld)
	got, err = s.ReleaseDeadLeases(ctx, []string{"host-1-dead"}, time.Now())
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestLeaseIsRetakenAfterItsConnectionDies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	lease, err := s.AcquireLease(ctx, "host-3")
	require.NoError(t, err)
	t.Cleanup(func() { _ = lease.Release(context.Background()) })

	check, err := lease.Renew(ctx)
	require.NoError(t, err)
	require.Equal(t, store.LeaseCheck{}, check, "held all along")

	// The connection drops (a database restart, a network cut) for less
	// time than others wait before taking the process for dead.
	killLease(ctx, t, s, "host-3")
	check, err = lease.Renew(ctx)
	require.NoError(t, err)
	require.Equal(t, store.LeaseCheck{Retaken: true}, check)
	unheld, err := s.UnheldLeases(ctx)
	require.NoError(t, err)
	require.Empty(t, unheld)

	// For longer: another process returned its jobs meanwhile.
	killLease(ctx, t, s, "host-3")
	_, err = s.ReleaseDeadLeases(ctx, []string{"host-3"}, time.Now())
	require.NoError(t, err)
	check, err = lease.Renew(ctx)
	require.NoError(t, err)
	require.Equal(t, store.LeaseCheck{Retaken: true, Forgotten: true}, check)

	// Release lets go for good.
	require.NoError(t, lease.Release(ctx))
	var rows int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM worker_leases`).Scan(&rows))
	require.Zero(t, rows)
	conn, err := s.Pool().Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	var free bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, store.LeaseKey("host-3")).Scan(&free))
	require.True(t, free, "the lock is released")
	_, err = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, store.LeaseKey("host-3"))
	require.NoError(t, err)
}
