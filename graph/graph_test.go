package graph_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/analytics"
	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/jobs"
	"github.com/clipcut/clipcut/storage"
	"github.com/clipcut/clipcut/store"
	"github.com/clipcut/clipcut/store/storetest"
	"github.com/clipcut/clipcut/upload"
	"github.com/clipcut/clipcut/video"
)

// testLinks builds media URLs as the server would, under a fixed host.
type testLinks struct{}

func (testLinks) Prefix(_ context.Context, id uuid.UUID, privacy, publicID string) (string, *time.Time) {
	switch privacy {
	case "PRIVATE":
		exp := time.Now().Add(time.Hour)
		return "http://media.test/media/t/token/videos/" + id.String(), &exp
	case "UNLISTED":
		return "http://media.test/media/u/" + publicID + "/videos/" + id.String(), nil
	}
	return "http://media.test/media/videos/" + id.String(), nil
}

func (testLinks) Signed(_ context.Context, id uuid.UUID, ttl time.Duration) (string, string, time.Time) {
	return "token", "http://media.test/media/t/token/videos/" + id.String(), time.Now().Add(ttl)
}

func TestMain(m *testing.M) { storetest.Main(m) }

// queryCounter counts statements sent to Postgres.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

type env struct {
	t   testing.TB
	srv *httptest.Server
	// handler is what srv serves (auth middleware in front of /graphql),
	// for benchmarks that call it without a network round trip.
	handler http.Handler
	store   *store.Store
	queries *queryCounter
}

func newEnv(t testing.TB) *env {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(storetest.NewDatabase(t))
	require.NoError(t, err)
	qc := &queryCounter{}
	cfg.ConnConfig.Tracer = qc
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := auth.NewService(st, logger, time.Hour)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	notifier := store.NewNotifier(pool, logger)
	require.NoError(t, notifier.Start(ctx))
	t.Cleanup(notifier.Stop)
	hub := store.NewHub(notifier, logger)
	require.NoError(t, hub.Start(ctx))
	// Jobs are only inserted here (no workers): tests look at the queue.
	jobClient, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(t, err)
	signer, err := auth.NewSigner([][]byte{bytes.Repeat([]byte("k"), 32)})
	require.NoError(t, err)
	bucket, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	videos := video.New(video.Config{Store: st, Media: bucket, Queue: jobs.NewQueue(jobClient)})
	uploads, err := upload.New(upload.Config{Dir: t.TempDir(), Expiry: time.Hour,
		Limits:     store.Limits{MaxFileSize: 1 << 30, StorageQuota: 2 << 30, DailyUploads: 5},
		OnFinished: videos.StartProcessing}, st, videos, signer, logger)
	require.NoError(t, err)
	h := graph.NewHandler(&graph.Resolver{Store: st, Auth: svc, Hub: hub, Uploads: uploads, Videos: videos, Logger: logger,
		Media:     testLinks{},
		Analytics: analytics.NewIngester(st, logger, nil, analytics.IngestConfig{})},
		graph.Options{ComplexityLimit: 5000, DepthLimit: 12, KeepAlive: 200 * time.Millisecond})
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.Handle(upload.BasePath, uploads.Handler())
	handler := svc.Middleware(auth.MiddlewareOptions{Refuse: graph.WriteRefusal})(mux)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, handler: handler, store: st, queries: qc}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	status int
	header http.Header
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

type reqOpt func(*http.Request)

func bearer(token string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func cookie(c *http.Cookie) reqOpt { return func(r *http.Request) { r.AddCookie(c) } }

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (e *env) do(body any, opts ...reqOpt) gqlResponse {
	e.t.Helper()
	b, err := json.Marshal(body)
	require.NoError(e.t, err)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader(b))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out gqlResponse
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&out))
	out.status, out.header = resp.StatusCode, resp.Header
	return out
}

func (e *env) query(q string, vars map[string]any, opts ...reqOpt) gqlResponse {
	e.t.Helper()
	return e.do(map[string]any{"query": q, "variables": vars}, opts...)
}

func (e *env) decode(r gqlResponse, v any) {
	e.t.Helper()
	require.Empty(e.t, r.Errors)
	require.NoError(e.t, json.Unmarshal(r.Data, v))
}

const signUpMutation = `mutation($e: String!, $p: String!, $n: String!) {
	signUp(input: {email: $e, password: $p, name: $n}) { token user { id name email isAdmin } } }`

type authPayload struct {
	Token string `json:"token"`
	User  struct {
		ID      string  `json:"id"`
		Name    string  `json:"name"`
		Email   *string `json:"email"`
		IsAdmin bool    `json:"isAdmin"`
	} `json:"user"`
}

func (e *env) signUp(email, name string) authPayload {
	e.t.Helper()
	var out struct{ SignUp authPayload }
	e.decode(e.query(signUpMutation, map[string]any{"e": email, "p": "correct horse battery", "n": name}), &out)
	return out.SignUp
}

func TestSignUpRejectsBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("taken@example.com", "First")
	for _, tc := range []struct{ name, email, password, userName, field string }{
		{"invalid email", "not-an-email", "long enough", "N", "email"},
		{"email without domain dot", "a@localhost", "long enough", "N", "email"},
		{"display-name email", "Bob <bob@example.com>", "long enough", "N", "email"},
		{"short password", "a@example.com", "short", "N", "password"},
		{"empty name", "a@example.com", "long enough", "   ", "name"},
		{"duplicate email", "TAKEN@example.com", "long enough", "N", "email"},
	} {
		r := e.query(signUpMutation, map[string]any{"e": tc.email, "p": tc.password, "n": tc.userName})
		require.Equal(t, "BAD_USER_INPUT", r.code(), tc.name)
		require.Equal(t, tc.field, r.Errors[0].Extensions["field"], tc.name)
	}
}

func TestFirstAccountIsAdminAndSeesOwnEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.signUp("ada@example.com", "Ada")
	require.True(t, first.User.IsAdmin)
	require.Equal(t, "ada@example.com", *first.User.Email)
	second := e.signUp("bob@example.com", "Bob")
	require.False(t, second.User.IsAdmin)
}

func TestMeWithBearerAndCookieAndLogOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.query(signUpMutation, map[string]any{"e": "ada@example.com", "p": "correct horse", "n": "Ada"})
	var out struct{ SignUp authPayload }
	e.decode(r, &out)
	require.True(t, strings.HasPrefix(out.SignUp.Token, auth.TokenPrefix))

	var sessionCookie *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == auth.CookieName {
			sessionCookie = c
		}
	}
	require.NotNil(t, sessionCookie, "signUp sets the session cookie")
	require.True(t, sessionCookie.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, sessionCookie.SameSite)
	require.Equal(t, out.SignUp.Token, sessionCookie.Value)

	const me = `{ me { id name email } }`
	var got struct{ Me *struct{ Name, Email string } }
	e.decode(e.query(me, nil, bearer(out.SignUp.Token)), &got)
	require.Equal(t, "Ada", got.Me.Name)
	got.Me = nil
	e.decode(e.query(me, nil, cookie(sessionCookie)), &got)
	require.Equal(t, "ada@example.com", got.Me.Email)

	// Anonymous: me is null, no error.
	got.Me = nil
	e.decode(e.query(me, nil), &got)
	require.Nil(t, got.Me)

	// logOut ends the session: the token stops working everywhere.
	r = e.query(`mutation { logOut }`, nil, bearer(out.SignUp.Token))
	require.JSONEq(t, `{"logOut": true}`, string(r.Data))
	r = e.query(me, nil, bearer(out.SignUp.Token))
	require.Equal(t, "UNAUTHENTICATED", r.code())
	r = e.query(me, nil, cookie(sessionCookie))
	require.Equal(t, "UNAUTHENTICATED", r.code())
	r = e.query(`mutation { logOut }`, nil)
	require.JSONEq(t, `{"logOut": false}`, string(r.Data))
}

func TestExpiredSessionIsUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.signUp("ada@example.com", "Ada")
	_, err := e.store.Pool().Exec(context.Background(), "UPDATE sessions SET expires_at = now() - interval '1 second'")
	require.NoError(t, err)
	r := e.query(`{ me { id } }`, nil, bearer(p.Token))
	require.Equal(t, "UNAUTHENTICATED", r.code())
	r = e.query(`{ me { id } }`, nil, bearer("not-even-a-token"))
	require.Equal(t, "UNAUTHENTICATED", r.code())
}

func TestCookieIsIgnoredOnCrossOriginRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.signUp("ada@example.com", "Ada")
	c := &http.Cookie{Name: auth.CookieName, Value: p.Token}
	var got struct{ Me *struct{ Name string } }
	e.decode(e.query(`{ me { name } }`, nil, cookie(c), header("Origin", "https://evil.example")), &got)
	require.Nil(t, got.Me, "a cross-origin POST must not ride the session cookie")
	e.decode(e.query(`{ me { name } }`, nil, cookie(c), header("Sec-Fetch-Site", "cross-site")), &got)
	require.Nil(t, got.Me)
	e.decode(e.query(`{ me { name } }`, nil, cookie(c), header("Origin", e.srv.URL)), &got)
	require.NotNil(t, got.Me, "same-origin requests use the cookie")
	// Bearer tokens are not ambient credentials: any origin may use them.
	e.decode(e.query(`{ me { name } }`, nil, bearer(p.Token), header("Origin", "https://integrator.example")), &got)
	require.NotNil(t, got.Me)
}

const logInMutation = `mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { token } }`

func TestLogInDoesNotRevealWhichAccountsExist(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("ada@example.com", "Ada")
	wrong := e.query(logInMutation, map[string]any{"e": "ada@example.com", "p": "wrong password"})
	unknown := e.query(logInMutation, map[string]any{"e": "nobody@example.com", "p": "wrong password"})
	require.Equal(t, "UNAUTHENTICATED", wrong.code())
	require.Equal(t, wrong.Errors[0].Message, unknown.Errors[0].Message)
	require.Equal(t, wrong.Errors[0].Extensions, unknown.Errors[0].Extensions)

	ok := e.query(logInMutation, map[string]any{"e": " ADA@example.com ", "p": "correct horse battery"})
	require.Empty(t, ok.Errors, "email is trimmed and case-insensitive")
}

func TestLogInIsThrottledPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("ada@example.com", "Ada")
	for range auth.MaxFailuresPerEmail {
		require.Equal(t, "UNAUTHENTICATED", e.query(logInMutation, map[string]any{"e": "ada@example.com", "p": "guess"}).code())
	}
	r := e.query(logInMutation, map[string]any{"e": "ada@example.com", "p": "correct horse battery"})
	require.Equal(t, "RATE_LIMITED", r.code(), "even the right password waits out the window")
	retry, ok := r.Errors[0].Extensions["retryAfter"].(float64)
	require.True(t, ok)
	require.Greater(t, retry, 60.0)
	require.LessOrEqual(t, retry, auth.ThrottleWindow.Seconds())
}

func TestQueryLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	deep := `{ me { videos(first: 1) { edges { node { owner { videos(first: 1) { edges { node { owner { videos(first: 1) { edges { node { id } } } } } } } } } } } } }`
	r := e.query(deep, nil)
	require.Equal(t, "DEPTH_LIMIT_EXCEEDED", r.code())

	complex := `{ videos(first: 100) { edges { node { owner { videos(first: 100) { edges { node { id title } } } } } } } }`
	r = e.query(complex, nil)
	require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.code())

	r = e.query(`{ videos(first: 0) { edges { cursor } } }`, nil)
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "first", r.Errors[0].Extensions["field"])

	r = e.query(`{ nope }`, nil)
	require.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.code())
	r = e.query(`{ me { `, nil)
	require.Equal(t, "GRAPHQL_PARSE_FAILED", r.code())

	// The standard introspection query is deep but allowed.
	r = e.query(`{ __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } } } }`, nil)
	require.Empty(t, r.Errors)
}

func TestAutomaticPersistedQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := `{ videos(first: 1) { pageInfo { hasNextPage } } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	r := e.do(map[string]any{"extensions": ext})
	require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.code())
	r = e.do(map[string]any{"query": q, "extensions": ext})
	require.Empty(t, r.Errors)
	r = e.do(map[string]any{"extensions": ext})
	require.Empty(t, r.Errors, "the hash alone now runs the query")
	require.JSONEq(t, `{"videos":{"pageInfo":{"hasNextPage":false}}}`, string(r.Data))
}

func (e *env) makeVideos(owner string, n int, privacy string, playable bool) []string {
	e.t.Helper()
	ctx := context.Background()
	var u store.User
	var err error
	u, err = e.store.UserByEmail(ctx, owner)
	require.NoError(e.t, err)
	var ids []string
	for i := range n {
		v, err := e.store.CreateVideo(ctx, store.NewVideo{OwnerID: u.ID, Title: fmt.Sprintf("%s %d", owner, i), Privacy: privacy})
		require.NoError(e.t, err)
		_, err = e.store.Pool().Exec(ctx, "UPDATE videos SET playable = $2, status = 'READY', stage = 'done', percent = 100 WHERE id = $1", v.ID, playable)
		require.NoError(e.t, err)
		ids = append(ids, v.ID.String())
	}
	return ids
}

func TestVideoFeedPagesWithAConstantNumberOfQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 5 {
		e.signUp(fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("User %d", i))
		e.makeVideos(fmt.Sprintf("u%d@example.com", i), 10, store.PrivacyPublic, true)
	}
	e.makeVideos("u0@example.com", 3, store.PrivacyPrivate, true)
	e.makeVideos("u0@example.com", 2, store.PrivacyUnlisted, true)

	const feed = `query($after: String) { videos(first: 20, after: $after) {
		edges { cursor node { id title owner { id name } processing { stage percent } } }
		pageInfo { hasNextPage endCursor } } }`
	type page struct {
		Videos struct {
			Edges []struct {
				Node struct {
					ID    string
					Owner struct{ Name string }
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	seen := map[string]bool{}
	var after any
	for {
		before := e.queries.n.Load()
		var p page
		e.decode(e.query(feed, map[string]any{"after": after}), &p)
		require.LessOrEqual(t, e.queries.n.Load()-before, int64(2), "one query for the page, one for all owners")
		for _, edge := range p.Videos.Edges {
			require.False(t, seen[edge.Node.ID])
			seen[edge.Node.ID] = true
			require.NotEmpty(t, edge.Node.Owner.Name)
		}
		if !p.Videos.PageInfo.HasNextPage {
			break
		}
		after = *p.Videos.PageInfo.EndCursor
	}
	require.Len(t, seen, 50, "only public videos are in the feed")

	r := e.query(`{ videos(after: "bogus") { edges { cursor } } }`, nil)
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "after", r.Errors[0].Extensions["field"])
}

func TestVideoVisibilityAndOwnership(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	public := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, true)[0]
	private := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, true)[0]
	unlisted := e.makeVideos("owner@example.com", 1, store.PrivacyUnlisted, true)[0]

	const get = `query($id: ID!) { video(id: $id) { id title owner { name email } } }`
	visible := func(id string, opts ...reqOpt) bool {
		var out struct{ Video *struct{ ID string } }
		e.decode(e.query(get, map[string]any{"id": id}, opts...), &out)
		return out.Video != nil
	}
	require.True(t, visible(public))
	// UNLISTED plays by its link, which names its public id: the video id
	// opens it to its owner only (publicid_test.go covers the public id).
	require.False(t, visible(unlisted), "an unlisted video's id alone opens nothing")
	require.False(t, visible(unlisted, bearer(other.Token)))
	require.True(t, visible(unlisted, bearer(owner.Token)))
	require.False(t, visible(private))
	require.False(t, visible(private, bearer(other.Token)))
	require.True(t, visible(private, bearer(owner.Token)))

	// Another user's email is never shown.
	var out struct {
		Video struct{ Owner struct{ Email *string } }
	}
	e.decode(e.query(get, map[string]any{"id": public}, bearer(other.Token)), &out)
	require.Nil(t, out.Video.Owner.Email)

	r := e.query(get, map[string]any{"id": "not-a-uuid"})
	require.Equal(t, "BAD_USER_INPUT", r.code())

	const update = `mutation($id: ID!, $t: String) { updateVideo(input: {id: $id, title: $t}) { title } }`
	require.Equal(t, "UNAUTHENTICATED", e.query(update, map[string]any{"id": public, "t": "x"}).code())
	require.Equal(t, "FORBIDDEN", e.query(update, map[string]any{"id": public, "t": "x"}, bearer(other.Token)).code())
	require.Equal(t, "NOT_FOUND", e.query(update, map[string]any{"id": private, "t": "x"}, bearer(other.Token)).code())
	r = e.query(update, map[string]any{"id": public, "t": "  "}, bearer(owner.Token))
	require.Equal(t, "BAD_USER_INPUT", r.code())
	require.Equal(t, "title", r.Errors[0].Extensions["field"])
	r = e.query(update, map[string]any{"id": public, "t": "Renamed"}, bearer(owner.Token))
	require.JSONEq(t, `{"updateVideo":{"title":"Renamed"}}`, string(r.Data))

	// The first account is admin and may manage anything.
	admin := e.signUp("late-admin@example.com", "Late")
	require.False(t, admin.User.IsAdmin, "only the first account is admin")

	const del = `mutation($id: ID!) { deleteVideo(id: $id) }`
	require.Equal(t, "FORBIDDEN", e.query(del, map[string]any{"id": public}, bearer(other.Token)).code())
	r = e.query(del, map[string]any{"id": public}, bearer(owner.Token))
	require.JSONEq(t, `{"deleteVideo":true}`, string(r.Data))
	require.Equal(t, "NOT_FOUND", e.query(del, map[string]any{"id": public}, bearer(owner.Token)).code())
}

func TestUserVideosShowPrivateOnlyToOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	other := e.signUp("other@example.com", "Other")
	e.makeVideos("owner@example.com", 2, store.PrivacyPublic, true)
	e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)
	const mine = `{ me { videos(first: 10) { edges { node { privacy } } } } }`
	var out struct {
		Me struct {
			Videos struct {
				Edges []struct{ Node struct{ Privacy string } }
			}
		}
	}
	e.decode(e.query(mine, nil, bearer(owner.Token)), &out)
	require.Len(t, out.Me.Videos.Edges, 3)

	// Another user reaches the owner's list through a video's owner field.
	const theirs = `query($id: ID!) { video(id: $id) { owner { videos(first: 10) { edges { node { privacy } } } } } }`
	ownerVideos, err := e.store.UserVideos(context.Background(), mustUUID(t, owner.User.ID), store.Viewer{}, 1, nil)
	require.NoError(t, err)
	var out2 struct {
		Video struct {
			Owner struct {
				Videos struct {
					Edges []struct{ Node struct{ Privacy string } }
				}
			}
		}
	}
	e.decode(e.query(theirs, map[string]any{"id": ownerVideos.Videos[0].ID.String()}, bearer(other.Token)), &out2)
	require.Len(t, out2.Video.Owner.Videos.Edges, 2)
}

func TestErrorsNeverLeakInternals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.signUp("ada@example.com", "Ada")
	// Break the database under the resolver: the client gets INTERNAL and
	// nothing about why.
	_, err := e.store.Pool().Exec(context.Background(), "ALTER TABLE videos RENAME TO videos_gone")
	require.NoError(t, err)
	r := e.query(`{ me { videos { edges { cursor } } } }`, nil, bearer(p.Token))
	require.Equal(t, "INTERNAL", r.code())
	require.Equal(t, "Internal server error.", r.Errors[0].Message)
	require.NotContains(t, fmt.Sprint(r.Errors), "videos_gone")
}
