package tracing

import (
	"math"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file writes spans as an OTLP ExportTraceServiceRequest
// (opentelemetry-proto, collector/trace/v1) straight from the SDK's
// ReadOnlySpans into one reused buffer. The OTLP exporter of
// OpenTelemetry Go first copies every span into generated protobuf
// structs (five to ten allocations a span, more per attribute) and then
// marshals those by reflection: measured on the graphql benchmark's
// server, that was half of what tracing cost a request. The output is
// the same message, field for field (TestEncodeMatchesOTLPExporter).

// Field numbers of the OTLP messages written here.
const (
	fRequestResourceSpans = 1 // ExportTraceServiceRequest.resource_spans

	fResourceSpansResource   = 1
	fResourceSpansScopeSpans = 2
	fResourceSpansSchemaURL  = 3
	fResourceAttributes      = 1

	fScopeSpansScope     = 1
	fScopeSpansSpans     = 2
	fScopeSpansSchemaURL = 3
	fScopeName           = 1
	fScopeVersion        = 2
	fScopeAttributes     = 3

	fSpanTraceID           = 1
	fSpanSpanID            = 2
	fSpanTraceState        = 3
	fSpanParentSpanID      = 4
	fSpanName              = 5
	fSpanKind              = 6
	fSpanStart             = 7
	fSpanEnd               = 8
	fSpanAttributes        = 9
	fSpanDroppedAttributes = 10
	fSpanEvents            = 11
	fSpanDroppedEvents     = 12
	fSpanLinks             = 13
	fSpanDroppedLinks      = 14
	fSpanStatus            = 15
	fSpanFlags             = 16

	fEventTime              = 1
	fEventName              = 2
	fEventAttributes        = 3
	fEventDroppedAttributes = 4

	fLinkTraceID           = 1
	fLinkSpanID            = 2
	fLinkTraceState        = 3
	fLinkAttributes        = 4
	fLinkDroppedAttributes = 5
	fLinkFlags             = 6

	fStatusMessage = 2
	fStatusCode    = 3

	fKeyValueKey   = 1
	fKeyValueValue = 2

	fAnyString = 1
	fAnyBool   = 2
	fAnyInt    = 3
	fAnyDouble = 4
	fAnyArray  = 5
	fAnyKVList = 6
	fAnyBytes  = 7

	fArrayValues = 1 // ArrayValue.values and KeyValueList.values

	// SpanFlags: the parent's remoteness is known, and whether it is.
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200

	// Status.code.
	statusOK    = 1
	statusError = 2
)

// appendRequest appends spans as one ExportTraceServiceRequest: a
// ResourceSpans per resource and within it a ScopeSpans per
// instrumentation scope, each in the order its first span comes.
func appendRequest(b []byte, spans []sdktrace.ReadOnlySpan) []byte {
	type group struct {
		res   *resource.Resource
		scope instrumentation.Scope
	}
	// A process has one resource and a handful of scopes: a linear
	// search beats a map.
	var groups []group
	for _, s := range spans {
		g := group{s.Resource(), s.InstrumentationScope()}
		if !containsGroup(groups, g, func(a, b group) bool { return sameResource(a.res, b.res) && a.scope == b.scope }) {
			groups = append(groups, g)
		}
	}
	done := make([]bool, len(groups))
	for i, g := range groups {
		if done[i] {
			continue
		}
		b = appendMessage(b, fRequestResourceSpans, func(b []byte) []byte {
			if g.res != nil {
				b = appendMessage(b, fResourceSpansResource, func(b []byte) []byte {
					for it := g.res.Iter(); it.Next(); {
						b = appendKeyValue(b, fResourceAttributes, it.Attribute())
					}
					return b
				})
			}
			for j := i; j < len(groups); j++ {
				if done[j] || !sameResource(groups[j].res, g.res) {
					continue
				}
				done[j] = true
				b = appendScopeSpans(b, groups[j].scope, g.res, spans)
			}
			if g.res != nil {
				b = appendString(b, fResourceSpansSchemaURL, g.res.SchemaURL())
			}
			return b
		})
	}
	return b
}

func containsGroup[T any](s []T, v T, eq func(a, b T) bool) bool {
	for _, x := range s {
		if eq(x, v) {
			return true
		}
	}
	return false
}

// sameResource is whether two spans' resources are one: the same
// pointer (spans of one provider) or the same attributes.
func sameResource(a, b *resource.Resource) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.Equivalent() == b.Equivalent() && a.SchemaURL() == b.SchemaURL()
}

func appendScopeSpans(b []byte, scope instrumentation.Scope, res *resource.Resource, spans []sdktrace.ReadOnlySpan) []byte {
	return appendMessage(b, fResourceSpansScopeSpans, func(b []byte) []byte {
		if scope != (instrumentation.Scope{}) {
			b = appendMessage(b, fScopeSpansScope, func(b []byte) []byte {
				b = appendString(b, fScopeName, scope.Name)
				b = appendString(b, fScopeVersion, scope.Version)
				for it := scope.Attributes.Iter(); it.Next(); {
					b = appendKeyValue(b, fScopeAttributes, it.Attribute())
				}
				return b
			})
		}
		for _, s := range spans {
			if s.InstrumentationScope() == scope && sameResource(s.Resource(), res) {
				b = appendMessage(b, fScopeSpansSpans, func(b []byte) []byte { return appendSpan(b, s) })
			}
		}
		return appendString(b, fScopeSpansSchemaURL, scope.SchemaURL)
	})
}

func appendSpan(b []byte, s sdktrace.ReadOnlySpan) []byte {
	sc, parent := s.SpanContext(), s.Parent()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendBytes(b, fSpanTraceID, tid[:])
	b = appendBytes(b, fSpanSpanID, sid[:])
	b = appendString(b, fSpanTraceState, sc.TraceState().String())
	if parent.SpanID().IsValid() {
		psid := parent.SpanID()
		b = appendBytes(b, fSpanParentSpanID, psid[:])
	}
	b = appendString(b, fSpanName, s.Name())
	if k := s.SpanKind(); k != trace.SpanKindUnspecified {
		b = appendVarint(b, fSpanKind, uint64(k)) // OTLP numbers the kinds as OpenTelemetry Go does
	}
	b = appendFixed64(b, fSpanStart, unixNano(s.StartTime().UnixNano()))
	b = appendFixed64(b, fSpanEnd, unixNano(s.EndTime().UnixNano()))
	for _, kv := range s.Attributes() {
		b = appendKeyValue(b, fSpanAttributes, kv)
	}
	b = appendVarint(b, fSpanDroppedAttributes, clampCount(s.DroppedAttributes()))
	for _, e := range s.Events() {
		b = appendMessage(b, fSpanEvents, func(b []byte) []byte {
			b = appendFixed64(b, fEventTime, unixNano(e.Time.UnixNano()))
			b = appendString(b, fEventName, e.Name)
			for _, kv := range e.Attributes {
				b = appendKeyValue(b, fEventAttributes, kv)
			}
			return appendVarint(b, fEventDroppedAttributes, clampCount(e.DroppedAttributeCount))
		})
	}
	b = appendVarint(b, fSpanDroppedEvents, clampCount(s.DroppedEvents()))
	for _, l := range s.Links() {
		b = appendMessage(b, fSpanLinks, func(b []byte) []byte {
			ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
			b = appendBytes(b, fLinkTraceID, ltid[:])
			b = appendBytes(b, fLinkSpanID, lsid[:])
			b = appendString(b, fLinkTraceState, l.SpanContext.TraceState().String())
			for _, kv := range l.Attributes {
				b = appendKeyValue(b, fLinkAttributes, kv)
			}
			b = appendVarint(b, fLinkDroppedAttributes, clampCount(l.DroppedAttributeCount))
			return appendFixed32(b, fLinkFlags, spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
		})
	}
	b = appendVarint(b, fSpanDroppedLinks, clampCount(s.DroppedLinks()))
	st := s.Status()
	// The OTLP exporter always sends a status, an empty one when unset.
	b = appendMessage(b, fSpanStatus, func(b []byte) []byte {
		b = appendString(b, fStatusMessage, st.Description)
		switch st.Code {
		case codes.Ok:
			b = appendVarint(b, fStatusCode, statusOK)
		case codes.Error:
			b = appendVarint(b, fStatusCode, statusError)
		}
		return b
	})
	return appendFixed32(b, fSpanFlags, spanFlags(sc.TraceFlags(), parent))
}

// spanFlags are W3C trace flags plus whether the parent (or a link's
// span) is remote.
func spanFlags(tf trace.TraceFlags, parent trace.SpanContext) uint32 {
	f := uint32(tf) | flagHasIsRemote
	if parent.IsRemote() {
		f |= flagIsRemote
	}
	return f
}

func unixNano(n int64) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}

func clampCount(n int) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(min(n, math.MaxUint32))
}

func appendKeyValue(b []byte, field protowire.Number, kv attribute.KeyValue) []byte {
	return appendMessage(b, field, func(b []byte) []byte {
		b = appendString(b, fKeyValueKey, string(kv.Key))
		return appendMessage(b, fKeyValueValue, func(b []byte) []byte { return appendAnyValue(b, kv.Value) })
	})
}

// appendAnyValue writes an AnyValue's fields (the message's body).
func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		return appendBool(b, fAnyBool, v.AsBool())
	case attribute.INT64:
		return appendTagged(b, fAnyInt, protowire.VarintType, func(b []byte) []byte { return protowire.AppendVarint(b, uint64(v.AsInt64())) })
	case attribute.FLOAT64:
		return appendTagged(b, fAnyDouble, protowire.Fixed64Type, func(b []byte) []byte { return protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64())) })
	case attribute.STRING:
		return appendStringAlways(b, fAnyString, v.AsString())
	case attribute.BYTESLICE:
		return appendTagged(b, fAnyBytes, protowire.BytesType, func(b []byte) []byte { return protowire.AppendBytes(b, v.AsByteSlice()) })
	case attribute.BOOLSLICE:
		return appendArray(b, len(v.AsBoolSlice()), func(b []byte, i int) []byte { return appendBool(b, fAnyBool, v.AsBoolSlice()[i]) })
	case attribute.INT64SLICE:
		s := v.AsInt64Slice()
		return appendArray(b, len(s), func(b []byte, i int) []byte {
			return appendTagged(b, fAnyInt, protowire.VarintType, func(b []byte) []byte { return protowire.AppendVarint(b, uint64(s[i])) })
		})
	case attribute.FLOAT64SLICE:
		s := v.AsFloat64Slice()
		return appendArray(b, len(s), func(b []byte, i int) []byte {
			return appendTagged(b, fAnyDouble, protowire.Fixed64Type, func(b []byte) []byte { return protowire.AppendFixed64(b, math.Float64bits(s[i])) })
		})
	case attribute.STRINGSLICE:
		s := v.AsStringSlice()
		return appendArray(b, len(s), func(b []byte, i int) []byte { return appendStringAlways(b, fAnyString, s[i]) })
	case attribute.SLICE:
		s := v.AsSlice()
		return appendArray(b, len(s), func(b []byte, i int) []byte { return appendAnyValue(b, s[i]) })
	case attribute.MAP:
		m := v.AsMap()
		return appendMessage(b, fAnyKVList, func(b []byte) []byte {
			for _, kv := range m {
				b = appendKeyValue(b, fArrayValues, kv)
			}
			return b
		})
	case attribute.EMPTY:
		return b
	default:
		return appendStringAlways(b, fAnyString, "INVALID")
	}
}

// appendArray writes an ArrayValue of n AnyValues, each written by one.
func appendArray(b []byte, n int, one func(b []byte, i int) []byte) []byte {
	return appendMessage(b, fAnyArray, func(b []byte) []byte {
		for i := range n {
			b = appendMessage(b, fArrayValues, func(b []byte) []byte { return one(b, i) })
		}
		return b
	})
}

// appendMessage writes a length-delimited field whose body body
// appends: the body is written in place, then moved up by the length's
// width once the length is known, a copy per level of nesting that costs
// less than sizing every message first.
func appendMessage(b []byte, field protowire.Number, body func([]byte) []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	start := len(b)
	b = body(b)
	n := len(b) - start
	w := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, w)...)
	copy(b[start+w:], b[start:start+n])
	protowire.AppendVarint(b[start:start], uint64(n))
	return b
}

func appendTagged(b []byte, field protowire.Number, typ protowire.Type, value func([]byte) []byte) []byte {
	return value(protowire.AppendTag(b, field, typ))
}

// appendString writes a string field unless it is empty (proto3's
// default, which is not sent).
func appendString(b []byte, field protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return appendStringAlways(b, field, s)
}

// appendStringAlways writes a string field even when empty (a oneof's
// member is sent whatever its value). Protobuf strings are UTF-8, and a
// receiver may refuse a request with one that is not (a query's text cut
// at maxSQL mid-rune, an error message): invalid bytes become U+FFFD.
func appendStringAlways(b []byte, field protowire.Number, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return protowire.AppendString(protowire.AppendTag(b, field, protowire.BytesType), s)
}

func appendBytes(b []byte, field protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, field, protowire.BytesType), v)
}

func appendVarint(b []byte, field protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, field, protowire.VarintType), v)
}

func appendBool(b []byte, field protowire.Number, v bool) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, field, protowire.VarintType), protowire.EncodeBool(v))
}

func appendFixed64(b []byte, field protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendFixed64(protowire.AppendTag(b, field, protowire.Fixed64Type), v)
}

func appendFixed32(b []byte, field protowire.Number, v uint32) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendFixed32(protowire.AppendTag(b, field, protowire.Fixed32Type), v)
}
