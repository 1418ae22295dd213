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

// lookupCache remembers a lookup's answers by id for a while and lets
// concurrent requests for one id share a single call. Answers of "no such
// thing" (remember) are kept too (a scanner or a miss storm on a deleted
// video should not reach the database each time); other failures are not.
// forget and forgetAll drop answers a change has made wrong
// (Handler.ForgetVideo, Handler.ForgetLink).
type lookupCache[V any] struct {
	lookup   func(ctx context.Context, id uuid.UUID) (V, error)
	remember func(error) bool // errors kept like answers
	ttl      time.Duration
	max      int
	now      func() time.Time
	onLookup func() // counts calls of lookup; may be nil

	mu      sync.Mutex
	entries map[uuid.UUID]*cacheEntry[V]
}

// privacyCache holds videos' privacy and public id (Config.Lookup).
type privacyCache = lookupCache[VideoState]

// cacheEntry is one id's answer, or the lookup in flight for it.
type cacheEntry[V any] struct {
	ready chan struct{} // closed once value, err and expires are set
	// Written before ready is closed, read after.
	value   V
	err     error
	expires time.Time
}

func newLookupCache[V any](lookup func(context.Context, uuid.UUID) (V, error), remember func(error) bool, ttl time.Duration, size int) *lookupCache[V] {
	return &lookupCache[V]{
		lookup:   lookup,
		remember: remember,
		ttl:      ttl,
		max:      size,
		now:      time.Now,
		entries:  make(map[uuid.UUID]*cacheEntry[V]),
	}
}

func newPrivacyCache(lookup LookupFunc, ttl time.Duration, size int) *privacyCache {
	return newLookupCache(lookup, func(err error) bool { return errors.Is(err, ErrNoVideo) }, ttl, size)
}

// get returns the answer for id.
func (c *lookupCache[V]) get(ctx context.Context, id uuid.UUID) (V, error) {
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		if !e.done() {
			c.mu.Unlock()
			select {
			case <-e.ready:
				return e.value, e.err
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
		}
		if c.now().Before(e.expires) {
			c.mu.Unlock()
			return e.value, e.err
		}
	}
	e := &cacheEntry[V]{ready: make(chan struct{})}
	c.insertLocked(id, e)
	c.mu.Unlock()

	if c.onLookup != nil {
		c.onLookup()
	}
	// Detached from ctx: requests waiting on this entry must not fail
	// because the first one's client went away.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	value, err := c.lookup(lctx, id)
	cancel()
	e.value, e.err, e.expires = value, err, c.now().Add(c.ttl)
	if err != nil && !c.remember(err) {
		c.mu.Lock()
		if c.entries[id] == e {
			delete(c.entries, id)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return value, err
}

// insertLocked adds e under id, first evicting an answered entry when the
// cache is full. Map iteration order is random, so this is random
// eviction: O(1), and good enough for a cache whose entries live seconds.
// Entries still in flight are never evicted, so the map can exceed max by
// the number of lookups running at once.
func (c *lookupCache[V]) insertLocked(id uuid.UUID, e *cacheEntry[V]) {
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

// forget drops id's answer, or the lookup in flight for it: the
// requests already waiting on that lookup get its answer, but nobody
// after them, since it may have read the row before the change.
func (c *lookupCache[V]) forget(id uuid.UUID) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// forgetAll drops every answer and every lookup in flight.
func (c *lookupCache[V]) forgetAll() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// len is the number of entries, for tests.
func (c *lookupCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (e *cacheEntry[V]) done() bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}
