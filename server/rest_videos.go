package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
)

// restVideos serves the original Clip-Cut and CineScale REST endpoints.
// Visibility is the video's own: a private video is 404 to everyone but its
// owner (and administrators), exactly as in GraphQL.
type restVideos struct {
	store *store.Store
	// media serves the playlists, under its cache rules.
	media *delivery.Handler
	links *mediaLinks
	// publicURL is CLIPCUT_PUBLIC_URL: the base of the API's own absolute
	// URLs (empty: the request's).
	publicURL string
}

// restRendition is a rendition as REST answers show it: no storage keys.
type restRendition struct {
	Name      string `json:"name"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bandwidth int    `json:"bandwidth"`
}

// apiURL is the absolute URL of one of this server's paths, for this
// request.
func (h *restVideos) apiURL(r *http.Request, path string) string {
	base := h.publicURL
	if base == "" {
		base = auth.ClientFrom(r.Context()).BaseURL
	}
	return strings.TrimSuffix(base, "/") + path
}

// load reads the video the path's {id} names: a video id, which opens
// an UNLISTED video only to its owner and administrators, or a public id
// (layout.IsPublicID), which opens it to anyone.
func (h *restVideos) load(w http.ResponseWriter, r *http.Request) (store.Video, bool) {
	viewer, _ := auth.ViewerFrom(r.Context())
	var v store.Video
	var err error
	if ref := r.PathValue("id"); layout.IsPublicID(ref) {
		v, err = h.store.VideoByPublicID(r.Context(), ref, viewer.Store())
	} else if id, perr := uuid.Parse(ref); perr == nil {
		v, err = h.store.VideoForViewer(r.Context(), id, viewer.Store())
	} else {
		writeError(w, http.StatusNotFound, errNoSuchVideo)
		return store.Video{}, false
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, errNoSuchVideo)
		return store.Video{}, false
	}
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, errTryAgain)
		return store.Video{}, false
	}
	return v, true
}

// readsPassthrough reports whether the request's viewer may read v's
// passthrough: the integrator's own value (an order id, a customer's
// reference) is theirs and administrators' to read, not everyone's who
// can watch the video. For anyone else the answers leave it out.
func readsPassthrough(r *http.Request, v store.Video) bool {
	viewer, _ := auth.ViewerFrom(r.Context())
	return viewer != nil && (viewer.IsAdmin || viewer.UserID == v.OwnerID)
}

// metadata serves GET /videos/{id}: the video as JSON.
func (h *restVideos) metadata(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	owner, err := h.store.UsersByIDs(r.Context(), []uuid.UUID{v.OwnerID})
	if err != nil || len(owner) == 0 {
		writeError(w, http.StatusServiceUnavailable, errTryAgain)
		return
	}
	renditions := make([]restRendition, 0, len(v.Renditions))
	for _, rd := range v.Renditions {
		renditions = append(renditions, restRendition{Name: rd.Name, Width: rd.Width, Height: rd.Height, Bandwidth: rd.Bandwidth})
	}
	out := map[string]any{
		"id": shownID(r, v), "title": v.Title, "description": v.Description, "status": v.Status,
		"playable": v.Playable, "privacy": v.Privacy, "duration": v.Duration, "width": v.Width,
		"height": v.Height, "created_at": v.CreatedAt.UTC(), "owner": map[string]any{"id": owner[0].ID, "name": owner[0].Name},
		"processing": map[string]any{"stage": v.Stage, "percent": v.Percent, "error": v.Error},
		"renditions": renditions, "playback": nil,
	}
	if readsPassthrough(r, v) {
		out["passthrough"] = v.Passthrough
	}
	if v.Privacy == store.PrivacyUnlisted {
		// Whoever reads it could reach the video, through the public id
		// or as its owner: the id to share it by.
		out["public_id"] = v.PublicID
	}
	if v.Playable {
		prefix, expires := h.links.Prefix(r.Context(), v.ID, v.Privacy, v.PublicID)
		ref := sharedRef(v)
		playback := map[string]any{
			"hls_url":    layout.URL(prefix, v.ID, layout.Master(v.ID)),
			"playlist":   h.apiURL(r, "/api/v1/videos/"+ref+"/playlist.m3u8"),
			"expires_at": utcTime(expires),
		}
		streams := map[string]string{}
		for _, rd := range v.Renditions {
			streams[rd.Name] = h.apiURL(r, "/stream/"+ref+"/"+rd.Name)
		}
		playback["streams"] = streams
		l := layout.Playback(prefix, v.ID, v.PlaybackObjects())
		playback["poster_url"], playback["storyboard_url"], playback["preview_url"] = l.Poster, l.Storyboard, l.Preview
		out["playback"] = playback
	}
	writeJSON(w, http.StatusOK, out)
}

// masterPlaylist serves GET /api/v1/videos/{id}/playlist.m3u8: the HLS
// master playlist, with absolute URIs into /media/ (signed for private
// videos) so it plays from this address in any player.
func (h *restVideos) masterPlaylist(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	if !v.Playable {
		notPlayableYet(w, v)
		return
	}
	h.servePlaylist(w, r, v, layout.Master(v.ID))
}

// stream serves GET /stream/{id}/{resolution}: one rendition's media
// playlist, playable on its own; 404 names the renditions that exist.
func (h *restVideos) stream(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	name := r.PathValue("resolution")
	var names []string
	for _, rd := range v.Renditions {
		names = append(names, rd.Name)
		if rd.Name == name && v.Playable {
			h.servePlaylist(w, r, v, rd.Playlist)
			return
		}
	}
	if !v.Playable {
		notPlayableYet(w, v)
		return
	}
	slices.Sort(names)
	writeError(w, http.StatusNotFound, apiError{Code: "NOT_FOUND",
		Message: fmt.Sprintf("This video has no %q rendition.", name), Details: map[string]any{"available": names}})
}

func notPlayableYet(w http.ResponseWriter, v store.Video) {
	w.Header().Set("Retry-After", "2")
	writeError(w, http.StatusNotFound, apiError{Code: "NOT_PLAYABLE_YET",
		Message: fmt.Sprintf("The video is not playable yet (%s, %s %.0f%%).", v.Status, v.Stage, v.Percent),
		Details: map[string]any{"status": v.Status, "stage": v.Stage, "percent": v.Percent, "processing_error": v.Error}})
}

// servePlaylist answers with the playlist at key of video v, its URIs
// made absolute media URLs for this viewer (signed for a private video).
func (h *restVideos) servePlaylist(w http.ResponseWriter, r *http.Request, v store.Video, key string) {
	prefix, expires := h.links.Prefix(r.Context(), v.ID, v.Privacy, v.PublicID)
	p := delivery.AbsolutePlaylist{Video: v.ID, Key: key, Prefix: prefix, Private: v.Privacy == store.PrivacyPrivate}
	if expires != nil {
		p.Expires = *expires
	}
	err := h.media.ServeAbsolutePlaylist(w, r, p)
	switch {
	case errors.Is(err, delivery.ErrNoObject):
		writeError(w, http.StatusNotFound, apiError{Code: "NOT_FOUND", Message: "The playlist is not there yet; try again in a moment."})
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, errTryAgain)
	}
}

// utcTime is t in UTC, so every REST timestamp ends in "Z"; nil stays nil.
func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// sharedRef is how the links handed out for v name it: its public id when
// it is UNLISTED (its video id opens it to nobody else but its owner),
// else its id.
func sharedRef(v store.Video) string {
	if v.Privacy == store.PrivacyUnlisted {
		return v.PublicID
	}
	return v.ID.String()
}

// shownID is the "id" a reader of v is shown: for an UNLISTED video read
// by anyone but its owner and administrators (who can only have come
// through its public id), the public id in UUID form (its 16 bytes, as
// GraphQL's Video.id shows it), so that its video id is kept from them.
func shownID(r *http.Request, v store.Video) uuid.UUID {
	viewer, _ := auth.ViewerFrom(r.Context())
	if v.Privacy != store.PrivacyUnlisted || viewer != nil && (viewer.IsAdmin || viewer.UserID == v.OwnerID) {
		return v.ID
	}
	b, err := base64.RawURLEncoding.DecodeString(v.PublicID)
	if err != nil || len(b) != 16 {
		return v.ID
	}
	return uuid.UUID(b)
}
