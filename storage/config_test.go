package storage_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/miniotest"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, storage.Config{Dir: "var/media"}.Validate())
	require.ErrorContains(t, storage.Config{}.Validate(), "media directory is required")

	err := storage.Config{S3Endpoint: "minio:9000", S3Prefix: "a//b"}.Validate()
	require.Error(t, err)
	// Every problem at once, so an operator fixes them in one go.
	for _, want := range []string{"bucket is required", "access key and secret key are required", "prefix"} {
		require.ErrorContains(t, err, want)
	}
	require.NoError(t, storage.Config{S3Endpoint: "minio:9000", S3Bucket: "media", S3AccessKey: "k", S3SecretKey: "s"}.Validate())
}

func TestOpenLocal(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "media")
	b, err := storage.Open(t.Context(), storage.Config{Dir: dir})
	require.NoError(t, err)
	l, ok := b.(*storage.Local)
	require.True(t, ok, "local disk is the default")
	t.Cleanup(func() { l.Close() })
	require.NoError(t, b.Put(t.Context(), "a.ts", strings.NewReader("a"), 1, ""))
	require.FileExists(t, filepath.Join(dir, "a.ts"))

	b, err = storage.Open(t.Context(), storage.Config{})
	require.Error(t, err)
	require.Nil(t, b)
}

func TestOpenS3(t *testing.T) {
	t.Parallel()
	srv := miniotest.Start(t)
	cfg := storage.Config{
		Dir:         t.TempDir(), // ignored once an endpoint is set
		S3Endpoint:  srv.Endpoint,
		S3Bucket:    srv.BucketName(t),
		S3AccessKey: srv.AccessKey,
		S3SecretKey: srv.SecretKey,
		S3Prefix:    "clipcut",
	}
	b, err := storage.Open(t.Context(), cfg)
	require.NoError(t, err)
	_, ok := b.(*storage.S3)
	require.True(t, ok)
	_, ok = b.(storage.Presigner)
	require.True(t, ok)
	require.NoError(t, b.Put(t.Context(), "a.ts", strings.NewReader("a"), 1, ""))

	cfg.S3SecretKey = "wrong"
	b, err = storage.Open(t.Context(), cfg)
	require.Error(t, err)
	require.Nil(t, b, "no typed nil behind the interface")
}
