package graph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

type loadersKey struct{}

// loaders batch and cache lookups made while resolving one request, so a
// page of N videos costs one query for their owners, not N. They live for
// one request, so their cache never serves stale data for long.
type loaders struct {
	users  *dataloader.Loader[uuid.UUID, *model.User]
	tracks *dataloader.Loader[uuid.UUID, []store.SubtitleTrack]
	// appeals are taken-down videos' open appeals (nil: none).
	appeals *dataloader.Loader[uuid.UUID, *store.Appeal]
}

func newLoaders(s *store.Store) *loaders {
	return &loaders{
		users: dataloader.NewBatchedLoader(func(ctx context.Context, ids []uuid.UUID) []*dataloader.Result[*model.User] {
			users, err := s.UsersByIDs(ctx, ids)
			byID := make(map[uuid.UUID]store.User, len(users))
			for _, u := range users {
				byID[u.ID] = u
			}
			results := make([]*dataloader.Result[*model.User], len(ids))
			for i, id := range ids {
				switch u, ok := byID[id]; {
				case err != nil:
					results[i] = &dataloader.Result[*model.User]{Error: err}
				case !ok:
					results[i] = &dataloader.Result[*model.User]{Error: store.ErrNotFound}
				default:
					results[i] = &dataloader.Result[*model.User]{Data: model.UserFrom(u)}
				}
			}
			return results
		}, dataloader.WithWait[uuid.UUID, *model.User](time.Millisecond)),
		tracks: dataloader.NewBatchedLoader(func(ctx context.Context, ids []uuid.UUID) []*dataloader.Result[[]store.SubtitleTrack] {
			byVideo, err := s.SubtitleTracksByVideos(ctx, ids)
			results := make([]*dataloader.Result[[]store.SubtitleTrack], len(ids))
			for i, id := range ids {
				results[i] = &dataloader.Result[[]store.SubtitleTrack]{Data: byVideo[id], Error: err}
			}
			return results
		}, dataloader.WithWait[uuid.UUID, []store.SubtitleTrack](2*time.Millisecond)),
		appeals: dataloader.NewBatchedLoader(func(ctx context.Context, ids []uuid.UUID) []*dataloader.Result[*store.Appeal] {
			byVideo, err := s.TakedownAppeals(ctx, ids)
			results := make([]*dataloader.Result[*store.Appeal], len(ids))
			for i, id := range ids {
				results[i] = &dataloader.Result[*store.Appeal]{Error: err}
				if a, ok := byVideo[id]; ok {
					results[i].Data = &a
				}
			}
			return results
		}, dataloader.WithWait[uuid.UUID, *store.Appeal](2*time.Millisecond)),
	}
}

// lazyLoaders are a request's loaders, made on first use: most requests
// (and every idle websocket connection, which keeps its request's context
// for as long as it is open) never load a user or a subtitle track.
type lazyLoaders struct {
	store *store.Store
	once  sync.Once
	l     *loaders
}

// requestLoaders returns the loaders of ctx's request, making them on
// first use.
func requestLoaders(ctx context.Context) (*loaders, bool) {
	lazy, ok := ctx.Value(loadersKey{}).(*lazyLoaders)
	if !ok {
		return nil, false
	}
	lazy.once.Do(func() { lazy.l = newLoaders(lazy.store) })
	return lazy.l, true
}

func loadSubtitleTracks(ctx context.Context, id uuid.UUID) ([]store.SubtitleTrack, error) {
	l, ok := requestLoaders(ctx)
	if !ok {
		return nil, errors.New("graph: no loaders in context")
	}
	return l.tracks.Load(ctx, id)()
}

// loadTakedownAppeal is a video's open appeal (nil: none), batched with
// the other videos' of the request; outside a request (no loaders) it is
// one query.
func loadTakedownAppeal(ctx context.Context, s *store.Store, id uuid.UUID) (*store.Appeal, error) {
	l, ok := requestLoaders(ctx)
	if !ok {
		return s.TakedownAppeal(ctx, id)
	}
	return l.appeals.Load(ctx, id)()
}

// forgetTakedownAppeal drops a video's appeal from the request's loader
// after a mutation that changes it, so a later mutation of the same
// document reads it anew.
func forgetTakedownAppeal(ctx context.Context, id uuid.UUID) {
	if l, ok := requestLoaders(ctx); ok {
		l.appeals.Clear(ctx, id)
	}
}

// withLoaders gives every request its own loaders.
func withLoaders(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, &lazyLoaders{store: s})))
	})
}

// primeOwners loads the owners of videos (a page, or the one video(id)
// returns) in one query and primes the request's loader with them, so the
// owner field costs nothing more however the field resolvers are scheduled
// (batching by time window alone splits under load) and never waits for
// the loader's batching window.
func primeOwners(ctx context.Context, s *store.Store, videos []store.Video) error {
	if len(videos) == 0 {
		return nil
	}
	l, ok := requestLoaders(ctx)
	if !ok {
		return nil
	}
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	for _, v := range videos {
		if !seen[v.OwnerID] {
			seen[v.OwnerID] = true
			ids = append(ids, v.OwnerID)
		}
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, u := range users {
		l.users.Prime(ctx, u.ID, model.UserFrom(u))
	}
	return nil
}

// selects reports whether the operation asks the current field's object,
// one of the types satisfies names, for the named field (aliases and
// fragments included), so a resolver can fetch what a child field needs
// together with its own row.
func selects(ctx context.Context, name string, satisfies ...string) bool {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return false
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, satisfies) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// withJoinedOwners sets each node's JoinedOwner from owners, the rows the
// page's query read with the videos.
func withJoinedOwners(conn *model.VideoConnection, owners []store.User) *model.VideoConnection {
	byID := make(map[uuid.UUID]*model.User, len(owners))
	for _, u := range owners {
		byID[u.ID] = model.UserFrom(u)
	}
	for _, e := range conn.Edges {
		e.Node.JoinedOwner = byID[e.Node.OwnerID]
	}
	return conn
}

func loadUser(ctx context.Context, id uuid.UUID) (*model.User, error) {
	l, ok := requestLoaders(ctx)
	if !ok {
		return nil, errors.New("graph: no loaders in context")
	}
	return l.users.Load(ctx, id)()
}
