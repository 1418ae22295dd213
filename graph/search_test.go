package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// makeVideo adds a playable READY video with a title, description, length
// and age, and returns its id.
func (e *env) makeVideo(owner, title, description, privacy string, seconds float64, ageDays int) string {
	e.t.Helper()
	id := e.makeVideos(owner, 1, privacy, true)[0]
	_, err := e.store.Pool().Exec(context.Background(), `UPDATE videos SET title = $2, description = nullif($3, ''),
		duration_seconds = $4, created_at = now() - make_interval(days => $5) WHERE id = $1`,
		id, title, description, seconds, ageDays)
	require.NoError(e.t, err)
	return id
}

type searchResult struct {
	Search struct {
		Edges []struct {
			Cursor         string
			Rank           float64
			Node           struct{ ID, Title string }
			TitleHighlight []struct {
				Text  string
				Match bool
			}
			DescriptionHighlight []struct {
				Text  string
				Match bool
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

const searchDoc = `query($q: String!, $first: Int, $after: String, $filter: SearchFilter) {
	search(query: $q, first: $first, after: $after, filter: $filter) {
		edges { cursor rank node { id title } titleHighlight { text match } descriptionHighlight { text match } }
		pageInfo { hasNextPage endCursor } } }`

func (e *env) search(q string, vars map[string]any, opts ...reqOpt) searchResult {
	e.t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["q"] = q
	var out searchResult
	e.decode(e.query(searchDoc, vars, opts...), &out)
	return out
}

func ids(r searchResult) []string {
	var out []string
	for _, edge := range r.Search.Edges {
		out = append(out, edge.Node.ID)
	}
	return out
}

func TestSearchRanksTitleMatchesFirstAndStems(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("ann@example.com", "Ann")
	inDescription := e.makeVideo("ann@example.com", "A day at the beach", "We went sailing on a small boat.", store.PrivacyPublic, 60, 0)
	inTitle := e.makeVideo("ann@example.com", "Sailing lessons", "", store.PrivacyPublic, 60, 1)
	e.makeVideo("ann@example.com", "Cooking pasta", "Boil water first.", store.PrivacyPublic, 60, 0)

	r := e.search("sail", nil)
	require.Equal(t, []string{inTitle, inDescription}, ids(r), "english stemming finds sailing; the title match ranks first")
	require.Greater(t, r.Search.Edges[0].Rank, r.Search.Edges[1].Rank)

	// Words english drops as stop words still match as written.
	only := e.makeVideo("ann@example.com", "The Who live", "", store.PrivacyPublic, 60, 0)
	require.Equal(t, []string{only}, ids(e.search(`"the who"`, nil)))
	require.Empty(t, ids(e.search("sail -boat -lessons", nil)), "excluded words exclude")
}

func TestSearchHighlightsAreTextRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("ann@example.com", "Ann")
	// Markup in a title is text: it comes back as written, never as a match.
	e.makeVideo("ann@example.com", "<b>Kayak</b> trip \uE000x\uE001", "Paddling a kayak down the river, then lunch.", store.PrivacyPublic, 60, 0)

	r := e.search("kayak", nil)
	require.Len(t, r.Search.Edges, 1)
	edge := r.Search.Edges[0]
	var title, matched []string
	for _, run := range edge.TitleHighlight {
		title = append(title, run.Text)
		if run.Match {
			matched = append(matched, run.Text)
		}
	}
	require.Equal(t, "<b>Kayak</b> trip x", strings.Join(title, ""), "the whole title, private-use markers stripped")
	require.Equal(t, []string{"Kayak"}, matched)
	var desc []string
	for _, run := range edge.DescriptionHighlight {
		if run.Match {
			desc = append(desc, run.Text)
		}
	}
	require.Equal(t, []string{"kayak"}, desc)
}

func TestSearchNeverShowsOthersPrivateOrUnlistedVideos(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("admin@example.com", "Admin") // the first account is the administrator
	ann := e.signUp("ann@example.com", "Ann")
	bob := e.signUp("bob@example.com", "Bob")
	public := e.makeVideo("ann@example.com", "Volcano public", "", store.PrivacyPublic, 60, 0)
	private := e.makeVideo("ann@example.com", "Volcano private", "", store.PrivacyPrivate, 60, 0)
	unlisted := e.makeVideo("ann@example.com", "Volcano unlisted", "", store.PrivacyUnlisted, 60, 0)
	bobs := e.makeVideo("bob@example.com", "Volcano secret of Bob", "", store.PrivacyPrivate, 60, 0)
	notPlayable := e.makeVideos("ann@example.com", 1, store.PrivacyPublic, false)[0]
	_, err := e.store.Pool().Exec(context.Background(), `UPDATE videos SET title = 'Volcano processing' WHERE id = $1`, notPlayable)
	require.NoError(t, err)

	require.Equal(t, []string{public}, ids(e.search("volcano", nil)), "anonymous: public only")
	require.ElementsMatch(t, []string{public, private, unlisted}, ids(e.search("volcano", nil, bearer(ann.Token))), "the owner: her own, any privacy")
	require.ElementsMatch(t, []string{public, bobs}, ids(e.search("volcano", nil, bearer(bob.Token))), "another user: public and his own")
	admin := e.query(`mutation { logIn(input: {email: "admin@example.com", password: "correct horse battery"}) { token } }`, nil)
	var login struct{ LogIn struct{ Token string } }
	e.decode(admin, &login)
	require.Equal(t, []string{public}, ids(e.search("volcano", nil, bearer(login.LogIn.Token))), "administrators find no one's private videos")

	// A taken-down video, and every video of a disabled account, leave
	// search for everyone but their owner.
	takenDown := e.makeVideo("bob@example.com", "Volcano taken down", "", store.PrivacyPublic, 60, 0)
	_, err = e.store.Pool().Exec(context.Background(), `UPDATE videos SET taken_down_at = now(), takedown_reason = 'spam' WHERE id = $1`, takenDown)
	require.NoError(t, err)
	require.Equal(t, []string{public}, ids(e.search("volcano", nil)), "anonymous: a taken-down video is not found")
	require.ElementsMatch(t, []string{public, bobs, takenDown}, ids(e.search("volcano", nil, bearer(bob.Token))), "its owner still finds it")
	_, err = e.store.Pool().Exec(context.Background(), `UPDATE users SET disabled_at = now() WHERE email = 'ann@example.com'`)
	require.NoError(t, err)
	require.Empty(t, ids(e.search("volcano", nil)), "anonymous: a disabled account's videos are not found")
}

func TestSearchFiltersAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("ann@example.com", "Ann")
	short := e.makeVideo("ann@example.com", "Garden short", "", store.PrivacyPublic, 3*60, 0)
	medium := e.makeVideo("ann@example.com", "Garden medium", "", store.PrivacyPublic, 10*60, 3)
	long := e.makeVideo("ann@example.com", "Garden long", "", store.PrivacyPublic, 30*60, 100)
	old := e.makeVideo("ann@example.com", "Garden old", "", store.PrivacyPublic, 60, 400)

	filter := func(uploaded, length string) map[string]any {
		return map[string]any{"filter": map[string]any{"uploaded": uploaded, "length": length}}
	}
	require.ElementsMatch(t, []string{short, old}, ids(e.search("garden", filter("ANY", "SHORT"))))
	require.Equal(t, []string{medium}, ids(e.search("garden", filter("ANY", "MEDIUM"))))
	require.Equal(t, []string{long}, ids(e.search("garden", filter("ANY", "LONG"))))
	require.Equal(t, []string{short}, ids(e.search("garden", filter("TODAY", "ANY"))))
	require.ElementsMatch(t, []string{short, medium}, ids(e.search("garden", filter("WEEK", "ANY"))))
	require.ElementsMatch(t, []string{short, medium, long}, ids(e.search("garden", filter("YEAR", "ANY"))))

	// Pages of two cover all four once.
	var seen []string
	var after any
	for range 3 {
		r := e.search("garden", map[string]any{"first": 2, "after": after})
		seen = append(seen, ids(r)...)
		if !r.Search.PageInfo.HasNextPage {
			break
		}
		after = *r.Search.PageInfo.EndCursor
	}
	require.ElementsMatch(t, []string{short, medium, long, old}, seen)
	require.Len(t, seen, 4)

	for _, q := range []string{"", "   ", strings.Repeat("x", 201)} {
		res := e.query(searchDoc, map[string]any{"q": q})
		require.Equal(t, "BAD_USER_INPUT", res.code(), "query %q", q)
	}
	require.Equal(t, "BAD_USER_INPUT", e.query(searchDoc, map[string]any{"q": "garden", "after": "nope"}).code())
}

const channelDoc = `query($h: String!, $order: ChannelVideoOrder) { channel(handle: $h) {
	id name handle description videoCount
	channelVideos(order: $order) { edges { node { id viewCount } } pageInfo { hasNextPage } } } }`

type channelResult struct {
	Channel *struct {
		ID, Name, Handle, Description string
		VideoCount                    int
		ChannelVideos                 struct {
			Edges []struct {
				Node struct {
					ID        string
					ViewCount int
				}
			}
		}
	}
}

func TestChannelByHandleOrIDWithPublicVideos(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.signUp("ann@example.com", "Ann Lee")
	twin := e.signUp("ann2@example.com", "ANN lee!")
	accent := e.signUp("ann3@example.com", "Ann Lée")
	other := e.signUp("zh@example.com", "李")

	var handles struct {
		Me struct{ Handle string }
	}
	e.decode(e.query(`{ me { handle } }`, nil, bearer(ann.Token)), &handles)
	require.Equal(t, "ann-lee", handles.Me.Handle)
	e.decode(e.query(`{ me { handle } }`, nil, bearer(twin.Token)), &handles)
	require.Equal(t, "ann-lee-2", handles.Me.Handle, "the same name gets the next free number")
	e.decode(e.query(`{ me { handle } }`, nil, bearer(accent.Token)), &handles)
	require.Equal(t, "ann-l-e", handles.Me.Handle, "non-ASCII letters become hyphens")
	e.decode(e.query(`{ me { handle } }`, nil, bearer(other.Token)), &handles)
	require.Equal(t, "user", handles.Me.Handle, "a name with no ASCII letters")

	older := e.makeVideo("ann@example.com", "Old", "", store.PrivacyPublic, 60, 2)
	newer := e.makeVideo("ann@example.com", "New", "", store.PrivacyPublic, 60, 0)
	e.makeVideo("ann@example.com", "Private", "", store.PrivacyPrivate, 60, 0)
	e.makeVideo("ann@example.com", "Unlisted", "", store.PrivacyUnlisted, 60, 0)
	_, err := e.store.Pool().Exec(context.Background(), `UPDATE videos SET view_count = 7 WHERE id = $1`, older)
	require.NoError(t, err)

	for _, h := range []string{"ann-lee", "ANN-LEE", ann.User.ID} {
		var r channelResult
		// The owner sees the same channel as everyone.
		e.decode(e.query(channelDoc, map[string]any{"h": h}, bearer(ann.Token)), &r)
		require.NotNil(t, r.Channel, h)
		require.Equal(t, "Ann Lee", r.Channel.Name)
		require.Equal(t, 2, r.Channel.VideoCount)
		var got []string
		for _, edge := range r.Channel.ChannelVideos.Edges {
			got = append(got, edge.Node.ID)
		}
		require.Equal(t, []string{newer, older}, got, "newest first, public only")
	}
	var r channelResult
	e.decode(e.query(channelDoc, map[string]any{"h": "ann-lee", "order": "MOST_VIEWED"}), &r)
	require.Equal(t, older, r.Channel.ChannelVideos.Edges[0].Node.ID)
	require.Equal(t, 7, r.Channel.ChannelVideos.Edges[0].Node.ViewCount)

	for _, h := range []string{"nobody", "00000000-0000-0000-0000-000000000000", "../etc", ""} {
		var none channelResult
		e.decode(e.query(channelDoc, map[string]any{"h": h}), &none)
		require.Nil(t, none.Channel, h)
	}
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.signUp("ann@example.com", "Ann")
	e.signUp("bob@example.com", "Bob")
	const update = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { handle description } }`

	var out struct {
		UpdateProfile struct{ Handle, Description string }
	}
	e.decode(e.query(update, map[string]any{"in": map[string]any{"handle": " Annie ", "description": "Travel films."}}, bearer(ann.Token)), &out)
	require.Equal(t, "annie", out.UpdateProfile.Handle)
	require.Equal(t, "Travel films.", out.UpdateProfile.Description)

	var r channelResult
	e.decode(e.query(channelDoc, map[string]any{"h": "annie"}), &r)
	require.Equal(t, "Travel films.", r.Channel.Description)

	for _, tc := range []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"handle": "bob"}, "handle"},
		{map[string]any{"handle": "-x"}, "handle"},
		{map[string]any{"handle": strings.Repeat("a", 31)}, "handle"},
		{map[string]any{"description": strings.Repeat("é", 1001)}, "description"},
	} {
		res := e.query(update, map[string]any{"in": tc.in}, bearer(ann.Token))
		require.Equal(t, "BAD_USER_INPUT", res.code(), fmt.Sprint(tc.in))
		require.Equal(t, tc.field, res.Errors[0].Extensions["field"])
	}
	require.Equal(t, "UNAUTHENTICATED", e.query(update, map[string]any{"in": map[string]any{"description": "x"}}).code())
}
