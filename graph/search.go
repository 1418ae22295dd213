package graph

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// searchQueryArg validates a search string: 1 to 200 characters once trimmed.
func searchQueryArg(query string) (string, error) {
	q := strings.TrimSpace(query)
	if q == "" || utf8.RuneCountInString(q) > 200 {
		return "", badInput("query", "query must be 1 to 200 characters.")
	}
	return q, nil
}

// offsetPageArgs validates paging arguments of a ranked or sorted list.
func offsetPageArgs(first *int, after *string) (int, store.OffsetCursor, error) {
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxPageSize {
		return 0, 0, badInput("first", "first must be between 1 and %d.", maxPageSize)
	}
	if after == nil || *after == "" {
		return n, 0, nil
	}
	c, err := store.DecodeOffsetCursor(*after)
	if err != nil {
		return 0, 0, badInput("after", "after is not a cursor from this list.")
	}
	return n, c, nil
}

// searchFilter turns the filter argument into the store's, relative to now.
func searchFilter(f *model.SearchFilter, now time.Time) store.SearchFilter {
	var sf store.SearchFilter
	if f == nil {
		return sf
	}
	if f.Uploaded != nil {
		switch *f.Uploaded {
		case model.UploadDateToday:
			sf.Since = now.Add(-24 * time.Hour)
		case model.UploadDateWeek:
			sf.Since = now.AddDate(0, 0, -7)
		case model.UploadDateMonth:
			sf.Since = now.AddDate(0, 0, -30)
		case model.UploadDateYear:
			sf.Since = now.AddDate(0, 0, -365)
		}
	}
	if f.Length != nil {
		switch *f.Length {
		case model.VideoLengthShort:
			sf.MaxSeconds = 4 * 60
		case model.VideoLengthMedium:
			sf.MinSeconds, sf.MaxSeconds = 4*60, 20*60
		case model.VideoLengthLong:
			sf.MinSeconds = 20 * 60
		}
	}
	return sf
}

// textRuns splits text marked with store.HighlightStart and HighlightStop
// into runs, so clients render matches without parsing markup.
func textRuns(marked string) []*model.TextRun {
	runs := []*model.TextRun{}
	add := func(text string, match bool) {
		if text == "" {
			return
		}
		if n := len(runs); n > 0 && runs[n-1].Match == match {
			runs[n-1].Text += text
			return
		}
		runs = append(runs, &model.TextRun{Text: text, Match: match})
	}
	for marked != "" {
		before, rest, found := strings.Cut(marked, store.HighlightStart)
		add(before, false)
		if !found {
			break
		}
		hit, after, _ := strings.Cut(rest, store.HighlightStop)
		add(hit, true)
		marked = after
	}
	return runs
}

// searchConnection builds the connection of one page of hits.
func searchConnection(page store.SearchPage, after store.OffsetCursor) *model.SearchConnection {
	conn := &model.SearchConnection{Edges: make([]*model.SearchEdge, 0, len(page.Hits)),
		PageInfo: &model.PageInfo{HasNextPage: page.HasNext, HasPreviousPage: after > 0}}
	for i, h := range page.Hits {
		conn.Edges = append(conn.Edges, &model.SearchEdge{
			Cursor:               (after + store.OffsetCursor(i+1)).Encode(),
			Node:                 model.VideoFrom(h.Video),
			Rank:                 h.Rank,
			TitleHighlight:       textRuns(h.TitleHighlight),
			DescriptionHighlight: textRuns(h.DescriptionHighlight),
		})
	}
	setPageCursors(conn.PageInfo, len(conn.Edges), func(i int) *string { return &conn.Edges[i].Cursor })
	return conn
}

// offsetVideoConnection builds a connection of one page of a sorted list.
func offsetVideoConnection(page store.VideoPage, after store.OffsetCursor) *model.VideoConnection {
	conn := &model.VideoConnection{Edges: make([]*model.VideoEdge, 0, len(page.Videos)),
		PageInfo: &model.PageInfo{HasNextPage: page.HasNext, HasPreviousPage: after > 0}}
	for i, v := range page.Videos {
		conn.Edges = append(conn.Edges, &model.VideoEdge{Cursor: (after + store.OffsetCursor(i+1)).Encode(), Node: model.VideoFrom(v)})
	}
	setPageCursors(conn.PageInfo, len(conn.Edges), func(i int) *string { return &conn.Edges[i].Cursor })
	return conn
}

func setPageCursors(pi *model.PageInfo, n int, cursor func(int) *string) {
	if n > 0 {
		pi.StartCursor, pi.EndCursor = cursor(0), cursor(n-1)
	}
}
