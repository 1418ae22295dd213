//go:build !linux

package delivery

// sendMore writes fc.out; only Linux has MSG_MORE.
func (fc *fastConn) sendMore() error { return fc.send() }
