package graph

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// This file holds the listing arguments of videos and User.videos
// beyond first/after (filter, last/before) and totalCount. The plain
// first/after path stays in the resolvers as it was, so the feed costs
// nothing more when these are not used; totalCount's query runs only
// when the field is selected (VideoConnection.Counter).

// listArgs validates Relay paging in both directions (at most maxPageSize
// videos a page) and a filter.
func listArgs(first *int, after *string, last *int, before *string, filter *model.VideoFilter) (store.PageRequest, store.VideoFilter, error) {
	var p store.PageRequest
	if first != nil && last != nil {
		return p, store.VideoFilter{}, badInput("last", "Give first or last, not both.")
	}
	var err error
	if last != nil {
		if *last < 1 || *last > maxPageSize {
			return p, store.VideoFilter{}, badInput("last", "last must be between 1 and %d.", maxPageSize)
		}
		p.Last = *last
		_, p.After, err = pageArgs(nil, after)
	} else {
		p.First, p.After, err = pageArgs(first, after)
	}
	if err != nil {
		return p, store.VideoFilter{}, err
	}
	if before != nil && *before != "" {
		c, err := store.DecodeCursor(*before)
		if err != nil {
			return p, store.VideoFilter{}, badInput("before", "before is not a cursor from this list.")
		}
		p.Before = &c
	}
	f, err := videoFilter(filter)
	return p, f, err
}

// videoFilter validates a VideoFilter.
func videoFilter(in *model.VideoFilter) (store.VideoFilter, error) {
	var f store.VideoFilter
	if in == nil {
		return f, nil
	}
	if in.Status != nil {
		s := string(*in.Status)
		f.Status = &s
	}
	if in.Privacy != nil {
		s := string(*in.Privacy)
		f.Privacy = &s
	}
	f.CreatedAfter, f.CreatedBefore = in.CreatedAfter, in.CreatedBefore
	if in.Search != nil {
		s := strings.TrimSpace(*in.Search)
		if n := utf8.RuneCountInString(s); n < 1 || n > 200 {
			return f, badInput("filter.search", "search must be 1 to 200 characters.")
		}
		f.Search = &s
	}
	return f, nil
}

// plainPage reports whether a list was asked for with first/after only,
// the path the resolvers serve as they always have.
func plainPage(last *int, before *string, filter *model.VideoFilter) bool {
	return last == nil && before == nil && filter == nil
}

// listConnection turns a VideoList into a connection that counts with
// counter.
func listConnection(l store.VideoList, counter func(context.Context) (int, error)) *model.VideoConnection {
	conn := model.VideoConnectionFrom(store.VideoPage{Videos: l.Videos, HasNext: l.HasNext}, l.HasPrevious)
	conn.Counter = counter
	return conn
}

// feedCounter counts the public feed with f.
func (r *Resolver) feedCounter(f store.VideoFilter) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) { return r.Store.CountPublicFeed(ctx, f) }
}

// userVideosCounter counts owner's videos the viewer sees, with f.
func (r *Resolver) userVideosCounter(owner uuid.UUID, viewer store.Viewer, f store.VideoFilter) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) { return r.Store.CountUserVideos(ctx, owner, viewer, f) }
}

// listFeed is Query.videos with a filter or backward paging.
func (r *Resolver) listFeed(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.VideoFilter) (*model.VideoConnection, error) {
	p, f, err := listArgs(first, after, last, before, filter)
	if err != nil {
		return nil, err
	}
	l, err := r.Store.ListPublicFeed(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return withJoinedOwners(listConnection(l, r.feedCounter(f)), l.Owners), nil
}

// listUserVideos is User.videos with a filter or backward paging.
func (r *Resolver) listUserVideos(ctx context.Context, obj *model.User, first *int, after *string, last *int, before *string, filter *model.VideoFilter) (*model.VideoConnection, error) {
	p, f, err := listArgs(first, after, last, before, filter)
	if err != nil {
		return nil, err
	}
	viewer, _ := auth.ViewerFrom(ctx)
	l, err := r.Store.ListUserVideos(ctx, obj.ID, viewer.Store(), f, p)
	if err != nil {
		return nil, err
	}
	owner := *obj
	owner.Self = false
	conn := listConnection(l, r.userVideosCounter(obj.ID, viewer.Store(), f))
	for _, e := range conn.Edges {
		e.Node.JoinedOwner = &owner
	}
	return conn, nil
}

// node finds a Video the viewer may see (video(id)'s rule) or a User
// (hidden, like their videos, when an administrator disabled the account)
// by id; nil when there is none.
func (r *Resolver) node(ctx context.Context, id uuid.UUID, viewer store.Viewer) (model.Node, error) {
	v, err := r.Store.VideoForViewer(ctx, id, viewer)
	switch {
	case err == nil:
		return model.VideoFrom(v), nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	users, err := r.Store.UsersByIDs(ctx, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return r.nodeByPublicID(ctx, id, viewer)
	}
	if users[0].DisabledAt != nil && !viewer.IsAdmin {
		return nil, nil
	}
	return model.UserFrom(users[0]), nil
}
