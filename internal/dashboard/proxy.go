package dashboard

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses a comma-separated list of CIDR ranges or
// single addresses (--trusted-proxies): the reverse proxies whose
// X-Forwarded-Proto the dashboard believes. Empty means none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not an IP address or CIDR range such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// TrustProxies makes the dashboard believe X-Forwarded-Proto from a peer
// in one of proxies: a request a trusted proxy received over HTTPS gets
// Secure cookies although the proxy speaks plain HTTP to this server. Call
// it before serving.
func (h *Handler) TrustProxies(proxies []netip.Prefix) { h.proxies = proxies }

// secureRequest reports whether the browser reached us over HTTPS: this
// server terminated TLS itself, or the peer is a trusted proxy whose
// X-Forwarded-Proto says https. Of a list ("https, http") the last value
// counts, as the trusted peer added it; a proxy that overwrites the
// header is the usual set-up.
func (h *Handler) secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if len(h.proxies) == 0 {
		return false
	}
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(vals) == 0 {
		return false
	}
	last := vals[len(vals)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	if !strings.EqualFold(strings.TrimSpace(last), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	peer = peer.Unmap().WithZone("")
	for _, p := range h.proxies {
		if p.Contains(peer) {
			return true
		}
	}
	return false
}
