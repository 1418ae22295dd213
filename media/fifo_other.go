//go:build !unix

package media

import (
	"context"
	"errors"
	"os"
)

// mkfifo cannot make a named pipe here: FollowPiece fails, and the
// caller waits for the whole piece instead.
func mkfifo(string) error { return errors.ErrUnsupported }

func openPipeWriter(context.Context, string) (*os.File, error) { return nil, errors.ErrUnsupported }
