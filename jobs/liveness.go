package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clipcut/clipcut/store"
)

// Liveness timing. A dead worker's jobs return to the queue within
// livenessCheckEvery + livenessGrace (6 s) of its death, and run again at
// the next fetch of a live worker (River polls every second). A worker of
// the same machine whose process is gone (the predecessor of a restarted
// process, above all) needs no grace: its jobs return at the first check,
// which a process runs as it starts.
const (
	// livenessRenewEvery is how often the lease's connection is checked,
	// and retaken when it died.
	livenessRenewEvery = time.Second
	// livenessCheckEvery is how often the leases of others are looked at.
	livenessCheckEvery = 2 * time.Second
	// livenessGrace is how long another worker's lock must stay free
	// before it counts as dead: longer than a live worker needs to take
	// its lease again after its connection dropped (a database restart
	// drops every lock at once).
	livenessGrace = 4 * time.Second
	// livenessQueryTimeout bounds each query, so an unreachable database
	// delays the next round rather than hanging the loop.
	livenessQueryTimeout = 5 * time.Second
)

// Liveness is the background service that lets a dead worker be told from
// a slow one in seconds. It holds this process's worker lease (a
// PostgreSQL advisory lock on a connection of its own, released the
// instant the connection dies) for the River client whose id it chose,
// and every few seconds it returns to the queue the running jobs of
// workers whose lease nobody holds any more. Every working process checks,
// not only River's elected leader: a dead leader is replaced only after
// its leadership expires, which would add that wait to the recovery of its
// own jobs. The jobs' timeouts and River's rescuer remain for work that
// hangs in a live process.
type Liveness struct {
	store    *store.Store
	logger   *slog.Logger
	clientID string

	mu     sync.Mutex
	lease  *store.Lease
	cancel context.CancelFunc
	done   chan struct{}
}

// NewLiveness returns the liveness service of a process with a fresh
// client id; give ClientID to river.Config.ID, and Start the service
// before the River client.
func NewLiveness(st *store.Store, logger *slog.Logger) *Liveness {
	return &Liveness{store: st, logger: logger, clientID: newClientID()}
}

// newClientID names this process incarnation: host, PID and a random part,
// since a restarted process may get its predecessor's PID (a container's
// is always the same).
func newClientID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", clientHost(), os.Getpid(), hex.EncodeToString(b))
}

// clientHost is this machine's name as client ids carry it.
func clientHost() string {
	host, _ := os.Hostname()
	if len(host) > 60 { // River allows ids of 100 bytes
		host = host[:60]
	}
	return host
}

// goneOnThisHost reports whether client id is an incarnation on this
// machine whose process is gone: a restarted process's predecessor, most
// often. Its lease, once free, needs no grace: no live process can be
// about to take it again. An id of another machine, or whose PID lives
// (perhaps as another program), waits for the grace like any other.
func goneOnThisHost(id string) bool {
	rest, _, ok := cutLast(id, "-")
	if !ok {
		return false
	}
	host, pidText, ok := cutLast(rest, "-")
	if !ok || host != clientHost() {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		return false
	}
	// Our own PID under another id: a predecessor, since PIDs are unique
	// among the living (a container restarted in place gets the same one).
	return pid == os.Getpid() || processGone(pid)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ClientID is the River client id the lease is held for.
func (l *Liveness) ClientID() string { return l.clientID }

// Start takes the lease, then checks the other workers' leases at once and
// every few seconds until ctx ends or Stop is called.
func (l *Liveness) Start(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done != nil {
		return nil
	}
	leaseCtx, cancel := context.WithTimeout(ctx, livenessQueryTimeout)
	lease, err := l.store.AcquireLease(leaseCtx, l.clientID)
	cancel()
	if err != nil {
		return err
	}
	l.lease = lease
	runCtx, cancelRun := context.WithCancel(ctx)
	l.cancel, l.done = cancelRun, make(chan struct{})
	go l.run(runCtx, l.done)
	l.logger.InfoContext(ctx, "holding the worker lease", "client_id", l.clientID)
	return nil
}

// Stop ends the checks and releases the lease: call it once the River
// client has stopped, since from then on others may take this process for
// dead.
func (l *Liveness) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		return
	}
	l.cancel()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), livenessQueryTimeout)
	defer cancel()
	if err := l.lease.Release(ctx); err != nil {
		// The lock goes with the connection anyway; the row is deleted
		// by the next process that finds the lock free.
		l.logger.Warn("releasing the worker lease failed", "client_id", l.clientID, "error", err)
	}
	l.done = nil
}

func (l *Liveness) run(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	suspects := map[string]time.Time{} // unheld leases: when first seen free
	lost := false
	nextCheck := time.Now()
	renew := time.NewTicker(livenessRenewEvery)
	defer renew.Stop()
	for {
		// While this process's own lease is lost, so is its view of the
		// others: the database probably restarted and dropped every lock.
		if now := time.Now(); !lost && !now.Before(nextCheck) {
			l.check(ctx, suspects, now)
			nextCheck = now.Add(livenessCheckEvery)
		}
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
		}
		renewCtx, cancel := context.WithTimeout(ctx, livenessQueryTimeout)
		found, err := l.lease.Renew(renewCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			if !lost {
				l.logger.WarnContext(ctx, "lost the worker lease; taking it again", "client_id", l.clientID, "error", err)
				lost = true
			}
			clear(suspects)
		case found.Retaken:
			lost = false
			clear(suspects)
			if found.Forgotten {
				l.logger.ErrorContext(ctx, "the worker lease was lost long enough for other processes to take this one for dead: "+
					"the jobs it is running were returned to the queue and may run twice", "client_id", l.clientID)
			} else {
				l.logger.InfoContext(ctx, "holding the worker lease again", "client_id", l.clientID)
			}
		}
	}
}

// check notes which leases are free and returns the jobs of the workers
// whose lease has stayed free for the grace period.
func (l *Liveness) check(ctx context.Context, suspects map[string]time.Time, now time.Time) {
	queryCtx, cancel := context.WithTimeout(ctx, livenessQueryTimeout)
	defer cancel()
	unheld, err := l.store.UnheldLeases(queryCtx)
	if err != nil {
		// An unreachable database is reported once, by the lease.
		l.logger.DebugContext(ctx, "checking worker leases failed", "error", err)
		return
	}
	free := make(map[string]bool, len(unheld))
	var dead []string
	for _, id := range unheld {
		if id == l.clientID {
			continue // its connection is down; Renew takes it again
		}
		free[id] = true
		if goneOnThisHost(id) {
			l.logger.InfoContext(ctx, "a worker of this machine is gone (its process no longer exists): no grace", "worker", id)
			dead = append(dead, id)
			continue
		}
		if first, ok := suspects[id]; !ok {
			suspects[id] = now
		} else if now.Sub(first) >= livenessGrace {
			dead = append(dead, id)
		}
	}
	for id := range suspects {
		if !free[id] {
			delete(suspects, id)
		}
	}
	if len(dead) == 0 {
		return
	}
	jobs, err := l.store.ReleaseDeadLeases(queryCtx, dead, now)
	if err != nil {
		l.logger.WarnContext(ctx, "returning the jobs of dead workers to the queue failed; retrying", "workers", dead, "error", err)
		return
	}
	for _, id := range dead {
		delete(suspects, id)
	}
	for _, j := range jobs {
		l.logger.InfoContext(ctx, "returned the job of a dead worker to the queue",
			"job_id", j.ID, "job_kind", j.Kind, "worker", j.ClientID, "attempt", j.Attempt, "state", j.State)
	}
	l.logger.InfoContext(ctx, "workers found dead: their leases were released", "workers", dead, "jobs", len(jobs))
}
