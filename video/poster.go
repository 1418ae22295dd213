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
	// An uploaded image has no time in the video: no edit changes it.
	if err := s.PublishPosterFrom(ctx, id, img.Path, nil); err != nil {
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
//
// The poster's origin (store.PosterOrigin) stays: this is the poster
// following an edit, the same choice shown on the edited video. A new
// choice is PublishPosterFrom.
func (s *Service) PublishPoster(ctx context.Context, id uuid.UUID, path string) error {
	return s.publishPoster(ctx, id, path, false, nil)
}

// PublishPosterFrom is PublishPoster for a poster the creator chose: the
// frame at second at of the original, unedited video (setPoster), which
// later edits follow, or an uploaded image (at nil), which they leave.
func (s *Service) PublishPosterFrom(ctx context.Context, id uuid.UUID, path string, at *float64) error {
	return s.publishPoster(ctx, id, path, true, at)
}

// RestoreAutoPoster points video id's poster back at processing's own
// (layout.Poster), which stays stored while a picked or regenerated one is
// shown: an edit kept, or undo restored, the frame processing chose. The
// poster it replaces is removed.
func (s *Service) RestoreAutoPoster(ctx context.Context, id uuid.UUID) error {
	auto := layout.Poster(id)
	old, err := s.store.ReplacePoster(ctx, id, auto)
	if err != nil {
		return err
	}
	if old != nil && *old != auto {
		_ = s.media.Delete(ctx, *old) // best effort, as in publishPoster
	}
	return nil
}

func (s *Service) publishPoster(ctx context.Context, id uuid.UUID, path string, origin bool, at *float64) error {
	version, err := digestFile(path)
	if err != nil {
		return err
	}
	key := layout.PosterVersion(id, version)
	if err := s.media.PutFile(ctx, key, path, "image/jpeg"); err != nil {
		return err
	}
	var old *string
	if origin {
		old, err = s.store.ReplacePosterFrom(ctx, id, key, at)
	} else {
		old, err = s.store.ReplacePoster(ctx, id, key)
	}
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

// PublishPreview makes the animated WebP at path video id's preview,
// made of the video as edit keep shows it (nil: unedited): stored under a
// name made from its bytes (layout.Preview; served immutable like
// posters), the row pointed at it when keep is still the published edit,
// and the preview it replaces removed. It reports false, leaving nothing
// stored, when another edit was published meanwhile (its own preview
// follows) or the video is gone.
func (s *Service) PublishPreview(ctx context.Context, id uuid.UUID, keep []store.TimeRange, path string) (bool, error) {
	version, err := digestFile(path)
	if err != nil {
		return false, err
	}
	key := layout.Preview(id, version)
	if err := s.media.PutFile(ctx, key, path, "image/webp"); err != nil {
		return false, fmt.Errorf("publish preview of %s: %w", id, err)
	}
	old, ok, err := s.store.SetPreview(ctx, id, keep, key)
	if err != nil || !ok {
		if old == nil || *old != key {
			err = errors.Join(err, s.media.Delete(context.WithoutCancel(ctx), key))
		}
		return false, err
	}
	if old != nil && *old != key {
		_ = s.media.Delete(ctx, *old) // best effort: only an unreachable file is left
	}
	return true, nil
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
