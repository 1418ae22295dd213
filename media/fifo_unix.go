//go:build unix

package media

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// mkfifo creates a named pipe.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// openPipeWriter opens the named pipe at path for writing once a reader
// has opened it, without blocking in open(2), so ctx can end the wait (a
// reader that died before opening would otherwise hang it forever).
func openPipeWriter(ctx context.Context, path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.ENXIO) { // ENXIO: no reader yet
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
