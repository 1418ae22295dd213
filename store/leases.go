package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

// A worker lease says that a process working jobs is alive: the process
// holds a session advisory lock keyed by its River client's id on a
// connection of its own, and PostgreSQL releases the lock the instant that
// connection dies, whatever killed the process. The worker_leases row
// names the lock, so any other process can tell a dead worker from a live
// one by whether anybody holds it.

// LeaseKey is the advisory lock key of a River client id.
func LeaseKey(clientID string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("clipcut worker lease\x00" + clientID))
	return int64(h.Sum64())
}

// Lease is a held worker lease. Its methods are not safe for concurrent
// use.
type Lease struct {
	store    *Store
	clientID string
	key      int64
	conn     *pgx.Conn
}

// leaseHeld is the condition that a session holds w's lock: an advisory
// lock on one bigint key shows in pg_locks as its high and low halves in
// classid and objid, with objsubid 1.
const leaseHeld = `EXISTS (
	SELECT 1 FROM pg_locks l
	WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
	  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	  AND l.classid = ((w.lock_key >> 32) & 4294967295)::oid
	  AND l.objid = (w.lock_key & 4294967295)::oid)`

// AcquireLease takes the lease of River client clientID on a new
// connection outside the pool (the lock lives as long as that connection)
// and records it in worker_leases. Take it before the client starts
// working jobs.
func (s *Store) AcquireLease(ctx context.Context, clientID string) (*Lease, error) {
	l := &Lease{store: s, clientID: clientID, key: LeaseKey(clientID)}
	if _, err := l.connect(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// ClientID is the River client id the lease is for.
func (l *Lease) ClientID() string { return l.clientID }

// connect opens the lease's connection, takes the lock and records the
// lease; inserted reports that the row was not there.
func (l *Lease) connect(ctx context.Context) (inserted bool, err error) {
	cfg := l.store.pool.Config().ConnConfig.Copy()
	params := map[string]string{}
	for k, v := range cfg.RuntimeParams {
		params[k] = v
	}
	params["application_name"] = "clipcut lease " + l.clientID
	// A worker whose machine vanishes sends no FIN: the server learns
	// that the connection is dead, and drops the lock, only from TCP
	// keepalives, whose system default waits two hours. (Unix sockets
	// ignore these.)
	params["tcp_keepalives_idle"] = "2"
	params["tcp_keepalives_interval"] = "1"
	params["tcp_keepalives_count"] = "3"
	params["tcp_user_timeout"] = "5000"
	cfg.RuntimeParams = params
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("worker lease: connect: %w", err)
	}
	var locked bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&locked); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return false, fmt.Errorf("worker lease: lock: %w", err)
	}
	if !locked {
		// The session of a previous connection of this process that the
		// server has not noticed is dead yet: still alive as far as
		// anybody can tell, which is right.
		conn.Close(context.WithoutCancel(ctx))
		return false, fmt.Errorf("worker lease: lock %d of %s is held by another session", l.key, l.clientID)
	}
	host, _ := os.Hostname()
	tag, err := conn.Exec(ctx, `
		INSERT INTO worker_leases (client_id, lock_key, hostname, pid) VALUES ($1, $2, $3, $4)
		ON CONFLICT (client_id) DO NOTHING`, l.clientID, l.key, host, os.Getpid())
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return false, fmt.Errorf("worker lease: record: %w", err)
	}
	l.conn = conn
	return tag.RowsAffected() == 1, nil
}

// LeaseCheck is what Renew found.
type LeaseCheck struct {
	// Retaken: the lease's connection had died, releasing the lock, and
	// the lease is held again on a new connection.
	Retaken bool
	// Forgotten: while the lock was released, another process took this
	// one for dead and returned its running jobs to the queue.
	Forgotten bool
}

// Renew checks that the lease's connection is alive and, when it died,
// takes the lease again on a new one. An error means the lease is not
// held now; call Renew again.
func (l *Lease) Renew(ctx context.Context) (LeaseCheck, error) {
	if l.conn != nil {
		err := l.conn.Ping(ctx)
		if err == nil || ctx.Err() != nil {
			return LeaseCheck{}, err
		}
		l.conn.Close(context.WithoutCancel(ctx))
		l.conn = nil
	}
	inserted, err := l.connect(ctx)
	if err != nil {
		return LeaseCheck{}, err
	}
	return LeaseCheck{Retaken: true, Forgotten: inserted}, nil
}

// Held reports whether the lease's connection is up (as of the last Renew).
func (l *Lease) Held() bool { return l.conn != nil }

// Release deletes the lease's row and closes its connection, which
// releases the lock: the process is stopping and runs no more jobs.
func (l *Lease) Release(ctx context.Context) error {
	if l.conn == nil {
		_, err := l.store.pool.Exec(ctx, `DELETE FROM worker_leases WHERE client_id = $1`, l.clientID)
		if err != nil {
			return fmt.Errorf("worker lease: release: %w", err)
		}
		return nil
	}
	_, err := l.conn.Exec(ctx, `DELETE FROM worker_leases WHERE client_id = $1`, l.clientID)
	if err == nil {
		// At once, not when the server has noticed the closed connection.
		_, err = l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	}
	closeErr := l.conn.Close(ctx)
	l.conn = nil
	if err = errors.Join(err, closeErr); err != nil {
		return fmt.Errorf("worker lease: release: %w", err)
	}
	return nil
}

// UnheldLeases returns the client ids of the leases whose lock no session
// holds: their processes are dead, or their lease connection is down.
func (s *Store) UnheldLeases(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT client_id FROM worker_leases w WHERE NOT `+leaseHeld+` ORDER BY client_id`)
	if err != nil {
		return nil, fmt.Errorf("unheld worker leases: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("unheld worker leases: %w", err)
	}
	return ids, nil
}

// RequeuedJob is a job ReleaseDeadLeases took from a dead worker.
type RequeuedJob struct {
	ID       int64
	Kind     string
	ClientID string // the dead worker
	Attempt  int
	// State is where the job went: "available" (it runs again at once),
	// "discarded" (that was its last attempt) or "cancelled" (a cancel
	// was asked for while it ran).
	State string
}

// ReleaseDeadLeases takes the running jobs of the workers clientIDs whose
// lease lock is still not held back from them, and deletes their leases.
// It does to each job what River's own rescuer does to a stuck one, minus
// the wait: an error entry for the attempt (the attempt count stays; River
// adds one when the job is fetched again), River's rescue count, and the
// job goes back to the queue, available at once and in its old place; a job on its last attempt
// is discarded, and one whose cancellation was asked for is cancelled. A
// job that is no longer running, or that another worker has fetched since,
// is left alone.
func (s *Store) ReleaseDeadLeases(ctx context.Context, clientIDs []string, now time.Time) ([]RequeuedJob, error) {
	rows, err := s.pool.Query(ctx, `
		WITH dead AS (
			SELECT w.client_id FROM worker_leases w
			WHERE w.client_id = ANY($1::text[]) AND NOT `+leaseHeld+`
		), outcome AS (
			SELECT j.id, dead.client_id,
				CASE
					WHEN j.metadata ? 'cancel_attempted_at' THEN 'cancelled'
					WHEN j.attempt >= j.max_attempts THEN 'discarded'
					ELSE 'available'
				END AS state
			FROM river_job j JOIN dead ON j.attempted_by[array_length(j.attempted_by, 1)] = dead.client_id
			WHERE j.state = 'running'
			FOR UPDATE OF j
		), requeued AS (
			UPDATE river_job j SET
				state = outcome.state::river_job_state,
				-- Its old place in the queue (River fetches by scheduled_at, then
				-- id): a chunk that later ones wait on must not go to the back.
				scheduled_at = CASE WHEN outcome.state = 'available' THEN least(j.scheduled_at, $2) ELSE j.scheduled_at END,
				finalized_at = CASE WHEN outcome.state = 'available' THEN NULL ELSE $2 END,
				errors = array_append(j.errors, jsonb_build_object(
					'at', $2::timestamptz, 'attempt', greatest(j.attempt, 0), 'trace', '',
					'error', 'worker ' || outcome.client_id || ' died while running the job (its liveness lease was released)')),
				metadata = j.metadata || jsonb_build_object('river:rescue_count',
					coalesce(CASE WHEN jsonb_typeof(j.metadata -> 'river:rescue_count') = 'number'
						THEN (j.metadata ->> 'river:rescue_count')::int END, 0) + 1)
			FROM outcome
			WHERE j.id = outcome.id AND j.state = 'running'
			RETURNING j.id, j.kind, outcome.client_id, j.attempt, outcome.state
		), forgotten AS (
			DELETE FROM worker_leases w USING dead WHERE w.client_id = dead.client_id
		)
		SELECT id, kind, client_id, attempt, state FROM requeued ORDER BY id`, clientIDs, now)
	if err != nil {
		return nil, fmt.Errorf("release dead worker leases: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RequeuedJob])
	if err != nil {
		return nil, fmt.Errorf("release dead worker leases: %w", err)
	}
	return jobs, nil
}
