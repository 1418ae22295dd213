package delivery

import (
	"io"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sockIO reads and writes a fast-path connection's socket with raw system
// calls, waiting in the runtime's network poller when the socket is not
// ready (syscall.RawConn keeps deadlines and Close working).
//
// The runtime's own wrapper announces every system call as one that may
// block. A write that wakes the client often makes the kernel switch to
// the client's thread before returning; the runtime's monitor then finds
// the caller "in a system call", hands its processor to another thread,
// and keeps polling every 20 µs. That cost more than the rest of a cached
// playlist's answer (perf: a third of clipcut's CPU under the delivery
// benchmark went to those switches and the monitor's sleeps). A read or
// write of a non-blocking socket never blocks, so here it is made as a
// raw system call the scheduler does not see. Files still go through
// sendfile the usual way: reading a file can wait for the disk.
type sockIO struct {
	conn *net.TCPConn
	rc   syscall.RawConn // nil if the connection would not give it

	// The arguments and results of the call in progress: the callbacks
	// are method values made once per connection, not closures per call.
	buf    []byte
	n      int
	flags  int
	err    error
	readFn func(uintptr) bool
	sendFn func(uintptr) bool
}

func (s *sockIO) init(c *net.TCPConn) {
	s.conn = c
	if rc, err := c.SyscallConn(); err == nil {
		s.rc = rc
		s.readFn = s.doRead
		s.sendFn = s.doSend
	}
}

// Read implements io.Reader.
func (s *sockIO) Read(p []byte) (int, error) {
	if s.rc == nil {
		return s.conn.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	s.buf, s.n, s.err = p, 0, nil
	err := s.rc.Read(s.readFn)
	n, serr := s.n, s.err
	s.buf, s.err = nil, nil
	switch {
	case err != nil:
		return 0, err
	case serr != nil:
		return 0, serr
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (s *sockIO) doRead(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&s.buf[0])), uintptr(len(s.buf)))
		switch errno {
		case 0:
			s.n = int(n)
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // wait until readable
		default:
			s.err = errno
			return true
		}
	}
}

// send writes b whole; with more, the kernel holds the bytes for what
// follows (MSG_MORE), so a response's headers leave in the same packets
// as the first bytes of its sendfile, as nginx's tcp_nopush does.
func (s *sockIO) send(b []byte, more bool) error {
	if len(b) == 0 {
		return nil
	}
	if s.rc == nil {
		_, err := s.conn.Write(b)
		return err
	}
	s.buf, s.err, s.flags = b, nil, unix.MSG_NOSIGNAL
	if more {
		s.flags |= unix.MSG_MORE
	}
	err := s.rc.Write(s.sendFn)
	serr := s.err
	s.buf, s.err = nil, nil
	if err != nil {
		return err
	}
	return serr
}

func (s *sockIO) doSend(fd uintptr) bool {
	for len(s.buf) > 0 {
		n, _, errno := syscall.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&s.buf[0])), uintptr(len(s.buf)), uintptr(s.flags), 0, 0)
		switch errno {
		case 0:
			s.buf = s.buf[n:]
		case unix.EINTR:
		case unix.EAGAIN:
			return false // wait until writable
		default:
			s.err = errno
			return true
		}
	}
	return true
}
