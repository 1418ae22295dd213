package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/clipcut/clipcut/storage"
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

func TestLocalGetNoSymlinks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root := t.TempDir()
	l := newLocal(t, root)
	require.NoError(t, l.Put(ctx, "videos/a/hls/seg.ts", strings.NewReader("segment"), 7, ""))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "videos", "b"), 0o755))
	// A link that stays under the root: os.Root follows it, GetNoSymlinks
	// must not.
	require.NoError(t, os.Symlink("../a/hls", filepath.Join(root, "videos", "b", "hls")))

	rc, info, err := l.GetNoSymlinks(ctx, "videos/a/hls/seg.ts")
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip("no openat2 on this kernel")
	}
	require.NoError(t, err)
	rc.Close()
	require.Equal(t, int64(7), info.Size)
	require.Equal(t, "video/mp2t", info.ContentType)

	_, _, err = l.GetNoSymlinks(ctx, "videos/b/hls/seg.ts")
	require.ErrorIs(t, err, storage.ErrNotExist)
	rc, _, err = l.Get(ctx, "videos/b/hls/seg.ts")
	require.NoError(t, err, "Get follows links that stay under the root")
	rc.Close()
	_, _, err = l.GetNoSymlinks(ctx, "videos/a/hls/missing.ts")
	require.ErrorIs(t, err, storage.ErrNotExist)
}

func TestLocalETagChangesOnOverwrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newLocal(t, t.TempDir())
	var tags []string
	for _, body := range []string{"one", "two", "two"} {
		require.NoError(t, l.Put(ctx, "videos/v/poster.jpg", strings.NewReader(body), int64(len(body)), ""))
		// Read twice: the second read comes from the metadata cache.
		for range 2 {
			st, err := l.Stat(ctx, "videos/v/poster.jpg")
			require.NoError(t, err)
			tags = append(tags, st.ETag)
		}
	}
	require.Equal(t, tags[0], tags[1])
	require.Equal(t, tags[2], tags[3])
	require.Equal(t, tags[4], tags[5])
	require.NotEqual(t, tags[0], tags[2], "a rewrite gets a new ETag")
	require.NotEqual(t, tags[2], tags[4], "a rewrite with the same bytes too")
}
