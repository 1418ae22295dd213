package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SubtitleWord is one recognised word of a generated track, timed in the
// video's original (unedited) source.
type SubtitleWord struct {
	Start, End time.Duration
	Text       string
}

// MarshalJSON stores a word as [start_ms, end_ms, "text"]: an hour of
// speech is some ten thousand words, so the compact form matters.
func (w SubtitleWord) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{w.Start.Milliseconds(), w.End.Milliseconds(), w.Text})
}

// UnmarshalJSON reads the stored form (see MarshalJSON).
func (w *SubtitleWord) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("subtitle word: %w", err)
	}
	if len(raw) != 3 {
		return fmt.Errorf("subtitle word: want [start_ms, end_ms, text], got %d elements", len(raw))
	}
	var start, end int64
	if err := json.Unmarshal(raw[0], &start); err != nil {
		return fmt.Errorf("subtitle word start: %w", err)
	}
	if err := json.Unmarshal(raw[1], &end); err != nil {
		return fmt.Errorf("subtitle word end: %w", err)
	}
	if err := json.Unmarshal(raw[2], &w.Text); err != nil {
		return fmt.Errorf("subtitle word text: %w", err)
	}
	w.Start, w.End = time.Duration(start)*time.Millisecond, time.Duration(end)*time.Millisecond
	return nil
}

// PutSubtitleWords replaces the words of a video's track in language,
// which must exist (the words belong to it and go with it).
func (s *Store) PutSubtitleWords(ctx context.Context, videoID uuid.UUID, language string, words []SubtitleWord) error {
	if words == nil {
		words = []SubtitleWord{}
	}
	raw, err := json.Marshal(words)
	if err != nil {
		return fmt.Errorf("put subtitle words %s/%s: %w", videoID, language, err)
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO subtitle_words (video_id, language, words) VALUES ($1, $2, $3)
		ON CONFLICT (video_id, language) DO UPDATE SET words = EXCLUDED.words`,
		videoID, language, raw)
	if err != nil {
		return fmt.Errorf("put subtitle words %s/%s: %w", videoID, language, err)
	}
	return nil
}

// SubtitleWords returns the stored words of a video's track in language,
// in time order, or ErrNotFound when none are stored (tracks made before
// words were kept, and tracks the owner wrote or uploaded).
func (s *Store) SubtitleWords(ctx context.Context, videoID uuid.UUID, language string) ([]SubtitleWord, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT words FROM subtitle_words WHERE video_id = $1 AND language = $2`, videoID, language).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("subtitle words %s/%s: %w", videoID, language, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("subtitle words %s/%s: %w", videoID, language, err)
	}
	var words []SubtitleWord
	if err := json.Unmarshal(raw, &words); err != nil {
		return nil, fmt.Errorf("subtitle words %s/%s: %w", videoID, language, err)
	}
	return words, nil
}
