package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/clipcut/clipcut/store"
)

// fanOutSubscribers is how many subscribers the fan-out benchmark opens
// (the bench row opens 10,000 in another process; in process, clients and
// server share the machine).
const fanOutSubscribers = 1000

// fanOutClients reads frames on n gorilla/websocket connections to url,
// counting those that carry payload (one reader goroutine per client, the
// same on both sides of the comparison).
type fanOutClients struct {
	conns    []*websocket.Conn
	received atomic.Int64
}

func dialFanOut(b *testing.B, url string, n int, protocol string, hello [][]byte) *fanOutClients {
	b.Helper()
	fc := &fanOutClients{}
	d := websocket.Dialer{Subprotocols: []string{protocol}}
	var ready sync.WaitGroup
	for range n {
		conn, _, err := d.Dial(url, nil)
		require.NoError(b, err)
		fc.conns = append(fc.conns, conn)
		for _, m := range hello {
			require.NoError(b, conn.WriteMessage(websocket.TextMessage, m))
		}
		ready.Add(1)
		go func() {
			first := true
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					if first {
						ready.Done()
					}
					return
				}
				if strings.Contains(string(data), `"percent"`) || strings.Contains(string(data), `"raw"`) {
					if first {
						first = false
						ready.Done()
						continue
					}
					fc.received.Add(1)
				}
			}
		}()
	}
	if len(hello) == 0 {
		return fc
	}
	ready.Wait()
	return fc
}

func (fc *fanOutClients) close() {
	for _, c := range fc.conns {
		c.Close()
	}
}

// waitFor waits until total frames arrived.
func (fc *fanOutClients) waitFor(b *testing.B, total int64) {
	deadline := time.Now().Add(60 * time.Second)
	for fc.received.Load() < total {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d frames arrived", fc.received.Load(), total)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// BenchmarkSubscriptionFanOut measures one videoProgress event to
// fanOutSubscribers subscribers of the same document through the real
// handler (per op: from the UPDATE to the last frame received), against
// the bench row's baseline, a gorilla/websocket broadcast of one
// PreparedMessage through a read and a write pump per connection. It
// reports both, their ratio, and the goroutines each holds per open
// connection (client readers included on both sides).
func BenchmarkSubscriptionFanOut(b *testing.B) {
	e := newEnv(b)
	owner := e.signUp("owner@example.com", "Owner")
	id := e.makeVideos("owner@example.com", 1, store.PrivacyPrivate, false)[0]
	ctx := context.Background()
	_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET status = 'PROCESSING', stage = 'probe', percent = 0 WHERE id = $1", id)
	require.NoError(b, err)

	// The raw broadcast, as bench/rawws serves it.
	type rawClient struct {
		conn *websocket.Conn
		send chan *websocket.PreparedMessage
	}
	var rawMu sync.Mutex
	rawClients := map[*rawClient]struct{}{}
	up := websocket.Upgrader{}
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &rawClient{conn: conn, send: make(chan *websocket.PreparedMessage, 1)}
		rawMu.Lock()
		rawClients[c] = struct{}{}
		rawMu.Unlock()
		go func() {
			for pm := range c.send {
				if conn.WritePreparedMessage(pm) != nil {
					return
				}
			}
		}()
		go func() {
			defer func() {
				rawMu.Lock()
				delete(rawClients, c)
				close(c.send)
				rawMu.Unlock()
			}()
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}))
	defer raw.Close()
	broadcast := func(msg []byte) {
		pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, msg)
		rawMu.Lock()
		defer rawMu.Unlock()
		for c := range rawClients {
			select {
			case c.send <- pm:
			default:
			}
		}
	}

	g0 := runtime.NumGoroutine()
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + owner.Token}})
	sub, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($id: ID!) { videoProgress(id: $id) { videoId status stage percent playable error } }`, "variables": map[string]any{"id": id}}})
	clip := dialFanOut(b, "ws"+strings.TrimPrefix(e.srv.URL, "http"), fanOutSubscribers, "graphql-transport-ws", [][]byte{init, sub})
	defer clip.close()
	g1 := runtime.NumGoroutine()
	rawConns := dialFanOut(b, "ws"+strings.TrimPrefix(raw.URL, "http"), fanOutSubscribers, "graphql-transport-ws", nil)
	defer rawConns.close()
	for {
		rawMu.Lock()
		n := len(rawClients)
		rawMu.Unlock()
		if n == fanOutSubscribers {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// The raw clients' first frame marks them ready, as the subscribers'
	// first state does.
	broadcast([]byte(`{"raw":0}`))
	time.Sleep(100 * time.Millisecond)
	g2 := runtime.NumGoroutine()

	var clipTime, rawTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		_, err := e.store.Pool().Exec(ctx, "UPDATE videos SET percent = $2 WHERE id = $1", id, float64(i%99+1)+float64(i)/1e6)
		require.NoError(b, err)
		clip.waitFor(b, int64(i+1)*fanOutSubscribers)
		clipTime += time.Since(t0)

		t0 = time.Now()
		broadcast([]byte(`{"id":"1","type":"next","payload":{"data":{"videoProgress":{"raw":1}}}}`))
		rawConns.waitFor(b, int64(i+1)*fanOutSubscribers)
		rawTime += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(clipTime.Microseconds())/float64(b.N)/1000, "clipcut-ms/event")
	b.ReportMetric(float64(rawTime.Microseconds())/float64(b.N)/1000, "raw-ms/event")
	b.ReportMetric(float64(clipTime)/float64(rawTime), "clipcut/raw")
	b.ReportMetric(float64(g1-g0)/fanOutSubscribers, "clipcut-goroutines/conn")
	b.ReportMetric(float64(g2-g1)/fanOutSubscribers, "raw-goroutines/conn")
}
