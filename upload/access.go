package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tushandler "github.com/tus/tusd/v2/pkg/handler"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// loginMessage tells an anonymous client how to upload.
const loginMessage = "Log in (session cookie or Authorization: Bearer), or use the upload URL createUpload returned."

// touchEvery is how often a PATCH records upload activity; well under
// the sweeper's two minutes of idleness.
const touchEvery = 30 * time.Second

// withAccess guards the tus endpoints. Creating (POST) needs a signed-in
// user (checked in preCreate, where quotas are). Everything on an existing
// upload (HEAD, PATCH, DELETE) needs the upload's capability (?sig=...)
// or its owner's credentials. It also adds what tusd lacks: Upload-Expires
// on unfinished uploads and the checksum and expiration extensions in the
// OPTIONS answer.
func (s *Service) withAccess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, BasePath)
		switch {
		case r.Method == http.MethodOptions:
			next.ServeHTTP(&extensionsWriter{ResponseWriter: w}, r)
			return
		case r.Method == http.MethodPost && rest == "":
			if max := s.cfg.Limits.MaxFileSize; max > 0 {
				if n, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64); err == nil && n > max {
					tusError(w, http.StatusRequestEntityTooLarge, "ERR_MAX_SIZE_EXCEEDED",
						(&store.LimitError{Limit: "file_size", Value: max}).Error())
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		id, err := videoIDOf(rest)
		if err != nil {
			tusError(w, http.StatusNotFound, "ERR_UPLOAD_NOT_FOUND", "No such upload.")
			return
		}
		v, err := s.store.VideoByID(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			tusError(w, http.StatusNotFound, "ERR_UPLOAD_NOT_FOUND", "No such upload.")
			return
		}
		if err != nil {
			s.logger.ErrorContext(r.Context(), "upload access", "video_id", id, "error", err)
			tusError(w, http.StatusServiceUnavailable, "ERR_INTERNAL", "Try again shortly.")
			return
		}
		if status, msg := s.authorize(r, v); status == http.StatusUnauthorized {
			WriteRefusal(w, r, status, &auth.Error{Code: "UNAUTHENTICATED", Message: msg})
			return
		} else if status != 0 {
			tusError(w, status, "ERR_FORBIDDEN", msg)
			return
		}
		if v.Status == store.StatusUploading && v.UploadExpiresAt != nil {
			if time.Now().After(*v.UploadExpiresAt) {
				tusError(w, http.StatusGone, "ERR_UPLOAD_EXPIRED", "This upload expired before it finished; start a new one.")
				return
			}
			w.Header().Set("Upload-Expires", v.UploadExpiresAt.UTC().Format(http.TimeFormat))
		}
		if v.UploadID == nil || *v.UploadID != rest {
			// A tus POST learns its final id only after creation (S3 adds
			// the multipart id): remember it on first use.
			if err := s.store.SetUploadID(r.Context(), id, rest); err != nil {
				s.logger.WarnContext(r.Context(), "record upload id", "video_id", id, "error", err)
			}
		}
		// The touch keeps the upload sweeper (which looks at uploads idle
		// for two minutes) away from an active upload. Once per touchEvery
		// is enough: touching on every PATCH cost a committed UPDATE (a WAL
		// fsync, on a disk busy with the upload's own bytes) per chunk.
		if r.Method == http.MethodPatch && v.Status == store.StatusUploading && time.Since(v.UpdatedAt) >= touchEvery {
			if err := s.store.TouchUpload(r.Context(), id); err != nil {
				s.logger.WarnContext(r.Context(), "touch upload", "video_id", id, "error", err)
			}
		}
		if r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		body, ok := s.preparePatch(w, r, v, rest)
		if !ok {
			return
		}
		next.ServeHTTP(w, r)
		if body != nil {
			body.done()
		}
	})
}

// preparePatch checks a PATCH before tusd stores its bytes; it answers
// and returns false when the PATCH is refused. A FAILED video's upload
// has ended (410). The first PATCH (offset 0) of a file is sniffed: first
// bytes that are no video or audio container are refused with 415, and the
// video fails for good with the reason (it stays listed, FAILED and not
// retryable, so the creator and webhooks learn why; deleting it is theirs
// to do), its upload removed. Bytes of an UPLOADING video are counted
// as they arrive (progress.go).
func (s *Service) preparePatch(w http.ResponseWriter, r *http.Request, v store.Video, uploadID string) (*progressBody, bool) {
	ctx := r.Context()
	switch v.Status {
	case store.StatusFailed:
		msg := "This upload has ended"
		if v.Error != nil {
			msg += ": " + *v.Error
		}
		tusError(w, http.StatusGone, "ERR_UPLOAD_ENDED", msg)
		return nil, false
	case store.StatusUploading:
	default:
		return nil, true // finished: tusd answers with the final offset
	}
	offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		return nil, true // tusd refuses it
	}
	if offset == 0 && v.UploadSize >= minSniff && r.Body != nil {
		head := make([]byte, min(int64(sniffSize), v.UploadSize))
		n, err := io.ReadFull(r.Body, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			tusError(w, http.StatusBadRequest, "ERR_READ", "The chunk did not arrive completely; retry it.")
			return nil, false
		}
		head = head[:n]
		if n >= minSniff && !looksLikeMedia(head) {
			s.refuseNotAVideo(ctx, v, uploadID)
			tusError(w, http.StatusUnsupportedMediaType, "ERR_NOT_A_VIDEO", notAVideoMessage)
			return nil, false
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	}
	body := s.trackProgress(ctx, v.ID, offset, r.ContentLength, r.Body)
	r.Body = body
	return body, true
}

// refuseNotAVideo fails a video whose file the sniff refused and removes
// its (empty) upload.
func (s *Service) refuseNotAVideo(ctx context.Context, v store.Video, uploadID string) {
	ctx = context.WithoutCancel(ctx)
	if err := s.videos.RejectUpload(ctx, v.ID, notAVideoMessage); err != nil {
		s.logger.ErrorContext(ctx, "reject upload", "video_id", v.ID, "error", err)
		return
	}
	s.progress.forget(v.ID)
	if err := s.Remove(ctx, v.ID, uploadID); err != nil {
		s.logger.WarnContext(ctx, "remove refused upload", "video_id", v.ID, "error", err)
	}
	s.logger.InfoContext(ctx, "upload refused: not a video", "video_id", v.ID)
}

// authorize returns 0 when r may act on v's upload, else a status and why.
func (s *Service) authorize(r *http.Request, v store.Video) (int, string) {
	if sig := r.URL.Query().Get("sig"); sig != "" {
		switch err := s.signer.Verify(uploadScope(v.ID), sig, time.Now()); {
		case err == nil:
			return 0, ""
		case errors.Is(err, auth.ErrExpired):
			return http.StatusForbidden, "This upload URL has expired."
		default:
			return http.StatusForbidden, "This upload URL is not valid."
		}
	}
	viewer, err := auth.Require(r.Context())
	if err != nil {
		return http.StatusUnauthorized, loginMessage
	}
	if viewer.UserID != v.OwnerID && !viewer.IsAdmin {
		return http.StatusForbidden, "This upload belongs to someone else."
	}
	if err := viewer.CheckScope(auth.ScopeUploadsWrite); err != nil {
		return http.StatusForbidden, err.Error()
	}
	return 0, ""
}

// WriteRefusal answers a tus request refused for its credentials (see
// auth.Middleware; also an anonymous request that needs them): status
// with the tus version header and a JSON body,
// {"error": {"code": "UNAUTHENTICATED", "message": ...}}, as the REST API
// answers. tus clients (tus-js-client's onError, for one) hand the body to
// the application.
func WriteRefusal(w http.ResponseWriter, _ *http.Request, status int, err *auth.Error) {
	w.Header().Set("Tus-Resumable", "1.0.0")
	auth.WriteError(w, status, err)
}

// errUnauthenticated is preCreate's refusal of an anonymous POST, in the
// body WriteRefusal writes (a tusd hook's error sets the whole answer).
var errUnauthenticated = func() tushandler.Error {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "UNAUTHENTICATED", "message": loginMessage}})
	return tushandler.Error{ErrorCode: "UNAUTHENTICATED", Message: loginMessage, HTTPResponse: tushandler.HTTPResponse{
		StatusCode: http.StatusUnauthorized, Body: string(body) + "\n",
		Header: tushandler.HTTPHeader{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
	}}
}()

// tusError writes an error the way tusd does, with the tus version header
// clients expect on every response.
func tusError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Tus-Resumable", "1.0.0")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(code + ": " + msg + "\n"))
}

// extensionsWriter appends the extensions implemented around tusd to its
// OPTIONS answer.
type extensionsWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *extensionsWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		h := w.Header()
		if ext := h.Get("Tus-Extension"); ext != "" {
			h.Set("Tus-Extension", ext+",checksum,expiration")
			h.Set("Tus-Checksum-Algorithm", strings.Join(checksumAlgorithms, ","))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (tusd sets
// read and write deadlines through it).
func (w *extensionsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *extensionsWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}
