//go:build !linux

package delivery

import "os"

// openedPath is unknown off Linux; callers fall back to LocalPath.
func openedPath(*os.File) (string, bool) { return "", false }
