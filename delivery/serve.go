package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// maxPlaylistSize bounds a playlist read into memory. A ten-hour video in
// two-second segments has a media playlist of under 1 MiB.
const maxPlaylistSize = 16 << 20

// Cache lifetimes, in seconds.
const (
	maxAgeImmutable     = 365 * 24 * 60 * 60
	maxAgeEndedPlaylist = 24 * 60 * 60
	maxAgeMaster        = 10
	// A growing playlist gains a segment every few seconds; one second
	// lets a CDN fold a crowd of players into one origin request per
	// second per edge without making anyone wait for new segments.
	maxAgeGrowing = 1
)

// serveObject answers an authorized request for req's object.
func (h *Handler) serveObject(w http.ResponseWriter, r *http.Request, req mediaRequest, private bool) {
	switch {
	case req.Kind == layout.KindPlaylist:
		h.servePlaylist(w, r, req, private)
	case h.presigner != nil && r.Method == http.MethodGet:
		// HEAD stays here: a presigned URL is signed for GET only.
		h.redirect(w, r, req, private)
	default:
		h.serveBytes(w, r, req, private)
	}
}

// servePlaylist reads the playlist whole, since its Cache-Control depends
// on what it says, and serves it from memory.
func (h *Handler) servePlaylist(w http.ResponseWriter, r *http.Request, req mediaRequest, private bool) {
	ck := playlistKey{video: req.ID, key: req.Key, private: private}
	if p, ok := h.playlists.get(ck); ok {
		writePlaylist(w, r, req.contentType, p, req.playlistRule(p))
		return
	}
	body, info, err := h.loadPlaylist(r.Context(), req.Key)
	if err != nil {
		h.storageFailed(w, r, req, err)
		return
	}
	maxAge := playlistMaxAge(body)
	p := &cachedPlaylist{body: body, info: info, maxAge: maxAge, cacheControl: cacheControl(private, maxAge)}
	p.headers = http.Header{}
	setObjectHeaders(p.headers, req.contentType, p.cacheControl, info)
	if !info.ModTime.IsZero() && !info.ModTime.Equal(time.Unix(0, 0)) { // as ServeContent
		p.headers.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	}
	p.headers.Set("Accept-Ranges", "bytes")
	p.headers.Set("Content-Length", strconv.Itoa(len(body)))
	h.playlists.put(ck, p)
	writePlaylist(w, r, req.contentType, p, req.playlistRule(p))
}

// playlistRule is the Cache-Control of p for req: p's own for
// public paths, or the signed path's (see signedCacheControl); a
// restricted share link's playlists are private, since a shared cache
// would hand them to pages the link does not allow.
func (req mediaRequest) playlistRule(p *cachedPlaylist) string {
	switch {
	case req.restricted:
		return cacheControl(true, p.maxAge)
	case req.signed:
		return signedCacheControl(req.tokenExpiry, p.maxAge)
	}
	return p.cacheControl
}

// loadPlaylist reads the playlist at key whole from the bucket.
func (h *Handler) loadPlaylist(ctx context.Context, key string) ([]byte, storage.ObjectInfo, error) {
	rc, info, checked, err := h.get(ctx, key)
	if err != nil {
		return nil, info, err
	}
	if !checked && !h.confined(rc, key) {
		rc.Close()
		return nil, info, errNotConfined
	}
	body, err := readPlaylist(rc, info.Size)
	rc.Close()
	return body, info, err
}

// errNotConfined is loadPlaylist's answer for a key that leads, through a
// symbolic link, to a file that is not the object: a missing object.
var errNotConfined = fmt.Errorf("object behind a symbolic link: %w", storage.ErrNotExist)

// writePlaylist answers with a playlist held in memory, with the
// Cache-Control cc. A plain GET or HEAD (what players send) gets headers
// formatted once per cached copy and the body in one write, exactly what
// ServeContent would send; ranges and conditional requests go through
// ServeContent.
func writePlaylist(w http.ResponseWriter, r *http.Request, contentType string, p *cachedPlaylist, cc string) {
	hdr := w.Header()
	if conditional(r) {
		setObjectHeaders(hdr, contentType, cc, p.info)
		http.ServeContent(w, r, "", p.info.ModTime, bytes.NewReader(p.body))
		return
	}
	for k, v := range p.headers {
		hdr[k] = v // shared, never modified: every writer replaces
	}
	if cc != p.cacheControl {
		hdr["Cache-Control"] = []string{cc}
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

// readPlaylist reads a whole playlist of about size bytes.
func readPlaylist(r io.Reader, size int64) ([]byte, error) {
	if size > maxPlaylistSize {
		return nil, fmt.Errorf("playlist of %d bytes, more than %d", size, maxPlaylistSize)
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(size, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, maxPlaylistSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxPlaylistSize {
		return nil, fmt.Errorf("playlist larger than %d bytes", maxPlaylistSize)
	}
	return buf.Bytes(), nil
}

// serveBytes serves a segment, image, subtitle file or download from the
// bucket: an open local file goes to ServeContent as is (sendfile, seeks
// for ranges); anything else through an objectReader, which asks the
// store for just the bytes ServeContent reads.
func (h *Handler) serveBytes(w http.ResponseWriter, r *http.Request, req mediaRequest, private bool) {
	if h.files != nil && sendsSections(w) {
		h.serveShared(w, r, req, private)
		return
	}
	ctx := r.Context()
	var (
		rc      io.ReadCloser
		info    storage.ObjectInfo
		checked bool
		err     error
	)
	// One request to the store when the whole object will be sent (Get
	// describes and opens it at once); a Stat otherwise, so that a HEAD,
	// a 304 or a range costs no wasted transfer. On local disk Get is
	// always the cheapest.
	if h.local != nil || wholeObject(r) {
		rc, info, checked, err = h.get(ctx, req.Key)
	} else {
		info, err = h.bucket.Stat(ctx, req.Key)
	}
	if err != nil {
		h.storageFailed(w, r, req, err)
		return
	}
	if rc != nil && !checked && !h.confined(rc, req.Key) {
		rc.Close()
		fail(w, http.StatusNotFound, "not found")
		return
	}
	content, ok := rc.(io.ReadSeeker)
	if !ok {
		or := &objectReader{ctx: ctx, bucket: h.bucket, key: req.Key, size: info.Size, body: rc}
		or.setHint(r.Header.Get("Range"))
		content, rc = or, or
	}
	defer rc.Close()
	setObjectHeaders(w.Header(), req.contentType, req.bytesRule(private), info)
	http.ServeContent(w, r, "", info.ModTime, content)
}

// serveShared is serveBytes from local disk for a writer that sends
// sections of files (sendsSections): the file, opened as serveBytes
// opens it, stays open in h.files for the next requests, which share it.
func (h *Handler) serveShared(w http.ResponseWriter, r *http.Request, req mediaRequest, private bool) {
	e := h.files.acquire(req.Key)
	if e == nil {
		rc, info, checked, err := h.get(r.Context(), req.Key)
		if err == nil && !checked && !h.confined(rc, req.Key) {
			rc.Close()
			err = errNotConfined
		}
		if err != nil {
			h.storageFailed(w, r, req, err)
			return
		}
		f, ok := rc.(*os.File)
		if !ok {
			// A local bucket's objects are plain files: this one cannot
			// be shared, and serveBytes would have sent it from rc.
			rc.Close()
			h.storageFailed(w, r, req, fmt.Errorf("object %s is a %T, not a file", req.Key, rc))
			return
		}
		e = h.files.add(req.Key, f, info)
	}
	defer e.release()
	if !conditional(r) {
		writeWhole(w, r, req, e, req.bytesRule(private))
		return
	}
	setObjectHeaders(w.Header(), req.contentType, req.bytesRule(private), e.info)
	http.ServeContent(w, r, "", e.info.ModTime, e.section())
}

// writeWhole answers a GET or HEAD without a range or a condition with
// the whole of e: the headers ServeContent would send, with the values
// that depend only on the file formatted once per open file, then the
// file's bytes through the writer's ReadFrom (sendfile).
func writeWhole(w http.ResponseWriter, r *http.Request, req mediaRequest, e *openFile, cc string) {
	hdr := w.Header()
	// Shared slices, as setMediaHeaders': replaced, never modified.
	e.once.Do(func() { e.formatHeaders(req.contentType) })
	hdr["Content-Type"] = e.contentType
	switch cc {
	case publicImmutable:
		hdr["Cache-Control"] = publicImmutableValue
	case privateImmutable:
		hdr["Cache-Control"] = privateImmutableValue
	default:
		hdr["Cache-Control"] = []string{cc}
	}
	if e.etag != nil {
		hdr["Etag"] = e.etag
	}
	if e.lastModified != nil {
		hdr["Last-Modified"] = e.lastModified
	}
	hdr["Accept-Ranges"] = acceptRanges
	hdr["Content-Length"] = e.contentLength
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, e.section())
	}
}

var (
	publicImmutableValue  = []string{publicImmutable}
	privateImmutableValue = []string{privateImmutable}
	acceptRanges          = []string{"bytes"}
)

// bytesRule is the Cache-Control of a segment, image, subtitle file or
// download for req (see immutableCacheControl and signedCacheControl).
func (req mediaRequest) bytesRule(private bool) string {
	if req.signed {
		return signedCacheControl(req.tokenExpiry, maxAgeImmutable)
	}
	return immutableCacheControl(private)
}

// redirect answers a GET with a 302 to a presigned URL of the object.
// The object's existence is not checked: that would cost the store round
// trip redirect mode exists to save, and the store answers 404 itself.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, req mediaRequest, private bool) {
	ttl := h.presignTTL
	// A signed link's URL must not outlive the link that led to it.
	if (private || req.signed) && !req.tokenExpiry.IsZero() {
		if left := time.Until(req.tokenExpiry); left < ttl {
			ttl = max(left, time.Second)
		}
	}
	u, err := h.presigner.PresignGet(r.Context(), req.Key, ttl)
	if err != nil {
		h.storageFailed(w, r, req, err)
		return
	}
	// Caches may keep the redirect for half the URL's life, so a cached
	// one always leads to a URL that still works.
	cc := fmt.Sprintf("%s, max-age=%d", visibility(private), int64(ttl/2/time.Second))
	if req.signed {
		cc = signedCacheControl(req.tokenExpiry, int(ttl/2/time.Second))
	}
	w.Header().Set("Cache-Control", cc)
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// storageFailed answers a failed bucket operation.
func (h *Handler) storageFailed(w http.ResponseWriter, r *http.Request, req mediaRequest, err error) {
	if h.missing(req.Key, err) {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	if r.Context().Err() == nil {
		h.logger.ErrorContext(r.Context(), "media: storage failed", "video_id", req.ID, "key", req.Key, "error", err)
	}
	fail(w, http.StatusServiceUnavailable, "temporarily unavailable")
}

// missing reports whether err, from a bucket operation on key, means
// that the object is not there.
func (h *Handler) missing(key string, err error) bool {
	if errors.Is(err, storage.ErrNotExist) || errors.Is(err, storage.ErrInvalidKey) {
		return true
	}
	// On local disk a symbolic link leading out of the root fails the
	// open with os.Root's "path escapes from parent", which matches no
	// exported error: that is a missing object, not a broken store.
	if h.local != nil {
		if _, ok := h.local.LocalPath(key); !ok {
			return true
		}
	}
	return false
}

// wholeObject reports whether r will certainly receive the whole object:
// a GET without a range or a condition.
func wholeObject(r *http.Request) bool {
	return r.Method == http.MethodGet && !conditional(r)
}

// conditionalHeaders are the request headers that can make ServeContent
// send less than the whole object (If-Range matters only with Range).
var conditionalHeaders = []string{"Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"}

// conditional reports whether r has a range or a precondition.
func conditional(r *http.Request) bool {
	for _, k := range conditionalHeaders {
		if v := r.Header[k]; len(v) > 0 && v[0] != "" { // r.Header.Get(k), keys being canonical
			return true
		}
	}
	return false
}

// setObjectHeaders sets the headers ServeContent does not: the type, the
// caching rule and the quoted ETag, which it then uses for conditional
// requests and If-Range.
func setObjectHeaders(hdr http.Header, contentType, cacheControl string, info storage.ObjectInfo) {
	hdr.Set("Content-Type", contentType)
	hdr.Set("Cache-Control", cacheControl)
	if validETag(info.ETag) {
		hdr.Set("ETag", `"`+info.ETag+`"`)
	}
}

// validETag reports whether tag can be sent as a strong entity tag
// (RFC 9110 etagc: visible ASCII other than the double quote).
func validETag(tag string) bool {
	if tag == "" {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c < 0x21 || c == '"' || c > 0x7e {
			return false
		}
	}
	return true
}

func visibility(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

// maxAgeSignedBrowser bounds how long a browser keeps an answer of a
// signed path: a revoked link or a deleted video stops playing in the
// browsers that had it within a minute.
const maxAgeSignedBrowser = 60

// signedCacheControl is the Cache-Control of an answer on a signed path
// (/media/t/<token>/...) whose normal lifetime is maxAge seconds: the
// token in the path is the capability, so any cache may keep the answer
// ("public"), shared caches (a CDN: s-maxage) as long as the object's
// rule allows but never past the token's expiry, browsers (max-age) at
// most maxAgeSignedBrowser. Revoking a link or deleting a video then
// needs a CDN purge of the link's prefix to take effect there at once.
func signedCacheControl(expires time.Time, maxAge int) string {
	left := max(int(time.Until(expires)/time.Second), 0)
	shared := min(maxAge, left)
	browser := min(shared, maxAgeSignedBrowser)
	return "public, max-age=" + strconv.Itoa(browser) + ", s-maxage=" + strconv.Itoa(shared)
}

// immutableCacheControl is for objects never rewritten under the same
// name: segments, images, storyboards, subtitle files, downloads.
func immutableCacheControl(private bool) string {
	if private {
		return privateImmutable
	}
	return publicImmutable
}

// The immutable rules, formatted once: one of them goes with every segment.
var (
	publicImmutable  = fmt.Sprintf("public, max-age=%d, immutable", maxAgeImmutable)
	privateImmutable = fmt.Sprintf("private, max-age=%d, immutable", maxAgeImmutable)
)

// playlistCacheControl picks a playlist's lifetime from its content (see
// playlistMaxAge).
func playlistCacheControl(body []byte, private bool) string {
	return cacheControl(private, playlistMaxAge(body))
}

// playlistMaxAge is a playlist's lifetime in seconds: a master playlist
// changes when processing ends or subtitles are added; a media playlist
// without #EXT-X-ENDLIST is still growing.
func playlistMaxAge(body []byte) int {
	master, ended := scanPlaylist(body)
	switch {
	case master:
		return maxAgeMaster
	case ended:
		return maxAgeEndedPlaylist
	}
	return maxAgeGrowing
}

func cacheControl(private bool, maxAge int) string {
	return visibility(private) + ", max-age=" + strconv.Itoa(maxAge)
}

// scanPlaylist reports whether body is a master playlist, and whether it
// holds #EXT-X-ENDLIST. It searches for the tags rather than parsing line
// by line: playlists are read on every request, and a long one has
// thousands of lines.
func scanPlaylist(body []byte) (master, ended bool) {
	master = hasTagLine(body, "#EXT-X-STREAM-INF:") ||
		hasTagLine(body, "#EXT-X-MEDIA:") ||
		hasTagLine(body, "#EXT-X-I-FRAME-STREAM-INF:")
	return master, hasTagLine(body, "#EXT-X-ENDLIST")
}

// hasTagLine reports whether a line of body starts with tag; a tag
// without a colon must be the whole line (leading and trailing blanks
// aside).
func hasTagLine(body []byte, tag string) bool {
	for off := 0; ; {
		i := bytes.Index(body[off:], []byte(tag))
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(tag)
		off = end
		before := bytes.TrimRight(body[:start], " \t")
		if len(before) > 0 && before[len(before)-1] != '\n' {
			continue
		}
		if strings.HasSuffix(tag, ":") {
			return true
		}
		if rest := bytes.TrimLeft(body[end:], " \t\r"); len(rest) == 0 || rest[0] == '\n' {
			return true
		}
	}
}
