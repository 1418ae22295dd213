package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/layout"
)

// TestAdminJobsIsRiverUIForAdministratorsOnly serves River UI at
// /admin/jobs: an administrator gets the page and its API, which lists a
// discarded job and retries it (the job then runs to completion); a
// signed-in user, an administrator's token without the admin scope and
// anonymous requests are refused on the page, its assets and its API.
func TestAdminJobsIsRiverUIForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir)
	p.waitReady(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	signUp := func(email string) string {
		res, _ := p.graphql(t, fmt.Sprintf(`mutation { signUp(input: {email: %q, password: "correct horse", name: "N"}) { token } }`, email))
		return res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	}
	admin := signUp("admin@example.com") // the first account is an administrator
	user := signUp("user@example.com")
	token := func(session, scope string) string {
		res, _ := p.graphql(t, `mutation { createApiToken(name: "t", scopes: [`+scope+`]) { token } }`, "Authorization", "Bearer "+session)
		require.Nil(t, res["errors"], "%v", res)
		return res["data"].(map[string]any)["createApiToken"].(map[string]any)["token"].(string)
	}
	adminToken, readToken := token(admin, "ADMIN"), token(admin, "VIDEOS_READ")
	res, _ := p.graphql(t, `mutation { createApiToken(name: "t", scopes: [ADMIN]) { token } }`, "Authorization", "Bearer "+user)
	require.Equal(t, "FORBIDDEN", res["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)["code"],
		"only an administrator can grant the admin scope")

	conn, err := pgx.Connect(ctx, "postgres://clipcut@/clipcut?sslmode=disable&host="+filepath.Join(dir, "var", "pg", "run"))
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var jobID int64
	require.NoError(t, conn.QueryRow(ctx, `
		INSERT INTO river_job (state, attempt, max_attempts, attempted_at, finalized_at, priority, args, errors, kind, queue)
		VALUES ('discarded', 1, 1, now(), now(), 1, '{}',
		        ARRAY[jsonb_build_object('at', now(), 'attempt', 1, 'error', 'boom from the test', 'trace', '')],
		        'analytics_prune', 'default')
		RETURNING id`).Scan(&jobID))

	do := func(method, path, body string, hdr ...string) (int, string, http.Header) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, "http://"+p.addr+path, strings.NewReader(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	html := []string{"Accept", "text/html"}

	// Refused: every path, every method, before River UI sees it.
	retry := fmt.Sprintf(`{"ids":["%d"]}`, jobID)
	paths := []struct{ method, path, body string }{
		{"GET", "/admin/jobs", ""},
		{"GET", "/admin/jobs/", ""},
		{"GET", "/admin/jobs/jobs?state=discarded", ""},
		{"GET", "/admin/jobs/favicon.ico", ""},
		{"GET", "/admin/jobs/api/jobs?state=discarded", ""},
		{"GET", "/admin/jobs/api/queues", ""},
		{"POST", "/admin/jobs/api/jobs/retry", retry},
		{"POST", "/admin/jobs/api/jobs/cancel", retry},
	}
	for _, tc := range paths {
		code, body, _ := do(tc.method, tc.path, tc.body)
		require.Equal(t, http.StatusUnauthorized, code, "anonymous %s %s: %s", tc.method, tc.path, body)
		for _, cred := range []string{user, readToken} {
			code, body, _ := do(tc.method, tc.path, tc.body, bearer(cred)...)
			require.Equal(t, http.StatusForbidden, code, "%s %s: %s", tc.method, tc.path, body)
		}
	}
	code, _, hdr := do("GET", "/admin/jobs/", "", html...)
	require.Equal(t, http.StatusSeeOther, code, "an anonymous browser is sent to log in")
	require.Equal(t, "/login?next=%2Fadmin%2Fjobs%2F", hdr.Get("Location"))
	code, _, _ = do("GET", "/admin/jobs/", "", append(html, bearer(user)...)...)
	require.Equal(t, http.StatusForbidden, code)

	// Administrators: the page, and its API listing the discarded job
	// with its error, through a session and through an admin token.
	code, body, _ := do("GET", "/admin/jobs/", "", append(html, bearer(admin)...)...)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `"apiUrl":"/admin/jobs/api"`)
	for _, cred := range []string{admin, adminToken} {
		code, body, _ = do("GET", "/admin/jobs/api/jobs?state=discarded", "", bearer(cred)...)
		require.Equal(t, http.StatusOK, code, body)
		var list struct {
			Data []struct {
				ID   int64
				Kind string
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &list), body)
		require.Len(t, list.Data, 1, body)
		require.Equal(t, jobID, list.Data[0].ID)
		require.Equal(t, "analytics_prune", list.Data[0].Kind)
	}
	code, body, _ = do("GET", fmt.Sprintf("/admin/jobs/api/jobs/%d", jobID), "", bearer(admin)...)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "boom from the test", "the job's error is shown")

	// Retried through River UI, the job runs again, to completion.
	code, body, _ = do("POST", "/admin/jobs/api/jobs/retry", retry, bearer(adminToken)...)
	require.Equal(t, http.StatusOK, code, body)
	require.Eventually(t, func() bool {
		var state string
		require.NoError(t, conn.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, jobID).Scan(&state))
		return state == "completed"
	}, time.Minute, 100*time.Millisecond, "the retried job never completed\n%s", p.log())
	p.stop(t)
}

// TestTakenDownVideoMediaIsRefused: /media/ serves a public video's files
// until an administrator takes it down, then refuses them, and serves
// them again once it is restored.
func TestTakenDownVideoMediaIsRefused(t *testing.T) {
	t.Parallel()
	dir := traversableTempDir(t)
	p := startClipcut(t, dir)
	p.waitReady(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, _ := p.graphql(t, `mutation { signUp(input: {email: "admin@example.com", password: "correct horse", name: "A"}) { token user { id } } }`)
	signUp := res["data"].(map[string]any)["signUp"].(map[string]any)
	admin, owner := signUp["token"].(string), signUp["user"].(map[string]any)["id"].(string)

	conn, err := pgx.Connect(ctx, "postgres://clipcut@/clipcut?sslmode=disable&host="+filepath.Join(dir, "var", "pg", "run"))
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var id uuid.UUID
	require.NoError(t, conn.QueryRow(ctx, `INSERT INTO videos (owner_id, title, privacy, status, playable, stage, percent)
		VALUES ($1, 'v', 'PUBLIC', 'READY', true, 'done', 100) RETURNING id`, owner).Scan(&id))
	poster := filepath.Join(dir, "var", "media", filepath.FromSlash(layout.Poster(id)))
	require.NoError(t, os.MkdirAll(filepath.Dir(poster), 0o755))
	require.NoError(t, os.WriteFile(poster, []byte("\xff\xd8\xff not really a jpeg"), 0o644))
	url := layout.PublicPath(id) + "/poster.jpg"

	code, body := p.get(t, url)
	require.Equal(t, http.StatusOK, code, body)
	mutate := func(q string) {
		res, _ := p.graphql(t, fmt.Sprintf(q, id), "Authorization", "Bearer "+admin)
		require.Nil(t, res["errors"], "%v", res)
	}
	mutate(`mutation { takeDownVideo(videoId: %q, reason: "test") { id } }`)
	require.Eventually(t, func() bool { code, _ := p.get(t, url); return code == http.StatusNotFound },
		30*time.Second, 50*time.Millisecond, "media of a taken-down video is refused")
	mutate(`mutation { restoreVideo(videoId: %q) { id } }`)
	require.Eventually(t, func() bool { code, _ := p.get(t, url); return code == http.StatusOK },
		30*time.Second, 50*time.Millisecond, "media is served again once restored")
}
