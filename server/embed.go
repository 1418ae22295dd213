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

// serveEmbed answers GET /embed/{id}: the bare player page for public and
// unlisted videos, and for private ones with ?token= a playback token
// (createPlaybackToken) for that video. Any site may frame it unless the
// video lists allowed origins.
func (p *videoPages) serveEmbed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	h := w.Header()
	h.Del("X-Frame-Options")
	// Refusals may be framed anywhere: the embedding site then shows why
	// instead of a browser error, and they name nothing about the video.
	h.Set("Content-Security-Policy", embedCSP("frame-ancestors *"))
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		embedRefusal(w, http.StatusNotFound, "This video does not exist.")
		return
	}
	v, err := p.store.VideoByID(ctx, id)
	if err == nil {
		// A video taken down, or of a disabled account, is embedded by
		// no one (VideoPrivacy says not found for those).
		_, err = p.store.VideoPrivacy(ctx, id)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		embedRefusal(w, http.StatusNotFound, "This video does not exist.")
		return
	case err != nil:
		p.logger.ErrorContext(ctx, "embed: video lookup failed", "video_id", id, "error", err)
		embedRefusal(w, http.StatusServiceUnavailable, "This video cannot be shown right now. Try again later.")
		return
	}
	base := p.base(r)
	data := embedData{ID: id.String(), Title: v.Title, Playable: v.Playable, Duration: v.Duration, Width: v.Width, Height: v.Height}
	var prefix string
	if v.Privacy == store.PrivacyPublic || v.Privacy == store.PrivacyUnlisted {
		prefix, _ = p.links.Prefix(ctx, id, v.Privacy)
		data.WatchURL = base + "/watch/" + id.String()
		h.Set("Cache-Control", "no-cache")
	} else {
		token := r.URL.Query().Get("token")
		switch err := delivery.VerifyToken(p.signer, id, token); {
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

// sharedVideo is a video whose watch page may show its data to anyone: a
// public or unlisted one; ok is false for private and unknown ids (and
// failed lookups, which are logged).
func (p *videoPages) sharedVideo(ctx context.Context, idText string) (store.Video, bool) {
	id, err := uuid.Parse(idText)
	if err != nil {
		return store.Video{}, false
	}
	v, err := p.store.VideoByID(ctx, id)
	if err == nil {
		_, err = p.store.VideoPrivacy(ctx, id) // not found when taken down
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			p.logger.ErrorContext(ctx, "share tags: video lookup failed", "video_id", id, "error", err)
		}
		return store.Video{}, false
	}
	if v.Privacy != store.PrivacyPublic && v.Privacy != store.PrivacyUnlisted {
		return store.Video{}, false
	}
	return v, true
}

// serveWatch answers GET /watch/{id}: the web app, with the video's share
// tags in its head when the video is public or unlisted.
func (p *videoPages) serveWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := p.sharedVideo(r.Context(), r.PathValue("id"))
	if !ok {
		p.app.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	base := p.base(r)
	var poster string
	if v.Playable && v.PosterKey != nil {
		prefix, _ := p.links.Prefix(ctx, v.ID, v.Privacy)
		poster = layout.URL(prefix, v.ID, *v.PosterKey)
	}
	width, height := embedSize(v.Width, v.Height, 1280, 720)
	tags := shareTags(shareInfo{
		Title: v.Title, Description: deref(v.Description), Unlisted: v.Privacy == store.PrivacyUnlisted,
		WatchURL: base + "/watch/" + v.ID.String(), EmbedURL: base + "/embed/" + v.ID.String(),
		OEmbedURL: base + "/oembed?format=json&url=" + url.QueryEscape(base+"/watch/"+v.ID.String()),
		PosterURL: poster, Width: width, Height: height,
	})
	p.app.serveIndex(w, r, v.Title+" · clipcut", tags)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
