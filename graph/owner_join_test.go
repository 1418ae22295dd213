package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// A video's owner comes with the video's own query (a join), or is the
// user whose videos are listed: no second query, no dataloader wait, and
// the email still shown only to its owner.
func TestOwnerReadWithTheVideo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ada := e.signUp("ada@example.com", "Ada")
	bob := e.signUp("bob@example.com", "Bob")
	id := e.makeVideos("ada@example.com", 3, store.PrivacyPublic, true)[0]

	// Anonymous: no session to look up, so the query is the only one.
	before := e.queries.n.Load()
	var one struct {
		Video struct{ Owner struct{ Name string } }
	}
	e.decode(e.query(`query($id: ID!) { video(id: $id) { title owner { name } } }`, map[string]any{"id": id}), &one)
	require.Equal(t, "Ada", one.Video.Owner.Name)
	require.Equal(t, int64(1), e.queries.n.Load()-before, "the video and its owner in one query")

	before = e.queries.n.Load()
	var feed struct {
		Videos struct {
			Edges []struct {
				Node struct{ Owner struct{ Name string } }
			}
		}
	}
	e.decode(e.query(`{ videos(first: 10) { edges { node { owner { name } } } } }`, nil), &feed)
	require.Len(t, feed.Videos.Edges, 3)
	for _, edge := range feed.Videos.Edges {
		require.Equal(t, "Ada", edge.Node.Owner.Name)
	}
	require.Equal(t, int64(1), e.queries.n.Load()-before, "the page and its owners in one query")

	type owned struct {
		Edges []struct {
			Node struct {
				Owner struct {
					ID    string
					Email *string
				}
			}
		}
	}
	var mine struct{ Me struct{ Videos owned } }
	e.decode(e.query(`{ me { videos(first: 10) { edges { node { owner { id email } } } } } }`, nil, bearer(ada.Token)), &mine)
	require.Len(t, mine.Me.Videos.Edges, 3)
	for _, edge := range mine.Me.Videos.Edges {
		require.Equal(t, ada.User.ID, edge.Node.Owner.ID)
		require.NotNil(t, edge.Node.Owner.Email)
		require.Equal(t, "ada@example.com", *edge.Node.Owner.Email)
	}
	var theirs struct {
		Video struct{ Owner struct{ Videos owned } }
	}
	e.decode(e.query(`query($id: ID!) { video(id: $id) { owner { videos(first: 10) { edges { node { owner { id email } } } } } } }`,
		map[string]any{"id": id}, bearer(bob.Token)), &theirs)
	require.Len(t, theirs.Video.Owner.Videos.Edges, 3)
	for _, edge := range theirs.Video.Owner.Videos.Edges {
		require.Equal(t, ada.User.ID, edge.Node.Owner.ID)
		require.Nil(t, edge.Node.Owner.Email, "another user's email is never shown")
	}
}
