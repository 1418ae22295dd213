//go:build linux

package storage

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// metaAttr is the extended attribute holding an object's fileMeta.
const metaAttr = "user.clipcut.meta"

// writeMeta stores m on f. A filesystem without user extended attributes
// is not an error: readers then fall back to defaults.
func writeMeta(f *os.File, m fileMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.Fsetxattr(int(fd), metaAttr, b, 0)
	}); err != nil {
		return err
	}
	if errors.Is(serr, unix.ENOTSUP) {
		return nil
	}
	return serr
}

// readMeta loads the fileMeta stored on f; ok is false when there is none.
func readMeta(f *os.File) (m fileMeta, ok bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return fileMeta{}, false
	}
	var (
		buf  = make([]byte, 512)
		n    int
		serr error
	)
	if err := rc.Control(func(fd uintptr) {
		n, serr = unix.Fgetxattr(int(fd), metaAttr, buf)
		if errors.Is(serr, unix.ERANGE) {
			if n, serr = unix.Fgetxattr(int(fd), metaAttr, nil); serr == nil {
				buf = make([]byte, n)
				n, serr = unix.Fgetxattr(int(fd), metaAttr, buf)
			}
		}
	}); err != nil || serr != nil {
		return fileMeta{}, false
	}
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return fileMeta{}, false
	}
	return m, true
}

// statID is the identity and change time (ns) of the file st describes.
func statID(st fs.FileInfo) (id fileID, changed int64, ok bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, 0, false
	}
	return fileID{dev: uint64(sys.Dev), ino: sys.Ino}, sys.Ctim.Nano(), true
}
