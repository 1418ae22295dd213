package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

type listedPage struct {
	TotalCount *int
	Edges      []struct {
		Cursor string
		Node   struct{ ID, Title, Privacy, Status string }
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

func (p listedPage) ids() []string {
	var out []string
	for _, e := range p.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

const listFields = `totalCount edges { cursor node { id title privacy status } }
	pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`

// feed runs videos(...) with args and returns its page.
func (e *env) feed(args string, vars map[string]any, opts ...reqOpt) listedPage {
	e.t.Helper()
	var decl []string
	if strings.Contains(args, "$f") {
		decl = append(decl, "$f: VideoFilter")
	}
	if strings.Contains(args, "$c") {
		decl = append(decl, "$c: String")
	}
	q := `{ videos(` + args + `) { ` + listFields + ` } }`
	if len(decl) > 0 {
		q = `query(` + strings.Join(decl, ", ") + `) ` + q
	}
	var out struct{ Videos listedPage }
	e.decode(e.query(q, vars, opts...), &out)
	return out.Videos
}

// TestListingFiltersPagesBothWaysAndCounts lists the public feed and a
// user's videos with filters, backward and forward.
func TestListingFiltersPagesBothWaysAndCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner").Token
	other := e.signUp("other@example.com", "Other").Token
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Seven public videos, one a day (newest last), two private, one
	// unlisted; one public video is still processing.
	var public []string
	for i, id := range e.makeVideos("owner@example.com", 7, store.PrivacyPublic, true) {
		title := fmt.Sprintf("Holiday clip %d", i)
		if i%2 == 1 {
			title = fmt.Sprintf("Cooking 100%% pasta_%d", i)
		}
		_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET created_at = $2, title = $3 WHERE id = $1`, id, base.AddDate(0, 0, i), title)
		require.NoError(t, err)
		public = append([]string{id}, public...) // newest first
	}
	_, err := e.store.Pool().Exec(ctx, `UPDATE videos SET status = 'PROCESSING' WHERE id = $1`, public[0])
	require.NoError(t, err)
	private := e.makeVideos("owner@example.com", 2, store.PrivacyPrivate, true)
	e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)

	// Forward, and the page cap.
	all := e.feed(`first: 100`, nil)
	require.Equal(t, public, all.ids())
	require.Equal(t, 7, *all.TotalCount)
	for _, args := range []string{`first: 101`, `last: 101`, `last: 0`, `first: 2, last: 2`} {
		r := e.query(`{ videos(`+args+`) { edges { cursor } } }`, nil)
		require.Equal(t, "BAD_USER_INPUT", r.code(), args)
	}

	// Backward from the end, two at a time, gives the same list.
	var back []string
	var before any
	for range 10 {
		p := e.feed(`last: 2, before: $c`, map[string]any{"c": before})
		back = append(slices.Clone(p.ids()), back...)
		require.Equal(t, before != nil, p.PageInfo.HasNextPage)
		if !p.PageInfo.HasPreviousPage {
			break
		}
		before = *p.PageInfo.StartCursor
	}
	require.Equal(t, public, back)
	// last/before and first/after meet: the page before a cursor, then
	// the page after its start again.
	mid := all.Edges[3].Cursor
	p := e.feed(`last: 2, before: $c`, map[string]any{"c": mid})
	require.Equal(t, public[1:3], p.ids())
	require.True(t, p.PageInfo.HasPreviousPage)
	p = e.feed(`first: 2, after: $c`, map[string]any{"c": *p.PageInfo.EndCursor})
	require.Equal(t, public[3:5], p.ids())

	// Filters, each and together; totalCount follows the filter.
	for _, tc := range []struct {
		filter map[string]any
		want   []string
	}{
		{map[string]any{"search": "holiday"}, []string{public[0], public[2], public[4], public[6]}},
		{map[string]any{"search": "100% pasta_"}, []string{public[1], public[3], public[5]}},
		{map[string]any{"search": "100%% pasta"}, nil},
		{map[string]any{"status": "PROCESSING"}, public[:1]},
		{map[string]any{"status": "READY", "search": "HOLIDAY"}, []string{public[2], public[4], public[6]}},
		{map[string]any{"createdAfter": base.AddDate(0, 0, 2), "createdBefore": base.AddDate(0, 0, 4)}, []string{public[3], public[4]}},
		{map[string]any{"privacy": "PRIVATE"}, nil},
	} {
		p := e.feed(`first: 100, filter: $f`, map[string]any{"f": tc.filter})
		require.Equal(t, tc.want, p.ids(), "%v", tc.filter)
		require.Equal(t, len(tc.want), *p.TotalCount, "%v", tc.filter)
	}
	p = e.feed(`first: 2, filter: $f`, map[string]any{"f": map[string]any{"search": "holiday"}})
	require.Equal(t, 4, *p.TotalCount, "the whole list, not the page")
	require.True(t, p.PageInfo.HasNextPage)
	r := e.query(`query($f: VideoFilter) { videos(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"search": " "}})
	require.Equal(t, "BAD_USER_INPUT", r.code())

	// me.videos: the owner filters their private videos; another user
	// looking at the owner's list sees none.
	var me struct {
		Me struct {
			ID     string
			Videos listedPage
		}
	}
	e.decode(e.query(`query($f: VideoFilter) { me { id videos(first: 10, filter: $f) { `+listFields+` } } }`,
		map[string]any{"f": map[string]any{"privacy": "PRIVATE"}}, bearer(owner)), &me)
	require.ElementsMatch(t, private, me.Me.Videos.ids())
	require.Equal(t, 2, *me.Me.Videos.TotalCount)
	e.decode(e.query(`{ me { id videos(last: 3) { `+listFields+` } } }`, nil, bearer(owner)), &me)
	require.Equal(t, public[4:], me.Me.Videos.ids(), "the oldest three, newest first")
	require.Equal(t, 10, *me.Me.Videos.TotalCount)
	var node struct {
		Node struct {
			Name   string
			Videos listedPage
		}
	}
	q := `query($id: ID!, $f: VideoFilter) { node(id: $id) { ... on User { name videos(filter: $f) { ` + listFields + ` } } } }`
	e.decode(e.query(q, map[string]any{"id": me.Me.ID, "f": map[string]any{"privacy": "PRIVATE"}}, bearer(other)), &node)
	require.Equal(t, "Owner", node.Node.Name)
	require.Empty(t, node.Node.Videos.ids())
	require.Equal(t, 0, *node.Node.Videos.TotalCount)
}

// TestTotalCountCostsAQueryOnlyWhenSelected checks that the plain feed
// page sends no COUNT unless totalCount is asked for.
func TestTotalCountCostsAQueryOnlyWhenSelected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("owner@example.com", "Owner")
	e.makeVideos("owner@example.com", 60, store.PrivacyPublic, true)
	count := func(q string) int64 {
		before := e.queries.n.Load()
		r := e.query(q, nil)
		require.Empty(t, r.Errors)
		return e.queries.n.Load() - before
	}
	plain := count(`{ videos(first: 50) { edges { node { id title owner { name } } } pageInfo { endCursor } } }`)
	counted := count(`{ videos(first: 50) { totalCount edges { node { id title owner { name } } } pageInfo { endCursor } } }`)
	require.Equal(t, plain+1, counted)
}

// TestNodeFollowsVisibility looks videos and users up by id.
func TestNodeFollowsVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other").Token
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	const q = `query($id: ID!) { node(id: $id) { __typename id ... on Video { title } ... on User { name } } }`
	look := func(id string, opts ...reqOpt) string {
		r := e.query(q, map[string]any{"id": id}, opts...)
		require.Empty(t, r.Errors)
		return string(r.Data)
	}
	require.JSONEq(t, fmt.Sprintf(`{"node": {"__typename": "Video", "id": %q, "title": "owner@example.com 0"}}`, public), look(public))
	require.JSONEq(t, `{"node": null}`, look(private))
	require.JSONEq(t, `{"node": null}`, look(private, bearer(other)))
	require.Contains(t, look(private, bearer(owner.Token)), `"__typename":"Video"`)
	require.JSONEq(t, fmt.Sprintf(`{"node": {"__typename": "User", "id": %q, "name": "Owner"}}`, owner.User.ID), look(owner.User.ID))
	require.JSONEq(t, `{"node": null}`, look(zeroID))
}
