package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/video"
)

// EditArgs makes edit Seq of video VideoID (editVideo): keep the ranges
// Keep of the original, or go back to the original when Keep is nil.
type EditArgs struct {
	VideoID uuid.UUID         `json:"video_id"`
	Seq     int64             `json:"seq"`
	Keep    []store.TimeRange `json:"keep"`
}

// Kind is the job's stable name.
func (EditArgs) Kind() string { return "edit" }

// InsertOpts puts the edit on the media queue: it encodes.
func (EditArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMedia, MaxAttempts: pipelineAttempts}
}

// EditTx queues an edit (video.CutQueue).
func (q *Queue) EditTx(ctx context.Context, tx pgx.Tx, id uuid.UUID, seq int64, keep []store.TimeRange) error {
	return q.insertTx(ctx, tx, EditArgs{VideoID: id, Seq: seq, Keep: keep})
}

// EditWorker makes an edit by smart cut (see media.PlanSmartCut): for
// every rung, a new playlist referencing the original's segments that lie
// wholly inside kept ranges, and, for each segment a cut falls in, its
// kept part re-encoded from the source with the rung's encoder settings
// (one ffmpeg run per such part for the whole ladder). The video service
// then publishes it with everything timed (subtitles, chapters, storyboard,
// duration), and the poster and the animated preview follow it (jobs
// poster and preview). An edit superseded by a newer one is cancelled and its files
// removed; the video plays as it was until an edit is published.
type EditWorker struct {
	river.WorkerDefaults[EditArgs]
	deps Deps
}

// Timeout: the timeout base plus two minutes per kept range, each of
// which re-encodes at most two segments of the ladder.
func (w *EditWorker) Timeout(job *river.Job[EditArgs]) time.Duration {
	return w.deps.timeoutBase() + time.Duration(len(job.Args.Keep))*2*time.Minute
}

// Work edits.
func (w *EditWorker) Work(ctx context.Context, job *river.Job[EditArgs]) error {
	a := job.Args
	v, err := w.deps.Store.VideoByID(ctx, a.VideoID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("edit of %s: the video was deleted", a.VideoID))
	}
	if err != nil {
		return err
	}
	st, renditions, _, err := w.deps.Videos.EditSource(ctx, a.VideoID)
	if err != nil {
		return err
	}
	if st.Seq != a.Seq || v.Status != store.StatusReady {
		return river.JobCancel(fmt.Errorf("edit %d of %s: superseded by edit %d, or the video is %s", a.Seq, a.VideoID, st.Seq, v.Status))
	}
	// A failure on the last attempt leaves the video as it was, out of
	// the stage "edit".
	fail := func(err error) error {
		if job.Attempt >= job.MaxAttempts {
			_ = w.deps.Store.EndEdit(context.WithoutCancel(ctx), a.VideoID, a.Seq)
		}
		return err
	}
	cancel := func(reason string) error {
		_ = w.deps.Store.EndEdit(context.WithoutCancel(ctx), a.VideoID, a.Seq)
		return river.JobCancel(fmt.Errorf("edit %d of %s: %s", a.Seq, a.VideoID, reason))
	}
	e := video.Edit{ID: a.VideoID, Seq: a.Seq, Keep: a.Keep}
	if a.Keep != nil {
		e.Renditions, e.Keys, err = w.cut(ctx, a, renditions)
		if err != nil {
			// A retry makes the pieces again; a cancelled edit leaves none.
			for _, key := range e.Keys {
				_ = w.deps.Media.Delete(context.WithoutCancel(ctx), key)
			}
		}
		var rej *media.RejectError
		switch {
		case errors.As(err, &rej):
			return cancel(rej.Reason)
		case errors.Is(err, errEditImpossible):
			return cancel(err.Error())
		case err != nil:
			return fail(err)
		}
	}
	ok, err := w.deps.Videos.PublishEdit(ctx, e)
	if err != nil {
		return fail(err)
	}
	if !ok {
		for _, key := range e.Keys {
			_ = w.deps.Media.Delete(context.WithoutCancel(ctx), key)
		}
		return river.JobCancel(fmt.Errorf("edit %d of %s: superseded", a.Seq, a.VideoID))
	}
	// The poster and the preview follow the published edit (or undo). A
	// failure to queue them leaves the previous ones, still valid images
	// of the video, and must not make the edit again.
	client := river.ClientFromContext[pgx.Tx](ctx)
	if _, err := client.InsertMany(ctx, []river.InsertManyParams{
		{Args: PosterArgs{VideoID: a.VideoID, FollowEdit: true}},
		{Args: PreviewArgs{VideoID: a.VideoID}},
	}); err != nil {
		w.deps.Logger.WarnContext(ctx, "edit: queue the poster and preview", "video_id", a.VideoID, "error", err)
	}
	return nil
}

var errEditImpossible = errors.New("the original's renditions do not match its source's ladder")

// cut makes and stores the edited renditions, returning them and the keys
// of every object it stored.
func (w *EditWorker) cut(ctx context.Context, a EditArgs, renditions []store.Rendition) ([]store.Rendition, []string, error) {
	src, err := openSource(ctx, w.deps, a.VideoID, false)
	if err != nil {
		return nil, nil, err
	}
	defer src.release()
	ladder := media.PlanLadder(src.info, media.LadderOptions{})
	stored, playlists, err := originalPlaylists(ctx, w.deps, ladder, renditions)
	if err != nil {
		return nil, nil, err
	}
	fps := ladder[0].FrameRate
	keep := media.SnapToFrames(mediaRanges(a.Keep), fps)
	if len(keep) == 0 {
		return nil, nil, fmt.Errorf("%w: the kept ranges hold no frame", errEditImpossible)
	}
	pieces := media.PlanSmartCut(playlists[0].Segments, fps, keep)
	encoded := 0
	for _, p := range pieces {
		if p.Encoded() {
			encoded++
		}
	}

	work, err := os.MkdirTemp(w.deps.WorkDir, "edit-"+a.VideoID.String()+"-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(work)
	opts := media.EncodeOptions{Preset: w.deps.Tools.Preset}
	var keys []string
	items := make([][]media.EditItem, len(ladder))
	done := 0
	for k, p := range pieces {
		for i := range ladder {
			item := media.EditItem{Duration: p.End - p.Start, Discontinuity: p.Discontinuity}
			if p.Encoded() {
				item.URI = path.Base(layout.EditPiece(a.VideoID, ladder[i].Name, a.Seq, k))
			} else {
				seg := playlists[i].Segments[p.Segment]
				item.URI, item.Duration = seg.URI, seg.Duration
			}
			items[i] = append(items[i], item)
		}
		if !p.Encoded() {
			continue
		}
		outs := make([]string, len(ladder))
		for i, r := range ladder {
			outs[i] = filepath.Join(work, r.Name+"-"+strconv.Itoa(k)+".ts")
		}
		if err := media.SmartCut(ctx, w.deps.Tools.FFmpeg, src.path, src.info, ladder, p.Start, p.End, outs, opts); err != nil {
			return nil, keys, err
		}
		for i, r := range ladder {
			key := layout.EditPiece(a.VideoID, r.Name, a.Seq, k)
			if err := w.deps.Media.PutFile(ctx, key, outs[i], "video/mp2t"); err != nil {
				return nil, keys, err
			}
			keys = append(keys, key)
		}
		done++
		if ok, err := w.deps.Store.SetEditProgress(ctx, a.VideoID, a.Seq, 90*float64(done)/float64(encoded)); err == nil && !ok {
			return nil, keys, river.JobCancel(fmt.Errorf("edit %d of %s: superseded", a.Seq, a.VideoID))
		}
	}
	out := make([]store.Rendition, len(ladder))
	for i, r := range ladder {
		var buf bytes.Buffer
		if err := media.WriteEditPlaylist(&buf, items[i]); err != nil {
			return nil, keys, err
		}
		key := layout.EditPlaylist(a.VideoID, r.Name, a.Seq)
		if err := w.deps.Media.Put(ctx, key, &buf, int64(buf.Len()), "application/vnd.apple.mpegurl"); err != nil {
			return nil, keys, err
		}
		keys = append(keys, key)
		out[i] = stored[i]
		out[i].Playlist = key
		// The time the edit's first frame is stamped with, which HLS
		// subtitles map their times onto: a re-encoded piece is stamped
		// like the original's start, a reused segment keeps its own.
		if !pieces[0].Encoded() {
			out[i].StartTime += pieces[0].Start
		}
	}
	// Lowest first, as the renditions are recorded.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, keys, nil
}

// originalPlaylists matches the renditions recorded for a video with the
// ladder its source plans (in ladder order) and reads their playlists,
// which must have as many segments each: keyframes are aligned across
// rungs.
func originalPlaylists(ctx context.Context, deps Deps, ladder []media.Rendition, renditions []store.Rendition) ([]store.Rendition, []*media.MediaPlaylist, error) {
	stored := make([]store.Rendition, len(ladder))
	playlists := make([]*media.MediaPlaylist, len(ladder))
	for i, r := range ladder {
		j := -1
		for k, s := range renditions {
			if s.Name == r.Name {
				j = k
			}
		}
		if j < 0 {
			return nil, nil, fmt.Errorf("%w: no rendition %s", errEditImpossible, r.Name)
		}
		stored[i] = renditions[j]
		raw, err := readObject(ctx, deps, renditions[j].Playlist)
		if err != nil {
			return nil, nil, err
		}
		if playlists[i], err = media.ParseMediaPlaylist(bytes.NewReader(raw)); err != nil {
			return nil, nil, fmt.Errorf("playlist %s: %w", r.Name, err)
		}
		if len(playlists[i].Segments) != len(playlists[0].Segments) {
			return nil, nil, fmt.Errorf("%w: %s has %d segments, %s %d", errEditImpossible,
				r.Name, len(playlists[i].Segments), ladder[0].Name, len(playlists[0].Segments))
		}
	}
	return stored, playlists, nil
}

func readObject(ctx context.Context, deps Deps, key string) ([]byte, error) {
	rc, _, err := deps.Media.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

func mediaRanges(in []store.TimeRange) []media.TimeRange {
	out := make([]media.TimeRange, len(in))
	for i, r := range in {
		out[i] = media.TimeRange{Start: r.Start, End: r.End}
	}
	return out
}
