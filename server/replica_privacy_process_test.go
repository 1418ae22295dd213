package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// TestPrivacyChangeReachesEveryReplicasMediaAtOnce runs two processes on
// one database and one media directory: a video made PRIVATE through
// process A's GraphQL is refused by process B's /media/ without waiting
// for B's privacy cache to expire (an hour here), because the change
// reaches B through the notifier.
func TestPrivacyChangeReachesEveryReplicasMediaAtOnce(t *testing.T) {
	t.Parallel()
	a, b, mediaDir := startTwoReplicas(t, "replica-privacy-test-key-0123456789abcdef")

	res, _ := a.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = a.graphql(t, `mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: 1000, privacy: PUBLIC}) { video { id } } }`,
		"Authorization", "Bearer "+token)
	id := uuid.MustParse(res["data"].(map[string]any)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string))

	segment := putTestSegment(t, mediaDir, id)

	// B serves it publicly, and so has PUBLIC cached for an hour.
	for _, p := range []*process{a, b} {
		code, body := p.get(t, segment)
		require.Equal(t, http.StatusOK, code, body)
		require.Equal(t, "segment bytes", body)
	}

	res, _ = a.graphql(t, fmt.Sprintf(`mutation { updateVideo(input: {id: %q, privacy: PRIVATE}) { privacy } }`, id),
		"Authorization", "Bearer "+token)
	require.Equal(t, "PRIVATE", res["data"].(map[string]any)["updateVideo"].(map[string]any)["privacy"], "%v", res)

	// The notice travels A -> PostgreSQL -> B's notifier: asynchronous,
	// but far sooner than the hour B would otherwise keep its answer.
	start := time.Now()
	require.Eventually(t, func() bool {
		code, _ := b.get(t, segment)
		return code == http.StatusForbidden
	}, time.Minute, 20*time.Millisecond, "B still serves the unsigned segment of a private video\n%s", b.log())
	t.Logf("B refused the unsigned segment %s after the change", time.Since(start).Round(time.Millisecond))
	// A, which made the change, hears it the same way.
	require.Eventually(t, func() bool {
		code, _ := a.get(t, segment)
		return code == http.StatusForbidden
	}, time.Minute, 20*time.Millisecond, "A still serves the unsigned segment of a private video\n%s", a.log())
	b.stop(t)
	a.stop(t)
}

// startTwoReplicas starts process A on its own private cluster and media
// directory, and process B (mode api) on A's cluster and A's media: all
// the two share is what replicas share. Both use one secret key (so a
// link one signs the other accepts) and keep a video's privacy for an
// hour, so that only the notifier can make B see a change in time. It
// returns them ready, with A's media directory.
func startTwoReplicas(t *testing.T, secretKey string) (a, b *process, media string) {
	t.Helper()
	dirA := traversableTempDir(t)
	common := []string{"CLIPCUT_SECRET_KEYS=" + secretKey, "CLIPCUT_MEDIA_PRIVACY_TTL=1h"}
	a = startClipcut(t, dirA, common...)
	a.waitReady(t)
	b = startClipcutMode(t, traversableTempDir(t), "api", append([]string{
		"DATABASE_URL=postgres://clipcut@/clipcut?sslmode=disable&host=" + filepath.Join(dirA, "var", "pg", "run"),
		"CLIPCUT_DATA_DIR=" + filepath.Join(dirA, "var"),
	}, common...)...)
	b.waitReady(t)
	return a, b, filepath.Join(dirA, "var", "media")
}

// putTestSegment stores a segment of video id in the replicas' shared media
// directory, as a worker would, and returns its public /media/ path. Its
// body is "segment bytes".
func putTestSegment(t *testing.T, mediaDir string, id uuid.UUID) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bucket, err := storage.NewLocal(mediaDir)
	require.NoError(t, err)
	defer bucket.Close()
	key := layout.RenditionPrefix(id, "360p") + "/seg_00000.ts"
	require.NoError(t, bucket.Put(ctx, key, strings.NewReader("segment bytes"), int64(len("segment bytes")), "video/mp2t"))
	return layout.URL(layout.PublicPath(id), id, key)
}
