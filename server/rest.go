package main

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// videoStatus serves GET /api/v1/videos/{id}/status: where a video is in
// processing, for scripts polling after POST /upload. Visibility is the
// video's own: unknown and invisible videos are both 404.
func videoStatus(st *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusNotFound, errNoSuchVideo)
			return
		}
		viewer, _ := auth.ViewerFrom(r.Context())
		v, err := st.VideoForViewer(r.Context(), id, viewer.Store())
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, errNoSuchVideo)
			return
		}
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, errTryAgain)
			return
		}
		out := map[string]any{
			"id": v.ID, "status": v.Status, "stage": v.Stage, "percent": v.Percent,
			"playable": v.Playable, "error": v.Error, "duration": v.Duration,
		}
		if readsPassthrough(r, v) {
			out["passthrough"] = v.Passthrough
		}
		writeJSON(w, http.StatusOK, out)
	})
}
