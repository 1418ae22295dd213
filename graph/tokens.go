package graph

import (
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph/model"
	"github.com/clipcut/clipcut/store"
)

// apiTokenFrom turns a stored token into its GraphQL form.
func apiTokenFrom(t store.APIToken) *model.APIToken {
	scopes := make([]model.Scope, len(t.Scopes))
	for i, s := range t.Scopes {
		scopes[i] = model.Scope(auth.Scope(s).Enum())
	}
	return &model.APIToken{
		ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scopes: scopes,
		CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
	}
}
