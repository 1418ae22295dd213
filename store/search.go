package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Markers ts_headline puts around matched words: Unicode private-use
// characters, stripped from the text first, so no title can forge one and
// callers split on them without ever handling HTML.
const (
	HighlightStart = "\uE000"
	HighlightStop  = "\uE001"
)

// SearchFilter narrows a video search. Zero values do not filter.
type SearchFilter struct {
	// Since keeps videos created at or after it.
	Since time.Time
	// MinSeconds and MaxSeconds bound the duration: at least MinSeconds,
	// less than MaxSeconds (0: no bound).
	MinSeconds, MaxSeconds float64
}

// SearchHit is one video matching a search, with its title and a
// description excerpt marked up with HighlightStart and HighlightStop.
type SearchHit struct {
	Video Video
	Rank  float64
	// TitleHighlight is the whole title with matches marked.
	TitleHighlight string
	// DescriptionHighlight is up to two fragments of the description around
	// its matches (its start when only the title matched); empty without
	// a description.
	DescriptionHighlight string
}

// SearchPage is one page of search hits, best first.
type SearchPage struct {
	Hits    []SearchHit
	HasNext bool
}

// OffsetCursor is a position in a ranked or sorted list (search hits, a
// channel's most viewed videos): the number of rows before it. Ranks are
// floats and view counts change, so an offset is the simple position that
// pages such a list; at most 10,000 rows deep.
type OffsetCursor int

// Encode renders the cursor as an opaque string for clients.
func (c OffsetCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte("o|" + strconv.Itoa(int(c))))
}

// DecodeOffsetCursor parses a string made by OffsetCursor.Encode.
func DecodeOffsetCursor(s string) (OffsetCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, ErrBadCursor
	}
	n, ok := strings.CutPrefix(string(raw), "o|")
	if !ok {
		return 0, ErrBadCursor
	}
	off, err := strconv.Atoi(n)
	if err != nil || off < 0 || off > 10_000 {
		return 0, ErrBadCursor
	}
	return OffsetCursor(off), nil
}

// searchQuery is the tsquery of a web-search string (words, "quoted
// phrases", -excluded, or) under both configs the videos.search column
// holds (migration 0016): stemmed english or the words as written.
const searchQuery = `websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1)`

// SearchVideos finds videos whose title or description match query, best
// first (title matches weigh more; ties go to more viewed, then newer).
// Others' videos are found only when PUBLIC and playable; the viewer's own
// in any privacy once playable. Unlisted videos of others are never
// revealed by search, and administrators get no more than anyone else:
// search is for finding things to watch.
func (s *Store) SearchVideos(ctx context.Context, query string, viewer Viewer, f SearchFilter, first int, after OffsetCursor) (SearchPage, error) {
	// $3: the marker characters translate() strips from the text before
	// ts_headline adds its own.
	args := []any{query, uuidArg(viewer.UserID), HighlightStart + HighlightStop}
	where := `v.search @@ (` + searchQuery + `) AND v.playable AND (v.privacy = 'PUBLIC' AND v.taken_down_at IS NULL AND NOT v.owner_disabled OR v.owner_id = $2)`
	if !f.Since.IsZero() {
		args = append(args, f.Since)
		where += fmt.Sprintf(` AND v.created_at >= $%d`, len(args))
	}
	if f.MinSeconds > 0 {
		args = append(args, f.MinSeconds)
		where += fmt.Sprintf(` AND v.duration_seconds >= $%d`, len(args))
	}
	if f.MaxSeconds > 0 {
		args = append(args, f.MaxSeconds)
		where += fmt.Sprintf(` AND v.duration_seconds < $%d`, len(args))
	}
	args = append(args, first+1, int(after))
	limit, offset := len(args)-1, len(args)
	// Headlines are made for the page's rows only: ts_headline reparses
	// the text, the one costly step.
	cols := strings.ReplaceAll(videoColumns, "\n", " ")
	// The tsquery is written out, not joined from a CTE, so the planner
	// sees a value it can probe videos_search_idx with.
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`
		WITH page AS (
			SELECT v.*, ts_rank(v.search, (%[1]s)) AS rank
			FROM videos v
			WHERE %[2]s
			ORDER BY rank DESC, v.view_count DESC, v.created_at DESC, v.id DESC
			LIMIT $%[3]d OFFSET $%[4]d
		)
		SELECT %[5]s, rank,
			ts_headline('english', translate(title, $3::text, ''), (%[1]s),
				'HighlightAll=true, StartSel=`+HighlightStart+`, StopSel=`+HighlightStop+`'),
			CASE WHEN coalesce(description, '') = '' THEN '' ELSE
			ts_headline('english', translate(description, $3::text, ''), (%[1]s),
				'MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … ", StartSel=`+HighlightStart+`, StopSel=`+HighlightStop+`')
			END
		FROM page
		ORDER BY rank DESC, view_count DESC, created_at DESC, id DESC`,
		searchQuery, where, limit, offset, cols), args...)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search videos: %w", err)
	}
	defer rows.Close()
	var page SearchPage
	for rows.Next() {
		var h SearchHit
		v, err := scanVideo(extraRow{rows, []any{&h.Rank, &h.TitleHighlight, &h.DescriptionHighlight}})
		if err != nil {
			return SearchPage{}, fmt.Errorf("search videos: %w", err)
		}
		h.Video = v
		page.Hits = append(page.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return SearchPage{}, fmt.Errorf("search videos: %w", err)
	}
	if len(page.Hits) > first {
		page.Hits, page.HasNext = page.Hits[:first], true
	}
	return page, nil
}

// extraRow scans a row of videoColumns followed by more columns, so
// queries that add columns to a video reuse scanVideo.
type extraRow struct {
	row   pgx.Row
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra...)...) }
