package store

import (
	"context"
	"fmt"
	"time"
)

// LoginBlockedFor returns how long the busiest of keys stays blocked: zero
// when every key has fewer than limit failures in its current window.
// Windows are fixed: they start at a key's first failure and last window.
func (s *Store) LoginBlockedFor(ctx context.Context, keys []string, limits []int, window time.Duration) (time.Duration, error) {
	var blocked time.Duration
	rows, err := s.pool.Query(ctx, `
		SELECT f.key, f.failures,
		       extract(epoch FROM f.window_start + make_interval(secs => $2) - now())::float8
		FROM login_failures f
		WHERE f.key = ANY($1) AND f.window_start > now() - make_interval(secs => $2)`,
		keys, window.Seconds())
	if err != nil {
		return 0, fmt.Errorf("login blocked: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var failures int
		var leftSeconds float64
		if err := rows.Scan(&key, &failures, &leftSeconds); err != nil {
			return 0, fmt.Errorf("login blocked: %w", err)
		}
		left := time.Duration(leftSeconds * float64(time.Second))
		for i, k := range keys {
			if k == key && failures >= limits[i] && left > blocked {
				blocked = left
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("login blocked: %w", err)
	}
	return blocked, nil
}

// RecordLoginFailure counts one failed login against each key, starting a
// new window for keys whose window has passed.
func (s *Store) RecordLoginFailure(ctx context.Context, keys []string, window time.Duration) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO login_failures AS f (key, failures, window_start)
		SELECT k, 1, now() FROM unnest($1::text[]) AS k
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN f.window_start > now() - make_interval(secs => $2)
			                THEN f.failures + 1 ELSE 1 END,
			window_start = CASE WHEN f.window_start > now() - make_interval(secs => $2)
			                    THEN f.window_start ELSE now() END`,
		keys, window.Seconds())
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets the failures counted against key, after a
// successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// DeleteStaleLoginFailures removes failure windows that ended before cutoff.
func (s *Store) DeleteStaleLoginFailures(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE window_start < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("delete stale login failures: %w", err)
	}
	return tag.RowsAffected(), nil
}
