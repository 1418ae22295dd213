package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

func TestUpdateVideoSetsEmbedOriginsForItsOwnerOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]

	const update = `mutation($id: ID!, $o: [String!]) { updateVideo(input: {id: $id, embedOrigins: $o}) { title embedOrigins } }`
	r := e.query(update, map[string]any{"id": id, "o": []string{"https://Blog.example.com/", "http://127.0.0.1:8443"}}, bearer(owner.Token))
	var out struct {
		UpdateVideo struct {
			Title        string
			EmbedOrigins []string
		}
	}
	e.decode(r, &out)
	require.Equal(t, []string{"https://blog.example.com", "http://127.0.0.1:8443"}, out.UpdateVideo.EmbedOrigins)

	// A title change keeps the origins; a bad origin changes nothing.
	e.decode(e.query(`mutation($id: ID!) { updateVideo(input: {id: $id, title: "Renamed"}) { embedOrigins } }`, map[string]any{"id": id}, bearer(owner.Token)), &out)
	require.Len(t, out.UpdateVideo.EmbedOrigins, 2)
	r = e.query(update, map[string]any{"id": id, "o": []string{"https://ok.example", "https://*.example.com"}}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "embedOrigins", r.Errors[0].Extensions["field"])
	require.Equal(t, "FORBIDDEN", e.query(update, map[string]any{"id": id, "o": []string{}}, bearer(other.Token)).code())

	// Others see no list; the owner sees it, and [] lets any site embed again.
	const get = `query($id: ID!) { video(id: $id) { embedOrigins } }`
	var got struct {
		Video struct{ EmbedOrigins []string }
	}
	r = e.query(get, map[string]any{"id": id}, bearer(other.Token))
	require.JSONEq(t, `{"video":{"embedOrigins":null}}`, string(r.Data))
	e.decode(e.query(get, map[string]any{"id": id}, bearer(owner.Token)), &got)
	require.Equal(t, []string{"https://blog.example.com", "http://127.0.0.1:8443"}, got.Video.EmbedOrigins)
	r = e.query(update, map[string]any{"id": id, "o": []string{}}, bearer(owner.Token))
	require.JSONEq(t, `{"updateVideo":{"title":"Renamed","embedOrigins":[]}}`, string(r.Data))
}
