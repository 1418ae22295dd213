package fastpath

import (
	"io"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sockIO reads and writes a fast-path connection's socket with raw system
// calls, waiting in the runtime's network poller when the socket is not
// ready (syscall.RawConn keeps deadlines and Close working).
//
// The runtime's own wrapper announces every system call as one that may
// block. When one lasts longer than a tick of the runtime's monitor
// (20 µs) on a busy process, the monitor hands the caller's processor to
// another thread, and while that keeps happening it wakes every 20 µs
// instead of sleeping for milliseconds: thread wake-ups and sleeps that
// nginx's single-threaded workers never pay. A sendfile of a segment
// lasts that long, and so does a write when the kernel switches to the
// reader it woke before returning. (perf, under the delivery benchmark:
// 6-8% of clipcut's CPU in the monitor's sleeps alone.) A read or write
// of a non-blocking socket never blocks, so here it is a raw system call
// the scheduler does not see; so is a sendfile of pages the kernel says
// are all in the page cache. Anything that could wait for the disk goes
// through the runtime as before.
type sockIO struct {
	conn  *net.TCPConn
	rc    syscall.RawConn // nil if the connection would not give it
	stall lazyDeadline    // see newStallTimer

	// The arguments and results of the call in progress: the callbacks
	// are method values made once per connection, not closures per call.
	buf    []byte
	n      int
	flags  int
	err    error
	readFn func(uintptr) bool
	sendFn func(uintptr) bool

	// The file, offset and byte count of the sendfile in progress (the
	// kernel advances fileOff as bytes go out, leaving the file's own
	// offset alone); with fileBlocking, the call may wait for the disk,
	// so it goes through the runtime.
	file         uintptr
	fileOff      int64
	fileLeft     int64
	fileBlocking bool
	fileFn       func(uintptr) bool
}

func (s *sockIO) init(c *net.TCPConn, sendTimeout time.Duration) {
	s.conn = c
	s.stall = newStallTimer(c, sendTimeout)
	if rc, err := c.SyscallConn(); err == nil {
		s.rc = rc
		s.readFn = s.doRead
		s.sendFn = s.doSend
		s.fileFn = s.doSendfile
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

// write writes b whole; with more, the kernel holds the bytes for what
// follows (MSG_MORE), so a response's headers leave in the same packets
// as the first bytes of its sendfile, as nginx's tcp_nopush does.
func (s *sockIO) write(b []byte, more bool) error {
	if len(b) == 0 {
		return nil
	}
	if s.rc == nil {
		s.stall.arm()
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
			s.stall.arm()
			return false // wait until writable
		default:
			s.err = errno
			return true
		}
	}
	return true
}

// noCachestat is set once the kernel refused cachestat (older than 6.5,
// or a seccomp filter): every later chunk goes out with the runtime's
// sendfile, which may wait for the disk.
var noCachestat atomic.Bool

// sendFile sends n bytes of f from its current offset and moves the
// offset past the bytes sent, as net's sendfile does: sendFileAt from the
// offset, then one seek to where the bytes sent end. A file without an
// offset (a pipe) goes through net, and so does every file where raw
// sendfile is not available (see sendFileAt).
func (fc *fastConn) sendFile(f *os.File, n int64) (int64, error) {
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil || !fc.sock.rawSendfile() {
		return fc.sendFileNet(f, n)
	}
	sent, err := fc.sendFileAt(f, off, n)
	if _, serr := f.Seek(off+sent, io.SeekStart); serr != nil && err == nil {
		err = serr
	}
	return sent, err
}

// sendFileAt sends n bytes of f from offset off, without reading or
// moving f's own offset (so that responses can share f), a chunk at a
// time: chunks whose pages are all cached with raw sendfile calls, others
// (or all, where cachestat is refused) with the runtime's, which may wait
// for the disk.
func (fc *fastConn) sendFileAt(f *os.File, off, n int64) (int64, error) {
	if !fc.sock.rawSendfile() {
		return fc.copySection(f, off, n)
	}
	frc, err := f.SyscallConn()
	if err != nil {
		return fc.copySection(f, off, n)
	}
	var sent int64
	for sent < n {
		chunk := min(n-sent, sendChunk)
		var (
			m       int64
			sendErr error
		)
		if err := frc.Control(func(fd uintptr) {
			cached := !noCachestat.Load() && pagesCached(fd, off+sent, chunk)
			m, sendErr = fc.sock.sendfileAt(fd, off+sent, chunk, !cached)
		}); err != nil {
			return sent, err
		}
		if m == 0 && isUnsupported(sendErr) {
			c, err := fc.copySection(f, off+sent, n-sent)
			return sent + c, err
		}
		sent += m
		if sendErr != nil || m < chunk { // an error, or the file ended early
			return sent, sendErr
		}
	}
	return sent, nil
}

// rawSendfile reports whether s can send files with raw sendfile calls.
// On 32-bit systems SYS_SENDFILE stops 2 GiB into a file (sendfile64 is
// another call): net's sendfile or reading the file handles those.
func (s *sockIO) rawSendfile() bool {
	return s.rc != nil && strconv.IntSize == 64
}

// isUnsupported reports whether sendfile cannot send this file (a file
// system without splice support): copySection then reads it.
func isUnsupported(err error) bool {
	return err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP
}

// pagesCached reports whether the n bytes of file fd at off are all in
// the page cache, so that sending them cannot wait for the disk. Pages
// evicted between the check and the send are read while the processor
// waits: a rare, short stall, like a page fault's.
func pagesCached(fd uintptr, off, n int64) bool {
	rng := unix.CachestatRange{Off: uint64(off), Len: uint64(n)}
	var st unix.Cachestat_t
	_, _, errno := syscall.RawSyscall6(unix.SYS_CACHESTAT, fd, uintptr(unsafe.Pointer(&rng)), uintptr(unsafe.Pointer(&st)), 0, 0, 0)
	if errno != 0 {
		if errno == unix.ENOSYS || errno == unix.EPERM {
			noCachestat.Store(true)
		}
		return false
	}
	page := int64(os.Getpagesize())
	pages := (off+n-1)/page - off/page + 1
	return int64(st.Cache) >= pages
}

// sendfileAt sends up to n bytes of file fd, from offset off, to the
// socket with sendfile calls, waiting in the network poller whenever the
// socket is full, and leaving the file's own offset alone. It sends less
// than n only on an error or at the end of the file. Raw calls, unless
// blocking: then the runtime's system call (pages that may have to be
// read from the disk).
func (s *sockIO) sendfileAt(fd uintptr, off, n int64, blocking bool) (int64, error) {
	s.file, s.fileOff, s.fileLeft, s.fileBlocking, s.err = fd, off, n, blocking, nil
	err := s.rc.Write(s.fileFn)
	sent, serr := n-s.fileLeft, s.err
	s.err = nil
	if err != nil {
		return sent, err
	}
	return sent, serr
}

func (s *sockIO) doSendfile(sock uintptr) bool {
	for s.fileLeft > 0 {
		// The kernel advances fileOff by the bytes it sent.
		count := uintptr(min(s.fileLeft, 1<<30))
		var (
			n     uintptr
			errno syscall.Errno
		)
		if s.fileBlocking {
			n, _, errno = syscall.Syscall6(unix.SYS_SENDFILE, sock, s.file, uintptr(unsafe.Pointer(&s.fileOff)), count, 0, 0)
		} else {
			n, _, errno = syscall.RawSyscall6(unix.SYS_SENDFILE, sock, s.file, uintptr(unsafe.Pointer(&s.fileOff)), count, 0, 0)
		}
		switch errno {
		case 0:
			if n == 0 {
				return true // the end of the file
			}
			s.fileLeft -= int64(n)
		case unix.EINTR:
		case unix.EAGAIN:
			s.stall.arm()
			return false // wait until writable
		default:
			s.err = errno
			return true
		}
	}
	return true
}
