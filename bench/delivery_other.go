//go:build !linux

package main

import "os/exec"

// setParentDeath is Linux only; elsewhere a crashed harness may leave
// nginx running.
func setParentDeath(*exec.Cmd) {}
