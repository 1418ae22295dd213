// Package frontend holds the built web app (frontend/dist), embedded into the clipcut binary.
package frontend

import (
	"embed"
	"io/fs"
)

// dist is the output of `npm run build`. A clean checkout holds only
// dist/.gitkeep, so the binary then serves no app until the frontend is built.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built app with dist/ as its root: index.html at the top
// and hashed files under assets/. The server serves it with a fallback to
// index.html for client-side routes.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "dist" is a valid constant.
		panic("frontend: " + err.Error())
	}
	return sub
}
