package delivery

import (
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/storage"
)

// playlistCache keeps recently served playlists in memory for a moment,
// so that a crowd of players asking for the same playlist costs one read
// of the store per TTL instead of one per request. The TTL is never
// longer than the shortest max-age the handler itself sends for a
// playlist (one second for a growing one), so a player can get nothing
// from the cache that an HTTP cache in between could not have given it.
type playlistCache struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time

	mu sync.Mutex
	// entries are grouped by video, so that forgetting one video's
	// playlists (forget) touches only them.
	entries map[uuid.UUID]map[playlistKey]*cachedPlaylist
	bytes   int
}

type playlistKey struct {
	video   uuid.UUID
	key     string
	private bool
	// base is what relative URIs were made absolute under
	// (ServeAbsolutePlaylist); "" for the playlist as stored.
	base string
}

// cachedPlaylist is everything servePlaylist sends.
type cachedPlaylist struct {
	body         []byte
	info         storage.ObjectInfo
	cacheControl string
	// maxAge is the playlist's lifetime in seconds (playlistMaxAge).
	maxAge  int
	expires time.Time

	// The response headers of a plain GET or HEAD, formatted once (see
	// writePlaylist).
	headers http.Header
}

// maxCachedPlaylist bounds one cached body: longer playlists (hours of
// short segments) are read each time rather than crowd out the rest.
const maxCachedPlaylist = 1 << 20

func newPlaylistCache(ttl time.Duration, maxBytes int) *playlistCache {
	return &playlistCache{ttl: ttl, maxBytes: maxBytes, now: time.Now, entries: map[uuid.UUID]map[playlistKey]*cachedPlaylist{}}
}

// get returns the playlist cached for k, if it has not expired.
func (c *playlistCache) get(k playlistKey) (*cachedPlaylist, bool) {
	if c == nil || c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k.video][k]
	if !ok || !c.now().Before(e.expires) {
		return nil, false
	}
	return e, true
}

// put caches p for k. When the cache is full, expired entries go first;
// if that is not enough, everything goes (the entries live a second, so
// refilling is cheap, and a full sweep keeps this simple and bounded).
func (c *playlistCache) put(k playlistKey, p *cachedPlaylist) {
	if c == nil || c.ttl <= 0 || len(p.body) > maxCachedPlaylist {
		return
	}
	now := c.now()
	p.expires = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k.video][k]; ok {
		c.bytes -= len(old.body)
	}
	if c.bytes+len(p.body) > c.maxBytes {
		for video, playlists := range c.entries {
			for key, e := range playlists {
				if !now.Before(e.expires) {
					c.bytes -= len(e.body)
					delete(playlists, key)
				}
			}
			if len(playlists) == 0 {
				delete(c.entries, video)
			}
		}
		if c.bytes+len(p.body) > c.maxBytes {
			clear(c.entries)
			c.bytes = 0
		}
	}
	playlists := c.entries[k.video]
	if playlists == nil {
		playlists = map[playlistKey]*cachedPlaylist{}
		c.entries[k.video] = playlists
	}
	playlists[k] = p
	c.bytes += len(p.body)
}

// forget drops every playlist of video id, for a video whose privacy
// changed or which was deleted: a playlist kept for its public URL must
// not outlive the video's being public.
func (c *playlistCache) forget(id uuid.UUID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries[id] {
		c.bytes -= len(e.body)
	}
	delete(c.entries, id)
}

// forgetAll drops every playlist.
func (c *playlistCache) forgetAll() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.bytes = 0
}
