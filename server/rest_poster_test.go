package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPosterUploadOverHTTP(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir, "CLIPCUT_X264_PRESET=ultrafast")
	p.waitReady(t)
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	owner := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = p.graphql(t, `mutation { signUp(input: {email: "bob@example.com", password: "correct horse", name: "Bob"}) { token } }`)
	other := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	id := uploadAndWait(t, p, owner, "PUBLIC")
	base := "http://" + p.addr

	put := func(token string, body io.Reader, length int64) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPut, base+"/api/v1/videos/"+id+"/poster", body)
		require.NoError(t, err)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "image/webp")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	posterURL := func() string {
		res, _ := p.graphql(t, fmt.Sprintf(`{ video(id: %q) { playback { posterUrl } } }`, id))
		return res["data"].(map[string]any)["video"].(map[string]any)["playback"].(map[string]any)["posterUrl"].(string)
	}
	before := posterURL()

	// A WebP becomes the poster, a JPEG under a new immutable name.
	img := filepath.Join(t.TempDir(), "poster.webp")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=400x300",
		"-frames:v", "1", img).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(img)
	require.NoError(t, err)
	code, body := put(owner, bytes.NewReader(data), int64(len(data)))
	require.Equal(t, http.StatusOK, code, body)
	after := posterURL()
	require.NotEqual(t, before, after)
	require.Equal(t, after, body["poster_url"])
	resp, err := http.Get(after)
	require.NoError(t, err)
	cfg, err := jpeg.DecodeConfig(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, [2]int{400, 300}, [2]int{cfg.Width, cfg.Height})

	// Refusals change nothing.
	code, body = put(owner, strings.NewReader("not an image"), -1)
	require.Equal(t, http.StatusBadRequest, code)
	require.Equal(t, "BAD_USER_INPUT", body["error"].(map[string]any)["code"])
	require.Equal(t, "image", body["error"].(map[string]any)["field"])
	code, _ = put(other, bytes.NewReader(data), int64(len(data)))
	require.Equal(t, http.StatusForbidden, code)
	// Declared too large: refused before the body is read.
	code, _ = put(owner, io.LimitReader(zeros{}, 11<<20), 11<<20)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	// Undeclared (chunked) and too large: cut off while reading.
	code, body = put(owner, io.LimitReader(zeros{}, 11<<20), -1)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Equal(t, "BAD_USER_INPUT", body["error"].(map[string]any)["code"])
	require.Equal(t, after, posterURL())
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }
