package delivery

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/clipcut/clipcut/storage"
)

// noSymlinkGetter is a local bucket that can open an object refusing any
// symbolic link along its key in the same system call (storage.Local on
// Linux 5.6 and later, with openat2), which makes the confined check
// unnecessary. It answers errors.ErrUnsupported where it cannot.
type noSymlinkGetter interface {
	GetNoSymlinks(ctx context.Context, key string) (io.ReadCloser, storage.ObjectInfo, error)
}

// get opens key from the bucket. checked reports that the file is known
// to be the one at key, with no symbolic link along the way; otherwise
// the caller checks with confined. The check costs a readlink of
// /proc/self/fd per request, and os.Root's open a system call per path
// component: one openat2 replaces both.
func (h *Handler) get(ctx context.Context, key string) (rc io.ReadCloser, info storage.ObjectInfo, checked bool, err error) {
	if ng, ok := h.bucket.(noSymlinkGetter); ok && h.local != nil {
		rc, info, err := ng.GetNoSymlinks(ctx, key)
		if !errors.Is(err, errors.ErrUnsupported) {
			return rc, info, true, err
		}
	}
	rc, info, err = h.bucket.Get(ctx, key)
	return rc, info, false, err
}

// confined reports whether rc, just opened from the bucket for key, may be
// served. Only local disk needs the check: os.Root keeps symbolic links
// from leaving the bucket's root, but a link staying inside it (say
// videos/<id>/subtitles -> ../../uploads) would still reach an upload or
// another video's files.
//
// storage.LocalPather.LocalPath refuses any link along the path, but it
// costs a walk of the path per component (about 60µs, twice the open
// itself). So where the kernel can say which file was opened (Linux's
// /proc/self/fd), that path is compared with the one the key names, below
// the root's real location, learnt from the first LocalPath: one readlink
// instead.
func (h *Handler) confined(rc io.ReadCloser, key string) bool {
	if h.local == nil {
		return true
	}
	f, ok := rc.(*os.File)
	if !ok {
		_, ok := h.local.LocalPath(key)
		return ok
	}
	opened, ok := openedPath(f)
	if !ok {
		_, ok := h.local.LocalPath(key)
		return ok
	}
	name := filepath.FromSlash(key)
	root := h.localRoot.Load()
	if root == nil {
		p, ok := h.local.LocalPath(key)
		if !ok {
			return false
		}
		// The root's own path may hold links (/var/media -> /mnt/media);
		// the kernel reports it resolved.
		resolved, err := filepath.EvalSymlinks(strings.TrimSuffix(p, name))
		if err != nil {
			_, ok := h.local.LocalPath(key)
			return ok
		}
		root = &resolved
		h.localRoot.Store(root)
	}
	return opened == filepath.Join(*root, name)
}
