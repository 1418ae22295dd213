package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store/storetest"
)

func TestClaimLoginAttemptSpacesAttemptsOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.NewStore(t)
	key := "account:a@example.com"
	delay := func(failures int) time.Duration {
		if failures < 3 {
			return 0
		}
		return time.Minute
	}
	claim := func() time.Duration {
		wait, err := s.ClaimLoginAttempt(ctx, key, time.Hour, delay)
		require.NoError(t, err)
		return wait
	}

	require.Zero(t, claim(), "no failures: no wait")
	for range 2 {
		require.NoError(t, s.RecordLoginFailure(ctx, []string{key}, time.Hour))
	}
	require.Zero(t, claim(), "under the ceiling")
	require.Zero(t, claim(), "under the ceiling, again")

	require.NoError(t, s.RecordLoginFailure(ctx, []string{key}, time.Hour))
	require.Zero(t, claim(), "at the ceiling one attempt goes through")
	wait := claim()
	require.Positive(t, wait, "the next one waits")
	require.LessOrEqual(t, wait, time.Minute)

	// Once the interval has passed, one more goes through.
	_, err := s.Pool().Exec(ctx, "UPDATE login_failures SET next_attempt_at = now() - interval '1 second'")
	require.NoError(t, err)
	require.Zero(t, claim())
	require.Positive(t, claim())

	// A new window forgets the wait with the failures.
	_, err = s.Pool().Exec(ctx, "UPDATE login_failures SET window_start = now() - interval '2 hours'")
	require.NoError(t, err)
	require.Zero(t, claim(), "a window that has passed counts for nothing")
	require.NoError(t, s.RecordLoginFailure(ctx, []string{key}, time.Hour))
	var failures int
	var next *time.Time
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT failures, next_attempt_at FROM login_failures WHERE key = $1", key).Scan(&failures, &next))
	require.Equal(t, 1, failures)
	require.Nil(t, next)
}
