//go:build !linux

package delivery

import (
	"io"
	"net"
	"os"
)

// sockIO reads and writes a fast-path connection's socket. Linux has a
// version with cheaper system calls and MSG_MORE.
type sockIO struct{ conn *net.TCPConn }

func (s *sockIO) init(c *net.TCPConn) { s.conn = c }

// Read implements io.Reader.
func (s *sockIO) Read(p []byte) (int, error) { return s.conn.Read(p) }

// send writes b whole.
func (s *sockIO) send(b []byte, more bool) error {
	_, err := s.conn.Write(b)
	return err
}

// sendFile sends n bytes of f from its current offset.
func (fc *fastConn) sendFile(f *os.File, n int64) (int64, error) {
	return fc.tcp.ReadFrom(io.LimitReader(f, n))
}
