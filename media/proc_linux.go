package media

import (
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
