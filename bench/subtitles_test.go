package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShellSubtitleCommand(t *testing.T) {
	t.Parallel()
	cmd := shellSubtitleCommand("ffmpeg", "/tmp/my clip.mp4", "/w/out")
	require.Equal(t, "ffmpeg -hide_banner -nostdin -y -loglevel error -i '/tmp/my clip.mp4' -vn -ac 1 -ar 16000 -c:a pcm_s16le /w/out/audio.wav && "+
		"pocketsphinx_continuous -infile /w/out/audio.wav -time yes -hmm /usr/share/pocketsphinx/model/en-us/en-us "+
		"-lm /usr/share/pocketsphinx/model/en-us/en-us.lm.bin -dict /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict "+
		"> /w/out/words.txt 2>/dev/null", cmd)
}
