package graph

import (
	"embed"
	"io/fs"
	"net/http"
	"sort"
)

//go:embed schema/*.graphqls
var schemaFiles embed.FS

// SchemaSDL is the whole schema as one SDL document, files in name order.
func SchemaSDL() []byte {
	names, _ := fs.Glob(schemaFiles, "schema/*.graphqls")
	sort.Strings(names)
	var sdl []byte
	for _, n := range names {
		b, _ := schemaFiles.ReadFile(n)
		sdl = append(sdl, "# "+n+"\n"...)
		sdl = append(sdl, b...)
		sdl = append(sdl, '\n')
	}
	return sdl
}

// ServeSchema answers GET /graphql/schema.graphql with the schema's SDL,
// for code generators and integrators.
func ServeSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/graphql; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(SchemaSDL())
}
