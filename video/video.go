// Package video is the one home of a video's lifecycle: it creates videos
// (for tus, createUpload, POST /upload and importVideo), starts and
// retries their processing, updates their metadata and privacy, deletes
// them, saves and publishes their subtitles (rewriting the master
// playlist), and sends test and repeated webhook deliveries.
//
// Every change that needs background work writes its row and inserts its
// River job in one transaction (through Queue), so a video and its jobs
// never disagree. Callers validate input and make one call: GraphQL
// resolvers, REST handlers, the upload hooks and the jobs' workers. This
// package does not import jobs; jobs implements Queue.
package video

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// Queue inserts the jobs of the lifecycle in the caller's transaction:
// each job is queued if and only if tx commits. jobs.Queue implements it
// with River.
type Queue interface {
	// ProcessTx queues the first job of a video's processing.
	ProcessTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID) error
	// DeleteMediaTx queues the removal of a deleted video's upload
	// (uploadID as recorded on the row, possibly empty) and stored media.
	DeleteMediaTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, uploadID string) error
	// SubtitlesTx queues the transcription of a video of duration seconds.
	SubtitlesTx(ctx context.Context, tx pgx.Tx, videoID uuid.UUID, duration float64) error
	// WebhookDeliveryTx queues an attempt at a webhook delivery.
	WebhookDeliveryTx(ctx context.Context, tx pgx.Tx, deliveryID uuid.UUID) error
}

// DefaultWebhookRetryWindow is how long a webhook delivery is retried
// when Config.WebhookRetryWindow is zero.
const DefaultWebhookRetryWindow = 24 * time.Hour

// Config is what the service needs.
type Config struct {
	Store *store.Store
	// Media is where subtitles and master playlists are written.
	Media storage.Bucket
	// Queue inserts the lifecycle's jobs.
	Queue Queue
	// WebhookRetryWindow is how long test deliveries and redeliveries are
	// retried (zero: DefaultWebhookRetryWindow).
	WebhookRetryWindow time.Duration
	// FFmpeg is the ffmpeg binary that decodes uploaded posters ("":
	// "ffmpeg" on the PATH).
	FFmpeg string
}

// Service runs the video lifecycle. It is safe for concurrent use.
type Service struct {
	store       *store.Store
	media       storage.Bucket
	queue       Queue
	retryWindow time.Duration
	ffmpeg      string
}

// New builds the service.
func New(cfg Config) *Service {
	window := cfg.WebhookRetryWindow
	if window <= 0 {
		window = DefaultWebhookRetryWindow
	}
	ffmpeg := cfg.FFmpeg
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	return &Service{store: cfg.Store, media: cfg.Media, queue: cfg.Queue, retryWindow: window, ffmpeg: ffmpeg}
}

// StateError refuses an operation the video's current state does not
// allow (retrying a video that is still processing, regenerating the
// subtitles of one that is not READY). Message is meant for people.
type StateError struct {
	Status  string
	Message string
}

func (e *StateError) Error() string { return e.Message }

// owned returns a video the viewer owns (or any, for administrators):
// ErrNotFound when the viewer cannot see it, ErrForbidden when they can
// see but not change it.
func (s *Service) owned(ctx context.Context, id uuid.UUID, viewer store.Viewer) (store.Video, error) {
	v, err := s.store.VideoForViewer(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if v.OwnerID != viewer.UserID && !viewer.IsAdmin {
		return store.Video{}, store.ErrForbidden
	}
	return v, nil
}

// RotatePublicID gives a video its owner (or an administrator) shares a
// fresh public id, so that every link made with the old one stops working
// (store.Store.RotatePublicID: every process's media delivery hears of it
// at commit). Signed share links are not affected.
func (s *Service) RotatePublicID(ctx context.Context, id uuid.UUID, viewer store.Viewer) (store.Video, error) {
	return s.store.RotatePublicID(ctx, id, viewer)
}
