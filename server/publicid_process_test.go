package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
)

// TestRotatePublicIDReachesEveryReplicaAtOnce runs two processes on one
// database and one media directory. An UNLISTED video is opened by a
// stranger through its public id only (GraphQL, REST, oEmbed, media), on
// both; once its owner rotates the public id through A's GraphQL, B
// refuses the old one's media without waiting for its cache (an hour
// here): the notifier told it. A PUBLIC video is not affected.
func TestRotatePublicIDReachesEveryReplicaAtOnce(t *testing.T) {
	t.Parallel()
	a, b, mediaDir := startTwoReplicas(t, "replica-publicid-test-key-0123456789abcdef")

	data := func(res map[string]any) map[string]any {
		t.Helper()
		d, ok := res["data"].(map[string]any)
		require.True(t, ok, "%v", res)
		return d
	}
	res, _ := a.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	auth := []string{"Authorization", "Bearer " + data(res)["signUp"].(map[string]any)["token"].(string)}
	create := func(privacy string) uuid.UUID {
		res, _ := a.graphql(t, `mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: 1000, privacy: `+privacy+`}) { video { id } } }`, auth...)
		return uuid.MustParse(data(res)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string))
	}
	id, public := create("UNLISTED"), create("PUBLIC")
	res, _ = a.graphql(t, fmt.Sprintf(`{ video(id: %q) { publicId } }`, id), auth...)
	oldPID := data(res)["video"].(map[string]any)["publicId"].(string)
	require.True(t, layout.IsPublicID(oldPID), oldPID)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bucket, err := storage.NewLocal(mediaDir)
	require.NoError(t, err)
	defer bucket.Close()
	for _, v := range []uuid.UUID{id, public} {
		for key, body := range map[string]string{
			layout.Master(v): "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n360p/index.m3u8\n",
			layout.RenditionPrefix(v, "360p") + "/seg_00000.ts": "segment bytes",
		} {
			require.NoError(t, bucket.Put(ctx, key, strings.NewReader(body), int64(len(body)), ""))
		}
	}
	segment := func(prefix string, v uuid.UUID) string {
		return layout.URL(prefix, v, layout.RenditionPrefix(v, "360p")+"/seg_00000.ts")
	}
	master := func(prefix string, v uuid.UUID) string { return layout.URL(prefix, v, layout.Master(v)) }
	oldPrefix := layout.UnlistedPath(oldPID, id)
	// The form strangers are given: no video id in it.
	oldShared := layout.PublicIDPath(oldPID)

	// A stranger, on either process: by public id yes, by id no.
	for _, p := range []*process{a, b} {
		for _, u := range []string{segment(oldPrefix, id), master(oldPrefix, id), segment(oldShared, id), master(oldShared, id),
			segment(layout.PublicPath(public), public)} {
			code, body := p.get(t, u)
			require.Equal(t, http.StatusOK, code, "%s: %s", u, body)
		}
		for _, u := range []string{segment(layout.PublicPath(id), id), master(layout.PublicPath(id), id), "/videos/" + id.String(),
			"/oembed?format=json&url=" + url.QueryEscape("http://"+p.addr+"/watch/"+id.String())} {
			code, _ := p.get(t, u)
			require.Equal(t, http.StatusNotFound, code, u)
		}
		code, body := p.get(t, "/embed/"+oldPID)
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, `"id":"`+oldPID+`"`, "the embed names the video as it was opened")
		require.NotContains(t, body, `"id":"`+id.String()+`"`)
		code, body = p.get(t, "/videos/"+oldPID)
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, `"public_id":"`+oldPID+`"`)
		require.NotContains(t, body, `"id":"`+id.String()+`"`, "a stranger does not read the video id")
		code, body = p.get(t, "/oembed?format=json&url="+url.QueryEscape("http://"+p.addr+"/watch/"+oldPID))
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, "/embed/"+oldPID)
		res, _ := p.graphql(t, fmt.Sprintf(`{ byID: video(id: %q) { id } byPublicID: video(publicId: %q) { id } }`, id, oldPID))
		require.Nil(t, data(res)["byID"])
		require.NotEqual(t, id.String(), data(res)["byPublicID"].(map[string]any)["id"], "a stranger does not read the video id")

		// A stranger's player reports playback by the public id, not by id.
		code, _, body = postEvents(t, p, "text/plain", eventBatch(oldPID, 3))
		require.Equal(t, http.StatusAccepted, code, body)
		require.JSONEq(t, `{"accepted":3,"dropped":0}`, body)
		code, _, body = postEvents(t, p, "text/plain", eventBatch(id.String(), 3))
		require.Equal(t, http.StatusAccepted, code, body)
		require.JSONEq(t, `{"accepted":0,"dropped":3}`, body, "the id alone does not open an unlisted video")
		code, body = p.get(t, "/videos/"+id.String(), auth...)
		require.Equal(t, http.StatusOK, code, "the owner reaches it by id: %s", body)
	}

	res, _ = a.graphql(t, fmt.Sprintf(`mutation { rotatePublicId(videoId: %q) { publicId } }`, id), auth...)
	newPID := data(res)["rotatePublicId"].(map[string]any)["publicId"].(string)
	require.NotEqual(t, oldPID, newPID)

	// A -> PostgreSQL -> each notifier: asynchronous, but far sooner than
	// the hour either process would otherwise keep its answer.
	for name, p := range map[string]*process{"B": b, "A": a} {
		start := time.Now()
		require.Eventually(t, func() bool {
			code, _ := p.get(t, segment(oldPrefix, id))
			return code == http.StatusNotFound
		}, time.Minute, 20*time.Millisecond, "%s still serves the old public id\n%s", name, p.log())
		t.Logf("%s refused the old public id %s after the rotation", name, time.Since(start).Round(time.Millisecond))
		for _, u := range []string{master(oldPrefix, id), segment(oldShared, id), master(oldShared, id), "/videos/" + oldPID} {
			code, _ := p.get(t, u)
			require.Equal(t, http.StatusNotFound, code, u)
		}
		require.Eventually(t, func() bool {
			_, _, body := postEvents(t, p, "text/plain", eventBatch(oldPID, 3))
			return strings.TrimSpace(body) == `{"accepted":0,"dropped":3}`
		}, time.Minute, 20*time.Millisecond, "%s still takes events by the old public id", name)
		code, _, body := postEvents(t, p, "text/plain", eventBatch(newPID, 3))
		require.Equal(t, http.StatusAccepted, code, body)
		require.JSONEq(t, `{"accepted":3,"dropped":0}`, body, "events by the new public id count")
		newPrefix := layout.UnlistedPath(newPID, id)
		newShared := layout.PublicIDPath(newPID)
		for _, u := range []string{segment(newPrefix, id), master(newPrefix, id), segment(newShared, id), master(newShared, id),
			"/videos/" + newPID, segment(layout.PublicPath(public), public)} {
			code, body := p.get(t, u)
			require.Equal(t, http.StatusOK, code, "%s: %s", u, body)
		}
	}
	b.stop(t)
	a.stop(t)
}
