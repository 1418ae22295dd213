package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
)

// videoPages serves what carries a video's data rendered on the server for
// other sites: the bare player at /embed/<id> that they frame, the watch
// page's share tags (Open Graph, Twitter card, oEmbed discovery) and
// /oembed.
type videoPages struct {
	store  *store.Store
	links  *mediaLinks
	signer *auth.Signer
	app    *spa
	// publicURL is CLIPCUT_PUBLIC_URL; empty: each request's own base URL.
	publicURL string
	// trustProxy takes the host and scheme from X-Forwarded-* (base).
	trustProxy bool
	// embed is the built embed.html, nil when the binary has no web app.
	embed []byte
	// logger reports failed lookups.
	logger interface {
		ErrorContext(ctx context.Context, msg string, args ...any)
	}
}

func newVideoPages(a *app, app *spa) *videoPages {
	p := &videoPages{store: a.store, links: a.links, signer: a.signer, app: app, publicURL: a.cfg.PublicURL, trustProxy: a.cfg.TrustProxy, logger: a.logger}
	if b, err := fs.ReadFile(app.files, "embed.html"); err == nil {
		p.embed = b
	}
	return p
}

// base is the scheme and host links to this server start with: the
// public URL, or the one r was sent to (these pages read no credentials,
// so auth.Middleware has not recorded the client).
func (p *videoPages) base(r *http.Request) string {
	return strings.TrimSuffix(cmp.Or(p.publicURL, auth.BaseURL(r, p.trustProxy)), "/")
}

// embedData is what the embed page's script reads from the page (a JSON
// data block, id clipcut-embed): everything the player needs, so the page
// makes no API call and private videos play with their signed link alone.
type embedData struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Playable bool   `json:"playable"`
	// WatchURL links the title to the watch page; empty for private videos.
	WatchURL      string   `json:"watchUrl,omitempty"`
	HLSURL        string   `json:"hlsUrl,omitempty"`
	PosterURL     string   `json:"posterUrl,omitempty"`
	StoryboardURL string   `json:"storyboardUrl,omitempty"`
	Duration      *float64 `json:"duration,omitempty"`
	Width         *int     `json:"width,omitempty"`
	Height        *int     `json:"height,omitempty"`
}

// serveEmbed answers GET /embed/{id}: the bare player page for public
// videos (by id or public id), unlisted ones by their public id, and any
// video by id with ?token= a playback token (createPlaybackToken) for it
// (private ones need one; an unlisted video's id alone opens nothing).
// Any site may frame it unless the video lists allowed origins.
func (p *videoPages) serveEmbed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	h := w.Header()
	h.Del("X-Frame-Options")
	// Refusals may be framed anywhere: the embedding site then shows why
	// instead of a browser error, and they name nothing about the video.
	h.Set("Content-Security-Policy", embedCSP("frame-ancestors *"))
	v, byPublicID, err := p.lookupRef(ctx, r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		embedRefusal(w, http.StatusNotFound, "This video does not exist.")
		return
	case err != nil:
		p.logger.ErrorContext(ctx, "embed: video lookup failed", "video_ref", r.PathValue("id"), "error", err)
		embedRefusal(w, http.StatusServiceUnavailable, "This video cannot be shown right now. Try again later.")
		return
	}
	id := v.ID
	base := p.base(r)
	data := embedData{ID: id.String(), Title: v.Title, Playable: v.Playable, Duration: v.Duration, Width: v.Width, Height: v.Height}
	if byPublicID {
		// The page names the video as it was opened (its events and
		// analytics too): an UNLISTED video's id is kept from strangers.
		data.ID = v.PublicID
	}
	var prefix string
	token := r.URL.Query().Get("token")
	if v.Privacy == store.PrivacyPublic || v.Privacy == store.PrivacyUnlisted && byPublicID {
		prefix, _ = p.links.Prefix(ctx, id, v.Privacy, v.PublicID)
		watch, _ := sharePaths(v)
		data.WatchURL = base + watch
		h.Set("Cache-Control", "no-cache")
	} else {
		switch err := delivery.VerifyToken(p.signer, id, token); {
		case token == "" && v.Privacy == store.PrivacyUnlisted:
			// The video id is no secret: an unlisted video is embedded
			// through its public id, and its id alone reveals nothing.
			embedRefusal(w, http.StatusNotFound, "This video does not exist.")
			return
		case token == "":
			embedRefusal(w, http.StatusForbidden, "This video is private.")
			return
		case errors.Is(err, auth.ErrExpired):
			embedRefusal(w, http.StatusForbidden, "This link has expired.")
			return
		case err != nil:
			embedRefusal(w, http.StatusForbidden, "This link is not valid.")
			return
		}
		prefix = p.links.baseFor(ctx) + layout.SignedPath(token, id)
		h.Set("Cache-Control", "private, no-store")
		h.Set("Referrer-Policy", "no-referrer") // the token stays out of Referer headers
	}
	if v.Playable {
		data.HLSURL = layout.URL(prefix, id, layout.Master(id))
		if v.PosterKey != nil {
			data.PosterURL = layout.URL(prefix, id, *v.PosterKey)
		}
		if v.StoryboardKey != nil {
			data.StoryboardURL = layout.URL(prefix, id, *v.StoryboardKey)
		}
	}
	if p.embed == nil {
		embedRefusal(w, http.StatusServiceUnavailable, "The web app has not been built into this server (run make build).")
		return
	}
	// json.Marshal escapes <, > and &, so nothing in a title can close the
	// script element.
	js, err := json.Marshal(data)
	if err != nil {
		embedRefusal(w, http.StatusInternalServerError, "This video cannot be shown.")
		return
	}
	h.Set("Content-Security-Policy", embedCSP(frameAncestors(v.EmbedOrigins)))
	head := `<title>` + html.EscapeString(v.Title) + ` · clipcut</title>` +
		`<script id="clipcut-embed" type="application/json">` + string(js) + `</script>`
	if data.WatchURL != "" { // public, or unlisted by its public id: never a signed link
		head += p.app.playerHints(data.HLSURL)
	}
	body := bytes.Replace(p.embed, []byte("<title>clipcut</title>"), nil, 1)
	body = injectHead(body, head)
	h.Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "embed.html", time.Time{}, bytes.NewReader(body))
}

// embedRefusal is the embed page's short answer when it cannot play.
func embedRefusal(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>clipcut</title><body style="margin:0;height:100vh;display:grid;place-items:center;background:#0f1115;color:#e8e9ee;` +
		`font:16px system-ui,sans-serif"><p role="alert">` + html.EscapeString(msg) + `</p></body></html>`))
}

// injectHead puts fragment at the end of page's head; the page as it is
// when it has none.
func injectHead(page []byte, fragment string) []byte {
	i := bytes.Index(page, []byte("</head>"))
	if i < 0 {
		return page
	}
	out := make([]byte, 0, len(page)+len(fragment))
	out = append(out, page[:i]...)
	out = append(out, fragment...)
	return append(out, page[i:]...)
}

// embedSize is the size of the embedded player for a video of the given
// dimensions: 640 pixels wide at its aspect ratio (16:9 when unknown),
// shrunk to fit maxWidth and maxHeight when they are positive.
func embedSize(width, height *int, maxWidth, maxHeight int) (int, int) {
	aspect := 16.0 / 9
	if width != nil && height != nil && *width > 0 && *height > 0 {
		aspect = float64(*width) / float64(*height)
	}
	w := 640.0
	if maxWidth > 0 && float64(maxWidth) < w {
		w = float64(maxWidth)
	}
	h := math.Round(w / aspect)
	if maxHeight > 0 && h > float64(maxHeight) {
		h = float64(maxHeight)
		w = math.Round(h * aspect)
	}
	return max(int(w), 1), max(int(h), 1)
}

// lookupRef reads the video ref names for a page anyone may load: a
// public id (layout.IsPublicID; byPublicID is then set) or a video id.
// ErrNotFound for anything else, a private video named by its public id,
// and a video taken down or of a disabled account.
func (p *videoPages) lookupRef(ctx context.Context, ref string) (v store.Video, byPublicID bool, err error) {
	if layout.IsPublicID(ref) {
		v, err = p.store.VideoByPublicID(ctx, ref, store.Viewer{})
		return v, true, err
	}
	id, err := uuid.Parse(ref)
	if err != nil {
		return store.Video{}, false, store.ErrNotFound
	}
	v, err = p.store.VideoByID(ctx, id)
	if err == nil {
		// VideoPrivacy says not found for a video taken down or of a
		// disabled account, which no one else sees.
		_, err = p.store.VideoPrivacy(ctx, id)
	}
	return v, false, err
}

// sharePaths are the watch and embed page paths that share v: by its
// public id when it is UNLISTED (its video id opens it to nobody but its
// owner), else by its id.
func sharePaths(v store.Video) (watch, embed string) {
	if v.Privacy == store.PrivacyUnlisted {
		return layout.PublicWatchPath(v.PublicID), layout.PublicEmbedPath(v.PublicID)
	}
	return "/watch/" + v.ID.String(), "/embed/" + v.ID.String()
}

// sharedVideo is a video whose watch page may show its data to anyone: a
// public one, or an unlisted one named by its public id; ok is false for
// private and unknown ones, unlisted ones named by their video id (and
// failed lookups, which are logged).
func (p *videoPages) sharedVideo(ctx context.Context, ref string) (store.Video, bool) {
	v, byPublicID, err := p.lookupRef(ctx, ref)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			p.logger.ErrorContext(ctx, "share tags: video lookup failed", "video_ref", ref, "error", err)
		}
		return store.Video{}, false
	}
	if v.Privacy != store.PrivacyPublic && !(v.Privacy == store.PrivacyUnlisted && byPublicID) {
		return store.Video{}, false
	}
	return v, true
}

// serveWatch answers GET /watch/{id} ({id}: a video id or a public id):
// the web app, with the video's share tags in its head when the video is
// public, or unlisted and named by its public id.
func (p *videoPages) serveWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := p.sharedVideo(r.Context(), r.PathValue("id"))
	if !ok {
		p.app.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	base := p.base(r)
	var poster, master string
	if v.Playable {
		prefix, _ := p.links.Prefix(ctx, v.ID, v.Privacy, v.PublicID)
		if v.PosterKey != nil {
			poster = layout.URL(prefix, v.ID, *v.PosterKey)
		}
		master = layout.URL(prefix, v.ID, layout.Master(v.ID))
	}
	width, height := embedSize(v.Width, v.Height, 1280, 720)
	watch, embed := sharePaths(v)
	tags := shareTags(shareInfo{
		Title: v.Title, Description: deref(v.Description), Unlisted: v.Privacy == store.PrivacyUnlisted,
		WatchURL: base + watch, EmbedURL: base + embed,
		OEmbedURL: base + "/oembed?format=json&url=" + url.QueryEscape(base+watch),
		PosterURL: poster, Width: width, Height: height,
	})
	p.app.serveIndex(w, r, v.Title+" · clipcut", tags+p.app.playerHints(master))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
