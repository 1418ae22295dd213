package jobs_test

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
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
