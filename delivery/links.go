package delivery

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/layout"
)

// A share link (createPlaybackToken) is a media token that also names the
// link it belongs to, so that the link can be revoked and restricted:
//
//	l<link id, 22 characters of base64url>.<expiry unix seconds>.<mac>
//
// The MAC (auth.Signer) covers "media:<video id>:link:<link id>" and the
// expiry, so neither the video, the link nor the expiry can be changed. A
// link token is verified like any media token, then the link's state
// (LinkLookupFunc) is read from a cache kept fresh by the notifier
// (Handler.ForgetLink): no query per segment, one per link every
// LinkTTL at most, and none at all for forged tokens.

// linkTokenPrefix starts every link token; plain media tokens start with
// their expiry's digits.
const linkTokenPrefix = "l"

// linkIDLen is the length of a link id in a token.
var linkIDLen = base64.RawURLEncoding.EncodedLen(16)

// linkIDEncoding refuses non-canonical spellings of an id (stray bits in
// the last character), so each link has one token and one CDN cache key.
var linkIDEncoding = base64.RawURLEncoding.Strict()

// ErrNoLink is what a LinkLookupFunc returns (possibly wrapped) for a link
// that does not exist (any more); its tokens are refused like revoked
// ones.
var ErrNoLink = errors.New("delivery: no such link")

// LinkState is what the handler needs to know about a share link.
type LinkState struct {
	// VideoID is the video the link is for.
	VideoID uuid.UUID
	// Revoked links are refused (403).
	Revoked bool
	// AllowedOrigins, when not empty, are the only origins (for example
	// "https://blog.example.com") whose pages may load the link's
	// playlists: the request's Origin, or else its Referer's origin, must
	// be one of them.
	AllowedOrigins []string
}

// LinkLookupFunc returns a share link's state, or an error matching
// ErrNoLink.
type LinkLookupFunc func(ctx context.Context, id uuid.UUID) (LinkState, error)

// SignedLinkPath signs the media of video id for share link linkID until
// expires, and returns the token and the URL path that carries it
// (layout.SignedPath), without a trailing slash.
func SignedLinkPath(signer *auth.Signer, id, linkID uuid.UUID, expires time.Time) (token, path string) {
	token = linkTokenPrefix + linkIDEncoding.EncodeToString(linkID[:]) + "." + signer.Sign(linkScope(id.String(), linkID), expires)
	return token, layout.SignedPath(token, id)
}

// linkScope is what a link token for video id (canonical text) signs.
func linkScope(id string, linkID uuid.UUID) string {
	return scopeOf(id) + ":link:" + linkID.String()
}

// splitToken takes a media token apart: the link it names (isLink) and
// the part auth.Signer verifies. ok is false for a link token whose link
// id is not one.
func splitToken(tok string) (link uuid.UUID, signed string, isLink, ok bool) {
	if !strings.HasPrefix(tok, linkTokenPrefix) {
		return uuid.Nil, tok, false, true
	}
	enc, signed, found := strings.Cut(tok[len(linkTokenPrefix):], ".")
	if !found || len(enc) != linkIDLen {
		return uuid.Nil, "", true, false
	}
	var raw [16]byte
	if n, err := linkIDEncoding.Decode(raw[:], []byte(enc)); err != nil || n != 16 {
		return uuid.Nil, "", true, false
	}
	return uuid.UUID(raw), signed, true, true
}

// tokenScope returns the scope a token for video id (canonical text)
// must be signed for, the part to verify, and the link it names.
func tokenScope(id, tok string) (scope, signed string, link uuid.UUID, ok bool) {
	link, signed, isLink, ok := splitToken(tok)
	if !ok {
		return "", "", uuid.Nil, false
	}
	if isLink {
		return linkScope(id, link), signed, link, true
	}
	return scopeOf(id), signed, uuid.Nil, true
}

// ForgetLink drops what the handler keeps about share link id, so its next
// request reads the link's state again: call it when a link was revoked
// or deleted, in any process (store.Notifier.SubscribePlaybackTokenRevocations).
// It does not block.
func (h *Handler) ForgetLink(id uuid.UUID) {
	if h.links != nil {
		h.links.forget(id)
	}
}

// checkLink authorizes a request made with share link id, answering it
// when it may not go on. restricted reports whether the link limits the
// pages that may load it: its playlists must then not reach shared
// caches, which would serve them to any page.
func (h *Handler) checkLink(w http.ResponseWriter, r *http.Request, req mediaRequest, id uuid.UUID) (restricted, ok bool) {
	if h.links == nil {
		fail(w, http.StatusForbidden, "forbidden: invalid link")
		return false, false
	}
	ctx := r.Context()
	st, err := h.links.get(ctx, id)
	switch {
	case errors.Is(err, ErrNoLink):
		fail(w, http.StatusForbidden, "forbidden: this link has been revoked")
		return false, false
	case err != nil:
		if ctx.Err() == nil {
			h.logger.ErrorContext(ctx, "media: link lookup failed", "link_id", id, "error", err)
		}
		fail(w, http.StatusServiceUnavailable, "temporarily unavailable")
		return false, false
	case st.Revoked:
		fail(w, http.StatusForbidden, "forbidden: this link has been revoked")
		return false, false
	case st.VideoID != req.ID:
		fail(w, http.StatusForbidden, "forbidden: invalid link")
		return false, false
	}
	if len(st.AllowedOrigins) == 0 {
		return false, true
	}
	if req.Kind == layout.KindPlaylist && !slices.Contains(st.AllowedOrigins, requestOrigin(r)) {
		fail(w, http.StatusForbidden, "forbidden: this link may not be played on this site")
		return true, false
	}
	return true, true
}

// requestOrigin is the origin of the page that made r: its Origin header,
// or else its Referer's scheme, host and port; "" when neither says.
func requestOrigin(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		return strings.ToLower(o)
	}
	ref, err := url.Parse(r.Header.Get("Referer"))
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return ""
	}
	return strings.ToLower(ref.Scheme + "://" + ref.Host)
}
