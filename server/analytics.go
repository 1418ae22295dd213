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
// cannot see (a PRIVATE one of someone else) are dropped. It answers 202 with
// {"accepted","dropped"}; 400 for a malformed batch, 413 past 64 KiB, 415
// for another content type, 429 or 503 with Retry-After when refused.
func analyticsEvents(in *analytics.Ingester, trustProxy bool, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != "application/json" && mt != "text/plain") {
				writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "Send the batch as application/json or text/plain."})
				return
			}
		}
		var b analytics.Batch
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, analytics.MaxBodyBytes))
		if err := dec.Decode(&b); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "A batch may be at most 64 KiB."})
				return
			}
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "The body is not a JSON batch of events."})
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
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case errors.Is(err, analytics.ErrRateLimited):
			w.Header().Set("Retry-After", "10")
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": err.Error()})
		case errors.Is(err, analytics.ErrOverloaded):
			w.Header().Set("Retry-After", "5")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		default:
			logger.ErrorContext(r.Context(), "analytics ingest failed", "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Internal server error."})
		}
	})
}
