package jobs_test

import (
	"context"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// speechClip makes a video whose audio is espeak-ng saying sentences after
// lead seconds of silence.
func speechClip(t *testing.T, lead float64, text string) string {
	t.Helper()
	dir := t.TempDir()
	wav := filepath.Join(dir, "speech.wav")
	out, err := exec.Command("espeak-ng", "-s", "140", "-w", wav, text).CombinedOutput()
	require.NoError(t, err, "espeak-ng: %s", out)
	return ffmpegClip(t, "talk.mp4", cat(testsrc("640x360", 25, 10),
		[]string{"-i", wav, "-filter_complex", fmt.Sprintf("[1:a]adelay=%d:all=1,apad[a]", int(lead*1000)),
			"-map", "0:v", "-map", "[a]", "-t", "10"}, fastH264, []string{"-c:a", "aac"})...)
}

func TestPipelineMakesSubtitlesFromSpeech(t *testing.T) {
	tr, why, err := media.SelectTranscriber(media.TranscriberConfig{Engine: "sphinx"})
	require.NoError(t, err)
	require.NoError(t, tr.Check(context.Background()), "pocketsphinx and its English model are installed by make test (%s)", why)
	p := newPipelineWith(t, "local", tr)

	id := p.upload(speechClip(t, 2, "The weather is nice today. We are going to the river. Thank you for watching."))
	events, unsubscribe := p.hub.Subscribe(id)
	defer unsubscribe()
	v, _ := p.processed(id, events)
	require.Equal(t, store.StatusReady, v.Status, "error: %v", v.Error)
	require.Equal(t, store.SubtitlesReady, v.SubtitlesStatus, "note: %v", v.SubtitlesNote)

	track, err := p.store.SubtitleTrack(context.Background(), id, "en")
	require.NoError(t, err)
	require.Equal(t, store.ProvenanceGenerated, track.Provenance)
	require.Positive(t, track.CueCount)
	cues, err := media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
	require.NoError(t, err, "the stored WebVTT is valid")
	require.NotEmpty(t, cues)
	for _, c := range cues {
		require.GreaterOrEqual(t, c.Start, 1500*time.Millisecond, "no cue before the speech starts: %+v", c)
		require.LessOrEqual(t, c.End, 10*time.Second)
		require.Less(t, c.Start, c.End)
	}
	// The recognised words are kept with their times, inside the speech
	// and in order, for the studio's transcript.
	words, err := p.store.SubtitleWords(context.Background(), id, "en")
	require.NoError(t, err)
	require.NotEmpty(t, words)
	for i, w := range words {
		require.GreaterOrEqual(t, w.Start, 1500*time.Millisecond, "no word before the speech starts: %+v", w)
		require.Less(t, w.Start, w.End, "%+v", w)
		require.LessOrEqual(t, w.End, 10*time.Second)
		require.Contains(t, strings.ToLower(media.PlainText(strings.Join(cueTexts(cues), " "))), strings.ToLower(w.Text), "every word is in the cues")
		if i > 0 {
			require.GreaterOrEqual(t, w.Start, words[i-1].Start, "in time order")
		}
	}
	srt, err := media.ParseSRT(strings.NewReader(p.read(track.SRTKey)))
	require.NoError(t, err)
	require.Len(t, srt, len(cues), "SRT and WebVTT carry the same cues")

	// Versioned names: en.<hash>.vtt, shared by the HLS files.
	require.Regexp(t, `/subtitles/en\.[0-9a-f]{10}\.vtt$`, track.VTTKey)
	name := subtitleName(track.VTTKey)
	prefix := layout.Prefix(id)
	master := p.read(layout.Master(id))
	require.Contains(t, master, "TYPE=SUBTITLES")
	require.Contains(t, master, `SUBTITLES="subs"`)
	require.Contains(t, master, `URI="subs/`+name+`.m3u8"`)
	require.Contains(t, p.read(prefix+"/hls/subs/"+name+".m3u8"), name+".vtt")
	require.Contains(t, p.read(prefix+"/hls/subs/"+name+".vtt"), "X-TIMESTAMP-MAP=MPEGTS:")

	// What was recognised can be searched.
	word := strings.Fields(media.PlainText(cues[0].Text))[0]
	matches, err := p.store.SearchTranscripts(context.Background(), word, store.Viewer{}, 10, 10)
	require.NoError(t, err)
	require.NotEmpty(t, matches, "searching %q", word)
	require.Equal(t, id, matches[0].VideoID)

	// An edit is published under new names (the old ones may sit in
	// caches for a year) and the old files go.
	v, err = p.store.VideoByID(context.Background(), id)
	require.NoError(t, err)
	edited := []media.Cue{{Start: 2 * time.Second, End: 4 * time.Second, Text: "Corrected words."}}
	require.NoError(t, p.videos.SaveSubtitles(context.Background(), v, video.Track{Language: "en", Label: track.Label, Provenance: store.ProvenanceEdited}, edited))
	next, err := p.store.SubtitleTrack(context.Background(), id, "en")
	require.NoError(t, err)
	require.NotEqual(t, track.VTTKey, next.VTTKey)
	require.Contains(t, p.read(next.VTTKey), "Corrected words.")
	require.Contains(t, p.read(layout.Master(id)), `URI="subs/`+subtitleName(next.VTTKey)+`.m3u8"`)
	for _, gone := range []string{track.VTTKey, track.SRTKey, prefix + "/hls/subs/" + name + ".vtt", prefix + "/hls/subs/" + name + ".m3u8"} {
		_, err := p.media.Stat(context.Background(), gone)
		require.ErrorIs(t, err, storage.ErrNotExist, gone)
	}
}

func TestSilenceGivesNoSubtitlesAndTheVideoIsStillReady(t *testing.T) {
	tr, _, err := media.SelectTranscriber(media.TranscriberConfig{Engine: "sphinx"})
	require.NoError(t, err)
	p := newPipelineWith(t, "local", tr)
	silent := ffmpegClip(t, "silent.mp4", cat(testsrc("320x240", 25, 3),
		[]string{"-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "3"}, fastH264, []string{"-c:a", "aac"})...)
	id := p.upload(silent)
	events, unsubscribe := p.hub.Subscribe(id)
	defer unsubscribe()
	v, _ := p.processed(id, events)
	require.Equal(t, store.StatusReady, v.Status)
	require.Equal(t, store.SubtitlesNone, v.SubtitlesStatus)
	require.NotNil(t, v.SubtitlesNote)
	require.Contains(t, *v.SubtitlesNote, "No speech")
}

// subtitleName is a track's versioned file name without extension, from
// its WebVTT key.
func subtitleName(vttKey string) string { return strings.TrimSuffix(path.Base(vttKey), ".vtt") }

func cueTexts(cues []media.Cue) []string {
	out := make([]string, len(cues))
	for i, c := range cues {
		out[i] = c.Text
	}
	return out
}
