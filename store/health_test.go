package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

// nowhere is a PostgreSQL URL nothing listens at.
func nowhere(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "postgres://clipcut@" + addr + "/clipcut?connect_timeout=2"
}

func TestUnreachableTellsConnectionErrorsFromQueryErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	_, err := pgx.Connect(ctx, nowhere(t))
	require.Error(t, err)
	require.True(t, store.Unreachable(err), "refused connection: %v", err)

	pool := storetest.NewPool(t)
	_, err = pool.Exec(ctx, `SELECT * FROM no_such_table`)
	require.Error(t, err)
	require.False(t, store.Unreachable(err), "a query's own error: %v", err)

	// A backend terminated under a session, as a server shutdown does.
	conn, err := pgx.Connect(ctx, pool.Config().ConnString())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var pid int
	require.NoError(t, conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	_, err = pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT 1`)
	require.Error(t, err)
	require.True(t, store.Unreachable(err), "terminated connection: %v", err)

	require.False(t, store.Unreachable(nil))
}

// syncBuffer is a log destination safe for concurrent writers.
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

func TestHealthLogsOneWarnPerOutageAndRetryWaitsItOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs syncBuffer
	health := store.NewHealth(slog.New(slog.NewTextHandler(&logs, nil)))
	pool := storetest.NewPool(t)
	down := nowhere(t)

	// Unreachable for three calls, then reachable: one WARN, one INFO,
	// and Retry returns the success.
	calls := 0
	err := health.Retry(ctx, time.Minute, store.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond}, func(ctx context.Context) error {
		calls++
		if calls <= 3 {
			_, err := pgx.Connect(ctx, down)
			return err
		}
		_, err := pool.Exec(ctx, `SELECT 1`)
		return err
	})
	require.NoError(t, err)
	require.Equal(t, 4, calls)
	require.False(t, health.Down())
	// Other components failing in the same outage add nothing.
	_, connErr := pgx.Connect(ctx, down)
	require.True(t, health.Failed(ctx, connErr))
	require.True(t, health.Failed(ctx, connErr))
	require.True(t, health.Down())
	health.OK(ctx)
	health.OK(ctx)
	out := logs.String()
	require.Equal(t, 2, strings.Count(out, "level=WARN"), "one WARN per outage (two outages):\n%s", out)
	require.Equal(t, 2, strings.Count(out, "level=INFO"), "one INFO per recovery:\n%s", out)
	require.Contains(t, out, "lost the database connection")
	require.Contains(t, out, "database connection is back")

	// A query's own error is returned at once, not retried.
	calls = 0
	err = health.Retry(ctx, time.Minute, store.Backoff{}, func(ctx context.Context) error {
		calls++
		_, err := pool.Exec(ctx, `SELECT * FROM no_such_table`)
		return err
	})
	require.Error(t, err)
	require.Equal(t, 1, calls)

	// An outage longer than the retry window returns its error.
	start := time.Now()
	err = health.Retry(ctx, 50*time.Millisecond, store.Backoff{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}, func(ctx context.Context) error {
		_, err := pgx.Connect(ctx, down)
		return err
	})
	require.True(t, store.Unreachable(err))
	require.Less(t, time.Since(start), 30*time.Second)
}
