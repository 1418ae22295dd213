package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestServeListensForEveryTopicOnOneConnection checks the wiring of the
// notifier in `clipcut serve`, whose video hub and webhook listener both
// need notifications: once the webhook topic demonstrably reaches the
// process, clipcut holds exactly one LISTEN connection. (River's own
// listener, on its river_* channels, is River's and not counted.)
func TestServeListensForEveryTopicOnOneConnection(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir)
	p.waitReady(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://clipcut@/clipcut?sslmode=disable&host="+filepath.Join(dir, "var", "pg", "run"))
	require.NoError(t, err)
	defer conn.Close(context.Background())

	// An announced outbox event becomes a dispatch job only through the
	// process's webhook listener; the announcement is repeated until the
	// listener is in place (the job is unique by event).
	event := uuid.New()
	require.Eventually(t, func() bool {
		_, err := conn.Exec(ctx, "SELECT pg_notify('clipcut_webhook', $1)", event.String())
		require.NoError(t, err)
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM river_job
			WHERE kind = 'webhook_dispatch' AND args->>'event_id' = $1`, event.String()).Scan(&n))
		return n > 0
	}, time.Minute, 200*time.Millisecond, "webhook listener never queued a dispatch\n%s", p.log())

	rows, err := conn.Query(ctx, `SELECT query FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'clipcut'
		  AND query ~* '^\s*(un)?listen\s+"?clipcut_'`)
	require.NoError(t, err)
	listeners, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, listeners, 1, "the video hub and the webhook listener share one connection: %q", listeners)
	p.stop(t)
}
