package graph_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// auditScript runs graphql-http's server audit (61 audits of GraphQL over
// HTTP) and prints every one that is not "ok", then a summary line.
const auditScript = `
const { auditServer } = require('graphql-http');
auditServer({ url: process.argv[1] }).then((results) => {
  let bad = 0;
  for (const r of results) {
    if (r.status !== 'ok') { bad++; console.log(r.status, r.name, '-', r.reason); }
  }
  console.log('audits', results.length, 'not ok', bad);
  process.exit(bad ? 1 : 0);
});
`

// TestGraphQLOverHTTPAudit runs graphql-http's auditServer against the
// real handler: every audit must pass, SHOULDs and MAYs included. It runs
// the graphql-http package the web app lists as a dev dependency (in
// frontend/node_modules, which make test installs); CLIPCUT_GRAPHQL_HTTP_DIR
// may name another directory holding node_modules/graphql-http.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("CLIPCUT_GRAPHQL_HTTP_DIR")
	if dir == "" {
		dir = filepath.Join("..", "frontend")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		t.Fatalf("graphql-http is not installed in %s (run make test, or npm ci in frontend/): %v", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed; make test needs Node 20")
	}
	e := newEnv(t)
	cmd := exec.Command(node, "-e", auditScript, e.srv.URL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Log(strings.TrimSpace(string(out)))
	require.NoError(t, err, "every audit must pass")
}
