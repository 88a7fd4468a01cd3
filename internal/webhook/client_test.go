package webhook_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/webhook"
)

// testTimeout is the attempt timeout of clients in these tests.
const testTimeout = 300 * time.Millisecond

// receiver is an httptest server that counts requests and new connections.
type receiver struct {
	*httptest.Server
	hits  atomic.Int64
	conns atomic.Int64
}

func newReceiver(t *testing.T, tls bool, h http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		h(w, req)
	}))
	r.Config.ErrorLog = log.New(io.Discard, "", 0) // expected TLS handshake failures
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.conns.Add(1)
		}
	}
	if tls {
		r.StartTLS()
	} else {
		r.Start()
	}
	t.Cleanup(r.Close)
	return r
}

func newClient(t *testing.T, cfg webhook.ClientConfig) *webhook.Client {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	c := webhook.NewClient(cfg)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// lookupTo resolves every host name to addrs.
func lookupTo(addrs ...string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestSendDelivers(t *testing.T) {
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	type received struct {
		Method, Path, ContentType, UserAgent string
		VerifyErr                            error
	}
	got := make(chan received, 1)
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{
			Method:      r.Method,
			Path:        r.URL.RequestURI(),
			ContentType: r.Header.Get("Content-Type"),
			UserAgent:   r.Header.Get("User-Agent"),
			VerifyErr:   client.Verify(secret, r.Header, body),
		}
		w.Header().Set("X-Receiver", "yes")
		io.WriteString(w, `{"ok":true}`)
	})

	body := []byte(`{"type":"endpoint.test","timestamp":"2026-05-24T10:00:00Z","data":{}}`)
	now := time.Now()
	sig, err := webhook.SignatureHeader([]string{secret}, "evt_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, "evt_1")
	h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(webhook.HeaderSignature, sig)
	before := h.Clone()

	c := newClient(t, webhook.ClientConfig{AllowPrivate: true, UserAgent: "docparse-webhooks/test"})
	res := c.Send(context.Background(), rcv.URL+"/hook?token=abc", h, body)

	if res.Err != nil || res.StatusCode != http.StatusOK || res.Body != `{"ok":true}` || res.Truncated {
		t.Errorf("Send() = status %d, body %q, truncated %v, err %v; want 200, {\"ok\":true}, false, nil",
			res.StatusCode, res.Body, res.Truncated, res.Err)
	}
	if res.Header.Get("X-Receiver") != "yes" {
		t.Errorf("Result.Header = %v, want X-Receiver: yes", res.Header)
	}
	if res.Latency <= 0 || res.Latency > time.Second {
		t.Errorf("Result.Latency = %v, want a small positive duration", res.Latency)
	}
	if o := webhook.Classify(res.StatusCode, res.Err); o != webhook.Delivered {
		t.Errorf("Classify(%d, %v) = %v, want %v", res.StatusCode, res.Err, o, webhook.Delivered)
	}
	want := received{Method: "POST", Path: "/hook?token=abc", ContentType: "application/json", UserAgent: "docparse-webhooks/test"}
	if diff := cmp.Diff(want, <-got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("receiver saw (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, h); diff != "" {
		t.Errorf("Send modified the caller's header (-before +after):\n%s", diff)
	}
}

func TestSendReusesConnections(t *testing.T) {
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
	for i := range 20 {
		if res := c.Send(context.Background(), rcv.URL, nil, []byte(`{}`)); res.StatusCode != http.StatusNoContent {
			t.Fatalf("Send #%d = %d, %v", i, res.StatusCode, res.Err)
		}
	}
	if n := rcv.conns.Load(); n != 1 {
		t.Errorf("20 sequential deliveries opened %d connections, want 1", n)
	}

	const workers = 8
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range 25 {
				if res := c.Send(context.Background(), rcv.URL, nil, []byte(`{}`)); res.StatusCode != http.StatusNoContent {
					t.Errorf("concurrent Send = %d, %v", res.StatusCode, res.Err)
				}
			}
		})
	}
	wg.Wait()
	// A request that finds no idle connection dials, and keeps the dialed
	// connection for later even if another one freed up first: a few more
	// connections than workers is normal, one per delivery is not.
	if n := rcv.conns.Load(); n > 1+4*workers {
		t.Errorf("%d workers x 25 deliveries opened %d connections, want at most %d", workers, n, 1+4*workers)
	}
}

func TestSendLargeBody(t *testing.T) {
	const size = 10 << 20
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/small" {
			io.WriteString(w, "small")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(size))
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true, Timeout: 5 * time.Second})
	start := time.Now()
	res := c.Send(context.Background(), rcv.URL, nil, []byte(`{}`))
	elapsed := time.Since(start)
	if res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("Send() = %d, %v; want 200, nil", res.StatusCode, res.Err)
	}
	if len(res.Body) != webhook.MaxResponseBody || res.Body != strings.Repeat("a", webhook.MaxResponseBody) || !res.Truncated {
		t.Errorf("Send() body is %d bytes, truncated %v; want %d 'a' bytes, truncated", len(res.Body), res.Truncated, webhook.MaxResponseBody)
	}
	if elapsed > time.Second {
		t.Errorf("Send() of a 10 MB answer took %v, want well under a second", elapsed)
	}
	// The rest of the body was not drained: its connection was closed, not
	// reused.
	if res := c.Send(context.Background(), rcv.URL+"/small", nil, nil); res.Body != "small" {
		t.Fatalf("second Send() = %q, %v", res.Body, res.Err)
	}
	if n := rcv.conns.Load(); n != 2 {
		t.Errorf("receiver saw %d connections, want 2 (the truncated one is not reused)", n)
	}
}

// An endless body proves Send stops reading: had it drained the body, it
// would never return (or the receiver would write all of it).
func TestSendDoesNotDrainEndlessBody(t *testing.T) {
	const limit = 1 << 30
	written := make(chan int, 1)
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("b"), 64<<10)
		n := 0
		for n < limit {
			m, err := w.Write(chunk)
			n += m
			if err != nil {
				break
			}
		}
		written <- n
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true, Timeout: 10 * time.Second})
	start := time.Now()
	res := c.Send(context.Background(), rcv.URL, nil, nil)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Send() took %v", elapsed)
	}
	if res.Err != nil || !res.Truncated || len(res.Body) != webhook.MaxResponseBody {
		t.Errorf("Send() = %d bytes, truncated %v, %v", len(res.Body), res.Truncated, res.Err)
	}
	select {
	case n := <-written:
		if n >= limit {
			t.Errorf("receiver wrote the whole %d bytes: the body was drained", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("receiver still writing 10s after Send returned: the connection was not closed")
	}
}

func TestSendTimeout(t *testing.T) {
	// Handlers stall until the test ends. Cleanups run last-in first-out,
	// so release is closed before the server's Close waits for them.
	release := make(chan struct{})
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/body" {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})

	tests := []sendCase{
		{"/headers", 0, "", "timeout: no response within 300ms"},
		{"/body", 200, "partial", "timeout: the response body was not complete within 300ms"},
	}
	for _, tt := range tests {
		start := time.Now()
		res := c.Send(context.Background(), rcv.URL+tt.path, nil, []byte(`{}`))
		elapsed := time.Since(start)
		tt.check(t, res)
		if elapsed < testTimeout || elapsed > testTimeout+700*time.Millisecond {
			t.Errorf("Send(%s) returned after %v, want about %v", tt.path, elapsed, testTimeout)
		}
		if res.StatusCode == 0 {
			if o := webhook.Classify(res.StatusCode, res.Err); o != webhook.Retry {
				t.Errorf("Classify(%d, %v) = %v, want %v", res.StatusCode, res.Err, o, webhook.Retry)
			}
		}
	}
}

// sendCase is what Send should answer for a path of a test receiver.
type sendCase struct {
	path       string
	wantStatus int
	wantBody   string
	wantErr    string
}

func (tt sendCase) check(t *testing.T, res webhook.Result) {
	t.Helper()
	if res.StatusCode != tt.wantStatus || res.Body != tt.wantBody || errString(res.Err) != tt.wantErr {
		t.Errorf("Send(%s) = %d, %q, %q; want %d, %q, %q", tt.path, res.StatusCode, res.Body, errString(res.Err), tt.wantStatus, tt.wantBody, tt.wantErr)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int64
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
	res := c.Send(context.Background(), rcv.URL+"/hook", nil, []byte(`{}`))
	if res.StatusCode != http.StatusFound || res.Err != nil || res.Header.Get("Location") != "/elsewhere" {
		t.Errorf("Send() = %d, Location %q, %v; want 302, /elsewhere, nil", res.StatusCode, res.Header.Get("Location"), res.Err)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("redirect followed %d times", n)
	}
	if o := webhook.Classify(res.StatusCode, res.Err); o != webhook.Retry {
		t.Errorf("Classify(302) = %v, want %v", o, webhook.Retry)
	}
}

func TestSendBrokenConnections(t *testing.T) {
	// gotStatus is closed when the client has read the first bytes of the
	// /reset-mid-body answer (the status line and the partial body, sent
	// in one write): only then does the receiver reset the connection.
	gotStatus := make(chan struct{})
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		switch r.URL.Path {
		case "/close-mid-body":
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
			buf.Flush()
		case "/reset-mid-body":
			buf.WriteString("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 1000\r\n\r\npartial")
			buf.Flush()
			select {
			case <-gotStatus:
			case <-time.After(10 * time.Second):
				t.Errorf("the client did not read the status line within 10s")
			}
			conn.(*net.TCPConn).SetLinger(0) // close with RST
		case "/close-before-response":
		case "/reset-before-response":
			conn.(*net.TCPConn).SetLinger(0)
		}
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
	tests := []struct {
		sendCase
		wantOutcome webhook.Outcome
	}{
		{sendCase{"/close-mid-body", 200, "partial", "connection closed by the receiver while reading the response body"}, webhook.Delivered},
		{sendCase{"/reset-mid-body", 503, "partial", "connection reset by the receiver while reading the response body"}, webhook.Retry},
		{sendCase{"/close-before-response", 0, "", "connection closed by the receiver before it sent a response"}, webhook.Retry},
		{sendCase{"/reset-before-response", 0, "", "connection reset by the receiver before it sent a response"}, webhook.Retry},
	}
	for _, tt := range tests {
		ctx := context.Background()
		if tt.path == "/reset-mid-body" {
			ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { close(gotStatus) }})
		}
		res := c.Send(ctx, rcv.URL+tt.path, nil, []byte(`{}`))
		tt.check(t, res)
		if o := webhook.Classify(res.StatusCode, res.Err); o != tt.wantOutcome {
			t.Errorf("Classify(%d, %v) = %v, want %v", res.StatusCode, res.Err, o, tt.wantOutcome)
		}
	}
}

func TestSendStoresValidUTF8(t *testing.T) {
	atLimit := strings.Repeat("a", webhook.MaxResponseBody-1) + "é" + "tail" // é straddles the limit
	tests := []struct {
		name, sent, want string
		truncated        bool
	}{
		{"invalid bytes", "ok \xff\xfe done", "ok \uFFFD done", false},
		{"valid multi-byte", "héllo 世界", "héllo 世界", false},
		{"rune cut by the limit", atLimit, strings.Repeat("a", webhook.MaxResponseBody-1), true},
		{"replacements stay within the limit", strings.Repeat("\xffa", webhook.MaxResponseBody), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, tt.sent)
			})
			c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
			res := c.Send(context.Background(), rcv.URL, nil, nil)
			if res.Err != nil || res.Truncated != tt.truncated {
				t.Fatalf("Send() = truncated %v, %v; want %v, nil", res.Truncated, res.Err, tt.truncated)
			}
			if !utf8.ValidString(res.Body) || len(res.Body) > webhook.MaxResponseBody {
				t.Fatalf("Send() body of %d bytes, valid UTF-8 %v", len(res.Body), utf8.ValidString(res.Body))
			}
			if tt.want != "" && res.Body != tt.want {
				t.Errorf("Send() body = %q, want %q", res.Body, tt.want)
			}
		})
	}
}

func TestSendRetryAfter(t *testing.T) {
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", r.URL.Query().Get("after"))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
	for _, tt := range []struct {
		after string
		want  time.Duration
	}{
		{"120", 2 * time.Minute},
		{"soon", 0},
		{"", 0},
	} {
		res := c.Send(context.Background(), rcv.URL+"?after="+tt.after, nil, nil)
		if res.StatusCode != http.StatusTooManyRequests || res.RetryAfter != tt.want {
			t.Errorf("Send(Retry-After %q) = %d, RetryAfter %v; want 429, %v", tt.after, res.StatusCode, res.RetryAfter, tt.want)
		}
	}
}

// With the guard on, no request may reach a loopback receiver, however its
// address is spelled or resolved.
func TestSendRefusesPrivateAddresses(t *testing.T) {
	rcv := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {})
	p := port(t, rcv.Server)
	const disabled = " (webhooks to private networks are disabled)"
	tests := []struct {
		name    string
		url     string
		lookup  func(context.Context, string) ([]netip.Addr, error)
		wantErr string
	}{
		{"IPv4 literal", "https://127.0.0.1:" + p, nil, "refusing to connect to 127.0.0.1: loopback address" + disabled},
		{"IPv4-mapped literal", "https://[::ffff:127.0.0.1]:" + p, nil, "refusing to connect to ::ffff:127.0.0.1: loopback address" + disabled},
		{"IPv6 loopback literal", "https://[::1]:" + p, nil, "refusing to connect to ::1: loopback address" + disabled},
		{"host name resolving to loopback", "https://receiver.example:" + p, lookupTo("127.0.0.1"), "refusing to connect to 127.0.0.1: loopback address" + disabled},
		{"host name resolving to IPv4-mapped loopback", "https://receiver.example:" + p, lookupTo("::ffff:127.0.0.1"), "refusing to connect to ::ffff:127.0.0.1: loopback address" + disabled},
		{"host name resolving to metadata", "https://metadata.example:" + p, lookupTo("169.254.169.254"), "refusing to connect to 169.254.169.254: cloud metadata address" + disabled},
		{"host name resolving to NAT64 of loopback", "https://receiver.example:" + p, lookupTo("64:ff9b::7f00:1"), "refusing to connect to 64:ff9b::7f00:1: NAT64 address of 127.0.0.1, a loopback address" + disabled},
		{"every address blocked", "https://receiver.example:" + p, lookupTo("10.0.0.1", "127.0.0.1"), "refusing to connect to 10.0.0.1: private address" + disabled},
		{"http localhost", "http://localhost:" + p, lookupTo("127.0.0.1"), "url may use http://localhost:" + p + " only when private webhooks are enabled (--allow-private-webhooks); otherwise use a public https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, webhook.ClientConfig{Lookup: tt.lookup})
			res := c.Send(context.Background(), tt.url, nil, []byte(`{}`))
			if errString(res.Err) != tt.wantErr || res.StatusCode != 0 {
				t.Errorf("Send(%s) = %d, %q; want 0, %q", tt.url, res.StatusCode, errString(res.Err), tt.wantErr)
			}
			if !errors.Is(res.Err, webhook.ErrBlocked) && !errors.Is(res.Err, webhook.ErrInvalidURL) {
				t.Errorf("Send(%s) error matches neither ErrBlocked nor ErrInvalidURL", tt.url)
			}
			if o := webhook.Classify(res.StatusCode, res.Err); o != webhook.Permanent {
				t.Errorf("Classify(%d, %v) = %v, want %v", res.StatusCode, res.Err, o, webhook.Permanent)
			}
		})
	}
	if n := rcv.conns.Load(); n != 0 {
		t.Errorf("the loopback receiver saw %d connections, want 0", n)
	}
}

// A host name that resolves to a public address when an endpoint is
// checked and to loopback when it is delivered to (DNS rebinding) is
// refused: the guard judges the address dialed, not an earlier answer.
func TestSendRefusesRebinding(t *testing.T) {
	rcv := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {})
	var calls atomic.Int64
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	// The first answer, as a check at endpoint creation would see it.
	addrs, err := lookup(context.Background(), "rebind.example")
	if err != nil || len(addrs) != 1 || webhook.Blocked(addrs[0]) {
		t.Fatalf("first lookup = %v, %v; want one public address", addrs, err)
	}

	c := newClient(t, webhook.ClientConfig{Lookup: lookup})
	res := c.Send(context.Background(), "https://rebind.example:"+port(t, rcv.Server)+"/hook", nil, []byte(`{}`))
	const want = "refusing to connect to 127.0.0.1: loopback address (webhooks to private networks are disabled)"
	if errString(res.Err) != want {
		t.Errorf("Send() = %d, %q; want %q", res.StatusCode, errString(res.Err), want)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("lookup called %d times, want 2 (the delivery resolves again)", n)
	}
	if n := rcv.conns.Load(); n != 0 {
		t.Errorf("receiver saw %d connections, want 0", n)
	}
}

// The client connects to the address Lookup returned while TLS still
// verifies the URL's host name.
func TestSendDialsResolvedAddressWithTLS(t *testing.T) {
	rcv := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over tls")
	})
	roots := x509.NewCertPool()
	roots.AddCert(rcv.Certificate())
	var asked []string
	var mu sync.Mutex
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		mu.Lock()
		asked = append(asked, host)
		mu.Unlock()
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	tlsConf := rcv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsConf.RootCAs = roots

	// httptest's certificate is valid for example.com.
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true, Lookup: lookup, TLSConfig: tlsConf})
	res := c.Send(context.Background(), "https://example.com:"+port(t, rcv.Server)+"/hook", nil, []byte(`{}`))
	if res.Err != nil || res.StatusCode != 200 || res.Body != "hello over tls" {
		t.Errorf("Send() = %d, %q, %v; want 200, hello over tls, nil", res.StatusCode, res.Body, res.Err)
	}
	if diff := cmp.Diff([]string{"example.com"}, asked); diff != "" {
		t.Errorf("lookups (-want +got):\n%s", diff)
	}

	// A name the certificate does not cover fails verification.
	res = c.Send(context.Background(), "https://other.example:"+port(t, rcv.Server)+"/hook", nil, []byte(`{}`))
	if !strings.HasPrefix(errString(res.Err), "tls error: ") {
		t.Errorf("Send(other.example) = %q, want a tls error", errString(res.Err))
	}
}

func TestSendFailures(t *testing.T) {
	tlsRcv := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name        string
		ctx         context.Context
		url         string
		lookup      func(context.Context, string) ([]netip.Addr, error)
		wantErr     string
		wantOutcome webhook.Outcome
	}{
		{
			name:        "connection refused",
			url:         "http://127.0.0.1:" + strings.Split(closedAddr, ":")[1],
			wantErr:     "connection refused by " + closedAddr,
			wantOutcome: webhook.Retry,
		},
		{
			name:        "untrusted certificate",
			url:         tlsRcv.URL,
			wantErr:     "tls error: tls: failed to verify certificate: x509: certificate signed by unknown authority",
			wantOutcome: webhook.Retry,
		},
		{
			name: "host not found",
			url:  "https://nowhere.example/hook",
			lookup: func(_ context.Context, host string) ([]netip.Addr, error) {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			},
			wantErr:     "dns lookup of nowhere.example failed: no such host",
			wantOutcome: webhook.Retry,
		},
		{
			name: "resolver failure",
			url:  "https://nowhere.example/hook",
			lookup: func(context.Context, string) ([]netip.Addr, error) {
				return nil, errors.New("server misbehaving")
			},
			wantErr:     "dns lookup of nowhere.example failed: server misbehaving",
			wantOutcome: webhook.Retry,
		},
		{
			name:        "no addresses",
			url:         "https://nowhere.example/hook",
			lookup:      lookupTo(),
			wantErr:     "dns lookup of nowhere.example failed: no addresses",
			wantOutcome: webhook.Retry,
		},
		{
			name:        "invalid url",
			url:         "http://example.com/hook",
			wantErr:     "url must use https; plain http is allowed only for localhost, 127.0.0.1 and [::1] when private webhooks are enabled",
			wantOutcome: webhook.Permanent,
		},
		{
			name:        "canceled",
			ctx:         canceled,
			url:         tlsRcv.URL,
			wantErr:     "delivery canceled: context canceled",
			wantOutcome: webhook.Retry,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			// None of these failures is a timeout: a long one keeps a TLS
			// handshake on a loaded machine from turning into one.
			c := newClient(t, webhook.ClientConfig{AllowPrivate: true, Lookup: tt.lookup, Timeout: 10 * time.Second})
			res := c.Send(ctx, tt.url, nil, []byte(`{}`))
			if errString(res.Err) != tt.wantErr || res.StatusCode != 0 {
				t.Errorf("Send() = %d, %q; want 0, %q", res.StatusCode, errString(res.Err), tt.wantErr)
			}
			if o := webhook.Classify(res.StatusCode, res.Err); o != tt.wantOutcome {
				t.Errorf("Classify(%d, %v) = %v, want %v", res.StatusCode, res.Err, o, tt.wantOutcome)
			}
		})
	}
	if n := tlsRcv.hits.Load(); n != 0 {
		t.Errorf("TLS receiver served %d requests, want 0", n)
	}
}

// Example of the whole loop a delivery worker runs, on a fake clock.
func TestDeliveryLoop(t *testing.T) {
	var calls atomic.Int64
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "600")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true})
	first := time.Date(2026, 5, 24, 10, 0, 0, 0, time.UTC)
	now := first
	var log []string
	for attempt := 1; ; attempt++ {
		res := c.Send(context.Background(), rcv.URL, nil, []byte(`{}`))
		outcome := webhook.Classify(res.StatusCode, res.Err)
		log = append(log, fmt.Sprintf("attempt %d at +%v: %d %v", attempt, now.Sub(first), res.StatusCode, outcome))
		if outcome != webhook.Retry {
			break
		}
		next, ok := webhook.NextAttempt(first, attempt, now, res.RetryAfter, nil)
		if !ok {
			t.Fatal("no next attempt")
		}
		now = next
	}
	want := []string{
		"attempt 1 at +0s: 503 retry",
		"attempt 2 at +10m0s: 503 retry", // Retry-After 10m beats the 5s delay
		"attempt 3 at +20m0s: 200 delivered",
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
}

// With several addresses, a failed dial moves on to the next one.
func TestSendTriesNextAddress(t *testing.T) {
	rcv := newReceiver(t, false, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "second address")
	})
	// Nothing listens on the receiver's port on ::1 (the receiver is bound
	// to 127.0.0.1), so the first dial fails.
	c := newClient(t, webhook.ClientConfig{AllowPrivate: true, Lookup: lookupTo("::1", "127.0.0.1")})
	res := c.Send(context.Background(), "http://localhost:"+port(t, rcv.Server)+"/hook", nil, []byte(`{}`))
	if res.Err != nil || res.Body != "second address" {
		t.Errorf("Send() = %d, %q, %v; want 200, second address, nil", res.StatusCode, res.Body, res.Err)
	}
}

// TestResultClass: what an attempt got, in the words of the metrics.
func TestResultClass(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		res  webhook.Result
		want string
	}{
		{webhook.Result{StatusCode: 204}, "2xx"},
		{webhook.Result{StatusCode: 302}, "3xx"},
		{webhook.Result{StatusCode: 410}, "4xx"},
		{webhook.Result{StatusCode: 503}, "5xx"},
		{webhook.Result{StatusCode: 200, Err: io.ErrUnexpectedEOF}, "2xx"},
		{webhook.Result{Err: &webhook.BlockedError{Addr: netip.MustParseAddr("127.0.0.1"), Reason: "loopback address"}}, "blocked"},
		{webhook.Result{Err: fmt.Errorf("post: %w", context.DeadlineExceeded)}, "timeout"},
		{webhook.Result{Err: &url.Error{Op: "Post", URL: "https://x", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}}, "dns"},
		{webhook.Result{Err: &url.Error{Op: "Post", URL: "https://x", Err: refused}}, "connection"},
		{webhook.Result{Err: x509.UnknownAuthorityError{}}, "tls"},
	}
	for _, tt := range tests {
		if got := tt.res.Class(); got != tt.want {
			t.Errorf("Result{StatusCode: %d, Err: %v}.Class() = %q, want %q", tt.res.StatusCode, tt.res.Err, got, tt.want)
		}
	}
}
