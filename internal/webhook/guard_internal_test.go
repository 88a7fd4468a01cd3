package webhook

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestBlockReason(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{"127.0.0.1", "loopback address"},
		{"::ffff:127.0.0.1", "loopback address"},
		{"::1", "loopback address"},
		{"10.1.2.3", "private address"},
		{"fd12::1", "private address (unique local)"},
		{"169.254.169.254", "cloud metadata address"},
		{"fd00:ec2::254", "cloud metadata address"},
		{"169.254.1.1", "link-local address"},
		{"fe80::1", "link-local address"},
		{"100.64.0.1", "carrier-grade NAT address"},
		{"239.1.1.1", "multicast address"},
		{"0.0.0.0", "unspecified address"},
		{"::", "unspecified address"},
		{"255.255.255.255", "broadcast address"},
		{"240.0.0.1", "reserved address"},
		{"198.18.0.1", "benchmarking address"},
		{"203.0.113.9", "documentation address"},
		{"2001:db8::1", "documentation address"},
		{"64:ff9b::a9fe:a9fe", "NAT64 address of 169.254.169.254, a cloud metadata address"},
		{"2002:c0a8:101::", "6to4 address of 192.168.1.1, a private address"},
		{"8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
	}
	for _, tt := range tests {
		got, blocked := blockReason(netip.MustParseAddr(tt.addr))
		if got != tt.want || blocked != (tt.want != "") {
			t.Errorf("blockReason(%s) = %q, %v; want %q", tt.addr, got, blocked, tt.want)
		}
	}
}

// The dialer's Control hook checks the address the socket actually
// connects to, independently of dialContext's own filtering.
func TestControlRechecksDialedAddress(t *testing.T) {
	c := NewClient(ClientConfig{})
	for _, tt := range []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1:443", true},
		{"[::ffff:127.0.0.1]:443", true},
		{"[::1]:443", true},
		{"[fe80::1%eth0]:443", true},
		{"169.254.169.254:80", true},
		{"8.8.8.8:443", false},
		{"[2606:4700:4700::1111]:443", false},
	} {
		err := c.control("tcp", tt.addr, nil)
		if got := errors.Is(err, ErrBlocked); got != tt.blocked {
			t.Errorf("control(%s) = %v, want blocked %v", tt.addr, err, tt.blocked)
		}
	}
	if err := c.control("tcp", "not an address", nil); err == nil {
		t.Error("control(not an address) = nil, want an error")
	}
	if NewClient(ClientConfig{AllowPrivate: true}).dialer.Control != nil {
		t.Error("AllowPrivate client has a Control hook")
	}

	// Dialing loopback through the bare dialer, bypassing dialContext, is
	// still refused before the connection is made.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := c.dialer.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err == nil {
		conn.Close()
		t.Fatal("dialer connected to a loopback listener")
	}
	var be *BlockedError
	if !errors.As(err, &be) || be.Addr != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("dial error = %v, want a BlockedError for 127.0.0.1", err)
	}
}
