package media

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDownloadMP4RemuxesAFinishedRendition(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	src := fixture(t, "hd720")
	info, err := Probe(testContext(t, time.Minute), ffprobe, src)
	require.NoError(t, err)
	ladder := PlanLadder(*info, LadderOptions{Rungs: []int{360}})
	out := t.TempDir()
	require.NoError(t, Transcode(testContext(t, 2*time.Minute), ffmpeg, LadderArgs(src, *info, ladder, out, EncodeOptions{Preset: "ultrafast"}), nil))
	playlist := filepath.Join(out, ladder[0].Name, MediaPlaylistName)
	require.NoError(t, FinalizeMediaPlaylistFile(playlist))

	mp4 := filepath.Join(t.TempDir(), "360p.mp4")
	require.NoError(t, DownloadMP4(testContext(t, time.Minute), ffmpeg, playlist, mp4))
	got, err := Probe(testContext(t, time.Minute), ffprobe, mp4)
	require.NoError(t, err)
	require.Equal(t, ladder[0].Width, got.Video.Width)
	require.NotNil(t, got.Audio, "the audio is kept")
	require.InDelta(t, info.Duration, got.Duration, 0.2)
	require.Empty(t, decodeErrors(t, ffmpeg, mp4))
	// faststart: the index (moov) comes before the media data (mdat).
	head := make([]byte, 64<<10)
	f, err := os.Open(mp4)
	require.NoError(t, err)
	defer f.Close()
	n, _ := f.Read(head)
	moov, mdat := indexOf(head[:n], "moov"), indexOf(head[:n], "mdat")
	require.GreaterOrEqual(t, moov, 0)
	require.True(t, mdat < 0 || moov < mdat, "moov before mdat")
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}
