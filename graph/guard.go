package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// DocumentLimits bound what one GraphQL document may ask for. They are
// checked by the guard before gqlgen validates, measures or executes the
// document, in time linear in its length, so that no document costs much
// more to refuse than a trivial query costs to answer. Zero disables a
// limit.
type DocumentLimits struct {
	// Bytes caps the length of the query text.
	Bytes int
	// Tokens caps the number of lexical tokens; parsing stops at the
	// first token past it.
	Tokens int
	// Selections caps the selections of any one selection set (fields,
	// fragment spreads and inline fragments written between one pair of
	// braces).
	Selections int
	// Aliases caps the aliased fields written in the document.
	Aliases int
	// FragmentSpreads caps the ...Fragment spreads written in the
	// document.
	FragmentSpreads int
	// Fields caps the fields of the document once every fragment spread
	// is replaced by its fragment: the work validation, the cost measure
	// and execution walk. A fragment's count is computed once however
	// often it is spread, so a "fragment bomb" is measured, not expanded.
	Fields int
	// DuplicateFields caps fields that repeat a response name already
	// selected in the same place (through fragments too), counted with
	// their subfields. gqlgen's field-merging validation compares such
	// fields pairwise, so its work grows with the square of this count.
	DuplicateFields int
}

// DefaultDocumentLimits are generous for hand-written and generated
// queries (the web app's largest needs a few hundred fields; GraphiQL's
// introspection query about 150) and refuse hostile documents in well
// under a millisecond.
var DefaultDocumentLimits = DocumentLimits{
	Bytes:           32 << 10,
	Tokens:          5000,
	Selections:      100,
	Aliases:         30,
	FragmentSpreads: 200,
	Fields:          2000,
	DuplicateFields: 100,
}

// Codes of the guard's refusals (extensions.code). Each error's
// extensions also say which limit ("limit") and its value ("max").
const (
	codeDocumentTooLarge       = "DOCUMENT_TOO_LARGE"
	codeTooManySelections      = "TOO_MANY_SELECTIONS"
	codeTooManyAliases         = "TOO_MANY_ALIASES"
	codeTooManyFragmentSpreads = "TOO_MANY_FRAGMENT_SPREADS"
	codeTooManyFields          = "TOO_MANY_FIELDS"
	codeTooManyDuplicateFields = "TOO_MANY_DUPLICATE_FIELDS"
	codeDepthLimitExceeded     = "DEPTH_LIMIT_EXCEEDED"
	codeOperationNameRequired  = "OPERATION_NAME_REQUIRED"
	codeOperationNotFound      = "OPERATION_NOT_FOUND"
)

var registerCodes sync.Once

// registerGuardCodes makes the guard's refusals request errors (HTTP 400
// or 422, a websocket "error" message) like gqlgen's own parse and
// validation failures, rather than execution errors.
func registerGuardCodes() {
	registerCodes.Do(func() {
		for _, code := range []string{codeDocumentTooLarge, codeTooManySelections, codeTooManyAliases,
			codeTooManyFragmentSpreads, codeTooManyFields, codeTooManyDuplicateFields, codeDepthLimitExceeded,
			codeOperationNameRequired, codeOperationNotFound} {
			errcode.RegisterErrorType(code, errcode.KindProtocol)
		}
	})
}

// guard is the gqlgen extension that enforces DocumentLimits and the
// depth limit. It runs as the last operation-parameter mutator, after
// automatic persisted queries have filled in the query text and before
// gqlgen parses and validates it. Documents already in the query cache
// passed it before and are not measured again.
type guard struct {
	limits DocumentLimits
	depth  int
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*guard)(nil)

func (*guard) ExtensionName() string                   { return "DocumentGuard" }
func (*guard) Validate(graphql.ExecutableSchema) error { return nil }

func (g *guard) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // gqlgen answers: no query, or an unknown persisted query.
	}
	doc, cached := g.cache.Get(ctx, params.Query)
	if !cached {
		var err *gqlerror.Error
		if doc, err = g.parse(params.Query); err != nil {
			return err
		}
		if err := g.measure(doc); err != nil {
			return err
		}
	}
	return checkOperationName(doc, params.OperationName)
}

// parse parses query, refusing it unread past the byte or token limit.
func (g *guard) parse(query string) (*ast.QueryDocument, *gqlerror.Error) {
	if g.limits.Bytes > 0 && len(query) > g.limits.Bytes {
		return nil, queryTooLong(len(query), g.limits.Bytes)
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, g.limits.Tokens)
	if err != nil {
		var gqlErr *gqlerror.Error
		if !errors.As(err, &gqlErr) {
			gqlErr = gqlerror.Wrap(err)
		}
		if g.limits.Tokens > 0 && strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
			return nil, refusal(codeDocumentTooLarge, "tokens", g.limits.Tokens,
				"The query has more than %d tokens (names, punctuation, values); the limit is %d.", g.limits.Tokens, g.limits.Tokens)
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return nil, gqlErr
	}
	return doc, nil
}

// checkOperationName says plainly what gqlgen would answer with
// "operation  not found".
func checkOperationName(doc *ast.QueryDocument, name string) *gqlerror.Error {
	if len(doc.Operations) == 0 {
		return nil // gqlgen answers "no operation provided".
	}
	if name == "" && len(doc.Operations) > 1 {
		err := gqlerror.Errorf("operationName is required when the document has several operations.")
		errcode.Set(err, codeOperationNameRequired)
		return err
	}
	if doc.Operations.ForName(name) == nil {
		err := gqlerror.Errorf("The document has no operation named %q.", name)
		errcode.Set(err, codeOperationNotFound)
		return err
	}
	return nil
}

func queryTooLong(n, max int) *gqlerror.Error {
	return refusal(codeDocumentTooLarge, "bytes", max, "The query is %d bytes long; the limit is %d.", n, max)
}

func refusal(code, limit string, max int, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": code, "limit": limit, "max": max}
	return err
}

// saturate is where counts stop growing: a fragment bomb's field count
// is 2^n, which must neither overflow nor be computed exactly.
const saturate = 1 << 40

func add(a, b int64) int64 { return min(a+b, saturate) }

// fragmentShape is what measuring a fragment found, computed once per
// fragment however often it is spread.
type fragmentShape struct {
	fields int64 // fields once expanded
	depth  int   // levels of nesting it adds where it is spread
	// names are the response names the fragment selects at its own
	// level, with how many fields select each and their expanded size:
	// what field merging compares against the fields beside a spread.
	names map[string]nameUse
	dups  int64 // duplicate fields inside the fragment, expanded
}

type nameUse struct {
	count int64
	size  int64
}

// measurer walks a document once, fragments memoised.
type measurer struct {
	limits    DocumentLimits
	fragments map[string]*ast.FragmentDefinition
	shapes    map[string]*fragmentShape
	visiting  map[string]bool
	aliases   int
	spreads   int
}

// measure checks doc against the limits. It visits each selection once:
// fragment spreads use the fragment's memoised shape.
func (g *guard) measure(doc *ast.QueryDocument) *gqlerror.Error {
	m := &measurer{limits: g.limits, fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		shapes: map[string]*fragmentShape{}, visiting: map[string]bool{}}
	for _, f := range doc.Fragments {
		m.fragments[f.Name] = f
	}
	// Written counts first: they need no expansion and name the cause
	// best (a thousand aliases are an alias problem, not a field one).
	for _, op := range doc.Operations {
		if err := m.literal(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := m.literal(f.SelectionSet); err != nil {
			return err
		}
	}
	if max := m.limits.Aliases; max > 0 && m.aliases > max {
		return refusal(codeTooManyAliases, "aliases", max, "The query has %d aliased fields; the limit is %d.", m.aliases, max)
	}
	if max := m.limits.FragmentSpreads; max > 0 && m.spreads > max {
		return refusal(codeTooManyFragmentSpreads, "fragmentSpreads", max, "The query has %d fragment spreads; the limit is %d.", m.spreads, max)
	}
	var fields, dups int64
	depth := 0
	for _, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return err
		}
		fields = add(fields, s.fields)
		dups = add(dups, s.dups)
		depth = max(depth, s.depth)
	}
	if g.depth > 0 && depth > g.depth {
		return refusal(codeDepthLimitExceeded, "depth", g.depth, "The query is %d levels deep; the limit is %d.", depth, g.depth)
	}
	if max := m.limits.Fields; max > 0 && fields > int64(max) {
		return refusal(codeTooManyFields, "fields", max,
			"The query selects %s fields once its fragments are expanded; the limit is %d.", count(fields), max)
	}
	if max := m.limits.DuplicateFields; max > 0 && dups > int64(max) {
		return refusal(codeTooManyDuplicateFields, "duplicateFields", max,
			"The query repeats fields already selected in the same place %s times (subfields included); the limit is %d.", count(dups), max)
	}
	return nil
}

// count prints n, or "more than 10^12" for a saturated count.
func count(n int64) string {
	if n >= saturate {
		return "more than a trillion"
	}
	return fmt.Sprint(n)
}

// literal counts what the document writes: selections per set, aliases,
// spreads. It does not follow spreads.
func (m *measurer) literal(set ast.SelectionSet) *gqlerror.Error {
	if max := m.limits.Selections; max > 0 && len(set) > max {
		return refusal(codeTooManySelections, "selections", max,
			"A selection set has %d selections; the limit is %d.", len(set), max)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if err := m.literal(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := m.literal(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			m.spreads++
		}
	}
	return nil
}

// set measures one selection set: its expanded fields, the depth it adds,
// the response names at its level (inline fragments and spreads merged,
// as field merging sees them) and its duplicate fields.
func (m *measurer) set(set ast.SelectionSet) (*fragmentShape, *gqlerror.Error) {
	s := &fragmentShape{names: map[string]nameUse{}}
	if err := m.collect(set, s); err != nil {
		return nil, err
	}
	// Within one merged set, every field of a response name beyond the
	// largest is a duplicate that merging compares with the others.
	for _, use := range s.names {
		if use.count > 1 {
			s.dups = add(s.dups, use.size-use.size/use.count)
		}
	}
	return s, nil
}

// collect adds set's selections to s, at s's level.
func (m *measurer) collect(set ast.SelectionSet, s *fragmentShape) *gqlerror.Error {
	for _, sel := range set {
		switch f := sel.(type) {
		case *ast.Field:
			size, depth := int64(1), 1
			if len(f.SelectionSet) > 0 {
				sub, err := m.set(f.SelectionSet)
				if err != nil {
					return err
				}
				size = add(size, sub.fields)
				s.dups = add(s.dups, sub.dups)
				// Introspection is deep by design and bounded by the
				// schema; it does not count against the depth limit.
				if f.Name != "__schema" && f.Name != "__type" {
					depth += sub.depth
				} else {
					depth = 0
				}
			}
			s.fields = add(s.fields, size)
			s.depth = max(s.depth, depth)
			name := f.Alias
			if name == "" {
				name = f.Name
			}
			use := s.names[name]
			s.names[name] = nameUse{count: add(use.count, 1), size: add(use.size, size)}
		case *ast.InlineFragment:
			if err := m.collect(f.SelectionSet, s); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			frag, err := m.fragment(f.Name)
			if err != nil {
				return err
			}
			if frag == nil {
				continue // validation reports the unknown fragment.
			}
			s.fields = add(s.fields, frag.fields)
			s.dups = add(s.dups, frag.dups)
			s.depth = max(s.depth, frag.depth)
			for name, use := range frag.names {
				prev := s.names[name]
				s.names[name] = nameUse{count: add(prev.count, use.count), size: add(prev.size, use.size)}
			}
		}
	}
	return nil
}

// fragment returns the memoised shape of the named fragment, or nil for
// an unknown one. A fragment that spreads itself is refused here, as
// validation would, since expanding it never ends.
func (m *measurer) fragment(name string) (*fragmentShape, *gqlerror.Error) {
	if s, ok := m.shapes[name]; ok {
		return s, nil
	}
	def := m.fragments[name]
	if def == nil {
		return nil, nil
	}
	if m.visiting[name] {
		err := gqlerror.Errorf("Cannot spread fragment %q within itself.", name)
		errcode.Set(err, errcode.ValidationFailed)
		return nil, err
	}
	m.visiting[name] = true
	// A fragment's own duplicates are counted where it is defined, once,
	// not per spread; its names are merged into each spreading set.
	s := &fragmentShape{names: map[string]nameUse{}}
	if err := m.collect(def.SelectionSet, s); err != nil {
		return nil, err
	}
	delete(m.visiting, name)
	m.shapes[name] = s
	return s, nil
}
