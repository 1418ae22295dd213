package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// TranscodeArgs encodes the HLS ladder of a probed video.
type TranscodeArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	// Duration (seconds) sizes the job's timeout.
	Duration float64 `json:"duration"`
}

// Kind is the job's stable name.
func (TranscodeArgs) Kind() string { return "transcode" }

// InsertOpts puts transcoding on the media queue.
func (TranscodeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// Progress bands of the whole pipeline, in percent.
const (
	percentTranscodeStart = 5
	percentTranscodeEnd   = 90
)

// TranscodeWorker runs one ffmpeg process that decodes the source once and
// encodes every rung (see media.LadderArgs), while a syncer copies each
// finished segment to storage and then the playlist that lists it. As soon
// as every rung has a segment, a master playlist with planned bandwidths
// is published and the video becomes playable; at the end the master is
// rewritten with measured bandwidths.
type TranscodeWorker struct {
	river.WorkerDefaults[TranscodeArgs]
	deps Deps
}

// Timeout allows the timeout base (ten minutes by default) plus six times
// the video's length: x264's veryfast preset runs a 1080p ladder faster
// than real time on two cores.
func (w *TranscodeWorker) Timeout(job *river.Job[TranscodeArgs]) time.Duration {
	return w.deps.timeoutBase() + time.Duration(job.Args.Duration*6*float64(time.Second))
}

// Work transcodes.
func (w *TranscodeWorker) Work(ctx context.Context, job *river.Job[TranscodeArgs]) error {
	id := job.Args.VideoID
	// A long video is encoded in chunks by any worker (chunk.go): this
	// job only plans them. The stored probe result decides, so planning
	// costs no download of the source.
	if info, err := w.deps.Store.ProbeResult(ctx, id); err == nil {
		if chunks := media.PlanChunks(info, w.deps.Tools.ChunkSeconds, media.EncodeOptions{Preset: w.deps.Tools.Preset}); len(chunks) > 0 {
			return w.planChunks(ctx, job, info, chunks)
		}
	}
	p, err := prepare(ctx, w.deps, job.JobRow, id, step{stage: store.StageTranscode})
	if err != nil {
		return err
	}
	defer p.release()
	// Whatever happens, a video deleted meanwhile leaves no files behind.
	defer w.removeIfDeleted(ctx, id)

	src, info := p.path, p.info
	ladder := media.PlanLadder(info, media.LadderOptions{})
	work, err := os.MkdirTemp(w.deps.WorkDir, "transcode-"+id.String()+"-")
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	defer os.RemoveAll(work)

	prefix := layout.HLSPrefix(id)
	// A retry starts from scratch: stale segments of an earlier attempt
	// must not mix with this one's.
	if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}

	syncer := &hlsSyncer{bucket: w.deps.Media, dir: work, prefix: prefix, ladder: ladder, uploaded: map[string]bool{}}
	encodeCtx, stopEncode := context.WithCancelCause(ctx)
	defer stopEncode(nil)
	var wg sync.WaitGroup
	syncErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		syncErr <- syncer.run(encodeCtx, func(planned []store.Rendition) error {
			err := w.deps.Store.SetPlayable(ctx, id, planned)
			if w.deps.DBHealth.Failed(ctx, err) {
				return errDatabaseAway // the next sync tries again
			}
			if err == nil {
				w.deps.DBHealth.OK(ctx)
			}
			return err
		})
	}()

	progress := w.progressReporter(ctx, id, time.Duration(info.Duration*float64(time.Second)), stopEncode)
	args := media.LadderArgs(src, info, ladder, work, media.EncodeOptions{Preset: w.deps.Tools.Preset})
	encodeErr := media.Transcode(encodeCtx, w.deps.Tools.FFmpeg, args, progress)
	stopEncode(nil)
	wg.Wait()
	if err := <-syncErr; err != nil && encodeErr == nil {
		encodeErr = err
	}
	if cause := context.Cause(encodeCtx); errors.Is(cause, errVideoGone) {
		return river.JobCancel(cause)
	}
	if encodeErr != nil {
		if rej, ok := media.AsReject(encodeErr); ok {
			_ = w.deps.Media.DeletePrefix(context.WithoutCancel(ctx), prefix)
			return reject(ctx, w.deps, id, rej.Reason)
		}
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, encodeErr)
	}

	// The encode is complete: copy what is left, then publish the measured
	// master playlist.
	for _, r := range ladder {
		if err := media.FinalizeMediaPlaylistFile(filepath.Join(work, r.Name, media.MediaPlaylistName)); err != nil {
			return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
		}
	}
	if err := syncer.syncOnce(ctx, true); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	results := make([]media.RenditionResult, 0, len(ladder))
	for _, r := range ladder {
		res, err := media.MeasureRendition(ctx, w.deps.Tools.FFprobe, filepath.Join(work, r.Name, media.MediaPlaylistName))
		if err != nil {
			return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
		}
		results = append(results, res)
	}
	if err := putMaster(ctx, w.deps.Media, prefix, results); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
	}
	renditions := storeRenditions(prefix, results)
	var downloads []store.Download
	if w.deps.Tools.MP4Downloads {
		d, err := w.download(ctx, id, work, ladder[0], results[0])
		if err != nil {
			return retryOrFail(ctx, w.deps, job.JobRow, id, store.StageTranscode, err)
		}
		downloads = append(downloads, d)
	}
	// The encode is stored; only its record is missing. A database that
	// restarts now must not cost the encode again, so the transaction is
	// retried for a while before River gets the error (and, on its retry,
	// would encode from scratch). Redoing it is harmless: the renditions
	// are overwritten and the thumbnails job is idempotent.
	return w.deps.DBHealth.Retry(ctx, finishRetryWithin, store.Backoff{Min: 500 * time.Millisecond, Max: 10 * time.Second},
		func(ctx context.Context) error {
			return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
				if err := w.deps.Store.SetRenditionsTx(ctx, tx, id, renditions, downloads); err != nil {
					return err
				}
				if err := w.deps.Store.SetStageTx(ctx, tx, id, store.StageThumbnails, percentTranscodeEnd); err != nil {
					return err
				}
				_, err := river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, ThumbnailsArgs{VideoID: id}, nil)
				return err
			})
		})
}

// Database outages during an encode.
const (
	// finishRetryWithin is how long the transaction that ends a
	// transcode is retried while the database is unreachable.
	finishRetryWithin = 2 * time.Minute
	// progressWriteTimeout bounds one progress write, so a database that
	// does not answer cannot hold up ffmpeg's progress reader.
	progressWriteTimeout = 2 * time.Second
)

var (
	errVideoGone = errors.New("the video was deleted or stopped processing")
	// errDatabaseAway makes the syncer try marking the video playable
	// again at its next sync.
	errDatabaseAway = errors.New("database unreachable")
)

// download remuxes the top rendition into a progressive MP4 and stores it.
func (w *TranscodeWorker) download(ctx context.Context, id uuid.UUID, work string, top media.Rendition, measured media.RenditionResult) (store.Download, error) {
	path := filepath.Join(work, "download.mp4")
	if err := media.DownloadMP4(ctx, w.deps.Tools.FFmpeg, filepath.Join(work, top.Name, media.MediaPlaylistName), path); err != nil {
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
	return store.Download{Name: top.Name, Width: measured.Width, Height: measured.Height, Size: info.Size(), Key: key}, nil
}

// progressReporter turns ffmpeg progress into the video's percent, at most
// twice a second. Only a definite answer that the video is gone (deleted,
// or no longer processing) stops the encode: while the database is
// unreachable the writes are dropped (the next one supersedes them) and
// the encode goes on.
func (w *TranscodeWorker) progressReporter(ctx context.Context, id uuid.UUID, total time.Duration, stop context.CancelCauseFunc) func(media.Progress) {
	var last time.Time
	lastPercent := -1.0
	return func(p media.Progress) {
		percent := percentTranscodeStart + (percentTranscodeEnd-percentTranscodeStart)*p.Fraction(total)
		if p.Done || time.Since(last) < 500*time.Millisecond || percent-lastPercent < 0.5 {
			return
		}
		last, lastPercent = time.Now(), percent
		writeCtx, cancel := context.WithTimeout(ctx, progressWriteTimeout)
		ok, err := w.deps.Store.SetProgress(writeCtx, id, store.StageTranscode, percent)
		cancel()
		if err != nil {
			if ctx.Err() == nil && (w.deps.DBHealth == nil || !w.deps.DBHealth.Failed(ctx, err)) {
				w.deps.Logger.WarnContext(ctx, "progress update", "video_id", id, "error", err)
			}
			return
		}
		w.deps.DBHealth.OK(ctx)
		if !ok {
			stop(errVideoGone)
		}
	}
}

func (w *TranscodeWorker) removeIfDeleted(ctx context.Context, id uuid.UUID) {
	removeIfDeleted(ctx, w.deps, id)
}

func putMaster(ctx context.Context, bucket storage.Bucket, prefix string, results []media.RenditionResult) error {
	var buf bytes.Buffer
	if err := media.WriteMasterPlaylist(&buf, results, nil); err != nil {
		return err
	}
	return bucket.Put(ctx, prefix+"/"+layout.MasterName, &buf, int64(buf.Len()), "application/vnd.apple.mpegurl")
}

func storeRenditions(prefix string, results []media.RenditionResult) []store.Rendition {
	out := make([]store.Rendition, 0, len(results))
	// Lowest first, as players and the API list them.
	for i := len(results) - 1; i >= 0; i-- {
		r := results[i]
		out = append(out, store.Rendition{
			Name: r.Name, Width: r.Width, Height: r.Height, Bandwidth: r.Bandwidth,
			AverageBandwidth: r.AverageBandwidth, Codecs: r.Codecs, FrameRate: r.FrameRate,
			Playlist: prefix + "/" + r.URI, StartTime: r.StartTime,
		})
	}
	return out
}

// hlsSyncer copies an encode's output to storage while ffmpeg writes it.
// ffmpeg lists a segment in its playlist only once the segment is complete
// (temp_file), so the syncer reads each playlist, uploads the segments it
// lists that are not uploaded yet, and then uploads those same playlist
// bytes: storage never lists a segment it does not have.
type hlsSyncer struct {
	bucket   storage.Bucket
	dir      string
	prefix   string
	ladder   []media.Rendition
	uploaded map[string]bool // segment keys already in storage
	playable bool
	// segmentsOnly stores segments but no playlist: a chunk after the
	// first, whose segments are listed once the chunks before are done.
	segmentsOnly bool
	// openEnded stores playlists without EXT-X-ENDLIST: the first chunk's
	// ffmpeg ends its playlist, but the video goes on in the next chunks,
	// and a player that saw the end would stop reloading.
	openEnded bool
}

// Sync intervals: every rung's first segment is awaited closely, as the
// video is playable once they are stored; the rest only has to keep
// ahead of players.
const (
	syncUntilPlayable = 100 * time.Millisecond
	syncAfterPlayable = 500 * time.Millisecond
)

// run syncs until ctx ends, every syncUntilPlayable until every rung has
// a segment and every syncAfterPlayable after; onPlayable, when not nil
// (a chunk after the first has none), is called once, after the first
// sync that found a segment in every rung.
func (s *hlsSyncer) run(ctx context.Context, onPlayable func([]store.Rendition) error) error {
	every := syncAfterPlayable
	if onPlayable != nil {
		every = syncUntilPlayable
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if every != syncAfterPlayable && s.playable {
			every = syncAfterPlayable
			t.Reset(every)
		}
		if err := s.syncOnce(ctx, false); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if onPlayable != nil && !s.playable && s.everyRungHasASegment() {
			planned := make([]media.RenditionResult, len(s.ladder))
			for i, r := range s.ladder {
				planned[i] = r.PlannedResult()
			}
			if err := putMaster(ctx, s.bucket, s.prefix, planned); err != nil {
				return err
			}
			if err := onPlayable(storeRenditions(s.prefix, planned)); errors.Is(err, errDatabaseAway) {
				continue
			} else if err != nil {
				return err
			}
			s.playable = true
		}
	}
}

func (s *hlsSyncer) everyRungHasASegment() bool {
	for _, r := range s.ladder {
		found := false
		for key := range s.uploaded {
			if filepath.Dir(key) == s.prefix+"/"+r.Name {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// syncOnce uploads what each rendition's playlist lists. final is set after
// ffmpeg exited, when every playlist must exist.
func (s *hlsSyncer) syncOnce(ctx context.Context, final bool) error {
	for _, r := range s.ladder {
		path := filepath.Join(s.dir, r.Name, media.MediaPlaylistName)
		raw, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) && !final {
			continue
		}
		if err != nil {
			return fmt.Errorf("sync %s: %w", r.Name, err)
		}
		pl, err := media.ParseMediaPlaylist(bytes.NewReader(raw))
		if err != nil {
			if !final {
				continue // caught mid-rewrite; next tick
			}
			return fmt.Errorf("sync %s: %w", r.Name, err)
		}
		changed := false
		for _, seg := range pl.Segments {
			key := s.prefix + "/" + r.Name + "/" + seg.URI
			if s.uploaded[key] {
				continue
			}
			if err := s.bucket.PutFile(ctx, key, filepath.Join(s.dir, r.Name, filepath.FromSlash(seg.URI)), "video/mp2t"); err != nil {
				return fmt.Errorf("sync %s: %w", key, err)
			}
			s.uploaded[key] = true
			changed = true
		}
		if (changed || final) && !s.segmentsOnly {
			if s.openEnded {
				raw = bytes.ReplaceAll(raw, []byte("#EXT-X-ENDLIST\n"), nil)
			}
			key := s.prefix + "/" + r.Name + "/" + media.MediaPlaylistName
			if err := s.bucket.Put(ctx, key, bytes.NewReader(raw), int64(len(raw)), "application/vnd.apple.mpegurl"); err != nil {
				return fmt.Errorf("sync %s: %w", key, err)
			}
		}
	}
	return nil
}
