package upload

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
)

// progressEvery is the least time between two progress writes of one
// upload, whatever its PATCHes: a fast upload in small chunks costs at most
// one UPDATE (and one videoProgress event) a second, not one per chunk.
const progressEvery = time.Second

// errUploadEnded stops a PATCH whose video was deleted or failed while
// its bytes arrived; tusd answers it with 410.
var errUploadEnded = tushandler.NewError("ERR_UPLOAD_ENDED",
	"This upload has ended: its video was deleted or refused. Start a new upload.", http.StatusGone)

// progressClock remembers when each upload's progress was last written.
type progressClock struct {
	mu   sync.Mutex
	last map[uuid.UUID]time.Time
}

// due reports whether upload id may write its progress now, and if so
// counts this as its write.
func (c *progressClock) due(id uuid.UUID, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil || len(c.last) > 10000 {
		c.last = make(map[uuid.UUID]time.Time) // forgetting only costs a write
	}
	if now.Sub(c.last[id]) < progressEvery {
		return false
	}
	c.last[id] = now
	return true
}

// forget drops a finished or ended upload.
func (c *progressClock) forget(id uuid.UUID) {
	c.mu.Lock()
	delete(c.last, id)
	c.mu.Unlock()
}

// progressBody is a PATCH body that records the upload's offset as its
// bytes arrive (Video.upload, videoProgress stage "uploading"). The same
// write tells it when the video is gone or no longer UPLOADING
// (deleteVideo during the upload): the body then ends with errUploadEnded,
// so the PATCH stops within a second instead of running to its end.
type progressBody struct {
	io.ReadCloser
	s      *Service
	ctx    context.Context
	id     uuid.UUID
	offset int64 // of the next byte read
	// end is the offset the PATCH announced it would reach (-1: unknown).
	end      int64
	recorded int64
	ended    error
}

// trackProgress wraps the body of a PATCH starting at offset, of length
// bytes (-1: unknown).
func (s *Service) trackProgress(ctx context.Context, id uuid.UUID, offset, length int64, body io.ReadCloser) *progressBody {
	end := int64(-1)
	if length >= 0 {
		end = offset + length
	}
	return &progressBody{ReadCloser: body, s: s, ctx: ctx, id: id, offset: offset, end: end, recorded: offset}
}

// done runs when tusd has answered the PATCH. A PATCH that broke off
// (the connection dropped, the tab closed) records where it stopped even
// within the second, so an upload left unfinished does not show an older
// offset for good; one that ended as announced leaves that to the next.
func (b *progressBody) done() {
	if b.ended != nil || b.offset == b.recorded {
		return
	}
	if (b.end >= 0 && b.offset < b.end) || b.s.progress.due(b.id, time.Now()) {
		b.s.recordProgress(context.WithoutCancel(b.ctx), b.id, b.offset)
	}
}

func (b *progressBody) Read(p []byte) (int, error) {
	if b.ended != nil {
		return 0, b.ended
	}
	n, err := b.ReadCloser.Read(p)
	b.offset += int64(n)
	if n > 0 && err == nil && b.s.progress.due(b.id, time.Now()) {
		b.recorded = b.offset
		if !b.s.recordProgress(b.ctx, b.id, b.offset) {
			b.ended = errUploadEnded
			return n, b.ended
		}
	}
	return n, err
}

// recordProgress writes an upload's offset; it reports false when the
// upload's video is gone or no longer UPLOADING. A failed write is only
// logged: progress is information, the bytes are what matter.
func (s *Service) recordProgress(ctx context.Context, id uuid.UUID, offset int64) bool {
	ok, err := s.store.SetUploadOffset(ctx, id, offset)
	if err != nil {
		s.logger.WarnContext(ctx, "record upload progress", "video_id", id, "error", err)
		return true
	}
	if !ok {
		s.progress.forget(id)
	}
	return ok
}
