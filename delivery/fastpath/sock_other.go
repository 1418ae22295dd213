//go:build !linux

package fastpath

import (
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

// sendFile sends n bytes of f from its current offset with net's
// sendfile where the system has it.
func (fc *fastConn) sendFile(f *os.File, n int64) (int64, error) {
	return fc.sendFileNet(f, n)
}

// sendFileAt sends n bytes of f from offset off, without moving f's own
// offset, by reading them.
func (fc *fastConn) sendFileAt(f *os.File, off, n int64) (int64, error) {
	return fc.copySection(f, off, n)
}
