package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable time source.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestPrivacyCacheReusesAnswersForTTL(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	privacy := PrivacyPublic
	known := uuid.New()
	c := newPrivacyCache(func(_ context.Context, id uuid.UUID) (string, error) {
		calls.Add(1)
		if id != known {
			return "", fmt.Errorf("lookup %s: %w", id, ErrNoVideo)
		}
		return privacy, nil
	}, 5*time.Second, 100)
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	c.now = clock.Now

	for range 10 {
		p, err := c.get(t.Context(), known)
		require.NoError(t, err)
		require.Equal(t, PrivacyPublic, p)
	}
	require.EqualValues(t, 1, calls.Load())

	// Unknown videos are remembered too.
	unknown := uuid.New()
	for range 10 {
		_, err := c.get(t.Context(), unknown)
		require.ErrorIs(t, err, ErrNoVideo)
	}
	require.EqualValues(t, 2, calls.Load())

	// A change shows once the answer expires.
	privacy = PrivacyPrivate
	clock.Advance(4 * time.Second)
	p, _ := c.get(t.Context(), known)
	require.Equal(t, PrivacyPublic, p)
	clock.Advance(time.Second)
	p, _ = c.get(t.Context(), known)
	require.Equal(t, PrivacyPrivate, p)
	require.EqualValues(t, 3, calls.Load())
}

func TestPrivacyCacheSharesOneLookup(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	release := make(chan struct{})
	c := newPrivacyCache(func(ctx context.Context, id uuid.UUID) (string, error) {
		calls.Add(1)
		<-release
		return PrivacyUnlisted, nil
	}, time.Minute, 100)
	id := uuid.New()

	// The first caller's request ends early: the others still get the
	// answer of the lookup it started.
	first, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		p, err := c.get(first, id)
		assert.NoError(t, err)
		assert.Equal(t, PrivacyUnlisted, p)
	})
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 60*time.Second, time.Millisecond)
	cancel()

	results := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			p, err := c.get(t.Context(), id)
			assert.NoError(t, err)
			results <- p
		})
	}
	// A waiter whose own request ends stops waiting.
	gone, cancelGone := context.WithCancel(t.Context())
	cancelGone()
	_, err := c.get(gone, id)
	require.ErrorIs(t, err, context.Canceled)

	close(release)
	wg.Wait()
	close(results)
	for p := range results {
		require.Equal(t, PrivacyUnlisted, p)
	}
	require.EqualValues(t, 1, calls.Load())
}

func TestPrivacyCacheDoesNotKeepFailures(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	down := errors.New("database is down")
	c := newPrivacyCache(func(context.Context, uuid.UUID) (string, error) {
		if calls.Add(1) < 3 {
			return "", down
		}
		return PrivacyPublic, nil
	}, time.Minute, 100)
	id := uuid.New()
	for range 2 {
		_, err := c.get(t.Context(), id)
		require.ErrorIs(t, err, down)
	}
	p, err := c.get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, PrivacyPublic, p)
	_, _ = c.get(t.Context(), id)
	require.EqualValues(t, 3, calls.Load())
}

func TestPrivacyCacheIsBounded(t *testing.T) {
	t.Parallel()
	c := newPrivacyCache(func(context.Context, uuid.UUID) (string, error) {
		return PrivacyPublic, nil
	}, time.Minute, 64)
	for range 1000 {
		_, err := c.get(t.Context(), uuid.New())
		require.NoError(t, err)
	}
	require.Equal(t, 64, c.len())
}
