package fastpath

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Listener serves media requests without net/http's per-request
// machinery and hands every other connection to an http.Server.
//
// net/http spends more CPU per request than the whole of nginx's answer
// to a small playlist: a context and a background read per request (a
// goroutine started, then woken by a deadline when the handler ends),
// headers sorted and written one by one, and a response's headers sent as
// a packet of their own before a segment's sendfile. A player, or a CDN
// filling its cache, sends nothing on a connection but GET and HEAD of
// /media/, so Listener reads those itself, one goroutine per
// connection: it parses each request (to the very request net/http would
// make, which a differential test and a fuzzer check), runs it through the
// same handler (every middleware included), writes the headers in one
// buffer, and sends a file's headers with MSG_MORE so they leave in the
// same packets as the first bytes sendfile sends. On Linux its socket
// calls bypass the runtime's system call accounting (see sockIO).
//
// The first request that is anything else (another path or method, a
// body, an upgrade, HTTP/1.0, an oversized or malformed head) hands the
// connection, with every byte read so far, to the http.Server calling
// Accept, which serves the rest of it exactly as without Listener,
// errors included. So a browser's connection that fetches an API response
// after a segment moves to net/http for good; media-only connections never
// do.
type Listener struct {
	inner   net.Listener
	handler http.Handler
	cfg     Config

	handoff   chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
	err       error // why Accept fails, once done is closed

	mu    sync.Mutex
	conns map[*fastConn]struct{}

	date atomic.Pointer[cachedDate]
}

// Config configures a Listener.
type Config struct {
	// BaseContext is the context of every request served on the fast
	// path (default context.Background()).
	BaseContext context.Context
	// IdleTimeout bounds the wait for the next request on a connection
	// (default 2 minutes), like http.Server.IdleTimeout.
	IdleTimeout time.Duration
	// ReadHeaderTimeout bounds the time to read a request's head once its
	// first byte arrived (default 10 seconds).
	ReadHeaderTimeout time.Duration
	// SendTimeout bounds how long a response may wait for the client to
	// accept more of it (default 60 seconds, as nginx's send_timeout): a
	// client that stops reading is disconnected, which frees the
	// connection, its goroutine and the open file. The clock restarts
	// whenever the client accepts data, except for a file not in the page
	// cache, which goes out a MiB at a time, each within SendTimeout.
	SendTimeout time.Duration
}

// fastHeadMax is the largest request head the fast path reads: a player's
// GET is a few hundred bytes. Larger heads go to net/http, which allows
// up to http.DefaultMaxHeaderBytes.
const fastHeadMax = 4096

// NewListener wraps ln: media requests are answered by h on the fast
// path, every other connection comes out of Accept for an http.Server,
// whose Handler should be h too.
func NewListener(ln net.Listener, h http.Handler, cfg Config) *Listener {
	if cfg.BaseContext == nil {
		cfg.BaseContext = context.Background()
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = time.Minute
	}
	l := &Listener{
		inner: ln, handler: h, cfg: cfg,
		handoff: make(chan net.Conn),
		done:    make(chan struct{}),
		conns:   make(map[*fastConn]struct{}),
	}
	go l.acceptLoop()
	return l
}

// Accept returns the next connection for net/http.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.handoff:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// Close stops listening and closes the fast-path connections that are
// waiting for a request; those answering one close when they are done.
// Connections already handed to net/http are its to close (Shutdown).
func (l *Listener) Close() error {
	err := l.inner.Close()
	l.stop(net.ErrClosed)
	l.mu.Lock()
	for c := range l.conns {
		if c.idle.Load() {
			// Wakes the read waiting for a request; the loop then sees
			// the listener closed and closes the connection.
			_ = c.conn.SetReadDeadline(time.Now())
		}
	}
	l.mu.Unlock()
	return err
}

func (l *Listener) stop(err error) {
	l.closeOnce.Do(func() {
		l.err = err
		close(l.done)
	})
}

func (l *Listener) closed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

func (l *Listener) acceptLoop() {
	var delay time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !l.closed() {
				// As http.Server does for temporary accept errors (out
				// of file descriptors): back off and keep serving.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			l.stop(err)
			return
		}
		delay = 0
		go l.serve(c)
	}
}

// handOff gives c to net/http, or closes it when nobody will Accept it.
func (l *Listener) handOff(c net.Conn) {
	select {
	case l.handoff <- c:
	case <-l.done:
		c.Close()
	}
}

// fastConn is one connection on the fast path.
type fastConn struct {
	l    *Listener
	conn net.Conn
	tcp  *net.TCPConn
	sock sockIO
	br   *bufio.Reader // reads sock
	out  []byte        // response bytes not yet written
	// idleWait is the read deadline of the wait for the next request: an
	// idle connection is closed up to a second early.
	idleWait lazyDeadline
	remote   string
	idle     atomic.Bool

	w fastWriter // the writer of the current request (see answer)
}

func (l *Listener) serve(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		l.handOff(c)
		return
	}
	fc := &fastConn{l: l, conn: c, tcp: tc, remote: c.RemoteAddr().String()}
	fc.idleWait = lazyDeadline{set: c.SetReadDeadline, timeout: l.cfg.IdleTimeout}
	fc.sock.init(tc, l.cfg.SendTimeout)
	fc.br = bufio.NewReaderSize(&fc.sock, fastHeadMax)
	l.mu.Lock()
	l.conns[fc] = struct{}{}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.conns, fc)
		l.mu.Unlock()
	}()
	if fc.loop() {
		// net/http sets its own deadlines; ours must not linger.
		_ = c.SetDeadline(time.Time{})
		l.handOff(&handedConn{Conn: c, tcp: tc, br: fc.br})
		return
	}
	c.Close()
}

// loop serves requests until the connection ends (false) or a request
// needs net/http (true: hand the connection over, unread bytes included).
func (fc *fastConn) loop() (handOff bool) {
	for {
		fc.idle.Store(true)
		fc.idleWait.arm()
		fc.sock.stall.clear()
		// Checked after the deadline is set: Close marks the listener
		// closed, then cuts idle connections' waits short, so either
		// this sees it closed or Close's deadline comes after ours.
		if fc.l.closed() {
			return false
		}
		if _, err := fc.br.Peek(1); err != nil {
			return false
		}
		fc.idle.Store(false)
		head, err := fc.readHead()
		if errors.Is(err, errNotFast) {
			return true
		}
		if err != nil {
			// Timed out or cut off mid-head: net/http would only wait
			// again, so the connection ends here.
			return false
		}
		req, ok := fc.parse(head)
		if !ok {
			return true
		}
		// The idle deadline stays: the handler does not read the
		// connection, and the next wait needs it again.
		_, _ = fc.br.Discard(len(head))
		if !fc.answer(req) {
			return false
		}
	}
}

// sendChunk is how much of a file the fast path sends at a time: on
// Linux, checking a chunk's pages stays cheap (256 pages) and a large
// download's uncached parts go the runtime's way chunk by chunk; a chunk
// that cannot go out as the client reads must go out within SendTimeout.
const sendChunk = 1 << 20

// lazyDeadline is a connection deadline timeout ahead of the moment it
// is armed. Setting one costs a runtime timer update, and a busy
// connection arms it many times a second, so a deadline within a second
// (or an eighth of the timeout) of the right one is kept.
type lazyDeadline struct {
	set     func(time.Time) error // the connection's SetReadDeadline or SetWriteDeadline
	timeout time.Duration
	at      time.Time // the deadline set; zero when none, or when unknown
}

func (d *lazyDeadline) arm() {
	want := time.Now().Add(d.timeout)
	if want.Sub(d.at) > min(time.Second, d.timeout/8) {
		_ = d.set(want)
		d.at = want
	}
}

// clear removes the deadline if arm set one.
func (d *lazyDeadline) clear() {
	if !d.at.IsZero() {
		_ = d.set(time.Time{})
		d.at = time.Time{}
	}
}

// forget records that the deadline was changed behind d's back: the
// next arm sets it again.
func (d *lazyDeadline) forget() { d.at = time.Time{} }

// newStallTimer returns the write deadline that ends a response whose
// client has stopped reading (Config.SendTimeout). It is armed when a
// write has to wait for the client, so the clock restarts with every
// wait, and cleared before the connection waits for its next request: an
// expired deadline would fail the next response's first write.
func newStallTimer(c net.Conn, timeout time.Duration) lazyDeadline {
	return lazyDeadline{set: c.SetWriteDeadline, timeout: timeout}
}

// errNotFast is readHead's answer for a head the fast path leaves to
// net/http: longer than fastHeadMax (net/http allows up to
// http.DefaultMaxHeaderBytes), or with a line ending in a bare LF, which
// net/http accepts and the fast path's search for CRLF CRLF would not find.
var errNotFast = errors.New("request head for net/http")

// readHead returns the buffered request head, through its blank line,
// reading more as needed within ReadHeaderTimeout.
func (fc *fastConn) readHead() ([]byte, error) {
	deadlineSet := false
	for {
		buf, _ := fc.br.Peek(fc.br.Buffered())
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			return buf[:i+4], nil
		}
		if len(buf) >= fastHeadMax || bareLF(buf) {
			return nil, errNotFast
		}
		if !deadlineSet {
			_ = fc.conn.SetReadDeadline(time.Now().Add(fc.l.cfg.ReadHeaderTimeout))
			fc.idleWait.forget()
			deadlineSet = true
		}
		if _, err := fc.br.Peek(len(buf) + 1); err != nil {
			return nil, err
		}
	}
}

// bareLF reports whether b holds a line feed without a carriage return
// before it.
func bareLF(b []byte) bool {
	for i := bytes.IndexByte(b, '\n'); i >= 0; {
		if i == 0 || b[i-1] != '\r' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\n')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// answer runs the handler for req and writes its response; it reports
// whether the connection can carry another request.
func (fc *fastConn) answer(req *http.Request) (keepAlive bool) {
	// One writer per connection, reset for each request: its header map
	// keeps its buckets, so a response allocates no map.
	h := fc.w.header
	if h == nil {
		h = make(http.Header, 16)
	}
	clear(h)
	fc.w = fastWriter{fc: fc, req: req, header: h, clen: -1, body: fc.w.body[:0]}
	w := &fc.w
	defer func() {
		if p := recover(); p != nil {
			// The recovery middleware answers ordinary panics; this is
			// http.ErrAbortHandler or a panic outside it: drop the
			// connection as net/http does.
			keepAlive = false
		}
	}()
	fc.l.handler.ServeHTTP(w, req)
	return w.finish()
}

// send writes fc.out to the connection.
func (fc *fastConn) send() error {
	err := fc.sock.write(fc.out, false)
	fc.out = fc.out[:0]
	return err
}

// sendMore writes fc.out, telling the kernel more follows: on Linux the
// headers of a file then leave with the first bytes of its sendfile
// instead of as a packet of their own.
func (fc *fastConn) sendMore() error {
	err := fc.sock.write(fc.out, true)
	fc.out = fc.out[:0]
	return err
}

// fastWriter is the http.ResponseWriter of a fast-path request.
type fastWriter struct {
	fc     *fastConn
	req    *http.Request
	header http.Header
	status int
	noBody bool  // HEAD, 204 or 304
	clen   int64 // the Content-Length the handler set, -1 if none
	body   []byte
	sent   int64 // body bytes written with a known length
	headed bool  // the head is in fc.out or sent
	failed bool  // a write failed: close the connection
}

func (w *fastWriter) Header() http.Header { return w.header }

func (w *fastWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		// Informational answers (100, 103) are not sent on this path:
		// none of its handlers uses them.
		return
	}
	w.status = code
	w.noBody = w.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	if cl := w.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.clen = n
		} else {
			w.header.Del("Content-Length")
		}
	}
}

func (w *fastWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.noBody:
		if w.req.Method == http.MethodHead {
			return len(p), nil
		}
		return 0, http.ErrBodyNotAllowed
	case w.clen < 0:
		// Unknown length (an error message): kept until the handler
		// returns, then sent with its length.
		w.body = append(w.body, p...)
		return len(p), nil
	case w.sent+int64(len(p)) > w.clen:
		return 0, http.ErrContentLength
	}
	w.writeHead()
	w.fc.out = append(w.fc.out, p...)
	w.sent += int64(len(p))
	if len(w.fc.out) >= 64<<10 {
		if err := w.fc.send(); err != nil {
			w.failed = true
			return len(p), err
		}
	}
	return len(p), nil
}

// ReadFrom sends a file's bytes with sendfile, its headers leaving with
// them; other sources are copied through Write.
func (w *fastWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	fs := fileOf(src)
	if w.noBody || w.clen < 0 || fs.f == nil {
		return io.Copy(writerOnly{w}, src)
	}
	w.writeHead()
	if err := w.fc.sendMore(); err != nil {
		w.failed = true
		return 0, err
	}
	var (
		n   int64
		err error
	)
	limit := min(fs.limit, w.clen-w.sent)
	if fs.section != nil {
		n, err = w.fc.sendFileAt(fs.f, fs.off, limit)
		_, _ = fs.section.Seek(n, io.SeekCurrent)
	} else {
		n, err = w.fc.sendFile(fs.f, limit)
	}
	if lr, ok := src.(*io.LimitedReader); ok {
		lr.N -= n
	}
	w.sent += n
	if err != nil {
		w.failed = true
	}
	return n, err
}

// SendsFileSections reports that ReadFrom sends an io.SectionReader of an
// *os.File with sendfile at the section's offsets, never reading or
// moving the file's own offset: a handler may then share one open file
// between concurrent responses (delivery's open-file cache). Handlers
// find it through the writers' Unwrap chain.
func (w *fastWriter) SendsFileSections() bool { return true }

// fileSource is what fileOf found behind a ReadFrom source.
type fileSource struct {
	f     *os.File // nil: not a file
	limit int64    // how much src may read
	// section is set for an io.SectionReader of f: off is then where
	// its next byte sits in f, and the file's own offset is not used.
	section *io.SectionReader
	off     int64
}

// fileOf returns the open file src reads (sendfile's case), possibly
// behind an io.LimitedReader, directly or as an io.SectionReader, and how
// much of it src may read.
func fileOf(src io.Reader) fileSource {
	limit := int64(math.MaxInt64)
	if lr, ok := src.(*io.LimitedReader); ok {
		src, limit = lr.R, lr.N
	}
	switch s := src.(type) {
	case *os.File:
		return fileSource{f: s, limit: limit}
	case *io.SectionReader:
		ra, base, size := s.Outer()
		f, ok := ra.(*os.File)
		if !ok {
			return fileSource{}
		}
		pos, _ := s.Seek(0, io.SeekCurrent) // in memory, relative to base
		return fileSource{f: f, limit: min(limit, max(size-pos, 0)), section: s, off: base + pos}
	}
	return fileSource{}
}

// writeHead appends the status line and headers to fc.out, once.
func (w *fastWriter) writeHead() {
	if w.headed {
		return
	}
	w.headed = true
	h := w.header
	if w.clen < 0 && !w.noBody {
		w.clen = int64(len(w.body))
		h["Content-Length"] = []string{strconv.Itoa(len(w.body))}
	}
	if _, ok := h["Date"]; !ok {
		h["Date"] = []string{w.fc.l.httpDate()}
	}
	if w.req.Close {
		h["Connection"] = []string{"close"}
	}
	b := w.fc.out
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	for k, vv := range h {
		for _, v := range vv {
			b = append(b, k...)
			b = append(b, ": "...)
			if strings.IndexByte(v, '\r') >= 0 || strings.IndexByte(v, '\n') >= 0 {
				v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
			}
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	w.fc.out = b
}

// finish completes the response after the handler returned and reports
// whether the connection can carry another request.
func (w *fastWriter) finish() (keepAlive bool) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headed {
		w.writeHead()
		if !w.noBody && len(w.body) > 0 {
			w.fc.out = append(w.fc.out, w.body...)
			w.sent = int64(len(w.body))
		}
	}
	if err := w.fc.send(); err != nil || w.failed {
		return false
	}
	if !w.noBody && w.sent != w.clen {
		// The handler promised more bytes than it wrote: the client
		// cannot find the next response, so the connection ends.
		return false
	}
	return !w.req.Close && !httpguts.HeaderValuesContainsToken(w.header["Connection"], "close")
}

// cachedDate is the Date header value of one second.
type cachedDate struct {
	unix  int64
	value string
}

// httpDate returns the current time in HTTP's format, formatted once a
// second.
func (l *Listener) httpDate() string {
	now := time.Now()
	if d := l.date.Load(); d != nil && d.unix == now.Unix() {
		return d.value
	}
	d := &cachedDate{unix: now.Unix(), value: now.UTC().Format(http.TimeFormat)}
	l.date.Store(d)
	return d.value
}

// handedConn is a connection given to net/http after the fast path read
// part of it: reads start with the bytes the fast path buffered. It keeps
// *net.TCPConn's sendfile and half-close for net/http.
type handedConn struct {
	net.Conn
	tcp *net.TCPConn
	br  *bufio.Reader
}

func (c *handedConn) Read(p []byte) (int, error) {
	if c.br != nil {
		if c.br.Buffered() > 0 {
			return c.br.Read(p)
		}
		c.br = nil // drained: read the connection itself from now on
	}
	return c.Conn.Read(p)
}

// ReadFrom lets net/http send files with sendfile, as on a plain
// connection.
func (c *handedConn) ReadFrom(r io.Reader) (int64, error) { return c.tcp.ReadFrom(r) }

// CloseWrite is what net/http uses to end a connection gracefully.
func (c *handedConn) CloseWrite() error { return c.tcp.CloseWrite() }

// writerOnly hides every method but Write, so io.Copy cannot recurse into
// the writer's own ReadFrom.
type writerOnly struct{ io.Writer }
