package video

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// MaxPosterBytes is the largest poster image UploadPoster accepts.
const MaxPosterBytes = 10 << 20

// ErrPosterTooLarge is an uploaded poster over MaxPosterBytes.
var ErrPosterTooLarge = fmt.Errorf("upload poster: the image is over %d MB", MaxPosterBytes>>20)

// UploadPoster makes an uploaded JPEG, PNG or WebP image the poster of a
// READY video the viewer owns (or any, for administrators): it decodes
// the image with ffmpeg, re-encodes it as a JPEG no larger than
// processing's posters, publishes it under a name made from its bytes
// (layout.PosterVersion, as SetPoster's job does, since posters are
// served immutable) and returns the video pointing at it; the poster it
// replaces is removed unless processing made it. The owner check comes
// before image is read. An image over MaxPosterBytes gives
// ErrPosterTooLarge; one that does not decode an *InputError; a video
// that is not READY a *StateError (processing would overwrite the poster).
func (s *Service) UploadPoster(ctx context.Context, id uuid.UUID, viewer store.Viewer, image io.Reader) (store.Video, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if v.Status != store.StatusReady {
		return store.Video{}, &StateError{Status: v.Status,
			Message: fmt.Sprintf("The video is %s; a poster can be uploaded once it is READY.", v.Status)}
	}
	work, err := os.MkdirTemp("", "poster-upload-"+id.String()+"-")
	if err != nil {
		return store.Video{}, fmt.Errorf("upload poster: %w", err)
	}
	defer os.RemoveAll(work)
	in := filepath.Join(work, "upload")
	if err := saveLimited(image, in, MaxPosterBytes); err != nil {
		return store.Video{}, err
	}
	img, err := media.PosterFromImage(ctx, s.ffmpeg, in, filepath.Join(work, "poster.jpg"))
	if errors.Is(err, media.ErrBadImage) {
		return store.Video{}, badInput("image", "The image is not a JPEG, PNG or WebP picture that can be decoded.")
	}
	if err != nil {
		return store.Video{}, fmt.Errorf("upload poster of %s: %w", id, err)
	}
	if err := s.PublishPoster(ctx, id, img.Path); err != nil {
		return store.Video{}, fmt.Errorf("upload poster of %s: %w", id, err)
	}
	return s.store.VideoByID(ctx, id)
}

// PublishPoster makes the JPEG at path video id's poster: stored under a
// name made from its bytes (layout.PosterVersion: posters are served
// immutable, so an old URL keeps its old image in caches and the new one
// is new), the row pointed at it, and the poster it replaces removed
// unless processing made it (processing again rewrites that one).
// Publishing the same picture twice changes nothing more. A video deleted
// meanwhile gives store.ErrNotFound, and nothing is left stored.
func (s *Service) PublishPoster(ctx context.Context, id uuid.UUID, path string) error {
	version, err := digestFile(path)
	if err != nil {
		return err
	}
	key := layout.PosterVersion(id, version)
	if err := s.media.PutFile(ctx, key, path, "image/jpeg"); err != nil {
		return err
	}
	old, err := s.store.ReplacePoster(ctx, id, key)
	if err != nil {
		return errors.Join(err, s.media.Delete(context.WithoutCancel(ctx), key))
	}
	if old != nil && *old != key && *old != layout.Poster(id) {
		// Best effort: a leftover old poster costs storage, not
		// correctness, and the video's deletion removes it.
		_ = s.media.Delete(ctx, *old)
	}
	return nil
}

// saveLimited copies r to path, refusing more than limit bytes with
// ErrPosterTooLarge. A reader that fails as http.MaxBytesReader does is
// reported as too large too.
func saveLimited(r io.Reader, path string, limit int64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("upload poster: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return ErrPosterTooLarge
		}
		return fmt.Errorf("upload poster: read the image: %w", err)
	}
	if n > limit {
		return ErrPosterTooLarge
	}
	return nil
}

// digestFile is the first 10 hex digits of a file's SHA-256, the version
// in layout.PosterVersion.
func digestFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("digest %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:10], nil
}
