package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// fastPOST is gqlgen's POST transport with a cheaper way of writing a
// successful answer. gqlgen's writes every response with json.Marshal,
// which scans the already-encoded data twice more (validating, then
// compacting it); for a 50-video page that was a tenth of the request's
// CPU. A plain answer (data, nothing else, no character that
// encoding/json would escape) is written as `{"data":` + data + `}`,
// byte for byte what json.Marshal gives; everything else, errors
// included, goes through transport.POST unchanged.
type fastPOST struct{ transport.POST }

var _ graphql.Transport = fastPOST{}

func (t fastPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.fallback(w, r, exec, body)
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		t.fallback(w, r, exec, body)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		// The error answer (status, body) is transport.POST's; it
		// repeats the cheap steps above.
		t.fallback(w, r, exec, body)
		return
	}
	w.Header().Add("Content-Type", responseContentType(r))
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// fallback lets transport.POST handle the request, its body restored.
func (t fastPOST) fallback(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.POST.Do(w, r, exec)
}

// responseContentType is the Content-Type transport.POST answers with
// (its default settings): application/json unless the client accepts only
// application/graphql-response+json.
func responseContentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case "application/graphql-response+json":
			return "application/graphql-response+json"
		}
	}
	return "application/graphql-response+json"
}

// writeResponse writes resp as json.Marshal would.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil || len(resp.Errors) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil ||
		resp.Extensions != nil || len(resp.Data) == 0 || needsEscaping(resp.Data) {
		b, err := json.Marshal(resp)
		if err != nil {
			// transport.POST panics here too (gqlgen's own encoding
			// is always valid JSON); the recovery middleware answers.
			panic(err)
		}
		w.Write(b)
		return
	}
	buf := make([]byte, 0, len(resp.Data)+len(`{"data":}`))
	buf = append(buf, `{"data":`...)
	buf = append(buf, resp.Data...)
	buf = append(buf, '}')
	w.Write(buf)
}

// needsEscaping reports whether data holds what json.Marshal would
// rewrite in a json.RawMessage: <, > and & (HTML-safe escaping), or U+2028
// and U+2029. (It would also drop whitespace between tokens; gqlgen's
// encoding writes none.)
func needsEscaping(data []byte) bool {
	return bytes.ContainsAny(data, "<>&") || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029"))
}
