package jobs

import (
	"context"
	"fmt"
	"math"
	"path"
	"path/filepath"
	"slices"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// How a clip's playlist entry is made.
const (
	// entryReused is a parent's segment, copied.
	entryReused = iota
	// entryEncoded is a piece encoded from the source for every rung.
	entryEncoded
	// entryHead is the head of a parent's segment, its first frames
	// copied (media.CopySegmentHeads).
	entryHead
	// entryTail is the rest of a piece whose head is copied, encoded from
	// the source (media.SmartCutEach).
	entryTail
)

// clipEntry is one entry of every rung's playlist of a clip.
type clipEntry struct {
	kind int
	// start and end are the piece's range in the parent (entryEncoded,
	// entryTail: the earliest start of every rung's tail).
	start, end float64
	// files are the parent's segments of every rung (entryReused: the
	// copies, entryHead: the segments whose heads are copied).
	files []string
	// frames is, for every rung, how many frames an entryHead copies and
	// how many an entryTail leaves out after start.
	frames []int
	// durations is every rung's entry length.
	durations     []float64
	discontinuity bool
}

// clipEntries plans how every piece of a clip is made and downloads the
// parent's segments it reuses. A piece encoded because the clip ends
// inside a segment starts at the segment's keyframe: when video is set,
// its first frames are copied from the parent's segment on every rung up
// to where the packets allow (media.HeadCopyFrames), and only the rest
// is encoded; the head entry comes with a tail entry.
func (w *ClipWorker) clipEntries(ctx context.Context, ladder []media.Rendition, stored []store.Rendition, playlists []*media.MediaPlaylist,
	pieces []media.CutPiece, fps media.Rational, video bool, work string) ([]clipEntry, error) {
	segmentOf := func(i, seg int, name string) (string, error) {
		f := filepath.Join(work, ladder[i].Name, name)
		return f, w.download(ctx, path.Dir(stored[i].Playlist)+"/"+playlists[i].Segments[seg].URI, f)
	}
	var entries []clipEntry
	for k, p := range pieces {
		e := clipEntry{kind: entryEncoded, start: p.Start, end: p.End, discontinuity: p.Discontinuity,
			files: make([]string, len(ladder)), durations: make([]float64, len(ladder))}
		if !p.Encoded() {
			e.kind = entryReused
			for i := range ladder {
				f, err := segmentOf(i, p.Segment, fmt.Sprintf("parent_%05d.ts", k))
				if err != nil {
					return nil, err
				}
				e.files[i], e.durations[i] = f, playlists[i].Segments[p.Segment].Duration
			}
			entries = append(entries, e)
			continue
		}
		for i := range ladder {
			e.durations[i] = p.End - p.Start
		}
		want := int(math.Round((p.End-p.Start)*fps.Float())) - 1 // a tail of a frame at least
		seg, head := media.SegmentHead(playlists[0].Segments, fps, p)
		if !video || !head || want < 1 {
			entries = append(entries, e)
			continue
		}
		frames := make([]int, len(ladder))
		for i := range ladder {
			f, err := segmentOf(i, seg, fmt.Sprintf("head_%05d.ts", k))
			if err != nil {
				return nil, err
			}
			e.files[i], frames[i] = f, media.HeadCopyFrames(f, want)
		}
		least := slices.Min(frames)
		if least < 1 {
			entries = append(entries, e)
			continue
		}
		tail := clipEntry{kind: entryTail, start: p.Start + float64(least)/fps.Float(), end: p.End, discontinuity: true,
			frames: make([]int, len(ladder)), durations: make([]float64, len(ladder))}
		e.kind, e.frames = entryHead, frames
		for i, m := range frames {
			e.durations[i] = float64(m) / fps.Float()
			tail.frames[i] = m - least
			tail.durations[i] = p.End - p.Start - e.durations[i]
		}
		entries = append(entries, e, tail)
	}
	return entries, nil
}
