package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/clipcut/clipcut/auth"
)

// fastPOST is clipcut's POST transport (application/json bodies). It
// differs from gqlgen's transport.POST in three ways:
//   - A successful answer is written without json.Marshal, which scans the
//     already-encoded data twice more (validating, then compacting it);
//     for a 50-video page that was a tenth of the request's CPU. A plain
//     answer (data, nothing else, no character that encoding/json would
//     escape) is written as `{"data":` + data + `}`, byte for byte what
//     json.Marshal gives.
//   - A body that is not JSON gets a message saying what is wrong and at
//     which byte, never the body itself (gqlgen echoes it whole).
//   - A request refused before execution (parse, validation, variables,
//     limits) has no "data" entry, and is answered 400 in
//     application/graphql-response+json and 200 in application/json, as
//     the GraphQL over HTTP specification asks (gqlgen answers 422 in
//     application/json and writes "data": null).
type fastPOST struct {
	transport.POST
	// maxQuery is DocumentLimits.Bytes: a longer query is refused before
	// the body is decoded. Zero disables it.
	maxQuery int
}

var _ graphql.Transport = fastPOST{}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (t fastPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	// Bodies are read into reused buffers: decoding copies what it keeps,
	// and a fresh megabyte per request (zeroed, grown, collected) was
	// most of the cost of refusing a megabyte-long document.
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	body := buf.Bytes()
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			writeRequestError(w, requestError("REQUEST_TOO_LARGE", "The request body is larger than %d bytes.", tooLarge.Limit))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, requestError("BAD_REQUEST", "The request body could not be read."))
		return
	}
	if n, ok := queryLength(body); ok && t.maxQuery > 0 && n > t.maxQuery {
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, queryTooLong(n, t.maxQuery))
		return
	}
	var params graphql.RawParams
	if err := decodeJSON(body, &params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, requestError("BAD_REQUEST", "The request body is not a GraphQL request in JSON: %s.", describeJSONError(err)))
		return
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		// Not a GraphQL request at all (a misspelt "query", say): 400 in
		// either media type, unlike a document that fails to parse.
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, requestError("BAD_REQUEST", `The request has no "query" (nor a persisted query's hash).`))
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, &params, false)
}

// fastGET answers queries sent as GET /graphql?query=...; it shares
// fastPOST's error answers, and refuses mutations with 405 as GraphQL over
// HTTP requires.
type fastGET struct{ transport.GET }

var _ graphql.Transport = fastGET{}

func (fastGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	w.Header().Set("Content-Type", responseContentType(r))
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeRequestError(w, requestError("BAD_REQUEST", "The query string could not be parsed."))
		return
	}
	params := graphql.RawParams{Query: query.Get("query"), OperationName: query.Get("operationName")}
	for _, p := range []struct {
		name string
		dst  any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := query.Get(p.name); v != "" {
			if err := decodeJSON([]byte(v), p.dst); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				writeRequestError(w, requestError("BAD_REQUEST", "The %s parameter is not a JSON object: %s.", p.name, describeJSONError(err)))
				return
			}
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, &params, true)
}

// execute runs one decoded request and writes its answer.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, get bool) {
	params.Headers = r.Header
	ctx := oneResponse(r.Context())
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		w.WriteHeader(statusFor(errs, w.Header().Get("Content-Type")))
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeRequestError(w, resp.Errors...)
		return
	}
	if get && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		writeRequestError(w, requestError("BAD_REQUEST", "GET requests may only run queries; send a %s with POST.", oc.Operation.Operation))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// statusFor is the status of a request refused before execution (parse,
// validation, variable coercion, the guard's limits): 400 in
// application/graphql-response+json, whose clients read the status, and
// 200 in application/json, whose older clients look for "errors" only
// (GraphQL over HTTP asks for both).
func statusFor(errs gqlerror.List, contentType string) int {
	if contentType == "application/graphql-response+json" && errcode.GetErrorKind(errs) == errcode.KindProtocol {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

func requestError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

// WriteRefusal answers a GraphQL request refused for its credentials
// before execution (see auth.Middleware): status (401, or 503 when they
// could not be checked) and the standard GraphQL error shape, no "data",
// {"errors": [{"message": ..., "extensions": {"code": "UNAUTHENTICATED"}}]},
// in the media type the client accepts. A websocket upgrade is refused
// the same way, before it is upgraded.
func WriteRefusal(w http.ResponseWriter, r *http.Request, status int, err *auth.Error) {
	w.Header().Set("Content-Type", responseContentType(r))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	writeRequestError(w, requestError(err.Code, "%s", err.Message))
}

// writeRequestError writes a response with errors and no "data" entry:
// the request was refused before execution began.
func writeRequestError(w io.Writer, errs ...*gqlerror.Error) {
	b, err := json.Marshal(struct {
		Errors gqlerror.List `json:"errors"`
	}{errs})
	if err != nil {
		panic(err) // gqlerror.Error always encodes; the recovery middleware answers.
	}
	w.Write(b)
}

// decodeJSON decodes one JSON value, numbers kept exact, and refuses
// anything after it.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return trailingData{offset: dec.InputOffset()}
	}
	return nil
}

// trailingData is a JSON body with more after its first value.
type trailingData struct{ offset int64 }

func (t trailingData) Error() string {
	return fmt.Sprintf("unexpected data after the JSON value at byte %d", t.offset)
}

// describeJSONError says what is wrong with a JSON body and where, in
// words that name no Go type and quote nothing of the body.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var trailing trailingData
	switch {
	case errors.As(err, &trailing):
		return trailing.Error()
	case errors.As(err, &syntax):
		return fmt.Sprintf("%s at byte %d", strings.TrimPrefix(syntax.Error(), "json: "), syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%q must not be a JSON %s (at byte %d)", typ.Field, typ.Value, typ.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("expected a JSON object, found a JSON %s", typ.Value)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON value ends early"
	default:
		return "the body is not valid JSON"
	}
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
		len(resp.Extensions) > 0 || len(resp.Data) == 0 || needsEscaping(resp.Data) {
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

// queryLength finds the "query" members of a JSON object body and
// returns the decoded length of the longest, in bytes (a lower bound
// where escapes are unusual); ok is false when the body is not a JSON
// object or its query is not a string, which the decoder then reports.
// It lets an oversized document be refused at memchr speed: decoding a
// megabyte of JSON with encoding/json costs some 30 ms, a few hundred
// times the cost of answering a trivial query.
func queryLength(body []byte) (n int, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return 0, false
	}
	i++
	for {
		i = skipSpace(body, i)
		if i < len(body) && body[i] == '}' {
			return n, ok
		}
		if i >= len(body) || body[i] != '"' {
			return 0, false
		}
		key, end, found := scanString(body, i)
		if !found {
			return 0, false
		}
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return 0, false
		}
		i = skipSpace(body, i+1)
		if string(key) == "query" {
			if i >= len(body) || body[i] != '"' {
				return 0, false
			}
			raw, _, found := scanString(body, i)
			if !found {
				return 0, false
			}
			n, ok = max(n, decodedLength(raw)), true
		}
		if i, found = skipValue(body, i); !found {
			return 0, false
		}
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i++
			continue
		}
		if i < len(body) && body[i] == '}' {
			return n, ok
		}
		return 0, false
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the raw contents of the JSON string starting at
// b[i] (a quote) and the index after its closing quote.
func scanString(b []byte, i int) (raw []byte, end int, ok bool) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return nil, 0, false
		}
		q := j + k
		backslashes := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return b[i+1 : q], q + 1, true
		}
		j = q + 1
	}
}

// skipValue returns the index after the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		_, end, ok := scanString(b, i)
		return end, ok
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				_, end, ok := scanString(b, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
			i++
		}
		return i, true
	}
}

// decodedLength is the length of a JSON string's contents once decoded:
// each escape is one byte, \uXXXX one to three (a surrogate half two, so
// a pair is four).
func decodedLength(raw []byte) int {
	n := len(raw)
	for i := bytes.IndexByte(raw, '\\'); i >= 0 && i+1 < len(raw); {
		if raw[i+1] == 'u' && i+6 <= len(raw) {
			r, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
			size := 3
			switch {
			case err != nil:
				size = 6
			case r < 0x80:
				size = 1
			case r < 0x800:
				size = 2
			case r >= 0xD800 && r <= 0xDFFF:
				size = 2
			}
			n -= 6 - size
			i += 6
		} else {
			n--
			i += 2
		}
		next := bytes.IndexByte(raw[i:], '\\')
		if next < 0 {
			break
		}
		i += next
	}
	return n
}
