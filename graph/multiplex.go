package graph

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/store"
)

// multiplexer shares videoProgress subscriptions: subscribers of the same
// document, variables and visibility class join one stream, which
// subscribes once to the hub, executes the selection once per event
// through gqlgen's executor and encodes the payload once; each subscriber
// gets that payload in a frame carrying its own operation id (built once
// per distinct id and protocol, so subscribers that all call their
// operation "1" share the frame's bytes too).
//
// A progress event's fields do not depend on who reads them; what does
// is whether the reader may see the video at all. So authorization is
// per subscriber: checked when it joins (the same checks as the
// resolver's: the token's scope, the video's visibility), and streams are
// split by visibility class (administrator, the video's owner, anyone
// else) so that a stream's own reads (its first state, re-reads after
// the notifier reconnects) see what its subscribers may see. When a
// video's privacy changes, the "anyone else" streams of that video hold
// their events until the visibility is read again, and end (each
// subscriber gets complete) if the video is no longer visible; a
// connection whose session or token is logged out or revoked is ended by
// the transport the moment the notifier announces it (wsConn.revoke),
// before any later event is published.
type multiplexer struct {
	r *Resolver

	mu      sync.Mutex
	streams map[mxKey]*mxStream
	byVideo map[uuid.UUID]map[*mxStream]struct{}
}

// mxKey identifies the streams that may be shared.
type mxKey struct {
	query, operation, variables string
	video                       uuid.UUID
	// publicID is set for a subscription by public id: a rotation ends
	// it, whoever the subscriber is.
	publicID string
	class    visibilityClass
}

type visibilityClass uint8

const (
	classViewer visibilityClass = iota // anyone but the owner and administrators
	classOwner
	classAdmin
)

// mxExecutions counts executions per video while it has streams, for
// tests (multiplexExecutions).
var mxExecutions sync.Map // uuid.UUID -> *atomic.Int64

func newMultiplexer(r *Resolver) *multiplexer {
	m := &multiplexer{r: r, streams: map[mxKey]*mxStream{}, byVideo: map[uuid.UUID]map[*mxStream]struct{}{}}
	if r.Hub != nil && r.Hub.Notifier() != nil {
		r.Hub.Notifier().SubscribePrivacyChanges(m.privacyListening, m.privacyChanged)
	}
	return m
}

// mxSub is one subscriber: an operation on a connection.
type mxSub struct {
	c      *wsConn
	id     string
	stream atomic.Pointer[mxStream]
}

// mxStream is one shared execution.
type mxStream struct {
	m      *multiplexer
	key    mxKey
	ctx    context.Context
	cancel context.CancelFunc
	count  *atomic.Int64

	mu   sync.Mutex
	subs map[*mxSub]struct{}
	// last is the newest payload, sent first to a subscriber that joins
	// later: progress is a state.
	last []byte
	done bool
	// resume is non-nil while the stream holds its events, waiting for a
	// privacy change to be checked.
	resume chan struct{}
}

// join subscribes operation id of c to a shared stream when oc is a
// videoProgress subscription that c may read; it reports false when the
// operation must run on its own (anything else, and every refusal, whose
// error the ordinary execution reports exactly as the resolver words it).
func (m *multiplexer) join(c *wsConn, id string, oc *graphql.OperationContext) bool {
	if m.r.Hub == nil || m.r.Store == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return false
	}
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) != 1 || fields[0].Name != "videoProgress" {
		return false
	}
	args := fields[0].ArgumentMap(oc.Variables)
	var ref progressRef
	rawID, hasID := args["id"].(string)
	rawPID, hasPID := args["publicId"].(string)
	switch {
	case hasID && !hasPID:
		id, err := uuid.Parse(rawID)
		if err != nil {
			return false
		}
		ref.id = id
	case hasPID && !hasID:
		ref.publicID = rawPID
	default:
		return false // the resolver words the refusal
	}
	viewer, err := auth.ViewerFrom(c.ctx)
	if err != nil || viewer.CheckScope(auth.ScopeVideosRead) != nil {
		return false
	}
	v, err := ref.read(c.ctx, m.r.Store, viewer.Store())
	if err != nil {
		return false
	}
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		return false
	}
	key := mxKey{query: oc.RawQuery, operation: oc.OperationName, variables: string(vars), video: v.ID, publicID: ref.publicID, class: classViewer}
	switch {
	case viewer != nil && viewer.IsAdmin:
		key.class = classAdmin
	case viewer != nil && viewer.UserID == v.OwnerID:
		key.class = classOwner
	}
	sub := &mxSub{c: c, id: id}
	if !c.addOp(id, func() {
		if s := sub.stream.Load(); s != nil {
			s.remove(sub)
		}
	}) {
		return true // the connection is closing
	}
	for {
		s := m.stream(key, c, oc)
		sub.stream.Store(s)
		if s.add(sub) {
			return true
		}
	}
}

// stream returns the live stream for key, starting one if there is none.
func (m *multiplexer) stream(key mxKey, c *wsConn, oc *graphql.OperationContext) *mxStream {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.streams[key]; s != nil {
		return s
	}
	// The stream outlives the connection that started it, but keeps its
	// context's values: the viewer (of the key's class) and loaders.
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.ctx))
	counter, _ := mxExecutions.LoadOrStore(key.video, new(atomic.Int64))
	s := &mxStream{m: m, key: key, ctx: ctx, cancel: cancel, count: counter.(*atomic.Int64), subs: map[*mxSub]struct{}{}}
	m.streams[key] = s
	if m.byVideo[key.video] == nil {
		m.byVideo[key.video] = map[*mxStream]struct{}{}
	}
	m.byVideo[key.video][s] = struct{}{}
	go s.run(c.exec, oc)
	return s
}

// forget drops an ended stream.
func (m *multiplexer) forget(s *mxStream) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.streams[s.key] == s {
		delete(m.streams, s.key)
	}
	delete(m.byVideo[s.key.video], s)
	if len(m.byVideo[s.key.video]) == 0 {
		delete(m.byVideo, s.key.video)
		mxExecutions.Delete(s.key.video)
	}
}

// add makes sub a subscriber; false if the stream has ended.
func (s *mxStream) add(sub *mxSub) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return false
	}
	s.subs[sub] = struct{}{}
	if s.last != nil {
		sub.c.sendOp(sub.id, sub.c.frame(sub.id, s.last))
	}
	return true
}

// remove ends sub's part; the last subscriber to leave stops the stream.
func (s *mxStream) remove(sub *mxSub) {
	s.mu.Lock()
	delete(s.subs, sub)
	last := len(s.subs) == 0 && !s.done
	if last {
		s.done = true
	}
	s.mu.Unlock()
	if last {
		s.cancel()
		s.m.forget(s)
	}
}

// run executes the subscription once and fans each result out.
func (s *mxStream) run(exec graphql.GraphExecutor, oc *graphql.OperationContext) {
	defer s.finish()
	responses, ctx := exec.DispatchOperation(s.ctx, oc)
	for {
		resp := responses(ctx)
		if resp == nil {
			return
		}
		s.count.Add(1)
		payload := encodeResponse(resp)
		if !s.hold() {
			return
		}
		s.publish(payload)
	}
}

type frameKey struct {
	legacy bool
	id     string
}

// publish sends payload to every subscriber.
func (s *mxStream) publish(payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = payload
	frames := map[frameKey][]byte{}
	for sub := range s.subs {
		k := frameKey{sub.c.legacy, sub.id}
		f, ok := frames[k]
		if !ok {
			f = sub.c.frame(sub.id, payload)
			frames[k] = f
		}
		sub.c.sendOp(sub.id, f)
	}
}

// hold waits while the stream is suspended; false if it ended meanwhile.
func (s *mxStream) hold() bool {
	s.mu.Lock()
	r := s.resume
	s.mu.Unlock()
	if r == nil {
		return s.ctx.Err() == nil
	}
	select {
	case <-r:
		return s.ctx.Err() == nil
	case <-s.ctx.Done():
		return false
	}
}

// finish ends every subscriber's operation with complete.
func (s *mxStream) finish() {
	s.mu.Lock()
	s.done = true
	subs := s.subs
	s.subs = map[*mxSub]struct{}{}
	s.mu.Unlock()
	s.cancel()
	s.m.forget(s)
	for sub := range subs {
		if sub.c.removeOp(sub.id) {
			sub.c.complete(sub.id)
		}
	}
}

func (s *mxStream) suspend() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resume == nil && !s.done {
		s.resume = make(chan struct{})
	}
}

func (s *mxStream) resumeEvents() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resume != nil {
		close(s.resume)
		s.resume = nil
	}
}

// privacyChanged runs on the notifier's goroutine, before it delivers any
// later video event (a new public id is announced the same way): the
// streams of viewers who are neither the owner nor an administrator, and
// every stream by public id, hold their events from now until the video's
// visibility has been read again.
func (m *multiplexer) privacyChanged(videoID uuid.UUID) {
	streams := m.viewerStreams(func(id uuid.UUID) bool { return id == videoID })
	if len(streams) == 0 {
		return
	}
	for _, s := range streams {
		s.suspend()
	}
	go m.recheck(videoID, streams)
}

// privacyListening re-checks every stream when privacy changes may have
// been missed.
func (m *multiplexer) privacyListening(missed bool) {
	if !missed {
		return
	}
	byVideo := map[uuid.UUID][]*mxStream{}
	for _, s := range m.viewerStreams(func(uuid.UUID) bool { return true }) {
		s.suspend()
		byVideo[s.key.video] = append(byVideo[s.key.video], s)
	}
	for id, streams := range byVideo {
		go m.recheck(id, streams)
	}
}

func (m *multiplexer) viewerStreams(match func(uuid.UUID) bool) []*mxStream {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*mxStream
	for id, streams := range m.byVideo {
		if !match(id) {
			continue
		}
		for s := range streams {
			if s.key.class == classViewer || s.key.publicID != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// recheck reads whether the streams' subscribers may still see the video
// as they named it: for the viewer class, visibility depends on the
// privacy setting alone; a stream by public id (of any class) also needs
// that public id to be still the video's (rotatePublicId announces itself
// as a privacy change). On any doubt (the store unreachable) the streams
// end: a subscriber can subscribe again.
func (m *multiplexer) recheck(videoID uuid.UUID, streams []*mxStream) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type check struct {
		publicID string
		class    visibilityClass
	}
	ok := map[check]bool{}
	for _, s := range streams {
		c := check{s.key.publicID, s.key.class}
		visible, known := ok[c]
		if !known {
			visible = m.stillVisible(ctx, videoID, c.publicID, c.class)
			ok[c] = visible
		}
		if !visible {
			s.cancel()
		}
		s.resumeEvents()
	}
}

// stillVisible reports whether a stream of class following videoID (by
// publicID when set) may go on.
func (m *multiplexer) stillVisible(ctx context.Context, videoID uuid.UUID, publicID string, class visibilityClass) bool {
	if publicID == "" {
		_, err := m.r.Store.VideoForViewer(ctx, videoID, store.Viewer{})
		return err == nil
	}
	// The owner and administrators see every privacy; only the public id
	// matters for them. Anyone else needs it PUBLIC or UNLISTED too.
	viewer := store.Viewer{IsAdmin: class != classViewer}
	v, err := progressRef{publicID: publicID}.read(ctx, m.r.Store, viewer)
	return err == nil && v.ID == videoID
}
