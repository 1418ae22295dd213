package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestExamplesAPITokensAndRateLimits runs the programs in examples/ against
// a real instance with API tokens, the way an integrator would, then checks
// the REST scopes and every rate limit (with low limits) on the same
// instance.
func TestExamplesAPITokensAndRateLimits(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir, "CLIPCUT_MEDIA_WORKERS=1", "CLIPCUT_X264_PRESET=ultrafast",
		"CLIPCUT_RATE_LIMIT_GRAPHQL=100/1m", "CLIPCUT_RATE_LIMIT_UPLOADS=3/1h", "CLIPCUT_RATE_LIMIT_AUTH=5/1h")
	p.waitReady(t)
	base := "http://" + p.addr

	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)

	res, hdr := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	session := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	require.Equal(t, "100", hdr.Get("X-RateLimit-Limit"), "GraphQL answers carry the limit")
	require.Equal(t, "99", hdr.Get("X-RateLimit-Remaining"))
	newToken := func(scopes string) string {
		t.Helper()
		res, _ := p.graphql(t, `mutation { createApiToken(name: "test", scopes: [`+scopes+`]) { token } }`, "Authorization", "Bearer "+session)
		require.Nil(t, res["errors"])
		return res["data"].(map[string]any)["createApiToken"].(map[string]any)["token"].(string)
	}
	runExample := func(t *testing.T, cmd *exec.Cmd, token string) string {
		cmd.Env = append(filteredEnv(), "CLIPCUT_URL="+base, "CLIPCUT_TOKEN="+token)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		done := make(chan error, 1)
		require.NoError(t, cmd.Start())
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "%s", buf.String())
		case <-time.After(3 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("example still running after 3 minutes:\n%s", buf.String())
		}
		output := buf.String()
		t.Logf("example output:\n%s", output)
		require.Contains(t, output, "progress READY")
		require.Regexp(t, `hls: http://\S+/master\.m3u8`, output)
		// The printed playback URL plays.
		hls := strings.Fields(output[strings.Index(output, "hls: ")+5:])[0]
		resp, err := http.Get(hls)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), "#EXT-X-STREAM-INF")
		return output
	}

	t.Run("go", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "example")
		out, err := exec.Command("go", "build", "-o", bin, "../examples/go").CombinedOutput()
		require.NoError(t, err, "%s", out)
		runExample(t, exec.Command(bin, clip), newToken("UPLOADS_WRITE, VIDEOS_READ"))
	})

	t.Run("node", func(t *testing.T) {
		sdk, err := filepath.Abs("../sdk/js")
		require.NoError(t, err)
		for _, need := range []string{"dist/index.js", "node_modules/tus-js-client"} {
			if _, err := os.Stat(filepath.Join(sdk, need)); err != nil {
				t.Skipf("sdk/js/%s is missing (make sdk builds it): the Node example uses the SDK", need)
			}
		}
		// The script runs beside a node_modules holding the SDK, as after
		// `npm install` in examples/node (a file: dependency is a symlink;
		// the SDK finds its own dependencies beside its real path).
		work := t.TempDir()
		script, err := os.ReadFile("../examples/node/upload.mjs")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(work, "upload.mjs"), script, 0o644))
		require.NoError(t, os.MkdirAll(filepath.Join(work, "node_modules", "@clipcut"), 0o755))
		require.NoError(t, os.Symlink(sdk, filepath.Join(work, "node_modules", "@clipcut", "sdk")))
		output := runExample(t, exec.Command("node", filepath.Join(work, "upload.mjs"), clip), newToken("UPLOADS_WRITE, VIDEOS_READ"))
		require.Regexp(t, `uploaded \d+/\d+ bytes \(100%\)`, output, "upload progress is reported")
	})

	t.Run("REST and tus check scopes", func(t *testing.T) {
		res, _ := p.graphql(t, `{ videos { edges { node { id } } } }`)
		id := res["data"].(map[string]any)["videos"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["id"].(string)
		reader, writer := newToken("VIDEOS_READ"), newToken("UPLOADS_WRITE")
		for _, path := range []string{"/videos/" + id, "/api/v1/videos/" + id + "/status", "/api/v1/videos/" + id + "/playlist.m3u8", "/stream/" + id + "/240p"} {
			code, _ := p.get(t, path)
			require.Equal(t, http.StatusOK, code, "anonymous reads public %s", path)
			code, _ = p.get(t, path, "Authorization", "Bearer "+reader)
			require.Equal(t, http.StatusOK, code, "videos:read reads %s", path)
			code, body := p.get(t, path, "Authorization", "Bearer "+writer)
			require.Equal(t, http.StatusForbidden, code, "uploads:write alone cannot read %s", path)
			require.Contains(t, body, "videos:read")
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/upload", strings.NewReader(""))
		req.Header.Set("Authorization", "Bearer "+reader)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "POST /upload needs uploads:write")
	})

	t.Run("rate limits", func(t *testing.T) {
		// Uploads: 3 per hour per token, over GraphQL and tus alike.
		tok := newToken("UPLOADS_WRITE")
		for range 3 {
			res, _ := p.graphql(t, `mutation { createUpload(input: {title: "t", size: 10}) { uploadUrl } }`, "Authorization", "Bearer "+tok)
			require.Nil(t, res["errors"])
		}
		res, _ := p.graphql(t, `mutation { createUpload(input: {title: "t", size: 10}) { uploadUrl } }`, "Authorization", "Bearer "+tok)
		gqlErr := res["errors"].([]any)[0].(map[string]any)
		require.Equal(t, "RATE_LIMITED", gqlErr["extensions"].(map[string]any)["code"])
		require.InDelta(t, 1200, gqlErr["extensions"].(map[string]any)["retryAfter"], 2, "one upload back every 20 minutes")

		req, _ := http.NewRequest(http.MethodPost, base+"/uploads/", nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", "10")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.Equal(t, "3", resp.Header.Get("X-RateLimit-Limit"))
		require.Equal(t, "0", resp.Header.Get("X-RateLimit-Remaining"))
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.InDelta(t, 1200, retry, 2)

		// Authentication: 5 sign-ups or log-ins per hour per address
		// (signUp above used one; one comes back every 12 minutes).
		login := `mutation { logIn(input: {email: "ada@example.com", password: "correct horse"}) { token } }`
		for i := range 4 {
			res, _ := p.graphql(t, login)
			require.Nil(t, res["errors"], "log-in %d", i)
		}
		res, _ = p.graphql(t, login)
		gqlErr = res["errors"].([]any)[0].(map[string]any)
		require.Equal(t, "RATE_LIMITED", gqlErr["extensions"].(map[string]any)["code"])

		// GraphQL: 100 per minute per client; anonymous clients by address.
		// (The bucket refills by one every 0.6s, hence the slack.)
		var last *http.Response
		for range 150 {
			req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = resp
			if resp.StatusCode == http.StatusTooManyRequests {
				require.Contains(t, string(body), `"code":"RATE_LIMITED"`)
				require.Contains(t, string(body), `"retryAfter":`)
				break
			}
		}
		require.Equal(t, http.StatusTooManyRequests, last.StatusCode)
		require.NotEmpty(t, last.Header.Get("Retry-After"))
		require.Equal(t, "0", last.Header.Get("X-RateLimit-Remaining"))
		// A token has its own bucket.
		res, _ = p.graphql(t, `{ me { id } }`, "Authorization", "Bearer "+newTokenAfterLimit(t, p, session))
		require.Nil(t, res["errors"], fmt.Sprint(res))
	})
}

// newTokenAfterLimit creates a token with the session, whose own bucket
// is not the exhausted anonymous one.
func newTokenAfterLimit(t *testing.T, p *process, session string) string {
	t.Helper()
	res, _ := p.graphql(t, `mutation { createApiToken(name: "after", scopes: [VIDEOS_READ]) { token } }`, "Authorization", "Bearer "+session)
	require.Nil(t, res["errors"], fmt.Sprint(res))
	return res["data"].(map[string]any)["createApiToken"].(map[string]any)["token"].(string)
}
