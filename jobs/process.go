package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/store"
)

// StartProcessing moves an uploaded video to PROCESSING and queues its first
// job in the same transaction, so a video and its job never disagree. It
// does nothing for a video that is not UPLOADING (already started, deleted).
func StartProcessing(ctx context.Context, st *store.Store, client *river.Client[pgx.Tx], id uuid.UUID) error {
	return st.InTx(ctx, func(tx pgx.Tx) error {
		ok, err := st.MarkUploadedTx(ctx, tx, id)
		if err != nil || !ok {
			return err
		}
		if _, err := client.InsertTx(ctx, tx, ProbeArgs{VideoID: id}, nil); err != nil {
			return fmt.Errorf("start processing %s: %w", id, err)
		}
		return nil
	})
}

// Uploads is what jobs need of the upload store.
type Uploads interface {
	// Source returns a local file with a finished upload's bytes and a
	// function to call when done with it.
	Source(ctx context.Context, id uuid.UUID) (path string, release func(), err error)
	// Progress reports how many of an upload's bytes have arrived.
	Progress(ctx context.Context, id uuid.UUID) (offset, size int64, err error)
	// Remove deletes an upload's bytes (uploadID as recorded on the video,
	// possibly empty); missing is not an error.
	Remove(ctx context.Context, id uuid.UUID, uploadID string) error
}
