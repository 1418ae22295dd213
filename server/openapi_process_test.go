package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// openAPIChecker validates real answers against the OpenAPI document: the
// status must be documented for the path and method, the content type must
// be one the document names, and a JSON body must match its schema.
type openAPIChecker struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	inline   int
	// checked records "METHOD path" -> the statuses checked.
	checked map[string][]int
}

const openAPIURL = "mem://clipcut/openapi.json"

func newOpenAPIChecker(t *testing.T, raw []byte) *openAPIChecker {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Equal(t, "3.1.0", doc["openapi"])
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	require.NoError(t, c.AddResource(openAPIURL, res))
	return &openAPIChecker{doc: doc, compiler: c, checked: map[string][]int{}}
}

// schema compiles one schema of the document: a reference into its
// components, or an inline schema.
func (o *openAPIChecker) schema(s map[string]any) (*jsonschema.Schema, error) {
	if ref, ok := s["$ref"].(string); ok {
		return o.compiler.Compile(openAPIURL + ref)
	}
	o.inline++
	url := fmt.Sprintf("mem://clipcut/inline-%d.json", o.inline)
	if err := o.compiler.AddResource(url, s); err != nil {
		return nil, err
	}
	return o.compiler.Compile(url)
}

// validate checks body against schema s.
func (o *openAPIChecker) validate(s map[string]any, body []byte) error {
	sch, err := o.schema(s)
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// component returns the schema named name in components.
func (o *openAPIChecker) component(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// check validates one real answer to method on the document's path.
func (o *openAPIChecker) check(t checkT, method, path string, status int, header http.Header, body []byte) {
	t.Helper()
	key := method + " " + path
	op, ok := o.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	require.True(t, ok, "%s is not in the document", key)
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	require.True(t, ok, "%s answered %d, which the document does not list: %s", key, status, body)
	o.checked[key] = append(o.checked[key], status)
	content, ok := resp["content"].(map[string]any)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	require.NoError(t, err, "%s %d: Content-Type %q", key, status, header.Get("Content-Type"))
	media, ok := content[mt].(map[string]any)
	require.True(t, ok, "%s %d answered %s, not a documented type", key, status, mt)
	if mt == "application/json" {
		require.NoError(t, o.validate(media["schema"].(map[string]any), body), "%s %d: %s", key, status, body)
	}
}

// TestOpenAPICheckerRefusesWrongAnswers shows the checker can fail: the
// shapes the REST API answered before are refused by the document.
func TestOpenAPICheckerRefusesWrongAnswers(t *testing.T) {
	t.Parallel()
	o := newOpenAPIChecker(t, openAPIDocument)
	errSchema := o.component("ErrorResponse")
	require.NoError(t, o.validate(errSchema, []byte(`{"error":{"code":"NOT_FOUND","message":"No such video."}}`)))
	require.Error(t, o.validate(errSchema, []byte(`{"error":"No such video."}`)), "an error without a code")
	require.Error(t, o.validate(errSchema, []byte(`{"error":{"code":"NOT_FOUND","message":""}}`)), "an empty message")
	require.Error(t, o.validate(o.component("Rendition"),
		[]byte(`{"name":"240p","width":426,"height":240,"bandwidth":1,"playlist":"videos/x/hls/240p/index.m3u8"}`)), "a storage key")
	require.Error(t, o.validate(o.component("Rendition"),
		[]byte(`{"name":"240p","width":426,"height":240,"averageBandwidth":1}`)), "camelCase, bandwidth missing")
	require.Error(t, o.validate(o.component("VideoStatus"), []byte(`{"id":"x"}`)), "fields missing")

	// A status the document does not list fails the check.
	ft := &fakeT{}
	func() {
		defer func() { _ = recover() }()
		o.check(ft, "GET", "/videos/{id}", http.StatusTeapot, http.Header{}, nil)
	}()
	require.True(t, ft.failed, "an undocumented status fails")
}

// checkT is what check needs of a *testing.T.
type checkT interface {
	require.TestingT
	Helper()
}

// fakeT records a failure instead of failing the test (require calls
// FailNow, which ends the goroutine with a panic here).
type fakeT struct{ failed bool }

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) FailNow()              { panic("failed") }
func (f *fakeT) Helper()               {}

// TestRESTAnswersMatchTheOpenAPIDocument calls every REST path of a real
// instance, with success and error cases, and checks each answer against
// the document the instance serves.
func TestRESTAnswersMatchTheOpenAPIDocument(t *testing.T) {
	t.Parallel()
	p := startClipcut(t, traversableTempDir(t), "CLIPCUT_X264_PRESET=ultrafast")
	p.waitReady(t)
	base := "http://" + p.addr
	signUp := func(email string) string {
		res, _ := p.graphql(t, fmt.Sprintf(`mutation { signUp(input: {email: %q, password: "correct horse", name: "N"}) { token } }`, email))
		return res["data"].(map[string]any)["signUp"].(map[string]any)["token"].(string)
	}
	owner, other := signUp("ada@example.com"), signUp("bob@example.com")
	token := func(scopes string) string {
		res, _ := p.graphql(t, fmt.Sprintf(`mutation { createApiToken(name: "t", scopes: [%s]) { token } }`, scopes), "Authorization", "Bearer "+owner)
		return res["data"].(map[string]any)["createApiToken"].(map[string]any)["token"].(string)
	}
	reader, uploader := token("VIDEOS_READ"), token("UPLOADS_WRITE")
	const bogus = "Bearer cc_not_a_real_token_at_all"

	// The document, as served.
	code, _, raw := p.request(t, "GET", "/api/openapi.json", "", "", nil)
	require.Equal(t, http.StatusOK, code)
	o := newOpenAPIChecker(t, raw)
	// expect calls path (the document's template) with url and checks
	// the answer is want and matches the document.
	expect := func(want int, method, path, url, bearer, contentType string, body io.Reader) []byte {
		t.Helper()
		code, header, b := p.request(t, method, url, bearer, contentType, body)
		require.Equal(t, want, code, "%s %s: %s", method, url, b)
		o.check(t, method, path, code, header, b)
		return b
	}
	expect(200, "GET", "/api/openapi.json", "/api/openapi.json", reader, "", nil)
	expect(401, "GET", "/api/openapi.json", "/api/openapi.json", bogus, "", nil)

	// POST /upload, then wait for processing.
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip).CombinedOutput()
	require.NoError(t, err, "%s", out)
	video, err := os.ReadFile(clip)
	require.NoError(t, err)
	form := func() (*bytes.Buffer, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("title", "Clip"))
		fw, err := mw.CreateFormFile("file", "clip.mp4")
		require.NoError(t, err)
		_, _ = fw.Write(video)
		require.NoError(t, mw.Close())
		return &buf, mw.FormDataContentType()
	}
	buf, ct := form()
	var accepted struct{ ID string }
	require.NoError(t, json.Unmarshal(expect(202, "POST", "/upload", "/upload", uploader, ct, buf), &accepted))
	id := accepted.ID
	buf, ct = form()
	expect(401, "POST", "/upload", "/upload", bogus, ct, buf)
	buf, ct = form()
	expect(403, "POST", "/upload", "/upload", reader, ct, buf)
	expect(400, "POST", "/upload", "/upload", uploader, "text/plain", strings.NewReader("no form"))

	status := "/api/v1/videos/" + id + "/status"
	deadline := time.Now().Add(10 * time.Minute)
	for {
		b := expect(200, "GET", "/api/v1/videos/{id}/status", status, reader, "", nil)
		if strings.Contains(string(b), `"status":"READY"`) {
			break
		}
		require.NotContains(t, string(b), `"status":"FAILED"`)
		require.True(t, time.Now().Before(deadline), "not READY in 10 minutes\n%s", p.log())
		time.Sleep(200 * time.Millisecond)
	}
	unknown := uuid.NewString()
	// A video still uploading: not playable, its poster not settable.
	res, _ := p.graphql(t, `mutation { createUpload(input: {title: "Later", filename: "later.mp4", size: 1000}) { video { id } } }`, "Authorization", "Bearer "+owner)
	waiting := res["data"].(map[string]any)["createUpload"].(map[string]any)["video"].(map[string]any)["id"].(string)

	// Every read path: found, unknown, a malformed id, a refused
	// credential, a token without the scope.
	for _, path := range []string{"/videos/{id}", "/api/v1/videos/{id}/status", "/api/v1/videos/{id}/playlist.m3u8", "/stream/{id}/{resolution}"} {
		url := func(id string) string {
			return strings.NewReplacer("{id}", id, "{resolution}", "240p").Replace(path)
		}
		expect(200, "GET", path, url(id), "", "", nil)
		expect(200, "GET", path, url(id), reader, "", nil)
		expect(404, "GET", path, url(unknown), reader, "", nil)
		expect(404, "GET", path, url("not-a-uuid"), "", "", nil)
		expect(401, "GET", path, url(id), bogus, "", nil)
		expect(403, "GET", path, url(id), uploader, "", nil)
	}
	b := expect(404, "GET", "/stream/{id}/{resolution}", "/stream/"+id+"/999p", "", "", nil)
	require.Contains(t, string(b), `"available":["240p","360p"]`)
	b = expect(404, "GET", "/api/v1/videos/{id}/playlist.m3u8", "/api/v1/videos/"+waiting+"/playlist.m3u8", owner, "", nil)
	require.Contains(t, string(b), `"code":"NOT_PLAYABLE_YET"`)

	// The video's JSON: absolute URLs, renditions without storage keys.
	var meta struct {
		CreatedAt  string `json:"created_at"`
		Renditions []map[string]any
		Playback   struct {
			HLSURL   string `json:"hls_url"`
			Playlist string
			Streams  map[string]string
			Poster   string `json:"poster_url"`
		}
	}
	require.NoError(t, json.Unmarshal(expect(200, "GET", "/videos/{id}", "/videos/"+id, "", "", nil), &meta))
	require.True(t, strings.HasSuffix(meta.CreatedAt, "Z"), meta.CreatedAt)
	require.Len(t, meta.Renditions, 2)
	for _, u := range append([]string{meta.Playback.HLSURL, meta.Playback.Playlist, meta.Playback.Poster}, meta.Playback.Streams["240p"], meta.Playback.Streams["360p"]) {
		require.True(t, strings.HasPrefix(u, base+"/"), "absolute: %q", u)
	}

	// PUT a poster.
	img := filepath.Join(t.TempDir(), "poster.png")
	out, err = exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=400x300", "-frames:v", "1", img).CombinedOutput()
	require.NoError(t, err, "%s", out)
	png, err := os.ReadFile(img)
	require.NoError(t, err)
	poster := "/api/v1/videos/{id}/poster"
	put := func(want int, id, bearer string, body []byte) []byte {
		t.Helper()
		return expect(want, "PUT", poster, "/api/v1/videos/"+id+"/poster", bearer, "image/png", bytes.NewReader(body))
	}
	b = put(200, id, owner, png)
	require.Contains(t, string(b), `"poster_url":"`+base+"/")
	put(400, id, owner, []byte("not an image"))
	put(401, id, "", png)
	put(401, id, bogus, png)
	put(403, id, other, png)
	put(403, id, reader, png)
	put(404, unknown, owner, png)
	put(409, waiting, owner, png)
	put(413, id, owner, bytes.Repeat([]byte{0}, 10<<20+1))

	// Player events.
	events := "/api/v1/analytics/events"
	batch := fmt.Sprintf(`{"videoId":%q,"viewerId":%q,"sessionId":%q,"seq":0,"events":[{"seq":0,"type":"load","t":0,"pos":0}]}`,
		id, uuid.NewString(), uuid.NewString())
	expect(202, "POST", events, events, "", "application/json", strings.NewReader(batch))
	expect(202, "POST", events, events, "", "text/plain", strings.NewReader(batch))
	expect(400, "POST", events, events, "", "application/json", strings.NewReader(`{"videoId":`))
	expect(400, "POST", events, events, "", "application/json", strings.NewReader(`{"videoId":"x","events":[]}`))
	expect(413, "POST", events, events, "", "application/json", strings.NewReader(`{"pad":"`+strings.Repeat("x", 70<<10)+`"}`))
	expect(415, "POST", events, events, "", "image/png", strings.NewReader(batch))
	expect(401, "POST", events, events, bogus, "application/json", strings.NewReader(batch))

	// oEmbed: a watch or embed URL of a public video, anything else.
	oembed := func(u string) string { return "/oembed?url=" + url.QueryEscape(u) }
	b = expect(200, "GET", "/oembed", oembed(base+"/watch/"+id), "", "", nil)
	require.Contains(t, string(b), `/embed/`+id)
	expect(200, "GET", "/oembed", oembed(base+"/embed/"+id)+"&maxwidth=320", bogus, "", nil)
	expect(404, "GET", "/oembed", oembed(base+"/watch/"+unknown), "", "", nil)
	expect(404, "GET", "/oembed", oembed("https://elsewhere.example.com/watch/"+id), "", "", nil)
	expect(501, "GET", "/oembed", oembed(base+"/watch/"+id)+"&format=xml", "", "", nil)

	// Every REST route the instance registered is in the document: the
	// route labels of its request metrics are the mux patterns routes.go
	// registered, each created when registered.
	_, _, metrics := p.request(t, "GET", "/metrics", "", "", nil)
	require.NoError(t, undocumentedRoutes(o.doc, registeredRoutes(metrics)))

	// Every path and method of the document was called, with a success
	// and an error.
	for path, item := range o.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + path
			var ok, failed bool
			for _, s := range o.checked[key] {
				ok = ok || s < 300
				failed = failed || s >= 400
			}
			require.True(t, ok && failed, "%s: checked %v; every path needs a success and an error", key, o.checked[key])
		}
	}
}

// notREST are the routes outside the OpenAPI document, each with the
// reason. Everything else routes.go registers is REST and must be in the
// document; nothing under /api/ may be listed here.
var notREST = map[string]string{
	"GET /health":                 "operations: liveness for orchestrators (README, Operating it)",
	"GET /ready":                  "operations: readiness for load balancers",
	"GET /metrics":                "operations: Prometheus text format",
	"GET /graphql":                "GraphQL: described by its schema, not OpenAPI",
	"POST /graphql":               "GraphQL",
	"OPTIONS /graphql":            "GraphQL (CORS preflight)",
	"GET /graphql/schema.graphql": "the GraphQL schema itself",
	"GET /uploads/":               "tus 1.0, a protocol of its own that any tus client speaks",
	"HEAD /uploads/":              "tus",
	"POST /uploads/":              "tus",
	"PATCH /uploads/":             "tus",
	"DELETE /uploads/":            "tus",
	"OPTIONS /uploads/":           "tus",
	"GET /media/":                 "media (HLS, images, subtitles, downloads): reached through the URLs the API answers, authorized by the URL",
	"OPTIONS /media/":             "media (CORS preflight)",
	"GET /admin/jobs":             "the River job queue's web UI, for administrators",
	"GET /admin/jobs/":            "River UI",
	"POST /admin/jobs/":           "River UI",
	"PUT /admin/jobs/":            "River UI",
	"PATCH /admin/jobs/":          "River UI",
	"DELETE /admin/jobs/":         "River UI",
	"GET /embed/{id}":             "an HTML page other sites frame (described by /oembed)",
	"GET /watch/{id}":             "an HTML page of the web app, with share tags",
	"GET /":                       "the web app",
}

// routeLabel finds the route label of every request-latency series in a
// Prometheus text exposition.
var routeLabel = regexp.MustCompile(`(?m)^clipcut_http_request_duration_seconds_count\{route="([^"]+)"\}`)

// registeredRoutes lists the mux patterns ("GET /videos/{id}") of an
// instance's /metrics answer.
func registeredRoutes(metrics []byte) []string {
	var routes []string
	for _, m := range routeLabel.FindAllSubmatch(metrics, -1) {
		routes = append(routes, string(m[1]))
	}
	slices.Sort(routes)
	return routes
}

// undocumentedRoutes says which routes are neither in the OpenAPI
// document nor explained in notREST, and which notREST entries name no
// route any more (so the list cannot go stale).
func undocumentedRoutes(doc map[string]any, routes []string) error {
	paths := doc["paths"].(map[string]any)
	var problems []string
	if len(routes) < len(notREST) {
		problems = append(problems, fmt.Sprintf("only %d routes found; is every route instrumented?", len(routes)))
	}
	for key := range notREST {
		if !slices.Contains(routes, key) {
			problems = append(problems, fmt.Sprintf("notREST names %q, which is no route", key))
		}
		if strings.Contains(key, " /api/") {
			problems = append(problems, fmt.Sprintf("%q is under /api/, so it must be documented", key))
		}
	}
	for _, route := range routes {
		if _, ok := notREST[route]; ok {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		item, _ := paths[path].(map[string]any)
		if _, ok := item[strings.ToLower(method)]; !ok {
			problems = append(problems, fmt.Sprintf("%s is registered but not in openapi.json", route))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("routes and the OpenAPI document disagree:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// TestUndocumentedRoutesFails shows the route coverage check can fail: a
// new route under /api/, a route nobody classified, a stale exclusion.
func TestOpenAPIUndocumentedRoutesFail(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPIDocument, &doc))
	var routes []string
	for key := range notREST {
		routes = append(routes, key)
	}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			routes = append(routes, strings.ToUpper(method)+" "+path)
		}
	}
	require.NoError(t, undocumentedRoutes(doc, routes))
	err := undocumentedRoutes(doc, append(slices.Clone(routes), "DELETE /api/v1/videos/{id}"))
	require.ErrorContains(t, err, "DELETE /api/v1/videos/{id} is registered but not in openapi.json")
	err = undocumentedRoutes(doc, append(slices.Clone(routes), "GET /feed.xml"))
	require.ErrorContains(t, err, "GET /feed.xml is registered")
	err = undocumentedRoutes(doc, slices.DeleteFunc(slices.Clone(routes), func(r string) bool { return r == "GET /watch/{id}" }))
	require.ErrorContains(t, err, `notREST names "GET /watch/{id}", which is no route`)
}
