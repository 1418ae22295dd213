package delivery

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/layout"
)

// BasePath is where the server mounts the Handler (layout.BasePath).
// Mount it as is (mux.Handle(delivery.BasePath, h)), without
// http.StripPrefix: the handler reads the full request path. It needs no
// session or bearer authentication in front of it (it never reads
// cookies), and skipping that middleware saves a session lookup per
// segment.
const BasePath = layout.BasePath

// SignedPath signs the media of video id until expires and returns the
// token and the URL path that carries it, "/media/t/<token>/videos/<id>"
// (layout.SignedPath), without a trailing slash.
func SignedPath(signer *auth.Signer, id uuid.UUID, expires time.Time) (token, path string) {
	token = signer.Sign(scope(id), expires)
	return token, layout.SignedPath(token, id)
}

// VerifyToken checks a media token made by SignedPath or SignedLinkPath
// for video id (the embed page of a private video takes one): nil,
// auth.ErrExpired or auth.ErrBadSignature. It checks the signature only:
// whether a share link was revoked, the media requests find out.
func VerifyToken(signer *auth.Signer, id uuid.UUID, token string) error {
	scope, signed, _, ok := tokenScope(id.String(), token)
	if !ok {
		return auth.ErrBadSignature
	}
	return signer.Verify(scope, signed, time.Now())
}

// scope is what a media token for video id signs.
func scope(id uuid.UUID) string {
	return scopeOf(id.String())
}

// scopeOf is scope for the canonical text of an id.
func scopeOf(id string) string {
	return "media:" + id
}

// kind labels a request's metrics: the kind of object it was for, or
// kindNone.
type kind = layout.Kind

// kindNone labels requests that never reached an object: preflights and
// refused paths.
const kindNone kind = "none"

// contentTypes are the extensions the handler serves (layout.ParsePath
// accepts) and their types. They are fixed rather than taken from the
// object's stored type or mime.TypeByExtension: Go's table says .ts is
// TypeScript, and objects written before a fix would keep a wrong stored
// type forever.
var contentTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".jpg":  "image/jpeg",
	".webp": "image/webp",
	".vtt":  "text/vtt; charset=utf-8",
	".srt":  "application/x-subrip; charset=utf-8",
}

// mediaRequest is a parsed media path.
type mediaRequest struct {
	layout.Object
	// tokenExpiry is the expiry the token claims (trusted only once
	// verified).
	tokenExpiry time.Time
	contentType string
	// signed is set once a token authorized the request: its answers may
	// then be cached publicly until the token expires (the path carries
	// the capability).
	signed bool
	// restricted is set for a share link limited to some origins: its
	// playlists stay out of shared caches.
	restricted bool
}

// parsePath parses the decoded request path p (see layout.ParsePath); ok
// is false for anything but one of the documented forms naming an
// allowed object.
func parsePath(p string) (mediaRequest, bool) {
	obj, ok := layout.ParsePath(p)
	if !ok {
		return mediaRequest{}, false
	}
	ct, ok := contentTypes[obj.Ext]
	if !ok {
		return mediaRequest{}, false
	}
	req := mediaRequest{Object: obj, contentType: ct}
	if obj.Token != "" {
		_, signed, _, _ := splitToken(obj.Token)
		unix, _, _ := strings.Cut(signed, ".")
		if n, err := strconv.ParseInt(unix, 10, 64); err == nil {
			req.tokenExpiry = time.Unix(n, 0)
		}
	}
	return req, true
}
