package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestLocalKeepsAnyContentType(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root := t.TempDir()
	probe := filepath.Join(root, "probe")
	require.NoError(t, os.WriteFile(probe, nil, 0o644))
	if err := unix.Setxattr(probe, "user.clipcut.probe", []byte("x"), 0); errors.Is(err, unix.ENOTSUP) {
		t.Skipf("%s has no user extended attributes: Local falls back to types from extensions there", root)
	}
	require.NoError(t, os.Remove(probe))
	l := newLocal(t, root)

	require.NoError(t, l.Put(ctx, "videos/v/blob.ts", strings.NewReader("x"), 1, "application/x-clipcut-test"))
	st, err := l.Stat(ctx, "videos/v/blob.ts")
	require.NoError(t, err)
	require.Equal(t, "application/x-clipcut-test", st.ContentType)
	require.NoError(t, l.Put(ctx, "videos/v/blob.ts", strings.NewReader("y"), 1, ""))
	st, err = l.Stat(ctx, "videos/v/blob.ts")
	require.NoError(t, err)
	require.Equal(t, "video/mp2t", st.ContentType, "an overwrite replaces the type")
}
