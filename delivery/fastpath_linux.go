package delivery

import (
	"errors"

	"golang.org/x/sys/unix"
)

// sendMore writes fc.out with MSG_MORE: the kernel holds the bytes until
// the sendfile that follows, so a response's headers leave in the same
// packets as its body instead of a small packet of their own (what
// nginx's tcp_nopush does with TCP_CORK).
func (fc *fastConn) sendMore() error {
	if len(fc.out) == 0 {
		return nil
	}
	if fc.raw == nil {
		rc, err := fc.tcp.SyscallConn()
		if err != nil {
			return fc.send()
		}
		fc.raw = rc
	}
	b := fc.out
	var serr error
	err := fc.raw.Write(func(fd uintptr) bool {
		for len(b) > 0 {
			n, err := unix.SendmsgN(int(fd), b, nil, nil, unix.MSG_MORE|unix.MSG_NOSIGNAL)
			switch {
			case errors.Is(err, unix.EAGAIN):
				return false // wait until the socket is writable
			case errors.Is(err, unix.EINTR):
				continue
			case err != nil:
				serr = err
				return true
			}
			b = b[n:]
		}
		return true
	})
	fc.out = fc.out[:0]
	if err != nil {
		return err
	}
	return serr
}
