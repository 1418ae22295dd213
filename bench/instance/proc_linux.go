package instance

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks the kernel to send clipcut SIGTERM if the
// harness dies first (a crash or SIGKILL), so no clipcut and no private
// Postgres outlive a broken run.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
