// Package outbound is the one guard on every request clipcut makes to an
// address a user chose: webhook deliveries and URL imports. A Policy says
// which addresses may be reached (public unicast ones unless configured
// otherwise: CLIPCUT_OUTBOUND_ALLOW_CIDRS, CLIPCUT_OUTBOUND_ALLOW_PRIVATE);
// the dialer applies it to the address actually connected to, after DNS
// resolution and for every redirect hop, so neither a name that resolves
// to a private address, nor DNS rebinding, nor a redirect gets through
// (SSRF protection). ParseURL and CheckURL check a URL when it is given,
// for an early answer in words. It imports no other clipcut package.
package outbound

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrBlockedAddress is wrapped by every refusal to connect to an address
// the Policy does not allow.
var ErrBlockedAddress = errors.New("address not allowed for outbound requests")

// BlockedError is a connection the Policy refused. It wraps
// ErrBlockedAddress.
type BlockedError struct {
	// Addr is the refused address (invalid when the dialer was given
	// something that is not an address and port).
	Addr netip.Addr
	// Raw is the address as the dialer got it.
	Raw string
}

func (e *BlockedError) Error() string {
	if !e.Addr.IsValid() {
		return fmt.Sprintf("%v: %s", ErrBlockedAddress, e.Raw)
	}
	return fmt.Sprintf("%v: %s is private, loopback, link-local or reserved", ErrBlockedAddress, Describe(e.Addr))
}

// Unwrap makes errors.Is(err, ErrBlockedAddress) hold.
func (e *BlockedError) Unwrap() error { return ErrBlockedAddress }

// Control is a net.Dialer Control function that refuses, before the
// connection is made, every address p does not allow (a *BlockedError).
func (p Policy) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Raw: address}
	}
	if !p.Allowed(ap.Addr()) {
		return &BlockedError{Addr: ap.Addr().Unmap(), Raw: address}
	}
	return nil
}

// Dialer returns a dialer that connects only to addresses p allows.
func (p Policy) Dialer(connectTimeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second, Control: p.Control}
}

// Transport returns an HTTP transport that connects only to addresses p
// allows, through no proxy: a proxy from the environment would hide the
// real destination from the check. Callers tune the rest (timeouts,
// pools) on the returned value.
func (p Policy) Transport(connectTimeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            p.Dialer(connectTimeout).DialContext,
		TLSHandshakeTimeout:    connectTimeout,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
}

// ErrRedirect is wrapped by a redirect that is not followed: to a scheme
// other than http and https, or one too many.
var ErrRedirect = errors.New("redirect not followed")

// FollowRedirects returns an http.Client CheckRedirect function that
// follows up to max redirects to http and https URLs. The address of each
// hop is checked when it is dialled, like the first.
func FollowRedirects(max int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: it leads to a %s: URL; only http and https are fetched", ErrRedirect, req.URL.Scheme)
		}
		if len(via) > max {
			return fmt.Errorf("%w: more than %d redirects", ErrRedirect, max)
		}
		return nil
	}
}
