//go:build !unix

package media

import (
	"os"
	"os/exec"
)

// setProcessGroup is a no-op where process groups do not exist; the tool
// itself is still killed on cancellation by exec.CommandContext.
func setProcessGroup(cmd *exec.Cmd) {}

// maxRSS is unknown here.
func maxRSS(*os.ProcessState) int64 { return 0 }
