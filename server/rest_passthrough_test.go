package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// A video's passthrough is the integrator's own value: REST answers carry
// it to the owner and administrators and leave it out for anyone else,
// as GraphQL's Video.passthrough is null for them.
func TestRESTPassthroughIsTheOwnersToRead(t *testing.T) {
	t.Parallel()
	p := startClipcut(t, traversableTempDir(t))
	p.waitReady(t)
	signUp := func(email string) string {
		res, _ := p.graphql(t, fmt.Sprintf(`mutation { signUp(input: {email: %q, password: "correct horse", name: "N"}) { token } }`, email))
		return res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	}
	admin, owner, stranger := signUp("admin@example.com"), signUp("ada@example.com"), signUp("bob@example.com")
	res, _ := p.graphql(t, `mutation { createUpload(input: {title: "Trip", filename: "trip.mp4", size: 1000, privacy: PUBLIC, passthrough: "order:42"}) { video { id } } }`,
		"Authorization", "Bearer "+owner)
	id := res["data"].(map[string]any)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string)

	_, _, doc := p.request(t, http.MethodGet, "/api/openapi.json", "", "", nil)
	o := newOpenAPIChecker(t, doc)
	for _, path := range []string{"/videos/{id}", "/api/v1/videos/{id}/status"} {
		url := "/videos/" + id
		if path != "/videos/{id}" {
			url = "/api/v1/videos/" + id + "/status"
		}
		for _, c := range []struct {
			who, token string
			shown      bool
		}{
			{"owner", owner, true},
			{"administrator", admin, true},
			{"stranger", stranger, false},
			{"anonymous", "", false},
		} {
			code, header, b := p.request(t, http.MethodGet, url, c.token, "", nil)
			require.Equal(t, http.StatusOK, code, "%s: %s reads the PUBLIC video: %s", path, c.who, b)
			o.check(t, http.MethodGet, path, code, header, b)
			var out map[string]any
			require.NoError(t, json.Unmarshal(b, &out))
			got, ok := out["passthrough"]
			if c.shown {
				require.Equal(t, "order:42", got, "%s: %s", path, c.who)
			} else {
				require.False(t, ok, "%s: %s must not see passthrough: %s", path, c.who, b)
			}
		}
	}
}
