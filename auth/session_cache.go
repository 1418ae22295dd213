package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/google/uuid"
)

// SessionCacheTTL is how long Authenticate trusts a session it has just
// looked up without asking the database again. Revocations made through
// this process (LogOut) take effect at once; one made by another replica
// takes effect within this time, or at once where that replica's
// revocation reaches this one (ForgetSession).
const SessionCacheTTL = time.Second

// sessionCacheSize bounds the cache; when full it starts over empty.
const sessionCacheSize = 4096

// sessionCache remembers live sessions by token hash for SessionCacheTTL,
// so a client sending many requests with one token costs one session
// query per second instead of one per request. Only live sessions are
// kept (an unknown or revoked token always asks the database), never past
// their expiry.
type sessionCache struct {
	mu     sync.Mutex
	byHash map[[sha256.Size]byte]cachedSession
	// revoked holds sessions and users forgotten within the last
	// SessionCacheTTL: a lookup that read such a session (or a session of
	// such a user) just before the change committed must not put it back.
	revoked map[uuid.UUID]time.Time
}

type cachedSession struct {
	viewer Viewer
	until  time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{byHash: make(map[[sha256.Size]byte]cachedSession), revoked: make(map[uuid.UUID]time.Time)}
}

// get returns a copy of the viewer cached for hash, if still fresh.
func (c *sessionCache) get(hash []byte, now time.Time) (*Viewer, bool) {
	c.mu.Lock()
	e, ok := c.byHash[[sha256.Size]byte(hash)]
	c.mu.Unlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	v := e.viewer
	return &v, true
}

// put caches v for hash until SessionCacheTTL from now or the session's
// expiry, whichever comes first.
func (c *sessionCache) put(hash []byte, v Viewer, now, expires time.Time) {
	until := now.Add(SessionCacheTTL)
	if expires.Before(until) {
		until = expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range [...]uuid.UUID{v.SessionID, v.UserID} {
		if t, ok := c.revoked[id]; ok {
			if now.Before(t) {
				return
			}
			delete(c.revoked, id)
		}
	}
	if len(c.byHash) >= sessionCacheSize {
		clear(c.byHash)
	}
	c.byHash[[sha256.Size]byte(hash)] = cachedSession{viewer: v, until: until}
}

// forget drops every entry of the session id, or of every session of the
// user id, and keeps them out for SessionCacheTTL.
func (c *sessionCache) forget(id uuid.UUID) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.revoked) >= sessionCacheSize {
		for k, t := range c.revoked {
			if !now.Before(t) {
				delete(c.revoked, k)
			}
		}
	}
	c.revoked[id] = now.Add(SessionCacheTTL)
	for k, e := range c.byHash {
		if e.viewer.SessionID == id || e.viewer.UserID == id {
			delete(c.byHash, k)
		}
	}
}

// ForgetSession drops a revoked session from this process's session cache,
// so its token is refused from the next request on. LogOut calls it; a
// notification of a revocation made by another replica should too.
func (s *Service) ForgetSession(id uuid.UUID) { s.sessions.forget(id) }

// ForgetUser drops every cached session of a user whose account changed
// (disabled, made or unmade an administrator), so this process sees the
// change from the next request on. Other processes see a disabling at
// once (its sessions are revoked, which every process hears) and a role
// change within SessionCacheTTL.
func (s *Service) ForgetUser(id uuid.UUID) { s.sessions.forget(id) }
