package delivery

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ResolvePublicIDFunc returns the id of the video whose current public
// id is publicID, or an error matching ErrNoVideo. It serves the public
// id form of media paths (layout.PublicIDPath), which names no video.
type ResolvePublicIDFunc func(ctx context.Context, publicID string) (uuid.UUID, error)

// publicIDMissTTL bounds how long "no such public id" is remembered: long
// enough to spare the database a burst of requests for one dead link,
// short enough that nothing waits on it.
const publicIDMissTTL = time.Second

// publicIDTTL is how long a resolved public id is kept. A public id
// belongs to one video for good (rotation makes a new one), so the answer
// does not go stale: a rotated id is refused by the video's own state,
// which the handler reads (and the privacy notifier clears) as for every
// form. The bound only lets unused entries go.
const publicIDTTL = time.Hour

// publicIDCache maps public ids to video ids. A hit is a map lookup under
// a read lock: it runs on every request of the public id form. Misses are
// not shared between concurrent requests (the query is one index lookup)
// and are remembered for publicIDMissTTL.
type publicIDCache struct {
	resolve ResolvePublicIDFunc
	max     int
	now     func() time.Time

	mu      sync.RWMutex
	entries map[string]publicIDEntry
}

// publicIDEntry is a resolved public id; id is uuid.Nil for one that
// named no video.
type publicIDEntry struct {
	id      uuid.UUID
	expires time.Time
}

func newPublicIDCache(resolve ResolvePublicIDFunc, size int) *publicIDCache {
	return &publicIDCache{resolve: resolve, max: size, now: time.Now, entries: make(map[string]publicIDEntry)}
}

// get returns the video publicID names, or an error matching ErrNoVideo.
func (c *publicIDCache) get(ctx context.Context, publicID string) (uuid.UUID, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[publicID]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		if e.id == uuid.Nil {
			return uuid.Nil, ErrNoVideo
		}
		return e.id, nil
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	id, err := c.resolve(lctx, publicID)
	cancel()
	switch {
	case errors.Is(err, ErrNoVideo):
		c.put(publicID, publicIDEntry{expires: c.now().Add(publicIDMissTTL)})
		return uuid.Nil, err
	case err != nil:
		return uuid.Nil, err
	case id == uuid.Nil:
		return uuid.Nil, ErrNoVideo
	}
	c.put(publicID, publicIDEntry{id: id, expires: c.now().Add(publicIDTTL)})
	return id, nil
}

// put stores e under publicID, first evicting a random entry when the
// cache is full (as lookupCache does).
func (c *publicIDCache) put(publicID string, e publicIDEntry) {
	c.mu.Lock()
	if _, ok := c.entries[publicID]; !ok && len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[publicID] = e
	c.mu.Unlock()
}

// forgetAll drops every entry.
func (c *publicIDCache) forgetAll() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
