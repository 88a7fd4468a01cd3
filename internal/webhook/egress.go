package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// MaxURLLength is the longest endpoint URL [ValidateURL] accepts, in bytes.
const MaxURLLength = 2048

// ErrInvalidURL matches (errors.Is) every error [ValidateURL] returns.
var ErrInvalidURL = errors.New("invalid webhook URL")

// ErrBlocked matches (errors.Is) every [*BlockedError].
var ErrBlocked = errors.New("webhook address blocked")

// urlError is a ValidateURL failure: a sentence for the API user that
// matches ErrInvalidURL.
type urlError struct{ msg string }

func (e *urlError) Error() string        { return e.msg }
func (e *urlError) Is(target error) bool { return target == ErrInvalidURL }

// BlockedError is the egress guard refusing to connect to an address.
type BlockedError struct {
	Addr   netip.Addr // the address as resolved or dialed
	Reason string     // why it is blocked, e.g. "loopback address"
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("refusing to connect to %s: %s (webhooks to private networks are disabled)", e.Addr, e.Reason)
}

// Is makes every BlockedError match ErrBlocked.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// ValidateURL checks an endpoint URL a user submits. It must be absolute
// with a host, at most [MaxURLLength] bytes, without user:password
// credentials or a #fragment, and use https. Plain http is accepted only for
// the hosts localhost, 127.0.0.1 and [::1], and only when allowPrivate is
// set (--allow-private-webhooks), for local testing.
//
// The host is not resolved and a public-looking name is not proof of
// anything: the address is checked again at dial time by [Client]. Errors
// match [ErrInvalidURL] and read as sentences for API users, so they can be
// returned in a validation error as they are.
func ValidateURL(raw string, allowPrivate bool) error {
	if strings.TrimSpace(raw) == "" {
		return &urlError{"url is required"}
	}
	if len(raw) > MaxURLLength {
		return &urlError{fmt.Sprintf("url must be at most %d characters long", MaxURLLength)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &urlError{"url is not a valid URL; use the form https://example.com/webhooks"}
	}
	if !u.IsAbs() || u.Opaque != "" {
		return &urlError{"url must be absolute, of the form https://example.com/webhooks"}
	}
	if u.Host == "" || u.Hostname() == "" {
		return &urlError{"url must include a host name"}
	}
	if u.User != nil {
		return &urlError{"url must not contain a user name or password; put a token in the path or query instead, or rely on the webhook signature"}
	}
	if strings.Contains(raw, "#") {
		return &urlError{"url must not contain a fragment (#...): it is never sent to the server"}
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if !isLocalHost(u.Hostname()) {
			return &urlError{"url must use https; plain http is allowed only for localhost, 127.0.0.1 and [::1] when private webhooks are enabled"}
		}
		if !allowPrivate {
			return &urlError{"url may use http://" + u.Host + " only when private webhooks are enabled (--allow-private-webhooks); otherwise use a public https URL"}
		}
		return nil
	}
	return &urlError{"url must use https"}
}

// isLocalHost reports whether host (as url.URL.Hostname returns it) is one
// of the three loopback names allowed over plain http.
func isLocalHost(host string) bool {
	return strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1"
}

// blockedRange is one range of addresses the egress guard refuses.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges are checked in order, so a specific range (the metadata
// address, broadcast) names its reason before the wider range that holds
// it. Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries.
// It is never modified.
var blockedRanges = []blockedRange{
	// IPv4.
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address"},
	{netip.MustParsePrefix("0.0.0.0/32"), "unspecified address"},
	{netip.MustParsePrefix("0.0.0.0/8"), "reserved address (this network)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved address (IETF protocol assignments)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "reserved address (deprecated 6to4 relay)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"},

	// IPv6. IPv4-mapped addresses (::ffff:0:0/96) never get here: they are
	// unmapped and checked as IPv4. NAT64 and 6to4 are handled in
	// blockReason by their embedded IPv4 address.
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata address"},
	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("::/96"), "reserved address (IPv4-compatible)"},
	// IPv4-translated addresses (SIIT, RFC 2765, obsolete): not routed on
	// the internet, and a translator would reach the embedded IPv4.
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "reserved address (IPv4-translated)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "reserved address (local-use NAT64)"},
	{netip.MustParsePrefix("100::/64"), "reserved address (discard-only)"},
	{netip.MustParsePrefix("100:0:0:1::/64"), "reserved address (dummy prefix)"},
	// Teredo tunnels IPv6 in UDP over IPv4 to a relay named by the address:
	// what it reaches cannot be judged from here.
	{netip.MustParsePrefix("2001::/32"), "reserved address (Teredo tunnel)"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking address"},
	{netip.MustParsePrefix("2001:10::/28"), "reserved address (deprecated ORCHID)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation address"},
	{netip.MustParsePrefix("3fff::/20"), "documentation address"},
	{netip.MustParsePrefix("5f00::/16"), "reserved address (SRv6 segment identifiers)"},
	{netip.MustParsePrefix("fc00::/7"), "private address (unique local)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "private address (deprecated site-local)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
}

var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	sixToFourNet = netip.MustParsePrefix("2002::/16")
)

// Blocked reports whether the egress guard refuses addr when private
// webhooks are disabled: loopback, private (RFC 1918, unique local),
// link-local (including the cloud metadata addresses 169.254.169.254 and
// fd00:ec2::254), carrier-grade NAT, multicast, unspecified, broadcast,
// reserved, benchmarking and documentation ranges, Teredo (2001::/32),
// IPv4-translated addresses (::ffff:0:0:0/96), and NAT64 (64:ff9b::/96)
// or 6to4 (2002::/16) addresses whose embedded IPv4 address is blocked.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they map, and
// zones are ignored. The zero Addr is blocked.
func Blocked(addr netip.Addr) bool {
	_, blocked := blockReason(addr)
	return blocked
}

// blockReason is Blocked with the reason for a refusal.
func blockReason(addr netip.Addr) (string, bool) {
	if !addr.IsValid() {
		return "invalid address", true
	}
	// Prefix.Contains never matches an address with a zone, nor an
	// IPv4-mapped address against an IPv4 prefix: normalize first.
	addr = addr.Unmap().WithZone("")
	for _, r := range blockedRanges {
		if r.prefix.Contains(addr) {
			return r.reason, true
		}
	}
	if addr.Is6() {
		b := addr.As16()
		var embedded netip.Addr
		var kind string
		switch {
		case nat64Prefix.Contains(addr):
			embedded, kind = netip.AddrFrom4([4]byte(b[12:16])), "NAT64"
		case sixToFourNet.Contains(addr):
			embedded, kind = netip.AddrFrom4([4]byte(b[2:6])), "6to4"
		default:
			return "", false
		}
		if reason, blocked := blockReason(embedded); blocked {
			return fmt.Sprintf("%s address of %s, a %s", kind, embedded, reason), true
		}
	}
	return "", false
}
