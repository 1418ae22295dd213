//go:build unix && !linux

package media

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the tool in its own process group and kills that
// group on cancellation (no parent-death signal outside Linux).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
