package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAnalyzeBundle(t *testing.T) {
	t.Parallel()
	dist := t.TempDir()
	assets := filepath.Join(dist, "assets")
	require.NoError(t, os.MkdirAll(assets, 0o755))
	files := map[string]string{
		"index.html": `<script type="module" crossorigin src="/assets/main-A.js"></script>` +
			`<link rel="modulepreload" crossorigin href="/assets/react-B.js">` +
			`<link rel="stylesheet" crossorigin href="/assets/main-C.css">`,
		"assets/main-A.js":     `import{a}from"./react-B.js";import"./shared-D.js";const h=()=>import(` + "`./hls-E.js`" + `);const p=()=>import("./Editor-F.js");`,
		"assets/react-B.js":    `export const a=1;`,
		"assets/shared-D.js":   `import{a}from"./react-B.js";`,
		"assets/hls-E.js":      `export default class Hls{}`,
		"assets/Editor-F.js":   `import{a}from"./react-B.js";`,
		"assets/main-C.css":    `body{color:red}`,
		"assets/graphiql-G.js": `unrelated`,
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dist, name), []byte(body), 0o644))
	}

	r, err := analyzeBundle(dist)
	require.NoError(t, err)
	var initial []string
	for _, f := range r.Initial {
		initial = append(initial, f.Name)
		require.Positive(t, f.Gzip)
	}
	require.Equal(t, []string{"main-A.js", "react-B.js", "shared-D.js"}, initial)
	require.Equal(t, int64(len(files["assets/main-A.js"])), r.Initial[0].Raw)
	require.NotNil(t, r.HLS)
	require.Equal(t, "hls-E.js", r.HLS.Name)
	require.Equal(t, []string{"main-A.js"}, r.HLSImporters)
	require.Len(t, r.Lazy, 1)
	require.Equal(t, "Editor-F.js", r.Lazy[0].Name)
	require.Len(t, r.CSS, 1)

	_, err = analyzeBundle(t.TempDir())
	require.ErrorContains(t, err, "not built")
}

func TestScriptsSummary(t *testing.T) {
	t.Parallel()
	got := scriptsSummary([]loadedScript{
		{Name: "main-a.js", EncodedBytes: 1024, DecodedBytes: 3072},
		{Name: "hls-b.js", EncodedBytes: 2048, DecodedBytes: 5120},
	})
	require.Equal(t, "2 scripts, 8.0 KiB decoded, 3.0 KiB as sent (main-a.js, hls-b.js)", got)
}
