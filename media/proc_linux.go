package media

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup starts the tool in its own process group, kills that
// group on cancellation, and asks the kernel to kill the tool if the worker
// dies first: a crashed worker must not leave an orphan ffmpeg writing into
// a directory that the retried job is about to reuse.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// maxRSS is a finished tool's peak resident memory in bytes (Linux
// reports ru_maxrss in KiB).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return ru.Maxrss * 1024
	}
	return 0
}
