package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
)

// The fast path for plain video reads answers byte for byte what gqlgen
// answers (same status, same body), for the queries it takes and for those
// it hands back to gqlgen (errors, fields with resolvers or access rules
// of their own). Not parallel: it switches the fast path off and on, and
// counts the operations it served.
func TestFastReadsAnswerAsGqlgen(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com", "Ada <&> \"the first\"")
	bob := e.signUp("bob@example.com", "Bob")
	first := e.seedBenchVideos("ada@example.com", 12)
	ctx := context.Background()
	u, err := e.store.UserByEmail(ctx, "ada@example.com")
	require.NoError(t, err)

	// Odd values: strings gqlgen escapes differently from encoding/json,
	// floats in exponent form, nulls, a failed and an uploading video.
	var odd, uploading, private string
	require.NoError(t, e.store.Pool().QueryRow(ctx, `
		INSERT INTO videos (owner_id, title, description, status, privacy, playable, stage, percent, error,
			duration_seconds, renditions)
		VALUES ($1, $2, $3, 'FAILED', 'PUBLIC', true, 'failed', 12.5, $4, $5, $6) RETURNING id::text`,
		u.ID, "Tab\there \"quoted\" <b>&amp;</b> \\ é 😀 \u2028 \x01 \x1f end", "line\nbreak\r\n", "boom: \"x\"",
		1e21, []store.Rendition{{Name: "240p", Width: 426, Height: 240, Bandwidth: 1, AverageBandwidth: 0,
			Codecs: "avc1", FrameRate: 1e-7}}).Scan(&odd))
	require.NoError(t, e.store.Pool().QueryRow(ctx, `
		INSERT INTO videos (owner_id, title, status, privacy) VALUES ($1, 'Uploading', 'UPLOADING', 'PUBLIC')
		RETURNING id::text`, u.ID).Scan(&uploading))
	private = e.makeVideos("ada@example.com", 1, store.PrivacyPrivate, true)[0]
	writeOnly := e.createToken(ada.Token, "write only", []string{"VIDEOS_WRITE"}, nil)
	readToken := e.createToken(ada.Token, "read", []string{"VIDEOS_READ"}, nil)

	var page struct {
		Data struct {
			Videos struct{ PageInfo struct{ EndCursor string } }
		}
	}
	_, body := e.raw(t, http.MethodPost, `{ videos(first: 5) { pageInfo { endCursor } } }`, nil, ada.Token)
	require.NoError(t, json.Unmarshal(body, &page))
	cursor := page.Data.Videos.PageInfo.EndCursor
	require.NotEmpty(t, cursor)

	const frag = `fragment V on Video { __typename id title owner { ...U } } fragment U on User { __typename id name isAdmin createdAt }`
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		token string
		get   bool
		fast  bool
	}{
		{"video(id), the bench selection", `query($id: ID!) { video(id: $id) { ` + benchSelection + ` } }`,
			map[string]any{"id": first}, ada.Token, false, true},
		{"videos(first: 50), the bench selection", `query($n: Int) { videos(first: $n) { edges { cursor node { ` + benchSelection +
			` } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, map[string]any{"n": 50}, ada.Token, false, true},
		{"anonymous, default page size, second page", `query($a: String) { videos(after: $a) { edges { node { id title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
			map[string]any{"a": cursor}, "", false, true},
		{"aliases, fragments, __typename, duplicates merged, skip and include",
			`query($id: ID!, $yes: Boolean!, $no: Boolean!) { __typename a: video(id: $id) { ...V t: title title ... on Node { id }
			owner { name } renditions @include(if: $yes) { __typename name frameRate } processing @skip(if: $yes) { stage }
			duration @skip(if: $no) } b: videos(first: 3) { __typename edges { __typename node { ...V } } pageInfo { __typename endCursor } } } ` + frag,
			map[string]any{"id": first, "yes": true, "no": false}, bob.Token, false, true},
		{"odd values", `query($id: ID!) { video(id: $id) { ` + benchSelection + ` owner { createdAt isAdmin } } }`,
			map[string]any{"id": odd}, "", false, true},
		{"uploading: no processing, no duration", `query($id: ID!) { video(id: $id) { ` + benchSelection + ` } }`,
			map[string]any{"id": uploading}, "", false, true},
		{"unknown id is null", `{ video(id: "00000000-0000-0000-0000-000000000000") { id } }`, nil, "", false, true},
		{"private video, anonymous: null", `query($id: ID!) { video(id: $id) { id title } }`, map[string]any{"id": private}, "", false, true},
		{"private video, its owner", `query($id: ID!) { video(id: $id) { id title privacy } }`, map[string]any{"id": private}, ada.Token, false, true},
		{"private video, another user: null", `query($id: ID!) { video(id: $id) { id title privacy } }`, map[string]any{"id": private}, bob.Token, false, true},
		{"API token with videos:read", `query($id: ID!) { video(id: $id) { id title } }`, map[string]any{"id": private}, readToken, false, true},
		{"GET", `{ videos(first: 2) { edges { node { id } } } }`, nil, "", true, true},
		{"API token without videos:read: FORBIDDEN", `{ videos(first: 2) { edges { node { id } } } }`, nil, writeOnly, false, false},
		{"owner's email (a resolver, own rule)", `query($id: ID!) { video(id: $id) { owner { id email } } }`, map[string]any{"id": first}, ada.Token, false, false},
		{"embedOrigins (a resolver)", `query($id: ID!) { video(id: $id) { embedOrigins } }`, map[string]any{"id": first}, ada.Token, false, false},
		{"another root field", `{ me { id } videos(first: 1) { edges { node { id } } } }`, nil, ada.Token, false, false},
		{"bad id", `{ video(id: "nope") { id } }`, nil, "", false, false},
		{"bad page size", `{ videos(first: 500) { edges { node { id } } } }`, nil, "", false, false},
		{"bad cursor", `{ videos(after: "nope") { edges { node { id } } } }`, nil, "", false, false},
		{"@defer", `query($id: ID!) { video(id: $id) { id ... @defer { title } } }`, map[string]any{"id": first}, "", false, false},
		{"validation error", `{ video(id: "x") { nope } }`, nil, "", false, false},
		{"mutation", `mutation { logOut }`, nil, "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := http.MethodPost
			if c.get {
				method = http.MethodGet
			}
			graph.SetFastReads(false)
			slowStatus, slow := e.raw(t, method, c.query, c.vars, c.token)
			graph.SetFastReads(true)
			before := graph.FastReadsServed()
			fastStatus, fast := e.raw(t, method, c.query, c.vars, c.token)
			require.Equal(t, c.fast, graph.FastReadsServed() > before, "served by the fast path")
			require.Equal(t, slowStatus, fastStatus)
			require.Equal(t, string(slow), string(fast))
		})
	}
}

// raw sends one request through the handler and returns the status and
// the body as they are.
func (e *env) raw(t *testing.T, method, query string, vars map[string]any, token string) (int, []byte) {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		q := url.Values{"query": {query}}
		if vars != nil {
			b, err := json.Marshal(vars)
			require.NoError(t, err)
			q.Set("variables", string(b))
		}
		req = httptest.NewRequest(http.MethodGet, "/?"+q.Encode(), nil)
	} else {
		b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		require.NoError(t, err)
		req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

// Floats are written as gqlgen's Float marshaler writes them (fmt's %g).
func TestFastReadsFloatsAsGqlgen(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{0, -0.0, 1, 0.1, 29.97, 60.125, 1e20, 1e21, 1e-5, 1e-7, 123456789, 1.0 / 3, math.MaxFloat64,
		math.SmallestNonzeroFloat64, -2.5, 100} {
		require.Equal(t, fmt.Sprintf("%g", f), strconv.FormatFloat(f, 'g', -1, 64))
	}
}
