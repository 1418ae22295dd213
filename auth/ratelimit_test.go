package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want RateLimit
		str  string
	}{
		{"600/1m", RateLimit{600, time.Minute}, "600/1m"},
		{" 100 / 1h ", RateLimit{100, time.Hour}, "100/1h"},
		{"5/10m", RateLimit{5, 10 * time.Minute}, "5/10m"},
		{"3/30s", RateLimit{3, 30 * time.Second}, "3/30s"},
		{"off", RateLimit{}, "off"},
		{"0", RateLimit{}, "off"},
	} {
		got, err := ParseRateLimit(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.Equal(t, tc.str, got.String(), tc.in)
	}
	for _, bad := range []string{"", "600", "600/", "-1/1m", "x/1m", "10/1ms", "10/fortnight"} {
		_, err := ParseRateLimit(bad)
		require.Error(t, err, bad)
	}
}

func TestRateLimiterIsATokenBucketPerKey(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	l := NewRateLimiter(RateLimit{Requests: 3, Per: 30 * time.Second}) // one back every 10s
	l.now = func() time.Time { return now }

	for i := range 3 {
		d := l.Allow("a")
		require.True(t, d.Allowed)
		require.Equal(t, 3, d.Limit)
		require.Equal(t, 2-i, d.Remaining)
	}
	d := l.Allow("a")
	require.False(t, d.Allowed, "the burst is spent")
	require.Equal(t, 0, d.Remaining)
	require.Equal(t, 10*time.Second, d.RetryAfter)
	require.Equal(t, 30*time.Second, d.Reset)
	require.True(t, l.Allow("b").Allowed, "another key has its own bucket")

	now = now.Add(4 * time.Second)
	d = l.Allow("a")
	require.False(t, d.Allowed)
	require.Equal(t, 6*time.Second, d.RetryAfter, "refilling steadily")
	err := l.CheckKey("a")
	require.Equal(t, "RATE_LIMITED", err.(*Error).Code)
	require.Equal(t, 6, err.(*Error).RetryAfterSeconds())

	now = now.Add(6 * time.Second)
	require.True(t, l.Allow("a").Allowed, "one request back after 10s")
	require.False(t, l.Allow("a").Allowed)

	// Idle buckets are forgotten once full.
	now = now.Add(time.Hour)
	l.Allow("c")
	l.mu.Lock()
	require.Len(t, l.buckets, 1)
	l.mu.Unlock()

	var off *RateLimiter = NewRateLimiter(RateLimit{})
	require.Nil(t, off)
	require.True(t, off.Allow("x").Allowed)
	require.NoError(t, off.CheckKey("x"))
}
