package delivery

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// Defaults of the open-file cache.
const (
	// openFileTTL bounds how long a file stays open: the stamp check
	// catches a file replaced or deleted, this also a directory renamed
	// from under it, and frees a deleted file's space on an idle server.
	openFileTTL = 5 * time.Second
	// openFilesMax bounds the files kept open.
	openFilesMax = 512
)

// openFiles keeps the local files of recently served objects open, so that
// serving one again costs one fstat (the stamp check) instead of an open
// (a path walk with no symbolic link allowed), a metadata read, a stat and
// a close, each a system call the runtime also accounts for: about a
// third of a segment's CPU on the fast path, nginx's included. Files are
// shared by concurrent responses, so they are only ever read at offsets
// (an io.SectionReader), which the writer must send without moving the
// file's offset (sectionSender).
//
// An entry is used only while the file's stamp (device, inode, size,
// modification and change times, and a link count above zero) is what it
// was when the file was opened: an object rewritten, replaced by a rename
// or deleted is opened again, so no request sees an answer the store
// would not give it. What is authorized is decided before, on every
// request, exactly as without the cache.
type openFiles struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*openFile
	sweep   *time.Timer // closes expired files on an idle server; nil when empty
}

// openFile is an open object file shared by the responses that send it.
type openFile struct {
	f       *os.File
	fd      uintptr // f's descriptor, valid while refs > 0
	info    storage.ObjectInfo
	stamp   fileStamp
	expires time.Time
	// refs counts the cache's reference (while the entry is in the map)
	// and one per response using the file; the last release closes it.
	refs atomic.Int32

	// The header values of a whole answer, formatted once (formatHeaders).
	once                                           sync.Once
	contentType, etag, lastModified, contentLength []string
}

// formatHeaders formats e's header values as ServeContent and
// setObjectHeaders would; contentType is its key's (one per extension).
func (e *openFile) formatHeaders(contentType string) {
	e.contentType = []string{contentType}
	if validETag(e.info.ETag) {
		e.etag = []string{`"` + e.info.ETag + `"`}
	}
	if t := e.info.ModTime; !t.IsZero() && !t.Equal(time.Unix(0, 0)) { // as ServeContent
		e.lastModified = []string{t.UTC().Format(http.TimeFormat)}
	}
	e.contentLength = []string{strconv.FormatInt(e.info.Size, 10)}
}

func newOpenFiles(ttl time.Duration, size int) *openFiles {
	return &openFiles{ttl: ttl, max: size, now: time.Now, entries: make(map[string]*openFile)}
}

// acquire returns the cached open file of key, still the one at key, or
// nil. The caller releases it.
func (c *openFiles) acquire(key string) *openFile {
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		c.mu.Unlock()
		return nil
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		c.mu.Unlock()
		e.release()
		return nil
	}
	e.refs.Add(1)
	c.mu.Unlock()
	if st, ok := stampOf(e.fd); ok && st == e.stamp {
		return e
	}
	c.drop(key, e)
	e.release()
	return nil
}

// add makes an entry of f, just opened for key and described by info, and
// caches it when its stamp can be read. The caller releases the entry.
func (c *openFiles) add(key string, f *os.File, info storage.ObjectInfo) *openFile {
	e := &openFile{f: f, fd: f.Fd(), info: info}
	e.refs.Store(1)
	st, ok := stampOf(e.fd)
	if !ok {
		return e
	}
	e.stamp, e.expires = st, c.now().Add(c.ttl)
	e.refs.Add(1) // the cache's
	var old *openFile
	c.mu.Lock()
	if prev, ok := c.entries[key]; ok {
		old = prev
	} else if len(c.entries) >= c.max {
		// Random eviction, as lookupCache: O(1), and entries live seconds.
		for k, v := range c.entries {
			delete(c.entries, k)
			old = v
			break
		}
	}
	c.entries[key] = e
	if c.sweep == nil {
		c.sweep = time.AfterFunc(c.ttl, c.expire)
	}
	c.mu.Unlock()
	if old != nil {
		old.release()
	}
	return e
}

// drop removes e from the cache if it is still key's entry.
func (c *openFiles) drop(key string, e *openFile) {
	c.mu.Lock()
	if c.entries[key] != e {
		c.mu.Unlock()
		return
	}
	delete(c.entries, key)
	c.mu.Unlock()
	e.release()
}

// expire closes the files whose time is up, then runs again while any
// are left.
func (c *openFiles) expire() {
	var done []*openFile
	c.mu.Lock()
	now := c.now()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
			done = append(done, e)
		}
	}
	if len(c.entries) > 0 {
		c.sweep.Reset(c.ttl)
	} else {
		c.sweep = nil
	}
	c.mu.Unlock()
	for _, e := range done {
		e.release()
	}
}

// forgetVideo closes the cached files of video id (deleted, or its
// privacy changed: nothing of it is kept past the change).
func (c *openFiles) forgetVideo(id uuid.UUID) {
	prefix := layout.Prefix(id) + "/"
	var done []*openFile
	c.mu.Lock()
	for k, e := range c.entries {
		if strings.HasPrefix(k, prefix) {
			delete(c.entries, k)
			done = append(done, e)
		}
	}
	c.mu.Unlock()
	for _, e := range done {
		e.release()
	}
}

// forgetAll closes every cached file.
func (c *openFiles) forgetAll() {
	c.mu.Lock()
	done := make([]*openFile, 0, len(c.entries))
	for _, e := range c.entries {
		done = append(done, e)
	}
	clear(c.entries)
	c.mu.Unlock()
	for _, e := range done {
		e.release()
	}
}

// len is the number of cached files, for tests.
func (c *openFiles) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// release gives up one reference to e's file, closing it with the last.
func (e *openFile) release() {
	if e.refs.Add(-1) == 0 {
		e.f.Close()
	}
}

// section is a reader of the whole file that leaves its offset alone.
func (e *openFile) section() *io.SectionReader {
	return io.NewSectionReader(e.f, 0, e.info.Size)
}

// sectionSender is a ResponseWriter whose ReadFrom sends an
// io.SectionReader of an *os.File without moving the file's offset
// (fastpath's writer): only such writers get shared files.
type sectionSender interface {
	SendsFileSections() bool
}

// sendsSections reports whether w, or a writer it wraps (Unwrap, as
// http.ResponseController follows), is a sectionSender. The wrappers of
// the server's middleware pass ReadFrom on (httpmeter.Writer).
func sendsSections(w http.ResponseWriter) bool {
	for range 8 {
		if s, ok := w.(sectionSender); ok {
			return s.SendsFileSections()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}
