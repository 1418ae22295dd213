package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Subtitle provenances.
const (
	ProvenanceGenerated = "generated"
	ProvenanceEdited    = "edited"
	ProvenanceUploaded  = "uploaded"
)

// Subtitle statuses of a video.
const (
	SubtitlesPending = "pending"
	SubtitlesReady   = "ready"
	SubtitlesNone    = "none"
	SubtitlesFailed  = "failed"
)

// SubtitleTrack is one language's subtitles of a video.
type SubtitleTrack struct {
	VideoID    uuid.UUID
	Language   string
	Label      string
	Provenance string
	Engine     *string
	VTTKey     string
	SRTKey     string
	CueCount   int
	UpdatedAt  time.Time
}

// SubtitleCue is one timed line of a track, as searched.
type SubtitleCue struct {
	Start, End time.Duration
	Text       string
}

const trackColumns = `video_id, language, label, provenance, engine, vtt_key, srt_key, cue_count, updated_at`

func scanTrack(row pgx.Row) (SubtitleTrack, error) {
	var t SubtitleTrack
	err := row.Scan(&t.VideoID, &t.Language, &t.Label, &t.Provenance, &t.Engine, &t.VTTKey, &t.SRTKey, &t.CueCount, &t.UpdatedAt)
	return t, err
}

// PutSubtitleTrack creates or replaces a track and its cues, and marks the
// video's subtitles ready, in one transaction.
func (s *Store) PutSubtitleTrack(ctx context.Context, t SubtitleTrack, cues []SubtitleCue) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO subtitle_tracks (video_id, language, label, provenance, engine, vtt_key, srt_key, cue_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (video_id, language) DO UPDATE SET
				label = EXCLUDED.label, provenance = EXCLUDED.provenance, engine = EXCLUDED.engine,
				vtt_key = EXCLUDED.vtt_key, srt_key = EXCLUDED.srt_key, cue_count = EXCLUDED.cue_count,
				updated_at = now()`,
			t.VideoID, t.Language, t.Label, t.Provenance, t.Engine, t.VTTKey, t.SRTKey, len(cues))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM subtitle_cues WHERE video_id = $1 AND language = $2`, t.VideoID, t.Language); err != nil {
			return err
		}
		rows := make([][]any, len(cues))
		for i, c := range cues {
			rows[i] = []any{t.VideoID, t.Language, i, int32(c.Start.Milliseconds()), int32(c.End.Milliseconds()), c.Text}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"subtitle_cues"},
			[]string{"video_id", "language", "seq", "start_ms", "end_ms", "text"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE videos SET subtitles_status = 'ready', subtitles_note = NULL WHERE id = $1`, t.VideoID)
		return err
	})
	if err != nil {
		return fmt.Errorf("put subtitle track %s/%s: %w", t.VideoID, t.Language, err)
	}
	return nil
}

// SubtitleTracksByVideos returns the tracks of several videos in one query,
// ordered by language; dataloaders batch through it.
func (s *Store) SubtitleTracksByVideos(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]SubtitleTrack, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+trackColumns+` FROM subtitle_tracks WHERE video_id = ANY($1) ORDER BY language`, ids)
	if err != nil {
		return nil, fmt.Errorf("subtitle tracks: %w", err)
	}
	tracks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SubtitleTrack, error) { return scanTrack(r) })
	if err != nil {
		return nil, fmt.Errorf("subtitle tracks: %w", err)
	}
	out := make(map[uuid.UUID][]SubtitleTrack, len(ids))
	for _, t := range tracks {
		out[t.VideoID] = append(out[t.VideoID], t)
	}
	return out, nil
}

// SubtitleTrack returns one track, or ErrNotFound.
func (s *Store) SubtitleTrack(ctx context.Context, videoID uuid.UUID, language string) (SubtitleTrack, error) {
	t, err := scanTrack(s.pool.QueryRow(ctx, `SELECT `+trackColumns+` FROM subtitle_tracks WHERE video_id = $1 AND language = $2`, videoID, language))
	if err != nil {
		return SubtitleTrack{}, fmt.Errorf("subtitle track %s/%s: %w", videoID, language, notFound(err))
	}
	return t, nil
}

// SetSubtitlesStatus records why a video has (or lacks) subtitles.
func (s *Store) SetSubtitlesStatus(ctx context.Context, id uuid.UUID, status string, note *string) error {
	_, err := s.pool.Exec(ctx, `UPDATE videos SET subtitles_status = $2, subtitles_note = $3 WHERE id = $1`, id, status, note)
	if err != nil {
		return fmt.Errorf("set subtitles status %s: %w", id, err)
	}
	return nil
}

// SubtitlesStatus returns a video's subtitle status and note.
func (s *Store) SubtitlesStatus(ctx context.Context, id uuid.UUID) (string, *string, error) {
	var status string
	var note *string
	err := s.pool.QueryRow(ctx, `SELECT subtitles_status, subtitles_note FROM videos WHERE id = $1`, id).Scan(&status, &note)
	if err != nil {
		return "", nil, fmt.Errorf("subtitles status %s: %w", id, notFound(err))
	}
	return status, note, nil
}

// TranscriptMatch is a video whose subtitles match a search, with the
// matching cues in time order.
type TranscriptMatch struct {
	VideoID uuid.UUID
	Cues    []SubtitleCue
}

// SearchTranscripts finds what was said: videos whose cues match query
// (web-search syntax: words, "quoted phrases", -excluded), best first. Only
// PUBLIC videos, plus the viewer's own (all of them for administrators),
// are searched: unlisted videos are never revealed by search.
func (s *Store) SearchTranscripts(ctx context.Context, query string, viewer Viewer, limitVideos, limitCues int) ([]TranscriptMatch, error) {
	rows, err := s.pool.Query(ctx, `
		WITH q AS (SELECT websearch_to_tsquery('simple', $1) AS query),
		hits AS (
			SELECT c.video_id, c.start_ms, c.end_ms, c.text, ts_rank(c.search, q.query) AS rank
			FROM subtitle_cues c JOIN videos v ON v.id = c.video_id, q
			WHERE c.search @@ q.query
			  AND ($3 OR NOT v.owner_disabled AND (v.owner_id = $2 OR v.privacy = 'PUBLIC' AND v.taken_down_at IS NULL))
			  AND v.playable
		),
		best AS (
			SELECT video_id, max(rank) AS rank FROM hits GROUP BY video_id
			ORDER BY rank DESC, video_id LIMIT $4
		)
		SELECT h.video_id, h.start_ms, h.end_ms, h.text
		FROM best b JOIN LATERAL (
			SELECT * FROM hits h WHERE h.video_id = b.video_id ORDER BY h.start_ms LIMIT $5
		) h ON true
		ORDER BY b.rank DESC, b.video_id, h.start_ms`,
		query, viewer.UserID, viewer.IsAdmin, limitVideos, limitCues)
	if err != nil {
		return nil, fmt.Errorf("search transcripts: %w", err)
	}
	defer rows.Close()
	var out []TranscriptMatch
	for rows.Next() {
		var id uuid.UUID
		var startMS, endMS int
		var text string
		if err := rows.Scan(&id, &startMS, &endMS, &text); err != nil {
			return nil, fmt.Errorf("search transcripts: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].VideoID != id {
			out = append(out, TranscriptMatch{VideoID: id})
		}
		m := &out[len(out)-1]
		m.Cues = append(m.Cues, SubtitleCue{Start: time.Duration(startMS) * time.Millisecond, End: time.Duration(endMS) * time.Millisecond, Text: text})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search transcripts: %w", err)
	}
	return out, nil
}
