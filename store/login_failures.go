package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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
// new window (and forgetting any wait ClaimLoginAttempt set) for keys whose
// window has passed.
func (s *Store) RecordLoginFailure(ctx context.Context, keys []string, window time.Duration) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO login_failures AS f (key, failures, window_start)
		SELECT k, 1, now() FROM unnest($1::text[]) AS k
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN f.window_start > now() - make_interval(secs => $2)
			                THEN f.failures + 1 ELSE 1 END,
			next_attempt_at = CASE WHEN f.window_start > now() - make_interval(secs => $2)
			                       THEN f.next_attempt_at END,
			window_start = CASE WHEN f.window_start > now() - make_interval(secs => $2)
			                    THEN f.window_start ELSE now() END`,
		keys, window.Seconds())
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// ClaimLoginAttempt spaces out login attempts against key. When key has
// failures in its current window and delay(failures) is positive, one
// attempt is let through and the next must wait delay(failures) from now;
// attempts before then get the time left to wait, and are not let through.
// Concurrent claims are serialized on key's row, so a burst of attempts
// from many addresses still gets one through per interval. It returns
// zero when the caller may go ahead.
func (s *Store) ClaimLoginAttempt(ctx context.Context, key string, window time.Duration, delay func(failures int) time.Duration) (time.Duration, error) {
	var wait time.Duration
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var failures int
		var waitSeconds float64
		err := tx.QueryRow(ctx, `
			SELECT failures, coalesce(extract(epoch FROM next_attempt_at - clock_timestamp()), 0)::float8
			FROM login_failures
			WHERE key = $1 AND window_start > now() - make_interval(secs => $2)
			FOR UPDATE`, key, window.Seconds()).Scan(&failures, &waitSeconds)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if waitSeconds > 0 {
			wait = time.Duration(waitSeconds * float64(time.Second))
			return nil
		}
		d := delay(failures)
		if d <= 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE login_failures SET next_attempt_at = clock_timestamp() + make_interval(secs => $2) WHERE key = $1`,
			key, d.Seconds())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("claim login attempt: %w", err)
	}
	return wait, nil
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
