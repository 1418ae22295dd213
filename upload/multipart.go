package upload

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"

	tushandler "github.com/tus/tusd/v2/pkg/handler"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// multipartOverhead is allowed on top of the file size limit for the form's
// boundaries, headers and title field.
const multipartOverhead = 64 << 10

// HandleMultipart serves POST /upload: a multipart form with the file in
// field "file" and an optional "title". It is the simple, non-resumable
// path for small files and scripts; it answers 202 with
// {"id","status","status_url"} once the file is stored and processing is
// queued. A request whose Content-Length exceeds the per-file limit is
// refused before its body is read.
func (s *Service) HandleMultipart(w http.ResponseWriter, r *http.Request) {
	viewer, err := auth.Require(r.Context())
	if err != nil {
		auth.WriteError(w, http.StatusUnauthorized, &auth.Error{Code: "UNAUTHENTICATED", Message: "Log in (session cookie or Authorization: Bearer) to upload."})
		return
	}
	if err := viewer.CheckScope(auth.ScopeUploadsWrite); err != nil {
		writeError(w, http.StatusForbidden, err.Error())
		return
	}
	lim := s.limitsFor(viewer)
	if lim.MaxFileSize > 0 {
		if r.ContentLength > lim.MaxFileSize+multipartOverhead {
			writeError(w, http.StatusRequestEntityTooLarge, (&store.LimitError{Limit: "file_size", Value: lim.MaxFileSize}).Error())
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, lim.MaxFileSize+multipartOverhead)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "Send a multipart/form-data body with the video in the field \"file\".")
		return
	}
	var title, filename string
	var spool *os.File
	defer func() {
		if spool != nil {
			spool.Close()
			os.Remove(spool.Name())
		}
	}()
	var size int64
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(w, statusOf(err), "The form could not be read: "+readableMultipartError(err))
			return
		}
		switch part.FormName() {
		case "title":
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			title = strings.TrimSpace(string(b))
		case "file":
			if spool != nil {
				writeError(w, http.StatusBadRequest, "Send one file per request.")
				return
			}
			filename = part.FileName()
			spool, err = os.CreateTemp(s.cfg.Dir, ".form-*")
			if err != nil {
				writeError(w, http.StatusInternalServerError, "The upload could not be stored; try again.")
				return
			}
			size, err = io.Copy(spool, part)
			if err != nil {
				writeError(w, statusOf(err), "The upload did not arrive completely: "+readableMultipartError(err))
				return
			}
		}
		part.Close()
	}
	if spool == nil || size == 0 {
		writeError(w, http.StatusBadRequest, "The form has no file, or the file is empty: send the video in the field \"file\".")
		return
	}
	if title == "" {
		title = metaTitle(map[string]string{"filename": filename})
	}
	v, err := s.videos.CreateUpload(r.Context(), store.NewUpload{
		OwnerID: viewer.UserID, Title: title, Filename: filename, Size: size,
		ExpiresAt: time.Now().Add(s.cfg.Expiry),
	}, lim)
	if err != nil {
		var ue *Error
		if errors.As(limitError(err), &ue) {
			writeError(w, ue.Status, ue.Message)
			return
		}
		s.logger.ErrorContext(r.Context(), "multipart upload", "error", err)
		writeError(w, http.StatusInternalServerError, "The upload could not be stored; try again.")
		return
	}
	if err := s.storeSpool(r, v, spool, size, filename); err != nil {
		s.logger.ErrorContext(r.Context(), "multipart upload", "video_id", v.ID, "error", err)
		_ = s.videos.DiscardUpload(r.Context(), v.ID, viewer.Store())
		writeError(w, http.StatusInternalServerError, "The upload could not be stored; try again.")
		return
	}
	s.finish(r.Context(), v.ID)
	writeJSON(w, http.StatusAccepted, map[string]string{
		"id": v.ID.String(), "status": store.StatusProcessing,
		"status_url": s.absoluteURL(r, "/api/v1/videos/"+v.ID.String()+"/status"),
	})
}

// absoluteURL is path under the configured public URL, else under the
// request's own base (auth.Middleware puts it in the context).
func (s *Service) absoluteURL(r *http.Request, path string) string {
	base := s.cfg.PublicURL
	if base == "" {
		base = auth.ClientFrom(r.Context()).BaseURL
	}
	return strings.TrimSuffix(base, "/") + path
}

// storeSpool moves the received file into an upload of its own, so every
// source lives in the same place whichever way it came.
func (s *Service) storeSpool(r *http.Request, v store.Video, spool *os.File, size int64, filename string) error {
	up, err := s.composer.Core.NewUpload(r.Context(), tushandler.FileInfo{
		ID: v.ID.String(), Size: size,
		MetaData: tushandler.MetaData{"filename": filename, "title": v.Title, "video_id": v.ID.String()},
	})
	if err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = up.WriteChunk(r.Context(), 0, spool)
	return err
}

func statusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func readableMultipartError(err error) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "it is larger than the upload limit."
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) {
		return "a form field is too large."
	}
	return err.Error()
}

// writeError answers like the REST API: {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, status int, msg string) {
	code := map[int]string{http.StatusForbidden: "FORBIDDEN", http.StatusRequestEntityTooLarge: "PAYLOAD_TOO_LARGE",
		http.StatusInternalServerError: "INTERNAL", http.StatusTooManyRequests: "RATE_LIMITED"}[status]
	if code == "" {
		code = "BAD_USER_INPUT"
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
