package outbound

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength bounds a URL given to clipcut to fetch or call.
const MaxURLLength = 2000

// URLError explains why a URL is refused, in words for the person who
// gave it.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// ParseURL checks the form of a URL clipcut is asked to reach: absolute
// http or https, a host, no user name or password, no fragment, at most
// MaxURLLength bytes.
func ParseURL(raw string) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, &URLError{fmt.Sprintf("The URL must be at most %d characters.", MaxURLLength)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{"The URL is not valid: " + strings.TrimPrefix(err.Error(), "parse "+fmt.Sprintf("%q", raw)+": ") + "."}
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &URLError{"The URL must start with https:// (or http://)."}
	case u.Hostname() == "":
		return nil, &URLError{"The URL has no host."}
	case u.User != nil:
		return nil, &URLError{"The URL must not contain a user name or password."}
	case u.Fragment != "":
		return nil, &URLError{"The URL must not contain a #fragment."}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, &URLError{"The URL has an invalid port."}
		}
	}
	return u, nil
}

// CheckURL is ParseURL plus the Policy applied to every address the host
// resolves to now. Connections check again when they are made, so a name
// that later resolves elsewhere (DNS rebinding) gains nothing.
func (p Policy) CheckURL(ctx context.Context, raw string) error {
	u, err := ParseURL(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !p.Allowed(ip) {
			return &URLError{fmt.Sprintf("The URL points at %s, a private, loopback or link-local address this instance does not allow outbound requests to reach.", Describe(ip))}
		}
		return nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return &URLError{fmt.Sprintf("The host %q cannot be resolved.", host)}
	}
	for _, ip := range ips {
		if !p.Allowed(ip) {
			return &URLError{fmt.Sprintf("The host %q resolves to %s, a private, loopback or link-local address this instance does not allow outbound requests to reach.", host, Describe(ip))}
		}
	}
	return nil
}
