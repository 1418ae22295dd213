package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
)

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(graph.SchemaSDL())})
	require.NoError(t, err)
	return s
}

// access is a field's declared access rule: "public", "session" or a
// scope enum value such as "VIDEOS_READ".
func access(t *testing.T, f *ast.FieldDefinition) (rule string, ok bool) {
	t.Helper()
	a, p := f.Directives.ForName("auth"), f.Directives.ForName("public")
	switch {
	case a != nil && p != nil:
		t.Errorf("%s has both @auth and @public", f.Name)
	case a != nil:
		scope, session := a.Arguments.ForName("scope"), a.Arguments.ForName("sessionOnly")
		switch {
		case scope != nil && session != nil:
			t.Errorf("%s: @auth takes a scope or sessionOnly, not both", f.Name)
		case scope != nil:
			return scope.Value.Raw, true
		case session != nil && session.Value.Raw == "true":
			return "session", true
		}
		t.Errorf("%s: a bare @auth decides nothing about API tokens (it admits sessions only); write @auth(scope: ...) or @auth(sessionOnly: true)", f.Name)
	case p != nil:
		if scope := p.Arguments.ForName("scope"); scope != nil {
			return scope.Value.Raw, true
		}
		return "public", true
	}
	return "", false
}

// TestEveryRootFieldDeclaresAccess walks the schema: every Query, Mutation
// and Subscription field must say, with @auth or @public, what API tokens
// need to call it, so no new field is left open to every token by accident.
func TestEveryRootFieldDeclaresAccess(t *testing.T) {
	s := loadSchema(t)
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if _, ok := access(t, f); !ok {
				t.Errorf("%s.%s declares no access rule: add @auth(scope: ...), @auth(sessionOnly: true), @public(scope: ...) or @public (see the top of graph/schema/schema.graphqls)", root.Name, f.Name)
			}
		}
	}
}

// TestScopeEnumMatchesAuthScopes keeps the GraphQL enum and the scope
// strings tokens store in step.
func TestScopeEnumMatchesAuthScopes(t *testing.T) {
	var enum []auth.Scope
	for _, v := range loadSchema(t).Types["Scope"].EnumValues {
		sc := auth.ScopeFromEnum(v.Name)
		require.True(t, sc.Valid(), "enum value %s has no scope in auth.Scopes", v.Name)
		require.Equal(t, v.Name, sc.Enum())
		enum = append(enum, sc)
	}
	require.ElementsMatch(t, auth.Scopes, enum)
}

// matrixRow is one operation of the scope matrix. vars may set up what
// the operation needs (it runs once per credential).
type matrixRow struct {
	field string // Type.field
	query string
	vars  func(e *env) map[string]any
}

var matrixSeq atomic.Int64

const zeroID = "00000000-0000-0000-0000-000000000000"

func scopeMatrix(owner string) []matrixRow {
	video := func(e *env) map[string]any {
		return map[string]any{"id": e.makeVideos(owner, 1, store.PrivacyPrivate, true)[0]}
	}
	return []matrixRow{
		{"Query.me", `{ me { id } }`, nil},
		{"Query.video", `query($id: ID!) { video(id: $id) { id } }`, video},
		{"Query.videos", `{ videos { edges { node { id } } } }`, nil},
		{"User.videos", `{ me { videos { edges { node { id } } } } }`, nil},
		{"Query.searchTranscripts", `{ searchTranscripts(query: "hello") { video { id } } }`, nil},
		{"Query.search", `{ search(query: "hello") { edges { node { id } } } }`, nil},
		{"Query.channel", `{ channel(handle: "owner") { id } }`, nil},
		{"User.videoCount", `{ channel(handle: "owner") { videoCount } }`, nil},
		{"User.channelVideos", `{ channel(handle: "owner") { channelVideos { edges { node { id } } } } }`, nil},
		{"Mutation.updateProfile", `mutation { updateProfile(input: {description: "About"}) { id } }`, nil},
		{"Query.apiTokens", `{ apiTokens { id } }`, nil},
		{"Mutation.signUp", `mutation($e: String!) { signUp(input: {email: $e, password: "long enough", name: "N"}) { token } }`,
			func(*env) map[string]any {
				return map[string]any{"e": fmt.Sprintf("m%d@example.com", matrixSeq.Add(1))}
			}},
		{"Mutation.logIn", `mutation($e: String!) { logIn(input: {email: $e, password: "correct horse battery"}) { token } }`,
			func(*env) map[string]any { return map[string]any{"e": owner} }},
		{"Mutation.logOut", `mutation { logOut }`, nil},
		{"Mutation.createUpload", `mutation { createUpload(input: {title: "t", size: 10}) { uploadUrl } }`, nil},
		{"Query.unfinishedUpload", `{ unfinishedUpload(filename: "a.mp4", size: 10) { uploadUrl } }`, nil},
		{"Mutation.importVideo", `mutation { importVideo(input: {url: "https://example.com/a.mp4"}) { id } }`, nil},
		{"Mutation.retryProcessing", `mutation($id: ID!) { retryProcessing(id: $id) { id } }`, video},
		{"Mutation.updateVideo", `mutation($id: ID!) { updateVideo(input: {id: $id, title: "new"}) { id } }`, video},
		{"Mutation.deleteVideo", `mutation($id: ID!) { deleteVideo(id: $id) }`, video},
		{"Mutation.rotatePublicId", `mutation($id: ID!) { rotatePublicId(videoId: $id) { id } }`, video},
		{"Mutation.createPlaybackToken", `mutation($id: ID!) { createPlaybackToken(videoId: $id) { token } }`, video},
		{"Query.playbackTokens", `query($id: ID!) { playbackTokens(videoId: $id) { id } }`, video},
		{"Mutation.revokePlaybackToken", `mutation { revokePlaybackToken(id: "` + zeroID + `") }`, nil},
		{"Query.node", `query($id: ID!) { node(id: $id) { id } }`, video},
		{"Mutation.updateSubtitles", `mutation($id: ID!) { updateSubtitles(videoId: $id, language: "en", vtt: "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n") { language } }`, video},
		{"Mutation.uploadSubtitles", `mutation($id: ID!) { uploadSubtitles(videoId: $id, language: "fr", content: "WEBVTT\n\n00:00.000 --> 00:01.000\nsalut\n") { language } }`, video},
		{"Mutation.regenerateSubtitles", `mutation($id: ID!) { regenerateSubtitles(videoId: $id) { id } }`, video},
		{"Mutation.setPoster", `mutation($id: ID!) { setPoster(input: {videoId: $id, time: 0}) { id } }`, video},
		{"Mutation.createClip", `mutation($id: ID!) { createClip(input: {videoId: $id, start: 0, end: 1}) { id } }`, video},
		{"Mutation.editVideo", `mutation($id: ID!) { editVideo(input: {videoId: $id, keep: null}) { id } }`, video},
		{"Mutation.setChapters", `mutation($id: ID!) { setChapters(videoId: $id, chapters: null) { id } }`, video},
		{"Mutation.createApiToken", `mutation { createApiToken(name: "n", scopes: [VIDEOS_READ]) { token } }`, nil},
		{"Mutation.revokeApiToken", `mutation { revokeApiToken(id: "00000000-0000-0000-0000-000000000000") }`, nil},
		{"Subscription.videoProgress", `subscription($id: ID!) { videoProgress(id: $id) { status } }`, video},
		{"Query.videoAnalytics", `query($id: ID!) { videoAnalytics(videoId: $id) { totals { views } } }`, video},
		{"Query.channelAnalytics", `{ channelAnalytics { totals { views } } }`, nil},
		{"Query.instanceAnalytics", `{ instanceAnalytics { totals { views } } }`, nil},
		{"Mutation.reportPlaybackEvents", `mutation($id: ID!) { reportPlaybackEvents(batch: {videoId: $id, viewerId: "viewer-1", sessionId: "session-1", seq: 1,
			events: [{seq: 1, type: LOAD, t: 0, position: 0}]}) { accepted } }`, video},
		{"Subscription.liveViewers", `subscription($id: ID!) { liveViewers(videoId: $id) { count } }`, video},
		// Unknown ids are fine here: NOT_FOUND is an answer past the
		// access check, which is what the matrix is about.
		{"Query.webhooks", `{ webhooks { id } }`, nil},
		{"Query.webhookDeliveries", `{ webhookDeliveries(webhookId: "` + zeroID + `") { edges { node { id } } } }`, nil},
		{"Mutation.createWebhook", `mutation { createWebhook(input: {url: "https://hooks.example.com/x", events: [VIDEO_READY]}) { secret } }`, nil},
		{"Mutation.updateWebhook", `mutation { updateWebhook(input: {id: "` + zeroID + `", active: false}) { id } }`, nil},
		{"Mutation.deleteWebhook", `mutation { deleteWebhook(id: "` + zeroID + `") }`, nil},
		{"Mutation.testWebhook", `mutation { testWebhook(id: "` + zeroID + `") { id } }`, nil},
		{"Mutation.redeliverWebhook", `mutation { redeliverWebhook(deliveryId: "` + zeroID + `") { id } }`, nil},
		{"Mutation.rotateWebhookSecret", `mutation { rotateWebhookSecret(id: "` + zeroID + `") { secret } }`, nil},
		// Administration (admin.graphqls): the owner is the first account,
		// an administrator.
		{"Query.adminOverview", adminFields["adminOverview"], nil},
		{"Query.adminUsers", adminFields["adminUsers"], nil},
		{"Query.adminVideos", adminFields["adminVideos"], nil},
		{"Query.reports", adminFields["reports"], nil},
		{"Query.auditLog", adminFields["auditLog"], nil},
		{"Mutation.setUserDisabled", adminFields["setUserDisabled"], nil},
		{"Mutation.setUserAdmin", adminFields["setUserAdmin"], nil},
		{"Mutation.takeDownVideo", adminFields["takeDownVideo"], nil},
		{"Mutation.restoreVideo", adminFields["restoreVideo"], nil},
		{"Mutation.resolveReport", adminFields["resolveReport"], nil},
		{"Mutation.setUserLimits", adminFields["setUserLimits"], nil},
		{"Mutation.adminDeleteVideo", adminFields["adminDeleteVideo"], nil},
		{"Mutation.answerTakedownAppeal", adminFields["answerTakedownAppeal"], nil},
		{"Mutation.reportVideo", `mutation($id: ID!) { reportVideo(videoId: $id, reason: SPAM) }`, video},
		{"Mutation.appealTakedown", `mutation($id: ID!) { appealTakedown(videoId: $id, message: "Please") { id } }`, video},
	}
}

// TestScopeMatrixCoversEveryRootField makes a new root field fail until it
// has a row in the scope matrix.
func TestScopeMatrixCoversEveryRootField(t *testing.T) {
	s := loadSchema(t)
	var covered []string
	for _, r := range scopeMatrix("") {
		covered = append(covered, r.field)
	}
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		for _, f := range root.Fields {
			if !strings.HasPrefix(f.Name, "__") && !slices.Contains(covered, root.Name+"."+f.Name) {
				t.Errorf("%s.%s has no row in scopeMatrix (graph/access_test.go): add one", root.Name, f.Name)
			}
		}
	}
}

// TestScopeMatrix runs every operation with an API token of each scope, a
// session and no credentials, and checks each is allowed or refused
// exactly as the schema declares: FORBIDDEN for a token without the scope
// (or on a session-only field), UNAUTHENTICATED for anonymous on @auth.
func TestScopeMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const owner = "owner@example.com"
	session := e.signUp(owner, "Owner").Token
	tokens := map[auth.Scope]string{}
	for _, sc := range auth.Scopes {
		tokens[sc] = e.createToken(session, "only "+string(sc), []string{sc.Enum()}, nil)
	}
	s := loadSchema(t)
	fieldDef := func(name string) *ast.FieldDefinition {
		typ, field, _ := strings.Cut(name, ".")
		return s.Types[typ].Fields.ForName(field)
	}

	for _, row := range scopeMatrix(owner) {
		rule, ok := access(t, fieldDef(row.field))
		require.True(t, ok, row.field)
		run := func(cred string) gqlResponse {
			var vars map[string]any
			if row.vars != nil {
				vars = row.vars(e)
			}
			if strings.HasPrefix(row.field, "Subscription.") {
				return e.subscribeOnce(row.query, vars, cred)
			}
			var opts []reqOpt
			if cred != "" {
				opts = append(opts, bearer(cred))
			}
			return e.query(row.query, vars, opts...)
		}

		// A fresh session each time: logOut ends the one it is sent with.
		r := run(e.logIn(owner))
		require.NotContains(t, []string{"FORBIDDEN", "UNAUTHENTICATED"}, r.code(), "%s with a session: %+v", row.field, r.Errors)

		r = run("")
		if fieldDef(row.field).Directives.ForName("public") != nil {
			require.NotContains(t, []string{"FORBIDDEN", "UNAUTHENTICATED"}, r.code(), "%s anonymous: %+v", row.field, r.Errors)
		} else {
			require.Equal(t, "UNAUTHENTICATED", r.code(), "%s anonymous", row.field)
		}

		for _, sc := range auth.Scopes {
			r := run(tokens[sc])
			allowed := rule == "public" || rule == sc.Enum()
			if allowed {
				require.NotEqual(t, "FORBIDDEN", r.code(), "%s with a %s token: %+v", row.field, sc, r.Errors)
				continue
			}
			require.Equal(t, "FORBIDDEN", r.code(), "%s with a %s token must be refused", row.field, sc)
			if rule == "session" {
				require.Contains(t, r.Errors[0].Message, "API tokens cannot")
			} else {
				require.Contains(t, r.Errors[0].Message, string(auth.ScopeFromEnum(rule)), "the error names the missing scope")
			}
		}
	}
}

func (e *env) logIn(email string) string {
	e.t.Helper()
	var out struct{ LogIn struct{ Token string } }
	e.decode(e.query(`mutation($e: String!) { logIn(input: {email: $e, password: "correct horse battery"}) { token } }`,
		map[string]any{"e": email}), &out)
	return out.LogIn.Token
}

// subscribeOnce starts a subscription over graphql-transport-ws and
// returns its first result (data or errors).
func (e *env) subscribeOnce(query string, vars map[string]any, cred string) gqlResponse {
	e.t.Helper()
	var init map[string]any
	if cred != "" {
		init = map[string]any{"Authorization": "Bearer " + cred}
	}
	c := e.dialWS("graphql-transport-ws", init)
	defer c.conn.CloseNow()
	keepAlives := 0
	require.Equal(e.t, "connection_ack", c.next(&keepAlives).Type)
	q, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{ID: "1", Type: "subscribe", Payload: q})
	m := c.next(&keepAlives)
	var out gqlResponse
	switch m.Type {
	case "next":
		require.NoError(e.t, json.Unmarshal(m.Payload, &out))
	case "error":
		require.NoError(e.t, json.Unmarshal(m.Payload, &out.Errors))
	default:
		e.t.Fatalf("unexpected %s message", m.Type)
	}
	return out
}

const createTokenMutation = `mutation($n: String!, $s: [Scope!]!, $x: Time) {
	createApiToken(name: $n, scopes: $s, expiresAt: $x) {
		token apiToken { id name prefix scopes createdAt lastUsedAt expiresAt } } }`

func (e *env) createToken(session, name string, scopes []string, expires *time.Time) string {
	e.t.Helper()
	var out struct{ CreateApiToken struct{ Token string } }
	e.decode(e.query(createTokenMutation, map[string]any{"n": name, "s": scopes, "x": expires}, bearer(session)), &out)
	return out.CreateApiToken.Token
}

func TestAPITokenLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	session := e.signUp("ada@example.com", "Ada").Token
	other := e.signUp("bob@example.com", "Bob").Token

	// Created: the secret once, with the documented shape.
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	var created struct {
		CreateApiToken struct {
			Token    string
			APIToken struct {
				ID, Name, Prefix string
				Scopes           []string
				LastUsedAt       *time.Time
				ExpiresAt        *time.Time
			} `json:"apiToken"`
		}
	}
	e.decode(e.query(createTokenMutation, map[string]any{"n": " CI ", "s": []string{"VIDEOS_READ", "UPLOADS_WRITE", "VIDEOS_READ"}, "x": expires},
		bearer(session)), &created)
	secret, tok := created.CreateApiToken.Token, created.CreateApiToken.APIToken
	require.Regexp(t, "^"+strings.TrimPrefix(auth.APITokenPattern, `\b`), secret)
	require.Equal(t, secret[:12], tok.Prefix)
	require.Equal(t, "CI", tok.Name)
	require.Equal(t, []string{"VIDEOS_READ", "UPLOADS_WRITE"}, tok.Scopes, "duplicates dropped, order kept")
	require.Nil(t, tok.LastUsedAt)
	require.True(t, expires.Equal(*tok.ExpiresAt))

	// It authenticates as its owner; the use is recorded.
	var me struct{ Me struct{ Email string } }
	e.decode(e.query(`{ me { email } }`, nil, bearer(secret)), &me)
	require.Equal(t, "ada@example.com", me.Me.Email)

	// Listed without the secret, to the owner only.
	list := e.query(`{ apiTokens { id prefix scopes lastUsedAt } }`, nil, bearer(session))
	require.Empty(t, list.Errors)
	require.NotContains(t, string(list.Data), secret)
	require.Contains(t, string(list.Data), tok.Prefix)
	require.NotContains(t, string(list.Data), `"lastUsedAt":null`)
	require.JSONEq(t, `{"apiTokens":[]}`, string(e.query(`{ apiTokens { id } }`, nil, bearer(other)).Data))

	// An API token cannot mint tokens or list them.
	require.Equal(t, "FORBIDDEN", e.query(createTokenMutation, map[string]any{"n": "x", "s": []string{"VIDEOS_READ"}}, bearer(secret)).code())

	// Bad input names the field.
	for _, tc := range []struct {
		name, field string
		vars        map[string]any
	}{
		{"empty name", "name", map[string]any{"n": "  ", "s": []string{"VIDEOS_READ"}}},
		{"no scopes", "scopes", map[string]any{"n": "x", "s": []string{}}},
		{"past expiry", "expiresAt", map[string]any{"n": "x", "s": []string{"VIDEOS_READ"}, "x": time.Now().Add(-time.Minute)}},
	} {
		r := e.query(createTokenMutation, tc.vars, bearer(session))
		require.Equal(t, "BAD_USER_INPUT", r.code(), tc.name)
		require.Equal(t, tc.field, r.Errors[0].Extensions["field"], tc.name)
	}

	// Someone else cannot revoke it; its owner can, and then it is dead.
	revoke := `mutation($id: ID!) { revokeApiToken(id: $id) }`
	require.JSONEq(t, `{"revokeApiToken":false}`, string(e.query(revoke, map[string]any{"id": tok.ID}, bearer(other)).Data))
	require.JSONEq(t, `{"revokeApiToken":true}`, string(e.query(revoke, map[string]any{"id": tok.ID}, bearer(session)).Data))
	require.Equal(t, "UNAUTHENTICATED", e.query(`{ me { id } }`, nil, bearer(secret)).code())
	require.JSONEq(t, `{"apiTokens":[]}`, string(e.query(`{ apiTokens { id } }`, nil, bearer(session)).Data))
	require.JSONEq(t, `{"revokeApiToken":false}`, string(e.query(revoke, map[string]any{"id": tok.ID}, bearer(session)).Data))

	// An expired token is refused.
	short := e.createToken(session, "short", []string{"VIDEOS_READ"}, ptr(time.Now().Add(time.Second)))
	time.Sleep(1100 * time.Millisecond)
	require.Equal(t, "UNAUTHENTICATED", e.query(`{ me { id } }`, nil, bearer(short)).code())
}

func ptr[T any](v T) *T { return &v }

// TestTusChecksTheUploadsScope: creating a tus upload, and sending its
// bytes with the token instead of the capability URL, need uploads:write.
func TestTusChecksTheUploadsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	session := e.signUp("ada@example.com", "Ada").Token
	read := e.createToken(session, "read", []string{"VIDEOS_READ"}, nil)
	write := e.createToken(session, "write", []string{"UPLOADS_WRITE"}, nil)

	post := func(token string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/uploads/", nil)
		require.NoError(t, err)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", "4")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusForbidden, post(read).StatusCode)
	resp := post(write)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.NotEmpty(t, loc)
	if !strings.HasPrefix(loc, "http") {
		loc = e.srv.URL + loc
	}

	patch := func(token string) int {
		req, err := http.NewRequest(http.MethodPatch, loc, strings.NewReader("abcd"))
		require.NoError(t, err)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusForbidden, patch(read))
	require.Equal(t, http.StatusNoContent, patch(write))
}
