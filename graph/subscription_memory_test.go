package graph_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/auth"
	"github.com/clipcut/clipcut/graph"
	"github.com/clipcut/clipcut/store"
)

// memoryGoal is issue 18's goal: an idle videoProgress subscription costs
// the server at most this × a connection of the raw broadcast baseline
// (bench/rawws: gorilla's chat-example shape).
const memoryGoal = 2.0

// TestIdleSubscriptionMemory measures the server memory each idle
// videoProgress subscription holds (its connection included) against a
// connection of the raw gorilla/websocket broadcast: live heap plus
// goroutine stacks from runtime.MemStats after GC, before and after N
// connections are opened on loopback, divided by N. The clients are bare
// TCP sockets that, once subscribed, read nothing more: each costs this
// process a net.Conn on both sides of the comparison, and no goroutine.
//
// CLIPCUT_SUBSCRIPTION_MEMORY_CONNS sets N (default 500);
// CLIPCUT_HEAP_PROFILE=dir writes heap profiles of the servers holding the
// connections there (dir/subscriptions.pprof, dir/raw.pprof), sampling
// every allocation.
func TestIdleSubscriptionMemory(t *testing.T) {
	n := 500
	if v := os.Getenv("CLIPCUT_SUBSCRIPTION_MEMORY_CONNS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	profileDir := os.Getenv("CLIPCUT_HEAP_PROFILE")
	if profileDir != "" {
		old := runtime.MemProfileRate
		runtime.MemProfileRate = 1
		t.Cleanup(func() { runtime.MemProfileRate = old })
	}
	e := newEnv(t)
	owner := e.signUp("owner@example.com", "Owner")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPublic, false)[0]
	_, err := e.store.Pool().Exec(context.Background(),
		"UPDATE videos SET status = 'PROCESSING', stage = 'transcode', percent = 10 WHERE id = $1", id)
	require.NoError(t, err)
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + owner.Token}})
	sub, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": multiplexProgressQuery, "variables": map[string]any{"id": id}}})

	// The baseline first: goroutine stacks freed by one measurement are
	// reused by the next, and the baseline's (the smallest) fit fewer
	// of the subscriptions' needs.
	raw := newRawBroadcast()
	defer raw.srv.Close()
	rawBytes := measureIdleConns(t, raw.srv.Listener.Addr().String(), n, nil, nil,
		filepath.Join(profileDir, "raw.pprof"), profileDir != "")

	clip := measureIdleConns(t, idleServer(t, e).Listener.Addr().String(), n, [][]byte{init, sub},
		func(msg []byte) bool { return strings.Contains(string(msg), `"percent"`) },
		filepath.Join(profileDir, "subscriptions.pprof"), profileDir != "")

	ratio := clip.bytes / rawBytes.bytes
	t.Logf("per idle connection (%d): videoProgress subscription %.1f KiB (stacks %.1f KiB, %.2f goroutines), "+
		"raw broadcast %.1f KiB (stacks %.1f KiB, %.2f goroutines): %.2fx",
		n, clip.bytes/1024, clip.stack/1024, clip.goroutines, rawBytes.bytes/1024, rawBytes.stack/1024, rawBytes.goroutines, ratio)
	require.LessOrEqual(t, ratio, memoryGoal, "an idle subscription costs %.2fx a raw broadcast connection", ratio)
}

// idleCost is what the server holds per connection: bytes (stack
// included) and goroutines.
// idleServer serves the real GraphQL handler behind the credential
// middleware, as env does, with the server's default keep-alive interval
// (env's pings every 200 ms would keep a goroutine per connection busy
// much of the time).
func idleServer(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := auth.NewService(e.store, logger, time.Hour)
	require.NoError(t, err)
	notifier := store.NewNotifier(e.store.Pool(), logger)
	require.NoError(t, notifier.Start(ctx))
	t.Cleanup(notifier.Stop)
	hub := store.NewHub(notifier, logger)
	require.NoError(t, hub.Start(ctx))
	h := graph.NewHandler(&graph.Resolver{Store: e.store, Auth: svc, Hub: hub, Logger: logger, Media: testLinks{}},
		graph.Options{ComplexityLimit: 5000, DepthLimit: 12, KeepAlive: 15 * time.Second})
	srv := httptest.NewServer(svc.Middleware(auth.MiddlewareOptions{Refuse: graph.WriteRefusal})(h))
	t.Cleanup(srv.Close)
	return srv
}

type idleCost struct{ bytes, stack, goroutines float64 }

// measureIdleConns opens n connections to addr, sends hello on each
// (masked text frames) and waits for a message that ready accepts (none
// when ready is nil), then reports what the process holds per connection.
func measureIdleConns(t *testing.T, addr string, n int, hello [][]byte, ready func([]byte) bool, profile string, writeProfile bool) idleCost {
	t.Helper()
	before, stack0, g0 := liveBytes()
	conns := make([]net.Conn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		// Wait for the server's goroutines to end, so that the next
		// measurement starts without their stacks.
		deadline := time.Now().Add(time.Minute)
		for runtime.NumGoroutine() > g0+5 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				c, err := dialIdle(addr, hello, ready)
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					continue
				}
				conns[i] = c
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Let the server finish with the connections' first frames.
	time.Sleep(500 * time.Millisecond)
	after, stack1, g1 := liveBytes()
	if writeProfile {
		f, err := os.Create(profile)
		require.NoError(t, err)
		require.NoError(t, pprof.Lookup("heap").WriteTo(f, 0))
		require.NoError(t, f.Close())
	}
	return idleCost{bytes: float64(int64(after)-int64(before)) / float64(n),
		stack: float64(int64(stack1)-int64(stack0)) / float64(n), goroutines: float64(g1-g0) / float64(n)}
}

// liveBytes is the live heap and the goroutine stacks after collecting,
// the stacks alone, and the number of goroutines.
func liveBytes() (uint64, uint64, int) {
	var m runtime.MemStats
	for range 3 { // stacks shrink a step per collection
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse, m.StackInuse, runtime.NumGoroutine()
}

// dialIdle opens a websocket with a bare TCP socket, so that the client
// side costs as little as possible: no buffers and no goroutine are left
// once it has returned.
func dialIdle(addr string, hello [][]byte, ready func([]byte) bool) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n")
	if err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(c, 512)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("upgrade: %s", resp.Status)
	}
	for _, m := range hello {
		// A client frame is masked; a zero key leaves the payload as is.
		head := []byte{0x81, 0x80 | byte(len(m))}
		if len(m) >= 126 {
			head = []byte{0x81, 0x80 | 126, 0, 0}
			binary.BigEndian.PutUint16(head[2:], uint16(len(m)))
		}
		head = append(head, 0, 0, 0, 0)
		if _, err := c.Write(append(head, m...)); err != nil {
			c.Close()
			return nil, err
		}
	}
	for ready != nil {
		msg, err := readServerFrame(br)
		if err != nil {
			c.Close()
			return nil, err
		}
		if ready(msg) {
			break
		}
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// readServerFrame reads one unmasked, unfragmented frame's payload.
func readServerFrame(br *bufio.Reader) ([]byte, error) {
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, err
	}
	n := int(head[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			return nil, err
		}
		n = int(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			return nil, err
		}
		n = int(binary.BigEndian.Uint64(ext[:]))
	}
	msg := make([]byte, n)
	_, err := io.ReadFull(br, msg)
	return msg, err
}

// rawBroadcast is bench/rawws in process: a read and a write pump per
// connection, gorilla's default upgrader.
type rawBroadcast struct {
	srv     *httptest.Server
	mu      sync.Mutex
	clients map[*websocket.Conn]chan *websocket.PreparedMessage
}

func newRawBroadcast() *rawBroadcast {
	rb := &rawBroadcast{clients: map[*websocket.Conn]chan *websocket.PreparedMessage{}}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	rb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var header http.Header
		if p := websocket.Subprotocols(r); len(p) > 0 {
			header = http.Header{"Sec-Websocket-Protocol": {p[0]}}
		}
		conn, err := up.Upgrade(w, r, header)
		if err != nil {
			return
		}
		send := make(chan *websocket.PreparedMessage, 1)
		rb.mu.Lock()
		rb.clients[conn] = send
		rb.mu.Unlock()
		go func() {
			for pm := range send {
				if conn.WritePreparedMessage(pm) != nil {
					conn.Close()
					return
				}
			}
		}()
		go func() {
			defer func() {
				rb.mu.Lock()
				delete(rb.clients, conn)
				close(send)
				rb.mu.Unlock()
				conn.Close()
			}()
			for {
				if _, _, err := conn.NextReader(); err != nil {
					return
				}
			}
		}()
	}))
	return rb
}
