//go:build unix && !linux

package media

import (
	"os"
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

// maxRSS is unknown here: ru_maxrss is in bytes on some systems and KiB
// on others.
func maxRSS(*os.ProcessState) int64 { return 0 }
