//go:build !linux

package storage

import "os"

// openBeneath is Linux only (openat2); elsewhere opens walk the os.Root.
func (l *Local) openBeneath(string, bool) (*os.File, bool, error) { return nil, false, nil }

// openRootDir is not needed off Linux.
func openRootDir(string) *os.File { return nil }
