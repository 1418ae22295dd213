//go:build linux && (amd64 || arm64)

package delivery

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileStamp identifies an open file's content: equal stamps mean the
// same file, unchanged, still linked under some name.
type fileStamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // ns
}

// stampOf reads the stamp of the open file fd; ok is false for a file
// no longer linked anywhere (deleted, or replaced by a rename). fstat of
// an open local file reads its in-memory inode and never waits for the
// disk, so it is a raw system call, which the runtime's monitor does not
// see (see fastpath's sockIO for what the others cost).
func stampOf(fd uintptr) (fileStamp, bool) {
	var st unix.Stat_t
	if _, _, errno := syscall.RawSyscall(unix.SYS_FSTAT, fd, uintptr(unsafe.Pointer(&st)), 0); errno != 0 || st.Nlink == 0 {
		return fileStamp{}, false
	}
	return fileStamp{
		dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size,
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}, true
}
