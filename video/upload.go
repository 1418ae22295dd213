package video

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/store"
)

// MaxPassthrough is the longest passthrough value a video may carry, in
// characters.
const MaxPassthrough = 255

// CreateUploadOnce is CreateUpload honouring nu.IdempotencyKey: a key the
// owner used within store.IdempotencyWindow returns the video it created,
// with replayed set, and creates nothing. A key reused for a file of
// another size is refused (BAD_USER_INPUT on idempotencyKey).
func (s *Service) CreateUploadOnce(ctx context.Context, nu store.NewUpload, lim store.Limits) (v store.Video, replayed bool, err error) {
	if nu.Passthrough != nil && len([]rune(*nu.Passthrough)) > MaxPassthrough {
		return store.Video{}, false, badInput("passthrough", "passthrough is at most %d characters.", MaxPassthrough)
	}
	if len(nu.IdempotencyKey) > 255 {
		return store.Video{}, false, badInput("idempotencyKey", "idempotencyKey is at most 255 bytes.")
	}
	v, replayed, err = s.store.CreateUploadVideoOnce(ctx, nu, lim)
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return store.Video{}, false, badInput("idempotencyKey",
			"This idempotencyKey created an upload of another size within the last 24 hours; use a new key for a new file.")
	}
	return v, replayed, err
}

// UnfinishedUpload returns the viewer's UPLOADING video of a file with
// this name and size whose upload has not expired (store.ErrNotFound when
// there is none), so a client can resume it instead of starting again.
func (s *Service) UnfinishedUpload(ctx context.Context, viewer store.Viewer, filename string, size int64) (store.Video, error) {
	return s.store.UnfinishedUpload(ctx, viewer.UserID, filename, size)
}

// RejectUpload fails an UPLOADING video whose first bytes are no video
// file: FAILED with reason, not retryable. Its upload bytes are the
// caller's to remove.
func (s *Service) RejectUpload(ctx context.Context, id uuid.UUID, reason string) error {
	return s.store.MarkRejected(ctx, id, reason)
}
