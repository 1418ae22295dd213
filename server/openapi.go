package main

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of the REST endpoints
// (every path routes.go serves outside GraphQL, tus, media, HTML pages and
// operations endpoints: the /api/ paths, the seeds' /videos and /stream,
// POST /upload, /oembed), written by hand. openapi_process_test.go checks
// every answer of a real instance against it, and that every route the
// instance registers is in it or named with a reason in notREST, so it
// cannot drift from the handlers.
//
//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI answers GET /api/openapi.json.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}
