package jobs_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// TestPipelineEncodesLongVideosInChunks takes a 22-second video through
// the pipeline with 8-second chunks: three chunk jobs and an audio pass
// encode it, the storyboard comes from the chunks, and the
// video ends READY with renditions that are one continuous stream each:
// every frame of the source, segments numbered without a gap, a VOD
// playlist, and no intermediate left in storage.
func TestPipelineEncodesLongVideosInChunks(t *testing.T) {
	t.Parallel()
	p := newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: media.NoTranscriber{}, chunkSeconds: 8})
	ctx := context.Background()
	clip := ffmpegClip(t, "long.mp4", cat(testsrc("640x360", 30, 22), sine(22), fastH264,
		[]string{"-c:a", "aac", "-b:a", "128k", "-shortest"})...)
	id := p.upload(clip)
	v, _ := p.processed(id, nil)
	require.Equal(t, store.StatusReady, v.Status, "%v", v.Error)

	// River records a job's end after its Work returns, so READY can come
	// first: wait for the three chunk jobs' records.
	require.Eventually(t, func() bool {
		var chunkJobs int
		require.NoError(t, p.store.Pool().QueryRow(ctx,
			`SELECT count(*) FROM river_job WHERE kind = 'transcode_chunk' AND state = 'completed' AND args->>'video_id' = $1`, id.String()).Scan(&chunkJobs))
		return chunkJobs == 3
	}, time.Minute, 50*time.Millisecond, "three chunk jobs completed")
	plan, err := p.store.ChunkPlan(ctx, id)
	require.NoError(t, err)
	require.True(t, plan.Assembled)
	require.Len(t, plan.Chunks, 4, "a row per chunk and one for the images made beside them")
	require.True(t, plan.Chunks[3].Done)

	// The images were queued with the chunks, one thumbnails job, and the
	// video has them; the animated preview follows (it is not part of
	// READY).
	var thumbnails int
	require.NoError(t, p.store.Pool().QueryRow(ctx,
		`SELECT count(*) FROM river_job WHERE kind = 'thumbnails' AND state = 'completed' AND args->>'video_id' = $1
		   AND (args->>'plan_job')::bigint > 0`, id.String()).Scan(&thumbnails))
	require.Equal(t, 1, thumbnails)
	require.NotNil(t, v.PosterKey)
	require.NotNil(t, v.StoryboardKey)
	// The storyboard was put together from the chunks' thumbnails: one a
	// second, all of them mapped.
	require.Equal(t, 22, strings.Count(p.read(*v.StoryboardKey), "#xywh="))
	// The audio pass ran once, in its own job: the first chunk encoded
	// its own audio.
	require.Eventually(t, func() bool {
		var audioJobs int
		require.NoError(t, p.store.Pool().QueryRow(ctx,
			`SELECT count(*) FROM river_job WHERE kind = 'transcode_chunk_audio' AND state = 'completed' AND args->>'video_id' = $1`, id.String()).Scan(&audioJobs))
		return audioJobs == 1
	}, time.Minute, 50*time.Millisecond, "one audio pass completed")
	require.NotNil(t, p.waitFor(id, "the preview", func(v store.Video) bool { return v.PreviewKey != nil }).PreviewKey)
	// The probe kept the keyframes around the boundaries for planning.
	info, err := p.store.ProbeResult(ctx, id)
	require.NoError(t, err)
	require.NotEmpty(t, info.Keyframes)

	require.Len(t, v.Renditions, 2)
	for _, r := range v.Renditions {
		playlist := p.read(r.Playlist)
		pl, err := media.ParseMediaPlaylist(strings.NewReader(playlist))
		require.NoError(t, err)
		require.Equal(t, "VOD", pl.PlaylistType)
		require.True(t, pl.EndList)
		for i, s := range pl.Segments {
			require.Equal(t, fmt.Sprintf("seg_%05d.ts", i), s.URI, "%s: numbering runs on across chunks", r.Name)
		}
		require.InDelta(t, 22, pl.Duration(), 0.1)
		require.Equal(t, 22*30, decodedFrames(t, p.localPath(r.Playlist)), "%s: every frame once", r.Name)
		require.Positive(t, r.Bandwidth)
		require.Contains(t, r.Codecs, "mp4a.40.2")
	}
	master := p.read(layout.Master(id))
	require.Contains(t, master, "#EXT-X-STREAM-INF:")
	objs, err := p.media.List(ctx, layout.Prefix(id)+"/chunks")
	require.NoError(t, err)
	require.Empty(t, objs, "the audio pieces are removed once assembled")
}

// TestPipelineChunksOutlastingTheAudio encodes a video whose sound stops
// after 10 of its 22 seconds: the last chunk has no audio piece and is
// encoded silent rather than waiting for one.
func TestPipelineChunksOutlastingTheAudio(t *testing.T) {
	t.Parallel()
	p := newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: media.NoTranscriber{}, chunkSeconds: 8})
	clip := ffmpegClip(t, "short-sound.mp4", cat(testsrc("320x180", 25, 22), sine(10), fastH264,
		[]string{"-c:a", "aac", "-b:a", "96k"})...)
	id := p.upload(clip)
	v, _ := p.processed(id, nil)
	require.Equal(t, store.StatusReady, v.Status, "%v", v.Error)
	require.Len(t, v.Renditions, 1)
	require.Equal(t, 22*25, decodedFrames(t, p.localPath(v.Renditions[0].Playlist)))
}

// TestPipelineSnapsChunksOnS3 encodes a long video whose upload is in S3:
// the probe, which downloads it anyway, keeps the keyframes around the
// chunk boundaries, and planning snaps the boundaries to them without a
// second download: with a keyframe every 3 s, the boundary planned at
// 12 s (decoding from 9 s) moves to 16 s, a second after the keyframe at
// 15 s.
func TestPipelineSnapsChunksOnS3(t *testing.T) {
	t.Parallel()
	p := newPipelineOpts(t, pipelineOptions{backend: "minio", transcriber: media.NoTranscriber{}, chunkSeconds: 8})
	ctx := context.Background()
	clip := ffmpegClip(t, "gop.mp4", cat(testsrc("320x180", 10, 22), sine(22), fastH264,
		[]string{"-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-c:a", "aac", "-shortest"})...)
	id := p.upload(clip)
	v, _ := p.processed(id, nil)
	require.Equal(t, store.StatusReady, v.Status, "%v", v.Error)
	info, err := p.store.ProbeResult(ctx, id)
	require.NoError(t, err)
	require.NotEmpty(t, info.Keyframes, "the probe kept the keyframes")
	for _, k := range info.Keyframes {
		require.InDelta(t, 0, math.Mod(k+1e-6, 3), 1e-3, "keyframe at %v", k)
	}
	var start float64
	require.NoError(t, p.store.Pool().QueryRow(ctx,
		`SELECT (args->'chunk'->>'start')::float8 FROM river_job WHERE kind = 'transcode_chunk' AND args->>'video_id' = $1
		   AND (args->'chunk'->>'index')::int = 2`, id.String()).Scan(&start))
	planned := media.PlanChunks(info, 8, media.EncodeOptions{Preset: "ultrafast"})
	require.Equal(t, 12.0, planned[2].Start)
	require.Equal(t, 16.0, start, "the boundary moved to just after a keyframe")
}

// TestPipelineChunkedPreviewAfterReady encodes a long video in chunks on
// two media workers: the animated preview is queued in the transaction
// that marks the video READY, once, so no worker makes it while the
// other still encodes a chunk (or anything READY waits for).
func TestPipelineChunkedPreviewAfterReady(t *testing.T) {
	t.Parallel()
	p := newPipelineOpts(t, pipelineOptions{backend: "local", transcriber: media.NoTranscriber{}, chunkSeconds: 8, mediaWorkers: 2})
	ctx := context.Background()
	clip := ffmpegClip(t, "long.mp4", cat(testsrc("320x180", 25, 22), sine(22), fastH264,
		[]string{"-c:a", "aac", "-b:a", "96k", "-shortest"})...)
	id := p.upload(clip)
	v, _ := p.processed(id, nil)
	require.Equal(t, store.StatusReady, v.Status, "%v", v.Error)
	require.NotNil(t, p.waitFor(id, "the preview", func(v store.Video) bool { return v.PreviewKey != nil }).PreviewKey)

	// Both timestamps are PostgreSQL's clock: the READY transaction's
	// start, and the fetch that started the preview, which can only see
	// the job once that transaction committed.
	var previews int
	var afterReady bool
	require.NoError(t, p.store.Pool().QueryRow(ctx, `
		SELECT count(*), bool_and(j.attempted_at > v.processed_at)
		FROM river_job j JOIN videos v ON v.id = (j.args->>'video_id')::uuid
		WHERE j.kind = 'preview' AND v.id = $1`, id).Scan(&previews, &afterReady))
	require.Equal(t, 1, previews, "one preview, queued once")
	require.True(t, afterReady, "the preview started after READY")
	var subtitles int
	require.NoError(t, p.store.Pool().QueryRow(ctx,
		`SELECT count(*) FROM river_job WHERE kind = 'subtitles' AND args->>'video_id' = $1 AND (args->>'preview')::bool`, id.String()).Scan(&subtitles))
	require.Equal(t, 1, subtitles, "the subtitles job that marked it READY queued it")
}
