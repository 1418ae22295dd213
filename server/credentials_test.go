package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
)

// credentialCase is one kind of credential a request can present.
type credentialCase struct {
	name string
	set  func(*http.Request)
	// refused: the credential is presented and invalid, so every API
	// answers 401 UNAUTHENTICATED.
	refused bool
	// cookie: the credential is a session cookie, which the refusal clears.
	cookie bool
}

// TestOneRuleForCredentialsOnEveryAPI: against a real clipcut process,
// every entry point that reads credentials treats "none" as anonymous and
// a presented but invalid, revoked or logged-out credential as 401
// UNAUTHENTICATED in its own JSON shape, never as anonymous.
func TestOneRuleForCredentialsOnEveryAPI(t *testing.T) {
	t.Parallel()
	p := startClipcut(t, traversableTempDir(t))
	p.waitReady(t)

	res, _ := p.graphql(t, `mutation { signUp(input: {email: "ada@example.com", password: "correct horse", name: "Ada"}) { token } }`)
	session := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	res, _ = p.graphql(t, `mutation { createApiToken(name: "ci", scopes: [VIDEOS_READ, UPLOADS_WRITE]) { token apiToken { id } } }`,
		"Authorization", "Bearer "+session)
	created := res["data"].(map[string]any)["createApiToken"].(map[string]any)
	revoked := created["token"].(string)
	res, _ = p.graphql(t, `mutation { revokeApiToken(id: "`+created["apiToken"].(map[string]any)["id"].(string)+`") }`,
		"Authorization", "Bearer "+session)
	require.Equal(t, true, res["data"].(map[string]any)["revokeApiToken"])
	// A stale browser session: signed up, then logged out.
	res, _ = p.graphql(t, `mutation { signUp(input: {email: "bob@example.com", password: "correct horse", name: "Bob"}) { token } }`)
	stale := res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	res, _ = p.graphql(t, `mutation { logOut }`, "Authorization", "Bearer "+stale)
	require.Equal(t, true, res["data"].(map[string]any)["logOut"])

	// Ada's private video, still waiting for its bytes.
	res, _ = p.graphql(t, `mutation { createUpload(input: {title: "Clip", filename: "clip.mp4", size: 1000, privacy: PRIVATE}) { uploadUrl video { id } } }`,
		"Authorization", "Bearer "+session)
	up := res["data"].(map[string]any)["createUpload"].(map[string]any)
	id := up["video"].(map[string]any)["id"].(string)
	uploadURL, _, _ := strings.Cut(up["uploadUrl"].(string), "?") // without its capability

	creds := []credentialCase{
		{name: "none", set: func(*http.Request) {}},
		{name: "valid", set: bearer(session)},
		{name: "revoked api token", set: bearer(revoked), refused: true},
		{name: "garbage token", set: bearer("garbage"), refused: true},
		{name: "empty bearer", set: func(r *http.Request) { r.Header.Set("Authorization", "Bearer") }, refused: true},
		{name: "logged-out session cookie", set: func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: stale})
		}, refused: true, cookie: true},
	}

	type answer struct {
		status int
		header http.Header
		body   []byte
	}
	do := func(method, url, contentType string, body []byte, hdr map[string]string, c credentialCase) answer {
		t.Helper()
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		require.NoError(t, err)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		c.set(req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return answer{resp.StatusCode, resp.Header, b}
	}
	base := "http://" + p.addr
	gqlBody := []byte(`{"query":"{ me { id } videos(first: 5) { edges { node { id } } } }"}`)
	tus := map[string]string{"Tus-Resumable": "1.0.0"}

	// restShape asserts {"error": {"code": code, "message": non-empty}}.
	restShape := func(t *testing.T, a answer, code string) {
		t.Helper()
		require.Contains(t, a.header.Get("Content-Type"), "application/json", "%s", a.body)
		var out struct {
			Error struct{ Code, Message string }
		}
		require.NoError(t, json.Unmarshal(a.body, &out), "%s", a.body)
		require.Equal(t, code, out.Error.Code, "%s", a.body)
		require.NotEmpty(t, out.Error.Message)
	}

	entries := []struct {
		name string
		call func(credentialCase) answer
		// check asserts the answer for a credential that is not refused.
		check func(t *testing.T, c credentialCase, a answer)
		// graphql: refusals use the GraphQL error shape.
		graphql bool
	}{
		{"POST /graphql", func(c credentialCase) answer {
			return do("POST", base+"/graphql", "application/json", gqlBody, nil, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			require.Equal(t, http.StatusOK, a.status, "%s", a.body)
			var out struct {
				Data   struct{ Me *struct{ ID string } }
				Errors []any
			}
			require.NoError(t, json.Unmarshal(a.body, &out))
			require.Empty(t, out.Errors)
			require.Equal(t, c.name == "valid", out.Data.Me != nil, "%s", a.body)
		}, true},
		{"GET /graphql", func(c credentialCase) answer {
			return do("GET", base+"/graphql?query=%7B%20me%20%7B%20id%20%7D%20%7D", "", nil, map[string]string{"Accept": "application/graphql-response+json"}, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			require.Equal(t, http.StatusOK, a.status, "%s", a.body)
			require.Equal(t, c.name == "valid", strings.Contains(string(a.body), `"id"`), "%s", a.body)
		}, true},
		{"GET /api/v1/videos/{id}/status", func(c credentialCase) answer {
			return do("GET", base+"/api/v1/videos/"+id+"/status", "", nil, nil, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusOK, a.status, "%s", a.body)
				require.Contains(t, string(a.body), `"status":"UPLOADING"`)
				return
			}
			require.Equal(t, http.StatusNotFound, a.status, "%s", a.body)
		}, false},
		{"GET /videos/{id}", func(c credentialCase) answer {
			return do("GET", base+"/videos/"+id, "", nil, nil, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusOK, a.status, "%s", a.body)
				return
			}
			require.Equal(t, http.StatusNotFound, a.status, "%s", a.body)
		}, false},
		{"tus POST (create)", func(c credentialCase) answer {
			return do("POST", base+"/uploads/", "", nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "1000",
				"Upload-Metadata": "filename Y2xpcC5tcDQ="}, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
				return
			}
			require.Equal(t, http.StatusUnauthorized, a.status, "%s", a.body)
			restShape(t, a, "UNAUTHENTICATED")
		}, false},
		{"tus HEAD without the capability", func(c credentialCase) answer {
			return do("HEAD", uploadURL, "", nil, tus, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusOK, a.status)
				return
			}
			require.Equal(t, http.StatusUnauthorized, a.status)
		}, false},
		{"tus PATCH without the capability", func(c credentialCase) answer {
			return do("PATCH", uploadURL, "application/offset+octet-stream", []byte("0123456789"),
				map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0"}, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusNoContent, a.status, "%s", a.body)
				return
			}
			require.Equal(t, http.StatusUnauthorized, a.status, "%s", a.body)
			restShape(t, a, "UNAUTHENTICATED")
		}, false},
		{"POST /upload", func(c credentialCase) answer {
			return do("POST", base+"/upload", "multipart/form-data; boundary=x", []byte("--x--\r\n"), nil, c)
		}, func(t *testing.T, c credentialCase, a answer) {
			if c.name == "valid" {
				require.Equal(t, http.StatusBadRequest, a.status, "an empty form, past authentication: %s", a.body)
				return
			}
			require.Equal(t, http.StatusUnauthorized, a.status, "%s", a.body)
			restShape(t, a, "UNAUTHENTICATED")
		}, false},
	}

	for _, e := range entries {
		for _, c := range creds {
			t.Run(e.name+"/"+c.name, func(t *testing.T) {
				a := e.call(c)
				if !c.refused {
					e.check(t, c, a)
					return
				}
				require.Equal(t, http.StatusUnauthorized, a.status, "%s", a.body)
				require.Contains(t, a.header.Get("WWW-Authenticate"), "invalid_token")
				if c.cookie {
					require.Contains(t, a.header.Get("Set-Cookie"), auth.CookieName+"=;", "a refused cookie is cleared")
				} else {
					require.Empty(t, a.header.Get("Set-Cookie"))
				}
				if e.name == "tus HEAD without the capability" {
					return // no body
				}
				if !e.graphql {
					restShape(t, a, "UNAUTHENTICATED")
					if strings.HasPrefix(e.name, "tus") {
						require.Equal(t, "1.0.0", a.header.Get("Tus-Resumable"))
					}
					return
				}
				var out map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(a.body, &out), "%s", a.body)
				require.NotContains(t, out, "data", "refused before execution")
				var errs []struct {
					Message    string
					Extensions struct{ Code string }
				}
				require.NoError(t, json.Unmarshal(out["errors"], &errs))
				require.Len(t, errs, 1)
				require.Equal(t, "UNAUTHENTICATED", errs[0].Extensions.Code)
				require.NotEmpty(t, errs[0].Message)
			})
		}
	}

	// The web app's pages read no credentials: a stale cookie still gets
	// the app (whose first query is then refused and clears the cookie).
	a := do("GET", base+"/", "", nil, nil, creds[5])
	require.Equal(t, http.StatusOK, a.status)

	// Websocket: bad credentials in the upgrade are refused before it;
	// bad credentials in connection_init close the socket 4403
	// UNAUTHENTICATED; none is an anonymous connection.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wsURL := "ws://" + p.addr + "/graphql"
	opts := func(h http.Header) *coderws.DialOptions {
		return &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h}
	}
	_, resp, err := coderws.Dial(ctx, wsURL, opts(http.Header{"Authorization": {"Bearer " + revoked}}))
	require.Error(t, err)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	initWith := func(payload map[string]any) (string, error) {
		conn, _, err := coderws.Dial(ctx, wsURL, opts(nil))
		require.NoError(t, err)
		defer conn.CloseNow()
		b, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": payload})
		require.NoError(t, conn.Write(ctx, coderws.MessageText, b))
		_, msg, err := conn.Read(ctx)
		return string(msg), err
	}
	msg, err := initWith(nil)
	require.NoError(t, err)
	require.Contains(t, msg, "connection_ack")
	msg, err = initWith(map[string]any{"Authorization": "Bearer " + session})
	require.NoError(t, err)
	require.Contains(t, msg, "connection_ack")
	for _, tok := range []string{revoked, "garbage", stale} {
		_, err = initWith(map[string]any{"Authorization": "Bearer " + tok})
		require.Error(t, err)
		require.Equal(t, coderws.StatusCode(4403), coderws.CloseStatus(err), err)
		var ce coderws.CloseError
		require.ErrorAs(t, err, &ce)
		require.True(t, strings.HasPrefix(ce.Reason, "UNAUTHENTICATED"), ce.Reason)
	}
}
