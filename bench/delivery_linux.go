package main

import (
	"os/exec"
	"syscall"
)

// setParentDeath asks the kernel to stop a server the harness started
// (nginx) if the harness dies first.
func setParentDeath(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
