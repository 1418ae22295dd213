package miniotest

import "syscall"

// sysProcAttr has the kernel kill the server if the test process dies
// without running Main's cleanup (a panic, a -timeout, a SIGKILL).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
