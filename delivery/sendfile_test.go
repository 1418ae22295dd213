package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// readFromRecorder is a ResponseWriter that, like net/http's, accepts
// io.ReaderFrom, and notes what it was handed.
type readFromRecorder struct {
	*httptest.ResponseRecorder
	sources []io.Reader
}

func (r *readFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	r.sources = append(r.sources, src)
	return io.Copy(r.ResponseRecorder, src)
}

// TestLocalFilesReachSendfile checks that a segment on local disk reaches
// the ResponseWriter's ReadFrom as the open file itself (limited to the
// range), which is where net/http switches to sendfile, also through the
// metrics wrapper.
func TestLocalFilesReachSendfile(t *testing.T) {
	t.Parallel()
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	body := strings.Repeat("x", 10000)
	key := "videos/" + id.String() + "/hls/720p/seg_00000.ts"
	require.NoError(t, bucket.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), ""))
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(t, err)

	for _, reg := range []prometheus.Registerer{nil, prometheus.NewRegistry()} {
		h, err := New(Config{Bucket: bucket, Signer: signer, Registerer: reg,
			Lookup: func(context.Context, uuid.UUID) (VideoState, error) { return VideoState{Privacy: PrivacyPublic}, nil }})
		require.NoError(t, err)
		for _, rng := range []string{"", "bytes=100-199"} {
			req := httptest.NewRequest(http.MethodGet, layout.PublicPath(id)+"/hls/720p/seg_00000.ts", nil)
			if rng != "" {
				req.Header.Set("Range", rng)
			}
			w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
			h.ServeHTTP(w, req)
			require.Contains(t, []int{http.StatusOK, http.StatusPartialContent}, w.Code)
			require.Len(t, w.sources, 1)
			lr, ok := w.sources[0].(*io.LimitedReader)
			require.True(t, ok, "got %T", w.sources[0])
			_, isFile := lr.R.(*os.File)
			require.True(t, isFile, "got %T", lr.R)
		}
	}
}
