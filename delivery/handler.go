package delivery

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/httpmeter"
	"github.com/clipcut/clipcut/storage"
)

// Privacy values Lookup returns, as in the GraphQL Privacy enum.
const (
	// PrivacyPublic videos are listed and playable by anyone.
	PrivacyPublic = "PUBLIC"
	// PrivacyUnlisted videos are playable by anyone who has the link.
	PrivacyUnlisted = "UNLISTED"
	// PrivacyPrivate videos are playable only through a signed link.
	PrivacyPrivate = "PRIVATE"
)

// S3 modes (Config.S3Mode).
const (
	// ModeProxy streams objects from the bucket through clipcut.
	ModeProxy = "proxy"
	// ModeRedirect answers GETs of segments, images and downloads with a
	// 302 to a presigned URL of the object store, when the bucket can
	// presign (storage.Presigner); playlists are still proxied. The store
	// must then send CORS headers itself for players on other origins.
	ModeRedirect = "redirect"
)

// ErrNoVideo is what Lookup returns (possibly wrapped) for a video that
// does not exist; the handler answers 404.
var ErrNoVideo = errors.New("delivery: no such video")

// VideoState is what the handler needs to know about a video.
type VideoState struct {
	// Privacy is PrivacyPublic, PrivacyUnlisted or PrivacyPrivate; any
	// other value is treated as private.
	Privacy string
	// PublicID is the video's current public id: the only one its
	// layout.UnlistedPath media is served under.
	PublicID string
}

// LookupFunc returns the state of video id, or an error matching
// ErrNoVideo.
type LookupFunc func(ctx context.Context, id uuid.UUID) (VideoState, error)

// Config configures a Handler.
type Config struct {
	// Bucket holds the media, under "videos/<id>/". Required.
	Bucket storage.Bucket
	// Signer verifies the tokens of signed links. Required.
	Signer *auth.Signer
	// Lookup answers a video's privacy and public id. Required. Its answers are cached
	// for LookupTTL.
	Lookup LookupFunc
	// ResolvePublicID answers which video a public id names, for paths of
	// the public id form (layout.PublicIDPath), which carry no video id.
	// Its answers are cached (a public id never moves to another video;
	// "no such id" only for a second); the video's state then comes from
	// Lookup as for every path, so a rotated public id is refused as soon
	// as ForgetVideo has run. Without it, that form is 404.
	ResolvePublicID ResolvePublicIDFunc
	// S3Mode is ModeProxy (the default when empty) or ModeRedirect. It
	// matters only for buckets implementing storage.Presigner; others are
	// always served directly.
	S3Mode string
	// PresignTTL is how long a presigned URL of redirect mode stays valid
	// (default 10 minutes; never past a signed link's own expiry).
	PresignTTL time.Duration
	// LookupTTL is how long a Lookup answer is reused (default 5 seconds).
	// Without ForgetVideo, it is the delay before a privacy change or a
	// deletion reaches the origin; with it (the server calls it from the
	// notifier), only a bound on answers kept while notifications may be
	// lost.
	LookupTTL time.Duration
	// LookupCacheSize bounds the number of cached answers (default 10000).
	LookupCacheSize int
	// Links answers the state of share links (SignedLinkPath), cached like
	// Lookup's answers for LookupTTL; ForgetLink drops one at once (the
	// server calls it from the notifier when a link is revoked). Without
	// it, link tokens are refused.
	Links LinkLookupFunc
	// PlaylistCacheTTL is how long a served playlist is kept in memory and
	// served again without reading the store (default one second, the
	// shortest max-age playlists are sent with; negative: no cache). A
	// rewritten playlist reaches players at most this late.
	PlaylistCacheTTL time.Duration
	// Logger receives storage and lookup failures. Default: slog.Default().
	Logger *slog.Logger
	// Registerer, when set, receives the handler's counters:
	// clipcut_media_requests_total{kind,code},
	// clipcut_media_sent_bytes_total{kind} and
	// clipcut_media_video_lookups_total.
	Registerer prometheus.Registerer
}

// Defaults of the optional Config fields.
const (
	defaultPresignTTL      = 10 * time.Minute
	defaultLookupTTL       = 5 * time.Second
	defaultLookupCacheSize = 10000
	defaultPlaylistTTL     = time.Second
	// playlistCacheBytes bounds the playlists kept in memory.
	playlistCacheBytes = 32 << 20
)

// Handler serves media under BasePath; see the package documentation for
// the URL scheme and the answers. Create one with New. It is safe for
// concurrent use.
type Handler struct {
	bucket     storage.Bucket
	local      storage.LocalPather    // set when the bucket keeps local files
	localRoot  atomic.Pointer[string] // the local root's real path, once known (see confined)
	presigner  storage.Presigner      // set in redirect mode when the bucket can presign
	signer     *auth.Signer
	videos     *privacyCache
	links      *lookupCache[LinkState] // nil without Config.Links
	publicIDs  *publicIDCache          // nil without Config.ResolvePublicID
	presignTTL time.Duration
	logger     *slog.Logger
	metrics    *metrics       // nil without a Registerer
	playlists  *playlistCache // nil when disabled
	files      *openFiles     // local files kept open; nil unless the bucket is local
}

// New returns a Handler for cfg, or an error naming every problem with it.
func New(cfg Config) (*Handler, error) {
	var errs []error
	if cfg.Bucket == nil {
		errs = append(errs, errors.New("bucket is required"))
	}
	if cfg.Signer == nil {
		errs = append(errs, errors.New("signer is required"))
	}
	if cfg.Lookup == nil {
		errs = append(errs, errors.New("lookup is required"))
	}
	switch cfg.S3Mode {
	case "", ModeProxy, ModeRedirect:
	default:
		errs = append(errs, fmt.Errorf("S3 mode %q: want %q or %q", cfg.S3Mode, ModeProxy, ModeRedirect))
	}
	if cfg.PresignTTL < 0 || cfg.PresignTTL > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("presign TTL %s: want at most 7 days", cfg.PresignTTL))
	}
	if cfg.LookupTTL < 0 {
		errs = append(errs, fmt.Errorf("lookup TTL %s is negative", cfg.LookupTTL))
	}
	if cfg.LookupCacheSize < 0 {
		errs = append(errs, fmt.Errorf("lookup cache size %d is negative", cfg.LookupCacheSize))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}

	h := &Handler{
		bucket:     cfg.Bucket,
		signer:     cfg.Signer,
		presignTTL: orDefault(cfg.PresignTTL, defaultPresignTTL),
		logger:     cfg.Logger,
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	if lp, ok := cfg.Bucket.(storage.LocalPather); ok {
		h.local = lp
		h.files = newOpenFiles(openFileTTL, openFilesMax)
	}
	if ttl := orDefault(cfg.PlaylistCacheTTL, defaultPlaylistTTL); ttl > 0 {
		h.playlists = newPlaylistCache(min(ttl, defaultPlaylistTTL), playlistCacheBytes)
	}
	if ps, ok := cfg.Bucket.(storage.Presigner); ok && cfg.S3Mode == ModeRedirect {
		h.presigner = ps
	}
	h.videos = newPrivacyCache(cfg.Lookup, orDefault(cfg.LookupTTL, defaultLookupTTL), orDefault(cfg.LookupCacheSize, defaultLookupCacheSize))
	if cfg.ResolvePublicID != nil {
		h.publicIDs = newPublicIDCache(cfg.ResolvePublicID, orDefault(cfg.LookupCacheSize, defaultLookupCacheSize))
	}
	if cfg.Links != nil {
		h.links = newLookupCache(cfg.Links, func(err error) bool { return errors.Is(err, ErrNoLink) },
			orDefault(cfg.LookupTTL, defaultLookupTTL), orDefault(cfg.LookupCacheSize, defaultLookupCacheSize))
	}
	if cfg.Registerer != nil {
		m, err := newMetrics(cfg.Registerer)
		if err != nil {
			return nil, fmt.Errorf("delivery: metrics: %w", err)
		}
		h.metrics = m
		h.videos.onLookup = m.lookups.Inc
	}
	return h, nil
}

// ForgetVideo drops what the handler keeps about video id (its privacy
// and public id, its playlists), so the next request for it reads them
// again: call it when the video's privacy or public id changed or it was
// deleted, in any process
// (store.Notifier.SubscribePrivacyChanges). Requests that were already
// waiting for the video's lookup get that lookup's answer. It does not
// block.
func (h *Handler) ForgetVideo(id uuid.UUID) {
	h.videos.forget(id)
	h.playlists.forget(id)
	if h.files != nil {
		h.files.forgetVideo(id)
	}
}

// ForgetAll drops what the handler keeps about every video and share
// link: call it when changes may have been missed (the notifier
// reconnected) or before the first notification can arrive. It does not
// block.
func (h *Handler) ForgetAll() {
	h.videos.forgetAll()
	h.playlists.forgetAll()
	if h.files != nil {
		h.files.forgetAll()
	}
	if h.links != nil {
		h.links.forgetAll()
	}
	if h.publicIDs != nil {
		h.publicIDs.forgetAll()
	}
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.metrics == nil {
		h.serve(w, r)
		return
	}
	// The server's access log wraps w in an httpmeter.Writer already:
	// counting through it saves an allocation per request.
	cw, ok := w.(*httpmeter.Writer)
	if !ok {
		cw = &httpmeter.Writer{ResponseWriter: w}
	}
	k := h.serve(cw, r)
	h.metrics.observe(k, cw.Status, cw.Bytes)
}

// exposedHeaders are the response headers a cross-origin player may read
// beyond the CORS-safelisted ones (Content-Length is safelisted only in
// recent browsers).
const exposedHeaders = "Content-Length, Content-Range, Accept-Ranges, ETag"

var (
	anyOrigin   = []string{"*"}
	exposed     = []string{exposedHeaders}
	nosniff     = []string{"nosniff"}
	crossOrigin = []string{"cross-origin"}
)

// setMediaHeaders sets the headers of every media response: any origin
// may read it, and nobody may sniff its type.
func setMediaHeaders(hdr http.Header) {
	// Shared slices: header values are replaced, never modified, so
	// every response can point at the same ones.
	hdr["Access-Control-Allow-Origin"] = anyOrigin
	hdr["Access-Control-Expose-Headers"] = exposed
	hdr["X-Content-Type-Options"] = nosniff
	// Lets pages with Cross-Origin-Embedder-Policy: require-corp embed
	// the media too.
	hdr["Cross-Origin-Resource-Policy"] = crossOrigin
}

// serve answers r and reports what kind of object it was for.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) kind {
	hdr := w.Header()
	setMediaHeaders(hdr)

	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Range, If-Range, If-None-Match, If-Modified-Since")
		hdr.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return kindNone
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		fail(w, http.StatusMethodNotAllowed, "method not allowed")
		return kindNone
	}

	req, ok := parsePath(r.URL.Path)
	if !ok {
		fail(w, http.StatusNotFound, "not found")
		return kindNone
	}
	if req.NeedsID() && !h.resolvePublicID(w, r, &req) {
		return req.Kind
	}
	private, ok := h.authorize(w, r, &req)
	if !ok {
		return req.Kind
	}
	h.serveObject(w, r, req, private)
	return req.Kind
}

// authorize decides whether req may be served, answering the request when
// it may not. private reports whether the video is private, which makes
// the cache headers of its public paths "private"; it records in req
// how a token authorized it (signed, restricted), which picks the cache
// headers of signed paths.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, req *mediaRequest) (private, ok bool) {
	ctx := r.Context()
	// The signature first: it costs no query, so forged links never
	// reach the database. A token mangled past parsing (a character no
	// token has, too long, empty) is a bad link too, not a missing
	// object.
	if req.MalformedToken {
		fail(w, http.StatusForbidden, "forbidden: invalid link")
		return false, false
	}
	if req.Token != "" {
		scope, signed, link, ok := tokenScope(req.IDText(), req.Token)
		if !ok {
			fail(w, http.StatusForbidden, "forbidden: invalid link")
			return false, false
		}
		switch err := h.signer.Verify(scope, signed, time.Now()); {
		case errors.Is(err, auth.ErrExpired):
			fail(w, http.StatusForbidden, "forbidden: this link has expired")
			return false, false
		case err != nil:
			fail(w, http.StatusForbidden, "forbidden: invalid link")
			return false, false
		}
		if link != uuid.Nil {
			if req.restricted, ok = h.checkLink(w, r, *req, link); !ok {
				return false, false
			}
		}
		req.signed = true
	}
	state, err := h.videos.get(ctx, req.ID)
	privacy := state.Privacy
	switch {
	case errors.Is(err, ErrNoVideo):
		fail(w, http.StatusNotFound, "not found")
		return false, false
	case err != nil:
		if ctx.Err() == nil {
			h.logger.ErrorContext(ctx, "media: video lookup failed", "video_id", req.ID, "error", err)
		}
		fail(w, http.StatusServiceUnavailable, "temporarily unavailable")
		return false, false
	}
	if req.PublicID != "" {
		// The public id form: the path's public id must be the video's
		// current one (an old link is as good as a wrong one), and it
		// opens PUBLIC and UNLISTED videos only. Compared in constant
		// time: it is the capability.
		if subtle.ConstantTimeCompare([]byte(req.PublicID), []byte(state.PublicID)) != 1 {
			fail(w, http.StatusNotFound, "not found")
			return false, false
		}
		if privacy == PrivacyPublic || privacy == PrivacyUnlisted {
			return false, true
		}
		fail(w, http.StatusForbidden, "forbidden: this video is private")
		return true, false
	}
	switch privacy {
	case PrivacyPublic:
		return false, true
	case PrivacyUnlisted:
		if req.Token == "" {
			// The video id is no secret: an UNLISTED video's media is
			// shared through its public id. Answered as for an unknown
			// video, since the id alone reveals nothing more.
			fail(w, http.StatusNotFound, "not found")
			return false, false
		}
		return false, true
	case PrivacyPrivate:
	default:
		h.logger.WarnContext(ctx, "media: unknown privacy, treated as private", "video_id", req.ID, "privacy", privacy)
	}
	if req.Token == "" {
		fail(w, http.StatusForbidden, "forbidden: this video is private")
		return true, false
	}
	return true, true
}

// resolvePublicID gives req, of the public id form, the id of the video
// its public id names, answering the request when there is none. Whether
// that public id is still the video's current one, authorize checks.
func (h *Handler) resolvePublicID(w http.ResponseWriter, r *http.Request, req *mediaRequest) bool {
	if h.publicIDs == nil {
		fail(w, http.StatusNotFound, "not found")
		return false
	}
	ctx := r.Context()
	id, err := h.publicIDs.get(ctx, req.PublicID)
	switch {
	case errors.Is(err, ErrNoVideo):
		fail(w, http.StatusNotFound, "not found")
		return false
	case err != nil:
		if ctx.Err() == nil {
			h.logger.ErrorContext(ctx, "media: public id lookup failed", "error", err)
		}
		fail(w, http.StatusServiceUnavailable, "temporarily unavailable")
		return false
	}
	req.SetID(id)
	return true
}

// fail answers with a short plain-text error that no cache keeps.
func fail(w http.ResponseWriter, code int, msg string) {
	hdr := w.Header()
	for _, k := range []string{"Cache-Control", "Etag", "Last-Modified", "Content-Range", "Content-Disposition"} {
		hdr.Del(k)
	}
	hdr.Set("Cache-Control", "no-store")
	http.Error(w, msg, code)
}
