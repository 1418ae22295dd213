//go:build !linux

package instance

import "os/exec"

// setParentDeathSignal: only Linux has a parent-death signal; elsewhere a
// crashed harness can leave clipcut running.
func setParentDeathSignal(*exec.Cmd) {}
