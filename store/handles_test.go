package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/migrations"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
)

func TestHandleBase(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Ann Lee":                 "ann-lee",
		"  ANN__lee!!":            "ann-lee",
		"Zoë":                     "zo",
		"李":                       "user",
		"---":                     "user",
		strings.Repeat("ab ", 20): "ab-ab-ab-ab-ab-ab-ab-ab",
	} {
		got := store.HandleBase(name)
		require.Equal(t, want, got, name)
		require.True(t, store.ValidHandle(got), got)
	}
}

// TestHandleBackfill runs migration 0016's backfill on accounts without
// handles: each gets the SQL twin of HandleBase, numbered in order of
// creation when names collide, skipping handles already taken.
func TestHandleBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	s := store.New(pool)
	for i, name := range []string{"Ann Lee", "ann lee", "Ann-Lee 2", "李", "Ann Lee"} {
		_, err := s.CreateUser(ctx, fmt.Sprintf("u%d@example.com", i), name, "hash")
		require.NoError(t, err)
	}
	// As before the migration: no handles yet, created one after another.
	_, err := pool.Exec(ctx, `ALTER TABLE users ALTER COLUMN handle DROP NOT NULL;
		UPDATE users SET handle = NULL, created_at = created_at`)
	require.NoError(t, err)

	body, err := fs.ReadFile(migrations.FS, "0016_search.sql")
	require.NoError(t, err)
	start := strings.Index(string(body), "DO $$")
	end := strings.Index(string(body)[start:], "END\n$$;")
	require.True(t, start >= 0 && end > 0, "the backfill block")
	_, err = pool.Exec(ctx, string(body)[start:start+end+len("END\n$$;")])
	require.NoError(t, err)

	rows, err := pool.Query(ctx, `SELECT handle FROM users ORDER BY created_at, id`)
	require.NoError(t, err)
	var got []string
	for rows.Next() {
		var h string
		require.NoError(t, rows.Scan(&h))
		got = append(got, h)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"ann-lee", "ann-lee-2", "ann-lee-2-2", "user", "ann-lee-3"}, got)
}
