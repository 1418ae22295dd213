package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Policy says which addresses webhooks may reach. The zero Policy allows
// only public unicast addresses.
type Policy struct {
	// AllowPrivate lets webhooks reach every address, private, loopback
	// and link-local included (a trusted, single-tenant instance).
	AllowPrivate bool
	// Allow lists networks reachable even though they are not public
	// (an internal receiver at 10.1.2.3/32, say).
	Allow []netip.Prefix
}

// blocked are non-public ranges the netip predicates do not cover.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// Allowed reports whether a webhook may connect to ip.
func (p Policy) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if p.AllowPrivate {
		return true
	}
	for _, n := range p.Allow {
		if n.Contains(ip) {
			return true
		}
	}
	return public(ip)
}

func public(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, n := range blocked {
		if n.Contains(ip) {
			return false
		}
	}
	return true
}

// ParseAllowList reads a comma-separated list of CIDRs or single addresses
// ("10.0.0.0/8, 192.168.1.20").
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", part)
		}
		out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
	}
	return out, nil
}

// ErrBlockedAddress is wrapped by every refusal to connect to an address
// the Policy does not allow.
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// URLError explains why a webhook URL is refused, in words for its owner.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// ParseURL checks the form of a webhook URL: absolute http or https, a
// host, no user name or password, at most 2000 bytes.
func ParseURL(raw string) (*url.URL, error) {
	if len(raw) > 2000 {
		return nil, &URLError{"The URL must be at most 2000 characters."}
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
		return nil, &URLError{"The URL must not contain a user name or password; verify deliveries with the signing secret instead."}
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
// resolves to now. Deliveries check again when they connect, so a name
// that later resolves elsewhere (DNS rebinding) gains nothing.
func (p Policy) CheckURL(ctx context.Context, raw string) error {
	u, err := ParseURL(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !p.Allowed(ip) {
			return &URLError{fmt.Sprintf("The URL points at %s, a private, loopback or link-local address this instance does not allow webhooks to reach.", ip)}
		}
		return nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return &URLError{fmt.Sprintf("The host %q cannot be resolved.", host)}
	}
	for _, ip := range ips {
		if !p.Allowed(ip) {
			return &URLError{fmt.Sprintf("The host %q resolves to %s, a private, loopback or link-local address this instance does not allow webhooks to reach.", host, ip.Unmap())}
		}
	}
	return nil
}
