package main

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// appCSP is the Content-Security-Policy of the web app: its own scripts
// only, media and images from itself and blob: (hls.js feeds the video
// element through MediaSource blobs), API calls and websockets to itself.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; " +
	"font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

// spa serves the built web app: files as they are (hashed assets cached
// for a year), and index.html for every other path so client-side routes
// survive a reload.
type spa struct {
	files fs.FS
	index []byte
}

func newSPA(files fs.FS) *spa {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte(`<!doctype html><meta charset="utf-8"><title>clipcut</title>` +
			`<p>The web app has not been built into this binary. Run <code>make build</code> (or <code>make run</code>); ` +
			`the API is at <a href="/graphql">/graphql</a>.</p>`)
	}
	return &spa{files: files, index: index}
}

// page serves one of the built HTML pages (such as graphiql.html) with the
// app's headers, or nil when the app was built without it.
func (s *spa) page(name string) http.Handler {
	b, err := fs.ReadFile(s.files, name)
	if err != nil {
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", appCSP)
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	})
}

func (s *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", appCSP)
	h.Set("X-Frame-Options", "DENY")
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if f, err := s.files.Open(name); err == nil {
			st, statErr := f.Stat()
			f.Close()
			if statErr == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					h.Set("Cache-Control", "public, max-age=3600")
				}
				http.ServeFileFS(w, r, s.files, name)
				return
			}
		}
		// A missing file with an extension is a broken link, not a route.
		if path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
	}
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(s.index))
}
