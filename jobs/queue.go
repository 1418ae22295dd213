package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/video"
)

// Queue inserts the video lifecycle's jobs into River in the caller's
// transaction: it is the video.Queue of the video service.
type Queue struct {
	client *river.Client[pgx.Tx]
}

var _ video.Queue = (*Queue)(nil)

// NewQueue inserts through client, which may be insert-only (api mode).
func NewQueue(client *river.Client[pgx.Tx]) *Queue { return &Queue{client: client} }

// ProcessTx queues the probe, the first job of processing.
func (q *Queue) ProcessTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID) error {
	return q.insertTx(ctx, tx, ProbeArgs{VideoID: videoID})
}

// DeleteMediaTx queues the removal of a deleted video's upload and media.
func (q *Queue) DeleteMediaTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, uploadID string) error {
	return q.insertTx(ctx, tx, DeleteMediaArgs{VideoID: videoID, UploadID: uploadID})
}

// SubtitlesTx queues a video's transcription.
func (q *Queue) SubtitlesTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, duration float64) error {
	return q.insertTx(ctx, tx, SubtitlesArgs{VideoID: videoID, Duration: duration})
}

// WebhookDeliveryTx queues an attempt at a webhook delivery.
func (q *Queue) WebhookDeliveryTx(ctx context.Context, tx pgx.Tx, deliveryID uuid.UUID) error {
	return q.insertTx(ctx, tx, WebhookDeliveryArgs{DeliveryID: deliveryID})
}

func (q *Queue) insertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	if _, err := q.client.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("queue %s job: %w", args.Kind(), err)
	}
	return nil
}
