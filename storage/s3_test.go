package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/storage/miniotest"
	"github.com/clipcut/clipcut/storage/storagetest"
)

func TestS3(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t *testing.T) storage.Bucket {
		return newS3(t, "")
	})
}

// TestS3WithPrefix runs the suite again with every object behind a key
// prefix, in a bucket that already exists.
func TestS3WithPrefix(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t *testing.T) storage.Bucket {
		return newS3(t, "clipcut/media")
	})
}

// newS3 returns an S3 store in a new bucket of the test MinIO server.
func newS3(t *testing.T, prefix string) *storage.S3 {
	t.Helper()
	cfg := s3Config(t)
	cfg.Prefix = prefix
	s, err := storage.NewS3(t.Context(), cfg)
	require.NoError(t, err)
	return s
}

func s3Config(t *testing.T) storage.S3Config {
	t.Helper()
	srv := miniotest.Start(t)
	return storage.S3Config{
		Endpoint:  srv.Endpoint,
		Bucket:    srv.BucketName(t),
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
	}
}

// rawClient talks to the test server directly, to see what the store did.
func rawClient(t *testing.T, cfg storage.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	require.NoError(t, err)
	return c
}

func TestS3ObjectsBehindPrefix(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := s3Config(t)
	cfg.Prefix = "tenant-a/"
	a, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	cfg.Prefix = "tenant-b"
	b, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err, "a second store on an existing bucket")

	for _, s := range []*storage.S3{a, b} {
		require.NoError(t, s.Put(ctx, "videos/v/seg.ts", strings.NewReader("x"), 1, ""))
	}
	require.NoError(t, a.Put(ctx, "videos/v/only-a.ts", strings.NewReader("a"), 1, ""))
	require.NoError(t, b.DeletePrefix(ctx, "videos"))

	list, err := a.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 2, "deleting in one prefix leaves the other alone")
	list, err = b.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, list)

	var names []string
	for obj := range rawClient(t, cfg).ListObjectsIter(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		require.NoError(t, obj.Err)
		names = append(names, obj.Key)
	}
	require.Equal(t, []string{"tenant-a/videos/v/only-a.ts", "tenant-a/videos/v/seg.ts"}, names)
}

func TestS3StoresContentType(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := s3Config(t)
	s, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, "videos/v/master.m3u8", strings.NewReader("#EXTM3U\n"), -1, ""))
	require.NoError(t, s.Put(ctx, "videos/v/blob.ts", strings.NewReader("x"), 1, "application/x-clipcut-test"))

	raw := rawClient(t, cfg)
	for name, want := range map[string]string{
		"videos/v/master.m3u8": "application/vnd.apple.mpegurl",
		"videos/v/blob.ts":     "application/x-clipcut-test",
	} {
		info, err := raw.StatObject(ctx, cfg.Bucket, name, minio.StatObjectOptions{})
		require.NoError(t, err)
		require.Equal(t, want, info.ContentType, name)
	}
}

func TestNewS3Errors(t *testing.T) {
	t.Parallel()
	cfg := s3Config(t)

	bad := cfg
	bad.SecretKey = "wrong-secret-key"
	_, err := storage.NewS3(t.Context(), bad)
	require.Error(t, err, "wrong credentials fail at startup")
	require.ErrorContains(t, err, "storage: s3 bucket "+cfg.Bucket)

	_, err = storage.NewS3(t.Context(), storage.S3Config{Prefix: "../x"})
	require.ErrorContains(t, err, "endpoint is required")
	require.ErrorContains(t, err, "bucket is required")
	require.ErrorContains(t, err, "access key and secret key are required")
	require.ErrorContains(t, err, "prefix")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = storage.NewS3(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
}

func TestNewS3EndpointURL(t *testing.T) {
	t.Parallel()
	cfg := s3Config(t)
	cfg.Endpoint = "http://" + cfg.Endpoint
	cfg.UseSSL = true // the scheme wins
	s, err := storage.NewS3(t.Context(), cfg)
	require.NoError(t, err)
	require.NoError(t, s.Put(t.Context(), "a.ts", strings.NewReader("a"), 1, ""))

	for _, ep := range []string{"ftp://host", "http://host/path", "http://"} {
		cfg.Endpoint = ep
		_, err := storage.NewS3(t.Context(), cfg)
		require.ErrorContains(t, err, "endpoint", ep)
	}
}
