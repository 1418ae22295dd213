package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Video.passthrough is the integrator's own value: the owner and
// administrators read it, anyone else who can read the video gets null.
func TestPassthroughIsTheOwnersToRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.signUp("admin@example.com", "Admin")
	owner := e.signUp("owner@example.com", "Owner")
	stranger := e.signUp("stranger@example.com", "Stranger")
	var created struct {
		CreateUpload struct{ Video struct{ ID string } }
	}
	e.decode(e.query(`mutation($in: CreateUploadInput!) { createUpload(input: $in) { video { id } } }`,
		map[string]any{"in": map[string]any{"title": "Trip", "filename": "trip.mp4", "size": 1000,
			"privacy": "PUBLIC", "passthrough": "order:42"}}, bearer(owner.Token)), &created)
	id := created.CreateUpload.Video.ID

	read := func(opts ...reqOpt) (found bool, passthrough *string) {
		t.Helper()
		var out struct {
			Video *struct {
				ID          string
				Passthrough *string
			}
		}
		e.decode(e.query(`query($id: ID!) { video(id: $id) { id passthrough } }`, map[string]any{"id": id}, opts...), &out)
		if out.Video == nil {
			return false, nil
		}
		return true, out.Video.Passthrough
	}
	for _, c := range []struct {
		who  string
		opts []reqOpt
		want *string
	}{
		{"owner", []reqOpt{bearer(owner.Token)}, ptr("order:42")},
		{"administrator", []reqOpt{bearer(admin.Token)}, ptr("order:42")},
		{"stranger", []reqOpt{bearer(stranger.Token)}, nil},
		{"anonymous", nil, nil},
	} {
		found, got := read(c.opts...)
		require.True(t, found, "%s reads the PUBLIC video", c.who)
		require.Equal(t, c.want, got, c.who)
	}
}
