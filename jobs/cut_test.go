package jobs_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
	"github.com/clipcut/clipcut/webhook"
)

// countingSource is a silent 320x180 video at 10 fps whose brightness is
// six times the frame number: the frame a picture came from is readable
// from the picture.
func countingSource(t *testing.T, seconds int) string {
	return ffmpegClip(t, "counting.mp4", cat(
		[]string{"-f", "lavfi", "-i", fmt.Sprintf("color=c=black:s=320x180:r=10:d=%d", seconds),
			"-vf", "geq=lum='min(N*6\\,250)':cb=128:cr=128"},
		fastH264, []string{"-g", "30"})...)
}

// luma is the mean brightness of frame n of path (n < 0: its only frame),
// decoded by ffmpeg to one grey pixel.
func luma(t *testing.T, path string, n int) int {
	t.Helper()
	vf := "scale=1:1:flags=area,format=gray"
	if n >= 0 {
		vf = fmt.Sprintf("select=eq(n\\,%d),", n) + vf
	}
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path,
		"-vf", vf, "-frames:v", "1", "-f", "rawvideo", "-").Output()
	require.NoError(t, err)
	require.Len(t, out, 1)
	return int(out[0])
}

// nearestFrame is the frame of src (among those around guess) whose
// brightness is closest to the picture at path.
func nearestFrame(t *testing.T, src string, guess int, path string) int {
	t.Helper()
	got := luma(t, path, -1)
	best, bestDiff := -1, 1<<30
	for n := max(guess-3, 0); n <= guess+3; n++ {
		if d := abs(luma(t, src, n) - got); d < bestDiff {
			best, bestDiff = n, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (p *pipeline) ready(id uuid.UUID) store.Video {
	p.t.Helper()
	events, unsubscribe := p.hub.Subscribe(id)
	defer unsubscribe()
	v, _ := p.processed(id, events)
	require.Equal(p.t, store.StatusReady, v.Status, "error: %v", v.Error)
	return v
}

// waitFor polls the video until cond holds.
func (p *pipeline) waitFor(id uuid.UUID, what string, cond func(store.Video) bool) store.Video {
	p.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		v, err := p.store.VideoByID(context.Background(), id)
		require.NoError(p.t, err)
		if cond(v) {
			return v
		}
		require.True(p.t, time.Now().Before(deadline), "still waiting for %s", what)
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSetPosterPublishesTheFrameAtTheTimeUnderANewName(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	src := countingSource(t, 4)
	id := p.upload(src)
	v := p.ready(id)
	require.NotNil(t, v.PosterKey)
	first := *v.PosterKey

	_, err := p.videos.SetPoster(ctx, id, p.viewer, 4.0)
	var ie *video.InputError
	require.ErrorAs(t, err, &ie, "the end is outside the video")
	require.Equal(t, "time", ie.Field)
	_, err = p.videos.SetPoster(ctx, id, p.viewer, -1)
	require.ErrorAs(t, err, &ie)

	for _, at := range []float64{2.0, 3.3} {
		before := *p.waitFor(id, "a poster", func(v store.Video) bool { return v.PosterKey != nil }).PosterKey
		_, err = p.videos.SetPoster(ctx, id, p.viewer, at)
		require.NoError(t, err)
		v = p.waitFor(id, "the new poster", func(v store.Video) bool { return *v.PosterKey != before })
		require.Regexp(t, `^`+layout.Prefix(id)+`/poster-[0-9a-f]{10}\.jpg$`, *v.PosterKey)
		want := int(at*10 + 0.5)
		require.Equal(t, want, nearestFrame(t, src, want, p.localPath(*v.PosterKey)), "the poster is the frame at %.1f s", at)
		if before != first {
			_, err := p.media.Stat(ctx, before)
			require.ErrorIs(t, err, storage.ErrNotExist, "the previously picked poster is removed")
		}
	}
	_, err = p.media.Stat(ctx, first)
	require.NoError(t, err, "processing's poster stays")
}

func TestCreateClipCutsTheRangeIntoANewVideoProcessedLikeAnUpload(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	src := countingSource(t, 4)
	parent := p.ready(p.upload(src))

	for _, bad := range []struct {
		start, end float64
		field      string
	}{{-1, 1, "start"}, {1, 4.5, "end"}, {2, 1, "end"}, {1, 1.4, "end"}, {4, 4.2, "start"}} {
		_, err := p.videos.CreateClip(ctx, p.viewer, video.Clip{Parent: parent.ID, Start: bad.start, End: bad.end}, store.Limits{})
		var ie *video.InputError
		require.ErrorAs(t, err, &ie, "%v", bad)
		require.Equal(t, bad.field, ie.Field, "%v", bad)
	}
	_, err := p.videos.CreateClip(ctx, p.viewer, video.Clip{Parent: parent.ID, Start: 0, End: 1},
		store.Limits{StorageQuota: parent.UploadSize})
	var le *store.LimitError
	require.ErrorAs(t, err, &le, "quotas apply")

	clip, err := p.videos.CreateClip(ctx, p.viewer, video.Clip{Parent: parent.ID, Start: 1.0, End: 2.5}, store.Limits{})
	require.NoError(t, err)
	require.Equal(t, "Clip of "+parent.Title, clip.Title)
	require.Equal(t, store.StageClip, clip.Stage)
	got, err := p.store.ClipOf(ctx, clip.ID)
	require.NoError(t, err)
	require.Equal(t, parent.ID, *got)

	v := p.ready(clip.ID)
	require.NotNil(t, v.Duration)
	require.InDelta(t, 1.5, *v.Duration, 0.1, "end - start within a frame")
	require.NotEmpty(t, v.Renditions)
	playlist := p.localPath(v.Renditions[len(v.Renditions)-1].Playlist)
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-allowed_extensions", "ALL", "-i", playlist,
		"-vf", "scale=1:1:flags=area,format=gray", "-frames:v", "1", "-f", "rawvideo", "-").Output()
	require.NoError(t, err)
	require.Len(t, out, 1)
	best, bestDiff := -1, 1<<30
	for n := 7; n <= 13; n++ {
		if d := abs(luma(t, src, n) - int(out[0])); d < bestDiff {
			best, bestDiff = n, d
		}
	}
	require.Equal(t, 10, best, "the clip's first frame is the source frame at start")
}

// bitsSource is a 480x360 video at 10 fps with a tone whose every frame
// shows its number in binary: ten vertical stripes, the i-th white when
// bit i is set. Compression blurs brightness, never a stripe's colour, so
// frameNumbers reads the number back from any rendition.
func bitsSource(t *testing.T, seconds int) string {
	return ffmpegClip(t, "bits.mp4", cat(
		[]string{"-f", "lavfi", "-i", fmt.Sprintf("color=c=black:s=480x360:r=10:d=%d", seconds)}, sine(seconds),
		[]string{"-vf", "geq=lum='if(bitand(N\\,pow(2\\,floor(X*10/W)))\\,235\\,16)':cb=128:cr=128"},
		fastH264, []string{"-qp", "0", "-c:a", "aac", "-shortest"})...)
}

// frameNumbers decodes every segment of a media playlist in order and
// reads the number each frame shows (see bitsSource).
func frameNumbers(t *testing.T, playlist string) []int {
	t.Helper()
	pl, err := media.ReadMediaPlaylist(playlist)
	require.NoError(t, err)
	var out []int
	for _, s := range pl.Segments {
		raw, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", filepath.Join(filepath.Dir(playlist), s.URI),
			"-vf", "scale=10:1:flags=area,format=gray", "-fps_mode", "passthrough", "-f", "rawvideo", "-").Output()
		require.NoError(t, err, s.URI)
		for f := 0; f+10 <= len(raw); f += 10 {
			n := 0
			for i := range 10 {
				if raw[f+i] > 128 {
					n |= 1 << i
				}
			}
			out = append(out, n)
		}
	}
	return out
}

func frames(ranges ...[2]int) []int {
	var out []int
	for _, r := range ranges {
		for n := r[0]; n < r[1]; n++ {
			out = append(out, n)
		}
	}
	return out
}

// published waits until the edit of video id that is published is keep
// (nil: unedited) and no edit is in progress.
func (p *pipeline) published(id uuid.UUID, keep []store.TimeRange) store.Video {
	p.t.Helper()
	return p.waitFor(id, fmt.Sprintf("edit %v", keep), func(v store.Video) bool {
		st, err := p.store.EditState(context.Background(), id)
		require.NoError(p.t, err)
		return v.Stage != store.StageEdit && reflect.DeepEqual(st.Keep, keep)
	})
}

func TestEditVideoSmartCutsEveryRungAndEverythingTimedFollowsUntilUndo(t *testing.T) {
	p := newWebhookPipeline(t, fastRetries(loopback, time.Minute), media.NoTranscriber{})
	ctx := context.Background()
	secret := webhook.NewSecret()
	recv := newReceiver(t, secret)
	_, err := p.store.CreateWebhook(ctx, p.viewer.UserID, recv.srv.URL+"/hooks", []string{webhook.VideoEdited}, secret)
	require.NoError(t, err)

	id := p.upload(bitsSource(t, 20))
	orig := p.ready(id)
	require.InDelta(t, 20, *orig.Duration, 0.1)
	require.Len(t, orig.Renditions, 2, "240p and 360p")
	for _, r := range orig.Renditions {
		require.Equal(t, frames([2]int{0, 200}), frameNumbers(t, p.localPath(r.Playlist)), "%s: the original's frames", r.Name)
	}
	_, err = p.videos.SetChapters(ctx, id, p.viewer, []store.Chapter{{Start: 0, Title: "Intro"}, {Start: 5, Title: "Middle"}, {Start: 13, Title: "End"}})
	require.NoError(t, err)
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	_, err = p.videos.EditSubtitles(ctx, id, p.viewer, "en", []media.Cue{
		{Start: sec(1), End: sec(2), Text: "kept"}, {Start: sec(3), End: sec(4), Text: "cut"}, {Start: sec(8), End: sec(9), Text: "shifted"}})
	require.NoError(t, err)
	origBoard := *p.waitFor(id, "the storyboard", func(v store.Video) bool { return v.StoryboardKey != nil }).StoryboardKey

	// Cut 2.3-7.1 and 12-13.3: the cuts fall inside segments (0-1, 1-2,
	// 2-3, 3-4, then 4 s each), so three pieces per rung are encoded again
	// and the rest is reused.
	keep := []store.TimeRange{{Start: 0, End: 2.3}, {Start: 7.1, End: 12}, {Start: 13.3, End: 20}}
	_, err = p.videos.EditVideo(ctx, id, p.viewer, keep)
	require.NoError(t, err)
	v := p.published(id, keep)
	require.Equal(t, store.StatusReady, v.Status)
	require.InDelta(t, 13.9, *v.Duration, 0.1, "the sum of the kept ranges")
	want := frames([2]int{0, 23}, [2]int{71, 120}, [2]int{133, 200})
	master := p.read(layout.Master(id))
	for _, r := range v.Renditions {
		require.Regexp(t, `/hls/`+r.Name+`/edit-\d+\.m3u8$`, r.Playlist)
		require.Contains(t, master, strings.TrimPrefix(r.Playlist, layout.HLSPrefix(id)+"/"), "the master plays the edit")
		pl := p.localPath(r.Playlist)
		require.Equal(t, want, frameNumbers(t, pl), "%s: the frame after each cut is the source frame at the next kept start", r.Name)
		parsed, err := media.ReadMediaPlaylist(pl)
		require.NoError(t, err)
		require.InDelta(t, 13.9, parsed.Duration(), 0.1)
		pieces := 0
		for _, s := range parsed.Segments {
			if strings.HasPrefix(s.URI, "edit-") {
				pieces++
			}
		}
		require.Equal(t, 3, pieces, "%s: only the segments a cut falls in are encoded again", r.Name)
	}
	require.Equal(t, []store.Chapter{{Start: 0, Title: "Intro"}, {Start: 2.3, Title: "Middle"}, {Start: 7.2, Title: "End"}},
		roundChapters(v.Chapters), "a chapter whose start was cut starts where the edit resumes")
	track, err := p.store.SubtitleTrack(ctx, id, "en")
	require.NoError(t, err)
	cues, err := media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
	require.NoError(t, err)
	require.Len(t, cues, 2, "the cue in the cut is dropped")
	require.Equal(t, sec(1), cues[0].Start)
	require.InDelta(t, 3.2, cues[1].Start.Seconds(), 0.01, "a later cue is shifted")
	require.Equal(t, "shifted", cues[1].Text)
	require.NotEqual(t, origBoard, *v.StoryboardKey, "the storyboard map is timed for the edit")
	require.Empty(t, v.Downloads)
	got := recv.waitFor(webhook.VideoEdited)
	require.Equal(t, webhook.VideoEdited, got[0].Type)

	// A second edit asked for while one is made supersedes it.
	second := []store.TimeRange{{Start: 1, End: 3}}
	third := []store.TimeRange{{Start: 4, End: 9.5}}
	_, err = p.videos.EditVideo(ctx, id, p.viewer, second)
	require.NoError(t, err)
	_, err = p.videos.EditVideo(ctx, id, p.viewer, third)
	require.NoError(t, err)
	v = p.published(id, third)
	require.InDelta(t, 5.5, *v.Duration, 0.1)
	require.Equal(t, frames([2]int{40, 95}), frameNumbers(t, p.localPath(v.Renditions[0].Playlist)))

	// Undo.
	_, err = p.videos.EditVideo(ctx, id, p.viewer, nil)
	require.NoError(t, err)
	v = p.published(id, nil)
	require.InDelta(t, *orig.Duration, *v.Duration, 1e-9, "undo restores the original duration")
	require.Equal(t, orig.Renditions, v.Renditions)
	for _, r := range v.Renditions {
		require.Equal(t, frames([2]int{0, 200}), frameNumbers(t, p.localPath(r.Playlist)), "%s: the original's frames again", r.Name)
	}
	require.Equal(t, origBoard, *v.StoryboardKey)
	require.Equal(t, []store.Chapter{{Start: 0, Title: "Intro"}, {Start: 5, Title: "Middle"}, {Start: 13, Title: "End"}}, v.Chapters)
	track, err = p.store.SubtitleTrack(ctx, id, "en")
	require.NoError(t, err)
	cues, err = media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
	require.NoError(t, err)
	require.Len(t, cues, 3, "every cue is back")
	require.Equal(t, sec(8), cues[2].Start)
	require.NotContains(t, p.read(layout.Master(id)), "edit-")
}

func roundChapters(in []store.Chapter) []store.Chapter {
	out := make([]store.Chapter, len(in))
	for i, c := range in {
		out[i] = store.Chapter{Start: math.Round(c.Start*1000) / 1000, Title: c.Title}
	}
	return out
}

func TestCreateClipReusesTheParentsSegmentsAndEncodesOnlyItsEnds(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	parent := p.ready(p.upload(bitsSource(t, 20)))
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	_, err := p.videos.EditSubtitles(ctx, parent.ID, p.viewer, "en", []media.Cue{
		{Start: sec(1), End: sec(2), Text: "before"}, {Start: sec(5), End: sec(6), Text: "inside"}, {Start: sec(14), End: sec(15), Text: "after"}})
	require.NoError(t, err)

	clip, err := p.videos.CreateClip(ctx, p.viewer, video.Clip{Parent: parent.ID, Start: 2.3, End: 13.3}, store.Limits{})
	require.NoError(t, err)
	v := p.ready(clip.ID)
	require.True(t, v.Playable)
	require.InDelta(t, 11, *v.Duration, 0.1, "end - start within a frame")
	require.NotNil(t, v.PosterKey, "the clip has a poster of its own")
	require.NotNil(t, v.StoryboardKey, "and a storyboard")
	require.NotNil(t, v.PreviewKey, "and an animated preview")
	origin, err := p.store.PosterOriginOf(ctx, clip.ID)
	require.NoError(t, err)
	require.NotNil(t, origin.Time)
	require.True(t, origin.Auto)
	require.Less(t, *origin.Time, 11.0, "the poster's time is the clip's")
	board, err := media.ParseVTT(strings.NewReader(p.read(*v.StoryboardKey)))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(board), 11, "a thumbnail a second of the clip")
	require.InDelta(t, *v.Duration, board[len(board)-1].End.Seconds(), 0.01, "the storyboard spans the clip")
	track, err := p.store.SubtitleTrack(ctx, clip.ID, "en")
	require.NoError(t, err, "the parent's subtitles, not transcribed again")
	cues, err := media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
	require.NoError(t, err)
	require.Len(t, cues, 1, "only what is said inside the range")
	require.Equal(t, "inside", cues[0].Text)
	require.InDelta(t, 2.7, cues[0].Start.Seconds(), 0.001, "timed for the clip")
	require.Contains(t, p.read(layout.Master(clip.ID)), "TYPE=SUBTITLES")
	require.Len(t, v.Renditions, len(parent.Renditions))
	for i, r := range v.Renditions {
		pl := p.localPath(r.Playlist)
		got := frameNumbers(t, pl)
		require.Equal(t, 23, got[0], "%s: the first frame is the source frame at start (2.3 s)", r.Name)
		require.Equal(t, 132, got[len(got)-1], "%s: the last frame is the last one that starts before end (13.3 s)", r.Name)
		require.Equal(t, frames([2]int{23, 133}), got, "%s: exactly the frames of the range", r.Name)
		parsed, err := media.ReadMediaPlaylist(pl)
		require.NoError(t, err)
		// 2.3-3 encoded, 3-4, 4-8 and 8-12 copied, 12-13.3 the head of
		// the parent's 12-16 copied up to where its packets allow, the
		// rest encoded.
		require.Len(t, parsed.Segments, 6, r.Name)
		require.Greater(t, parsed.Segments[4].Duration, 0.6, "%s: most of 12-13.3 is copied", r.Name)
		require.InDelta(t, 1.3, parsed.Segments[4].Duration+parsed.Segments[5].Duration, 0.001, r.Name)
		require.Equal(t, frames([2]int{120, 120 + int(math.Round(parsed.Segments[4].Duration*10))}), frameNumbersOf(t, filepath.Join(filepath.Dir(pl), parsed.Segments[4].URI)),
			"%s: the copied head holds the parent's first frames of 12-16", r.Name)
		parentDir := filepath.Dir(p.localPath(parent.Renditions[i].Playlist))
		for k, seg := range map[int]string{1: "seg_00003.ts", 2: "seg_00004.ts", 3: "seg_00005.ts"} {
			require.Equal(t, p.fileBytes(filepath.Join(parentDir, seg)), p.fileBytes(filepath.Join(filepath.Dir(pl), parsed.Segments[k].URI)),
				"%s: segment %d is the parent's %s, copied", r.Name, k, seg)
		}
	}

	// The clip is a video of its own: deleting the parent leaves it whole.
	// The parent's paths are taken before the delete, which may remove
	// its files before it returns.
	parentFiles := []string{p.localPath(parent.Renditions[0].Playlist), p.localPath(layout.Master(parent.ID))}
	require.NoError(t, p.videos.Delete(ctx, parent.ID, p.viewer))
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, err1 := os.Stat(parentFiles[0])
		_, err2 := os.Stat(parentFiles[1])
		if os.IsNotExist(err1) && os.IsNotExist(err2) {
			break
		}
		require.True(t, time.Now().Before(deadline), "the parent's files are removed")
		time.Sleep(200 * time.Millisecond)
	}
	for _, r := range v.Renditions {
		require.Equal(t, frames([2]int{23, 133}), frameNumbers(t, p.localPath(r.Playlist)), "%s: the clip plays without its parent", r.Name)
	}
	for _, key := range []string{*v.PosterKey, *v.StoryboardKey, *v.PreviewKey, track.VTTKey} {
		_, err := p.media.Stat(ctx, key)
		require.NoError(t, err, key)
	}
	before := *v.PosterKey
	_, err = p.videos.SetPoster(ctx, clip.ID, p.viewer, 5)
	require.NoError(t, err)
	v = p.waitFor(clip.ID, "the new poster", func(v store.Video) bool { return *v.PosterKey != before })
	require.Equal(t, []int{73}, frameNumbersOf(t, p.localPath(*v.PosterKey)), "the clip's own source gives the frame at 5 s of the clip")
}

// frameNumbersOf reads the numbers the frames of a picture or video file
// show (see bitsSource).
func frameNumbersOf(t *testing.T, path string) []int {
	t.Helper()
	raw, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path,
		"-vf", "scale=10:1:flags=area,format=gray", "-fps_mode", "passthrough", "-f", "rawvideo", "-").Output()
	require.NoError(t, err)
	var out []int
	for f := 0; f+10 <= len(raw); f += 10 {
		n := 0
		for i := range 10 {
			if raw[f+i] > 128 {
				n |= 1 << i
			}
		}
		out = append(out, n)
	}
	return out
}

func (p *pipeline) fileBytes(path string) []byte {
	p.t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(p.t, err)
	return b
}

// TestEditVideoOfAChunkEncodedVideo edits a video that was encoded in
// chunks (every long upload is, by default): the assembled renditions
// are what the edit reuses, so the frames after each cut must still be
// exactly the source's, across chunk boundaries too.
func TestEditVideoOfAChunkEncodedVideo(t *testing.T) {
	p := newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: media.NoTranscriber{}, chunkSeconds: 8})
	ctx := context.Background()
	id := p.upload(bitsSource(t, 20))
	orig := p.ready(id)
	for _, r := range orig.Renditions {
		require.Equal(t, frames([2]int{0, 200}), frameNumbers(t, p.localPath(r.Playlist)), "%s: the chunked original's frames", r.Name)
	}
	// The cuts fall inside segments on both sides of the 8 s chunk boundary.
	keep := []store.TimeRange{{Start: 0, End: 6.5}, {Start: 9.3, End: 20}}
	_, err := p.videos.EditVideo(ctx, id, p.viewer, keep)
	require.NoError(t, err)
	v := p.published(id, keep)
	require.InDelta(t, 17.2, *v.Duration, 0.1, "the sum of the kept ranges")
	for _, r := range v.Renditions {
		require.Equal(t, frames([2]int{0, 65}, [2]int{93, 200}), frameNumbers(t, p.localPath(r.Playlist)), "%s", r.Name)
	}
}

// TestRegenerateSubtitlesOfAnEditedVideoTimesThemForTheEdit transcribes
// real speech (espeak-ng, pocketsphinx), cuts the silence before it, and
// regenerates: the transcriber hears the original (the source), and the
// track saved must be timed for the edit, as the one the edit mapped.
func TestRegenerateSubtitlesOfAnEditedVideoTimesThemForTheEdit(t *testing.T) {
	p, v := speechVideoReady(t)
	id := v.ID
	ctx := context.Background()
	cuesOf := func() []media.Cue {
		track, err := p.store.SubtitleTrack(ctx, id, "en")
		require.NoError(t, err)
		cues, err := media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
		require.NoError(t, err)
		require.NotEmpty(t, cues)
		return cues
	}
	original := cuesOf()
	require.GreaterOrEqual(t, original[0].Start, 3500*time.Millisecond, "the speech starts at 4 s")

	keep := []store.TimeRange{{Start: 3, End: 10}}
	_, err := p.videos.EditVideo(ctx, id, p.viewer, keep)
	require.NoError(t, err)
	p.published(id, keep)
	edited := cuesOf()
	require.Equal(t, media.EditCues(original, mediaRanges(keep)), edited, "the edit shifts the cues 3 s earlier")

	before, err := p.store.SubtitleTrack(ctx, id, "en")
	require.NoError(t, err)
	_, err = p.videos.RegenerateSubtitles(ctx, id, p.viewer)
	require.NoError(t, err)
	p.waitFor(id, "the regenerated track", func(v store.Video) bool { return v.SubtitlesStatus != store.SubtitlesPending })
	after, err := p.store.SubtitleTrack(ctx, id, "en")
	require.NoError(t, err)
	require.Equal(t, before.VTTKey, after.VTTKey, "the same speech, timed for the edit, is the same track")
	require.Equal(t, edited, cuesOf(), "the regenerated cues are in the edit's time base")
}

// TestUndoAfterRegeneratingSubtitlesOfAnEditedVideoKeepsTheRegeneratedTrack
// regenerates the subtitles of an edited video whose track is an older
// transcription, then undoes the edit: the original comes back with the
// regenerated track in the original's time, not the older one the edit
// had kept a copy of. Real speech (espeak-ng, pocketsphinx).
func TestUndoAfterRegeneratingSubtitlesOfAnEditedVideoKeepsTheRegeneratedTrack(t *testing.T) {
	p, v := speechVideoReady(t)
	id := v.ID
	ctx := context.Background()
	cuesOf := func() []media.Cue {
		track, err := p.store.SubtitleTrack(ctx, id, "en")
		require.NoError(t, err)
		require.Equal(t, store.ProvenanceGenerated, track.Provenance)
		cues, err := media.ParseVTT(strings.NewReader(p.read(track.VTTKey)))
		require.NoError(t, err)
		require.NotEmpty(t, cues)
		return cues
	}
	transcribed := cuesOf()
	// An older transcription (another engine's, say) is the track when
	// the video is edited.
	older := []media.Cue{{Start: 4 * time.Second, End: 8 * time.Second, Text: "an older transcription"}}
	engine := "older-engine"
	require.NoError(t, p.videos.SaveSubtitles(ctx, v, video.Track{Language: "en", Label: "English (auto-generated)",
		Provenance: store.ProvenanceGenerated, Engine: &engine}, older))

	keep := []store.TimeRange{{Start: 3, End: 10}}
	_, err := p.videos.EditVideo(ctx, id, p.viewer, keep)
	require.NoError(t, err)
	p.published(id, keep)
	require.Equal(t, media.EditCues(older, mediaRanges(keep)), cuesOf(), "the edit maps the older track")

	_, err = p.videos.RegenerateSubtitles(ctx, id, p.viewer)
	require.NoError(t, err)
	p.waitFor(id, "the regenerated track", func(v store.Video) bool { return v.SubtitlesStatus != store.SubtitlesPending })
	require.Equal(t, media.EditCues(transcribed, mediaRanges(keep)), cuesOf(), "the regenerated track, timed for the edit")

	_, err = p.videos.EditVideo(ctx, id, p.viewer, nil)
	require.NoError(t, err)
	p.published(id, nil)
	require.Equal(t, transcribed, cuesOf(), "undo: the regenerated track in the original's time, not the older one")

	// A new edit is made from the original too: it maps the regenerated
	// track.
	keep = []store.TimeRange{{Start: 2, End: 9}}
	_, err = p.videos.EditVideo(ctx, id, p.viewer, keep)
	require.NoError(t, err)
	p.published(id, keep)
	require.Equal(t, media.EditCues(transcribed, mediaRanges(keep)), cuesOf(), "a later edit maps the regenerated track")
}

func mediaRanges(in []store.TimeRange) []media.TimeRange {
	out := make([]media.TimeRange, len(in))
	for i, r := range in {
		out[i] = media.TimeRange{Start: r.Start, End: r.End}
	}
	return out
}

// speechVideoReady uploads 4 s of silence then real speech (espeak-ng)
// to a pipeline transcribing with pocketsphinx, and waits until it is
// READY with its generated subtitles.
func speechVideoReady(t *testing.T) (*pipeline, store.Video) {
	t.Helper()
	tr, why, err := media.SelectTranscriber(media.TranscriberConfig{Engine: "sphinx"})
	require.NoError(t, err)
	require.NoError(t, tr.Check(context.Background()), "pocketsphinx and its English model are installed by make test (%s)", why)
	p := newPipelineWith(t, "local", tr)
	id := p.upload(speechClip(t, 4, "The weather is nice today. We are going to the river."))
	v := p.ready(id)
	require.Equal(t, store.SubtitlesReady, v.SubtitlesStatus, "note: %v", v.SubtitlesNote)
	return p, v
}
