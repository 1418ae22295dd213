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
	c := newStringCache(func(_ context.Context, id uuid.UUID) (string, error) {
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
	c := newStringCache(func(ctx context.Context, id uuid.UUID) (string, error) {
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
	c := newStringCache(func(context.Context, uuid.UUID) (string, error) {
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
	c := newStringCache(func(context.Context, uuid.UUID) (string, error) {
		return PrivacyPublic, nil
	}, time.Minute, 64)
	for range 1000 {
		_, err := c.get(t.Context(), uuid.New())
		require.NoError(t, err)
	}
	require.Equal(t, 64, c.len())
}

func TestPrivacyCacheForgetsAChangedVideoAtOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	privacy := map[uuid.UUID]string{}
	var calls atomic.Int64
	// While blocked is open, a lookup of slow waits for it.
	slow := uuid.New()
	started := make(chan struct{}, 1)
	blocked := make(chan struct{})
	c := newStringCache(func(_ context.Context, id uuid.UUID) (string, error) {
		calls.Add(1)
		mu.Lock()
		p := privacy[id]
		mu.Unlock()
		if id == slow {
			started <- struct{}{}
			<-blocked
		}
		return p, nil
	}, time.Hour, 100)
	set := func(id uuid.UUID, p string) {
		mu.Lock()
		privacy[id] = p
		mu.Unlock()
	}
	a, b := uuid.New(), uuid.New()
	set(a, PrivacyPublic)
	set(b, PrivacyPublic)
	for _, id := range []uuid.UUID{a, b} {
		p, err := c.get(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, PrivacyPublic, p)
	}

	// forget: the next request reads again, long before the TTL; other
	// videos keep their answers.
	set(a, PrivacyPrivate)
	set(b, PrivacyPrivate)
	c.forget(a)
	p, _ := c.get(t.Context(), a)
	require.Equal(t, PrivacyPrivate, p)
	p, _ = c.get(t.Context(), b)
	require.Equal(t, PrivacyPublic, p, "b was not forgotten")
	require.EqualValues(t, 3, calls.Load())

	// forgetAll: everything is read again.
	c.forgetAll()
	require.Zero(t, c.len())
	p, _ = c.get(t.Context(), b)
	require.Equal(t, PrivacyPrivate, p)

	// A lookup in flight when its video is forgotten may have read the
	// row before the change: its waiters get its answer, later requests
	// do not.
	set(slow, PrivacyPublic)
	first := make(chan string, 1)
	go func() {
		p, _ := c.get(context.Background(), slow)
		first <- p
	}()
	<-started
	set(slow, PrivacyPrivate)
	c.forget(slow)
	close(blocked)
	require.Equal(t, PrivacyPublic, <-first)
	p, _ = c.get(t.Context(), slow)
	require.Equal(t, PrivacyPrivate, p)
	<-started // that request made a lookup of its own
	require.EqualValues(t, 6, calls.Load())
}

// newStringCache is a privacy cache of bare privacy strings, as
// newPrivacyCache makes for VideoState.
func newStringCache(lookup func(context.Context, uuid.UUID) (string, error), ttl time.Duration, size int) *lookupCache[string] {
	return newLookupCache(lookup, func(err error) bool { return errors.Is(err, ErrNoVideo) }, ttl, size)
}
