package upload

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
)

// pgLocker is a tusd Locker on PostgreSQL advisory locks, so that uploads
// whose bytes live in S3 can be continued by any API replica: one PATCH at
// a time per upload, cluster-wide. A lock is held on a dedicated database
// connection; if its process dies, the connection closes and PostgreSQL
// releases the lock at once.
//
// Within one process, a request waiting for a lock asks the holder to let
// go (tusd's requestUnlock): the usual case is a client that reconnected
// while its previous PATCH still hangs on a dead connection.
type pgLocker struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	holders map[string]func() // upload id -> the holder's requestUnlock
}

func newPGLocker(pool *pgxpool.Pool) *pgLocker {
	return &pgLocker{pool: pool, holders: map[string]func(){}}
}

// UseIn registers the locker with a tusd store composer.
func (l *pgLocker) UseIn(c *tushandler.StoreComposer) { c.UseLocker(l) }

// NewLock implements tushandler.Locker.
func (l *pgLocker) NewLock(id string) (tushandler.Lock, error) {
	return &pgLock{locker: l, id: id}, nil
}

type pgLock struct {
	locker *pgLocker
	id     string
	conn   *pgxpool.Conn
}

const lockPollInterval = 50 * time.Millisecond

// Lock waits until the upload's lock is free or ctx ends (tusd bounds it
// with its AcquireLockTimeout).
func (lk *pgLock) Lock(ctx context.Context, requestUnlock func()) error {
	conn, err := lk.locker.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("upload lock %s: %w", lk.id, err)
	}
	asked := false
	for {
		var ok bool
		err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtextextended('tus:' || $1, 0))", lk.id).Scan(&ok)
		if err != nil {
			conn.Release()
			if ctx.Err() != nil {
				return tushandler.ErrLockTimeout
			}
			return fmt.Errorf("upload lock %s: %w", lk.id, err)
		}
		if ok {
			lk.conn = conn
			lk.locker.mu.Lock()
			lk.locker.holders[lk.id] = requestUnlock
			lk.locker.mu.Unlock()
			return nil
		}
		if !asked {
			asked = true
			lk.locker.mu.Lock()
			release := lk.locker.holders[lk.id]
			lk.locker.mu.Unlock()
			if release != nil {
				release()
			}
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return tushandler.ErrLockTimeout
		case <-time.After(lockPollInterval):
		}
	}
}

// Unlock releases the lock.
func (lk *pgLock) Unlock() error {
	if lk.conn == nil {
		return errors.New("upload lock: not held")
	}
	lk.locker.mu.Lock()
	delete(lk.locker.holders, lk.id)
	lk.locker.mu.Unlock()
	_, err := lk.conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtextextended('tus:' || $1, 0))", lk.id)
	if err != nil {
		// The session's locks die with it: do not return it to the pool.
		lk.conn.Hijack().Close(context.Background())
	} else {
		lk.conn.Release()
	}
	lk.conn = nil
	return err
}
