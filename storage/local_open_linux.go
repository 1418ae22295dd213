//go:build linux

package storage

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once the kernel has refused openat2 (older than 5.6,
// or a seccomp filter): every later open walks the os.Root instead.
var noOpenat2 atomic.Bool

// openBeneath opens key under the root in one openat2 call whose
// resolution the kernel confines to the root (RESOLVE_BENEATH: no "..",
// no absolute symbolic link, no escape; RESOLVE_NO_MAGICLINKS: no
// /proc-style links). With noLinks, any symbolic link along the path
// fails the open (RESOLVE_NO_SYMLINKS). os.Root gives the same guarantee
// as RESOLVE_BENEATH by opening each directory of the path in turn, a
// system call per component; this is one. ok is false when openat2 is
// not available: the caller then falls back to os.Root.
func (l *Local) openBeneath(key string, noLinks bool) (f *os.File, ok bool, err error) {
	if l.dirFD == nil || noOpenat2.Load() {
		return nil, false, nil
	}
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	if noLinks {
		how.Resolve |= unix.RESOLVE_NO_SYMLINKS
	}
	name := filepath.FromSlash(key)
	for {
		fd, err := unix.Openat2(int(l.dirFD.Fd()), name, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), filepath.Join(l.dir, name)), true, nil
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			// EAGAIN: a concurrent rename raced the lookup; retry.
			continue
		case errors.Is(err, unix.ENOSYS):
			noOpenat2.Store(true)
			return nil, false, nil
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.E2BIG):
			// A seccomp filter that answers EPERM, or a kernel that does
			// not know a flag: let os.Root decide.
			return nil, false, nil
		case noLinks && errors.Is(err, unix.ELOOP):
			// A symbolic link along the path: not an object.
			return nil, true, ErrNotExist
		default:
			return nil, true, &os.PathError{Op: "openat2", Path: key, Err: err}
		}
	}
}

// openRootDir opens the root directory for openBeneath.
func openRootDir(dir string) *os.File {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	return f
}
