package delivery

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
)

// lookupTimeout bounds one privacy lookup. The lookup runs detached from
// the request that started it, because other requests wait for its answer.
const lookupTimeout = 10 * time.Second

// privacyCache remembers Lookup's answers for a while and lets concurrent
// requests for one video share a single call. Unknown videos are
// remembered too (a scanner or a miss storm on a deleted video should not
// reach the database each time); failures are not. forget and forgetAll
// drop answers a change has made wrong (Handler.ForgetVideo).
type privacyCache struct {
	lookup   LookupFunc
	ttl      time.Duration
	max      int
	now      func() time.Time
	onLookup func() // counts calls of lookup; may be nil

	mu      sync.Mutex
	entries map[uuid.UUID]*cacheEntry
}

// cacheEntry is one video's answer, or the lookup in flight for it.
type cacheEntry struct {
	ready chan struct{} // closed once privacy, err and expires are set
	// Written before ready is closed, read after.
	privacy string
	err     error
	expires time.Time
}

func newPrivacyCache(lookup LookupFunc, ttl time.Duration, size int) *privacyCache {
	return &privacyCache{
		lookup:  lookup,
		ttl:     ttl,
		max:     size,
		now:     time.Now,
		entries: make(map[uuid.UUID]*cacheEntry),
	}
}

// get returns the privacy of video id.
func (c *privacyCache) get(ctx context.Context, id uuid.UUID) (string, error) {
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		if !e.done() {
			c.mu.Unlock()
			select {
			case <-e.ready:
				return e.privacy, e.err
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		if c.now().Before(e.expires) {
			c.mu.Unlock()
			return e.privacy, e.err
		}
	}
	e := &cacheEntry{ready: make(chan struct{})}
	c.insertLocked(id, e)
	c.mu.Unlock()

	if c.onLookup != nil {
		c.onLookup()
	}
	// Detached from ctx: requests waiting on this entry must not fail
	// because the first one's client went away.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	privacy, err := c.lookup(lctx, id)
	cancel()
	e.privacy, e.err, e.expires = privacy, err, c.now().Add(c.ttl)
	if err != nil && !errors.Is(err, ErrNoVideo) {
		c.mu.Lock()
		if c.entries[id] == e {
			delete(c.entries, id)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return privacy, err
}

// insertLocked adds e under id, first evicting an answered entry when the
// cache is full. Map iteration order is random, so this is random
// eviction: O(1), and good enough for a cache whose entries live seconds.
// Entries still in flight are never evicted, so the map can exceed max by
// the number of lookups running at once.
func (c *privacyCache) insertLocked(id uuid.UUID, e *cacheEntry) {
	if _, ok := c.entries[id]; !ok && len(c.entries) >= c.max {
		for k, old := range c.entries {
			if old.done() {
				delete(c.entries, k)
				break
			}
		}
	}
	c.entries[id] = e
}

// forget drops video id's answer, or the lookup in flight for it: the
// requests already waiting on that lookup get its answer, but nobody
// after them, since it may have read the row before the change.
func (c *privacyCache) forget(id uuid.UUID) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// forgetAll drops every answer and every lookup in flight.
func (c *privacyCache) forgetAll() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// len is the number of entries, for tests.
func (c *privacyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (e *cacheEntry) done() bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}
