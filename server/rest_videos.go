package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// restVideos serves the original Clip-Cut and CineScale REST endpoints.
// Visibility is the video's own: a private video is 404 to everyone but its
// owner (and administrators), exactly as in GraphQL.
type restVideos struct {
	store *store.Store
	media storage.Bucket
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
		"renditions": v.Renditions, "playback": nil,
	}
	if v.Playable {
		prefix, expires := h.links.Prefix(r.Context(), v.ID, v.Privacy)
		playback := map[string]any{
			"hls_url":    prefix + "/hls/master.m3u8",
			"playlist":   "/api/v1/videos/" + v.ID.String() + "/playlist.m3u8",
			"expires_at": expires,
		}
		streams := map[string]string{}
		for _, rd := range v.Renditions {
			streams[rd.Name] = "/stream/" + v.ID.String() + "/" + rd.Name
		}
		playback["streams"] = streams
		if v.PosterKey != nil {
			playback["poster_url"] = prefix + strings.TrimPrefix(*v.PosterKey, jobs.VideoPrefix(v.ID))
		}
		if v.StoryboardKey != nil {
			playback["storyboard_url"] = prefix + strings.TrimPrefix(*v.StoryboardKey, jobs.VideoPrefix(v.ID))
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
	prefix, _ := h.links.Prefix(r.Context(), v.ID, v.Privacy)
	h.servePlaylist(w, r, v, jobs.MasterPlaylistKey(v.ID), prefix+"/hls/")
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
			prefix, _ := h.links.Prefix(r.Context(), v.ID, v.Privacy)
			h.servePlaylist(w, r, v, rd.Playlist, prefix+"/hls/"+rd.Name+"/")
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

func (h *restVideos) servePlaylist(w http.ResponseWriter, r *http.Request, v store.Video, key, base string) {
	body, err := readObject(r.Context(), h.media, key)
	if errors.Is(err, storage.ErrNotExist) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "The playlist is not there yet; try again in a moment."})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "Try again shortly."})
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if v.Privacy == store.PrivacyPrivate {
		// The body carries signed URLs for this viewer.
		w.Header().Set("Cache-Control", "private, no-store")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=10")
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(absolutize(body, base))
}

func readObject(ctx context.Context, b storage.Bucket, key string) ([]byte, error) {
	rc, _, err := b.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 8<<20))
}

var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

// absolutize rewrites a playlist's relative URIs (segment and playlist
// lines, and URI="..." attributes) to absolute ones under base.
func absolutize(playlist []byte, base string) []byte {
	abs := func(u string) string {
		if u == "" || strings.Contains(u, "://") || strings.HasPrefix(u, "/") {
			return u
		}
		return base + u
	}
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(playlist), "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(trimmed, "#"):
			line = uriAttr.ReplaceAllStringFunc(line, func(m string) string {
				return `URI="` + abs(uriAttr.FindStringSubmatch(m)[1]) + `"`
			})
		case trimmed != "":
			line = abs(trimmed) + line[len(trimmed):]
		}
		out.WriteString(line)
	}
	return out.Bytes()
}
