package upload

import (
	"context"
	"fmt"
	"os"

	"github.com/google/uuid"
	tushandler "github.com/tus/tusd/v2/pkg/handler"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// LimitsFor returns the upload limits of a viewer (none but the file size
// for administrators): a clip is held to them like an upload.
func (s *Service) LimitsFor(v *auth.Viewer) store.Limits { return s.limitsFor(v) }

// StoreSource makes the file at path the finished upload of video id (a
// clip's cut, made by a job), so every source lives in the same place
// whichever way it came, and records its id.
func (s *Service) StoreSource(ctx context.Context, id uuid.UUID, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	up, err := s.composer.Core.NewUpload(ctx, tushandler.FileInfo{
		ID: id.String(), Size: fi.Size(),
		MetaData: tushandler.MetaData{"filename": "clip.mp4", "video_id": id.String()},
	})
	if err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	if _, err := up.WriteChunk(ctx, 0, f); err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	if err := up.FinishUpload(ctx); err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return fmt.Errorf("store source of %s: %w", id, err)
	}
	return s.store.SetUploadID(ctx, id, info.ID)
}

// QuotaError turns a *store.LimitError into the error uploads report
// (QUOTA_EXCEEDED), and returns any other error as it is.
func QuotaError(err error) error { return limitError(err) }
