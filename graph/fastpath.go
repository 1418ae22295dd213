package graph

import (
	"context"
	"encoding/hex"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/clipcut/clipcut/graph/model"
)

// fastReads answers the most common reads, video(id) and the videos feed
// selecting only fields that are plain values of the models, without
// gqlgen's per-field machinery: gqlgen resolves every field through
// graphql.ResolveField (a field context, closures, a boxed result, a
// marshaler; about 16 allocations) and marshals every element of an object
// list in a goroutine of its own, which made a 50-video page cost seven
// times a hand-written handler's CPU (issue 18). Here the selection is
// collected once per object type per request (gqlgen's CollectFields,
// fragments, aliases, @skip and @include included) and the JSON is
// appended to one buffer straight from the models, byte for byte what
// gqlgen writes.
//
// It runs the same resolvers (Query.video, Query.videos, Video.owner)
// behind the same @public check, after gqlgen has parsed, validated and
// measured the operation (guard, complexity, variables), so everything
// but the field-by-field execution is gqlgen's. Anything it does not know
// exactly (another root field, a field with a resolver or a directive of
// its own, a type whose definition changed, @defer, an error, a null in a
// non-null place) hands the whole operation to gqlgen untouched, which
// then answers as it always has, errors included: a query has no side
// effects, so running it again is safe.
//
// It is a response interceptor, innermost, and serves only answers the
// HTTP transports ask for once (see oneResponse): a websocket
// transport keeps asking a query's response handler until it returns nil.
type fastReads struct {
	resolver *Resolver
	// roots are the Query fields it answers, by name.
	roots map[string]fastRoot
	// types are the object types it writes, by name.
	types map[string]*fastType
	// sizeHint is the length of the last answer with a page of videos
	// ([1]) and without ([0]): the next one's buffer starts that large
	// rather than growing and copying a 60 KB page a dozen times.
	sizeHint [2]atomic.Int64
}

// fastRoot is one Query field: its kind and the scope its @public asks of
// an API token.
type fastRoot struct {
	kind  fastKind
	scope *model.Scope
}

// fastType is an object type: the names CollectFields matches fragments
// against, and its plain fields.
type fastType struct {
	name       string
	implements []string
	fields     map[string]fastFieldDef
}

type fastFieldDef struct {
	kind fastKind
	// child is the object type of an object field.
	child string
}

type fastKind uint8

const (
	fkTypename fastKind = iota
	fkQueryVideo
	fkQueryVideos
	fkVideoID
	fkVideoTitle
	fkVideoDescription
	fkVideoStatus
	fkVideoPlayable
	fkVideoPrivacy
	fkVideoDuration
	fkVideoWidth
	fkVideoHeight
	fkVideoCreatedAt
	fkVideoOwner
	fkVideoProcessing
	fkVideoRenditions
	fkUserID
	fkUserName
	fkUserIsAdmin
	fkUserCreatedAt
	fkRenditionName
	fkRenditionWidth
	fkRenditionHeight
	fkRenditionBandwidth
	fkRenditionAverageBandwidth
	fkRenditionCodecs
	fkRenditionFrameRate
	fkProcessingStage
	fkProcessingPercent
	fkProcessingError
	fkConnectionEdges
	fkConnectionPageInfo
	fkEdgeCursor
	fkEdgeNode
	fkPageHasNext
	fkPageHasPrevious
	fkPageStartCursor
	fkPageEndCursor
)

// fastSchema is what fastReads knows, as (type, field, GraphQL type,
// kind, object type of the field's values). A field whose definition in
// the schema differs (its type, arguments, a directive) is left to gqlgen.
var fastSchema = []struct {
	object, field, typ string
	kind               fastKind
	child              string
}{
	{"Video", "id", "ID!", fkVideoID, ""},
	{"Video", "title", "String!", fkVideoTitle, ""},
	{"Video", "description", "String", fkVideoDescription, ""},
	{"Video", "status", "VideoStatus!", fkVideoStatus, ""},
	{"Video", "playable", "Boolean!", fkVideoPlayable, ""},
	{"Video", "privacy", "Privacy!", fkVideoPrivacy, ""},
	{"Video", "duration", "Float", fkVideoDuration, ""},
	{"Video", "width", "Int", fkVideoWidth, ""},
	{"Video", "height", "Int", fkVideoHeight, ""},
	{"Video", "createdAt", "Time!", fkVideoCreatedAt, ""},
	{"Video", "owner", "User!", fkVideoOwner, "User"},
	{"Video", "processing", "Processing", fkVideoProcessing, "Processing"},
	{"Video", "renditions", "[Rendition!]!", fkVideoRenditions, "Rendition"},
	{"User", "id", "ID!", fkUserID, ""},
	{"User", "name", "String!", fkUserName, ""},
	{"User", "isAdmin", "Boolean!", fkUserIsAdmin, ""},
	{"User", "createdAt", "Time!", fkUserCreatedAt, ""},
	{"Rendition", "name", "String!", fkRenditionName, ""},
	{"Rendition", "width", "Int!", fkRenditionWidth, ""},
	{"Rendition", "height", "Int!", fkRenditionHeight, ""},
	{"Rendition", "bandwidth", "Int!", fkRenditionBandwidth, ""},
	{"Rendition", "averageBandwidth", "Int!", fkRenditionAverageBandwidth, ""},
	{"Rendition", "codecs", "String!", fkRenditionCodecs, ""},
	{"Rendition", "frameRate", "Float!", fkRenditionFrameRate, ""},
	{"Processing", "stage", "String!", fkProcessingStage, ""},
	{"Processing", "percent", "Float!", fkProcessingPercent, ""},
	{"Processing", "error", "String", fkProcessingError, ""},
	{"VideoConnection", "edges", "[VideoEdge!]!", fkConnectionEdges, "VideoEdge"},
	{"VideoConnection", "pageInfo", "PageInfo!", fkConnectionPageInfo, "PageInfo"},
	{"VideoEdge", "cursor", "String!", fkEdgeCursor, ""},
	{"VideoEdge", "node", "Video!", fkEdgeNode, "Video"},
	{"PageInfo", "hasNextPage", "Boolean!", fkPageHasNext, ""},
	{"PageInfo", "hasPreviousPage", "Boolean!", fkPageHasPrevious, ""},
	{"PageInfo", "startCursor", "String", fkPageStartCursor, ""},
	{"PageInfo", "endCursor", "String", fkPageEndCursor, ""},
}

// The resolvers fastReads calls, asserted at run time so that a changed
// signature (a new argument, say) turns the fast path off for that field
// instead of breaking the build.
type (
	fastVideoResolver interface {
		Video(ctx context.Context, id *uuid.UUID, publicID *string) (*model.Video, error)
	}
	fastFeedResolver interface {
		Videos(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.VideoFilter) (*model.VideoConnection, error)
	}
	fastOwnerResolver interface {
		Owner(ctx context.Context, obj *model.Video) (*model.User, error)
	}
)

// fastReadsOn switches fastReads on; tests compare its answers with
// gqlgen's.
var fastReadsOn atomic.Bool

// fastReadsServed counts the operations fastReads answered.
var fastReadsServed atomic.Int64

func init() { fastReadsOn.Store(true) }

// newFastReads reads what it can answer from the schema: the fields of
// fastSchema whose definitions match, and the roots whose arguments,
// directives and resolvers it knows.
func newFastReads(r *Resolver, schema *ast.Schema) *fastReads {
	f := &fastReads{resolver: r, roots: map[string]fastRoot{}, types: map[string]*fastType{}}
	for _, s := range fastSchema {
		def := schema.Types[s.object]
		if def == nil || def.Kind != ast.Object {
			continue
		}
		field := def.Fields.ForName(s.field)
		if field == nil || field.Type.String() != s.typ || len(field.Arguments) > 0 || len(field.Directives) > 0 {
			continue
		}
		t := f.types[s.object]
		if t == nil {
			t = &fastType{name: s.object, implements: append([]string{s.object}, def.Interfaces...), fields: map[string]fastFieldDef{}}
			f.types[s.object] = t
		}
		t.fields[s.field] = fastFieldDef{kind: s.kind, child: s.child}
	}
	if owner, ok := any(&videoResolver{r}).(fastOwnerResolver); !ok || owner == nil {
		if t := f.types["Video"]; t != nil {
			delete(t.fields, "owner")
		}
	}
	q := schema.Query
	if q == nil {
		return f
	}
	roots := []struct {
		name, typ string
		args      []string
		kind      fastKind
		ok        bool
	}{
		{"video", "Video", []string{"id: ID", "publicId: String"}, fkQueryVideo, implements[fastVideoResolver](&queryResolver{r})},
		{"videos", "VideoConnection!", []string{"first: Int", "after: String", "last: Int", "before: String", "filter: VideoFilter"}, fkQueryVideos, implements[fastFeedResolver](&queryResolver{r})},
	}
	for _, root := range roots {
		field := q.Fields.ForName(root.name)
		if !root.ok || field == nil || field.Type.String() != root.typ || len(field.Arguments) != len(root.args) {
			continue
		}
		same := true
		for i, a := range field.Arguments {
			got := a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				got += " = " + a.DefaultValue.String()
			}
			same = same && got == root.args[i]
		}
		scope, ok := publicScope(field.Directives)
		if !same || !ok {
			continue
		}
		f.roots[root.name] = fastRoot{kind: root.kind, scope: scope}
	}
	return f
}

func implements[I any](v any) bool {
	_, ok := v.(I)
	return ok
}

// publicScope reads a field's only directive, @public(scope: X) or a bare
// @public; any other directive is not one fastReads applies.
func publicScope(ds ast.DirectiveList) (*model.Scope, bool) {
	if len(ds) != 1 || ds[0].Name != "public" {
		return nil, false
	}
	switch len(ds[0].Arguments) {
	case 0:
		return nil, true
	case 1:
		a := ds[0].Arguments[0]
		if a.Name != "scope" || a.Value == nil || a.Value.Kind != ast.EnumValue {
			return nil, false
		}
		s := model.Scope(a.Value.Raw)
		return &s, s.IsValid()
	}
	return nil, false
}

func (*fastReads) ExtensionName() string                   { return "FastReads" }
func (*fastReads) Validate(graphql.ExecutableSchema) error { return nil }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = (*fastReads)(nil)

type oneResponseKey struct{}

// oneResponse marks the context of an operation whose transport asks for
// one response only (POST and GET), the only kind fastReads answers.
func oneResponse(ctx context.Context) context.Context {
	return context.WithValue(ctx, oneResponseKey{}, true)
}

// InterceptResponse answers the operation itself when it can, else hands
// it to gqlgen.
func (f *fastReads) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !fastReadsOn.Load() || ctx.Value(oneResponseKey{}) == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	data, ok := f.run(ctx, oc)
	if !ok {
		return next(ctx)
	}
	fastReadsServed.Add(1)
	return &graphql.Response{Data: data, Extensions: graphql.GetExtensions(ctx)}
}

// fastField is one collected field of a selection, ready to write.
type fastField struct {
	// key is the response key, quoted, with its colon.
	key      []byte
	kind     fastKind
	typename string
	field    graphql.CollectedField
	sub      []fastField
}

// compile collects sel on the object type typ as gqlgen would, and
// reports false if any field is not one fastReads writes.
func (f *fastReads) compile(oc *graphql.OperationContext, typ *fastType, sel ast.SelectionSet) ([]fastField, bool) {
	collected := graphql.CollectFields(oc, sel, typ.implements)
	out := make([]fastField, len(collected))
	for i, c := range collected {
		if len(c.Deferrables) > 0 || !onlySkipInclude(c.Directives) {
			return nil, false
		}
		ff := fastField{key: append(appendString(nil, c.Alias), ':'), field: c}
		if c.Name == "__typename" {
			ff.kind, ff.typename = fkTypename, typ.name
			out[i] = ff
			continue
		}
		def, ok := typ.fields[c.Name]
		if !ok {
			return nil, false
		}
		ff.kind = def.kind
		if def.child != "" {
			child := f.types[def.child]
			if child == nil {
				return nil, false
			}
			if ff.sub, ok = f.compile(oc, child, c.Selections); !ok {
				return nil, false
			}
		}
		out[i] = ff
	}
	return out, true
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// run executes the operation, or reports false for gqlgen to do it.
func (f *fastReads) run(ctx context.Context, oc *graphql.OperationContext) (data []byte, ok bool) {
	defer func() {
		if recover() != nil {
			// gqlgen runs it again and reports the panic as it does.
			data, ok = nil, false
		}
	}()
	query := &fastType{name: "Query", implements: []string{"Query"}}
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, query.implements)
	type plan struct {
		root fastRoot
		fastField
	}
	plans := make([]plan, len(roots))
	page := 0
	for i, c := range roots {
		if len(c.Deferrables) > 0 || !onlySkipInclude(c.Directives) {
			return nil, false
		}
		p := plan{fastField: fastField{key: append(appendString(nil, c.Alias), ':'), field: c}}
		if c.Name == "__typename" {
			p.kind, p.typename = fkTypename, "Query"
			plans[i] = p
			continue
		}
		root, known := f.roots[c.Name]
		if !known {
			return nil, false
		}
		p.root, p.kind = root, root.kind
		child := f.types["Video"]
		if root.kind == fkQueryVideos {
			child, page = f.types["VideoConnection"], 1
		}
		if child == nil {
			return nil, false
		}
		if p.sub, ok = f.compile(oc, child, c.Selections); !ok {
			return nil, false
		}
		plans[i] = p
	}

	// gqlgen's root: a field context for the Query object.
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query"})
	buf := make([]byte, 0, max(1024, f.sizeHint[page].Load()+512))
	buf = append(buf, '{')
	for i, p := range plans {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, p.key...)
		switch p.kind {
		case fkTypename:
			buf = appendString(buf, p.typename)
		case fkQueryVideo:
			args := p.field.ArgumentMap(oc.Variables)
			if args["publicId"] != nil || args["id"] == nil {
				return nil, false // by public id (or no id): gqlgen's
			}
			id, err := model.UnmarshalUUID(args["id"])
			if err != nil {
				return nil, false
			}
			res, err := f.resolveRoot(ctx, p.field, p.root, map[string]any{"id": id}, func(ctx context.Context) (any, error) {
				return any(&queryResolver{f.resolver}).(fastVideoResolver).Video(ctx, &id, nil)
			})
			if err != nil {
				return nil, false
			}
			v, _ := res.(*model.Video)
			if v == nil {
				buf = append(buf, "null"...)
				break
			}
			if buf, ok = f.writeVideo(ctx, buf, p.sub, v); !ok {
				return nil, false
			}
		case fkQueryVideos:
			args := p.field.ArgumentMap(oc.Variables)
			if args["last"] != nil || args["before"] != nil || args["filter"] != nil {
				return nil, false // backward paging and filters: gqlgen's (listing.go)
			}
			var first *int
			var after *string
			if v := args["first"]; v != nil {
				n, err := graphql.UnmarshalInt(v)
				if err != nil {
					return nil, false
				}
				first = &n
			}
			if v := args["after"]; v != nil {
				s, err := graphql.UnmarshalString(v)
				if err != nil {
					return nil, false
				}
				after = &s
			}
			res, err := f.resolveRoot(ctx, p.field, p.root, map[string]any{"first": first, "after": after}, func(ctx context.Context) (any, error) {
				return any(&queryResolver{f.resolver}).(fastFeedResolver).Videos(ctx, first, after, nil, nil, nil)
			})
			if err != nil {
				return nil, false
			}
			conn, _ := res.(*model.VideoConnection)
			if conn == nil {
				return nil, false
			}
			if buf, ok = f.writeConnection(ctx, buf, p.sub, conn); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	buf = append(buf, '}')
	f.sizeHint[page].Store(int64(len(buf)))
	return buf, true
}

// resolveRoot calls a Query field's resolver as gqlgen does: in the
// field's context, behind its @public check.
func (f *fastReads) resolveRoot(ctx context.Context, field graphql.CollectedField, root fastRoot, args map[string]any,
	resolve func(context.Context) (any, error)) (any, error) {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query", Field: field, Args: args, IsMethod: true, IsResolver: true})
	return publicDirective(ctx, nil, resolve, root.scope)
}

func (f *fastReads) writeConnection(ctx context.Context, buf []byte, fields []fastField, c *model.VideoConnection) ([]byte, bool) {
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkConnectionEdges:
			buf = append(buf, '[')
			for j, e := range c.Edges {
				if j > 0 {
					buf = append(buf, ',')
				}
				if e == nil {
					return nil, false
				}
				if buf, ok = f.writeEdge(ctx, buf, ff.sub, e); !ok {
					return nil, false
				}
			}
			buf = append(buf, ']')
		case fkConnectionPageInfo:
			p := c.PageInfo
			if p == nil {
				return nil, false
			}
			buf = append(buf, '{')
			for k, pf := range ff.sub {
				if k > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, pf.key...)
				switch pf.kind {
				case fkTypename:
					buf = appendString(buf, pf.typename)
				case fkPageHasNext:
					buf = strconv.AppendBool(buf, p.HasNextPage)
				case fkPageHasPrevious:
					buf = strconv.AppendBool(buf, p.HasPreviousPage)
				case fkPageStartCursor:
					buf = appendOptString(buf, p.StartCursor)
				case fkPageEndCursor:
					buf = appendOptString(buf, p.EndCursor)
				default:
					return nil, false
				}
			}
			buf = append(buf, '}')
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

func (f *fastReads) writeEdge(ctx context.Context, buf []byte, fields []fastField, e *model.VideoEdge) ([]byte, bool) {
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkEdgeCursor:
			buf = appendString(buf, e.Cursor)
		case fkEdgeNode:
			if e.Node == nil {
				return nil, false
			}
			if buf, ok = f.writeVideo(ctx, buf, ff.sub, e.Node); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

func (f *fastReads) writeVideo(ctx context.Context, buf []byte, fields []fastField, v *model.Video) ([]byte, bool) {
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkVideoID:
			buf = appendUUID(buf, v.ID)
		case fkVideoTitle:
			buf = appendString(buf, v.Title)
		case fkVideoDescription:
			buf = appendOptString(buf, v.Description)
		case fkVideoStatus:
			buf = strconv.AppendQuote(buf, v.Status.String())
		case fkVideoPlayable:
			buf = strconv.AppendBool(buf, v.Playable)
		case fkVideoPrivacy:
			buf = strconv.AppendQuote(buf, v.Privacy.String())
		case fkVideoDuration:
			if v.Duration == nil {
				buf = append(buf, "null"...)
			} else if buf, ok = appendFloat(buf, *v.Duration); !ok {
				return nil, false
			}
		case fkVideoWidth:
			buf = appendOptInt(buf, v.Width)
		case fkVideoHeight:
			buf = appendOptInt(buf, v.Height)
		case fkVideoCreatedAt:
			if buf, ok = appendTime(buf, v.CreatedAt); !ok {
				return nil, false
			}
		case fkVideoOwner:
			u, err := any(&videoResolver{f.resolver}).(fastOwnerResolver).Owner(ctx, v)
			if err != nil || u == nil {
				return nil, false
			}
			if buf, ok = writeUser(buf, ff.sub, u); !ok {
				return nil, false
			}
		case fkVideoProcessing:
			if v.Processing == nil {
				buf = append(buf, "null"...)
			} else if buf, ok = writeProcessing(buf, ff.sub, v.Processing); !ok {
				return nil, false
			}
		case fkVideoRenditions:
			buf = append(buf, '[')
			for j := range v.Renditions {
				if j > 0 {
					buf = append(buf, ',')
				}
				if buf, ok = writeRendition(buf, ff.sub, j, v); !ok {
					return nil, false
				}
			}
			buf = append(buf, ']')
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

func writeUser(buf []byte, fields []fastField, u *model.User) ([]byte, bool) {
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkUserID:
			buf = appendUUID(buf, u.ID)
		case fkUserName:
			buf = appendString(buf, u.Name)
		case fkUserIsAdmin:
			buf = strconv.AppendBool(buf, u.IsAdmin)
		case fkUserCreatedAt:
			if buf, ok = appendTime(buf, u.CreatedAt); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

func writeProcessing(buf []byte, fields []fastField, p *model.Processing) ([]byte, bool) {
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkProcessingStage:
			buf = appendString(buf, p.Stage)
		case fkProcessingPercent:
			if buf, ok = appendFloat(buf, p.Percent); !ok {
				return nil, false
			}
		case fkProcessingError:
			buf = appendOptString(buf, p.Error)
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

func writeRendition(buf []byte, fields []fastField, j int, v *model.Video) ([]byte, bool) {
	r := &v.Renditions[j]
	var ok bool
	buf = append(buf, '{')
	for i, ff := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ff.key...)
		switch ff.kind {
		case fkTypename:
			buf = appendString(buf, ff.typename)
		case fkRenditionName:
			buf = appendString(buf, r.Name)
		case fkRenditionWidth:
			buf = strconv.AppendInt(buf, int64(r.Width), 10)
		case fkRenditionHeight:
			buf = strconv.AppendInt(buf, int64(r.Height), 10)
		case fkRenditionBandwidth:
			buf = strconv.AppendInt(buf, int64(r.Bandwidth), 10)
		case fkRenditionAverageBandwidth:
			buf = strconv.AppendInt(buf, int64(r.AverageBandwidth), 10)
		case fkRenditionCodecs:
			buf = appendString(buf, r.Codecs)
		case fkRenditionFrameRate:
			if buf, ok = appendFloat(buf, r.FrameRate); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return append(buf, '}'), true
}

// The scalars, written as gqlgen's marshalers write them.

// appendString is graphql.MarshalString: only control characters,
// backslash and the quote are escaped (not <, > or &, unlike
// encoding/json), and other bytes are copied as they are.
func appendString(buf []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '\t':
			buf = append(buf, `\t`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '"':
			buf = append(buf, `\"`...)
		default:
			buf = append(buf, `\u00`...)
			buf = append(buf, hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func appendOptString(buf []byte, s *string) []byte {
	if s == nil {
		return append(buf, "null"...)
	}
	return appendString(buf, *s)
}

func appendOptInt(buf []byte, n *int) []byte {
	if n == nil {
		return append(buf, "null"...)
	}
	return strconv.AppendInt(buf, int64(*n), 10)
}

// appendFloat is graphql.MarshalFloatContext (fmt's %g, the shortest
// representation); infinities and NaN are its errors.
func appendFloat(buf []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	return strconv.AppendFloat(buf, f, 'g', -1, 64), true
}

// appendTime is graphql.MarshalTime; the zero time is its null, an error
// in a non-null field.
func appendTime(buf []byte, t time.Time) ([]byte, bool) {
	if t.IsZero() {
		return nil, false
	}
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"'), true
}

// appendUUID is model.MarshalUUID (the canonical form, quoted).
func appendUUID(buf []byte, id uuid.UUID) []byte {
	var s [38]byte
	s[0], s[37] = '"', '"'
	hex.Encode(s[1:9], id[:4])
	s[9] = '-'
	hex.Encode(s[10:14], id[4:6])
	s[14] = '-'
	hex.Encode(s[15:19], id[6:8])
	s[19] = '-'
	hex.Encode(s[20:24], id[8:10])
	s[24] = '-'
	hex.Encode(s[25:37], id[10:])
	return append(buf, s[:]...)
}
