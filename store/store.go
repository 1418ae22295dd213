// Package store is the only package that speaks SQL. It owns the pgx pool,
// the schema migrations (clipcut's and River's), the queries for every
// domain, and the one notifier per process that holds the LISTEN
// connection and fans notifications out to topics (video events, webhook
// outbox events, privacy changes).
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clipcut/clipcut/tracing"
)

// ErrNotFound is returned when a row does not exist or the caller may not
// see it; the two are deliberately indistinguishable.
var ErrNotFound = errors.New("not found")

// ErrEmailTaken is returned by CreateUser when the email is already in use.
var ErrEmailTaken = errors.New("email already in use")

// Store runs clipcut's queries against one pool.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store using pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

// Pool returns the underlying pool, for River and health checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// notFound maps pgx's no-rows error to ErrNotFound, the one place that does.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint violation on
// the named constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// NewPool opens a pool for url with clipcut's settings. It does not connect
// until first use, so a server can start while the database is down.
func NewPool(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "clipcut"
	if tracing.Enabled() {
		// Queries made for a traced request or job are its spans.
		cfg.ConnConfig.Tracer = tracing.QueryTracer{}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return pool, nil
}
