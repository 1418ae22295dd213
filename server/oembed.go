package main

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/layout"
)

// oEmbed is an oEmbed 1.0 response of type video (https://oembed.com).
type oEmbed struct {
	Version         string `json:"version"`
	Type            string `json:"type"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	Title           string `json:"title"`
	AuthorName      string `json:"author_name,omitempty"`
	AuthorURL       string `json:"author_url,omitempty"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
	CacheAge        int    `json:"cache_age"`
}

// serveOEmbed answers GET /oembed?url=<watch or embed URL>&format=json for
// public videos and unlisted ones named by their public id: the iframe of
// their embed page, sized to fit maxwidth and maxheight. Private and
// unknown videos, and unlisted ones named by their video id, are 404, and
// format=xml (which clipcut does not speak) 501, as the spec asks.
func (p *videoPages) serveOEmbed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*") // public data, read by other sites' scripts
	if f := q.Get("format"); f != "" && f != "json" {
		oembedError(w, http.StatusNotImplemented, "only format=json is offered")
		return
	}
	ctx := r.Context()
	base := p.base(r)
	id, ok := videoFromURL(q.Get("url"), base)
	if !ok {
		oembedError(w, http.StatusNotFound, "not a clipcut video URL")
		return
	}
	v, ok := p.sharedVideo(ctx, id)
	if !ok {
		oembedError(w, http.StatusNotFound, "no such video")
		return
	}
	maxWidth, _ := strconv.Atoi(q.Get("maxwidth"))
	maxHeight, _ := strconv.Atoi(q.Get("maxheight"))
	width, height := embedSize(v.Width, v.Height, maxWidth, maxHeight)
	_, embedPath := sharePaths(v)
	embedURL := base + embedPath
	out := oEmbed{
		Version: "1.0", Type: "video", ProviderName: "clipcut", ProviderURL: base + "/",
		Title: v.Title, Width: width, Height: height, CacheAge: 3600,
		HTML: `<iframe src="` + html.EscapeString(embedURL) + `" width="` + strconv.Itoa(width) + `" height="` + strconv.Itoa(height) +
			`" title="` + html.EscapeString(v.Title) + `" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`,
	}
	if users, err := p.store.UsersByIDs(ctx, []uuid.UUID{v.OwnerID}); err == nil && len(users) == 1 {
		out.AuthorName = users[0].Name
		out.AuthorURL = base + "/c/" + v.OwnerID.String()
	}
	if v.Playable && v.PosterKey != nil {
		prefix, _ := p.links.Prefix(ctx, v.ID, v.Privacy, v.PublicID)
		out.ThumbnailURL = layout.URL(prefix, v.ID, *v.PosterKey)
		// The poster is a frame of the video fitted within 1280x1280
		// (media.Poster); audio gets a 1280x720 waveform.
		out.ThumbnailWidth, out.ThumbnailHeight = 1280, 720
		if v.Width != nil && v.Height != nil && *v.Width > 0 && *v.Height > 0 {
			scale := min(1, 1280/float64(max(*v.Width, *v.Height)))
			out.ThumbnailWidth, out.ThumbnailHeight = int(float64(*v.Width)*scale), int(float64(*v.Height)*scale)
		}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	_ = json.NewEncoder(w).Encode(out)
}

func oembedError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, msg, code)
}

// videoFromURL is the video id or public id in a watch or embed URL of
// this server (base is its scheme and host); ok is false for any other
// URL.
func videoFromURL(raw, base string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	b, err := url.Parse(base)
	if err != nil || !strings.EqualFold(u.Host, b.Host) {
		return "", false
	}
	for _, prefix := range []string{"/watch/", "/embed/"} {
		if id, ok := strings.CutPrefix(u.Path, prefix); ok && id != "" && !strings.Contains(id, "/") {
			return id, true
		}
	}
	return "", false
}
