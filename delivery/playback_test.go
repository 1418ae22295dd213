package delivery_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/delivery"
)

// TestPlaybackWithFFmpeg has ffmpeg play the master playlist over HTTP and
// decode every frame of both renditions, from each backend, for a public
// video and for a private one through a signed link.
func TestPlaybackWithFFmpeg(t *testing.T) {
	t.Parallel()
	for _, b := range []backend{local, s3Proxy, s3Redirect} {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b, func(c *delivery.Config) { c.LookupTTL = time.Minute })

			frames := decode(t, e.pub(e.public, "hls/master.m3u8"))
			require.Equal(t, map[string]int{"0": 50, "1": 50}, frames, "frames decoded per rendition")

			prefix := signedPrefix(e.signer, e.private, time.Now().Add(time.Hour))
			frames = decode(t, e.url+prefix+"hls/master.m3u8")
			require.Equal(t, map[string]int{"0": 50, "1": 50}, frames, "frames decoded per rendition")

			// Every hop, down to the segments, kept the token: ffmpeg
			// only resolved the playlists' relative URIs.
			var seen []string
			for _, p := range e.seenPaths() {
				if strings.Contains(p, e.private.String()) {
					require.True(t, strings.HasPrefix(p, prefix), "request %s lost the token", p)
					seen = append(seen, strings.TrimPrefix(p, prefix))
				}
			}
			for _, rest := range []string{
				"hls/master.m3u8", "hls/180p/index.m3u8", "hls/90p/index.m3u8",
				"hls/180p/seg_00000.ts", "hls/180p/seg_00001.ts", "hls/90p/seg_00000.ts", "hls/90p/seg_00001.ts",
			} {
				require.Contains(t, seen, rest)
			}
			// One privacy query per video for the whole playback.
			require.Equal(t, 1, e.lookupsOf(e.public))
			require.Equal(t, 1, e.lookupsOf(e.private))

			// Without the token ffmpeg gets nowhere.
			out, err := exec.CommandContext(t.Context(), "ffmpeg", "-nostdin", "-v", "error",
				"-i", e.pub(e.private, "hls/master.m3u8"), "-f", "null", "-").CombinedOutput()
			require.Error(t, err)
			require.Contains(t, string(out), "403")
		})
	}
}

// decode has ffmpeg read url and decode every video stream, and returns
// the number of frames per output stream.
func decode(t *testing.T, url string) map[string]int {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0:v", "-f", "framecrc", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ffmpeg: %s", stderr.String())
	require.Empty(t, stderr.String(), "ffmpeg complained")
	frames := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		stream, _, _ := strings.Cut(line, ",")
		frames[strings.TrimSpace(stream)]++
	}
	return frames
}
