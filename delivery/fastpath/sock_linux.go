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

	// The file and byte count of the sendfile in progress; with fileAt,
	// the file offset to send from (advanced as bytes go out), the file's
	// own offset being left alone; with fileBlocking, the call may wait
	// for the disk, so it goes through the runtime.
	file         uintptr
	fileLeft     int64
	fileAt       bool
	fileOff      int64
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
// or a seccomp filter): every later file goes through net's sendfile.
var noCachestat atomic.Bool

// sendFile sends n bytes of f from its current offset, as net's sendfile
// does (advancing the offset), a chunk at a time. Chunks whose pages are
// all cached go out with raw sendfile calls; others through net, whose
// sendfile the runtime knows may wait for the disk.
func (fc *fastConn) sendFile(f *os.File, n int64) (int64, error) {
	// On 32-bit systems SYS_SENDFILE stops 2 GiB into a file
	// (sendfile64 is another call): net's sendfile handles those.
	var frc syscall.RawConn
	var off int64
	if fc.sock.rc != nil && !noCachestat.Load() && strconv.IntSize == 64 {
		if rc, err := f.SyscallConn(); err == nil {
			if o, err := f.Seek(0, io.SeekCurrent); err == nil {
				frc, off = rc, o
			}
		}
	}
	var sent int64
	for sent < n {
		chunk := min(n-sent, sendChunk)
		var (
			m       int64
			fast    bool
			sendErr error
		)
		if frc != nil {
			if err := frc.Control(func(fd uintptr) {
				if pagesCached(fd, off+sent, chunk) {
					fast = true
					m, sendErr = fc.sock.sendfile(fd, chunk)
				}
			}); err != nil {
				return sent, err
			}
		}
		if !fast || m == 0 && isUnsupported(sendErr) {
			fc.sock.stall.arm() // net's sendfile waits on the same deadline
			m, sendErr = fc.tcp.ReadFrom(io.LimitReader(f, chunk))
		}
		sent += m
		if sendErr != nil || m < chunk { // an error, or the file ended early
			return sent, sendErr
		}
	}
	return sent, nil
}

// sendFileAt sends n bytes of f from offset off, without reading or
// moving f's own offset (so that responses can share f), a chunk at a
// time: chunks whose pages are all cached with raw sendfile calls, others
// (or all, where cachestat is refused) with the runtime's, which may wait
// for the disk.
func (fc *fastConn) sendFileAt(f *os.File, off, n int64) (int64, error) {
	if fc.sock.rc == nil || strconv.IntSize != 64 {
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

// copySection sends n bytes of f from offset off by reading them, for
// files sendfile cannot send.
func (fc *fastConn) copySection(f *os.File, off, n int64) (int64, error) {
	fc.sock.stall.arm()
	return io.Copy(writerOnly{fc.conn}, io.NewSectionReader(f, off, n))
}

// isUnsupported reports whether sendfile cannot send this file (a file
// system without splice support): net's sendfile then copies it.
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

// sendfile sends up to n bytes of file fd, from its offset, to the socket
// with raw sendfile calls, waiting in the network poller whenever the
// socket is full. It sends less than n only on an error or at the end of
// the file.
func (s *sockIO) sendfile(fd uintptr, n int64) (int64, error) {
	s.fileAt, s.fileBlocking = false, false
	return s.runSendfile(fd, n)
}

// sendfileAt is sendfile from offset off of fd, leaving the file's own
// offset alone; blocking sends through the runtime's system call (pages
// that may have to be read from the disk).
func (s *sockIO) sendfileAt(fd uintptr, off, n int64, blocking bool) (int64, error) {
	s.fileAt, s.fileOff, s.fileBlocking = true, off, blocking
	return s.runSendfile(fd, n)
}

func (s *sockIO) runSendfile(fd uintptr, n int64) (int64, error) {
	s.file, s.fileLeft, s.err = fd, n, nil
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
		var off uintptr // NULL: from the file's offset
		if s.fileAt {
			off = uintptr(unsafe.Pointer(&s.fileOff)) // the kernel advances it
		}
		count := uintptr(min(s.fileLeft, 1<<30))
		var (
			n     uintptr
			errno syscall.Errno
		)
		if s.fileBlocking {
			n, _, errno = syscall.Syscall6(unix.SYS_SENDFILE, sock, s.file, off, count, 0, 0)
		} else {
			n, _, errno = syscall.RawSyscall6(unix.SYS_SENDFILE, sock, s.file, off, count, 0, 0)
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
