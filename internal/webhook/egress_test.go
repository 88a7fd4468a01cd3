package webhook_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/docparse/docparse/internal/webhook"
)

func TestValidateURL(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", webhook.MaxURLLength-len("https://example.com/"))
	tests := []struct {
		url          string
		allowPrivate bool
		wantErr      string // substring; "" means valid
	}{
		{"https://example.com/webhooks", false, ""},
		{"https://example.com/webhooks", true, ""},
		{"HTTPS://Example.COM/webhooks", false, ""},
		{"https://example.com:8443/a/b?token=x&y=z", false, ""},
		{"https://[2606:4700::1111]/hook", false, ""},
		// Addresses are judged at dial time, after resolution.
		{"https://10.0.0.1/hook", false, ""},
		{"https://localhost/hook", false, ""},
		{long, false, ""},
		{long + "a", false, "at most 2048 characters"},

		{"http://localhost:8080/hook", true, ""},
		{"http://LocalHost/hook", true, ""},
		{"http://127.0.0.1:9000/hook", true, ""},
		{"http://[::1]:9000/hook", true, ""},
		{"http://localhost:8080/hook", false, "only when private webhooks are enabled"},
		{"http://127.0.0.1:9000/hook", false, "only when private webhooks are enabled"},
		{"http://[::1]:9000/hook", false, "only when private webhooks are enabled"},
		{"http://example.com/hook", true, "must use https"},
		{"http://example.com/hook", false, "must use https"},
		{"http://127.0.0.2/hook", true, "must use https"},
		{"http://localhost.example.com/hook", true, "must use https"},
		{"ftp://example.com/hook", true, "must use https"},
		{"javascript:alert(1)", false, "must be absolute"},
		{"example.com/hook", false, "must be absolute"},
		{"/hook", false, "must be absolute"},
		{"//example.com/hook", false, "must be absolute"},
		{"https:example.com", false, "must be absolute"},
		{"https:///hook", false, "must include a host"},
		{"https://:443/hook", false, "must include a host"},
		{"https://user:secret@example.com/hook", false, "user name or password"},
		{"https://user@example.com/hook", false, "user name or password"},
		{"https://example.com/hook#part", false, "fragment"},
		{"https://example.com/hook#", false, "fragment"},
		{"https://exa mple.com/hook", false, "not a valid URL"},
		{"https://example.com:https/hook", false, "not a valid URL"},
		{"https://example.com/\x00", false, "not a valid URL"},
		{"", false, "required"},
		{"   ", false, "required"},
	}
	for _, tt := range tests {
		err := webhook.ValidateURL(tt.url, tt.allowPrivate)
		name := tt.url
		if len(name) > 60 {
			name = name[:60] + "..."
		}
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("ValidateURL(%q, %v) = %v, want nil", name, tt.allowPrivate, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ValidateURL(%q, %v) = %v, want an error containing %q", name, tt.allowPrivate, err, tt.wantErr)
			continue
		}
		if !errors.Is(err, webhook.ErrInvalidURL) {
			t.Errorf("ValidateURL(%q, %v) = %v, does not match ErrInvalidURL", name, tt.allowPrivate, err)
		}
	}
}

func TestBlocked(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		// 0.0.0.0/8 "this network", with the unspecified address.
		{"0.0.0.0", true},
		{"0.255.255.255", true},
		{"1.0.0.0", false},
		// 10/8 private.
		{"9.255.255.255", false},
		{"10.0.0.0", true},
		{"10.255.255.255", true},
		{"11.0.0.0", false},
		// 100.64/10 carrier-grade NAT.
		{"100.63.255.255", false},
		{"100.64.0.0", true},
		{"100.127.255.255", true},
		{"100.128.0.0", false},
		// 127/8 loopback.
		{"126.255.255.255", false},
		{"127.0.0.1", true},
		{"127.255.255.255", true},
		{"128.0.0.0", false},
		// 169.254/16 link-local, with the metadata address.
		{"169.253.255.255", false},
		{"169.254.0.0", true},
		{"169.254.169.254", true},
		{"169.254.255.255", true},
		{"169.255.0.0", false},
		// 172.16/12 private.
		{"172.15.255.255", false},
		{"172.16.0.0", true},
		{"172.31.255.255", true},
		{"172.32.0.0", false},
		// 192.0.0/24 IETF protocol assignments.
		{"191.255.255.255", false},
		{"192.0.0.0", true},
		{"192.0.0.255", true},
		{"192.0.1.0", false},
		// 192.0.2/24 TEST-NET-1.
		{"192.0.1.255", false},
		{"192.0.2.0", true},
		{"192.0.2.255", true},
		{"192.0.3.0", false},
		// 192.88.99/24 deprecated 6to4 relay anycast.
		{"192.88.98.255", false},
		{"192.88.99.0", true},
		{"192.88.99.255", true},
		{"192.88.100.0", false},
		// 192.168/16 private.
		{"192.167.255.255", false},
		{"192.168.0.0", true},
		{"192.168.255.255", true},
		{"192.169.0.0", false},
		// 198.18/15 benchmarking.
		{"198.17.255.255", false},
		{"198.18.0.0", true},
		{"198.19.255.255", true},
		{"198.20.0.0", false},
		// 198.51.100/24 TEST-NET-2.
		{"198.51.99.255", false},
		{"198.51.100.0", true},
		{"198.51.100.255", true},
		{"198.51.101.0", false},
		// 203.0.113/24 TEST-NET-3.
		{"203.0.112.255", false},
		{"203.0.113.0", true},
		{"203.0.113.255", true},
		{"203.0.114.0", false},
		// 224/4 multicast, then 240/4 reserved and broadcast up to the top.
		{"223.255.255.255", false},
		{"224.0.0.0", true},
		{"239.255.255.255", true},
		{"240.0.0.0", true},
		{"255.255.255.254", true},
		{"255.255.255.255", true},
		// Public IPv4.
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.216.34", false},

		// IPv4-mapped IPv6 is judged as IPv4.
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.1.2.3", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:8.8.8.8", false},
		// ::/128 unspecified, ::1 loopback, ::/96 IPv4-compatible.
		{"::", true},
		{"::1", true},
		{"::2", true},
		{"::7f00:1", true},
		{"::ffff:ffff", true},
		{"::1:0:0", false},
		// 64:ff9b::/96 NAT64, judged by the embedded IPv4 address.
		{"64:ff9b::7f00:1", true},    // 127.0.0.1
		{"64:ff9b::a00:1", true},     // 10.0.0.1
		{"64:ff9b::a9fe:a9fe", true}, // 169.254.169.254
		{"64:ff9b::ffff:ffff", true}, // 255.255.255.255
		{"64:ff9b::808:808", false},  // 8.8.8.8
		{"64:ff9b::101:101", false},  // 1.1.1.1
		{"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"64:ff9b::1:0:0", false},
		// 64:ff9b:1::/48 local-use NAT64.
		{"64:ff9b:1::", true},
		{"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", true},
		{"64:ff9b:2::", false},
		// 100::/64 discard-only.
		{"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"100::", true},
		{"100::ffff:ffff:ffff:ffff", true},
		// 100:0:0:1::/64 dummy prefix.
		{"100:0:0:1::", true},
		{"100:0:0:1:ffff:ffff:ffff:ffff", true},
		{"100:0:0:2::", false},
		// ::ffff:0:0:0/96 IPv4-translated (not IPv4-mapped ::ffff:0:0/96),
		// whatever IPv4 it holds.
		{"::ffff:0:7f00:1", true},
		{"::ffff:0:808:808", true},
		{"::fffe:ffff:ffff:ffff", false},
		{"::ffff:1:0:0", false},
		// 2001::/32 Teredo, whatever server and client it names.
		{"2001::", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true},
		{"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		// 2001:2::/48 benchmarking.
		{"2001:1:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"2001:2::", true},
		{"2001:2:0:ffff:ffff:ffff:ffff:ffff", true},
		{"2001:2:1::", false},
		// 2001:10::/28 deprecated ORCHID.
		{"2001:f:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"2001:10::", true},
		{"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"2001:20::", false},
		// 2001:db8::/32 documentation.
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"2001:db8::", true},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"2001:db9::", false},
		// 2002::/16 6to4, judged by the embedded IPv4 address.
		{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"2002:7f00:1::", true},         // 127.0.0.1
		{"2002:a9fe:a9fe::1", true},     // 169.254.169.254
		{"2002:c0a8:101::", true},       // 192.168.1.1
		{"2002:c000:201::", true},       // 192.0.2.1
		{"2002::", true},                // 0.0.0.0
		{"2002:808:808::", false},       // 8.8.8.8
		{"2002:101:101:ffff::1", false}, // 1.1.1.1
		{"2003::", false},
		// 3fff::/20 documentation.
		{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"3fff::", true},
		{"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"3fff:1000::", false},
		// 5f00::/16 SRv6 segment identifiers.
		{"5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"5f00::", true},
		{"5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"5f01::", false},
		// fc00::/7 unique local, with the AWS IPv6 metadata address.
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"fc00::", true},
		{"fd00:ec2::254", true},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"fe00::", false},
		// fe80::/10 link-local.
		{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"fe80::", true},
		{"fe80::1%eth0", true},
		{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		// fec0::/10 deprecated site-local, then ff00::/8 multicast.
		{"fec0::", true},
		{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"ff00::", true},
		{"ff02::1", true},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		// Public IPv6, with and without a zone.
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:80b::200e", false},
		{"2606:4700:4700::1111%eth0", false},
	}
	for _, tt := range tests {
		if got := webhook.Blocked(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Blocked(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if !webhook.Blocked(netip.Addr{}) {
		t.Error("Blocked(zero Addr) = false, want true")
	}
}

func TestBlockedError(t *testing.T) {
	err := error(&webhook.BlockedError{Addr: netip.MustParseAddr("127.0.0.1"), Reason: "loopback address"})
	const want = "refusing to connect to 127.0.0.1: loopback address (webhooks to private networks are disabled)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if !errors.Is(err, webhook.ErrBlocked) {
		t.Error("BlockedError does not match ErrBlocked")
	}
}
