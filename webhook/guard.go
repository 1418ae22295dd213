package webhook

import (
	"net/netip"

	"github.com/clipcut/clipcut/outbound"
)

// The address guard is package outbound's, shared by every outbound
// request (webhooks, imports); these names keep webhook's callers as
// they were.

// Policy says which addresses webhooks may reach (outbound.Policy).
type Policy = outbound.Policy

// URLError explains why a webhook URL is refused (outbound.URLError).
type URLError = outbound.URLError

// ErrBlockedAddress is wrapped by every refusal to connect to an address
// the Policy does not allow.
var ErrBlockedAddress = outbound.ErrBlockedAddress

// ParseAllowList reads a comma-separated list of CIDRs or single addresses
// ("10.0.0.0/8, 192.168.1.20").
func ParseAllowList(s string) ([]netip.Prefix, error) { return outbound.ParseAllowList(s) }
