package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/clipcut/clipcut/auth"
)

// wsTransport serves GraphQL over websockets: graphql-transport-ws and the
// legacy graphql-ws (Apollo's subscriptions-transport-ws). It replaces
// gqlgen's transport.Websocket, which runs five goroutines per connection
// and executes and encodes every subscription event once per subscriber.
// Here a connection holds one goroutine (its reader, the HTTP handler's
// own); writes run on a short-lived goroutine only while a connection has
// frames queued; keep-alives are timers. videoProgress subscriptions are
// multiplexed (see multiplexer): one execution and one encoding per event
// for every subscriber of the same document, variables and visibility.
//
// gorilla/websocket is used rather than coder/websocket because it starts
// no goroutine of its own per connection (coder/websocket runs one for
// its timeouts) and reads and writes through the buffers net/http already
// holds for the hijacked connection.
type wsTransport struct {
	resolver  *Resolver
	keepAlive time.Duration
	maxRead   int64
	upgrader  websocket.Upgrader
	mx        *multiplexer

	mu    sync.Mutex
	conns map[*wsConn]struct{}
	// sweeping is true while the revalidation goroutine runs; it runs
	// only while connections are open.
	sweeping bool
}

var _ graphql.Transport = (*wsTransport)(nil)

// revalidateEvery is how often open connections' credentials are checked
// again. Logged-out sessions and revoked tokens are announced by the
// notifier and end their connections at once (credentialRevoked); the
// sweep catches what is not announced: a session that expired while
// open, a user who lost the administrator role. Tests lengthen it, to
// show that announcements alone suffice.
var revalidateEvery atomic.Int64

func init() { revalidateEvery.Store(int64(15 * time.Second)) }

// wsInitTimeout is how long a client has to send connection_init.
const wsInitTimeout = 15 * time.Second

// wsWriteTimeout bounds one frame's write; a client that reads slower is
// disconnected.
const wsWriteTimeout = 10 * time.Second

// wsMaxQueued frames may wait for a slow connection before it is closed.
const wsMaxQueued = 256

const (
	protoTransportWS = "graphql-transport-ws"
	protoLegacyWS    = "graphql-ws"
)

func newWSTransport(r *Resolver, keepAlive time.Duration, maxQuery int) *wsTransport {
	maxRead := int64(max(maxQuery, 64<<10)) * 2
	t := &wsTransport{
		resolver:  r,
		keepAlive: keepAlive,
		maxRead:   maxRead,
		upgrader: websocket.Upgrader{
			Subprotocols: []string{protoTransportWS, protoLegacyWS},
			// Any origin may connect: integrators' pages authenticate
			// with a token in connection_init. The session cookie is
			// never honoured on a cross-origin upgrade (auth.Middleware).
			CheckOrigin: func(*http.Request) bool { return true },
			// No ReadBufferSize, WriteBufferSize nor WriteBufferPool:
			// the connection then reads and writes through the buffers
			// net/http allocated for the request, which it keeps while
			// the handler runs anyway (a pool would add a buffer per
			// writing connection on top of them).
		},
		mx:    newMultiplexer(r),
		conns: map[*wsConn]struct{}{},
	}
	if r.Hub != nil && r.Hub.Notifier() != nil {
		r.Hub.Notifier().SubscribeCredentialRevocations(t.credentialsListening, t.credentialRevoked)
	}
	return t
}

// Supports reports whether r is a websocket upgrade.
func (t *wsTransport) Supports(r *http.Request) bool {
	return websocket.IsWebSocketUpgrade(r)
}

// wsMessage is one protocol message, either way.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsConn is one open connection.
type wsConn struct {
	t      *wsTransport
	conn   *websocket.Conn
	legacy bool
	req    *http.Request
	exec   graphql.GraphExecutor
	// ctx is the request's context (with the viewer of connection_init
	// once initialised): net/http cancels it when the handler returns,
	// after shutdown has stopped every operation, so the connection needs
	// no cancellable context of its own.
	ctx context.Context

	// token is the credential the connection authenticated with, checked
	// again every revalidateEvery; empty for anonymous connections.
	token  string
	viewer *auth.Viewer

	mu          sync.Mutex
	initialized bool
	// credential is the id of the session or API token the connection
	// authenticated with (uuid.Nil when anonymous), set with initialized.
	credential uuid.UUID
	ops        map[string]func() // id -> stop
	queue      [][]byte
	flushing   bool
	closed     bool
	// revoked is set once the credential stopped being valid: no
	// operation starts and no event goes out any more.
	revoked bool
	// closeFrame, once set, is the close message the writer sends after
	// the frames already queued, then closing the socket.
	closeFrame []byte
	keepAlive  *time.Timer
}

// Do upgrades the request and serves the connection until it closes.
func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	conn, err := t.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	conn.SetReadLimit(t.maxRead)
	c := &wsConn{t: t, conn: conn, legacy: conn.Subprotocol() != protoTransportWS, req: r, exec: exec,
		ctx: r.Context(), ops: map[string]func(){}}
	// Shutdown cancels the request's context: close the socket then,
	// without a goroutine waiting for it.
	stopAfter := context.AfterFunc(r.Context(), func() { conn.Close() })
	defer stopAfter()
	defer c.shutdown()
	t.track(c, true)
	defer t.track(c, false)
	c.readLoop()
}

func (c *wsConn) readLoop() {
	_ = c.conn.SetReadDeadline(time.Now().Add(wsInitTimeout))
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil {
			c.closeWith(4400, "Invalid message received")
			return
		}
		switch m.Type {
		case "connection_init":
			if !onFreshStack(func() bool { return c.init(m.Payload) }) {
				return
			}
			_ = c.conn.SetReadDeadline(time.Time{})
		case "ping":
			c.send(wsMessage{Type: "pong", Payload: m.Payload})
		case "pong":
		case "subscribe", "start":
			if !c.isInitialized() {
				c.closeWith(4401, "Unauthorized")
				return
			}
			if !onFreshStack(func() bool { return c.start(m.ID, m.Payload) }) {
				return
			}
		case "complete", "stop":
			c.stop(m.ID)
		case "connection_terminate":
			c.closeWith(websocket.CloseNormalClosure, "terminated")
			return
		default:
			c.closeWith(4400, "Unexpected message type "+strconv.Quote(m.Type))
			return
		}
	}
}

// onFreshStack runs f on a goroutine of its own and waits for it: the
// deep calls of authenticating and of parsing, validating and joining an
// operation (store queries included) grow that goroutine's stack, not the
// connection reader's, which then idles on a stack a quarter the size
// (goroutine stacks grow by doubling and shrink only while a collection
// finds them three-quarters unused). A panic in f is raised again here,
// where the HTTP server's recovery sees it.
func onFreshStack(f func() bool) bool {
	var (
		ok       bool
		panicked any
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		ok = f()
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
	return ok
}

func (c *wsConn) isInitialized() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.initialized
}

// init authenticates the connection with the token in connection_init's
// payload ("Authorization", or "authToken"), or keeps the viewer of the
// upgrade request (its bearer header or same-origin session cookie).
func (c *wsConn) init(payload json.RawMessage) bool {
	c.mu.Lock()
	if c.initialized {
		c.mu.Unlock()
		c.closeWith(4429, "Too many initialisation requests")
		return false
	}
	c.mu.Unlock()
	var init map[string]any
	if len(payload) > 0 && string(payload) != "null" {
		if err := json.Unmarshal(payload, &init); err != nil {
			c.closeWith(4400, "Invalid connection_init payload")
			return false
		}
	}
	token := transportInitString(init, "Authorization")
	if token == "" {
		token = transportInitString(init, "authToken")
	}
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bearer "))
	if token != "" {
		viewer, err := c.t.resolver.Auth.Authenticate(c.ctx, token)
		if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
			c.closeWith(4500, "UNAVAILABLE: credentials could not be checked; connect again shortly")
			return false
		}
		if err != nil {
			c.forbidden()
			return false
		}
		c.viewer = viewer
		c.ctx = auth.WithViewer(c.ctx, viewer)
	} else if v, err := auth.ViewerFrom(c.ctx); err == nil && v != nil {
		c.viewer = v
		token = requestToken(c.req)
	}
	c.token = token
	c.mu.Lock()
	c.initialized = true
	if c.viewer != nil {
		c.credential = c.viewer.SessionID
		if c.viewer.TokenID != uuid.Nil {
			c.credential = c.viewer.TokenID
		}
	}
	c.mu.Unlock()
	// The acknowledgement carries no payload: echoing the init payload
	// would send the client's token back in clear.
	c.send(wsMessage{Type: "connection_ack"})
	c.armKeepAlive()
	return true
}

func transportInitString(init map[string]any, key string) string {
	if v, ok := init[key].(string); ok {
		return v
	}
	for k, v := range init {
		if s, ok := v.(string); ok && strings.EqualFold(k, key) {
			return s
		}
	}
	return ""
}

// requestToken is the credential auth.Middleware accepted on the upgrade
// request: its bearer header, else the session cookie.
func requestToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, t, _ := strings.Cut(h, " "); strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	if ck, err := r.Cookie(auth.CookieName); err == nil {
		return ck.Value
	}
	return ""
}

// forbidden refuses the connection as graphql-transport-ws asks (close
// code 4403); legacy clients first get connection_error.
// forbidden refuses a connection_init whose credentials are invalid,
// expired or revoked (the rule of auth.Middleware): 4403 with the reason
// UNAUTHENTICATED, never an anonymous connection.
func (c *wsConn) forbidden() {
	if c.legacy {
		c.writeNow(wsMessage{Type: "connection_error", Payload: json.RawMessage(`{"message":"Forbidden","extensions":{"code":"UNAUTHENTICATED"}}`)})
	}
	c.closeWith(4403, "UNAUTHENTICATED: the session or API token is invalid, expired or revoked")
}

func (c *wsConn) armKeepAlive() {
	if c.t.keepAlive <= 0 {
		return
	}
	msg := wsMessage{Type: "ping"}
	if c.legacy {
		msg = wsMessage{Type: "ka"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keepAlive = time.AfterFunc(c.t.keepAlive, func() {
		c.send(msg)
		c.mu.Lock()
		if !c.closed {
			c.keepAlive.Reset(c.t.keepAlive)
		}
		c.mu.Unlock()
	})
}

// start begins operation id; false means the connection was closed.
func (c *wsConn) start(id string, payload json.RawMessage) bool {
	if id == "" {
		c.closeWith(4400, "Operation without an id")
		return false
	}
	c.mu.Lock()
	_, dup := c.ops[id]
	c.mu.Unlock()
	if dup {
		c.closeWith(4409, "Subscriber for "+id+" already exists")
		return false
	}
	start := graphql.Now()
	var params graphql.RawParams
	if err := decodeJSON(payload, &params); err != nil {
		c.sendErrors(id, gqlerror.List{requestError("BAD_REQUEST", "The subscribe payload is not a GraphQL request in JSON: %s.", describeJSONError(err))})
		return true
	}
	params.Headers = c.req.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, errs := c.exec.CreateOperationContext(c.ctx, &params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(c.ctx, oc), errs)
		c.sendErrors(id, resp.Errors)
		return true
	}
	if c.t.mx.join(c, id, oc) {
		return true
	}
	c.run(id, oc)
	return true
}

// run executes one operation on its own, each result encoded for this
// connection alone: queries, mutations, and subscriptions that are not
// multiplexed.
func (c *wsConn) run(id string, oc *graphql.OperationContext) {
	ctx, cancel := context.WithCancel(c.ctx)
	if !c.addOp(id, cancel) {
		cancel()
		return
	}
	go func() {
		defer cancel()
		responses, ctx := c.exec.DispatchOperation(ctx, oc)
		for {
			resp := responses(ctx)
			if resp == nil {
				break
			}
			c.sendOp(id, c.frame(id, encodeResponse(resp)))
		}
		if c.removeOp(id) {
			c.complete(id)
		}
	}()
}

// addOp records operation id with the function that stops it; false
// when the connection is closing or its credential was revoked.
func (c *wsConn) addOp(id string, stop func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.revoked {
		return false
	}
	c.ops[id] = stop
	return true
}

// removeOp forgets operation id and reports whether it was still running
// (not stopped by the client).
func (c *wsConn) removeOp(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ops[id]
	delete(c.ops, id)
	return ok
}

// stop ends operation id at the client's request.
func (c *wsConn) stop(id string) {
	c.mu.Lock()
	stop, ok := c.ops[id]
	delete(c.ops, id)
	c.mu.Unlock()
	if ok {
		stop()
	}
}

// frame is the next (or, legacy, data) message carrying payload.
func (c *wsConn) frame(id string, payload []byte) []byte {
	head := frameHead(c.legacy, id)
	b := make([]byte, 0, len(head)+len(payload)+1)
	b = append(b, head...)
	b = append(b, payload...)
	return append(b, '}')
}

// frameHead is `{"id":"<id>","type":"next","payload":`.
func frameHead(legacy bool, id string) []byte {
	typ := "next"
	if legacy {
		typ = "data"
	}
	quoted, _ := json.Marshal(id)
	b := make([]byte, 0, len(quoted)+40)
	b = append(b, `{"id":`...)
	b = append(b, quoted...)
	b = append(b, `,"type":"`...)
	b = append(b, typ...)
	return append(b, `","payload":`...)
}

func (c *wsConn) complete(id string) {
	c.send(wsMessage{ID: id, Type: "complete"})
}

func (c *wsConn) sendErrors(id string, errs gqlerror.List) {
	var payload []byte
	if c.legacy && len(errs) > 0 {
		payload, _ = json.Marshal(errs[0])
	} else {
		payload, _ = json.Marshal(errs)
	}
	c.send(wsMessage{ID: id, Type: "error", Payload: payload})
}

func (c *wsConn) send(m wsMessage) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	c.sendFrame(b)
}

// sendOp queues a result frame of operation id, unless the operation
// has ended: an operation stopped by the client or ended by a revoked
// credential gets nothing after its end.
func (c *wsConn) sendOp(id string, b []byte) {
	c.mu.Lock()
	if _, ok := c.ops[id]; !ok {
		c.mu.Unlock()
		return
	}
	c.enqueueLocked(b)
}

// sendFrame queues one text frame; a goroutine writes the queue and ends
// when it is empty, so an idle connection holds none.
func (c *wsConn) sendFrame(b []byte) {
	c.mu.Lock()
	c.enqueueLocked(b)
}

// enqueueLocked is sendFrame with c.mu held; it unlocks.
func (c *wsConn) enqueueLocked(b []byte) {
	if c.closed || c.closeFrame != nil {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= wsMaxQueued {
		c.mu.Unlock()
		c.closeWith(websocket.ClosePolicyViolation, "Too slow")
		return
	}
	c.queue = append(c.queue, b)
	if c.flushing {
		c.mu.Unlock()
		return
	}
	c.flushing = true
	c.mu.Unlock()
	go c.flush()
}

func (c *wsConn) flush() {
	for {
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		if len(q) == 0 || c.closed {
			closeFrame := c.closeFrame
			c.flushing = false
			closed := c.closed
			c.mu.Unlock()
			if closeFrame != nil && !closed {
				_ = c.conn.WriteControl(websocket.CloseMessage, closeFrame, time.Now().Add(time.Second))
				c.conn.Close() // the reader ends and cleans up
			}
			return
		}
		c.mu.Unlock()
		for _, b := range q {
			_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
			if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
				c.conn.Close() // the reader ends and cleans up
				c.mu.Lock()
				c.flushing = false
				c.queue = nil
				c.mu.Unlock()
				return
			}
		}
	}
}

// writeNow writes m at once, bypassing the queue; only before any other
// frame can be queued (refusing connection_init).
func (c *wsConn) writeNow(m wsMessage) {
	b, _ := json.Marshal(m)
	_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	_ = c.conn.WriteMessage(websocket.TextMessage, b)
}

// closeWith sends a close frame and closes the socket; the reader then
// ends and cleans up.
func (c *wsConn) closeWith(code int, reason string) {
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.conn.Close()
}

// closeAfterQueued closes the socket with code and reason once the frames
// queued so far are written; frames queued later are dropped.
func (c *wsConn) closeAfterQueued(code int, reason string) {
	c.mu.Lock()
	if c.closed || c.closeFrame != nil {
		c.mu.Unlock()
		return
	}
	c.closeFrame = websocket.FormatCloseMessage(code, reason)
	if c.flushing {
		c.mu.Unlock()
		return // the writer closes after the queue
	}
	c.flushing = true
	c.mu.Unlock()
	go c.flush()
}

// errRevoked ends the operations of a connection whose credential
// stopped being valid.
var errRevoked = gqlerror.List{requestError("UNAUTHENTICATED",
	"The session or API token of this connection was logged out, revoked or expired; connect again with a valid one.")}

// revoke ends a connection whose credential stopped being valid, as
// graphql-transport-ws has it: every running operation ends with an
// error message (code UNAUTHENTICATED) and gets no event after it, and
// the socket then closes with 4403 Forbidden, the code for a connection
// the server no longer accepts (graphql-ws clients reconnect with fresh
// connection parameters). It does not block.
func (c *wsConn) revoke() {
	c.mu.Lock()
	if c.closed || c.revoked {
		c.mu.Unlock()
		return
	}
	c.revoked = true
	ops := c.ops
	c.ops = map[string]func(){}
	c.mu.Unlock()
	// Removed from ops, no operation can queue an event any more (sendOp);
	// multiplexed ones leave their streams too.
	for _, stop := range ops {
		stop()
	}
	for id := range ops {
		c.sendErrors(id, errRevoked)
	}
	c.closeAfterQueued(4403, "Forbidden")
}

// shutdown stops every operation once the reader has ended.
func (c *wsConn) shutdown() {
	c.mu.Lock()
	c.closed = true
	ops := c.ops
	c.ops = map[string]func(){}
	c.queue = nil
	if c.keepAlive != nil {
		c.keepAlive.Stop()
	}
	c.mu.Unlock()
	for _, stop := range ops {
		stop()
	}
	c.conn.Close()
}

// track adds or removes c from the open connections and runs the
// revalidation goroutine while any are open.
func (t *wsTransport) track(c *wsConn, open bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !open {
		delete(t.conns, c)
		return
	}
	t.conns[c] = struct{}{}
	if !t.sweeping && t.resolver.Auth != nil {
		t.sweeping = true
		go t.revalidate()
	}
}

// revalidate checks every open connection's credential every
// revalidateEvery, while connections are open.
func (t *wsTransport) revalidate() {
	ticker := time.NewTicker(time.Duration(revalidateEvery.Load()))
	defer ticker.Stop()
	for range ticker.C {
		t.mu.Lock()
		if len(t.conns) == 0 {
			t.sweeping = false
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		t.revalidateOnce()
	}
}

// revalidateOnce checks every open connection's credential (once per
// distinct token) and revokes connections whose session was logged out
// or expired, whose token was revoked, or whose viewer changed (an
// administrator demoted).
func (t *wsTransport) revalidateOnce() {
	t.mu.Lock()
	byToken := map[string][]*wsConn{}
	for c := range t.conns {
		c.mu.Lock()
		ok := c.initialized && c.token != "" && !c.closed
		c.mu.Unlock()
		if ok {
			byToken[c.token] = append(byToken[c.token], c)
		}
	}
	t.mu.Unlock()
	for token, conns := range byToken {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := t.resolver.Auth.Recheck(ctx, token)
		cancel()
		if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
			continue // the store is unreachable: keep serving, try again
		}
		for _, c := range conns {
			if err != nil || v.UserID != c.viewer.UserID || v.IsAdmin != c.viewer.IsAdmin {
				c.revoke()
			}
		}
	}
}

// credentialRevoked runs on the notifier's goroutine when session or API
// token id was revoked or deleted, in any process: the connections
// authenticated with it end at once. Announcements come in commit order
// with video events, so an event published after a logOut committed never
// reaches the logged-out connection.
func (t *wsTransport) credentialRevoked(id uuid.UUID) {
	var revoked []*wsConn
	t.mu.Lock()
	for c := range t.conns {
		c.mu.Lock()
		if c.credential == id && c.initialized {
			revoked = append(revoked, c)
		}
		c.mu.Unlock()
	}
	t.mu.Unlock()
	for _, c := range revoked {
		c.revoke()
	}
}

// credentialsListening checks every connection again when revocations
// may have been missed (the notifier reconnected).
func (t *wsTransport) credentialsListening(missed bool) {
	if missed && t.resolver.Auth != nil {
		go t.revalidateOnce()
	}
}

// encodeResponse encodes resp as writeResponse writes it.
func encodeResponse(resp *graphql.Response) []byte {
	var b bytes.Buffer
	writeResponse(&b, resp)
	return b.Bytes()
}
