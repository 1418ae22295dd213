package outbound

import (
	"fmt"
	"net/netip"
	"strings"
)

// Policy says which addresses outbound requests may reach. The zero Policy allows
// only public unicast addresses.
type Policy struct {
	// AllowPrivate lets outbound requests reach every address, private, loopback
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

// Allowed reports whether an outbound request may connect to ip. An IPv6 address
// that carries an IPv4 address (see embeddedIPv4) is allowed only when the
// IPv6 address and every IPv4 address it carries are: [64:ff9b::7f00:1]
// reaches 127.0.0.1 through a NAT64 gateway, [2002:a9fe:a9fe::] the
// metadata service through a 6to4 relay.
func (p Policy) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if p.AllowPrivate {
		return true
	}
	if !p.allowedOne(ip) {
		return false
	}
	for _, v4 := range embeddedIPv4(ip) {
		if !p.allowedOne(v4) {
			return false
		}
	}
	return true
}

func (p Policy) allowedOne(ip netip.Addr) bool {
	for _, n := range p.Allow {
		if n.Contains(ip) {
			return true
		}
	}
	return public(ip)
}

// IPv6 ranges whose addresses carry an IPv4 address a packet may end up
// at, by way of a translator, relay or tunnel.
var (
	ipv4Compatible = netip.MustParsePrefix("::/96")           // deprecated IPv4-compatible (RFC 4291)
	ipv4Translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT (RFC 2765)
	nat64          = netip.MustParsePrefix("64:ff9b::/96")    // well-known NAT64 prefix (RFC 6052)
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")  // local-use NAT64 (RFC 8215), IPv4 in the last 32 bits as with /96
	sixToFour      = netip.MustParsePrefix("2002::/16")       // 6to4 (RFC 3056): IPv4 in bits 16-48
	teredo         = netip.MustParsePrefix("2001::/32")       // Teredo (RFC 4380): server in bits 32-64, client inverted in the last 32
)

// embeddedIPv4 returns the IPv4 addresses an IPv6 address carries (none
// for an IPv4 address or a plain IPv6 one). IPv4-mapped addresses are
// unmapped by the caller.
func embeddedIPv4(ip netip.Addr) []netip.Addr {
	if !ip.Is6() {
		return nil
	}
	b := ip.As16()
	last := netip.AddrFrom4([4]byte(b[12:16]))
	switch {
	case ipv4Compatible.Contains(ip):
		// :: and ::1 are the IPv6 unspecified and loopback addresses, not
		// IPv4-compatible ones; both are refused on their own.
		if ip == netip.IPv6Unspecified() || ip == netip.IPv6Loopback() {
			return nil
		}
		return []netip.Addr{last}
	case ipv4Translated.Contains(ip), nat64.Contains(ip), nat64Local.Contains(ip):
		return []netip.Addr{last}
	case sixToFour.Contains(ip):
		return []netip.Addr{netip.AddrFrom4([4]byte(b[2:6]))}
	case teredo.Contains(ip):
		server := netip.AddrFrom4([4]byte(b[4:8]))
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		return []netip.Addr{server, client}
	}
	return nil
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

// Describe names an address for a refusal, with the IPv4 addresses it
// carries: "64:ff9b::7f00:1 (carrying 127.0.0.1)".
func Describe(ip netip.Addr) string {
	ip = ip.Unmap()
	v4 := embeddedIPv4(ip)
	if len(v4) == 0 {
		return ip.String()
	}
	carried := make([]string, len(v4))
	for i, a := range v4 {
		carried[i] = a.String()
	}
	return ip.String() + " (carrying " + strings.Join(carried, " and ") + ")"
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
