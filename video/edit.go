package video

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/store"
)

// Update changes a video's title, description and privacy (nil fields
// keep their value) for its owner or an administrator.
func (s *Service) Update(ctx context.Context, id uuid.UUID, viewer store.Viewer, c store.VideoChanges) (store.Video, error) {
	v, err := s.store.UpdateVideo(ctx, id, viewer, c)
	if err != nil || c.Description == nil {
		return v, err
	}
	return v, s.publishChapters(ctx, v) // the description's chapters may have changed
}

// Delete deletes a video the viewer owns (or any, for administrators)
// and, in the same transaction, queues the removal of its upload and
// everything stored for it: the row cannot go without its files following.
func (s *Service) Delete(ctx context.Context, id uuid.UUID, viewer store.Viewer) error {
	return s.store.InTx(ctx, func(tx pgx.Tx) error {
		v, err := s.store.DeleteVideoTx(ctx, tx, id, viewer)
		if err != nil {
			return err
		}
		uploadID := ""
		if v.UploadID != nil {
			uploadID = *v.UploadID
		}
		return s.queue.DeleteMediaTx(ctx, tx, id, uploadID)
	})
}
