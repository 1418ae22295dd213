package jobs

// Chunked transcoding: one long video, every worker.
//
// A video longer than MediaTools.ChunkSeconds (and not audio-only) is cut
// at segment boundaries into chunks (media.PlanChunks, the first one half
// as long), each boundary moved to just after a source keyframe when the
// source is read in place (media.SnapChunks). The transcode job
// only plans: in one transaction it records the plan (a row per chunk)
// and inserts one TranscodeChunkArgs job per chunk, which any worker
// takes. Each chunk job encodes every rung of its chunk in one ffmpeg
// (media.ChunkArgs) and stores its segments, numbered so that they run on
// across chunks. A ChunkAudioArgs job queued right after the first chunk
// runs the audio pass: the video's audio encoded once, cut into one
// piece per chunk, each stored as soon as it is complete for the chunks
// after the first to copy into their segments (see media/chunk.go for
// why that makes seams inaudible). The first chunk encodes its own
// audio, the pass's first piece packet for packet
// (media.FirstChunkArgs), so it waits for nothing and shares its CPU with
// nothing.
//
// The chunks count down in the database: a finishing chunk locks the
// plan, marks itself done, and, once the chunks from the first on are
// done, writes the rendition playlists of those; the one that finds every
// chunk done assembles the video (VOD playlists, measured master,
// renditions, the storyboard from the thumbnails each chunk's encode
// took from its smallest rung) in the same locked transaction that moves
// it on to thumbnails. The alternative, a parent job that waits for its chunks
// and then assembles, would hold a worker slot doing nothing for the
// whole encode (or need a separate assemble job that polls); the
// countdown costs a row lock per chunk and nothing else, and a chunk whose
// worker died is simply retried by River: it costs that chunk, no more.
//
// Playable early stays: the first chunk is inserted first (River takes
// jobs in insertion order), encodes its own audio, publishes its
// playlists while it encodes, as an unchunked encode does, and marks the
// video playable once every rung has a segment. (A first chunk of a plan
// made by an earlier version runs the audio pass itself and starts
// encoding on its first packets, followFirstPieces.) Later chunks finishing first wait in storage and appear
// in the playlists when the chunks before them are done.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
)

// TranscodeChunkArgs encodes one chunk of a long video into every rung.
type TranscodeChunkArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// PlanJob is the transcode job that planned the chunks: when a newer
	// transcode replaced the plan, this chunk has nothing left to do.
	PlanJob int64 `json:"plan_job"`
	// Chunk is what to encode.
	Chunk media.Chunk `json:"chunk"`
	// Chunks is how many chunks the video has.
	Chunks int `json:"chunks"`
	// Duration is the whole source's length in seconds.
	Duration float64 `json:"duration"`
	// Plan is every chunk of the video, for the first chunk's audio
	// pass, which cuts the audio at their starts; empty for the others.
	Plan []media.Chunk `json:"plan,omitempty"`
	// Storyboard is the video's storyboard: each chunk makes the
	// thumbnails of its time from its smallest rung (media.ChunkArgs),
	// and the assembly puts them together. Nil (a video without picture,
	// or a plan of an earlier version) makes none: the thumbnails job
	// makes the storyboard from the source.
	Storyboard *media.StoryboardLayout `json:"storyboard,omitempty"`
	// OwnAudio (the first chunk) encodes the chunk's audio from the
	// source (media.FirstChunkArgs) instead of running the audio pass,
	// which a ChunkAudioArgs job queued after it runs: the first chunk
	// then shares its CPU with nothing and waits for nothing, and with
	// two workers the second runs the audio pass meanwhile. False in
	// plans of an earlier version: the first chunk runs the pass.
	OwnAudio bool `json:"own_audio,omitempty"`
}

// Kind is the job's stable name.
func (TranscodeChunkArgs) Kind() string { return "transcode_chunk" }

// InsertOpts puts chunks on the media queue.
func (TranscodeChunkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// TranscodeChunkWorker encodes one chunk and, when it is the last to
// finish, assembles the video's renditions.
type TranscodeChunkWorker struct {
	river.WorkerDefaults[TranscodeChunkArgs]
	deps Deps
}

// Timeout allows the timeout base plus six times the chunk's length, as
// a whole transcode gets for the whole video; the first chunk also runs
// the audio pass of the whole video.
func (w *TranscodeChunkWorker) Timeout(job *river.Job[TranscodeChunkArgs]) time.Duration {
	c := job.Args.Chunk
	length := c.End - c.Start
	if c.Last() {
		length = job.Args.Duration - c.Start
	}
	if c.Index == 0 {
		length += job.Args.Duration
	}
	return w.deps.timeoutBase() + time.Duration(max(length, 1)*6*float64(time.Second))
}

// chunkResult is what a chunk's encode stored, kept on its row.
type chunkResult struct {
	// Renditions are the rung names, largest first, as planned.
	Renditions []string `json:"renditions"`
	// Segments are each rendition's segments in this chunk.
	Segments map[string][]media.AssembledSegment `json:"segments"`
	// First (the first chunk only) is each rendition measured from its
	// first segments: size, codecs and start time for the master.
	First map[string]media.RenditionResult `json:"first,omitempty"`
}

// errPlanReplaced cancels a chunk of a plan a newer transcode replaced.
var errPlanReplaced = errors.New("the video's chunk plan was replaced by a newer transcode")

// Work encodes the chunk (unless an earlier attempt recorded it) and
// counts it down.
func (w *TranscodeChunkWorker) Work(ctx context.Context, job *river.Job[TranscodeChunkArgs]) error {
	a := job.Args
	id := a.VideoID
	defer removeIfDeleted(ctx, w.deps, id)
	if _, err := processingVideo(ctx, w.deps, id); err != nil {
		return err
	}
	plan, err := w.deps.Store.ChunkPlan(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && plan.JobID != a.PlanJob) {
		return river.JobCancel(errPlanReplaced)
	}
	if err != nil {
		return err
	}
	if plan.Assembled {
		return nil
	}
	var result *chunkResult
	if a.Chunk.Index >= len(plan.Chunks) || !plan.Chunks[a.Chunk.Index].Done {
		r, err := w.encode(ctx, job)
		if err != nil {
			return err
		}
		result = &r
	}
	return w.finish(ctx, job, result)
}

// encode encodes the chunk into every rung and stores its segments.
func (w *TranscodeChunkWorker) encode(ctx context.Context, job *river.Job[TranscodeChunkArgs]) (chunkResult, error) {
	a := job.Args
	id, c := a.VideoID, a.Chunk
	fail := func(err error) (chunkResult, error) {
		return chunkResult{}, retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	p, err := prepare(ctx, w.deps, job.JobRow, id, step{stage: store.StageTranscode})
	if err != nil {
		return chunkResult{}, err
	}
	defer p.release()
	info := p.info
	ladder := media.PlanLadder(info, media.LadderOptions{})
	opts := media.EncodeOptions{Preset: w.deps.Tools.Preset}
	prefix := layout.HLSPrefix(id)

	// What a dead attempt stored goes first: a segment it numbered that
	// this encode does not make must not be served.
	if job.Attempt > 1 {
		for _, r := range ladder {
			for n := range c.MaxSegments(a.Duration, opts) {
				key := prefix + "/" + r.Name + "/" + fmt.Sprintf(media.SegmentPattern, c.FirstSegment+n)
				if err := w.deps.Media.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotExist) {
					return fail(err)
				}
			}
		}
	}

	work, err := os.MkdirTemp(w.deps.WorkDir, fmt.Sprintf("chunk-%s-%d-", id, c.Index))
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(work)

	encodeCtx, stopEncode := context.WithCancelCause(ctx)
	defer stopEncode(nil)
	var wg sync.WaitGroup
	defer wg.Wait()

	// Audio: the first chunk makes every piece; the others wait for
	// theirs.
	encs := media.AudioEncodings(info, ladder)
	audioDir := filepath.Join(work, "audio")
	if err := os.Mkdir(audioDir, 0o755); err != nil {
		return fail(err)
	}
	audioErr := make(chan error, 1)
	var pieces []media.AudioPiece
	if a.OwnAudio {
		audioErr <- nil
		encs = 0 // no pieces: the encode makes the audio
	} else if c.Index == 0 && encs > 0 {
		ready, passEnded := make(chan struct{}), make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(passEnded)
			audioErr <- w.audioPass(encodeCtx, id, p.path, info, ladder, a, audioDir, ready)
		}()
		// The encode starts on the pieces as they are written; where that
		// cannot be, once they are complete.
		pieces, err = w.followFirstPieces(encodeCtx, stopEncode, &wg, work, audioDir, encs, ready, passEnded)
		if err != nil {
			return fail(err)
		}
		if pieces == nil {
			select {
			case <-ready:
			case <-passEnded:
				err := <-audioErr
				audioErr <- err
				if err != nil {
					return w.encodeFailed(ctx, job, err)
				}
				// Done already, every piece stored (ready is closed).
			}
		}
	} else {
		audioErr <- nil
		if encs > 0 {
			if err := w.fetchAudio(ctx, id, c.Index, encs, audioDir); err != nil {
				return chunkResult{}, err
			}
		}
	}
	if len(pieces) != encs { // not followed as they are written
		if pieces, err = w.pieceOffsets(ctx, audioDir, c.Index, encs); err != nil {
			return fail(err)
		}
	}

	// The first chunk publishes its playlists as it goes, like an
	// unchunked encode; the others store segments only (the playlists
	// list them once the chunks before them are done).
	out := filepath.Join(work, "out")
	syncer := &hlsSyncer{bucket: w.deps.Media, dir: out, prefix: prefix, ladder: ladder, uploaded: map[string]bool{}, segmentsOnly: c.Index > 0, openEnded: true}
	syncErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if c.Index > 0 {
			syncErr <- syncer.run(encodeCtx, nil)
			return
		}
		syncErr <- syncer.run(encodeCtx, func(planned []store.Rendition) error {
			err := w.deps.Store.SetPlayable(ctx, id, planned)
			if w.deps.DBHealth.Failed(ctx, err) {
				return errDatabaseAway
			}
			if err == nil {
				w.deps.DBHealth.OK(ctx)
			}
			return err
		})
	}()
	if a.Storyboard != nil {
		if err := os.MkdirAll(filepath.Join(out, media.StoryboardTilesDir), 0o755); err != nil {
			return fail(err)
		}
	}
	args := media.ChunkArgs(p.path, info, ladder, c, pieces, out, opts, a.Storyboard)
	if a.OwnAudio {
		args = media.FirstChunkArgs(p.path, info, ladder, c, out, opts, a.Storyboard)
	}
	encodeErr := media.Transcode(encodeCtx, w.deps.Tools.FFmpeg, args, nil)
	if encodeErr == nil {
		// The other chunks need every audio piece: wait for the pass.
		encodeErr = <-audioErr
	}
	stopEncode(nil)
	wg.Wait()
	if err := <-syncErr; err != nil && encodeErr == nil {
		encodeErr = err
	}
	if encodeErr != nil {
		return w.encodeFailed(ctx, job, encodeErr)
	}
	// The rest of the segments; the playlists are the finish's to write.
	syncer.segmentsOnly = true
	if err := syncer.syncOnce(ctx, true); err != nil {
		return fail(err)
	}
	if a.Storyboard != nil {
		if err := w.storeTiles(ctx, id, filepath.Join(out, media.StoryboardTilesDir)); err != nil {
			return fail(err)
		}
	}

	res := chunkResult{Segments: map[string][]media.AssembledSegment{}}
	if c.Index == 0 {
		res.First = map[string]media.RenditionResult{}
	}
	for _, r := range ladder {
		res.Renditions = append(res.Renditions, r.Name)
		playlist := filepath.Join(out, r.Name, media.MediaPlaylistName)
		pl, err := media.ReadMediaPlaylist(playlist)
		if err != nil {
			return fail(err)
		}
		for _, s := range pl.Segments {
			fi, err := os.Stat(filepath.Join(out, r.Name, filepath.FromSlash(s.URI)))
			if err != nil {
				return fail(err)
			}
			res.Segments[r.Name] = append(res.Segments[r.Name], media.AssembledSegment{URI: s.URI, Duration: s.Duration, Size: fi.Size()})
		}
		if c.Index == 0 {
			m, err := media.MeasureRendition(ctx, w.deps.Tools.FFprobe, playlist)
			if err != nil {
				return fail(err)
			}
			res.First[r.Name] = m
		}
	}
	w.deps.Logger.InfoContext(ctx, "chunk encoded", "video_id", id, "chunk", c.Index, "chunks", a.Chunks)
	return res, nil
}

// chunkTilesPrefix is where chunks store their storyboard thumbnails for
// the assembly: beside the audio pieces, removed with them.
func chunkTilesPrefix(id uuid.UUID) string { return layout.ChunkWork(id) + "/storyboard/" }

// storeTiles stores the storyboard thumbnails the chunk's encode wrote
// into dir. A retried chunk writes the same names over its dead
// attempt's.
func (w *TranscodeChunkWorker) storeTiles(ctx context.Context, id uuid.UUID, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("store storyboard tiles: %w", err)
	}
	for _, e := range entries {
		if _, ok := media.StoryboardTileIndex(e.Name()); !ok {
			continue
		}
		if err := w.deps.Media.PutFile(ctx, chunkTilesPrefix(id)+e.Name(), filepath.Join(dir, e.Name()), "image/jpeg"); err != nil {
			return fmt.Errorf("store storyboard tiles: %w", err)
		}
	}
	return nil
}

// storyboard puts the chunks' thumbnails together into the video's
// storyboard (media.StoryboardFromTiles) and stores it, returning the
// key of its WebVTT map; nil when no chunk stored a thumbnail.
func (w *TranscodeChunkWorker) storyboard(ctx context.Context, id uuid.UUID, duration float64, board media.StoryboardLayout) (*string, error) {
	objs, err := w.deps.Media.List(ctx, chunkTilesPrefix(id))
	if err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	work, err := os.MkdirTemp(w.deps.WorkDir, "storyboard-"+id.String()+"-")
	if err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	defer os.RemoveAll(work)
	tiles := map[int]string{}
	for _, o := range objs {
		name := o.Key[strings.LastIndex(o.Key, "/")+1:]
		k, ok := media.StoryboardTileIndex(name)
		if !ok {
			continue
		}
		rc, _, err := w.deps.Media.Get(ctx, o.Key)
		if err != nil {
			return nil, fmt.Errorf("storyboard: %w", err)
		}
		path := filepath.Join(work, name)
		err = writeFile(path, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("storyboard: %w", err)
		}
		tiles[k] = path
	}
	if len(tiles) == 0 {
		w.deps.Logger.WarnContext(ctx, "no storyboard: the chunks stored no thumbnails", "video_id", id)
		return nil, nil
	}
	made, err := media.StoryboardFromTiles(tiles, duration, board, filepath.Join(work, "out"))
	if err != nil {
		return nil, err
	}
	prefix := layout.StoryboardPrefix(id)
	if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	// Sheets first, then the map that references them.
	for _, sheet := range made.Sheets {
		if err := w.deps.Media.PutFile(ctx, prefix+"/"+filepath.Base(sheet), sheet, "image/jpeg"); err != nil {
			return nil, fmt.Errorf("storyboard: %w", err)
		}
	}
	key := prefix + "/" + media.StoryboardVTTName
	if err := w.deps.Media.PutFile(ctx, key, made.VTT, "text/vtt"); err != nil {
		return nil, fmt.Errorf("storyboard: %w", err)
	}
	return &key, nil
}

// pieceOffsets reads the start of each of the chunk's complete audio
// pieces in dir, all at the same time (each probe is mostly ffprobe
// starting). It returns nil when a piece has no packets: no audio in
// this chunk's time (the source's audio is shorter than its picture),
// and the chunk is silent.
func (w *TranscodeChunkWorker) pieceOffsets(ctx context.Context, dir string, index, encs int) ([]media.AudioPiece, error) {
	pieces := make([]media.AudioPiece, encs)
	oks := make([]bool, encs)
	errs := make([]error, encs)
	var wg sync.WaitGroup
	for j := range encs {
		path := filepath.Join(dir, media.AudioPieceName(j, index))
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if fi.Size() == 0 { // see audioPass
			return nil, nil
		}
		if off, ok := readPieceOffset(path); ok {
			pieces[j], oks[j] = media.AudioPiece{Path: path, Offset: off}, true
			continue
		}
		wg.Go(func() {
			var off float64
			off, oks[j], errs[j] = media.AudioPieceOffset(ctx, w.deps.Tools.FFprobe, path)
			pieces[j] = media.AudioPiece{Path: path, Offset: off}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, ok := range oks {
		if !ok {
			return nil, nil
		}
	}
	return pieces, nil
}

// pieceOffsetSuffix names the file beside an audio piece that holds its
// offset (media.AudioPieceOffsets), stored by the audio pass before the
// piece, so the chunk that takes the piece needs no ffprobe for it.
const pieceOffsetSuffix = ".offset"

// readPieceOffset reads the offset stored beside the audio piece at path;
// ok is false when there is none (the first chunk's pieces, or pieces
// stored by an earlier version).
func readPieceOffset(path string) (float64, bool) {
	raw, err := os.ReadFile(path + pieceOffsetSuffix)
	if err != nil {
		return 0, false
	}
	off, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
	return off, err == nil
}

// encodeFailed turns a failed chunk encode into the job's result.
func (w *TranscodeChunkWorker) encodeFailed(ctx context.Context, job *river.Job[TranscodeChunkArgs], err error) (chunkResult, error) {
	id := job.Args.VideoID
	if rej, ok := media.AsReject(err); ok {
		return chunkResult{}, reject(ctx, w.deps, id, rej.Reason)
	}
	return chunkResult{}, retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
}

// chunkAudioKey is where the audio pass stores a piece for the other
// chunks: under the video's prefix, so deleting the video removes it,
// and outside its HLS, so nothing serves it.
func chunkAudioKey(id uuid.UUID, name string) string {
	return layout.ChunkWork(id) + "/audio/" + name
}

// audioPass encodes the whole video's audio once into a piece per chunk
// (media.AudioPassArgs), storing each piece once it is complete; ready is
// closed when this chunk's own (the first) pieces are complete locally.
func (w *TranscodeChunkWorker) audioPass(ctx context.Context, id uuid.UUID, src string, info media.SourceInfo, ladder []media.Rendition, a TranscodeChunkArgs, dir string, ready chan<- struct{}) error {
	chunks := a.Plan
	if len(chunks) != a.Chunks {
		return fmt.Errorf("audio pass: the first chunk's job carries %d of %d chunks", len(chunks), a.Chunks)
	}
	encs := media.AudioEncodings(info, ladder)
	done := make(chan error, 1)
	go func() {
		done <- media.Transcode(media.WithStage(ctx, "audio_pass"), w.deps.Tools.FFmpeg, media.AudioPassArgs(src, info, ladder, chunks, dir), nil)
	}()
	next := 0
	exists := func(k int) bool {
		for j := range encs {
			if _, err := os.Stat(filepath.Join(dir, media.AudioPieceName(j, k))); err != nil {
				return false
			}
		}
		return true
	}
	// upload stores the pieces of the chunks before upto, each after its
	// offset (readPieceOffset).
	upload := func(upto int) error {
		offsets := make([]map[int]float64, encs)
		for j := range encs {
			var err error
			if offsets[j], err = media.AudioPieceOffsets(dir, j); err != nil {
				return fmt.Errorf("audio pass: %w", err)
			}
		}
		for ; next < upto; next++ {
			for j := range encs {
				name := media.AudioPieceName(j, next)
				path := filepath.Join(dir, name)
				if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
					// The audio ended before this chunk: an empty piece
					// tells its job so.
					if err := os.WriteFile(path, nil, 0o644); err != nil {
						return fmt.Errorf("audio pass: %w", err)
					}
				}
				if off, ok := offsets[j][next]; ok {
					text := []byte(strconv.FormatFloat(off, 'f', -1, 64))
					if err := w.deps.Media.Put(ctx, chunkAudioKey(id, name+pieceOffsetSuffix), bytes.NewReader(text), int64(len(text)), "text/plain"); err != nil {
						return fmt.Errorf("audio pass: %w", err)
					}
				}
				if err := w.deps.Media.PutFile(ctx, chunkAudioKey(id, name), path, "application/octet-stream"); err != nil {
					return fmt.Errorf("audio pass: %w", err)
				}
			}
			if next == 0 {
				close(ready)
			}
		}
		return nil
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("audio pass: %w", err)
			}
			return upload(len(chunks))
		case <-t.C:
		}
		// A piece is complete once the next one exists.
		upto := next
		for upto+1 < len(chunks) && exists(upto+1) {
			upto++
		}
		if err := upload(upto); err != nil {
			return err
		}
	}
}

// followFirstPieces makes the first chunk's audio pieces readable while
// the audio pass writes them (media.FollowPiece), each through a named
// pipe in work fed by a goroutine on wg, as soon as every piece has its
// first packets. It returns nil, and the caller waits for the complete
// pieces, when the pass completed them first (a short or silent first
// chunk) or named pipes are not available. A follower that fails stops
// the encode with stop.
func (w *TranscodeChunkWorker) followFirstPieces(ctx context.Context, stop context.CancelCauseFunc, wg *sync.WaitGroup, work, dir string, encs int, ready, passEnded <-chan struct{}) ([]media.AudioPiece, error) {
	pieces := make([]media.AudioPiece, encs)
	known := 0
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for known < encs {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ready:
			return nil, nil
		case <-passEnded:
			return nil, nil
		case <-t.C:
		}
		// The pieces are probed at the same time: each probe is mostly
		// ffprobe starting, and the encode waits for all of them.
		var probes sync.WaitGroup
		found := make([]bool, encs)
		for j := range encs {
			if pieces[j].Path != "" {
				continue
			}
			// ffmpeg writes the piece in buffered blocks, the first with
			// the header and the first packets: probing a smaller file
			// would only take CPU from the audio pass.
			path := filepath.Join(dir, media.AudioPieceName(j, 0))
			if fi, err := os.Stat(path); err != nil || fi.Size() < 4096 {
				continue
			}
			probes.Go(func() {
				// Before its first packet the piece has no start: try again.
				off, ok, err := media.AudioPieceOffset(ctx, w.deps.Tools.FFprobe, path)
				if err == nil && ok {
					pieces[j], found[j] = media.AudioPiece{Path: path, Offset: off}, true
				}
			})
		}
		probes.Wait()
		for _, f := range found {
			if f {
				known++
			}
		}
	}
	follows := make([]func(context.Context) error, encs)
	for j := range pieces {
		next := filepath.Join(dir, media.AudioPieceName(j, 1))
		complete := func() bool {
			select {
			case <-passEnded:
				return true
			default:
			}
			_, err := os.Stat(next)
			return err == nil
		}
		pipe := filepath.Join(work, fmt.Sprintf("audio%d.nut", j))
		follow, err := media.FollowPiece(pieces[j].Path, pipe, complete)
		if err != nil {
			w.deps.Logger.InfoContext(ctx, "audio pieces not followed; waiting for them", "error", err)
			return nil, nil
		}
		pieces[j].Path, follows[j] = pipe, follow
	}
	for _, follow := range follows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A piece cut short would end the chunk's audio early: the
			// encode stops and fails instead.
			if err := follow(ctx); err != nil && ctx.Err() == nil {
				stop(err)
			}
		}()
	}
	return pieces, nil
}

// fetchAudio waits for the chunk's audio pieces, which the first chunk's
// audio pass stores far faster than real time, and downloads them. While
// they are missing (the first chunk not started, or retried after its
// worker died), the job waits a minute and then snoozes, freeing its slot
// for the first chunk.
func (w *TranscodeChunkWorker) fetchAudio(ctx context.Context, id uuid.UUID, index, encs int, dir string) error {
	deadline := time.Now().Add(time.Minute)
	for j := range encs {
		name := media.AudioPieceName(j, index)
		for {
			rc, _, err := w.deps.Media.Get(ctx, chunkAudioKey(id, name))
			if err == nil {
				err = writeFile(filepath.Join(dir, name), rc)
				rc.Close()
				if err != nil {
					return fmt.Errorf("fetch audio piece: %w", err)
				}
				// Its offset, stored before it (none from an earlier
				// version: the chunk probes the piece then).
				rc, _, err := w.deps.Media.Get(ctx, chunkAudioKey(id, name+pieceOffsetSuffix))
				if err == nil {
					err = writeFile(filepath.Join(dir, name+pieceOffsetSuffix), rc)
					rc.Close()
				}
				if err != nil && !errors.Is(err, storage.ErrNotExist) {
					return fmt.Errorf("fetch audio piece offset: %w", err)
				}
				break
			}
			if !errors.Is(err, storage.ErrNotExist) {
				return fmt.Errorf("fetch audio piece: %w", err)
			}
			if time.Now().After(deadline) {
				return river.JobSnooze(10 * time.Second)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

func writeFile(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// finish counts the chunk down (recording result when it is not recorded
// yet), publishes the playlists of the chunks done from the first on, and
// assembles the video when every chunk is done. All of it happens under
// the plan's lock, so chunks finishing together take turns and exactly
// one sees the last chunk done; a retry of that one (its worker died
// mid-assembly) assembles again, which overwrites the same objects.
func (w *TranscodeChunkWorker) finish(ctx context.Context, job *river.Job[TranscodeChunkArgs], result *chunkResult) error {
	a := job.Args
	id := a.VideoID
	assembled := false
	err := w.deps.DBHealth.Retry(ctx, finishRetryWithin, store.Backoff{Min: 500 * time.Millisecond, Max: 10 * time.Second},
		func(ctx context.Context) error {
			return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
				plan, err := w.deps.Store.LockChunkPlanTx(ctx, tx, id)
				if errors.Is(err, store.ErrNotFound) || (err == nil && plan.JobID != a.PlanJob) {
					return river.JobCancel(errPlanReplaced)
				}
				if err != nil {
					return err
				}
				if plan.Assembled {
					assembled = true
					return nil
				}
				if result != nil {
					if err := w.deps.Store.FinishChunkTx(ctx, tx, id, a.Chunk.Index, result); err != nil {
						return err
					}
					raw, err := json.Marshal(result)
					if err != nil {
						return err
					}
					for i := range plan.Chunks {
						if plan.Chunks[i].Index == a.Chunk.Index {
							plan.Chunks[i].Done, plan.Chunks[i].Result = true, raw
						}
					}
				}
				// The rows after the video's chunks: the images made beside
				// them (see planChunks).
				var ready []chunkResult
				done, total := 0, a.Chunks
				for _, c := range plan.Chunks {
					if !c.Done || c.Index >= total {
						continue
					}
					done++
					if len(ready) == c.Index {
						var r chunkResult
						if err := json.Unmarshal(c.Result, &r); err != nil {
							return fmt.Errorf("chunk %d of %s: %w", c.Index, id, err)
						}
						ready = append(ready, r)
					}
				}
				if len(ready) < total {
					// Progress moves with the chunks done, under the lock,
					// so it never goes back.
					percent := percentTranscodeStart + (percentTranscodeEnd-percentTranscodeStart)*float64(done)/float64(total)
					if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageTranscode, percent); err != nil {
						return err
					}
				}
				if len(ready) == 0 {
					return nil // the first chunk publishes its own playlists
				}
				if len(ready) < total {
					return w.publish(ctx, id, ready, false)
				}
				images := imagesBeside(plan, total)
				assembled = true
				return w.assemble(ctx, tx, id, a.Duration, ready, images, a.Storyboard)
			})
		})
	if err != nil {
		var cancel *river.JobCancelError
		if errors.As(err, &cancel) {
			return err
		}
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	if assembled {
		if err := w.deps.Media.DeletePrefix(context.WithoutCancel(ctx), layout.ChunkWork(id)); err != nil {
			w.deps.Logger.WarnContext(ctx, "remove chunk audio", "video_id", id, "error", err)
		}
	}
	return nil
}

// publish writes every rendition's playlist listing the segments of
// chunks (the first ones, in order): an EVENT playlist that grows, or the
// final VOD one.
func (w *TranscodeChunkWorker) publish(ctx context.Context, id uuid.UUID, chunks []chunkResult, complete bool) error {
	prefix := layout.HLSPrefix(id)
	for _, name := range chunks[0].Renditions {
		data := media.WriteAssembledPlaylist(assembledSegments(chunks, name), complete)
		if err := w.deps.Media.Put(ctx, prefix+"/"+name+"/"+media.MediaPlaylistName, bytes.NewReader(data), int64(len(data)), "application/vnd.apple.mpegurl"); err != nil {
			return fmt.Errorf("publish playlist %s: %w", name, err)
		}
	}
	return nil
}

func assembledSegments(chunks []chunkResult, name string) []media.AssembledSegment {
	var segs []media.AssembledSegment
	for _, c := range chunks {
		segs = append(segs, c.Segments[name]...)
	}
	return segs
}

// imagesState is where the images made beside a plan's chunks stand.
type imagesState int

const (
	// imagesAfter: the plan has no row for images (made by an earlier
	// version): the assembly queues the thumbnails job, as unchunked.
	imagesAfter imagesState = iota
	// imagesPending: the thumbnails job queued beside the chunks is not
	// done; it moves the video on once it is.
	imagesPending
	// imagesDone: it is done; the assembly moves the video on.
	imagesDone
)

// imagesBeside reads the plan's row after its chunks chunks: the images'.
func imagesBeside(plan store.ChunkPlan, chunks int) imagesState {
	for _, c := range plan.Chunks {
		if c.Index == chunks {
			if c.Done {
				return imagesDone
			}
			return imagesPending
		}
	}
	return imagesAfter
}

// assemble completes the video from its chunks, in tx (which holds the
// plan's lock): final playlists, the measured master playlist, the
// renditions (and MP4 download) recorded, the storyboard put together
// from the chunks' thumbnails (board; nil when the chunks made none);
// then the video moves on to its images (images made beside the chunks
// and not done yet, or made only now by a thumbnails job queued here for
// a plan without them) or, when they are done, to its subtitles.
func (w *TranscodeChunkWorker) assemble(ctx context.Context, tx pgx.Tx, id uuid.UUID, duration float64, chunks []chunkResult, images imagesState, board *media.StoryboardLayout) error {
	if err := w.publish(ctx, id, chunks, true); err != nil {
		return err
	}
	prefix := layout.HLSPrefix(id)
	first := chunks[0]
	results := make([]media.RenditionResult, 0, len(first.Renditions))
	for _, name := range first.Renditions {
		results = append(results, media.MeasureAssembled(first.First[name], assembledSegments(chunks, name)))
	}
	if err := putMaster(ctx, w.deps.Media, prefix, results); err != nil {
		return err
	}
	var downloads []store.Download
	if w.deps.Tools.MP4Downloads {
		d, err := w.download(ctx, id, assembledSegments(chunks, first.Renditions[0]), results[0])
		if err != nil {
			return err
		}
		downloads = append(downloads, d)
	}
	if err := w.deps.Store.SetRenditionsTx(ctx, tx, id, storeRenditions(prefix, results), downloads); err != nil {
		return err
	}
	if board != nil {
		key, err := w.storyboard(ctx, id, duration, *board)
		if err != nil {
			return err
		}
		// The poster is the thumbnails job's: recorded already when it
		// ended first (it runs under the same lock), else it records the
		// storyboard with it (see ThumbnailsArgs.PosterOnly).
		v, err := w.deps.Store.VideoByID(ctx, id)
		if err != nil {
			return err
		}
		if err := w.deps.Store.SetImagesTx(ctx, tx, id, v.PosterKey, key); err != nil {
			return err
		}
	}
	if err := w.deps.Store.SetChunksAssembledTx(ctx, tx, id); err != nil {
		return err
	}
	if images == imagesDone {
		if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageSubtitles, 96); err != nil {
			return err
		}
		// The animated preview follows READY (SubtitlesArgs.Preview).
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, SubtitlesArgs{VideoID: id, Duration: duration, Preview: board != nil}, nil)
		return err
	}
	if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageThumbnails, percentTranscodeEnd); err != nil {
		return err
	}
	if images == imagesPending {
		return nil
	}
	_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, ThumbnailsArgs{VideoID: id}, nil)
	return err
}

// download fetches the top rendition's segments and remuxes them into
// the progressive MP4 download.
func (w *TranscodeChunkWorker) download(ctx context.Context, id uuid.UUID, segs []media.AssembledSegment, top media.RenditionResult) (store.Download, error) {
	work, err := os.MkdirTemp(w.deps.WorkDir, "assemble-"+id.String()+"-")
	if err != nil {
		return store.Download{}, err
	}
	defer os.RemoveAll(work)
	prefix := layout.RenditionPrefix(id, top.Name) + "/"
	for _, s := range segs {
		rc, _, err := w.deps.Media.Get(ctx, prefix+s.URI)
		if err != nil {
			return store.Download{}, fmt.Errorf("fetch %s: %w", s.URI, err)
		}
		err = writeFile(filepath.Join(work, filepath.Base(s.URI)), rc)
		rc.Close()
		if err != nil {
			return store.Download{}, fmt.Errorf("fetch %s: %w", s.URI, err)
		}
	}
	playlist := filepath.Join(work, media.MediaPlaylistName)
	if err := os.WriteFile(playlist, media.WriteAssembledPlaylist(segs, true), 0o644); err != nil {
		return store.Download{}, err
	}
	path := filepath.Join(work, "download.mp4")
	if err := media.DownloadMP4(ctx, w.deps.Tools.FFmpeg, playlist, path); err != nil {
		return store.Download{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return store.Download{}, err
	}
	key := layout.Download(id, top.Name)
	if err := w.deps.Media.PutFile(ctx, key, path, "video/mp4"); err != nil {
		return store.Download{}, err
	}
	return store.Download{Name: top.Name, Width: top.Width, Height: top.Height, Size: info.Size(), Key: key}, nil
}

// planChunks is the transcode job of a chunked video: it records the plan
// and queues a job per chunk in one transaction. A retry of this job
// after that transaction committed finds its plan and is done.
func (w *TranscodeWorker) planChunks(ctx context.Context, job *river.Job[TranscodeArgs], info media.SourceInfo, chunks []media.Chunk) error {
	id := job.Args.VideoID
	if _, err := processingVideo(ctx, w.deps, id); err != nil {
		return err
	}
	plan, err := w.deps.Store.ChunkPlan(ctx, id)
	if err == nil && plan.JobID == job.ID {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	// What an earlier transcode stored goes first, as in an unchunked
	// retry.
	for _, prefix := range []string{layout.HLSPrefix(id), layout.ChunkWork(id)} {
		if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
			return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
		}
	}
	chunks = w.snapChunks(ctx, id, info, chunks)
	var board *media.StoryboardLayout
	if info.Video != nil && info.Duration > 0 {
		b := media.PlanStoryboard(info, media.StoryboardOptions{})
		board = &b
	}
	params := make([]river.InsertManyParams, 0, len(chunks)+2)
	// River takes jobs of one priority in insertion order: the first
	// chunk first, the shortest last (media.QueueOrder).
	for i, c := range media.QueueOrder(chunks, info.Duration) {
		args := TranscodeChunkArgs{VideoID: id, PlanJob: job.ID, Chunk: c, Chunks: len(chunks), Duration: info.Duration, Storyboard: board, OwnAudio: c.Index == 0}
		params = append(params, river.InsertManyParams{Args: args})
		if i == 0 {
			// The audio of every other chunk, right after the first: a
			// lone worker encodes it once the first chunk is done (the
			// viewer waits for that one alone), a second worker at
			// once, while the first encodes.
			params = append(params, river.InsertManyParams{Args: ChunkAudioArgs{VideoID: id, PlanJob: job.ID, Plan: chunks, Duration: info.Duration}})
		}
		if i == min(1, len(chunks)-1) {
			// The poster needs only the source: queued with the chunks,
			// a free worker makes it while chunks encode (the
			// storyboard comes from the chunks' own thumbnails, see
			// TranscodeChunkArgs.Storyboard). River takes jobs of one
			// priority in insertion order, so it comes after the first
			// two chunks and the audio pass: a lone worker starts with
			// the first chunk, and playback as early as before; with
			// two, the one whose short first chunk ends first makes it
			// while the other, done with the audio pass, encodes the
			// second chunk, and the rest, longest first, even out the
			// end. At the end it would hold up READY by its length.
			params = append(params, river.InsertManyParams{Args: ThumbnailsArgs{VideoID: id, PlanJob: job.ID, PosterOnly: board != nil}})
		}
	}
	err = w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		// A row per chunk and one more for the images (imagesBeside).
		if err := w.deps.Store.ResetChunkPlanTx(ctx, tx, id, job.ID, len(chunks)+1); err != nil {
			return err
		}
		_, err := river.ClientFromContext[pgx.Tx](ctx).InsertManyTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	w.deps.Logger.InfoContext(ctx, "transcoding in chunks", "video_id", id, "chunks", len(chunks), "duration", info.Duration)
	return nil
}

// inPlaceSources is what an Uploads implements when its sources are
// local files read in place (no download).
type inPlaceSources interface{ InPlace() bool }

// snapChunks moves the chunk boundaries to where the least decoding is
// wasted (media.SnapChunksAt), at the keyframes the probe job recorded
// around them (ProbeWorker.chunkKeyframes). A probe result without them
// (stored by an earlier version, or by a probe with other chunk
// settings) has them read now, only when the source is read in place: a
// download just to plan (S3) would delay the first chunk, and with it
// playback, by more than the decoding saves. Nothing fails on it: the
// chunks stay as planned.
func (w *TranscodeWorker) snapChunks(ctx context.Context, id uuid.UUID, info media.SourceInfo, chunks []media.Chunk) []media.Chunk {
	opts := media.EncodeOptions{Preset: w.deps.Tools.Preset}
	if len(info.Keyframes) > 0 {
		return media.SnapChunksAt(info.Keyframes, info, chunks, opts)
	}
	if u, ok := w.deps.Uploads.(inPlaceSources); !ok || !u.InPlace() {
		return chunks
	}
	path, release, err := w.deps.Uploads.Source(ctx, id)
	if err != nil {
		w.deps.Logger.WarnContext(ctx, "chunk boundaries not snapped to keyframes", "video_id", id, "error", err)
		return chunks
	}
	defer release()
	snapped, err := media.SnapChunks(ctx, w.deps.Tools.FFprobe, path, info, chunks, opts)
	if err != nil {
		w.deps.Logger.WarnContext(ctx, "chunk boundaries not snapped to keyframes", "video_id", id, "error", err)
		return chunks
	}
	return snapped
}

// ChunkAudioArgs runs the audio pass of a video encoded in chunks: its
// audio encoded once, cut into a piece per chunk, each stored as soon as
// it is complete for the chunks after the first (which encodes its own,
// the same packets; see TranscodeChunkArgs.OwnAudio) to copy into their
// segments.
type ChunkAudioArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// PlanJob is the transcode job that planned the chunks (see
	// TranscodeChunkArgs.PlanJob).
	PlanJob int64 `json:"plan_job"`
	// Plan is every chunk of the video: the audio is cut at their starts.
	Plan []media.Chunk `json:"plan"`
	// Duration is the source's length in seconds.
	Duration float64 `json:"duration"`
}

// Kind is the job's stable name.
func (ChunkAudioArgs) Kind() string { return "transcode_chunk_audio" }

// InsertOpts puts the audio pass on the media queue.
func (ChunkAudioArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// ChunkAudioWorker runs a chunked video's audio pass.
type ChunkAudioWorker struct {
	river.WorkerDefaults[ChunkAudioArgs]
	deps Deps
}

// Timeout allows the timeout base plus the video's length: the pass
// encodes audio many times faster than real time.
func (w *ChunkAudioWorker) Timeout(job *river.Job[ChunkAudioArgs]) time.Duration {
	return w.deps.timeoutBase() + time.Duration(max(job.Args.Duration, 1)*float64(time.Second))
}

// Work runs the pass. A retry runs it again, storing the same pieces
// over what its dead attempt stored; once the video is assembled (every
// chunk had its piece) there is nothing left to do.
func (w *ChunkAudioWorker) Work(ctx context.Context, job *river.Job[ChunkAudioArgs]) error {
	a := job.Args
	id := a.VideoID
	defer removeIfDeleted(ctx, w.deps, id)
	plan, err := w.deps.Store.ChunkPlan(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && plan.JobID != a.PlanJob) {
		return river.JobCancel(errPlanReplaced)
	}
	if err != nil {
		return err
	}
	if plan.Assembled {
		return nil
	}
	p, err := prepare(ctx, w.deps, job.JobRow, id, step{stage: store.StageTranscode})
	if err != nil {
		return err
	}
	defer p.release()
	ladder := media.PlanLadder(p.info, media.LadderOptions{})
	if media.AudioEncodings(p.info, ladder) == 0 {
		return nil // silent: the chunks wait for no piece
	}
	dir, err := os.MkdirTemp(w.deps.WorkDir, fmt.Sprintf("chunk-audio-%s-", id))
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	defer os.RemoveAll(dir)
	pass := &TranscodeChunkWorker{deps: w.deps}
	err = pass.audioPass(ctx, id, p.path, p.info, ladder, TranscodeChunkArgs{Plan: a.Plan, Chunks: len(a.Plan)}, dir, make(chan struct{}))
	if rej, ok := media.AsReject(err); ok {
		return reject(ctx, w.deps, id, rej.Reason)
	}
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	return nil
}

// removeIfDeleted removes every object of video id when the video was
// deleted while a job worked on it, so nothing is left behind.
func removeIfDeleted(ctx context.Context, deps Deps, id uuid.UUID) {
	ctx = context.WithoutCancel(ctx)
	if exists, err := deps.Store.VideoExists(ctx, id); err == nil && !exists {
		if err := deps.Media.DeletePrefix(ctx, layout.Prefix(id)); err != nil {
			deps.Logger.WarnContext(ctx, "remove outputs of deleted video", "video_id", id, "error", err)
		}
	}
}
