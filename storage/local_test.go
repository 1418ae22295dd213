package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/storagetest"
)

func TestLocal(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t *testing.T) storage.Bucket {
		return newLocal(t, t.TempDir())
	})
}

func newLocal(t *testing.T, root string) *storage.Local {
	t.Helper()
	l, err := storage.NewLocal(root)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

func TestNewLocal(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "var", "media")
	newLocal(t, root)
	st, err := os.Stat(root)
	require.NoError(t, err)
	require.True(t, st.IsDir(), "NewLocal creates its root")

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = storage.NewLocal(file)
	require.Error(t, err)
	_, err = storage.NewLocal("")
	require.Error(t, err)
}

func TestLocalSymlinkOutsideRoot(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root, outside := t.TempDir(), t.TempDir()
	secret := filepath.Join(outside, "secret.ts")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "dirlink")))
	require.NoError(t, os.Symlink(secret, filepath.Join(root, "filelink.ts")))
	l := newLocal(t, root)

	for _, key := range []string{"dirlink/secret.ts", "filelink.ts"} {
		rc, _, err := l.Get(ctx, key)
		if err == nil {
			rc.Close()
		}
		require.Error(t, err, "Get(%q) must not read outside the root", key)
		_, err = l.Stat(ctx, key)
		require.Error(t, err, key)
		_, err = l.GetRange(ctx, key, 0, 1)
		require.Error(t, err, key)
		_, ok := l.LocalPath(key)
		require.False(t, ok, key)
	}

	require.Error(t, l.Put(ctx, "dirlink/new.ts", strings.NewReader("x"), 1, ""))
	require.Error(t, l.Put(ctx, "dirlink/sub/new.ts", strings.NewReader("x"), 1, ""))
	require.NoFileExists(t, filepath.Join(outside, "new.ts"))
	require.NoDirExists(t, filepath.Join(outside, "sub"))

	list, err := l.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, list, "symbolic links are not objects")
	list, err = l.List(ctx, "dirlink")
	require.NoError(t, err)
	require.Empty(t, list)

	l.Delete(ctx, "dirlink/secret.ts")
	require.NoError(t, l.DeletePrefix(ctx, "dirlink"))
	require.NoError(t, l.DeletePrefix(ctx, "filelink.ts"))
	// Overwriting a planted link replaces the link, not its target.
	require.NoError(t, l.Put(ctx, "filelink.ts", strings.NewReader("mine"), 4, ""))
	got, err := os.ReadFile(secret)
	require.NoError(t, err)
	require.Equal(t, "secret", string(got))
	require.NoError(t, l.Delete(ctx, "filelink.ts"))
	require.FileExists(t, secret)
}

func TestLocalLeavesNoTempFiles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root := t.TempDir()
	l := newLocal(t, root)

	require.NoError(t, l.Put(ctx, "videos/v/a.ts", strings.NewReader("a"), 1, ""))
	require.NoError(t, l.Put(ctx, "videos/v/a.ts", strings.NewReader("aa"), 2, ""))
	require.NoError(t, l.Put(ctx, "videos/v/hls/b.ts", strings.NewReader("b"), -1, ""))
	// Failures: a short reader, a cancelled context, a key whose name is
	// taken by a directory, a key below a file.
	require.Error(t, l.Put(ctx, "videos/v/c.ts", strings.NewReader("c"), 5, ""))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, l.Put(cancelled, "videos/v/d.ts", strings.NewReader("d"), 1, ""))
	require.Error(t, l.Put(ctx, "videos/v/hls", strings.NewReader("e"), 1, ""))
	require.Error(t, l.Put(ctx, "videos/v/a.ts/f.ts", strings.NewReader("f"), 1, ""))
	require.Error(t, l.PutFile(ctx, "videos/v/g.ts", filepath.Join(t.TempDir(), "missing"), ""))

	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	}))
	require.Equal(t, []string{"videos/v/a.ts", "videos/v/hls/b.ts"}, files)
}

func TestLocalPrunesEmptyDirs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root := t.TempDir()
	l := newLocal(t, root)

	require.NoError(t, l.Put(ctx, "videos/v/hls/720p/seg_00001.ts", strings.NewReader("s"), 1, ""))
	require.NoError(t, l.Put(ctx, "videos/w/poster.jpg", strings.NewReader("p"), 1, ""))
	require.NoError(t, l.Delete(ctx, "videos/v/hls/720p/seg_00001.ts"))
	require.NoDirExists(t, filepath.Join(root, "videos", "v"), "emptied directories go")
	require.DirExists(t, filepath.Join(root, "videos", "w"), "others stay")

	require.NoError(t, l.DeletePrefix(ctx, "videos/w"))
	require.Empty(t, readDir(t, root), "the root is left empty, and kept")
	require.DirExists(t, root)

	// A failed put into new directories leaves none behind.
	require.Error(t, l.Put(ctx, "videos/x/hls/seg.ts", strings.NewReader("x"), 10, ""))
	require.Empty(t, readDir(t, root))
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	root := t.TempDir()
	l := newLocal(t, root)
	var _ storage.LocalPather = l

	require.NoError(t, l.Put(ctx, "videos/v/hls/seg.ts", strings.NewReader("segment"), 7, ""))
	p, ok := l.LocalPath("videos/v/hls/seg.ts")
	require.True(t, ok)
	require.True(t, filepath.IsAbs(p))
	require.Equal(t, filepath.Join(root, "videos", "v", "hls", "seg.ts"), p)
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "segment", string(got))

	for _, key := range []string{"videos/v/hls/missing.ts", "videos/v/hls", "../x", ""} {
		_, ok := l.LocalPath(key)
		require.False(t, ok, key)
	}
}

// TestLocalGetIsFile pins that Get hands out the *os.File itself, which is
// what lets io.Copy to a connection use sendfile.
func TestLocalGetIsFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	l := newLocal(t, t.TempDir())
	require.NoError(t, l.Put(ctx, "a.ts", strings.NewReader("abc"), 3, ""))
	rc, _, err := l.Get(ctx, "a.ts")
	require.NoError(t, err)
	defer rc.Close()
	require.IsType(t, (*os.File)(nil), rc)

	r, err := l.GetRange(ctx, "a.ts", 1, 1)
	require.NoError(t, err)
	defer r.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	require.NoError(t, err)
	require.Equal(t, "b", buf.String())
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestLocalChurnWhilePruning churns a directory that keeps emptying, so
// Delete's pruning of empty directories races Put's creation of them.
func TestLocalChurnWhilePruning(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	l := newLocal(t, root)
	for range 5 {
		require.NoError(t, errors.Join(storagetest.Churn(t.Context(), l, "videos/churn/hls", 8, 20)...))
		list, err := l.List(t.Context(), "")
		require.NoError(t, err)
		require.Len(t, list, 8)
		require.NoError(t, l.DeletePrefix(t.Context(), "videos"))
		require.Empty(t, readDir(t, root))
	}
}
