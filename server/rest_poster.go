package main

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// posterUpload serves PUT /api/v1/videos/{id}/poster: the body, a JPEG,
// PNG or WebP image of at most video.MaxPosterBytes, becomes the poster
// of a READY video the caller owns (updateVideo's rules; tokens need
// videos:write, checked by the route). A declared Content-Length over the
// limit is refused before anything is read, and the body is cut off at
// the limit whatever it declares. Errors are JSON in GraphQL's shape,
// {"error": {"code", "message", "field"}}.
func posterUpload(videos *video.Service, links *mediaLinks) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, code, message, field string) {
			writeError(w, status, apiError{Code: code, Message: message, Field: field})
		}
		viewer, err := auth.Require(r.Context())
		if err != nil {
			fail(http.StatusUnauthorized, "UNAUTHENTICATED", "Sign in or send an API token to change a poster.", "")
			return
		}
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			fail(http.StatusNotFound, "NOT_FOUND", "No such video.", "")
			return
		}
		tooLarge := func() {
			fail(http.StatusRequestEntityTooLarge, "BAD_USER_INPUT", "The image is over 10 MB.", "image")
		}
		if r.ContentLength > video.MaxPosterBytes {
			tooLarge()
			return
		}
		body := http.MaxBytesReader(w, r.Body, video.MaxPosterBytes)
		v, err := videos.UploadPoster(r.Context(), id, viewer.Store(), body)
		var input *video.InputError
		var state *video.StateError
		switch {
		case err == nil:
			prefix, _ := links.Prefix(r.Context(), v.ID, v.Privacy, v.PublicID)
			out := map[string]any{"id": v.ID, "poster_url": nil}
			if v.PosterKey != nil {
				out["poster_url"] = layout.URL(prefix, v.ID, *v.PosterKey)
			}
			writeJSON(w, http.StatusOK, out)
		case errors.Is(err, video.ErrPosterTooLarge):
			tooLarge()
		case errors.As(err, &input):
			fail(http.StatusBadRequest, input.PublicCode(), input.Message, input.Field)
		case errors.As(err, &state):
			fail(http.StatusConflict, "BAD_USER_INPUT", state.Message, "id")
		case errors.Is(err, store.ErrNotFound):
			fail(http.StatusNotFound, "NOT_FOUND", "No such video.", "")
		case errors.Is(err, store.ErrForbidden):
			fail(http.StatusForbidden, "FORBIDDEN", "You are not allowed to do that.", "")
		default:
			fail(http.StatusInternalServerError, "INTERNAL", "Internal server error.", "")
		}
	})
}
