// Package storetest gives each test its own PostgreSQL database, cloned
// from a template that has every migration applied: isolated and fast.
//
// A test package calls storetest.Main from TestMain. The databases live on
// the server named by CLIPCUT_TEST_DATABASE_URL when it is set (any database
// on it, as a superuser); otherwise on a private cluster that Main starts in
// a temporary directory with the installed PostgreSQL and removes at the end.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/pgcluster"
)

var (
	adminURL string // a database on the test server, for CREATE DATABASE
	template string // the migrated template's name
)

// Main sets up the test server and template, runs the tests and cleans up.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, to combine with other test setups: it sets
// up, runs m, cleans up and returns the status.
func Run(m interface{ Run() int }) int {
	ctx := context.Background()
	var cluster *pgcluster.Cluster
	adminURL = os.Getenv("CLIPCUT_TEST_DATABASE_URL")
	if adminURL == "" {
		dir, err := os.MkdirTemp("", "clipcut-test-pg-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		// When tests run as root the cluster runs as postgres, who must
		// be able to traverse the directory.
		_ = os.Chmod(dir, 0o755)
		cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir + "/pg", Ephemeral: true, Database: "postgres"})
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer cluster.Stop(ctx)
		adminURL = cluster.URL()
	}
	template = "clipcut_tmpl_" + randomSuffix()
	if err := createTemplate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer dropDatabase(ctx, template)
	return m.Run()
}

func createTemplate(ctx context.Context) error {
	if err := exec(ctx, "CREATE DATABASE "+template); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, URLFor(template))
	if err != nil {
		return err
	}
	defer pool.Close()
	return store.Migrate(ctx, pool, slog.New(slog.DiscardHandler))
}

func exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to test server: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func dropDatabase(ctx context.Context, name string) {
	_ = exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// URLFor returns the connection string of another database on the test server.
func URLFor(database string) string {
	u, err := url.Parse(adminURL)
	if err != nil {
		panic("storetest: bad admin url: " + err.Error())
	}
	u.Path = "/" + database
	return u.String()
}

// NewDatabase creates a fresh migrated database for t, dropped when t ends,
// and returns its connection string.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if template == "" {
		t.Fatal("storetest: call storetest.Main from TestMain")
	}
	name := "clipcut_test_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(context.Background(), name) })
	return URLFor(name)
}

// NewPool is NewDatabase plus a pool on it, closed when t ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), NewDatabase(t))
	if err != nil {
		t.Fatalf("storetest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewStore is NewPool wrapped in a store.Store.
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	return store.New(NewPool(t))
}
