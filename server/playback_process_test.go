package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// uploadAndWait uploads a generated clip through createUpload + tus PATCH
// and polls the status endpoint until the video is READY.
func uploadAndWait(t *testing.T, p *process, token, privacy string) string {
	t.Helper()
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3",
		"-f", "lavfi", "-i", "sine=frequency=300:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(clip)
	require.NoError(t, err)
	res, _ := p.graphql(t, fmt.Sprintf(`mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: %d, privacy: %s}) { uploadUrl video { id } } }`, len(data), privacy),
		"Authorization", "Bearer "+token)
	created := res["data"].(map[string]any)["createUpload"].(map[string]any)
	req, err := http.NewRequest(http.MethodPatch, created["uploadUrl"].(string), strings.NewReader(string(data)))
	require.NoError(t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	id := created["video"].(map[string]any)["id"].(string)
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		code, body := p.get(t, "/api/v1/videos/"+id+"/status", "Authorization", "Bearer "+token)
		require.Equal(t, http.StatusOK, code, body)
		if strings.Contains(body, `"status":"READY"`) {
			return id
		}
		require.NotContains(t, body, `"status":"FAILED"`)
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("video %s not READY in 10 minutes\n%s", id, p.log())
	return ""
}

// decodes reports whether ffmpeg plays url over HTTP end to end.
func decodes(t *testing.T, url string) (bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-i", url, "-map", "0:v:0", "-f", "null", "-").CombinedOutput()
	return err == nil && len(strings.TrimSpace(string(out))) == 0, string(out)
}

func TestPlaybackOverHTTPForPublicAndPrivateVideos(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir, "CLIPCUT_X264_PRESET=ultrafast", "CLIPCUT_MP4_DOWNLOADS=true")
	p.waitReady(t)
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	owner := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = p.graphql(t, `mutation { signUp(input: {email: "bob@example.com", password: "correct horse", name: "Bob"}) { token } }`)
	other := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)

	public := uploadAndWait(t, p, owner, "PUBLIC")
	private := uploadAndWait(t, p, owner, "PRIVATE")
	base := "http://" + p.addr

	playback := func(id, token string) map[string]any {
		res, _ := p.graphql(t, fmt.Sprintf(`{ video(id: %q) { playback { hlsUrl posterUrl storyboardUrl expiresAt } renditions { name } } }`, id),
			"Authorization", "Bearer "+token)
		v, _ := res["data"].(map[string]any)["video"].(map[string]any)
		if v == nil {
			return nil
		}
		return v["playback"].(map[string]any)
	}

	// Public: stable URLs that any player plays over HTTP.
	pub := playback(public, other)
	require.Equal(t, base+"/media/videos/"+public+"/hls/master.m3u8", pub["hlsUrl"])
	require.Nil(t, pub["expiresAt"])
	ok, msg := decodes(t, pub["hlsUrl"].(string))
	require.True(t, ok, "ffmpeg plays the public master playlist: %s", msg)
	code, _ := p.get(t, strings.TrimPrefix(pub["posterUrl"].(string), base))
	require.Equal(t, http.StatusOK, code)
	code, body := p.get(t, strings.TrimPrefix(pub["storyboardUrl"].(string), base))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "#xywh=")

	// The MP4 download plays, and seeks by byte range.
	res, _ = p.graphql(t, fmt.Sprintf(`{ video(id: %q) { downloads { name size url } } }`, public))
	downloads := res["data"].(map[string]any)["video"].(map[string]any)["downloads"].([]any)
	require.Len(t, downloads, 1)
	dl := downloads[0].(map[string]any)
	require.Equal(t, "360p", dl["name"])
	ok, msg = decodes(t, dl["url"].(string))
	require.True(t, ok, "the MP4 download plays: %s", msg)
	req, err := http.NewRequest(http.MethodGet, dl["url"].(string), nil)
	require.NoError(t, err)
	req.Header.Set("Range", "bytes=100-199")
	rangeResp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	part, _ := io.ReadAll(rangeResp.Body)
	rangeResp.Body.Close()
	require.Equal(t, http.StatusPartialContent, rangeResp.StatusCode)
	require.Len(t, part, 100)
	require.Equal(t, "video/mp4", rangeResp.Header.Get("Content-Type"))

	// The original REST endpoints play too.
	ok, msg = decodes(t, base+"/api/v1/videos/"+public+"/playlist.m3u8")
	require.True(t, ok, "the REST master playlist plays: %s", msg)
	ok, msg = decodes(t, base+"/stream/"+public+"/240p")
	require.True(t, ok, "one rendition plays on its own: %s", msg)
	code, body = p.get(t, "/stream/"+public+"/999p")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `"available":["240p","360p"]`)
	code, body = p.get(t, "/videos/"+public)
	require.Equal(t, http.StatusOK, code)
	var meta struct {
		Status   string
		Playback struct {
			HLSURL string `json:"hls_url"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &meta))
	require.Equal(t, "READY", meta.Status)
	require.Equal(t, pub["hlsUrl"], meta.Playback.HLSURL)

	// Private: invisible to others, unplayable without a signature, and
	// playable through the owner's signed URLs (the token in the path
	// carries from the master to every segment).
	require.Nil(t, playback(private, other))
	code, _ = p.get(t, "/videos/"+private)
	require.Equal(t, http.StatusNotFound, code)
	code, _ = p.get(t, "/media/videos/"+private+"/hls/master.m3u8")
	require.Equal(t, http.StatusForbidden, code)
	priv := playback(private, owner)
	require.NotNil(t, priv["expiresAt"])
	require.Contains(t, priv["hlsUrl"], "/media/t/")
	ok, msg = decodes(t, priv["hlsUrl"].(string))
	require.True(t, ok, "the owner's signed URL plays: %s", msg)

	res, _ = p.graphql(t, fmt.Sprintf(`mutation { createPlaybackToken(videoId: %q, ttl: 600) { token expiresAt playback { hlsUrl } } }`, private),
		"Authorization", "Bearer "+owner)
	shared := res["data"].(map[string]any)["createPlaybackToken"].(map[string]any)
	sharedURL := shared["playback"].(map[string]any)["hlsUrl"].(string)
	ok, msg = decodes(t, sharedURL)
	require.True(t, ok, "a shared link plays without an account: %s", msg)
	tampered := strings.Replace(sharedURL, shared["token"].(string), shared["token"].(string)[:len(shared["token"].(string))-2]+"xx", 1)
	resp, err := http.Get(tampered)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	res, _ = p.graphql(t, fmt.Sprintf(`mutation { createPlaybackToken(videoId: %q) { token } }`, private), "Authorization", "Bearer "+other)
	require.Contains(t, fmt.Sprint(res["errors"]), "NOT_FOUND", "only the owner signs links")
	p.stop(t)
}
