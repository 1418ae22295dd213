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
// real handler: every audit must pass, SHOULDs and MAYs included. It needs
// node and the graphql-http package (npm install graphql-http graphql in
// the directory CLIPCUT_GRAPHQL_HTTP_DIR names); without them it skips.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("CLIPCUT_GRAPHQL_HTTP_DIR")
	if dir == "" {
		t.Skip("CLIPCUT_GRAPHQL_HTTP_DIR is not set (a directory where `npm install graphql-http graphql` ran)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		t.Skipf("graphql-http is not installed in %s: %v", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	e := newEnv(t)
	cmd := exec.Command(node, "-e", auditScript, e.srv.URL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Log(strings.TrimSpace(string(out)))
	require.NoError(t, err, "every audit must pass")
}
