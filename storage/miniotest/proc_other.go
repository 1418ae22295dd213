//go:build !linux

package miniotest

import "syscall"

// sysProcAttr is empty where there is no parent-death signal; Main's
// cleanup stops the server.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
