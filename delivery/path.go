package delivery

import (
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/storage"
)

// BasePath is where the server mounts the Handler. Mount it as is
// (mux.Handle(delivery.BasePath, h)), without http.StripPrefix: the
// handler reads the full request path. It needs no session or bearer
// authentication in front of it (it never reads cookies), and skipping
// that middleware saves a session lookup per segment.
const BasePath = "/media/"

// PublicPrefix is the URL path under which anyone may fetch the media of
// public and unlisted video id: "/media/videos/<id>/". Append an object's
// path relative to the video, such as "hls/master.m3u8".
func PublicPrefix(id uuid.UUID) string {
	return BasePath + "videos/" + id.String() + "/"
}

// SignedPrefix is the URL path under which the holder may fetch the media
// of video id, whatever its privacy, until expires:
// "/media/t/<token>/videos/<id>/". Append an object's path relative to the
// video, such as "hls/master.m3u8".
func SignedPrefix(signer *auth.Signer, id uuid.UUID, expires time.Time) string {
	return BasePath + "t/" + signer.Sign(scope(id), expires) + "/videos/" + id.String() + "/"
}

// scope is what a media token for video id signs.
func scope(id uuid.UUID) string {
	return scopeOf(id.String())
}

// scopeOf is scope for the canonical text of an id.
func scopeOf(id string) string {
	return "media:" + id
}

// maxTokenLen bounds the token segment; real ones are about 55 bytes.
const maxTokenLen = 256

// kind is what an object is to a player; it picks the caching rules and
// labels the metrics.
type kind string

const (
	kindPlaylist   kind = "playlist"
	kindSegment    kind = "segment"
	kindImage      kind = "image"
	kindStoryboard kind = "storyboard"
	kindSubtitles  kind = "subtitles"
	kindDownload   kind = "download"
	// kindNone labels requests that never reached an object: preflights
	// and refused paths.
	kindNone kind = "none"
)

// contentTypes are the extensions the handler serves and their types.
// They are fixed rather than taken from the object's stored type or
// mime.TypeByExtension: Go's table says .ts is TypeScript, and objects
// written before a fix would keep a wrong stored type forever.
var contentTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".jpg":  "image/jpeg",
	".vtt":  "text/vtt; charset=utf-8",
	".srt":  "application/x-subrip; charset=utf-8",
}

// mediaRequest is a parsed media path.
type mediaRequest struct {
	// token is the signed-link token, "" for the public form.
	token string
	// tokenExpiry is the expiry the token claims (trusted only once
	// verified).
	tokenExpiry time.Time
	id          uuid.UUID
	idText      string // id in canonical form, as in the path
	// key is the object's storage key, "videos/<id>/<rest>".
	key         string
	kind        kind
	contentType string
}

// parsePath parses the decoded request path p strictly. ok is false for
// anything but one of the two documented forms naming an allowed object:
// percent-decoding has already happened, so "%2e%2e" arrives here as ".."
// and is refused by storage.ValidateKey like any other dot segment, while
// a double-encoded "%252e" arrives as the literal name "%2e", which is
// harmless.
func parsePath(p string) (mediaRequest, bool) {
	var req mediaRequest
	rest, ok := strings.CutPrefix(p, BasePath)
	if !ok {
		return req, false
	}
	if r, ok := strings.CutPrefix(rest, "t/"); ok {
		tok, r, ok := strings.Cut(r, "/")
		if !ok || !validToken(tok) {
			return req, false
		}
		req.token = tok
		unix, _, _ := strings.Cut(tok, ".")
		if n, err := strconv.ParseInt(unix, 10, 64); err == nil {
			req.tokenExpiry = time.Unix(n, 0)
		}
		rest = r
	}
	// The storage key is the rest of the path: "videos/<id>/<object>".
	// Valid as a key, it has no empty or dot segment anywhere.
	key := rest
	if storage.ValidateKey(key) != nil {
		return req, false
	}
	rest, ok = strings.CutPrefix(rest, "videos/")
	if !ok {
		return req, false
	}
	idText, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return req, false
	}
	id, err := uuid.Parse(idText)
	// Only the canonical form: uuid.Parse also takes braces, a urn: prefix
	// and uppercase, which would give one object many URLs (and cache
	// entries), and the token scope is the canonical string.
	if err != nil || !canonicalUUID(idText) {
		return req, false
	}
	first, _, nested := strings.Cut(rest, "/")
	ext := path.Ext(rest)
	ct, known := contentTypes[ext]
	if !known {
		return req, false
	}
	switch {
	case rest == "poster.jpg":
		req.kind = kindImage
	case !nested:
		return req, false
	case first == "hls":
		req.kind = kindSegment
	case first == "storyboard":
		req.kind = kindStoryboard
	case first == "subtitles":
		req.kind = kindSubtitles
	case first == "downloads":
		req.kind = kindDownload
	default:
		return req, false
	}
	if ext == ".m3u8" {
		req.kind = kindPlaylist
	}
	req.id, req.idText = id, idText
	req.key = key
	req.contentType = ct
	return req, true
}

// canonicalUUID reports whether s, which uuid.Parse accepted, is in the
// canonical form uuid.UUID.String gives: 36 characters, lowercase.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return false
		}
	}
	return true
}

// validToken reports whether tok could be a value of auth.Signer.Sign
// ("<unix seconds>.<base64url MAC>") as far as the path is concerned:
// short, and only characters that need no escaping. Anything else about
// it is for verification to refuse, with a 403.
func validToken(tok string) bool {
	if tok == "" || len(tok) > maxTokenLen {
		return false
	}
	for _, c := range tok {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
