package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// Orders of a channel's videos.
const (
	ChannelNewest     = "NEWEST"
	ChannelMostViewed = "MOST_VIEWED"
)

// ChannelVideos lists a user's PUBLIC, playable videos (what their channel
// page shows to everyone, the owner included), newest first or most viewed
// first, one page after `after` rows.
func (s *Store) ChannelVideos(ctx context.Context, ownerID uuid.UUID, order string, first int, after OffsetCursor) (VideoPage, error) {
	orderBy := `created_at DESC, id DESC`
	if order == ChannelMostViewed {
		orderBy = `view_count DESC, created_at DESC, id DESC`
	}
	rows, err := s.pool.Query(ctx, `SELECT `+videoColumns+` FROM videos
		WHERE owner_id = $1 AND privacy = 'PUBLIC' AND playable AND `+notModerated+`
		ORDER BY `+orderBy+` LIMIT $2 OFFSET $3`, uuidArg(ownerID), first+1, int(after))
	if err != nil {
		return VideoPage{}, fmt.Errorf("channel videos %s: %w", ownerID, err)
	}
	videos, err := collectVideos(rows)
	if err != nil {
		return VideoPage{}, fmt.Errorf("channel videos %s: %w", ownerID, err)
	}
	page := VideoPage{Videos: videos}
	if len(videos) > first {
		page.Videos, page.HasNext = videos[:first], true
	}
	return page, nil
}

// ChannelVideoCount counts a user's PUBLIC, playable videos (one index
// range of videos_channel_views_idx).
func (s *Store) ChannelVideoCount(ctx context.Context, ownerID uuid.UUID) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM videos
		WHERE owner_id = $1 AND privacy = 'PUBLIC' AND playable AND `+notModerated, uuidArg(ownerID)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("channel video count %s: %w", ownerID, err)
	}
	return n, nil
}
