package delivery

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// ErrNoObject is what ServeAbsolutePlaylist returns (wrapped) for a
// playlist that is not in the bucket, or not one of the video's objects.
var ErrNoObject = errors.New("delivery: no such object")

// AbsolutePlaylist names a video's playlist to serve outside BasePath with
// absolute URIs, as the REST API serves its master and rendition
// playlists: played from any address, its segments still come from the
// media URLs.
type AbsolutePlaylist struct {
	// Video is the video the playlist belongs to.
	Video uuid.UUID
	// Key is the playlist's storage key: layout.Master, or a rendition's
	// playlist.
	Key string
	// Prefix is the URL of the video's media, public or signed
	// (layout.PublicPath or SignedPath, behind a base URL), without a
	// trailing slash. The playlist's relative URIs are resolved against
	// its directory under Prefix.
	Prefix string
	// Private is set for a private video: no shared cache keeps the
	// answer.
	Private bool
	// Expires is when Prefix's signature expires (zero for a public
	// prefix): no cache keeps the answer past it.
	Expires time.Time
}

// ServeAbsolutePlaylist answers r with the playlist p names, its relative
// URIs made absolute, under the cache rules of every playlist the Handler
// serves (see the package documentation) and the same CORS headers. The
// answer has no ETag or Last-Modified: its body depends on p.Prefix as
// much as on the stored object.
//
// It returns nil once it has answered. When the playlist cannot be read it
// answers nothing and returns the error, matching ErrNoObject when there
// is no such playlist: the caller answers in its own format.
func (h *Handler) ServeAbsolutePlaylist(w http.ResponseWriter, r *http.Request, p AbsolutePlaylist) error {
	rel, ok := layout.Rel(p.Video, p.Key)
	if !ok || path.Ext(rel) != ".m3u8" {
		return fmt.Errorf("playlist %q of video %s: %w", p.Key, p.Video, ErrNoObject)
	}
	base := p.Prefix + "/" + path.Dir(rel) + "/"
	ck := playlistKey{video: p.Video, key: p.Key, private: p.Private, base: base}
	cp, ok := h.playlists.get(ck)
	if !ok {
		body, _, err := h.loadPlaylist(r.Context(), p.Key)
		switch {
		case err != nil && h.missing(p.Key, err):
			return fmt.Errorf("playlist %q: %w", p.Key, ErrNoObject)
		case err != nil:
			return fmt.Errorf("read playlist %q: %w", p.Key, err)
		}
		body = absolutize(body, base)
		age := playlistMaxAge(body)
		if !p.Expires.IsZero() {
			age = min(age, max(int(time.Until(p.Expires)/time.Second), 0))
		}
		cp = &cachedPlaylist{body: body, info: storage.ObjectInfo{Size: int64(len(body))}, cacheControl: cacheControl(p.Private, age)}
		cp.headers = http.Header{}
		setObjectHeaders(cp.headers, contentTypes[".m3u8"], cp.cacheControl, cp.info)
		cp.headers.Set("Accept-Ranges", "bytes")
		cp.headers.Set("Content-Length", strconv.Itoa(len(body)))
		h.playlists.put(ck, cp)
	}
	setMediaHeaders(w.Header())
	writePlaylist(w, r, contentTypes[".m3u8"], cp, cp.cacheControl)
	return nil
}

// uriAttr is a URI attribute of a playlist tag (#EXT-X-MEDIA's,
// #EXT-X-MAP's, #EXT-X-I-FRAME-STREAM-INF's).
var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

// absolutize rewrites a playlist's relative URIs (segment and playlist
// lines, and URI="..." attributes) to absolute ones under base.
func absolutize(playlist []byte, base string) []byte {
	abs := func(u string) string {
		if u == "" || strings.Contains(u, "://") || strings.HasPrefix(u, "/") {
			return u
		}
		return base + u
	}
	var out bytes.Buffer
	out.Grow(len(playlist) + len(playlist)/8)
	for _, line := range strings.SplitAfter(string(playlist), "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(trimmed, "#"):
			line = uriAttr.ReplaceAllStringFunc(line, func(m string) string {
				return `URI="` + abs(uriAttr.FindStringSubmatch(m)[1]) + `"`
			})
		case trimmed != "":
			line = abs(trimmed) + line[len(trimmed):]
		}
		out.WriteString(line)
	}
	return out.Bytes()
}
