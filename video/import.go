package video

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/outbound"
	"github.com/clipcut/clipcut/store"
)

// ImportQueue inserts the job of an import in the caller's transaction.
// It is an optional capability of Config.Queue (jobs.Queue has it), asked
// for when an import is requested, like CutQueue.
type ImportQueue interface {
	// ImportTx queues downloading rawURL into the source of video id,
	// held to lim (the owner's limits when the import was asked for).
	ImportTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, rawURL string, lim store.Limits) error
}

// Import is what ImportVideo needs.
type Import struct {
	// URL is the file to download: http or https.
	URL string
	// Title defaults to the file's name in the URL (or its host).
	Title       *string
	Description *string
	// Privacy defaults to PUBLIC.
	Privacy string
}

// importExpiry is how long an import may take before the upload sweeper
// gives up on it, as on an upload that never finished.
const importExpiry = 24 * time.Hour

// ImportVideo makes a new video of the viewer's whose file a worker
// downloads from in.URL, held to lim like an upload (store.LimitError:
// the uploads per day now, the size and the storage quota once the
// server says how big the file is), and queues the download in the same
// transaction. The video is UPLOADING at stage "import" until its file is
// complete; then it is processed like an upload (StartProcessing). A URL
// that is not http or https, or malformed, is an *InputError on "url";
// whether its address may be reached is decided by the worker, at every
// connection (package outbound).
func (s *Service) ImportVideo(ctx context.Context, viewer store.Viewer, in Import, lim store.Limits) (store.Video, error) {
	u, err := outbound.ParseURL(strings.TrimSpace(in.URL))
	if err != nil {
		return store.Video{}, badInput("url", "%s", err.Error())
	}
	q, ok := s.queue.(ImportQueue)
	if !ok {
		return store.Video{}, fmt.Errorf("import: the job queue %T cannot queue imports", s.queue)
	}
	name := fileName(u)
	title := strings.TrimSuffix(name, path.Ext(name))
	if title == "" {
		title = u.Hostname()
	}
	if in.Title != nil {
		title = *in.Title
	}
	if r := []rune(title); len(r) > 200 {
		title = string(r[:200])
	}
	if len(name) > 255 {
		name = ""
	}
	v, err := s.store.CreateUploadVideo(ctx, store.NewUpload{OwnerID: viewer.UserID, Title: title,
		Description: in.Description, Privacy: in.Privacy, Filename: name,
		ExpiresAt: time.Now().Add(importExpiry)}, lim)
	if err != nil {
		return store.Video{}, err
	}
	var marked store.Video
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		if marked, err = s.store.MarkImportTx(ctx, tx, v.ID); err != nil {
			return err
		}
		return q.ImportTx(ctx, tx, v.ID, u.String(), lim)
	})
	if err != nil {
		_ = s.DiscardUpload(context.WithoutCancel(ctx), v.ID, viewer)
		return store.Video{}, fmt.Errorf("import video: %w", err)
	}
	// The row as queued: the job may already have moved it on.
	return marked, nil
}

// fileName is the last segment of u's path when it names a file
// ("trip.mp4" for https://example.com/videos/trip.mp4?x=1), else "".
func fileName(u *url.URL) string {
	p := strings.TrimRight(u.Path, "/")
	if p == "" {
		return ""
	}
	return strings.TrimSpace(path.Base(p))
}
