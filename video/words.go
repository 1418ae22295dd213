package video

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/media"
	"github.com/clipcut/clipcut/store"
)

// A generated track's words are stored as the engine heard them, timed in
// the original source (the subtitles job always transcribes the upload,
// never an edit), and mapped through the video's published edit when they
// are read. So they follow an edit, and its undo, the moment the edit is
// published, with nothing to rewrite.

// SaveWords stores the recognised words of v's generated track in
// language (the track must exist: save it first), replacing the previous
// generation's.
func (s *Service) SaveWords(ctx context.Context, id uuid.UUID, language string, words []media.Word) error {
	stored := make([]store.SubtitleWord, 0, len(words))
	for _, w := range words {
		stored = append(stored, store.SubtitleWord{Start: w.Start, End: w.End, Text: w.Text})
	}
	return s.store.PutSubtitleWords(ctx, id, language, stored)
}

// TrackWords returns the words of track t timed for the video as it plays
// now (through its edit, when it is edited), and ok false when the track
// has none to show: it was written or uploaded by the owner, or corrected
// since it was generated (the words would disagree with the cues), or it
// was generated before words were kept.
func (s *Service) TrackWords(ctx context.Context, t store.SubtitleTrack) (words []store.SubtitleWord, ok bool, err error) {
	if t.Provenance != store.ProvenanceGenerated {
		return nil, false, nil
	}
	words, err = s.store.SubtitleWords(ctx, t.VideoID, t.Language)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	st, err := s.store.EditState(ctx, t.VideoID)
	if err != nil {
		return nil, false, err
	}
	if st.Keep != nil {
		words = EditWords(words, st.Keep)
	}
	return words, true, nil
}

// EditWords times words for an edit that keeps the ranges keep (seconds
// of the original, in order and disjoint): a word belongs to the kept
// range its middle lies in, is clipped to it and shifted to where that
// range plays in the edit; a word whose middle was cut is dropped. So
// deleting words in the studio (cutting their start to their end) removes
// exactly them, and a cut through a word keeps it only when most of it
// remains.
func EditWords(words []store.SubtitleWord, keep []store.TimeRange) []store.SubtitleWord {
	out := make([]store.SubtitleWord, 0, len(words))
	for _, w := range words {
		mid := (w.Start + w.End).Seconds() / 2
		var offset float64
		for _, r := range keep {
			if mid >= r.Start && mid < r.End {
				start := offset + max(w.Start.Seconds(), r.Start) - r.Start
				end := offset + min(w.End.Seconds(), r.End) - r.Start
				out = append(out, store.SubtitleWord{Start: secondsDuration(start), End: secondsDuration(end), Text: w.Text})
				break
			}
			offset += r.End - r.Start
		}
	}
	return out
}

// secondsDuration rounds seconds to the millisecond words are stored in.
func secondsDuration(s float64) time.Duration {
	return time.Duration(s*1000+0.5) * time.Millisecond
}
