package graph

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestWriteResponseMatchesJSONMarshal(t *testing.T) {
	t.Parallel()
	yes := true
	for _, tc := range []struct {
		name string
		resp *graphql.Response
	}{
		{"plain data", &graphql.Response{Data: json.RawMessage(`{"video":{"id":"x","title":"A title","n":1.5}}`)}},
		{"null data", &graphql.Response{Data: json.RawMessage(`null`)}},
		{"no data", &graphql.Response{}},
		{"html characters", &graphql.Response{Data: json.RawMessage(`{"t":"<b>Tom & Jerry</b>"}`)}},
		{"line separators", &graphql.Response{Data: json.RawMessage("{\"t\":\"a\u2028b\u2029c\"}")}},
		{"errors", &graphql.Response{Data: json.RawMessage(`{"video":null}`), Errors: gqlerror.List{{Message: "no"}}}},
		{"extensions", &graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"k": 1}}},
		{"deferred", &graphql.Response{Data: json.RawMessage(`{}`), Label: "l", HasNext: &yes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.resp)
			require.NoError(t, err)
			var got bytes.Buffer
			writeResponse(&got, tc.resp)
			require.Equal(t, string(want), got.String())
		})
	}
}
