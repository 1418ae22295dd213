package upload

import (
	"errors"
	"net/http"
	"strings"
	"time"

	tushandler "github.com/tus/tusd/v2/pkg/handler"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// emptySizeMessage refuses an empty file, on every upload path.
const emptySizeMessage = "size must be the file's size in bytes, greater than 0."

// preCreate runs before tusd stores anything for a POST: it authenticates,
// checks the size and quotas, and creates the video the upload belongs to.
// The upload takes the video's id.
func (s *Service) preCreate(hook tushandler.HookEvent) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
	var none tushandler.FileInfoChanges
	viewer, err := auth.Require(hook.Context)
	if err != nil {
		return tushandler.HTTPResponse{}, none, errUnauthenticated
	}
	if err := viewer.CheckScope(auth.ScopeUploadsWrite); err != nil {
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_FORBIDDEN", err.Error(), http.StatusForbidden)
	}
	if hook.Upload.SizeIsDeferred {
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_LENGTH_REQUIRED", "Upload-Length is required: clipcut checks size limits before accepting bytes.", http.StatusBadRequest)
	}
	if hook.Upload.Size <= 0 {
		// tusd finishes an empty upload at once, which would make a video
		// that fails at probe and still counts against the daily limit.
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_EMPTY_UPLOAD", emptySizeMessage, http.StatusBadRequest)
	}
	meta := hook.Upload.MetaData
	privacy := strings.ToUpper(strings.TrimSpace(meta["privacy"]))
	switch privacy {
	case "", store.PrivacyPublic, store.PrivacyUnlisted, store.PrivacyPrivate:
	default:
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_BAD_METADATA", "privacy must be PUBLIC, UNLISTED or PRIVATE.", http.StatusBadRequest)
	}
	var description *string
	if d := strings.TrimSpace(meta["description"]); d != "" {
		description = &d
	}
	filename := meta["filename"]
	if filename == "" {
		filename = meta["name"]
	}
	if len(filename) > 255 {
		filename = filename[:255]
	}
	var passthrough *string
	if p, ok := meta["passthrough"]; ok && p != "" {
		passthrough = &p
	}
	expires := time.Now().Add(s.cfg.Expiry)
	// No idempotency key here: tus creation has none, and a client that
	// retries a POST resumes with the Location it was given.
	v, _, err := s.videos.CreateUploadOnce(hook.Context, store.NewUpload{
		OwnerID: viewer.UserID, Title: metaTitle(meta), Description: description, Privacy: privacy,
		Filename: filename, Size: hook.Upload.Size, ExpiresAt: expires, Passthrough: passthrough,
	}, s.limitsFor(viewer))
	var ie *video.InputError
	if errors.As(err, &ie) {
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_BAD_METADATA", ie.Message, http.StatusBadRequest)
	}
	if err != nil {
		var ue *Error
		if errors.As(limitError(err), &ue) {
			return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_QUOTA_EXCEEDED", ue.Message, ue.Status)
		}
		s.logger.ErrorContext(hook.Context, "create upload video", "error", err)
		return tushandler.HTTPResponse{}, none, tushandler.NewError("ERR_INTERNAL", "The upload could not be created; try again.", http.StatusInternalServerError)
	}
	changes := tushandler.FileInfoChanges{ID: v.ID.String(), MetaData: tushandler.MetaData{
		"filename": filename, "title": v.Title, "video_id": v.ID.String(),
	}}
	resp := tushandler.HTTPResponse{Header: tushandler.HTTPHeader{
		"Upload-Expires": expires.UTC().Format(http.TimeFormat),
		"X-Video-Id":     v.ID.String(),
	}}
	return resp, changes, nil
}

// preFinish runs when the last byte has been stored, before the client is
// answered: the video moves to PROCESSING with its first job.
func (s *Service) preFinish(hook tushandler.HookEvent) (tushandler.HTTPResponse, error) {
	id, err := videoIDOf(hook.Upload.ID)
	if err != nil {
		return tushandler.HTTPResponse{}, nil
	}
	if err := s.store.SetUploadID(hook.Context, id, hook.Upload.ID); err != nil {
		s.logger.ErrorContext(hook.Context, "record upload id", "video_id", id, "error", err)
	}
	s.progress.forget(id)
	s.finish(hook.Context, id)
	return tushandler.HTTPResponse{Header: tushandler.HTTPHeader{"X-Video-Id": id.String()}}, nil
}

// preTerminate lets a client cancel an unfinished upload (tus termination):
// its video goes too. A finished upload belongs to its video: delete that.
func (s *Service) preTerminate(hook tushandler.HookEvent) (tushandler.HTTPResponse, error) {
	id, err := videoIDOf(hook.Upload.ID)
	if err != nil {
		return tushandler.HTTPResponse{}, tushandler.ErrNotFound
	}
	v, err := s.store.VideoByID(hook.Context, id)
	if errors.Is(err, store.ErrNotFound) {
		return tushandler.HTTPResponse{}, nil
	}
	if err != nil {
		return tushandler.HTTPResponse{}, err
	}
	if v.Status != store.StatusUploading {
		return tushandler.HTTPResponse{}, tushandler.NewError("ERR_UPLOAD_FINISHED",
			"The upload has finished; delete the video (deleteVideo) instead.", http.StatusConflict)
	}
	if err := s.videos.DiscardUpload(hook.Context, id, store.Viewer{UserID: v.OwnerID}); err != nil {
		return tushandler.HTTPResponse{}, err
	}
	return tushandler.HTTPResponse{}, nil
}
