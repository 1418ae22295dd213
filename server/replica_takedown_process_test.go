package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestTakedownReachesEveryReplicasMediaAtOnce runs two processes on one
// database and one media directory: a public video an administrator takes
// down through process A is refused by process B's /media/ at once (B has
// the video cached as servable for an hour), and served again by B once
// restored: both changes reach B through the notifier.
func TestTakedownReachesEveryReplicasMediaAtOnce(t *testing.T) {
	t.Parallel()
	a, b, mediaDir := startTwoReplicas(t, "replica-takedown-test-key-0123456789abcdef")

	// The first account is the instance's administrator; the second owns
	// the video.
	res, _ := a.graphql(t, `mutation { signUp(input: {email: "admin@example.com", password: "correct horse", name: "Admin"}) { token } }`)
	admin := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = a.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	owner := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = a.graphql(t, `mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: 1000, privacy: PUBLIC}) { video { id } } }`,
		"Authorization", "Bearer "+owner)
	id := uuid.MustParse(res["data"].(map[string]any)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string))

	segment := putTestSegment(t, mediaDir, id)
	servedBy := func(p *process) bool {
		code, body := p.get(t, segment)
		return code == http.StatusOK && body == "segment bytes"
	}
	for _, p := range []*process{a, b} {
		require.True(t, servedBy(p), "a public segment is served before the takedown")
	}

	res, _ = a.graphql(t, fmt.Sprintf(`mutation { takeDownVideo(videoId: %q, reason: "Copyright claim") { status } }`, id),
		"Authorization", "Bearer "+admin)
	require.Equal(t, "TAKEN_DOWN", res["data"].(map[string]any)["takeDownVideo"].(map[string]any)["status"], "%v", res)
	start := time.Now()
	require.Eventually(t, func() bool { return !servedBy(b) }, time.Minute, 20*time.Millisecond,
		"B still serves a taken-down video's segment\n%s", b.log())
	t.Logf("B refused the taken-down segment %s after the takedown", time.Since(start).Round(time.Millisecond))
	require.False(t, servedBy(a), "A refuses it too")

	res, _ = a.graphql(t, fmt.Sprintf(`mutation { restoreVideo(videoId: %q) { status } }`, id),
		"Authorization", "Bearer "+admin)
	require.NotEqual(t, "TAKEN_DOWN", res["data"].(map[string]any)["restoreVideo"].(map[string]any)["status"], "%v", res)
	require.Eventually(t, func() bool { return servedBy(b) }, time.Minute, 20*time.Millisecond,
		"B does not serve the restored video's segment\n%s", b.log())
	b.stop(t)
	a.stop(t)
}
