package main

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

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
}

func (h *restVideos) load(w http.ResponseWriter, r *http.Request) (store.Video, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "No such video."})
		return store.Video{}, false
	}
	viewer, _ := auth.ViewerFrom(r.Context())
	v, err := h.store.VideoForViewer(r.Context(), id, viewer.Store())
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "No such video."})
		return store.Video{}, false
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Try again shortly."})
		return store.Video{}, false
	}
	return v, true
}

// metadata serves GET /videos/{id}: the video as JSON.
func (h *restVideos) metadata(w http.ResponseWriter, r *http.Request) {
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	owner, err := h.store.UsersByIDs(r.Context(), []uuid.UUID{v.OwnerID})
	if err != nil || len(owner) == 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Try again shortly."})
		return
	}
	out := map[string]any{
		"id": v.ID, "title": v.Title, "description": v.Description, "status": v.Status,
		"playable": v.Playable, "privacy": v.Privacy, "duration": v.Duration, "width": v.Width,
		"height": v.Height, "created_at": v.CreatedAt, "owner": map[string]any{"id": owner[0].ID, "name": owner[0].Name},
		"processing": map[string]any{"stage": v.Stage, "percent": v.Percent, "error": v.Error},
		"renditions": v.Renditions, "playback": nil, "passthrough": v.Passthrough,
	}
	if v.Playable {
		prefix, expires := h.links.Prefix(r.Context(), v.ID, v.Privacy)
		playback := map[string]any{
			"hls_url":    layout.URL(prefix, v.ID, layout.Master(v.ID)),
			"playlist":   "/api/v1/videos/" + v.ID.String() + "/playlist.m3u8",
			"expires_at": expires,
		}
		streams := map[string]string{}
		for _, rd := range v.Renditions {
			streams[rd.Name] = "/stream/" + v.ID.String() + "/" + rd.Name
		}
		playback["streams"] = streams
		if v.PosterKey != nil {
			playback["poster_url"] = layout.URL(prefix, v.ID, *v.PosterKey)
		}
		if v.StoryboardKey != nil {
			playback["storyboard_url"] = layout.URL(prefix, v.ID, *v.StoryboardKey)
		}
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
	writeJSON(w, http.StatusNotFound, map[string]any{
		"error":     fmt.Sprintf("This video has no %q rendition.", name),
		"available": names,
	})
}

func notPlayableYet(w http.ResponseWriter, v store.Video) {
	w.Header().Set("Retry-After", "2")
	writeJSON(w, http.StatusNotFound, map[string]any{
		"error":  fmt.Sprintf("The video is not playable yet (%s, %s %.0f%%).", v.Status, v.Stage, v.Percent),
		"status": v.Status, "stage": v.Stage, "percent": v.Percent, "processing_error": v.Error,
	})
}

// servePlaylist answers with the playlist at key of video v, its URIs
// made absolute media URLs for this viewer (signed for a private video).
func (h *restVideos) servePlaylist(w http.ResponseWriter, r *http.Request, v store.Video, key string) {
	prefix, expires := h.links.Prefix(r.Context(), v.ID, v.Privacy)
	p := delivery.AbsolutePlaylist{Video: v.ID, Key: key, Prefix: prefix, Private: v.Privacy == store.PrivacyPrivate}
	if expires != nil {
		p.Expires = *expires
	}
	err := h.media.ServeAbsolutePlaylist(w, r, p)
	switch {
	case errors.Is(err, delivery.ErrNoObject):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "The playlist is not there yet; try again in a moment."})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Try again shortly."})
	}
}
