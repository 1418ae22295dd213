package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPlanChunks(t *testing.T) {
	t.Parallel()
	video := &VideoStream{Width: 640, Height: 360}
	tests := []struct {
		name     string
		duration float64
		seconds  int
		want     []Chunk
	}{
		{"disabled", 600, 0, nil},
		{"short", 30, 30, nil},
		{"one chunk and a bit", 35, 30, nil},
		{"halves of what is left", 40, 30, []Chunk{
			{Index: 0, Start: 0, End: 16},
			{Index: 1, Start: 16, End: 28, FirstSegment: 7},
			{Index: 2, Start: 28, FirstSegment: 10},
		}},
		{"shrinking towards the end", 90, 30, []Chunk{
			{Index: 0, Start: 0, End: 16},
			{Index: 1, Start: 16, End: 48, FirstSegment: 7},
			{Index: 2, Start: 48, End: 72, FirstSegment: 15},
			{Index: 3, Start: 72, End: 84, FirstSegment: 21},
			{Index: 4, Start: 84, FirstSegment: 24},
		}},
		{"rounded up to segments", 20, 7, []Chunk{
			{Index: 0, Start: 0, End: 4},
			{Index: 1, Start: 4, End: 12, FirstSegment: 4},
			{Index: 2, Start: 12, FirstSegment: 6},
		}},
		{"tiny chunks", 9, 1, []Chunk{
			{Index: 0, Start: 0, End: 4},
			{Index: 1, Start: 4, FirstSegment: 4},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PlanChunks(SourceInfo{Duration: tt.duration, Video: video}, tt.seconds, EncodeOptions{})
			require.Equal(t, tt.want, got)
		})
	}
	require.Nil(t, PlanChunks(SourceInfo{Duration: 600}, 30, EncodeOptions{}), "audio-only sources are not chunked")
}

func TestWriteAssembledPlaylist(t *testing.T) {
	t.Parallel()
	segs := []AssembledSegment{{URI: "seg_00000.ts", Duration: 1.001}, {URI: "seg_00001.ts", Duration: 4.004}}
	partial := WriteAssembledPlaylist(segs, false)
	p, err := ParseMediaPlaylist(bytes.NewReader(partial))
	require.NoError(t, err)
	require.Equal(t, "EVENT", p.PlaylistType)
	require.False(t, p.EndList)
	require.Len(t, p.Segments, 2)
	require.Equal(t, 4, p.TargetDuration)

	full := WriteAssembledPlaylist(segs, true)
	p, err = ParseMediaPlaylist(bytes.NewReader(full))
	require.NoError(t, err)
	require.Equal(t, "VOD", p.PlaylistType)
	require.True(t, p.EndList)
	require.InDelta(t, 5.005, p.Duration(), 1e-9)
}

// TestChunkedEncodeSeamless encodes a 22-second source as three chunks, in
// reverse order and each in its own ffmpeg like separate workers would,
// assembles the playlists, and checks that nothing shows the seams: every
// rendition has the source's frames exactly once with PTS advancing by one
// frame across the boundaries, the audio's packets run on without a gap,
// and a sine tone decoded through the boundaries has no click.
func TestChunkedEncodeSeamless(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mp4")
	runCmd(t, ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=s=854x480:r=30000/1001:d=22",
		"-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=22",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", "-b:a", "128k", src)
	info, err := Probe(ctx, ffprobe, src)
	require.NoError(t, err)
	ladder := PlanLadder(*info, LadderOptions{})
	require.Len(t, ladder, 3)
	opts := EncodeOptions{Preset: "veryfast"}
	chunks := PlanChunks(*info, 8, opts)
	require.Len(t, chunks, 3)

	audioDir := filepath.Join(dir, "audio")
	require.NoError(t, os.Mkdir(audioDir, 0o755))
	require.NoError(t, Transcode(ctx, ffmpeg, AudioPassArgs(src, *info, ladder, chunks, audioDir), nil))
	encs := AudioEncodings(*info, ladder)
	require.Equal(t, 2, encs, "128k from 480p up, 96k below")

	out := filepath.Join(dir, "out")
	assembled := map[string][]AssembledSegment{}
	board := PlanStoryboard(*info, StoryboardOptions{})
	tiles := map[int]string{}
	for _, c := range slices.Backward(chunks) {
		var pieces []AudioPiece
		for j := range encs {
			p := filepath.Join(audioDir, AudioPieceName(j, c.Index))
			off, ok, err := AudioPieceOffset(ctx, ffprobe, p)
			require.NoError(t, err)
			require.True(t, ok)
			if c.Index > 0 {
				// The muxer's list says the same without ffprobe.
				listed, err := AudioPieceOffsets(audioDir, j)
				require.NoError(t, err)
				require.Contains(t, listed, c.Index)
				require.InDelta(t, off, listed[c.Index], 1e-6, "piece %d of encoding %d", c.Index, j)
			}
			pieces = append(pieces, AudioPiece{Path: p, Offset: off})
		}
		work := filepath.Join(dir, fmt.Sprintf("chunk%d", c.Index))
		require.NoError(t, os.MkdirAll(filepath.Join(work, StoryboardTilesDir), 0o755))
		args := ChunkArgs(src, *info, ladder, c, pieces, work, opts, &board)
		if c.Index == 0 {
			// The first chunk encodes its audio itself: the audio pass's
			// first piece, packet for packet.
			args = FirstChunkArgs(src, *info, ladder, c, work, opts, &board)
		}
		require.NoError(t, Transcode(ctx, ffmpeg, args, nil), "chunk %d", c.Index)
		made, err := os.ReadDir(filepath.Join(work, StoryboardTilesDir))
		require.NoError(t, err)
		require.NotEmpty(t, made, "chunk %d made storyboard tiles", c.Index)
		for _, e := range made {
			k, ok := StoryboardTileIndex(e.Name())
			require.True(t, ok, e.Name())
			end := 22.0
			if !c.Last() {
				end = c.End
			}
			require.True(t, float64(k*board.Interval) >= c.Start-1 && float64(k*board.Interval) <= end+1, "chunk %d [%v, %v) made tile %d", c.Index, c.Start, end, k)
			tiles[k] = filepath.Join(work, StoryboardTilesDir, e.Name())
		}
		for _, r := range ladder {
			pl, err := ReadMediaPlaylist(filepath.Join(work, r.Name, MediaPlaylistName))
			require.NoError(t, err)
			var segs []AssembledSegment
			for i, s := range pl.Segments {
				require.Equal(t, fmt.Sprintf("seg_%05d.ts", c.FirstSegment+i), s.URI, "numbering runs on across chunks")
				from := filepath.Join(work, r.Name, s.URI)
				fi, err := os.Stat(from)
				require.NoError(t, err)
				require.NoError(t, os.MkdirAll(filepath.Join(out, r.Name), 0o755))
				require.NoError(t, os.Rename(from, filepath.Join(out, r.Name, s.URI)))
				segs = append(segs, AssembledSegment{URI: s.URI, Duration: s.Duration, Size: fi.Size()})
			}
			assembled[r.Name] = append(segs, assembled[r.Name]...)
		}
	}
	// One thumbnail a second from the chunks, put together as Storyboard
	// lays them out.
	require.Equal(t, 1, board.Interval)
	require.GreaterOrEqual(t, len(tiles), board.Tiles-1, "a tile per second (the last may round to the end)")
	sb, err := StoryboardFromTiles(tiles, info.Duration, board, filepath.Join(dir, "storyboard"))
	require.NoError(t, err)
	require.Len(t, sb.Sheets, 1)
	sheet, err := os.Open(sb.Sheets[0])
	require.NoError(t, err)
	cfg, err := jpeg.DecodeConfig(sheet)
	sheet.Close()
	require.NoError(t, err)
	require.Equal(t, board.Columns*board.TileWidth, cfg.Width)
	require.Equal(t, board.Rows*board.TileHeight, cfg.Height)
	vtt, err := os.ReadFile(sb.VTT)
	require.NoError(t, err)
	require.Equal(t, board.Tiles, strings.Count(string(vtt), "#xywh="))

	// Chunks 0 and 1 end on their boundaries: 4 fast-start segments,
	// then two of 4 s; the last has 4, 4 and 2 s.
	require.Len(t, assembled[ladder[0].Name], chunks[2].FirstSegment+3)

	srcFrames := countFrames(t, ffprobe, src)
	for _, r := range ladder {
		playlist := filepath.Join(out, r.Name, MediaPlaylistName)
		require.NoError(t, os.WriteFile(playlist, WriteAssembledPlaylist(assembled[r.Name], true), 0o644))

		require.Equal(t, srcFrames, countFrames(t, ffprobe, playlist), "%s: decodes to the source's frame count", r.Name)
		video := packetTimes(t, ffprobe, playlist, "v:0")
		require.Len(t, video, srcFrames, "%s: every source frame once", r.Name)
		step := 1001.0 / 30000
		for i := 1; i < len(video); i++ {
			require.InDelta(t, step, video[i]-video[i-1], 0.002, "%s: video PTS continuous at frame %d (%.4f -> %.4f)", r.Name, i, video[i-1], video[i])
		}
		audio := packetTimes(t, ffprobe, playlist, "a:0")
		for i := 1; i < len(audio); i++ {
			require.InDelta(t, 1024.0/48000, audio[i]-audio[i-1], 0.0005, "%s: audio PTS continuous at packet %d (%.4f -> %.4f)", r.Name, i, audio[i-1], audio[i])
		}
		require.InDelta(t, video[0], audio[0]+1024.0/48000, 0.002, "%s: audio starts with the picture (after the AAC priming packet)", r.Name)

		// MeasureRendition's view of the first segment, completed with
		// the whole playlist's numbers.
		res := MeasureAssembled(RenditionResult{Name: r.Name}, assembled[r.Name])
		require.InDelta(t, 22, res.Duration, 0.1)
		require.Positive(t, res.Bandwidth)
	}

	// The tone decoded through the boundaries at 8 s and 16 s: a
	// discontinuity (a gap, an overlap or a priming restart) shows as a
	// sample-to-sample jump far steeper than a 440 Hz sine can make.
	pcm := decodePCM(t, ffmpeg, filepath.Join(out, ladder[0].Name, MediaPlaylistName))
	require.InDelta(t, 22*48000, len(pcm), 48000*0.1, "the whole tone, no more, no less")
	var peak float64
	for _, s := range pcm[4800 : len(pcm)-4800] {
		peak = max(peak, math.Abs(s))
	}
	require.Greater(t, peak, 0.05, "the tone is there")
	maxSlope := peak * 2 * math.Pi * 440 / 48000
	for i := 4800; i < len(pcm)-4800; i++ {
		require.Less(t, math.Abs(pcm[i]-pcm[i-1]), 1.5*maxSlope, "click at %.4f s", float64(i)/48000)
	}
}

func runCmd(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
}

func countFrames(t *testing.T, ffprobe, path string) int {
	t.Helper()
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	// An HLS playlist lists the stream once per program too.
	fields := strings.Fields(string(out))
	require.NotEmpty(t, fields, "%s has no video stream", path)
	n, err := strconv.Atoi(fields[0])
	require.NoError(t, err)
	return n
}

// packetTimes returns the sorted PTS (seconds) of a stream's packets.
func packetTimes(t *testing.T, ffprobe, path, stream string) []float64 {
	t.Helper()
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", stream,
		"-show_entries", "packet=pts_time", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	var ts []float64
	for _, line := range strings.Fields(string(out)) {
		f, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64)
		require.NoError(t, err, line)
		ts = append(ts, f)
	}
	slices.Sort(ts)
	return ts
}

// decodePCM decodes the first audio stream to mono float samples at 48 kHz.
func decodePCM(t *testing.T, ffmpeg, path string) []float64 {
	t.Helper()
	out, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", "-").Output()
	require.NoError(t, err)
	pcm := make([]float64, len(out)/4)
	for i := range pcm {
		pcm[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:])))
	}
	return pcm
}

// TestFollowPiece feeds ffmpeg an audio piece through FollowPiece while
// the piece is still being written (a few kilobytes at a time, as the
// audio pass writes it, the first bytes before the pipe is read): ffmpeg
// gets every packet of the whole piece, with the timestamps and offset
// the complete file has.
func TestFollowPiece(t *testing.T) {
	t.Parallel()
	ffmpeg, ffprobe := tools(t)
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.nut")
	runCmd(t, ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=12",
		"-c:a", "aac", "-b:a", "128k", "-output_ts_offset", "10", "-f", "nut", whole)
	data, err := os.ReadFile(whole)
	require.NoError(t, err)

	growing := filepath.Join(dir, "growing.nut")
	require.NoError(t, os.WriteFile(growing, data[:4096], 0o644))
	var written atomic.Bool
	go func() {
		f, err := os.OpenFile(growing, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		for rest := data[4096:]; len(rest) > 0; {
			n := min(len(rest), 3000)
			if _, err := f.Write(rest[:n]); err != nil {
				panic(err)
			}
			rest = rest[n:]
			time.Sleep(5 * time.Millisecond)
		}
		written.Store(true)
	}()
	off, ok, err := AudioPieceOffset(ctx, ffprobe, growing)
	require.NoError(t, err)
	require.True(t, ok)
	wholeOff, _, err := AudioPieceOffset(ctx, ffprobe, whole)
	require.NoError(t, err)
	require.Equal(t, wholeOff, off, "the offset from the first packets is the whole piece's")

	pipe := filepath.Join(dir, "pipe.nut")
	follow, err := FollowPiece(growing, pipe, written.Load)
	require.NoError(t, err)
	followed := make(chan error, 1)
	go func() { followed <- follow(ctx) }()
	copied := filepath.Join(dir, "copied.nut")
	runCmd(t, ffmpeg, append(append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, inputHardening()...),
		"-i", inputURL(pipe), "-copyts", "-c", "copy", "-f", "nut", copied)...)
	require.NoError(t, <-followed)

	packets := func(path string) string {
		out, err := exec.Command(ffprobe, "-v", "error", "-show_entries", "packet=pts,size", "-of", "csv=p=0", path).Output()
		require.NoError(t, err)
		return string(out)
	}
	want := packets(whole)
	require.Greater(t, strings.Count(want, "\n"), 500, "12 s of AAC")
	require.Equal(t, want, packets(copied))
}

// SnapChunksAt moves each boundary by a segment when that starts the
// chunk just after a keyframe, and leaves it where no neighbour is
// cheaper or no keyframe is known.
func TestSnapChunksAt(t *testing.T) {
	src := SourceInfo{Duration: 90, Video: &VideoStream{}}
	chunks := []Chunk{
		{Index: 0, Start: 0, End: 16},
		{Index: 1, Start: 16, End: 48, FirstSegment: 7},
		{Index: 2, Start: 48, End: 80, FirstSegment: 15},
		{Index: 3, Start: 80, FirstSegment: 23},
	}
	// x264's default GOP at 30 fps: a keyframe every 8.33 s.
	var keyframes []float64
	for k := 0.0; k < 90; k += 250.0 / 30 {
		keyframes = append(keyframes, k)
	}
	snapped := SnapChunksAt(keyframes, src, chunks, EncodeOptions{})
	// A chunk decodes from the last keyframe a second before its start:
	// 16 from 8.33 (7.7 s), 20 from 16.67 (3.3 s), 12 from 8.33 (3.7 s);
	// 48 from 41.67 (6.3 s), 52 from 50 (2 s); 80 from 75 (5 s), 76 from
	// 75 (1 s), 84 from 75 too (83.33 is less than a second before).
	require.Equal(t, 20.0, snapped[1].Start)
	require.Equal(t, 20.0, snapped[0].End)
	require.Equal(t, 52.0, snapped[2].Start)
	require.Equal(t, 76.0, snapped[3].Start)
	require.Equal(t, firstSegment(76, 4), snapped[3].FirstSegment)
	require.Equal(t, chunks, SnapChunksAt(nil, src, chunks, EncodeOptions{}), "no keyframes known: as planned")
}

// ChunkKeyframes lists the source's keyframes around the boundaries, and
// SnapChunks with them is SnapChunksAt.
func TestChunkKeyframes(t *testing.T) {
	ffmpeg, ffprobe := tools(t)
	in := filepath.Join(t.TempDir(), "gop.mp4")
	out, err := exec.Command(ffmpeg, concat([]string{"-hide_banner", "-nostdin", "-v", "error"}, lavfiVideo("160x90", 10, 40),
		[]string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "35", "-keyint_min", "35", "-sc_threshold", "0", in})...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	src, err := Probe(testContext(t, time.Minute), ffprobe, in)
	require.NoError(t, err)
	chunks := PlanChunks(*src, 12, EncodeOptions{})
	require.Greater(t, len(chunks), 1)
	keyframes, err := ChunkKeyframes(testContext(t, time.Minute), ffprobe, in, *src, chunks, EncodeOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, keyframes)
	for _, k := range keyframes {
		require.InDelta(t, 0, math.Mod(k+1e-6, 3.5), 1e-3, "keyframe %v is every 35 frames at 10 fps", k)
	}
	snapped, err := SnapChunks(testContext(t, time.Minute), ffprobe, in, *src, chunks, EncodeOptions{})
	require.NoError(t, err)
	require.Equal(t, SnapChunksAt(keyframes, *src, chunks, EncodeOptions{}), snapped)
}

// TestQueueOrder: the bench's 90 s source, planned in 30-s chunks and
// snapped to its keyframes every 8.33 s, is 20 + 32 + 24 + 4 + 10 s. In
// plan order the 10-s chunk is queued last, and one worker encodes it
// alone at the end; longest first after the first two, the 4-s chunk is
// last.
func TestQueueOrder(t *testing.T) {
	src := SourceInfo{Duration: 90, Video: &VideoStream{}}
	opts := EncodeOptions{Preset: "ultrafast"}
	var keyframes []float64
	for k := 0.0; k < 90; k += 250.0 / 30 {
		keyframes = append(keyframes, k)
	}
	chunks := SnapChunksAt(keyframes, src, PlanChunks(src, 30, opts), opts)
	var starts []float64
	for _, c := range chunks {
		starts = append(starts, c.Start)
	}
	require.Equal(t, []float64{0, 20, 52, 76, 80}, starts)
	var order []int
	for _, c := range QueueOrder(chunks, src.Duration) {
		order = append(order, c.Index)
	}
	require.Equal(t, []int{0, 1, 2, 4, 3}, order)
	require.Equal(t, []float64{0, 20, 52, 76, 80}, starts, "the plan itself is left as it was")

	// Equal lengths keep the plan's order; three chunks or fewer stay as
	// planned.
	even := []Chunk{{Index: 0, End: 4}, {Index: 1, Start: 4, End: 12}, {Index: 2, Start: 12, End: 20}, {Index: 3, Start: 20, End: 28}, {Index: 4, Start: 28}}
	order = order[:0]
	for _, c := range QueueOrder(even, 36) {
		order = append(order, c.Index)
	}
	require.Equal(t, []int{0, 1, 2, 3, 4}, order)
	require.Equal(t, even[:3], QueueOrder(even[:3], 20))
}
