package fastpath

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchPath is what a player requests: a signed playlist.
const benchPath = "/media/t/2000000000.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80/videos/0b8f6a52-3c1e-4d2a-9f6e-2f4c1a7b9d10/hls/720p/index.m3u8"

func BenchmarkFastParse(b *testing.B) {
	head := []byte("GET " + benchPath + " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: VLC/3.0\r\nAccept: */*\r\nRange: bytes=0-\r\n\r\n")
	fc := &fastConn{l: &Listener{cfg: Config{BaseContext: context.Background()}}, remote: "192.0.2.1:4321"}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := fc.parse(head); !ok {
			b.Fatal("refused")
		}
	}
}

// BenchmarkFastServe measures a keep-alive connection's round trips on
// the fast path for a small in-memory answer: the fast path's own cost.
func BenchmarkFastServe(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("#EXTINF:4.000,\nseg_00000.ts\n", 40)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = io.WriteString(w, body)
	})
	fl := NewListener(ln, h, Config{})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(fl) }()
	b.Cleanup(func() { _ = srv.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET " + benchPath + " HTTP/1.1\r\nHost: example.test\r\n\r\n")
	buf := make([]byte, 64<<10)
	tail := body[len(body)-20:]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		// Read until the body's last bytes arrived.
		got := 0
		for got < len(body) || string(buf[got-len(tail):got]) != tail {
			n, err := c.Read(buf[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}
