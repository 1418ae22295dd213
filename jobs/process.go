package jobs

import (
	"context"

	"github.com/google/uuid"
)

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
