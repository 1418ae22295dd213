package upload

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	tushandler "github.com/tus/tusd/v2/pkg/handler"

	"github.com/clipcut/clipcut/store/storetest"
)

func TestPGLockerSerializesAcrossConnectionsAndDiesWithItsHolder(t *testing.T) {
	t.Parallel()
	pool := storetest.NewPool(t)
	// Two lockers on one pool stand for two API processes.
	a, b := newPGLocker(pool), newPGLocker(pool)
	lockA, _ := a.NewLock("upload-1")
	lockB, _ := b.NewLock("upload-1")
	other, _ := b.NewLock("upload-2")

	require.NoError(t, lockA.Lock(context.Background(), func() {}))
	require.NoError(t, other.Lock(context.Background(), func() {}), "other uploads are not blocked")
	require.NoError(t, other.Unlock())

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, lockB.Lock(ctx, func() {}), tushandler.ErrLockTimeout, "held elsewhere")

	require.NoError(t, lockA.Unlock())
	require.NoError(t, lockB.Lock(context.Background(), func() {}))
	require.NoError(t, lockB.Unlock())

	// A holder that dies (its connection closes) releases the lock.
	require.NoError(t, lockA.Lock(context.Background(), func() {}))
	pid := lockA.(*pgLock).conn.Conn().PgConn().PID()
	_, err := pool.Exec(context.Background(), "SELECT pg_terminate_backend($1)", pid)
	require.NoError(t, err)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, lockB.Lock(ctx, func() {}))
	require.NoError(t, lockB.Unlock())
	// The dead holder's Unlock fails but gives its connection back (the
	// pool closes at cleanup only when every connection is returned).
	require.Error(t, lockA.Unlock())
}

func TestPGLockerAsksALocalHolderToLetGo(t *testing.T) {
	t.Parallel()
	l := newPGLocker(storetest.NewPool(t))
	first, _ := l.NewLock("upload-1")
	released := make(chan struct{})
	require.NoError(t, first.Lock(context.Background(), func() {
		// tusd's requestUnlock: the old PATCH stops and unlocks.
		go func() { _ = first.Unlock(); close(released) }()
	}))
	second, _ := l.NewLock("upload-1")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, second.Lock(ctx, func() {}))
	<-released
	require.NoError(t, second.Unlock())
}
