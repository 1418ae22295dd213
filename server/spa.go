package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// appCSP is the Content-Security-Policy of the web app: its own scripts
// only, media and images from itself and blob: (hls.js feeds the video
// element through MediaSource blobs), API calls and websockets to itself.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob: data:; connect-src 'self' ws: wss:; " +
	"font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

// spa serves the built web app: files as they are (hashed assets cached
// for a year), and index.html for every other path so client-side routes
// survive a reload.
type spa struct {
	files fs.FS
	index []byte
	// gzipped holds the compressed bodies of the hashed text assets, made
	// once at start (a few hundred kilobytes): what browsers download on
	// first load shrinks about threefold.
	gzipped map[string][]byte
	// hlsChunk is the path of the hls.js chunk (/assets/hls-<hash>.js)
	// from Vite's build manifest; empty when the build has none.
	hlsChunk string
}

func newSPA(files fs.FS) *spa {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = []byte(`<!doctype html><meta charset="utf-8"><title>clipcut</title>` +
			`<p>The web app has not been built into this binary. Run <code>make build</code> (or <code>make run</code>); ` +
			`the API is at <a href="/graphql">/graphql</a>.</p>`)
	}
	s := &spa{files: files, index: index, gzipped: map[string][]byte{}, hlsChunk: hlsChunk(files)}
	_ = fs.WalkDir(files, "assets", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir():
			return nil
		case !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".css"):
			return nil
		}
		body, err := fs.ReadFile(files, name)
		if err != nil || len(body) < 1024 {
			return nil
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		s.gzipped[name] = buf.Bytes()
		return nil
	})
	return s
}

// hlsChunk finds the hls.js chunk in Vite's build manifest
// (.vite/manifest.json, build.manifest in vite.config.ts): the module the
// player imports on demand. Empty when the manifest is missing or names none.
func hlsChunk(files fs.FS) string {
	b, err := fs.ReadFile(files, ".vite/manifest.json")
	if err != nil {
		return ""
	}
	var manifest map[string]struct {
		File           string `json:"file"`
		Src            string `json:"src"`
		IsDynamicEntry bool   `json:"isDynamicEntry"`
	}
	if json.Unmarshal(b, &manifest) != nil {
		return ""
	}
	for key, c := range manifest {
		src := cmp.Or(c.Src, key)
		if c.IsDynamicEntry && strings.Contains(src, "/hls.js/dist/") && strings.HasPrefix(c.File, "assets/") && strings.HasSuffix(c.File, ".js") {
			return "/" + c.File
		}
	}
	return ""
}

// playerHints are the head tags that let a page about to play a video
// fetch what its player will ask for while the app's scripts still load:
// the hls.js chunk (a module preload, which the player's import() then
// finds ready) and the master playlist at masterURL (a preload the
// player's request is served from). masterURL must be a link anyone may
// have (a PUBLIC video's, or an UNLISTED one's by its public id): the page
// is cached and shared, so never a signed one. Empty masterURL: the chunk
// only.
func (s *spa) playerHints(masterURL string) string {
	var b strings.Builder
	if s.hlsChunk != "" {
		b.WriteString(`<link rel="modulepreload" href="` + html.EscapeString(s.hlsChunk) + `">`)
	}
	if masterURL != "" {
		// crossorigin (anonymous) matches how hls.js asks: CORS mode,
		// no credentials off its own origin.
		b.WriteString(`<link rel="preload" as="fetch" crossorigin href="` + html.EscapeString(masterURL) + `">`)
	}
	return b.String()
}

// serveGzipped answers with the compressed body of an asset when the client
// takes gzip; it reports false when it did not answer.
func (s *spa) serveGzipped(w http.ResponseWriter, r *http.Request, name string) bool {
	body, ok := s.gzipped[name]
	if !ok || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Header.Get("Range") != "" {
		return false
	}
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return true
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
	if strings.HasPrefix(name, ".") {
		// Build metadata (.vite/manifest.json, read by hlsChunk) is for
		// the server, not a page.
		http.NotFound(w, r)
		return
	}
	if name != "" && name != "index.html" {
		if f, err := s.files.Open(name); err == nil {
			st, statErr := f.Stat()
			f.Close()
			if statErr == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
					h.Add("Vary", "Accept-Encoding")
					if s.serveGzipped(w, r, name) {
						return
					}
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

// serveIndex serves index.html titled title, with head (tags made by
// shareTags) added at the end of its head.
func (s *spa) serveIndex(w http.ResponseWriter, r *http.Request, title, head string) {
	h := w.Header()
	h.Set("Content-Security-Policy", appCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-cache")
	page := bytes.Replace(s.index, []byte("<title>clipcut</title>"), []byte("<title>"+html.EscapeString(title)+"</title>"), 1)
	page = injectHead(page, head)
	h.Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}

// shareInfo is what a video's share tags say; URLs are absolute.
type shareInfo struct {
	Title, Description string
	// Unlisted videos are shared by link but kept out of search engines.
	Unlisted                      bool
	WatchURL, EmbedURL, OEmbedURL string
	// PosterURL is empty until the video has a poster.
	PosterURL     string
	Width, Height int
}

// shareTags renders the Open Graph and Twitter card tags and the oEmbed
// discovery link that make a shared watch link unfurl with its title,
// picture and player. Every value is HTML-escaped.
func shareTags(in shareInfo) string {
	var b strings.Builder
	meta := func(attr, name, content string) {
		b.WriteString(`<meta ` + attr + `="` + name + `" content="` + html.EscapeString(content) + `">`)
	}
	desc := in.Description
	if r := []rune(desc); len(r) > 300 {
		desc = strings.TrimSpace(string(r[:299])) + "…"
	}
	w, h := strconv.Itoa(in.Width), strconv.Itoa(in.Height)
	meta("property", "og:site_name", "clipcut")
	meta("property", "og:type", "video.other")
	meta("property", "og:title", in.Title)
	if desc != "" {
		meta("property", "og:description", desc)
	}
	meta("property", "og:url", in.WatchURL)
	if in.PosterURL != "" {
		meta("property", "og:image", in.PosterURL)
	}
	meta("property", "og:video", in.EmbedURL)
	meta("property", "og:video:secure_url", in.EmbedURL)
	meta("property", "og:video:type", "text/html")
	meta("property", "og:video:width", w)
	meta("property", "og:video:height", h)
	meta("name", "twitter:card", "player")
	meta("name", "twitter:title", in.Title)
	if desc != "" {
		meta("name", "twitter:description", desc)
	}
	if in.PosterURL != "" {
		meta("name", "twitter:image", in.PosterURL)
	}
	meta("name", "twitter:player", in.EmbedURL)
	meta("name", "twitter:player:width", w)
	meta("name", "twitter:player:height", h)
	if in.Unlisted {
		meta("name", "robots", "noindex")
	}
	b.WriteString(`<link rel="alternate" type="application/json+oembed" href="` + html.EscapeString(in.OEmbedURL) +
		`" title="` + html.EscapeString(in.Title) + `">`)
	return b.String()
}
