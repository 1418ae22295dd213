// Package upload receives videos: tus resumable uploads (tusd) at /uploads/,
// uploads pre-created by createUpload and reachable through a capability
// URL, and the simple multipart POST /upload. Size limits and quotas are
// checked when an upload is created, before any byte is stored. Videos are
// created through the video service; a finished upload is reported through
// Config.OnFinished (wired to the video service's StartProcessing), so this
// package knows nothing of jobs.
//
// tusd provides creation, creation-with-upload and termination; this
// package adds the checksum and expiration extensions around it.
package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/s3store"
	expslog "golang.org/x/exp/slog"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// BasePath is where the tus server is mounted.
const BasePath = "/uploads/"

// Config configures uploads.
type Config struct {
	// Dir keeps upload bytes and tus metadata. Every API replica that may
	// receive a PATCH, and every worker, must see the same Dir.
	Dir string
	// Limits apply to every user but administrators.
	Limits store.Limits
	// Expiry is how long an unfinished upload may take (tus expiration).
	Expiry time.Duration
	// TrustProxy makes tus Location headers follow X-Forwarded-Host/-Proto.
	TrustProxy bool
	// PublicURL is the instance's public base URL for the absolute links
	// of answers (POST /upload's status_url); empty: the request's.
	PublicURL string
	// Storage, when it selects S3, keeps upload bytes in the same bucket
	// (under "uploads/") so that any API replica can continue any upload
	// and any worker can read it; Dir then only holds short-lived spools.
	Storage storage.Config
	// OnFinished is called once an upload's last byte is stored (tusd's
	// pre-finish hook, POST /upload) to hand the video to processing. It
	// must be idempotent: the upload sweeper reports interrupted finishes
	// again. Required.
	OnFinished func(ctx context.Context, videoID uuid.UUID) error
}

// Service receives uploads.
type Service struct {
	cfg      Config
	store    *store.Store
	videos   *video.Service
	signer   *auth.Signer
	logger   *slog.Logger
	composer *tushandler.StoreComposer
	// local is set when upload bytes are files under Dir that workers can
	// read in place.
	local bool
	tus   *tushandler.Handler
	// progress throttles upload progress writes (progress.go).
	progress progressClock
}

// New builds the upload service. Videos are created through videos; st
// keeps the upload's own bookkeeping (its tus id, its last activity).
func New(cfg Config, st *store.Store, videos *video.Service, signer *auth.Signer, logger *slog.Logger) (*Service, error) {
	if cfg.OnFinished == nil {
		return nil, errors.New("upload: Config.OnFinished is required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("upload: create %s: %w", cfg.Dir, err)
	}
	s := &Service{cfg: cfg, store: st, videos: videos, signer: signer, logger: logger}
	s.composer = tushandler.NewStoreComposer()
	if cfg.Storage.UsesS3() {
		client, err := s3Client(cfg.Storage)
		if err != nil {
			return nil, err
		}
		s3 := s3store.New(cfg.Storage.S3Bucket, client)
		s3.ObjectPrefix = strings.Trim(strings.Trim(cfg.Storage.S3Prefix, "/")+"/uploads", "/")
		s3.TemporaryDirectory = cfg.Dir
		s3.UseIn(s.composer)
		newPGLocker(st.Pool()).UseIn(s.composer)
	} else {
		s.local = true
		filestore.New(cfg.Dir).UseIn(s.composer)
		// Processes sharing Dir on one machine lock through files.
		filelocker.New(cfg.Dir).UseIn(s.composer)
	}

	maxSize := cfg.Limits.MaxFileSize
	h, err := tushandler.NewHandler(tushandler.Config{
		BasePath:                   BasePath,
		StoreComposer:              s.composer,
		MaxSize:                    maxSize,
		DisableDownload:            true,
		DisableConcatenation:       true,
		RespectForwardedHeaders:    cfg.TrustProxy,
		Logger:                     tusLogger(),
		PreUploadCreateCallback:    s.preCreate,
		PreFinishResponseCallback:  s.preFinish,
		PreUploadTerminateCallback: s.preTerminate,
		NetworkTimeout:             60 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("upload: tus handler: %w", err)
	}
	s.tus = h
	return s, nil
}

// Handler serves the tus protocol under BasePath.
func (s *Service) Handler() http.Handler {
	return s.withAccess(withChecksum(s.cfg.Dir, s.cfg.Limits.MaxFileSize, http.StripPrefix(BasePath, s.tus)))
}

// limitsFor returns the limits of a user: none for administrators.
func (s *Service) limitsFor(v *auth.Viewer) store.Limits {
	if v.IsAdmin {
		return store.Limits{MaxFileSize: s.cfg.Limits.MaxFileSize}
	}
	return s.cfg.Limits
}

// Created is a new upload: its video and the URL to send its bytes to.
type Created struct {
	Video store.Video
	// Path is the upload's path with its capability, relative to the
	// server's base URL.
	Path string
}

// Request is what createUpload asks for.
type Request struct {
	Title       string
	Filename    string
	Size        int64
	Description *string
	Privacy     string
	// Passthrough is the caller's own value for the video (nil: none).
	Passthrough *string
	// IdempotencyKey makes a retried Create return the first call's video
	// and upload URL (see video.Service.CreateUploadOnce).
	IdempotencyKey string
}

// Create makes a video and an empty tus upload for it, and returns the
// upload's capability URL path: a stock tus client can PATCH it from offset
// 0 and resume it with HEAD, without credentials, until it expires. With
// an IdempotencyKey the viewer used within 24 hours, it creates nothing and
// returns that call's video and the same URL (the signature covers the
// video and the expiry, both unchanged).
func (s *Service) Create(ctx context.Context, viewer *auth.Viewer, req Request) (Created, error) {
	if req.Size <= 0 {
		return Created{}, &Error{Field: "size", Status: http.StatusBadRequest, Message: emptySizeMessage}
	}
	// Whole seconds: the URL's signature carries the expiry in seconds,
	// and a replay signs the stored expiry again.
	expires := time.Now().Add(s.cfg.Expiry).Truncate(time.Second)
	v, replayed, err := s.videos.CreateUploadOnce(ctx, store.NewUpload{
		OwnerID: viewer.UserID, Title: req.Title, Description: req.Description, Privacy: req.Privacy,
		Filename: req.Filename, Size: req.Size, ExpiresAt: expires,
		Passthrough: req.Passthrough, IdempotencyKey: req.IdempotencyKey,
	}, s.limitsFor(viewer))
	if err != nil {
		return Created{}, limitError(err)
	}
	if replayed {
		return s.replay(ctx, v)
	}
	up, err := s.composer.Core.NewUpload(ctx, tushandler.FileInfo{
		ID: v.ID.String(), Size: req.Size,
		MetaData: tushandler.MetaData{"filename": req.Filename, "title": req.Title, "video_id": v.ID.String()},
	})
	var info tushandler.FileInfo
	if err == nil {
		info, err = up.GetInfo(ctx)
	}
	if err == nil {
		err = s.store.SetUploadID(ctx, v.ID, info.ID)
	}
	if err != nil {
		_ = s.videos.DiscardUpload(context.WithoutCancel(ctx), v.ID, viewer.Store())
		return Created{}, fmt.Errorf("upload: create tus upload: %w", err)
	}
	return Created{Video: v, Path: s.capabilityPath(v.ID, info.ID, expires)}, nil
}

// capabilityPath is the URL path of an upload with its capability.
func (s *Service) capabilityPath(videoID uuid.UUID, uploadID string, expires time.Time) string {
	return BasePath + uploadID + "?sig=" + s.signer.Sign(uploadScope(videoID), expires)
}

// replayWait bounds how long a replayed Create waits for the first call to
// create its tus upload (a concurrent retry arrives while it does).
const replayWait = 10 * time.Second

// replay answers a Create whose idempotency key named an existing video:
// its upload URL, once its tus upload exists. A video already past
// UPLOADING gets its URL too; tus HEAD then says the upload is complete.
func (s *Service) replay(ctx context.Context, v store.Video) (Created, error) {
	deadline := time.Now().Add(replayWait)
	for {
		if v.UploadExpiresAt == nil || v.Status != store.StatusUploading {
			// Finished (or failed): the capability lives as long as the
			// original would have; sign for the full expiry from creation.
			exp := v.CreatedAt.Add(s.cfg.Expiry).Truncate(time.Second)
			if v.UploadExpiresAt != nil {
				exp = *v.UploadExpiresAt
			}
			id, err := s.uploadID(v)
			if err != nil {
				return Created{}, fmt.Errorf("upload: replay %s: %w", v.ID, err)
			}
			return Created{Video: v, Path: s.capabilityPath(v.ID, id, exp)}, nil
		}
		if _, info, err := s.getUpload(ctx, v.ID); err == nil {
			return Created{Video: v, Path: s.capabilityPath(v.ID, info.ID, *v.UploadExpiresAt)}, nil
		}
		if time.Now().After(deadline) {
			return Created{}, fmt.Errorf("upload: replay %s: the first call has not created its upload", v.ID)
		}
		select {
		case <-ctx.Done():
			return Created{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		var err error
		if v, err = s.store.VideoByID(ctx, v.ID); err != nil {
			return Created{}, fmt.Errorf("upload: replay: %w", err)
		}
	}
}

// Unfinished is an upload a client may resume: its video, its capability
// URL path (as Created.Path) and how many bytes the server has.
type Unfinished struct {
	Created
	Offset int64
}

// Unfinished finds the viewer's unfinished, unexpired upload of a file
// with this name and size (store.ErrNotFound when there is none), so that
// an app can resume it from any browser or device instead of creating a
// duplicate. Offset is read from the upload itself, not from the
// throttled progress on the row.
func (s *Service) Unfinished(ctx context.Context, viewer *auth.Viewer, filename string, size int64) (Unfinished, error) {
	v, err := s.videos.UnfinishedUpload(ctx, viewer.Store(), filename, size)
	if err != nil {
		return Unfinished{}, err
	}
	_, info, err := s.getUpload(ctx, v.ID)
	if err != nil {
		if errors.Is(err, tushandler.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return Unfinished{}, fmt.Errorf("unfinished upload %s: %w", v.ID, store.ErrNotFound)
		}
		return Unfinished{}, err
	}
	return Unfinished{
		Created: Created{Video: v, Path: s.capabilityPath(v.ID, info.ID, *v.UploadExpiresAt)},
		Offset:  info.Offset,
	}, nil
}

// videoIDOf returns the video an upload id belongs to: the id itself on
// local disk, the part before "+" in S3 ("<video id>+<multipart id>").
func videoIDOf(uploadID string) (uuid.UUID, error) {
	objectID, _, _ := strings.Cut(uploadID, "+")
	return uuid.Parse(objectID)
}

// uploadID is the tus id of a video's upload.
func (s *Service) uploadID(v store.Video) (string, error) {
	if s.local {
		return v.ID.String(), nil
	}
	if v.UploadID == nil {
		return "", fmt.Errorf("upload of %s: its id was never recorded", v.ID)
	}
	return *v.UploadID, nil
}

// getUpload opens a video's tus upload.
func (s *Service) getUpload(ctx context.Context, videoID uuid.UUID) (tushandler.Upload, tushandler.FileInfo, error) {
	v, err := s.store.VideoByID(ctx, videoID)
	if err != nil {
		return nil, tushandler.FileInfo{}, err
	}
	id, err := s.uploadID(v)
	if err != nil {
		return nil, tushandler.FileInfo{}, err
	}
	up, err := s.composer.Core.GetUpload(ctx, id)
	if err != nil {
		return nil, tushandler.FileInfo{}, fmt.Errorf("upload %s: %w", id, err)
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return nil, tushandler.FileInfo{}, fmt.Errorf("upload %s: %w", id, err)
	}
	return up, info, nil
}

func uploadScope(id uuid.UUID) string { return "upload:" + id.String() }

// Error is an upload refused for a reason the client can act on.
type Error struct {
	Status  int
	Code    string // GraphQL extensions.code
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// PublicCode is the GraphQL extensions.code.
func (e *Error) PublicCode() string {
	if e.Code != "" {
		return e.Code
	}
	return "BAD_USER_INPUT"
}

// PublicField names the offending input field.
func (e *Error) PublicField() string { return e.Field }

// limitError turns a store.LimitError into an Error with the right status:
// 413 for sizes and quotas, 429 for the daily count.
func limitError(err error) error {
	var le *store.LimitError
	if !errors.As(err, &le) {
		return err
	}
	e := &Error{Status: http.StatusRequestEntityTooLarge, Code: "QUOTA_EXCEEDED", Message: le.Error()}
	switch le.Limit {
	case "file_size":
		e.Field = "size"
	case "daily_uploads":
		e.Status = http.StatusTooManyRequests
	}
	return e
}

// Source returns a local file with a finished upload's bytes, and a
// function to call when done with it. Local uploads are read in place; an
// upload in S3 is downloaded to a scratch file that release removes.
func (s *Service) Source(ctx context.Context, id uuid.UUID) (path string, release func(), err error) {
	up, info, err := s.getUpload(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if info.Offset != info.Size {
		return "", nil, fmt.Errorf("upload %s: incomplete (%d of %d bytes)", id, info.Offset, info.Size)
	}
	if s.local {
		if p := info.Storage[filestore.StorageKeyPath]; p != "" {
			return p, func() {}, nil
		}
		return filepath.Join(s.cfg.Dir, id.String()), func() {}, nil
	}
	r, err := up.GetReader(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("upload %s: %w", id, err)
	}
	defer r.Close()
	f, err := os.CreateTemp(s.cfg.Dir, ".source-"+id.String()+"-*")
	if err != nil {
		return "", nil, fmt.Errorf("upload %s: %w", id, err)
	}
	release = func() { os.Remove(f.Name()) }
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != info.Size {
		err = fmt.Errorf("read %d of %d bytes", n, info.Size)
	}
	if err != nil {
		release()
		return "", nil, fmt.Errorf("upload %s: download: %w", id, err)
	}
	return f.Name(), release, nil
}

// InPlace reports whether Source reads uploads in place (local disk)
// rather than downloading them.
func (s *Service) InPlace() bool { return s.local }

// Progress reports how many bytes of an upload have arrived.
func (s *Service) Progress(ctx context.Context, id uuid.UUID) (offset, size int64, err error) {
	_, info, err := s.getUpload(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	return info.Offset, info.Size, nil
}

// Remove deletes an upload's bytes; a missing upload is not an error.
// uploadID is the video's recorded UploadID (empty: none was recorded).
func (s *Service) Remove(ctx context.Context, id uuid.UUID, uploadID string) error {
	if uploadID == "" {
		if !s.local {
			return nil // never created in the store
		}
		uploadID = id.String()
	}
	up, err := s.composer.Core.GetUpload(ctx, uploadID)
	if errors.Is(err, tushandler.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove upload %s: %w", id, err)
	}
	if err := s.composer.Terminater.AsTerminatableUpload(up).Terminate(ctx); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove upload %s: %w", id, err)
	}
	return nil
}

// finish reports a complete upload (Config.OnFinished). Failures are
// logged, not returned: the bytes are safe and the upload sweeper retries.
func (s *Service) finish(ctx context.Context, id uuid.UUID) {
	if err := s.cfg.OnFinished(ctx, id); err != nil {
		s.logger.ErrorContext(ctx, "could not start processing; the upload sweeper will retry", "video_id", id, "error", err)
	}
}

func metaTitle(meta map[string]string) string {
	for _, k := range []string{"title", "name", "filename"} {
		if t := strings.TrimSpace(meta[k]); t != "" {
			if k != "title" {
				t = strings.TrimSuffix(t, filepath.Ext(t))
			}
			if len([]rune(t)) > 200 {
				t = string([]rune(t)[:200])
			}
			if t != "" {
				return t
			}
		}
	}
	return "Untitled video"
}

// tusLogger gives tusd (which logs through golang.org/x/exp/slog) warnings
// and errors only: its per-request lines would repeat the access log.
func tusLogger() *expslog.Logger {
	return expslog.New(expslog.NewTextHandler(os.Stderr, &expslog.HandlerOptions{Level: expslog.LevelWarn})).
		With("component", "tusd")
}
