package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SetEditOriginalTrack replaces (or adds) the track in t's language among
// the subtitles of edited video id's original (EditOriginal.Subtitles),
// whose WebVTT is in the original's time: what undo and every later edit
// restore. It reports false, changing nothing, when the video is not
// edited (there is no original to keep up to date).
func (s *Store) SetEditOriginalTrack(ctx context.Context, id uuid.UUID, t EditTrack) (bool, error) {
	ok := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var o *EditOriginal
		err := tx.QueryRow(ctx, `SELECT edit_original FROM videos WHERE id = $1 FOR UPDATE`, uuidArg(id)).Scan(&o)
		if err != nil {
			return notFound(err)
		}
		if o == nil {
			return nil
		}
		replaced := false
		for i := range o.Subtitles {
			if o.Subtitles[i].Language == t.Language {
				o.Subtitles[i], replaced = t, true
			}
		}
		if !replaced {
			o.Subtitles = append(o.Subtitles, t)
		}
		if _, err := tx.Exec(ctx, `UPDATE videos SET edit_original = $2 WHERE id = $1`, uuidArg(id), o); err != nil {
			return err
		}
		ok = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("original subtitles of %s: %w", id, err)
	}
	return ok, nil
}
