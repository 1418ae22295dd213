package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// TestPipelineEncodesLongVideosInChunks takes a 22-second video through
// the pipeline with 8-second chunks: three chunk jobs encode it, and the
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

	var chunkJobs int
	require.NoError(t, p.store.Pool().QueryRow(ctx,
		`SELECT count(*) FROM river_job WHERE kind = 'transcode_chunk' AND state = 'completed' AND args->>'video_id' = $1`, id.String()).Scan(&chunkJobs))
	require.Equal(t, 3, chunkJobs)
	plan, err := p.store.ChunkPlan(ctx, id)
	require.NoError(t, err)
	require.True(t, plan.Assembled)

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
