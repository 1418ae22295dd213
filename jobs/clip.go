package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// ClipArgs cuts [Start, End) of video Parent's upload into the source of
// clip VideoID (createClip).
type ClipArgs struct {
	VideoID uuid.UUID `json:"video_id"`
	Parent  uuid.UUID `json:"parent_id"`
	Start   float64   `json:"start"`
	End     float64   `json:"end"`
}

// Kind is the job's stable name.
func (ClipArgs) Kind() string { return "clip" }

// InsertOpts puts the encode on the media queue.
func (ClipArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// ClipTx queues cutting a clip's source (video.CutQueue).
func (q *Queue) ClipTx(ctx context.Context, tx pgx.Tx, id, parent uuid.UUID, start, end float64) error {
	return q.insertTx(ctx, tx, ClipArgs{VideoID: id, Parent: parent, Start: start, End: end})
}

// SourceStore keeps a video's source made by a job (upload.Service has
// it): a clip's cut becomes its upload, so the pipeline reads it like any
// other.
type SourceStore interface {
	StoreSource(ctx context.Context, id uuid.UUID, path string) error
}

// ClipWorker makes a clip by smart cut of the parent's HLS (smartClip):
// only the parts of the segments its ends fall in are encoded, the clip
// is playable once its first piece is, and the rest of its processing
// reuses the parent's work (finishClip). When the parent's
// renditions cannot be reused, it re-encodes the range from the parent's
// upload (frame-accurate at both ends), stores it as the clip's upload and
// starts the clip's processing like a finished upload. A clip that is gone
// or no longer UPLOADING cancels the job (done already, or deleted); a
// parent deleted before the cut fails the clip.
type ClipWorker struct {
	river.WorkerDefaults[ClipArgs]
	deps Deps
}

// Timeout: the timeout base plus six times the clip's length, like a
// transcode.
func (w *ClipWorker) Timeout(job *river.Job[ClipArgs]) time.Duration {
	return w.deps.timeoutBase() + time.Duration(6*(job.Args.End-job.Args.Start)*float64(time.Second))
}

// Work cuts.
func (w *ClipWorker) Work(ctx context.Context, job *river.Job[ClipArgs]) error {
	a := job.Args
	v, err := w.deps.Store.VideoByID(ctx, a.VideoID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("clip %s was deleted", a.VideoID))
	}
	if err != nil {
		return err
	}
	if v.Status != store.StatusUploading {
		return river.JobCancel(fmt.Errorf("clip %s is %s: its source is cut already", a.VideoID, v.Status))
	}
	sources, ok := w.deps.Uploads.(SourceStore)
	if !ok {
		return river.JobCancel(fmt.Errorf("clip: uploads %T cannot store a source", w.deps.Uploads))
	}
	src, err := openSource(ctx, w.deps, a.Parent, false)
	if errors.Is(err, store.ErrNotFound) {
		return reject(ctx, w.deps, a.VideoID, "The video this clip was cut from was deleted before the clip was made.")
	}
	if rej, ok := media.AsReject(err); ok {
		return reject(ctx, w.deps, a.VideoID, rej.Reason)
	}
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	defer src.release()
	work, err := os.MkdirTemp(w.deps.WorkDir, "clip-"+a.VideoID.String()+"-")
	if err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	defer os.RemoveAll(work)
	done, err := w.smartClip(ctx, a, src, work, sources)
	if done || (err != nil && !errors.Is(err, errEditImpossible)) {
		if err != nil {
			return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
		}
		return nil
	}
	// The parent's renditions cannot be reused (made by an older ladder):
	// the range is encoded into the clip's source, processed like an
	// upload.
	out := filepath.Join(work, "clip.mp4")
	if err := media.Cut(ctx, w.deps.Tools.FFmpeg, src.path, src.info, a.Start, a.End, out); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	if err := sources.StoreSource(ctx, a.VideoID, out); err != nil {
		return retryOrFail(ctx, w.deps, job.JobRow, a.VideoID, store.StageClip, err)
	}
	return w.deps.Videos.StartProcessing(ctx, a.VideoID)
}

// smartClip makes the clip's HLS from the parent's, by smart cut (see
// media.PlanSmartCut): the parent's segments lying wholly inside the range
// are copied as they are, and only the parts of the (at most two) segments
// its ends fall in are encoded, for every rung in one ffmpeg run each.
//
// The clip is playable as soon as its first piece is: the reused
// segments are copied first, the first piece encoded, and growing (EVENT)
// playlists of every rung published up to the next piece still to
// encode; the finished playlists follow.
//
// Then everything else is made from what is at hand rather than from the
// source, as a clip's processing would (finishClip): its source is its
// top rendition joined into one MP4 (later edits, setPoster and
// regenerateSubtitles read it, with exact seeks), probed once; its poster, storyboard and
// animated preview come from its own renditions (the smallest that is
// big enough for each); its subtitles and words are the parent's, timed
// for the clip. The clip ends READY in one transaction, with no other
// job, unless the parent's subtitles are not settled (then it is
// transcribed like an upload). done is false, with an error matching
// errEditImpossible, when the parent's renditions cannot be reused.
func (w *ClipWorker) smartClip(ctx context.Context, a ClipArgs, src *source, work string, sources SourceStore) (done bool, err error) {
	_, renditions, _, err := w.deps.Videos.EditSource(ctx, a.Parent)
	if err != nil {
		return false, err
	}
	if len(renditions) == 0 {
		return false, fmt.Errorf("%w: the parent has none", errEditImpossible)
	}
	ladder := media.PlanLadder(src.info, media.LadderOptions{})
	stored, playlists, err := originalPlaylists(ctx, w.deps, ladder, renditions)
	if err != nil {
		return false, err
	}
	fps := ladder[0].FrameRate
	keep := media.SnapToFrames([]media.TimeRange{{Start: a.Start, End: a.End}}, fps)
	if len(keep) == 0 {
		return false, fmt.Errorf("%w: the range holds no frame", errEditImpossible)
	}
	pieces := media.PlanSmartCut(playlists[0].Segments, fps, keep)
	opts := media.EncodeOptions{Preset: w.deps.Tools.Preset}
	for _, r := range ladder {
		if err := os.MkdirAll(filepath.Join(work, r.Name), 0o755); err != nil {
			return false, err
		}
	}
	// The parent's segments first: copies, no work; and the segments
	// whose heads are copied (see clipEntries).
	entries, err := w.clipEntries(ctx, ladder, stored, playlists, pieces, fps, src.info.Video != nil, work)
	if err != nil {
		return false, err
	}
	items := make([][]media.EditItem, len(ladder))
	files := make([][]string, len(ladder))
	for k, e := range entries {
		name := fmt.Sprintf(media.SegmentPattern, k)
		for i := range ladder {
			f := filepath.Join(work, ladder[i].Name, name)
			if e.kind == entryReused {
				if err := os.Rename(e.files[i], f); err != nil {
					return false, err
				}
			}
			files[i] = append(files[i], f)
			items[i] = append(items[i], media.EditItem{URI: name, Duration: e.durations[i], Discontinuity: e.discontinuity})
		}
	}
	prefix := layout.HLSPrefix(a.VideoID)
	if err := w.deps.Media.DeletePrefix(ctx, prefix); err != nil {
		return false, err
	}
	results := make([]media.RenditionResult, len(ladder))
	for i, r := range ladder {
		s := stored[i]
		start := s.StartTime
		if !pieces[0].Encoded() {
			start += pieces[0].Start
		}
		results[i] = media.RenditionResult{Name: r.Name, URI: r.Name + "/" + media.MediaPlaylistName, Width: s.Width, Height: s.Height,
			FrameRate: s.FrameRate, Bandwidth: s.Bandwidth, AverageBandwidth: s.AverageBandwidth, Codecs: s.Codecs, StartTime: start}
	}
	// publish stores entries [from, to) of every rung and playlists
	// listing the first to; the first time, the master too, and the clip
	// is playable.
	published := 0
	publish := func(to int) error {
		for i, r := range ladder {
			for _, f := range files[i][published:to] {
				if err := w.deps.Media.PutFile(ctx, layout.RenditionPrefix(a.VideoID, r.Name)+"/"+filepath.Base(f), f, "video/mp2t"); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := media.WriteOpenEditPlaylist(&buf, items[i], to); err != nil {
				return err
			}
			if err := w.deps.Media.Put(ctx, prefix+"/"+results[i].URI, &buf, int64(buf.Len()), "application/vnd.apple.mpegurl"); err != nil {
				return err
			}
		}
		first := published == 0
		published = to
		if !first {
			return nil
		}
		if err := putMaster(ctx, w.deps.Media, prefix, results); err != nil {
			return err
		}
		return w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
			return w.deps.Store.SetRenditionsTx(ctx, tx, a.VideoID, storeRenditions(prefix, results), nil)
		})
	}
	for k, e := range entries {
		if e.kind == entryReused {
			continue
		}
		if k > 0 && published == 0 {
			if err := publish(k); err != nil {
				return false, err
			}
		}
		outs := make([]string, len(ladder))
		for i := range ladder {
			outs[i] = files[i][k]
		}
		switch e.kind {
		case entryHead:
			if err := media.CopySegmentHeads(ctx, w.deps.Tools.FFmpeg, e.files, e.frames, fps, src.info.Audio != nil, outs); err != nil {
				return false, err
			}
		case entryTail:
			if err := media.SmartCutEach(ctx, w.deps.Tools.FFmpeg, src.path, src.info, ladder, e.start, e.frames, e.end, outs, opts); err != nil {
				return false, err
			}
		default:
			o := opts
			if k == 0 {
				// The clip is playable once this piece is: x264's frame
				// threads shorten the wait.
				o.Threads = -1
			}
			if err := media.SmartCut(ctx, w.deps.Tools.FFmpeg, src.path, src.info, ladder, e.start, e.end, outs, o); err != nil {
				return false, err
			}
		}
		if k == 0 {
			// Playable up to the next entry to make.
			next := len(entries)
			for j := 1; j < len(entries); j++ {
				if entries[j].kind != entryReused {
					next = j
					break
				}
			}
			if err := publish(next); err != nil {
				return false, err
			}
		}
	}
	if published < len(entries) {
		if err := publish(len(entries)); err != nil {
			return false, err
		}
	}
	return w.finishClip(ctx, a, ladder, files, work, src.info.Video != nil, sources)
}

// finishClip does the rest of a smart-cut clip's processing from its
// renditions (files[i] are the pieces of ladder[i], in order, under work)
// and the parent's work; see smartClip.
func (w *ClipWorker) finishClip(ctx context.Context, a ClipArgs, ladder []media.Rendition, files [][]string, work string, hasVideo bool, sources SourceStore) (bool, error) {
	// The rungs read whole: the top one (the clip's source), and for a
	// video the lowest (storyboard and preview) and the poster's, joined
	// in one ffmpeg run.
	low, pi := len(ladder)-1, posterRung(ladder)
	rungs := []int{0}
	if hasVideo {
		rungs = append(rungs, low, pi)
	}
	joined := map[int]string{}
	var lists [][]string
	var outs []string
	for _, i := range rungs {
		if _, ok := joined[i]; ok {
			continue
		}
		joined[i] = filepath.Join(work, ladder[i].Name+".mp4")
		lists, outs = append(lists, files[i]), append(outs, joined[i])
	}
	if err := media.JoinSegmentsEach(ctx, w.deps.Tools.FFmpeg, lists, outs); err != nil {
		return false, err
	}
	join := func(i int) (string, error) {
		if out, ok := joined[i]; ok {
			return out, nil
		}
		out := filepath.Join(work, ladder[i].Name+".mp4")
		return out, media.JoinSegments(ctx, w.deps.Tools.FFmpeg, files[i], out)
	}
	// The source first: once the images are stored nothing else may fail
	// the clip for want of it.
	source, err := join(0)
	if err != nil {
		return false, err
	}
	info, err := media.Probe(ctx, w.deps.Tools.FFprobe, source)
	if err != nil {
		return false, err
	}
	if err := sources.StoreSource(ctx, a.VideoID, source); err != nil {
		return false, err
	}
	var posterKey, storyboardKey *string
	var posterAt *float64
	if info.Video != nil {
		// The lowest rung is big enough for the storyboard's and the
		// preview's small pictures; the poster takes the smallest rung
		// that fills it.
		lowPath, err := join(low)
		if err != nil {
			return false, err
		}
		lowInfo := rungInfo(*info, ladder[low])
		board, err := media.Storyboard(ctx, w.deps.Tools.FFmpeg, lowPath, lowInfo, filepath.Join(work, "storyboard"), media.StoryboardOptions{})
		if err != nil {
			return false, err
		}
		sb := layout.StoryboardPrefix(a.VideoID)
		if err := w.deps.Media.DeletePrefix(ctx, sb); err != nil {
			return false, err
		}
		for _, sheet := range board.Sheets {
			if err := w.deps.Media.PutFile(ctx, sb+"/"+filepath.Base(sheet), sheet, "image/jpeg"); err != nil {
				return false, err
			}
		}
		key := sb + "/" + media.StoryboardVTTName
		if err := w.deps.Media.PutFile(ctx, key, board.VTT, "text/vtt"); err != nil {
			return false, err
		}
		storyboardKey = &key

		posterPath, err := join(pi)
		if err != nil {
			return false, err
		}
		poster, err := media.Poster(ctx, w.deps.Tools.FFmpeg, posterPath, rungInfo(*info, ladder[pi]), filepath.Join(work, "poster.jpg"))
		if err != nil {
			return false, err
		}
		pk := layout.Poster(a.VideoID)
		if err := w.deps.Media.PutFile(ctx, pk, poster.Path, "image/jpeg"); err != nil {
			return false, err
		}
		posterKey, posterAt = &pk, &poster.Time

		preview, err := media.Preview(ctx, w.deps.Tools.FFmpeg, lowPath, lowInfo,
			media.PreviewMomentsOf(info.Duration, nil), filepath.Join(work, "preview.webp"))
		if err != nil {
			return false, err
		}
		if _, err := w.deps.Videos.PublishPreview(ctx, a.VideoID, nil, preview.Path); err != nil {
			return false, err
		}
	} else {
		// Audio: the waveform, as processing draws it.
		poster, err := media.Poster(ctx, w.deps.Tools.FFmpeg, source, *info, filepath.Join(work, "poster.jpg"))
		if err != nil {
			return false, err
		}
		pk := layout.Poster(a.VideoID)
		if err := w.deps.Media.PutFile(ctx, pk, poster.Path, "image/jpeg"); err != nil {
			return false, err
		}
		posterKey = &pk
	}
	status, note, derived, err := w.deps.Videos.ClipSubtitles(ctx, a.VideoID, a.Parent, a.Start, a.End)
	if err != nil {
		return false, err
	}
	if derived {
		var n *string
		if note != "" {
			n = &note
		}
		if err := w.deps.Store.SetSubtitlesStatus(ctx, a.VideoID, status, n); err != nil {
			return false, err
		}
	}
	v, err := w.deps.Store.VideoByID(ctx, a.VideoID)
	if err != nil {
		return false, err
	}
	v.Duration = &info.Duration
	if err := w.deps.Videos.PublishChaptersOf(ctx, v); err != nil {
		return false, err
	}
	err = w.deps.Store.InTx(ctx, func(tx pgx.Tx) error {
		ok, err := w.deps.Store.MarkUploadedTx(ctx, tx, a.VideoID)
		if err != nil || !ok {
			return err
		}
		if err := w.deps.Store.SetProbeResultTx(ctx, tx, a.VideoID, *info); err != nil {
			return err
		}
		if err := w.deps.Store.SetImagesTx(ctx, tx, a.VideoID, posterKey, storyboardKey); err != nil {
			return err
		}
		if err := w.deps.Store.SetPosterOriginTx(ctx, tx, a.VideoID, posterAt); err != nil {
			return err
		}
		if derived {
			return w.deps.Store.MarkReadyTx(ctx, tx, a.VideoID)
		}
		if err := w.deps.Store.SetStageTx(ctx, tx, a.VideoID, store.StageSubtitles, 96); err != nil {
			return err
		}
		_, err = river.ClientFromContext[pgx.Tx](ctx).InsertTx(ctx, tx, SubtitlesArgs{VideoID: a.VideoID, Duration: info.Duration}, nil)
		return err
	})
	return err == nil, err
}

// rungInfo is what probing the joined segments of rung r of a clip whose
// top rung probed as top would find: the same streams at r's size.
func rungInfo(top media.SourceInfo, r media.Rendition) media.SourceInfo {
	v := *top.Video
	v.Width, v.Height, v.DisplayWidth, v.DisplayHeight = r.Width, r.Height, r.Width, r.Height
	top.Video = &v
	return top
}

// posterRung is the index of the smallest rung of ladder (highest first)
// whose picture fills a poster (1280 pixels on the long side, or the top
// rung's size when smaller).
func posterRung(ladder []media.Rendition) int {
	side := func(r media.Rendition) int { return max(r.Width, r.Height) }
	want := min(1280, side(ladder[0]))
	for i := len(ladder) - 1; i > 0; i-- {
		if side(ladder[i]) >= want {
			return i
		}
	}
	return 0
}

// download copies the stored object key to the local file path.
func (w *ClipWorker) download(ctx context.Context, key, path string) error {
	rc, _, err := w.deps.Media.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("clip: read %s: %w", key, err)
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("clip: %w", err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("clip: read %s: %w", key, err)
	}
	return f.Close()
}
