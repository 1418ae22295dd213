package miniotest

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	Main(m)
}

func TestStart(t *testing.T) {
	srv := Start(t)
	require.Same(t, srv, Start(t), "one server per process")
	resp, err := http.Get(srv.URL() + "/minio/health/live")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, srv.Endpoint)

	seen := map[string]bool{}
	for range 3 {
		name := srv.BucketName(t)
		require.NoError(t, s3utils.CheckValidBucketNameStrict(name), name)
		require.False(t, seen[name], "bucket names are unique")
		seen[name] = true
	}
	t.Run("a/very long sub-test name, with ODD characters: that keeps going and going", func(t *testing.T) {
		name := srv.BucketName(t)
		require.NoError(t, s3utils.CheckValidBucketNameStrict(name), name)
	})
}

func TestStopKillsServer(t *testing.T) {
	bin, err := findBinary()
	require.NoError(t, err)
	srv, err := startOnce(bin)
	require.NoError(t, err)
	require.NoError(t, srv.stop())
	select {
	case <-srv.done:
	default:
		t.Fatal("stop returned before the process exited")
	}
	require.NotNil(t, srv.cmd.ProcessState, "the process was reaped")
	require.NoDirExists(t, srv.dir)
}

func TestFindBinary(t *testing.T) {
	t.Setenv("CLIPCUT_MINIO_BIN", filepath.Join(t.TempDir(), "nope"))
	_, err := findBinary()
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "CLIPCUT_MINIO_BIN")

	t.Setenv("CLIPCUT_MINIO_BIN", "")
	t.Setenv("PATH", t.TempDir())
	t.Chdir(t.TempDir()) // no go.mod above, so no .tools/bin
	_, err = findBinary()
	require.Error(t, err)
	require.ErrorContains(t, err, "make test-deps")
	require.False(t, errors.Is(err, os.ErrNotExist))
}
