package delivery_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/delivery"
	"github.com/clipcut/clipcut/storage"
)

// BenchmarkServe measures requests per second for a segment and a media
// playlist from local disk over real HTTP connections (keep-alive,
// sendfile), public and signed.
func BenchmarkServe(b *testing.B) {
	bucket, err := storage.NewLocal(b.TempDir())
	require.NoError(b, err)
	b.Cleanup(func() { bucket.Close() })
	id := uuid.New()
	segment := strings.Repeat("s", 256<<10)
	playlist := "#EXTM3U\n#EXT-X-TARGETDURATION:4\n" + strings.Repeat("#EXTINF:4.000,\nseg_00000.ts\n", 300) + "#EXT-X-ENDLIST\n"
	ctx := b.Context()
	require.NoError(b, bucket.Put(ctx, "videos/"+id.String()+"/hls/720p/seg_00000.ts", strings.NewReader(segment), int64(len(segment)), ""))
	require.NoError(b, bucket.Put(ctx, "videos/"+id.String()+"/hls/720p/index.m3u8", strings.NewReader(playlist), int64(len(playlist)), ""))
	signer, err := auth.NewSigner([][]byte{[]byte(strings.Repeat("s", 32))})
	require.NoError(b, err)
	h, err := delivery.New(delivery.Config{Bucket: bucket, Signer: signer,
		Lookup: func(context.Context, uuid.UUID) (delivery.VideoState, error) {
			return delivery.VideoState{Privacy: delivery.PrivacyPublic}, nil
		}})
	require.NoError(b, err)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	for _, bc := range []struct {
		name, path string
		size       int
	}{
		{"segment", publicPrefix(id) + "hls/720p/seg_00000.ts", len(segment)},
		{"segment-signed", signedPrefix(signer, id, time.Now().Add(time.Hour)) + "hls/720p/seg_00000.ts", len(segment)},
		{"playlist", publicPrefix(id) + "hls/720p/index.m3u8", len(playlist)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(bc.size))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(srv.URL + bc.path)
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || n != int64(bc.size) {
						b.Errorf("status %d, %d bytes", resp.StatusCode, n)
						return
					}
				}
			})
		})
	}
}
