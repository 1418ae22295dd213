package fastpath

import (
	"io"
	"os"
)

// sendFileNet sends n bytes of f from its current offset with net's
// ReadFrom (sendfile or splice where the system has them, which the
// runtime knows may wait), a chunk at a time, each within the send
// timeout: the way for files raw sendfile cannot send.
func (fc *fastConn) sendFileNet(f *os.File, n int64) (int64, error) {
	var sent int64
	for sent < n {
		chunk := min(n-sent, sendChunk)
		fc.sock.stall.arm() // net's sendfile waits on the same deadline
		m, err := fc.tcp.ReadFrom(io.LimitReader(f, chunk))
		sent += m
		if err != nil || m < chunk { // an error, or the file ended early
			return sent, err
		}
	}
	return sent, nil
}

// copySection sends n bytes of f from offset off by reading them, for
// files sendfile cannot send from an offset.
func (fc *fastConn) copySection(f *os.File, off, n int64) (int64, error) {
	fc.sock.stall.arm()
	return io.Copy(writerOnly{fc.conn}, io.NewSectionReader(f, off, n))
}
