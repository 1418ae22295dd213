// Command wsload is the subscriptions benchmark's client: it opens many
// websocket connections to one server, optionally subscribes on each with
// graphql-transport-ws, and records when every connection receives each
// later message, so the harness can time one event's fan-out.
//
//	wsload -url ws://127.0.0.1:8080/graphql -n 10000 -protocol graphql-transport-ws \
//	  -init '{"type":"connection_init","payload":{}}' -subscribe '{"id":"1","type":"subscribe",...}'
//
// With -init, each connection sends it and waits for connection_ack; with
// -subscribe, it sends that and waits for the first message back (the
// subscription's current state). Pings are answered with pongs and never
// counted. Once every connection is set up wsload prints
//
//	READY {"conns":10000,"seconds":12.3}
//
// and then obeys lines on stdin: "collect K TIMEOUT_MS" waits until every
// connection has received its K-th message after READY (or the timeout)
// and prints
//
//	TIMES {"times":[<unix ns of each connection's K-th message, 0 if none>],"sample":"<that message on connection 0>"}
//
// "quit" (or the end of stdin) closes every connection and exits.
// Connections come from several loopback source addresses (127.0.0.2,
// 127.0.0.3, ...) so that no single address runs out of ephemeral ports.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// maxEvents bounds how many messages after READY are recorded.
const maxEvents = 256

type conn struct {
	ws    *websocket.Conn
	mu    sync.Mutex
	times []int64
	msgs  [][]byte
}

func main() {
	url := flag.String("url", "", "websocket URL")
	n := flag.Int("n", 1000, "connections")
	protocol := flag.String("protocol", "", "subprotocol to offer (graphql-transport-ws for clipcut)")
	initMsg := flag.String("init", "", "message sent first on each connection; then connection_ack is awaited")
	subscribe := flag.String("subscribe", "", "message sent after init; then the first message back is awaited")
	authorization := flag.String("authorization", "", "Authorization header of the upgrade request")
	dialers := flag.Int("dialers", 32, "connections set up at once")
	perSource := flag.Int("per-source", 5000, "connections per loopback source address")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("wsload: ")
	raiseFileLimit()

	var received [maxEvents]atomic.Int64
	conns := make([]*conn, *n)
	start := time.Now()
	jobs := make(chan int)
	errs := make(chan error, *dialers)
	var wg sync.WaitGroup
	for range *dialers {
		wg.Go(func() {
			for i := range jobs {
				c, err := setUp(i, *url, *protocol, *authorization, *initMsg, *subscribe, *perSource)
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				conns[i] = c
			}
		})
	}
	var setupErr error
feed:
	for i := range *n {
		select {
		case jobs <- i:
		case setupErr = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if setupErr == nil {
		select {
		case setupErr = <-errs:
		default:
		}
	}
	if setupErr != nil {
		log.Fatal(setupErr)
	}
	for _, c := range conns {
		go read(c, &received)
	}
	fmt.Printf("READY {\"conns\":%d,\"seconds\":%.3f}\n", *n, time.Since(start).Seconds())

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "quit":
			closeAll(conns)
			return
		case "collect":
			if len(f) != 3 {
				log.Fatalf("collect K TIMEOUT_MS, got %q", in.Text())
			}
			k, err1 := strconv.Atoi(f[1])
			ms, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || k < 1 || k > maxEvents {
				log.Fatalf("bad collect %q", in.Text())
			}
			deadline := time.Now().Add(time.Duration(ms) * time.Millisecond)
			for received[k-1].Load() < int64(*n) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			report(conns, k)
		default:
			log.Fatalf("unknown command %q", in.Text())
		}
	}
	closeAll(conns)
}

func setUp(i int, url, protocol, authorization, initMsg, subscribe string, perSource int) (*conn, error) {
	src := net.IPv4(127, 0, byte((2+i/perSource)>>8), byte(2+i/perSource))
	d := websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		NetDialContext:   (&net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 30 * time.Second}).DialContext,
	}
	if protocol != "" {
		d.Subprotocols = []string{protocol}
	}
	header := http.Header{}
	if authorization != "" {
		header.Set("Authorization", authorization)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, resp, err := d.DialContext(ctx, url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %s)", err, resp.Status)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &conn{ws: ws}
	_ = ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	if initMsg != "" {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(initMsg)); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		if _, err := nextMessage(c, `"connection_ack"`); err != nil {
			return nil, fmt.Errorf("waiting for connection_ack: %w", err)
		}
	}
	if subscribe != "" {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(subscribe)); err != nil {
			return nil, fmt.Errorf("subscribe: %w", err)
		}
		msg, err := nextMessage(c, "")
		if err != nil {
			return nil, fmt.Errorf("waiting for the first event: %w", err)
		}
		if bytes.Contains(msg, []byte(`"error"`)) && !bytes.Contains(msg, []byte(`"next"`)) {
			return nil, fmt.Errorf("subscription refused: %s", msg)
		}
	}
	_ = ws.SetReadDeadline(time.Time{})
	return c, nil
}

// nextMessage reads until a message that is not a ping (answering pings)
// and, if want is set, checks that it contains want.
func nextMessage(c *conn, want string) ([]byte, error) {
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		if isPing(msg) {
			if err := pong(c); err != nil {
				return nil, err
			}
			continue
		}
		if want != "" && !bytes.Contains(msg, []byte(want)) {
			return nil, fmt.Errorf("unexpected message %.200s", msg)
		}
		return msg, nil
	}
}

func isPing(msg []byte) bool {
	return bytes.HasPrefix(msg, []byte(`{"type":"ping"`)) || bytes.HasPrefix(msg, []byte(`{"type":"ka"`))
}

func pong(c *conn) error {
	return c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"pong"}`))
}

// read records the arrival of every message until the connection ends.
func read(c *conn, received *[maxEvents]atomic.Int64) {
	for {
		_, msg, err := c.ws.ReadMessage()
		now := time.Now().UnixNano()
		if err != nil {
			return
		}
		if isPing(msg) {
			if pong(c) != nil {
				return
			}
			continue
		}
		c.mu.Lock()
		k := len(c.times)
		if k < maxEvents {
			c.times = append(c.times, now)
			c.msgs = append(c.msgs, msg)
		}
		c.mu.Unlock()
		if k < maxEvents {
			received[k].Add(1)
		}
	}
}

func report(conns []*conn, k int) {
	out := struct {
		Times  []int64 `json:"times"`
		Sample string  `json:"sample"`
	}{Times: make([]int64, len(conns))}
	for i, c := range conns {
		c.mu.Lock()
		if len(c.times) >= k {
			out.Times[i] = c.times[k-1]
			if i == 0 {
				out.Sample = string(c.msgs[k-1])
			}
			c.msgs[k-1] = nil
		}
		c.mu.Unlock()
	}
	b, err := json.Marshal(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("TIMES %s\n", b)
}

func closeAll(conns []*conn) {
	for _, c := range conns {
		if c == nil {
			continue
		}
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		if err := c.ws.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			continue
		}
	}
}

func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
