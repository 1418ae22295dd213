package delivery_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/storage"
)

// secret marks the files no media URL may ever return.
const secret = "TOP-SECRET-NOT-MEDIA"

// TestTraversal throws escape attempts at the handler, byte for byte as
// written (no client normalizes them first), with secrets planted in the
// bucket outside the video's prefix, outside the bucket, and behind
// symbolic links inside the video's prefix.
func TestTraversal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, local)
	ctx := t.Context()
	id := e.public.String()
	vid := filepath.Join(e.root, "videos", id)

	// In the bucket, outside any video: an upload.
	require.NoError(t, e.bucket.Put(ctx, "uploads/secret.ts", strings.NewReader(secret), int64(len(secret)), ""))
	require.NoError(t, e.bucket.Put(ctx, "uploads/passwd.vtt", strings.NewReader(secret), int64(len(secret)), ""))
	// In the video's prefix but not media: not an allowed path.
	require.NoError(t, e.bucket.Put(ctx, "videos/"+id+"/source.mp4", strings.NewReader(secret), int64(len(secret)), ""))
	require.NoError(t, e.bucket.Put(ctx, "videos/"+id+"/hls/notes.txt", strings.NewReader(secret), int64(len(secret)), ""))
	// Outside the bucket.
	outside := filepath.Join(t.TempDir(), "secret.ts")
	require.NoError(t, os.WriteFile(outside, []byte(secret), 0o644))
	// Symbolic links planted under the video: to a file outside the
	// bucket, to an upload inside it, and a directory link to uploads.
	require.NoError(t, os.Symlink(outside, filepath.Join(vid, "hls", "180p", "out.ts")))
	require.NoError(t, os.Symlink("../../../../uploads/secret.ts", filepath.Join(vid, "hls", "180p", "in.ts")))
	require.NoError(t, os.Symlink("../../uploads", filepath.Join(vid, "downloads", "up")))
	require.NoError(t, os.RemoveAll(filepath.Join(vid, "subtitles")))
	require.NoError(t, os.Symlink("../../uploads", filepath.Join(vid, "subtitles")))
	token, _ := delivery.SignedPath(e.signer, e.public, time.Now().Add(time.Hour))
	sign := "/media/t/" + token

	attempts := []string{
		"/media/videos/" + id + "/../../etc/passwd",
		"/media/videos/" + id + "/hls/../../../uploads/secret.ts",
		"/media/videos/" + id + "/hls/../../" + e.unlisted.String() + "/poster.jpg",
		"/media/videos/" + id + "/hls/%2e%2e/%2e%2e/%2e%2e/uploads/secret.ts",
		"/media/videos/" + id + "/hls/%2E%2E/%2E%2E/%2E%2E/uploads/secret.ts",
		"/media/videos/" + id + "/hls/%252e%252e/%252e%252e/%252e%252e/uploads/secret.ts",
		"/media/videos/" + id + "/hls/..%2f..%2f..%2fuploads%2fsecret.ts",
		"/media/videos/" + id + "/hls/..%252f..%252f..%252fuploads%252fsecret.ts",
		"/media/videos/" + id + `/hls\..\..\..\uploads\secret.ts`,
		"/media/videos/" + id + "/hls%5c..%5c..%5c..%5cuploads%5csecret.ts",
		"/media/videos/" + id + "//etc/passwd",
		"/media/videos/" + id + "//" + outside,
		"/media/videos/" + id + "/%2fetc%2fpasswd",
		"/media/videos/" + id + "/hls/" + outside,
		"/media/videos/" + id + "/hls/./../../../uploads/secret.ts",
		"/media/videos/" + id + "/hls/180p/seg_00000.ts%00",
		"/media/videos/" + id + "/hls/180p/seg%00/../../../../uploads/secret.ts",
		"/media/videos/" + id + "/downloads/../../../uploads/secret.ts",
		"/media/videos/" + id + "/source.mp4",
		"/media/videos/" + id + "/hls/notes.txt",
		"/media/videos/" + id + "/hls/180p/out.ts",
		"/media/videos/" + id + "/hls/180p/in.ts",
		"/media/videos/" + id + "/downloads/up/secret.ts",
		"/media/videos/" + id + "/subtitles/passwd.vtt",
		"/media/videos/" + strings.ToUpper(id) + "/hls/master.m3u8",
		"/media/videos/{" + id + "}/hls/master.m3u8",
		"/media/videos/urn:uuid:" + id + "/hls/master.m3u8",
		"/media/videos/..%2f..%2fuploads/secret.ts",
		"/media/videos/../uploads/secret.ts",
		"/media/../uploads/secret.ts",
		"/media/%2e%2e/uploads/secret.ts",
		"/media/uploads/secret.ts",
		"/media/t/../videos/" + id + "/hls/master.m3u8",
		"/media/t/%2e%2e/videos/" + id + "/hls/master.m3u8",
		sign + "/videos/" + id + "/../../uploads/secret.ts",
		sign + "/videos/" + id + "/hls/%2e%2e/%2e%2e/%2e%2e/uploads/secret.ts",
		sign + "/../videos/" + id + "/hls/master.m3u8",
		sign + "/" + sign + "/videos/" + id + "/hls/master.m3u8",
	}

	// As the lead mounts it, behind a ServeMux (which cleans some paths
	// with a redirect), and bare.
	mux := http.NewServeMux()
	h, err := delivery.New(delivery.Config{Bucket: e.bucket, Signer: e.signer, Lookup: e.lookup})
	require.NoError(t, err)
	mux.Handle(delivery.BasePath, h)
	bare := httptest.NewServer(h)
	t.Cleanup(bare.Close)
	muxed := httptest.NewServer(mux)
	t.Cleanup(muxed.Close)

	// Plain paths work, before (the handler then knows where the root
	// really is, see confined) and after the attempts.
	for _, srv := range []*httptest.Server{bare, muxed} {
		status, body := rawGet(t, srv.Listener.Addr().String(), "/media/videos/"+id+"/hls/180p/index.m3u8")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "seg_00000.ts")
	}
	for _, target := range attempts {
		for _, srv := range []*httptest.Server{bare, muxed} {
			status, body := rawGet(t, srv.Listener.Addr().String(), target)
			require.NotContains(t, body, secret, target)
			require.NotContains(t, body, "root:", target)
			if srv == bare {
				require.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound}, status, target)
			} else {
				require.NotEqual(t, http.StatusOK, status, target)
			}
		}
	}

}

// rawGet sends GET target exactly as given and returns the status and
// the whole response.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: media.test\r\nConnection: close\r\n\r\n", target)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, target)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestSymlinkedRoot serves from a bucket whose root directory is itself
// reached through a symbolic link, as with /var/media -> /mnt/media: that
// link is the operator's, and must not make every object unreachable,
// while links below the root still are refused.
func TestSymlinkedRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	realDir := filepath.Join(dir, "real")
	require.NoError(t, os.Mkdir(realDir, 0o755))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(realDir, link))
	bucket, err := storage.NewLocal(link)
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })

	id := uuid.New()
	prefix := "videos/" + id.String() + "/"
	for _, key := range []string{prefix + "hls/a/seg_00000.ts", prefix + "hls/a/seg_00001.ts", "uploads/secret.ts"} {
		require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(secret), int64(len(secret)), ""))
	}
	require.NoError(t, os.Symlink("../../../../uploads/secret.ts", filepath.Join(realDir, "videos", id.String(), "hls", "a", "in.ts")))

	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)
	h, err := delivery.New(delivery.Config{Bucket: bucket, Signer: signer, Logger: testLogger(t),
		Lookup: func(context.Context, uuid.UUID) (delivery.VideoState, error) {
			return delivery.VideoState{Privacy: delivery.PrivacyPublic}, nil
		}})
	require.NoError(t, err)
	for _, rest := range []string{"hls/a/seg_00000.ts", "hls/a/seg_00001.ts", "hls/a/seg_00000.ts"} {
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, publicPrefix(id)+rest).Code, rest)
	}
	require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, publicPrefix(id)+"hls/a/in.ts").Code)
}
