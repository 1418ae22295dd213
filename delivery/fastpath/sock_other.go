//go:build !linux

package fastpath

import (
	"io"
	"net"
	"os"
	"time"
)

// sockIO reads and writes a fast-path connection's socket. Linux has a
// version with cheaper system calls and MSG_MORE.
type sockIO struct {
	conn  *net.TCPConn
	stall lazyDeadline // see newStallTimer
}

func (s *sockIO) init(c *net.TCPConn, sendTimeout time.Duration) {
	s.conn = c
	s.stall = newStallTimer(c, sendTimeout)
}

// Read implements io.Reader.
func (s *sockIO) Read(p []byte) (int, error) { return s.conn.Read(p) }

// write writes b whole.
func (s *sockIO) write(b []byte, more bool) error {
	s.stall.arm()
	_, err := s.conn.Write(b)
	return err
}

// sendFile sends n bytes of f from its current offset, a chunk at a
// time, each within the send timeout.
func (fc *fastConn) sendFile(f *os.File, n int64) (int64, error) {
	var sent int64
	for sent < n {
		chunk := min(n-sent, sendChunk)
		fc.sock.stall.arm()
		m, err := fc.tcp.ReadFrom(io.LimitReader(f, chunk))
		sent += m
		if err != nil || m < chunk {
			return sent, err
		}
	}
	return sent, nil
}

// sendFileAt sends n bytes of f from offset off, without moving f's own
// offset, by reading them.
func (fc *fastConn) sendFileAt(f *os.File, off, n int64) (int64, error) {
	fc.sock.stall.arm()
	return io.Copy(writerOnly{fc.conn}, io.NewSectionReader(f, off, n))
}
