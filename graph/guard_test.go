package graph

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestDefaultLimitsAdmitRealQueries runs every document of the web app
// (frontend/src/gql/gql.ts, written by graphql-codegen), GraphiQL's
// introspection query and the examples' documents through the guard with
// the server's default limits (depth 12): none may be refused.
func TestDefaultLimitsAdmitRealQueries(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../frontend/src/gql/gql.ts")
	require.NoError(t, err)
	// The Documents type's keys are the documents, as JSON strings.
	var docs, fragments []string
	for _, m := range regexp.MustCompile(`(?m)^    ("(?:[^"\\]|\\.)*"): typeof`).FindAllStringSubmatch(string(src), -1) {
		var doc string
		require.NoError(t, json.Unmarshal([]byte(m[1]), &doc))
		if strings.Contains(doc, "query") || strings.Contains(doc, "mutation") || strings.Contains(doc, "subscription") {
			docs = append(docs, doc)
		}
		if strings.Contains(doc, "fragment ") {
			fragments = append(fragments, doc)
		}
	}
	require.GreaterOrEqual(t, len(docs), 10, "documents found in gql.ts")
	// codegen appends the fragments a document uses; appending them all
	// can only make each document larger.
	all := strings.Join(fragments, "\n")
	examples := []string{
		`mutation($in: CreateUploadInput!) { createUpload(input: $in) { uploadUrl video { id } } }`,
		`subscription($id: ID!) { videoProgress(id: $id) { status stage percent playable error } }`,
	}
	g := &guard{limits: DefaultDocumentLimits, depth: 12}
	for _, doc := range append(append(docs, examples...), introspection.Query) {
		if !strings.Contains(doc, "fragment ") || strings.Contains(doc, "query") || strings.Contains(doc, "mutation") {
			doc += "\n" + all
		}
		parsed, gqlErr := g.parse(doc)
		require.Nil(t, gqlErr, doc)
		require.Nil(t, g.measure(parsed), doc)
	}
}

// TestMeasureCountsFragmentsOnce checks the memoised counts on a bomb
// whose expansion would not fit in memory.
func TestMeasureCountsFragmentsOnce(t *testing.T) {
	t.Parallel()
	g := &guard{limits: DocumentLimits{Fields: 1 << 30}}
	doc, gqlErr := g.parse(`query{me{...F0}} fragment F0 on User{...F1 ...F1} fragment F1 on User{...F2 ...F2} fragment F2 on User{id name}`)
	require.Nil(t, gqlErr)
	m := &measurer{limits: g.limits, fragments: map[string]*ast.FragmentDefinition{}, shapes: map[string]*fragmentShape{}, visiting: map[string]bool{}}
	for _, f := range doc.Fragments {
		m.fragments[f.Name] = f
	}
	s, gqlErr := m.set(doc.Operations[0].SelectionSet)
	require.Nil(t, gqlErr)
	require.EqualValues(t, 1+8, s.fields) // me, then 4 copies of id and name
	require.Equal(t, 2, s.depth)
	// Inside me: id and name 4 times each, 3 of them duplicates.
	require.EqualValues(t, 6, s.dups)
}
