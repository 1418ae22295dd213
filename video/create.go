package video

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// CreateUpload makes the video an upload fills, UPLOADING, after checking
// the file size and the owner's quotas against lim (store.LimitError when
// one is exceeded). Nothing is queued: processing starts when the upload
// finishes (StartProcessing).
func (s *Service) CreateUpload(ctx context.Context, nu store.NewUpload, lim store.Limits) (store.Video, error) {
	return s.store.CreateUploadVideo(ctx, nu, lim)
}

// DiscardUpload removes a video whose upload never finished (it was
// cancelled, or its bytes could not be stored). Such a video has no
// processed media, so nothing else is queued; a video that is gone
// already is not an error.
func (s *Service) DiscardUpload(ctx context.Context, id uuid.UUID, viewer store.Viewer) error {
	_, err := s.store.DeleteVideo(ctx, id, viewer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("discard upload %s: %w", id, err)
	}
	return nil
}
