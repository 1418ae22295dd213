package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"

	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

type loadersKey struct{}

// loaders batch lookups made while resolving one request, so a page of N
// videos costs one query for their owners, not N.
type loaders struct {
	users *dataloader.Loader[uuid.UUID, *model.User]
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
		}, dataloader.WithWait[uuid.UUID, *model.User](time.Millisecond), dataloader.WithCache[uuid.UUID, *model.User](&dataloader.NoCache[uuid.UUID, *model.User]{})),
	}
}

// withLoaders gives every request its own loaders.
func withLoaders(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, newLoaders(s))))
	})
}

func loadUser(ctx context.Context, id uuid.UUID) (*model.User, error) {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok {
		return nil, errors.New("graph: no loaders in context")
	}
	return l.users.Load(ctx, id)()
}
