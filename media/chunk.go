package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Chunked encoding: a long source is cut at segment boundaries into
// chunks that separate ffmpeg processes (on any worker) encode; their
// segments, numbered continuously, make the same rendition playlists a
// single LadderArgs encode would.
//
// What keeps the seams invisible and inaudible:
//   - Video: every chunk runs with -copyts, so frames keep the source's
//     timestamps; the frame-rate filter lays every chunk on the same
//     global grid and a trim keeps exactly the grid frames in
//     [Start, End), so the chunks' frames are the single encode's frames,
//     none twice and none missing. Keyframes are forced at the same
//     absolute times as LadderArgs forces them, and the first frame of a
//     chunk is one of them, so chunk boundaries are segment boundaries.
//   - Audio is encoded once for the whole file (AudioPassArgs), cut into
//     one piece per chunk at AAC packet boundaries, and copied into each
//     chunk's segments: the decoder sees one continuous AAC stream, with
//     no encoder priming or restarted MDCT overlap at a boundary, which
//     per-chunk audio encodes would put there (a click, or 21 ms of
//     silence).
//   - Timestamps: every chunk's output is shifted by the same
//     chunkOutputOffset, so PTS run on across chunks.

// Chunk is one piece of a chunked encode.
type Chunk struct {
	// Index is the chunk's place, from 0.
	Index int `json:"index"`
	// Start and End are the source times (seconds) the chunk covers;
	// End is 0 for the last chunk, which runs to the end of the source.
	Start float64 `json:"start"`
	End   float64 `json:"end,omitempty"`
	// FirstSegment is the number of the chunk's first segment in every
	// rendition (seg_<FirstSegment>.ts), so numbering runs on across
	// chunks.
	FirstSegment int `json:"first_segment"`
}

// Last reports whether c runs to the end of the source.
func (c Chunk) Last() bool { return c.End <= 0 }

// PlanChunks cuts a source of duration seconds into chunks of at most
// chunkSeconds, rounded up to whole segments (opts.SegmentSeconds, 4 by
// default): with 30 seconds, chunks of up to 32. The first chunk is half
// as long (16 s; at least one segment): its job also runs the audio
// pass, and it is the one a viewer waits for. Towards the end the chunks
// shrink: each takes half of what is left (rounded up to segments) while
// that is less than a whole chunk, until what is left is at most two
// quarter chunks. Workers take chunks as they free up, so the one that
// ends first waits at most for the last, short chunk of another: a 90 s
// video is 16 + 32 + 24 + 12 + 6 s, which two workers finish within a few
// seconds of each other, where 16 + 32 + 32 + 10 s left one of them
// encoding a whole chunk alone at the end. A last piece shorter than one
// segment joins the chunk before it. It returns nil when the source is
// not longer than one chunk plus a segment, or chunkSeconds is not
// positive: such a source is encoded by LadderArgs in one process, as is
// an audio-only source (whose still picture costs almost nothing to
// encode).
func PlanChunks(src SourceInfo, chunkSeconds int, opts EncodeOptions) []Chunk {
	opts = opts.withDefaults()
	if chunkSeconds <= 0 || src.Video == nil {
		return nil
	}
	seg := opts.SegmentSeconds
	length := max((chunkSeconds+seg-1)/seg, 1) * seg
	if src.Duration-float64(length) < float64(seg) {
		return nil
	}
	first := max(length/2/seg, 1) * seg
	// The tail's smallest chunk: a quarter chunk, at least a segment.
	least := max(length/4/seg, 1) * seg
	var out []Chunk
	for start := 0; ; {
		c := Chunk{Index: len(out), Start: float64(start), FirstSegment: firstSegment(start, seg)}
		rest := src.Duration - float64(start)
		size := first
		if c.Index > 0 {
			if rest <= float64(2*least) {
				out = append(out, c)
				break
			}
			size = min(length, int(math.Ceil(rest/2/float64(seg)))*seg)
		}
		end := start + size
		if src.Duration-float64(end) < float64(seg) {
			out = append(out, c)
			break
		}
		c.End = float64(end)
		out = append(out, c)
		start = end
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// QueueOrder returns chunks (as PlanChunks or SnapChunksAt made them, for
// a source of duration seconds) in the order to queue their jobs: the
// first two as planned (the first is the one a viewer waits for), then
// the rest longest first. Workers take chunks in that order as they free
// up, so the last chunk taken is the shortest, and the worker that ends
// first waits at most for it: snapping boundaries to keyframes can leave
// a tail such as 4 + 10 s, where in plan order one worker encodes the
// 10 s alone at the end (the longest-first rule of list scheduling).
// Encoding order changes nothing in the output: each chunk's segments
// are numbered by the plan, and playlists list chunks in plan order.
func QueueOrder(chunks []Chunk, duration float64) []Chunk {
	out := slices.Clone(chunks)
	if len(out) <= 3 {
		return out
	}
	length := func(c Chunk) float64 {
		if c.Last() {
			return duration - c.Start
		}
		return c.End - c.Start
	}
	slices.SortStableFunc(out[2:], func(a, b Chunk) int {
		la, lb := length(a), length(b)
		switch {
		case la > lb:
			return -1
		case la < lb:
			return 1
		}
		return 0
	})
	return out
}

// firstSegment is the number of the segment starting at start (a
// multiple of seg): the first seg seconds are seg one-second fast-start
// segments (see LadderArgs), then segments of seg seconds.
func firstSegment(start, seg int) int {
	if start <= 0 {
		return 0
	}
	return seg + (start-seg)/seg
}

// chunkSeekMargin is how far before its start a chunk's decode begins
// (ChunkArgs): ffmpeg seeks to the last keyframe before Start minus this.
const chunkSeekMargin = 1.0

// SnapChunks moves each boundary between chunks (as PlanChunks made them)
// by up to one segment either way, to the segment boundary that costs the
// least decoding. A chunk decodes from the source's last keyframe before
// its start (less chunkSeekMargin), and every frame between that
// keyframe and the start is decoded only to be dropped: with the 8.3 s
// keyframe interval of x264's defaults at 30 fps, 6 s of 1080p on
// average, a quarter of a second of CPU per chunk for nothing. Among three
// neighbouring segment boundaries one usually lies a short way after a
// keyframe. The keyframes come from ffprobe reading the packets around
// each boundary (ChunkKeyframes), so a long source costs no more than a
// short one. Boundaries stay on the segment grid, so segments, numbering
// and keyframes are as PlanChunks planned them, only with chunks a
// segment longer or shorter.
func SnapChunks(ctx context.Context, ffprobePath, in string, src SourceInfo, chunks []Chunk, opts EncodeOptions) ([]Chunk, error) {
	if len(chunks) < 2 || src.Video == nil {
		return chunks, nil
	}
	keyframes, err := ChunkKeyframes(ctx, ffprobePath, in, src, chunks, opts)
	if err != nil {
		return chunks, err
	}
	return SnapChunksAt(keyframes, src, chunks, opts), nil
}

// chunkKeyframesLookback is how far before the earliest candidate
// boundary ChunkKeyframes reads packets, so that the keyframe before it
// is among them (keyframe intervals over 20 s are rare).
const chunkKeyframesLookback = 20.0

// ChunkKeyframes returns the times of the source's keyframes around the
// boundaries between chunks (as PlanChunks made them), all SnapChunksAt
// needs: ffprobe reads the packets of those stretches, without decoding.
// The probe job calls it while it has the source at hand and keeps the
// times with the probe result (SourceInfo.Keyframes), so planning needs
// no source at all (and S3 no download).
func ChunkKeyframes(ctx context.Context, ffprobePath, in string, src SourceInfo, chunks []Chunk, opts EncodeOptions) ([]float64, error) {
	opts = opts.withDefaults()
	seg := float64(opts.SegmentSeconds)
	if len(chunks) < 2 || src.Video == nil {
		return nil, nil
	}
	var intervals []string
	for _, c := range chunks[1:] {
		from := math.Max(c.Start-seg-chunkSeekMargin-chunkKeyframesLookback, 0)
		intervals = append(intervals, ffSeconds(from)+"%"+ffSeconds(c.Start+seg))
	}
	args := append(inputHardening(), "-v", "error", "-select_streams", fmt.Sprintf("%d", src.Video.Index),
		"-read_intervals", strings.Join(intervals, ","),
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", inputURL(in))
	var out bytes.Buffer
	if _, err := runTool(ctx, "ffprobe", ffprobePath, args, &out); err != nil {
		return nil, fmt.Errorf("chunk keyframes: %w", err)
	}
	keyframes := []float64{} // none found is an answer too
	for _, line := range strings.Split(out.String(), "\n") {
		pts, flags, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok || !strings.Contains(flags, "K") {
			continue
		}
		if t, err := strconv.ParseFloat(pts, 64); err == nil && !slices.Contains(keyframes, t) {
			keyframes = append(keyframes, t)
		}
	}
	slices.Sort(keyframes)
	return keyframes, nil
}

// SnapChunksAt is SnapChunks with the keyframes known (ChunkKeyframes).
// A boundary whose neighbourhood has no keyframe listed stays where it is.
func SnapChunksAt(keyframes []float64, src SourceInfo, chunks []Chunk, opts EncodeOptions) []Chunk {
	opts = opts.withDefaults()
	seg := float64(opts.SegmentSeconds)
	if len(chunks) < 2 || src.Video == nil {
		return chunks
	}
	// cost is the decoding a chunk starting at start wastes: from the
	// keyframe ffmpeg seeks to, up to start.
	cost := func(start float64) float64 {
		from := math.Inf(-1)
		for _, k := range keyframes {
			if k <= start-chunkSeekMargin+1e-6 && k > from {
				from = k
			}
		}
		return start - from
	}
	snapped := slices.Clone(chunks)
	for i := 1; i < len(snapped); i++ {
		prev := snapped[i-1].Start
		best, bestCost := snapped[i].Start, cost(snapped[i].Start)
		for _, d := range []float64{-seg, seg} {
			s := snapped[i].Start + d
			next := src.Duration // the start of the chunk after, or the end
			if i+1 < len(snapped) {
				next = snapped[i+1].Start
			}
			if s-prev < seg || next-s < seg {
				continue
			}
			if c := cost(s); c < bestCost {
				best, bestCost = s, c
			}
		}
		snapped[i].Start = best
		snapped[i-1].End = best
		snapped[i].FirstSegment = firstSegment(int(best), int(seg))
	}
	return snapped
}

// Names of a chunked encode's intermediate files.
const (
	// audioPiecePattern names the pieces AudioPassArgs writes: one per
	// audio encoding and chunk (a<encoding>_<chunk>.nut). NUT keeps the
	// AAC packets' timestamps exactly, in the stream's own time base.
	audioPiecePattern = "a%d_%%05d.nut"
	// audioPieceListPattern names the list the segment muxer keeps of
	// each encoding's complete pieces (a<encoding>.csv: file name, first
	// packet's time, end), which AudioPieceOffsets reads.
	audioPieceListPattern = "a%d.csv"
	// audioPassOffset shifts the audio pass's timestamps so the encoder's
	// priming packet (at -1024 samples) is not negative, which would make
	// the muxer shift the whole stream; ChunkArgs takes it back off.
	audioPassOffset = 10.0
	// chunkOutputOffset shifts every chunk's output so no timestamp is
	// negative (the B-frame delay makes the first DTS so): the muxer
	// would otherwise shift the first chunk alone, by its own amount.
	chunkOutputOffset = 1.0
)

// AudioPieceName is the file name of the piece of audio encoding enc for
// chunk index, as AudioPassArgs writes it.
func AudioPieceName(enc, index int) string {
	return fmt.Sprintf(fmt.Sprintf(audioPiecePattern, enc), index)
}

// AudioEncodings is how many distinct audio encodings the ladder has (0
// for a silent source): AudioPassArgs writes that many pieces per chunk,
// and ChunkArgs takes them in that order.
func AudioEncodings(src SourceInfo, ladder []Rendition) int {
	encs, _ := ladderAudio(src, ladder)
	return len(encs)
}

// AudioPassArgs returns the ffmpeg arguments that encode the source's
// audio once for every encoding the ladder needs, writing each encoding
// cut at the chunks' starts into outDir/a<enc>_<chunk>.nut (see
// AudioPieceName). Every AAC packet lands in exactly one piece: the
// segment muxer starts a piece at the first packet at or after the
// chunk's start. Pieces are written in order, and a piece is complete
// once the next one exists or ffmpeg has exited. Nil for a silent
// source.
func AudioPassArgs(in string, src SourceInfo, ladder []Rendition, chunks []Chunk, outDir string) []string {
	encs, _ := ladderAudio(src, ladder)
	if len(encs) == 0 {
		return nil
	}
	times := make([]string, 0, len(chunks))
	for _, c := range chunks[1:] {
		times = append(times, strconv.FormatFloat(c.Start+audioPassOffset, 'f', -1, 64))
	}
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning"}
	args = append(args, inputHardening()...)
	args = append(args, "-i", inputURL(in))
	for j, a := range encs {
		args = append(args,
			"-map", fmt.Sprintf("0:%d", src.Audio.Index),
			"-vn", "-sn", "-dn",
			"-c:a", "aac",
			"-b:a", kbps(a.bitrate),
			"-ac", strconv.Itoa(a.channels),
			"-ar", strconv.Itoa(a.sampleRate),
			"-map_metadata", "-1",
			"-output_ts_offset", strconv.FormatFloat(audioPassOffset, 'f', -1, 64),
			"-f", "segment",
			"-segment_format", "nut",
			"-reset_timestamps", "0",
			"-segment_list", filepath.Join(outDir, fmt.Sprintf(audioPieceListPattern, j)),
			"-segment_list_type", "csv",
		)
		if len(times) > 0 {
			args = append(args, "-segment_times", strings.Join(times, ","))
		} else {
			args = append(args, "-segment_time", "1e9")
		}
		args = append(args, filepath.Join(outDir, fmt.Sprintf(audioPiecePattern, j)))
	}
	return args
}

// AudioPieceOffset returns the -itsoffset ChunkArgs needs for an audio
// piece: with -copyts -start_at_zero ffmpeg moves every input to start at
// zero, so the piece's own start is added back and the audio pass's
// offset taken off, leaving the piece's packets at their source times.
// ok is false for a piece without packets (the audio starts after the
// chunk or ended before it): the chunk then has no audio.
func AudioPieceOffset(ctx context.Context, ffprobePath, piece string) (offset float64, ok bool, err error) {
	args := append(inputHardening(), "-v", "error", "-show_entries", "format=start_time", "-of", "csv=p=0", inputURL(piece))
	var out bytes.Buffer
	if _, err := runTool(ctx, "ffprobe", ffprobePath, args, &out); err != nil {
		return 0, false, fmt.Errorf("audio piece start: %w", err)
	}
	text := strings.TrimSpace(out.String())
	if text == "" || text == "N/A" {
		return 0, false, nil
	}
	start, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, false, fmt.Errorf("audio piece start: %q: %w", text, err)
	}
	return start - audioPassOffset, true, nil
}

// AudioPieceOffsets returns the AudioPieceOffset of every piece of audio
// encoding enc that the audio pass writing into outDir has completed,
// by chunk index, from the list the segment muxer keeps (it writes a
// piece's line before it starts the next piece, so a piece found
// complete is listed): the first packet's time, which is what ffprobe
// reads as the piece's start, without an ffprobe run per piece. The
// first piece is missing: the muxer lists it from 0, not from its
// first packet (the encoder's priming one), so it needs AudioPieceOffset.
func AudioPieceOffsets(outDir string, enc int) (map[int]float64, error) {
	raw, err := os.ReadFile(filepath.Join(outDir, fmt.Sprintf(audioPieceListPattern, enc)))
	if errors.Is(err, os.ErrNotExist) {
		return map[int]float64{}, nil // no piece complete yet
	}
	if err != nil {
		return nil, fmt.Errorf("audio piece list: %w", err)
	}
	offsets := map[int]float64{}
	for _, line := range strings.Split(string(raw), "\n") {
		fields := strings.Split(strings.TrimSpace(line), ",")
		if len(fields) != 3 {
			continue // a line being written
		}
		var e, index int
		if _, err := fmt.Sscanf(fields[0], "a%d_%d.nut", &e, &index); err != nil || e != enc || index == 0 {
			continue
		}
		start, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		offsets[index] = start - audioPassOffset
	}
	return offsets, nil
}

// FollowPiece lets ChunkArgs read an audio piece while the audio pass is
// still writing it: it makes a named pipe at pipe and returns follow,
// which copies the piece's bytes into the pipe as they are written until
// complete reports the piece whole and every byte is passed on, then
// closes the pipe (the end of the piece for ffmpeg). Run follow while the
// chunk's ffmpeg reads pipe as its audio input; it returns when the
// piece is passed on or ctx ends.
//
// This is what makes the first chunk playable early: its encode starts
// as soon as the audio pass has written its first packets (a few tens of
// milliseconds) instead of after it has encoded the whole first chunk's
// audio, more than a second of CPU for 32 s of audio in two encodings.
// The piece's offset (AudioPieceOffset) is read from its first packets,
// which the growing file has by then. NUT is made for streaming: its
// demuxer reads a pipe without seeking. Where named pipes do not exist
// FollowPiece fails, and the caller waits for the whole piece instead.
func FollowPiece(piece, pipe string, complete func() bool) (follow func(context.Context) error, err error) {
	if err := mkfifo(pipe); err != nil {
		return nil, fmt.Errorf("follow audio piece: %w", err)
	}
	return func(ctx context.Context) error {
		if err := followPiece(ctx, piece, pipe, complete); err != nil {
			return fmt.Errorf("follow audio piece: %w", err)
		}
		return nil
	}, nil
}

func followPiece(ctx context.Context, piece, pipe string, complete func() bool) error {
	w, err := openPipeWriter(ctx, pipe)
	if err != nil {
		return err
	}
	defer w.Close()
	// A write blocked on a full pipe ends when ctx does.
	stop := context.AfterFunc(ctx, func() { w.Close() })
	defer stop()
	r, err := os.Open(piece)
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	for {
		// Whole before the read: what the read then reaches is the end.
		whole := complete()
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return werr
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		if whole {
			return w.Close()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// AudioPiece is one chunk's piece of one audio encoding, for ChunkArgs.
type AudioPiece struct {
	// Path is the local file (see AudioPassArgs).
	Path string
	// Offset is its AudioPieceOffset.
	Offset float64
}

// ChunkArgs returns the ffmpeg arguments that encode chunk c of in into
// every rendition of ladder in one process (the source decoded once, as
// LadderArgs does for the whole file), writing HLS under outDir exactly as
// LadderArgs does (outDir/<name>/index.m3u8 listing seg_N.ts from
// c.FirstSegment on), with audio copied from the chunk's pieces of the
// audio pass, one per audio encoding in AudioPassArgs' order.
//
// The first chunk has LadderArgs' fast-start segments; every chunk's
// playlist is an EVENT playlist growing as segments complete (temp_file),
// so the first chunk can be published while it encodes.
//
// With board, the encode also writes the chunk's storyboard thumbnails
// (the frames at multiples of board.Interval within the chunk) into
// outDir/StoryboardTilesDir, taken from the smallest rung as it is
// scaled: a few small JPEGs that cost next to nothing, where a storyboard
// made from the source decodes every frame of it again (10 s of CPU for
// 90 s of 1080p). StoryboardFromTiles puts the chunks' tiles together.
func ChunkArgs(in string, src SourceInfo, ladder []Rendition, c Chunk, audio []AudioPiece, outDir string, opts EncodeOptions, board *StoryboardLayout) []string {
	return chunkArgs(in, src, ladder, c, audio, false, outDir, opts, board)
}

// FirstChunkArgs is ChunkArgs for the first chunk (c starts at 0 and is
// not the last) encoding its audio itself, from the source, so that it
// waits for no audio pass: the audio pass and this encode can run at
// the same time, on two workers, or one after the other on one, and the
// first chunk becomes playable as early as an unchunked encode does. The
// audio is the first piece of the audio pass (AudioPassArgs), packet for
// packet: the same encoder given the same samples from the same start
// (the source is read from its start, unseeked, as the audio pass reads
// it) makes the same packets, and those from the chunk's end on, where
// the audio pass starts the second piece, are dropped (the noise
// bitstream filter's drop expression). So the seam with the second chunk
// is the audio pass's own, one continuous AAC stream.
func FirstChunkArgs(in string, src SourceInfo, ladder []Rendition, c Chunk, outDir string, opts EncodeOptions, board *StoryboardLayout) []string {
	return chunkArgs(in, src, ladder, c, nil, true, outDir, opts, board)
}

func chunkArgs(in string, src SourceInfo, ladder []Rendition, c Chunk, audio []AudioPiece, ownAudio bool, outDir string, opts EncodeOptions, board *StoryboardLayout) []string {
	opts = opts.withDefaults()
	seg := opts.SegmentSeconds
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-copyts", "-start_at_zero"}
	args = append(args, inputHardening()...)
	// Input seeking decodes from the keyframe before Start and drops what
	// precedes it; a second of margin each side gives the frame-rate
	// filter the neighbours it picks grid frames from, and the trim keeps
	// exactly the grid frames in [Start, End). A chunk from 0 is not
	// seeked: a seek to 0 trims the decoded audio differently from the
	// audio pass's plain read (FirstChunkArgs).
	ss := math.Max(c.Start-chunkSeekMargin, 0)
	if ss > 0 {
		args = append(args, "-ss", ffSeconds(ss))
	}
	if !c.Last() {
		args = append(args, "-t", ffSeconds(c.End-ss+1))
	}
	args = append(args, "-i", inputURL(in))
	encs, rungAudio := ladderAudio(src, ladder)
	if !ownAudio {
		encs = nil
	}
	for _, a := range audio {
		args = append(args, "-itsoffset", ffSeconds(a.Offset))
		args = append(args, inputHardening()...)
		args = append(args, "-i", inputURL(a.Path))
	}

	fps := ladderFrameRate(ladder)
	trim := "trim=start=" + ffSeconds(c.Start)
	if !c.Last() {
		trim += ":end=" + ffSeconds(c.End)
	}
	graph := ladderFilterGraph(src, ladder, opts)
	graph = strings.Replace(graph, "fps="+fps.String(), "fps="+fps.String()+","+trim, 1)
	if board != nil && src.Video != nil {
		// The smallest rung's output feeds its encoder and the tiles.
		low := 0
		for i, r := range ladder {
			if r.Width*r.Height < ladder[low].Width*ladder[low].Height {
				low = i
			}
		}
		label := fmt.Sprintf("[v%d]", low)
		graph = strings.Replace(graph, label, "[tiles_in]", 1) + fmt.Sprintf(
			";[tiles_in]split=2%s[tiles_src];[tiles_src]fps=1/%d,scale=%d:%d:flags=bicubic,setsar=1[tiles]",
			label, board.Interval, board.TileWidth, board.TileHeight)
	}
	args = append(args, "-filter_complex", graph)
	if board != nil && src.Video != nil {
		// A separate output, before the ladder's: with -copyts the tiles'
		// timestamps are the source's, so -frame_pts names each after its
		// tick (time / Interval), the thumbnail number across the video.
		args = append(args,
			"-map", "[tiles]",
			"-c:v", "mjpeg", "-q:v", "4",
			"-fps_mode", "passthrough",
			"-frame_pts", "1",
			"-f", "image2",
			filepath.Join(outDir, StoryboardTilesDir, "tile_%06d.jpg"))
	}
	for i := range ladder {
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
	}
	for j := range audio {
		args = append(args, "-map", fmt.Sprintf("%d:a:0", j+1))
	}
	for range encs {
		args = append(args, "-map", fmt.Sprintf("0:%d", src.Audio.Index))
	}

	keyframes := keyframeExpr(seg)
	if c.Index > 0 {
		// The same absolute times LadderArgs forces: every seg seconds.
		keyframes = fmt.Sprintf("expr:gte(t,%s+%d*n_forced)", ffSeconds(c.Start), seg)
	}
	gop := max(int(math.Round(float64(seg)*fps.Float())), 1)
	args = append(args,
		"-c:v", "libx264",
		"-preset", opts.Preset,
		"-sc_threshold", "0",
		"-g", strconv.Itoa(gop),
		"-force_key_frames", keyframes,
	)
	if opts.RateControl == CappedCRF {
		args = append(args, "-crf", strconv.Itoa(opts.CRF))
	}
	for i, r := range ladder {
		v := fmt.Sprintf(":v:%d", i)
		args = append(args, "-profile"+v, r.Profile, "-level"+v, LevelString(r.Level))
		if opts.RateControl == AverageBitrate {
			args = append(args, "-b"+v, kbps(r.VideoBitrate))
		}
		args = append(args, "-maxrate"+v, kbps(r.MaxRate), "-bufsize"+v, kbps(r.BufSize))
	}
	if len(audio) > 0 {
		args = append(args, "-c:a", "copy")
	}
	if len(encs) > 0 {
		// The audio pass's encoder settings (AudioPassArgs), and its cut:
		// it starts the second piece at the first packet at or after
		// the chunk's end. Packets lie on a grid of 1024 samples, so half
		// a sample below the end separates the two sides exactly.
		args = append(args, "-c:a", "aac")
		for j, a := range encs {
			s := fmt.Sprintf(":a:%d", j)
			cut := c.End - 0.5/float64(a.sampleRate)
			args = append(args,
				"-b"+s, kbps(a.bitrate),
				"-ac"+s, strconv.Itoa(a.channels),
				"-ar"+s, strconv.Itoa(a.sampleRate),
				"-bsf"+s, "noise=drop=gte(pts*tb\\,"+strconv.FormatFloat(cut, 'f', -1, 64)+")")
		}
	}
	if opts.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(opts.Threads))
	}

	slaves := make([]string, len(ladder))
	for i, r := range ladder {
		sel, vsm := strconv.Itoa(i), "v:0"
		if j := rungAudio[i]; j >= 0 && j < len(audio)+len(encs) {
			sel += "," + strconv.Itoa(len(ladder)+j)
			vsm += ",a:0"
		}
		o := [][2]string{
			{"f", "hls"},
			{"select", sel},
			{"max_delay", "700000"},
			{"hls_time", strconv.Itoa(seg)},
		}
		if c.Index == 0 {
			o = append(o, [2]string{"hls_init_time", "1"})
		}
		o = append(o,
			[2]string{"hls_list_size", "0"},
			[2]string{"hls_playlist_type", "event"},
			[2]string{"hls_flags", "independent_segments+temp_file"},
			[2]string{"hls_segment_type", "mpegts"},
			[2]string{"start_number", strconv.Itoa(c.FirstSegment)},
			[2]string{"hls_segment_filename", filepath.Join(outDir, "%v", SegmentPattern)},
			[2]string{"var_stream_map", vsm + ",name:" + r.Name},
		)
		slaves[i] = teeSlave(o, filepath.Join(outDir, "%v", MediaPlaylistName))
	}
	args = append(args,
		"-output_ts_offset", ffSeconds(chunkOutputOffset),
		"-map_metadata", "-1",
		"-map_chapters", "-1",
		"-max_muxing_queue_size", "4096",
		"-progress", "pipe:1",
		"-nostats",
		"-f", "tee",
		strings.Join(slaves, "|"),
	)
	return args
}

// ffSeconds formats seconds for ffmpeg's duration options (microsecond
// precision, no exponent).
func ffSeconds(s float64) string { return strconv.FormatFloat(s, 'f', 6, 64) }

// AssembledSegment is one segment of an assembled rendition playlist.
type AssembledSegment struct {
	// URI is relative to the playlist ("seg_00012.ts").
	URI string `json:"uri"`
	// Duration is the EXTINF duration in seconds.
	Duration float64 `json:"duration"`
	// Size is the file's size in bytes (for the bandwidth measurement).
	Size int64 `json:"size"`
}

// WriteAssembledPlaylist writes the media playlist of a rendition made of
// chunks: their segments in order, as one EVENT playlist while chunks are
// missing, or as a VOD playlist (the same one FinalizeMediaPlaylist makes
// of an unchunked encode) once complete.
func WriteAssembledPlaylist(segs []AssembledSegment, complete bool) []byte {
	target := 1
	for _, s := range segs {
		target = max(target, int(math.Round(s.Duration)))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n", target)
	if complete {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:VOD\n")
	} else {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:EVENT\n")
	}
	b.WriteString("#EXT-X-INDEPENDENT-SEGMENTS\n")
	for _, s := range segs {
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n%s\n", s.Duration, s.URI)
	}
	if complete {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	return b.Bytes()
}

// MeasureAssembled completes first (MeasureRendition of the first chunk's
// output: size, codecs, start time) with the bandwidths and length of the
// whole assembled rendition.
func MeasureAssembled(first RenditionResult, segs []AssembledSegment) RenditionResult {
	plain := make([]Segment, len(segs))
	sizes := make([]int64, len(segs))
	target := 1
	for i, s := range segs {
		plain[i] = Segment{URI: s.URI, Duration: s.Duration}
		sizes[i] = s.Size
		target = max(target, int(math.Round(s.Duration)))
	}
	res := first
	res.Bandwidth, res.AverageBandwidth = segmentBandwidths(plain, sizes, target)
	res.Segments = len(segs)
	res.Duration = 0
	for _, s := range segs {
		res.Duration += s.Duration
	}
	return res
}

// MaxSegments is how many segments chunk c can have in a rendition of a
// source of duration seconds: exactly so for a chunk that ends on a
// boundary, an upper bound for the last. A retried chunk removes these
// numbers before encoding again, and no other chunk's.
func (c Chunk) MaxSegments(duration float64, opts EncodeOptions) int {
	seg := float64(opts.withDefaults().SegmentSeconds)
	end := c.End
	if c.Last() {
		end = math.Max(duration, c.Start) + 2*seg
	}
	n := int(math.Ceil((end - c.Start) / seg))
	if c.Index == 0 {
		// seg one-second segments stand for the first one.
		n += int(seg) - 1
	}
	return n
}
