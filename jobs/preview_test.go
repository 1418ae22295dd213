package jobs_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// pictureNumber reads the frame number a picture of bitsSource shows.
func pictureNumber(t *testing.T, path string) int {
	t.Helper()
	raw, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path,
		"-vf", "scale=10:1:flags=area,format=gray", "-frames:v", "1", "-f", "rawvideo", "-").Output()
	require.NoError(t, err)
	require.Len(t, raw, 10)
	n := 0
	for i := range 10 {
		if raw[i] > 128 {
			n |= 1 << i
		}
	}
	return n
}

// settled waits until the poster and preview jobs of the test's database
// are done, the edit job having queued its follow-ups for the edits'th
// time (they are queued after the edit is published), and returns the
// video.
func (p *pipeline) settled(id uuid.UUID, edits int) store.Video {
	p.t.Helper()
	return p.waitFor(id, "the poster and preview jobs", func(store.Video) bool {
		var pending, followed int
		require.NoError(p.t, p.store.Pool().QueryRow(context.Background(), `
			SELECT count(*) FILTER (WHERE state NOT IN ('completed', 'cancelled', 'discarded')),
				count(*) FILTER (WHERE kind = 'poster' AND args->>'follow_edit' = 'true')
			FROM river_job WHERE kind IN ('poster', 'preview')`).Scan(&pending, &followed))
		return pending == 0 && followed >= edits
	})
}

func TestPreviewAndPosterFollowEditsUntilUndo(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	id := p.upload(bitsSource(t, 12))
	p.ready(id)
	t.Log("ready")
	v := p.waitFor(id, "the preview", func(v store.Video) bool { return v.PreviewKey != nil })
	v = p.settled(id, 0)
	require.Regexp(t, `^`+layout.Prefix(id)+`/preview-[0-9a-f]{10}\.webp$`, *v.PreviewKey)
	info, err := media.ReadWebPInfo(p.localPath(*v.PreviewKey))
	require.NoError(t, err)
	require.Equal(t, media.WebPInfo{Width: 320, Height: 240, Frames: info.Frames, Duration: info.Duration}, info, "320 px wide, looping forever")
	require.InDelta(t, media.PreviewMoments, info.Duration, 0.3, "six one-second moments")
	origPreview := *v.PreviewKey
	require.Equal(t, layout.Poster(id), *v.PosterKey)
	o, err := p.store.PosterOriginOf(ctx, id)
	require.NoError(t, err)
	require.Equal(t, store.PosterOrigin{Time: o.Time, Auto: true}, o)
	require.GreaterOrEqual(t, *o.Time, 1.2, "processing searches for its poster from 10%")
	require.InDelta(t, float64(pictureNumber(t, p.localPath(*v.PosterKey)))/10, *o.Time, 0.051, "and records the time of the frame it picked")

	edits := 0
	edit := func(keep []store.TimeRange) store.Video {
		t.Helper()
		edits++
		_, err := p.videos.EditVideo(ctx, id, p.viewer, keep)
		require.NoError(t, err)
		p.published(id, keep)
		v := p.settled(id, edits)
		t.Logf("edit %v published, poster and preview settled", keep)
		return v
	}

	// Cutting 1-5 s cuts processing's poster out: the poster is the frame
	// where the edit resumes, and the preview is the edit's.
	v = edit([]store.TimeRange{{Start: 0, End: 1}, {Start: 5, End: 12}})
	require.Regexp(t, `/poster-[0-9a-f]{10}\.jpg$`, *v.PosterKey)
	require.Equal(t, 50, pictureNumber(t, p.localPath(*v.PosterKey)), "the first frame after the cut")
	require.NotEqual(t, origPreview, *v.PreviewKey)
	info, err = media.ReadWebPInfo(p.localPath(*v.PreviewKey))
	require.NoError(t, err)
	require.InDelta(t, media.PreviewMoments, info.Duration, 0.3)
	// Undo: processing's poster, the original's preview.
	cutPoster := *v.PosterKey
	v = edit(nil)
	require.Equal(t, layout.Poster(id), *v.PosterKey)
	require.Equal(t, origPreview, *v.PreviewKey, "the same moments make the same preview")
	_, err = p.media.Stat(ctx, cutPoster)
	require.Error(t, err, "the edit's poster is removed")

	// A frame picked on an edited video is a time of the edit: 2 s into
	// [0,1]+[5,12] is 6 s of the source.
	v = edit([]store.TimeRange{{Start: 0, End: 1}, {Start: 5, End: 12}})
	before := *v.PosterKey
	_, err = p.videos.SetPoster(ctx, id, p.viewer, 2)
	require.NoError(t, err)
	v = p.waitFor(id, "the picked poster", func(v store.Video) bool { return *v.PosterKey != before })
	require.Equal(t, 60, pictureNumber(t, p.localPath(*v.PosterKey)))
	picked := *v.PosterKey
	// An edit that cuts the picked frame out: the next kept frame; undo:
	// the picked one again.
	v = edit([]store.TimeRange{{Start: 0, End: 5.5}, {Start: 8, End: 12}})
	require.Equal(t, 80, pictureNumber(t, p.localPath(*v.PosterKey)))
	v = edit(nil)
	require.Equal(t, 60, pictureNumber(t, p.localPath(*v.PosterKey)), "undo restores the picked poster")
	require.Equal(t, picked, *v.PosterKey)

	// An uploaded image stays whatever the edit.
	img, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1",
		"-f", "image2", "-c:v", "png", "-").Output()
	require.NoError(t, err)
	v, err = p.videos.UploadPoster(ctx, id, p.viewer, bytes.NewReader(img))
	require.NoError(t, err)
	uploaded := *v.PosterKey
	v = edit([]store.TimeRange{{Start: 0, End: 1}, {Start: 5, End: 12}})
	require.Equal(t, uploaded, *v.PosterKey)
}
