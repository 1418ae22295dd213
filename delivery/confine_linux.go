package delivery

import (
	"os"
	"strconv"
)

// openedPath returns the path the kernel resolved when it opened f, every
// symbolic link followed.
func openedPath(f *os.File) (string, bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return "", false
	}
	var (
		p    string
		lerr error
	)
	if err := rc.Control(func(fd uintptr) {
		p, lerr = os.Readlink("/proc/self/fd/" + strconv.FormatUint(uint64(fd), 10))
	}); err != nil || lerr != nil {
		return "", false
	}
	return p, true
}
