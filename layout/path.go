package layout

import (
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Kind is what a served object is to a player; it picks the caching rules
// and labels the metrics.
type Kind string

// The kinds of objects served under BasePath.
const (
	// KindPlaylist is an HLS playlist (.m3u8), master or media.
	KindPlaylist Kind = "playlist"
	// KindSegment is any other object under hls/: segments, init
	// segments, subtitle WebVTT files.
	KindSegment Kind = "segment"
	// KindImage is the poster or the animated preview.
	KindImage Kind = "image"
	// KindStoryboard is a storyboard sprite sheet or its WebVTT map.
	KindStoryboard Kind = "storyboard"
	// KindSubtitles is a subtitle file offered for download.
	KindSubtitles Kind = "subtitles"
	// KindDownload is a progressive MP4.
	KindDownload Kind = "download"
)

// MaxTokenLen bounds the token segment of a signed path; real tokens are
// about 55 bytes.
const MaxTokenLen = 256

// Object is a media request path taken apart by ParsePath. Its strings
// are parts of the path: parsing allocates nothing.
type Object struct {
	// Token is the signed link's token, "" for the public form. Only its
	// syntax is checked: verifying it is the caller's business.
	Token string
	// MalformedToken reports a path of the signed form whose token
	// segment cannot be a token (empty, longer than MaxTokenLen, or with
	// a character a token never has); Token is then "". The object is
	// parsed as usual, so the caller can refuse the link as it refuses a
	// token that fails verification, rather than as a missing object.
	MalformedToken bool
	// PublicID is the public id of an UnlistedPath, "" for the other
	// forms. Only its syntax is checked: whether it is the video's is the
	// caller's business.
	PublicID string
	// ID is the video.
	ID uuid.UUID
	// Key is the object's storage key, "videos/<id>/<object>"; "" until
	// SetID for the public id form (NeedsID).
	Key string
	// Rel is the object's path inside the video, "<object>".
	Rel string
	// Kind is what the object is to a player.
	Kind Kind
	// Ext is the object's extension: ".m3u8", ".ts", ".m4s", ".mp4",
	// ".jpg", ".webp", ".vtt" or ".srt".
	Ext string
}

// IDText is the video id as the path spells it: canonical, so equal to
// ID.String(), without the allocation.
func (o Object) IDText() string { return o.Key[len(root) : len(root)+uuidLen] }

// uuidLen is the length of a UUID's canonical text.
const uuidLen = 36

// ParsePath takes apart a decoded request path of one of the four forms
// PublicPath, PublicIDPath, UnlistedPath and SignedPath make,
//
//	/media/videos/<id>/<object>
//	/media/u/<public id>/<object>
//	/media/u/<public id>/videos/<id>/<object>
//	/media/t/<token>/videos/<id>/<object>
//
// strictly: ok is false unless <id> is a canonical (lowercase) UUID and
// <object> one of the names the package documentation lists, with a
// known extension, that is a valid storage key: no empty, "." or ".."
// segment, no backslash or control character. A <token> that is not 1 to
// MaxTokenLen digits, letters, '.', '-' and '_' does not make the path
// fail: it sets MalformedToken, so that a mangled link is refused like a
// forged one; a <public id> not of IsPublicID's shape makes it fail.
// The second form names no video: its Object has a zero ID and an empty
// Key until the caller, having resolved the public id, calls SetID.
// Percent-decoding has already happened, so "%2e%2e" arrives
// here as ".." and is refused like any other dot segment, while a
// double-encoded "%252e" arrives as the literal name "%2e", which is
// harmless.
func ParsePath(p string) (o Object, ok bool) {
	rest, ok := strings.CutPrefix(p, BasePath)
	if !ok {
		return o, false
	}
	if r, ok := strings.CutPrefix(rest, "t/"); ok {
		tok, r, ok := strings.Cut(r, "/")
		if !ok {
			return o, false
		}
		if validToken(tok) {
			o.Token = tok
		} else {
			o.MalformedToken = true
		}
		rest = r
	} else if r, ok := strings.CutPrefix(rest, unlistedMark); ok {
		pid, r, ok := strings.Cut(r, "/")
		if !ok || !IsPublicID(pid) {
			return o, false
		}
		o.PublicID = pid
		rest = r
		if !strings.HasPrefix(r, root) {
			// The public id form: the object inside the video, no id.
			// No object name starts with "videos/", so the forms cannot
			// be mistaken for each other.
			if !validKey(r) || !o.classify(r) {
				return Object{}, false
			}
			o.Rel = r
			return o, true
		}
	}
	// The storage key is the rest of the path; valid as a key, it has no
	// empty or dot segment anywhere.
	key := rest
	if !validKey(key) {
		return o, false
	}
	rest, ok = strings.CutPrefix(rest, root)
	if !ok {
		return o, false
	}
	idText, rest, ok := strings.Cut(rest, "/")
	// Only the canonical form: uuid.Parse also takes braces, a urn:
	// prefix and uppercase, which would give one object many URLs (and
	// cache entries), and a token signs the canonical string.
	if !ok || !canonicalUUID(idText) {
		return o, false
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		return o, false
	}
	if !o.classify(rest) {
		return o, false
	}
	o.ID, o.Key, o.Rel = id, key, rest
	return o, true
}

// classify sets o.Kind and o.Ext for the object named rel inside a video,
// and reports whether it is one that is served.
func (o *Object) classify(rel string) bool {
	ext := extOf(rel)
	if !knownExt(ext) {
		return false
	}
	first, _, nested := strings.Cut(rel, "/")
	switch {
	case rel == "poster.jpg" || isPosterVersion(rel) || isPreview(rel):
		o.Kind = KindImage
	case !nested:
		return false
	case first == "hls":
		o.Kind = KindSegment
	case first == "storyboard":
		o.Kind = KindStoryboard
	case first == "subtitles":
		o.Kind = KindSubtitles
	case first == "downloads":
		o.Kind = KindDownload
	default:
		return false
	}
	if ext == ".m3u8" {
		o.Kind = KindPlaylist
	}
	o.Ext = ext
	return true
}

// NeedsID reports whether o came from the public id form
// (PublicIDPath), which names no video: the caller resolves its PublicID
// and calls SetID before using ID, Key or IDText.
func (o Object) NeedsID() bool { return o.Key == "" }

// SetID makes o an object of video id: ID, and Key from Rel (one
// allocation, the key).
func (o *Object) SetID(id uuid.UUID) {
	var b strings.Builder
	b.Grow(len(root) + uuidLen + 1 + len(o.Rel))
	b.WriteString(root)
	// Spelled here rather than with id.String(): one allocation, the
	// key, on every request of the public id form.
	const hexDigits = "0123456789abcdef"
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.WriteByte('-')
		}
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	b.WriteByte('/')
	b.WriteString(o.Rel)
	o.ID, o.Key = id, b.String()
}

// extOf is path.Ext of a slash-separated name.
func extOf(name string) string {
	for i := len(name) - 1; i >= 0 && name[i] != '/'; i-- {
		if name[i] == '.' {
			return name[i:]
		}
	}
	return ""
}

// knownExt reports whether objects with extension ext are served.
func knownExt(ext string) bool {
	switch ext {
	case ".m3u8", ".ts", ".m4s", ".mp4", ".jpg", ".webp", ".vtt", ".srt":
		return true
	}
	return false
}

// canonicalUUID reports whether s has the shape of a UUID in the
// canonical form uuid.UUID.String gives: 36 characters, lowercase hex
// digits and four dashes in their places.
func canonicalUUID(s string) bool {
	if len(s) != uuidLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// validToken reports whether tok could be a signed media token
// ("<unix seconds>.<base64url MAC>") as far as the path is concerned:
// short, and only characters that need no escaping. Anything else about
// it is for verification to refuse.
func validToken(tok string) bool {
	if tok == "" || len(tok) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// The limits of a storage key, as package storage enforces them (a test
// holds validKey equal to storage.ValidateKey): layout imports no
// clipcut package, and the parser must refuse what the store would.
const (
	maxKeyLen     = 1024            // S3's limit on object names
	maxSegmentLen = 255             // common file systems' name limit
	tempPrefix    = ".clipcut-tmp-" // names of the local store's in-progress writes
)

// validKey reports whether key is a valid storage key: a relative,
// slash-separated path of at most 1024 bytes of UTF-8 whose segments are
// non-empty, at most 255 bytes, not "." or "..", free of backslashes and
// control characters, and do not start with ".clipcut-tmp-". One pass
// over the bytes: it runs on every media request.
func validKey(key string) bool {
	if key == "" || len(key) > maxKeyLen || key[0] == '/' || !utf8.ValidString(key) {
		return false
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) {
			// Every byte of a multibyte character is 0x80 or above, so
			// testing bytes finds exactly the control characters.
			switch c := key[i]; {
			case c == '\\', c < 0x20, c == 0x7f:
				return false
			case c != '/':
				continue
			}
		}
		seg := key[start:i]
		if seg == "" || seg == "." || seg == ".." || len(seg) > maxSegmentLen || strings.HasPrefix(seg, tempPrefix) {
			return false
		}
		start = i + 1
	}
	return true
}

// isPosterVersion reports whether name is a poster chosen after
// processing, "poster-<hex>.jpg" (see PosterVersion), with no allocation.
func isPosterVersion(name string) bool { return isVersioned(name, "poster-", ".jpg") }

// isPreview reports whether name is "preview-<hex>.webp" (Preview).
func isPreview(name string) bool { return isVersioned(name, "preview-", ".webp") }

// isVersioned reports whether name is prefix, 1 to 64 lowercase hex
// digits, then suffix.
func isVersioned(name, prefix, suffix string) bool {
	hex, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	hex, ok = strings.CutSuffix(hex, suffix)
	if !ok || hex == "" || len(hex) > 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
