// Command rawws is the subscriptions benchmark's baseline: a bare
// gorilla/websocket broadcast server in the shape of gorilla's own chat
// example (a read pump and a write pump goroutine per connection, a
// buffered send channel between the hub and each writer), with the frame
// encoded once for all connections (websocket.PreparedMessage).
//
//	rawws -addr 127.0.0.1:9001
//
// GET /ws upgrades (any subprotocol the client offers first is accepted);
// POST /broadcast sends its body as one text message to every connection
// and answers 204 once it is queued for all; GET /count answers the
// number of connections; GET /healthz answers 200.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

type client struct {
	conn *websocket.Conn
	send chan *websocket.PreparedMessage
}

type hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
}

func (h *hub) add(c *client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.send)
	}
	h.mu.Unlock()
}

func (h *hub) broadcast(pm *websocket.PreparedMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.send <- pm:
		default: // a client that cannot keep up skips a message, as clipcut's hub does
		}
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	flag.Parse()
	raiseFileLimit()

	h := &hub{clients: map[*client]struct{}{}}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, h.count()) })
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		var header http.Header
		if p := websocket.Subprotocols(r); len(p) > 0 {
			header = http.Header{"Sec-Websocket-Protocol": {p[0]}}
		}
		conn, err := up.Upgrade(w, r, header)
		if err != nil {
			return
		}
		c := &client{conn: conn, send: make(chan *websocket.PreparedMessage, 1)}
		h.add(c)
		go writePump(c)
		go readPump(h, c)
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.broadcast(pm)
		w.WriteHeader(http.StatusNoContent)
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// readPump reads (and drops) what the client sends until it goes away.
func readPump(h *hub, c *client) {
	defer func() {
		h.remove(c)
		c.conn.Close()
	}()
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			return
		}
	}
}

// writePump writes queued messages until the hub closes the channel.
func writePump(c *client) {
	for pm := range c.send {
		if err := c.conn.WritePreparedMessage(pm); err != nil {
			c.conn.Close()
			return
		}
	}
	_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
}

// raiseFileLimit lifts the soft limit on open files to the hard one: one
// descriptor per connection.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
