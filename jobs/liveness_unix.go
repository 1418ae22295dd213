//go:build unix

package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// processGone reports whether no live process has PID pid on this machine:
// there is none (ESRCH), or it is a zombie (dead, waiting for a parent that
// does not reap it; on Linux, where /proc says so).
func processGone(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false // not Linux, or not ours to read: assume it lives
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
