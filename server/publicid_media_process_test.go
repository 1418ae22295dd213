package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
)

// TestPublicIdMediaURLsHideTheVideoID processes an UNLISTED video and
// reads it as a stranger through its public id: nothing in the whole
// GraphQL answer, nor in the HLS playlists fetched through its URLs,
// holds the video id, and the player plays through them. After
// rotatePublicId the old URLs are 404 and the new ones play.
func TestPublicIdMediaURLsHideTheVideoID(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir, "CLIPCUT_X264_PRESET=ultrafast", "CLIPCUT_MP4_DOWNLOADS=true")
	p.waitReady(t)
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	token := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	owner := []string{"Authorization", "Bearer " + token}
	id := uploadAndWait(t, p, token, "UNLISTED")
	res, _ = p.graphql(t, fmt.Sprintf(`mutation { uploadSubtitles(videoId: %q, language: "en", content: "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n") { language } }`, id), owner...)
	require.Nil(t, res["errors"], "%v", res)
	res, _ = p.graphql(t, fmt.Sprintf(`{ video(id: %q) { publicId } }`, id), owner...)
	pid := res["data"].(map[string]any)["video"].(map[string]any)["publicId"].(string)
	base := "http://" + p.addr

	// Everything a stranger can ask about the video.
	const everything = `{ video(publicId: %q) { id title status privacy publicId
		playback { hlsUrl posterUrl previewUrl storyboardUrl chaptersUrl expiresAt }
		downloads { name url } subtitles { language vttUrl srtUrl } renditions { name } } }`
	stranger := func(pid string) (raw string, hls string, urls []string) {
		t.Helper()
		res, _ := p.graphql(t, fmt.Sprintf(everything, pid))
		v, _ := res["data"].(map[string]any)["video"].(map[string]any)
		require.NotNil(t, v, "%v", res)
		raw = fmt.Sprint(res)
		pb := v["playback"].(map[string]any)
		hls = pb["hlsUrl"].(string)
		for _, k := range []string{"hlsUrl", "posterUrl", "storyboardUrl", "previewUrl"} {
			if u, ok := pb[k].(string); ok {
				urls = append(urls, u)
			}
		}
		for _, d := range v["downloads"].([]any) {
			urls = append(urls, d.(map[string]any)["url"].(string))
		}
		for _, s := range v["subtitles"].([]any) {
			urls = append(urls, s.(map[string]any)["vttUrl"].(string), s.(map[string]any)["srtUrl"].(string))
		}
		return raw, hls, urls
	}
	raw, hls, urls := stranger(pid)
	require.NotContains(t, raw, id, "a stranger's answer holds no video id")
	require.Equal(t, base+layout.PublicIDPath(pid)+"/hls/master.m3u8", hls)
	require.GreaterOrEqual(t, len(urls), 6, "hls, poster, storyboard, download, two subtitle files: %v", urls)
	for _, u := range urls {
		require.True(t, strings.HasPrefix(u, base+layout.PublicIDPath(pid)+"/"), u)
		code, _ := p.get(t, strings.TrimPrefix(u, base))
		require.Equal(t, http.StatusOK, code, u)
	}

	// The player's walk: master, each rendition playlist, a segment;
	// none of what it reads names the video.
	segment := playlistWalk(t, p, base, hls, id)
	ok, msg := decodes(t, hls)
	require.True(t, ok, "ffmpeg plays the public id master playlist: %s", msg)

	// The older form with the video id still opens it while the public
	// id is current.
	code, _ := p.get(t, layout.UnlistedPath(pid, uuid.MustParse(id))+"/hls/master.m3u8")
	require.Equal(t, http.StatusOK, code)

	res, _ = p.graphql(t, fmt.Sprintf(`mutation { rotatePublicId(videoId: %q) { publicId } }`, id), owner...)
	fresh := res["data"].(map[string]any)["rotatePublicId"].(map[string]any)["publicId"].(string)
	require.NotEqual(t, pid, fresh)
	require.Eventually(t, func() bool {
		code, _ := p.get(t, segment)
		return code == http.StatusNotFound
	}, time.Minute, 20*time.Millisecond, "the old public id still opens the segment")
	for _, u := range append(urls, hls) {
		code, _ := p.get(t, strings.TrimPrefix(u, base))
		require.Equal(t, http.StatusNotFound, code, u)
	}
	raw, hls, urls = stranger(fresh)
	require.NotContains(t, raw, id)
	require.NotContains(t, raw, pid)
	for _, u := range urls {
		require.True(t, strings.HasPrefix(u, base+layout.PublicIDPath(fresh)+"/"), u)
		code, _ := p.get(t, strings.TrimPrefix(u, base))
		require.Equal(t, http.StatusOK, code, u)
	}
	playlistWalk(t, p, base, hls, id)
	p.stop(t)
}

// uriAttr finds the URI="..." attributes of HLS tags.
var uriAttr = regexp.MustCompile(`URI="([^"]+)"`)

// playlistWalk fetches the master playlist at hls and every playlist it
// names, requiring that none holds video id and that every URI stays
// under the master's prefix; it fetches one segment (200) and returns
// its path.
func playlistWalk(t *testing.T, p *process, base, hls, id string) (segment string) {
	t.Helper()
	master, err := url.Parse(hls)
	require.NoError(t, err)
	code, body := p.get(t, master.Path)
	require.Equal(t, http.StatusOK, code, hls)
	require.NotContains(t, body, id)
	prefix := strings.TrimSuffix(master.Path, "hls/master.m3u8")
	refs := func(u *url.URL, body string) []string {
		var out []string
		for _, line := range strings.Split(body, "\n") {
			line = strings.TrimSpace(line)
			if m := uriAttr.FindStringSubmatch(line); m != nil {
				out = append(out, u.ResolveReference(&url.URL{Path: m[1]}).Path)
			}
			if line != "" && !strings.HasPrefix(line, "#") {
				r, err := url.Parse(line)
				require.NoError(t, err)
				out = append(out, u.ResolveReference(r).Path)
			}
		}
		return out
	}
	playlists := 0
	for _, ref := range refs(master, body) {
		require.True(t, strings.HasPrefix(ref, prefix), ref)
		if !strings.HasSuffix(ref, ".m3u8") {
			continue
		}
		code, pl := p.get(t, ref)
		require.Equal(t, http.StatusOK, code, ref)
		require.NotContains(t, pl, id, ref)
		playlists++
		for _, s := range refs(&url.URL{Path: ref}, pl) {
			require.True(t, strings.HasPrefix(s, prefix), s)
			require.NotContains(t, s, id)
			if segment == "" && (strings.HasSuffix(s, ".ts") || strings.HasSuffix(s, ".m4s")) {
				segment = s
			}
		}
	}
	require.NotZero(t, playlists)
	require.NotEmpty(t, segment)
	code, _ = p.get(t, segment)
	require.Equal(t, http.StatusOK, code, segment)
	return segment
}
