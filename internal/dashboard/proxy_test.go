package dashboard

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7,::ffff:198.51.100.1, fd00::/8 ,")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "198.51.100.1/32", "fd00::/8"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty: %v, %v", p, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.1:80", "fe80::1%eth0"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "CIDR") {
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error", bad, err)
		}
	}
}

// TestSecureRequest: X-Forwarded-Proto counts only from a trusted peer.
func TestSecureRequest(t *testing.T) {
	trusted, _ := ParseTrustedProxies("10.0.0.0/8,2001:db8::1")
	for _, tc := range []struct {
		proxies []netip.Prefix
		peer    string
		proto   []string
		want    bool
	}{
		{nil, "10.1.2.3:5000", []string{"https"}, false},
		{trusted, "10.1.2.3:5000", []string{"https"}, true},
		{trusted, "10.1.2.3:5000", []string{"HTTPS"}, true},
		{trusted, "[::ffff:10.1.2.3]:5000", []string{"https"}, true},
		{trusted, "[2001:db8::1]:5000", []string{"https"}, true},
		{trusted, "10.1.2.3:5000", nil, false},
		{trusted, "10.1.2.3:5000", []string{"http"}, false},
		{trusted, "10.1.2.3:5000", []string{"https, http"}, false},
		{trusted, "10.1.2.3:5000", []string{"http, https"}, true},
		{trusted, "10.1.2.3:5000", []string{"https", "http"}, false},
		{trusted, "11.0.0.1:5000", []string{"https"}, false},
		{trusted, "[2001:db8::2]:5000", []string{"https"}, false},
	} {
		h := &Handler{proxies: tc.proxies}
		r := httptest.NewRequest("GET", "/dashboard/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.proto {
			r.Header.Add("X-Forwarded-Proto", v)
		}
		if got := h.secureRequest(r); got != tc.want {
			t.Errorf("proxies %v, peer %s, X-Forwarded-Proto %q: secure = %v, want %v", tc.proxies, tc.peer, tc.proto, got, tc.want)
		}
	}
}
