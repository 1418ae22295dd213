package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
)

// analyticsIngest is the Ingester's configuration from the settings.
func (c *Config) analyticsIngest() analytics.IngestConfig {
	return analytics.IngestConfig{IPRate: float64(c.AnalyticsIPRate)}
}

// analyticsEvents answers POST /api/v1/analytics/events: one batch of
// player events as JSON (analytics.Batch), sent as application/json or as
// text/plain so that navigator.sendBeacon can send it without a CORS
// preflight. No authentication is needed, but events of a video the caller
// cannot see (a PRIVATE one of someone else, an UNLISTED one named by its
// id rather than its public id) are dropped. The batch names the video as
// the player opened it, by id or by public id (analytics.Batch.VideoID).
// It answers 202 with
// {"accepted","dropped"}; 400 for a malformed batch, 413 past 64 KiB, 415
// for another content type, 429 or 503 with Retry-After when refused.
func analyticsEvents(in *analytics.Ingester, trustProxy bool, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != "application/json" && mt != "text/plain") {
				writeError(w, http.StatusUnsupportedMediaType, apiError{Code: "UNSUPPORTED_MEDIA_TYPE", Message: "Send the batch as application/json or text/plain."})
				return
			}
		}
		var b analytics.Batch
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, analytics.MaxBodyBytes))
		if err := dec.Decode(&b); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, apiError{Code: "PAYLOAD_TOO_LARGE", Message: "A batch may be at most 64 KiB."})
				return
			}
			writeError(w, http.StatusBadRequest, apiError{Code: "BAD_USER_INPUT", Message: "The body is not a JSON batch of events."})
			return
		}
		// Anonymous is the usual caller; a signed-in one (cookie or bearer)
		// may also report playback of their own private videos.
		caller := analytics.Caller{IP: auth.ClientIP(r, trustProxy)}
		if v, err := auth.ViewerFrom(r.Context()); err == nil && v != nil {
			caller.UserID, caller.IsAdmin = v.UserID, v.IsAdmin
		}
		res, err := in.Ingest(r.Context(), &b, caller)
		switch {
		case err == nil:
			writeJSON(w, http.StatusAccepted, res)
		case errors.Is(err, analytics.ErrBadBatch):
			writeError(w, http.StatusBadRequest, apiError{Code: "BAD_USER_INPUT", Message: err.Error()})
		case errors.Is(err, analytics.ErrRateLimited):
			w.Header().Set("Retry-After", "10")
			writeError(w, http.StatusTooManyRequests, apiError{Code: "RATE_LIMITED", Message: err.Error()})
		case errors.Is(err, analytics.ErrOverloaded):
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, apiError{Code: "UNAVAILABLE", Message: err.Error()})
		default:
			logger.ErrorContext(r.Context(), "analytics ingest failed", "error", err)
			writeError(w, http.StatusInternalServerError, apiError{Code: "INTERNAL", Message: "Internal server error."})
		}
	})
}
