package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// VideoFilter narrows a list of videos; nil fields match everything.
type VideoFilter struct {
	Status        *string
	Privacy       *string
	CreatedAfter  *time.Time // created at or after
	CreatedBefore *time.Time // created before
	// Search matches videos whose title or description contains it,
	// ignoring case; % and _ match themselves.
	Search *string
}

// PageRequest is a Relay page: First videos after After, or (Last > 0)
// the Last videos before Before; either cursor may be nil, and both
// bound the list when given.
type PageRequest struct {
	First  int
	After  *Cursor
	Last   int
	Before *Cursor
}

// VideoList is one page of a newest-first list of videos.
type VideoList struct {
	// Videos are newest first, whichever way the page was read.
	Videos []Video
	// Owners are the owners of Videos, each once, when the list was read
	// with them (ListPublicFeed); nil otherwise.
	Owners      []User
	HasNext     bool
	HasPrevious bool
}

// listQuery builds the WHERE clause of a list: a base condition over the
// first arguments, then the filter's conditions.
type listQuery struct {
	where []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

func (q *listQuery) filter(f VideoFilter) {
	if f.Status != nil {
		q.where = append(q.where, "status = "+q.arg(*f.Status))
	}
	if f.Privacy != nil {
		q.where = append(q.where, "privacy = "+q.arg(*f.Privacy))
	}
	if f.CreatedAfter != nil {
		q.where = append(q.where, "created_at >= "+q.arg(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		q.where = append(q.where, "created_at < "+q.arg(*f.CreatedBefore))
	}
	if f.Search != nil {
		p := q.arg("%" + likeEscaper.Replace(*f.Search) + "%")
		q.where = append(q.where, "(title ILIKE "+p+" OR description ILIKE "+p+")")
	}
}

// likeEscaper makes text match itself in a LIKE pattern (backslash is
// LIKE's default escape character).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (q *listQuery) whereClause() string { return strings.Join(q.where, " AND ") }

// feedQuery is the public feed's condition (PublicFeed's), filtered.
func feedQuery(f VideoFilter) *listQuery {
	q := &listQuery{where: []string{`privacy = 'PUBLIC' AND playable AND ` + notModerated}}
	q.filter(f)
	return q
}

// userVideosQuery is UserVideos' condition, filtered.
func userVideosQuery(ownerID uuid.UUID, viewer Viewer, f VideoFilter) *listQuery {
	q := &listQuery{
		where: []string{`owner_id = $1 AND ($3 OR NOT owner_disabled AND (owner_id = $2 OR privacy = 'PUBLIC' AND taken_down_at IS NULL))`},
		args:  []any{uuidArg(ownerID), uuidArg(viewer.UserID), viewer.IsAdmin},
	}
	q.filter(f)
	return q
}

// ListPublicFeed is PublicFeedWithOwners with a filter and paging both
// ways.
func (s *Store) ListPublicFeed(ctx context.Context, f VideoFilter, p PageRequest) (VideoList, error) {
	l, err := s.listVideos(ctx, feedQuery(f), p, true)
	if err != nil {
		return VideoList{}, fmt.Errorf("list public feed: %w", err)
	}
	return l, nil
}

// ListUserVideos is UserVideos with a filter and paging both ways.
func (s *Store) ListUserVideos(ctx context.Context, ownerID uuid.UUID, viewer Viewer, f VideoFilter, p PageRequest) (VideoList, error) {
	l, err := s.listVideos(ctx, userVideosQuery(ownerID, viewer, f), p, false)
	if err != nil {
		return VideoList{}, fmt.Errorf("list user videos: %w", err)
	}
	return l, nil
}

// CountPublicFeed counts the videos ListPublicFeed lists with f.
func (s *Store) CountPublicFeed(ctx context.Context, f VideoFilter) (int, error) {
	n, err := s.countVideos(ctx, feedQuery(f))
	if err != nil {
		return 0, fmt.Errorf("count public feed: %w", err)
	}
	return n, nil
}

// CountUserVideos counts the videos ListUserVideos lists with f.
func (s *Store) CountUserVideos(ctx context.Context, ownerID uuid.UUID, viewer Viewer, f VideoFilter) (int, error) {
	n, err := s.countVideos(ctx, userVideosQuery(ownerID, viewer, f))
	if err != nil {
		return 0, fmt.Errorf("count user videos: %w", err)
	}
	return n, nil
}

func (s *Store) countVideos(ctx context.Context, q *listQuery) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM videos WHERE `+q.whereClause(), q.args...).Scan(&n)
	return n, err
}

// listVideos reads one page of q's videos, newest first. A backward page
// (p.Last) is read oldest first from its cursor, so that the index walk
// starts there, and turned around.
func (s *Store) listVideos(ctx context.Context, q *listQuery, p PageRequest, owners bool) (VideoList, error) {
	if p.After != nil {
		q.where = append(q.where, fmt.Sprintf("(created_at, id) < (%s, %s)", q.arg(p.After.CreatedAt), q.arg(uuidArg(p.After.ID))))
	}
	if p.Before != nil {
		q.where = append(q.where, fmt.Sprintf("(created_at, id) > (%s, %s)", q.arg(p.Before.CreatedAt), q.arg(uuidArg(p.Before.ID))))
	}
	backward := p.Last > 0
	n, dir := p.First, "DESC"
	if backward {
		n, dir = p.Last, "ASC"
	}
	query := `SELECT ` + videoColumns + ` FROM videos WHERE ` + q.whereClause() +
		fmt.Sprintf(` ORDER BY created_at %[1]s, id %[1]s LIMIT %[2]s`, dir, q.arg(n+1))
	if owners {
		query = withOwner(query, fmt.Sprintf(` ORDER BY v.created_at %[1]s, v.id %[1]s`, dir))
	}
	rows, err := s.pool.Query(ctx, query, q.args...)
	if err != nil {
		return VideoList{}, err
	}
	var l VideoList
	if owners {
		l.Videos, l.Owners, err = collectWithOwners(rows)
	} else {
		l.Videos, err = collectVideos(rows)
	}
	if err != nil {
		return VideoList{}, err
	}
	more := len(l.Videos) > n
	if more {
		l.Videos = l.Videos[:n]
	}
	if backward {
		slices.Reverse(l.Videos)
		l.HasPrevious, l.HasNext = more, p.Before != nil
	} else {
		l.HasNext, l.HasPrevious = more, p.After != nil
	}
	if owners {
		l.Owners = ownersOf(l.Videos, l.Owners)
	}
	return l, nil
}

// collectWithOwners reads rows of withOwner: the videos and their owners,
// each owner once.
func collectWithOwners(rows pgx.Rows) ([]Video, []User, error) {
	defer rows.Close()
	var videos []Video
	var users []User
	seen := map[uuid.UUID]bool{}
	for rows.Next() {
		v, u, err := scanVideoWithOwner(rows)
		if err != nil {
			return nil, nil, err
		}
		videos = append(videos, v)
		if !seen[u.ID] {
			seen[u.ID] = true
			users = append(users, u)
		}
	}
	return videos, users, rows.Err()
}

// ownersOf keeps the users among owners who own one of videos.
func ownersOf(videos []Video, owners []User) []User {
	out := owners[:0]
	for _, u := range owners {
		if slices.ContainsFunc(videos, func(v Video) bool { return v.OwnerID == u.ID }) {
			out = append(out, u)
		}
	}
	return out
}
