package video

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/store"
)

// StartProcessing moves a video whose upload finished to PROCESSING and
// queues its first job in the same transaction. It does nothing for a
// video that is not UPLOADING (already started, deleted), so the upload
// hook and the upload sweeper may both call it.
func (s *Service) StartProcessing(ctx context.Context, id uuid.UUID) error {
	return s.store.InTx(ctx, func(tx pgx.Tx) error {
		ok, err := s.store.MarkUploadedTx(ctx, tx, id)
		if err != nil || !ok {
			return err
		}
		if err := s.queue.ProcessTx(ctx, tx, id); err != nil {
			return fmt.Errorf("start processing %s: %w", id, err)
		}
		return nil
	})
}

// RetryProcessing starts a FAILED or READY video's processing over from
// its upload, in one transaction with its first job, and returns the
// video as it is now. A video that is still uploading or processing, or
// whose upload never finished, gives a *StateError; one the viewer cannot
// change gives store.ErrNotFound or store.ErrForbidden.
func (s *Service) RetryProcessing(ctx context.Context, id uuid.UUID, viewer store.Viewer) (store.Video, error) {
	var restarted bool
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		restarted, err = s.store.RestartProcessingTx(ctx, tx, id, viewer)
		if err != nil || !restarted {
			return err
		}
		if err := s.queue.ProcessTx(ctx, tx, id); err != nil {
			return fmt.Errorf("retry processing %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return store.Video{}, err
	}
	v, err := s.owned(ctx, id, viewer)
	if err != nil || restarted {
		return v, err
	}
	// Nothing matched: say why.
	if v.Status == store.StatusReady || v.Status == store.StatusFailed {
		return store.Video{}, &StateError{Status: v.Status, Message: "This video has no finished upload to process again."}
	}
	return store.Video{}, &StateError{Status: v.Status,
		Message: fmt.Sprintf("The video is %s; only a FAILED or READY video can be processed again.", v.Status)}
}
