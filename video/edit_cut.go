package video

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clipcut/clipcut/layout"
	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// Editing (editVideo) is non-destructive: the original's segments, poster,
// storyboard sheets and subtitles stay, and an edit is a set of new
// playlists that reference the original's segments, plus the pieces a cut
// falls in, re-encoded (see media's smart cut). What the video was before
// its first edit is kept on its row (store.EditOriginal): every edit is
// made from it, and undo (keep: nil) puts it back.

// MaxEditRanges bounds the kept ranges of one edit.
const MaxEditRanges = 100

// EditVideo asks for an edit of a READY video of the viewer's: keep lists
// the ranges of the original to keep, in order and disjoint; nil goes back
// to the original. A job makes the edit (stage "edit"); until it is
// published the video plays as it was, and an edit asked for meanwhile
// supersedes it. It returns the video as it is now. Bad ranges and a video
// that is not READY are an *InputError, and change nothing.
func (s *Service) EditVideo(ctx context.Context, id uuid.UUID, viewer store.Viewer, keep []store.TimeRange) (store.Video, error) {
	v, err := s.owned(ctx, id, viewer)
	if err != nil {
		return store.Video{}, err
	}
	if v.Status != store.StatusReady {
		return store.Video{}, badInput("videoId", "The video is %s; it can be edited once it is READY.", v.Status)
	}
	st, err := s.store.EditState(ctx, id)
	if err != nil {
		return store.Video{}, err
	}
	duration := v.Duration
	if st.Original != nil {
		duration = st.Original.Duration
	}
	if keep != nil {
		if duration == nil {
			return store.Video{}, badInput("videoId", "The video's length is not known.")
		}
		if err := validKeep(keep, *duration); err != nil {
			return store.Video{}, err
		}
	}
	q, err := s.cutQueue()
	if err != nil {
		return store.Video{}, err
	}
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		seq, err := s.store.RequestEditTx(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return badInput("videoId", "The video can be edited once it is READY.")
		}
		if err != nil {
			return err
		}
		return q.EditTx(ctx, tx, id, seq, keep)
	})
	if err != nil {
		return store.Video{}, err
	}
	return s.store.VideoByID(ctx, id)
}

// validKeep refuses kept ranges that are outside [0, duration], empty,
// reversed, overlapping, out of order, or too many.
func validKeep(keep []store.TimeRange, duration float64) error {
	switch {
	case len(keep) == 0:
		return badInput("keep", "keep must list at least one range to keep; null goes back to the original.")
	case len(keep) > MaxEditRanges:
		return badInput("keep", "An edit keeps at most %d ranges.", MaxEditRanges)
	}
	for i, r := range keep {
		n := i + 1
		switch {
		case math.IsNaN(r.Start) || math.IsInf(r.Start, 0) || r.Start < 0:
			return badInput("start", "Range %d starts before the video.", n)
		case r.Start >= duration:
			return badInput("start", "Range %d starts at %.3f s, at or after the video's end (%.3f s).", n, r.Start, duration)
		case math.IsNaN(r.End) || r.End > duration+1e-6:
			return badInput("end", "Range %d ends at %.3f s, after the video's end (%.3f s).", n, r.End, duration)
		case r.End <= r.Start:
			return badInput("end", "Range %d is empty or reversed: end must be after start.", n)
		case i > 0 && r.Start < keep[i-1].End:
			return badInput("start", "Range %d starts before range %d ends: ranges are in order and do not overlap.", n, i)
		}
	}
	return nil
}

// Edit is an edit the edit job made, to publish with PublishEdit.
type Edit struct {
	ID uuid.UUID
	// Seq is the edit's number (store.RequestEditTx).
	Seq int64
	// Keep is the kept ranges; nil for undo.
	Keep []store.TimeRange
	// Renditions are the edited renditions, their Playlist at the edit's
	// playlists; unused for undo.
	Renditions []store.Rendition
	// Keys are the objects the job stored for the edit.
	Keys []string
}

// EditSource is what an edit is made from: the original renditions (as
// recorded before the first edit) and the original's duration.
func (s *Service) EditSource(ctx context.Context, id uuid.UUID) (store.EditState, []store.Rendition, *float64, error) {
	st, err := s.store.EditState(ctx, id)
	if err != nil {
		return store.EditState{}, nil, nil, err
	}
	if st.Original != nil {
		return st, st.Original.Renditions, st.Original.Duration, nil
	}
	v, err := s.store.VideoByID(ctx, id)
	if err != nil {
		return store.EditState{}, nil, nil, err
	}
	return st, v.Renditions, v.Duration, nil
}

// PublishEdit publishes edit e when it is still the latest asked for:
// the renditions, duration, chapters and storyboard of the edit (or of
// the original, for undo) in one transaction, then the subtitles, mapped
// onto the edit, and the master playlist; then the stage "edit" ends with
// the video.edited webhook event, and the previous edit's objects are
// removed. It reports
// false, changing nothing, when e was superseded (its objects are the
// caller's to remove). Publishing the same edit again is harmless.
func (s *Service) PublishEdit(ctx context.Context, e Edit) (bool, error) {
	v, err := s.store.VideoByID(ctx, e.ID)
	if err != nil {
		return false, err
	}
	st, err := s.store.EditState(ctx, e.ID)
	if err != nil {
		return false, err
	}
	if st.Seq != e.Seq || v.Status != store.StatusReady {
		return false, nil
	}
	original := st.Original
	if original == nil {
		if original, err = s.editOriginal(ctx, v); err != nil {
			return false, err
		}
	}
	p := store.PublishedEdit{Duration: original.Duration, Renditions: original.Renditions,
		Downloads: original.Downloads, StoryboardKey: original.StoryboardKey, Chapters: original.Chapters}
	keep := mediaRanges(e.Keep)
	if e.Keep != nil {
		d := media.KeptDuration(keep)
		p = store.PublishedEdit{Keep: e.Keep, Original: original, Keys: slices.Clone(e.Keys), Duration: &d,
			Renditions: e.Renditions, Chapters: editChapters(*original, v.Description, keep)}
		// The progressive MP4 is of the original: it is withdrawn while
		// the video is edited, and comes back with undo.
		p.Downloads = []store.Download{}
		if original.StoryboardKey != nil {
			key, err := s.editStoryboard(ctx, e, *original.StoryboardKey, keep)
			if err != nil {
				return false, err
			}
			p.StoryboardKey = &key
			p.Keys = append(p.Keys, key)
		}
	}
	var previous []string
	ok := false
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		previous, ok, err = s.store.PublishEditTx(ctx, tx, e.ID, e.Seq, p)
		return err
	})
	if err != nil || !ok {
		return false, err
	}
	if v, err = s.store.VideoByID(ctx, e.ID); err != nil {
		return true, err
	}
	for _, t := range original.Subtitles {
		cues, err := media.ParseVTT(bytes.NewReader([]byte(t.VTT)))
		if err != nil {
			return true, fmt.Errorf("publish edit of %s: subtitles %s: %w", e.ID, t.Language, err)
		}
		if e.Keep != nil {
			cues = media.EditCues(cues, keep)
		}
		if err := s.SaveSubtitles(ctx, v, Track{Language: t.Language, Label: t.Label, Provenance: t.Provenance, Engine: t.Engine}, cues); err != nil {
			return true, fmt.Errorf("publish edit of %s: subtitles %s: %w", e.ID, t.Language, err)
		}
	}
	if err := s.republishMaster(ctx, v); err != nil {
		return true, err
	}
	if err := s.publishChapters(ctx, v); err != nil {
		return true, err
	}
	// Published whole: the stage ends, and webhooks hear of it.
	if err := s.store.InTx(ctx, func(tx pgx.Tx) error { return s.store.FinishEditTx(ctx, tx, e.ID, e.Seq) }); err != nil {
		return true, err
	}
	for _, key := range previous {
		if !slices.Contains(p.Keys, key) {
			_ = s.media.Delete(ctx, key) // only unreachable files are left when this fails
		}
	}
	return true, nil
}

// editOriginal records v as it is, unedited: what undo restores.
func (s *Service) editOriginal(ctx context.Context, v store.Video) (*store.EditOriginal, error) {
	o := &store.EditOriginal{Duration: v.Duration, Renditions: v.Renditions, Downloads: v.Downloads,
		StoryboardKey: v.StoryboardKey, Chapters: v.Chapters}
	tracks, err := s.store.SubtitleTracksByVideos(ctx, []uuid.UUID{v.ID})
	if err != nil {
		return nil, err
	}
	for _, t := range tracks[v.ID] {
		vtt, err := s.read(ctx, t.VTTKey)
		if err != nil {
			return nil, fmt.Errorf("edit of %s: subtitles %s: %w", v.ID, t.Language, err)
		}
		o.Subtitles = append(o.Subtitles, store.EditTrack{Language: t.Language, Label: t.Label,
			Provenance: t.Provenance, Engine: t.Engine, VTT: string(vtt)})
	}
	return o, nil
}

// editStoryboard stores the original storyboard's map timed for the edit:
// the tiles of cut ranges are left out, later ones shifted. The sheets are
// the original's, beside it.
func (s *Service) editStoryboard(ctx context.Context, e Edit, key string, keep []media.TimeRange) (string, error) {
	raw, err := s.read(ctx, key)
	if err != nil {
		return "", fmt.Errorf("edit storyboard of %s: %w", e.ID, err)
	}
	cues, err := media.ParseVTT(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("edit storyboard of %s: %w", e.ID, err)
	}
	var buf bytes.Buffer
	if err := media.WriteWebVTT(&buf, media.EditCues(cues, keep)); err != nil {
		return "", fmt.Errorf("edit storyboard of %s: %w", e.ID, err)
	}
	out := layout.EditStoryboard(e.ID, e.Seq)
	if err := s.media.Put(ctx, out, &buf, int64(buf.Len()), "text/vtt"); err != nil {
		return "", fmt.Errorf("edit storyboard of %s: %w", e.ID, err)
	}
	return out, nil
}

func (s *Service) read(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := s.media.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 64<<20))
}

// editChapters are the original's chapters (set, or from the description)
// timed for the edit: a chapter whose start was cut starts where the edit
// resumes, and of chapters that land on the same time the last one wins,
// being the one playing there.
func editChapters(o store.EditOriginal, description *string, keep []media.TimeRange) []store.Chapter {
	chapters := Chapters(store.Video{Chapters: o.Chapters, Description: description, Duration: o.Duration})
	if len(chapters) == 0 {
		return o.Chapters // none, as before
	}
	end := media.KeptDuration(keep)
	out := []store.Chapter{}
	for _, c := range chapters {
		at, ok := media.EditTime(keep, c.Start)
		if !ok {
			at = end
			for i, r := range keep {
				if c.Start < r.Start {
					at, _ = media.EditTime(keep, keep[i].Start)
					break
				}
			}
		}
		if at >= end {
			continue
		}
		if n := len(out); n > 0 && at <= out[n-1].Start+1e-9 {
			out[n-1] = store.Chapter{Start: out[n-1].Start, Title: c.Title}
			continue
		}
		out = append(out, store.Chapter{Start: at, Title: c.Title})
	}
	return out
}

func mediaRanges(in []store.TimeRange) []media.TimeRange {
	if in == nil {
		return nil
	}
	out := make([]media.TimeRange, len(in))
	for i, r := range in {
		out[i] = media.TimeRange{Start: r.Start, End: r.End}
	}
	return out
}
