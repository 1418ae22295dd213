package main

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/upload"
)

// apiError is the body of every REST error, {"error": {"code", "message"}},
// the shape of the one credential rule's 401 (auth.WriteError) with
// GraphQL's codes (NOT_FOUND, BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
// RATE_LIMITED, UNAVAILABLE, INTERNAL, ...). Field names the input at
// fault; Details carry what a client can act on (the renditions that
// exist, where processing stands). The OpenAPI document's Error schema
// describes it.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

// writeError answers status with {"error": e}.
func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, map[string]apiError{"error": e})
}

// Errors several REST endpoints answer.
var (
	errNoSuchVideo = apiError{Code: "NOT_FOUND", Message: "No such video."}
	errTryAgain    = apiError{Code: "UNAVAILABLE", Message: "Try again shortly."}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// refuseCredentials answers a request whose credentials auth.Middleware
// refused, in the shape of the API it was sent to: GraphQL errors on
// /graphql, the tus answer on uploads, {"error": {"code", "message"}}
// elsewhere (REST, POST /upload).
func refuseCredentials(w http.ResponseWriter, r *http.Request, status int, err *auth.Error) {
	switch p := r.URL.Path; {
	case p == "/graphql":
		graph.WriteRefusal(w, r, status, err)
	case strings.HasPrefix(p, upload.BasePath):
		upload.WriteRefusal(w, r, status, err)
	default:
		auth.WriteError(w, status, err)
	}
}

// readsCredentials reports whether a request goes to an API that reads
// credentials, and so passes through auth.Middleware: GraphQL (including
// its websocket upgrade), REST, tus and POST /upload. The web app's pages
// and assets, health, metrics and the schema read none, so a stale session
// cookie cannot break them (nor cost a session lookup per asset); media is
// authorized by its URL.
func readsCredentials(path string) bool {
	switch {
	case path == "/graphql", path == "/upload",
		strings.HasPrefix(path, "/api/"), strings.HasPrefix(path, upload.BasePath),
		strings.HasPrefix(path, "/videos/"), strings.HasPrefix(path, "/stream/"),
		path == AdminJobsPath, strings.HasPrefix(path, AdminJobsPath+"/"): // River UI checks the administrator
		return true
	}
	return false
}
