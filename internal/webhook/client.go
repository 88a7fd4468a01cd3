package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// MaxResponseBody is how much of a response body [Client.Send] keeps, in
// bytes: the attempts API shows the first 20 KB.
const MaxResponseBody = 20 * 1024

// DefaultTimeout bounds one attempt when ClientConfig.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// DefaultUserAgent is sent when ClientConfig.UserAgent is empty; production
// passes "docparse-webhooks/<version>".
const DefaultUserAgent = "docparse-webhooks"

// maxResponseHeaderBytes bounds the response headers a receiver may send;
// they are stored with every attempt.
const maxResponseHeaderBytes = 64 << 10

// ClientConfig configures a [Client]. The zero value is a production client
// with the defaults below.
type ClientConfig struct {
	// Timeout bounds a whole attempt: DNS lookup, connect, TLS handshake,
	// sending the request, waiting for the response and reading the kept
	// part of its body. Zero or negative means DefaultTimeout (15s).
	Timeout time.Duration
	// AllowPrivate turns the egress guard off (--allow-private-webhooks):
	// deliveries may then reach loopback, private, link-local and every
	// other address Blocked reports, and http://localhost URLs are valid.
	AllowPrivate bool
	// UserAgent is sent unless the request headers carry one. Empty means
	// DefaultUserAgent.
	UserAgent string
	// Lookup resolves a host name to the addresses to dial. nil means
	// net.DefaultResolver.LookupNetIP(ctx, "ip", host). Tests inject a fake
	// one; every address it returns passes the egress guard before use.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// MaxConnsPerHost limits connections (idle or in use) to one host.
	// Zero means no limit: the number of delivery workers bounds
	// concurrency, and waiting for a free connection would eat into the
	// attempt's timeout.
	MaxConnsPerHost int
	// MaxIdleConnsPerHost is how many kept-alive connections to one host
	// are pooled for reuse. Zero means 100, so that many concurrent
	// deliveries to one receiver reuse connections instead of dialing.
	MaxIdleConnsPerHost int
	// MaxIdleConns bounds the idle pool over all hosts. Zero means 1000.
	MaxIdleConns int
	// IdleConnTimeout closes a pooled connection unused for that long.
	// Zero means 90s.
	IdleConnTimeout time.Duration
	// TLSConfig, when set, is cloned and used for https endpoints (tests
	// set RootCAs). nil means the system roots and TLS 1.2 or later.
	TLSConfig *tls.Config
}

// Client delivers webhooks: one POST per [Client.Send], over HTTP/1.1
// keep-alive connections pooled per host, never following redirects, never
// using a proxy, and, unless AllowPrivate, never connecting to an address
// [Blocked] reports. The guard applies to the address actually dialed,
// after resolution, so a host name that resolves (or re-resolves, as in
// DNS rebinding) to a private address is refused.
//
// A Client is safe for concurrent use; make one and share it.
type Client struct {
	timeout      time.Duration
	allowPrivate bool
	userAgent    []string
	contentType  []string
	lookup       func(ctx context.Context, host string) ([]netip.Addr, error)
	dialer       *net.Dialer
	transport    *http.Transport
	http         *http.Client
	bufs         sync.Pool // *[]byte of MaxResponseBody+1 bytes
}

// NewClient returns a Client configured by cfg (see [ClientConfig] for the
// defaults).
func NewClient(cfg ClientConfig) *Client {
	c := &Client{
		timeout:      cfg.Timeout,
		allowPrivate: cfg.AllowPrivate,
		userAgent:    []string{cfg.UserAgent},
		contentType:  []string{"application/json"},
		lookup:       cfg.Lookup,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		c.userAgent = []string{DefaultUserAgent}
	}
	if c.lookup == nil {
		c.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	c.bufs.New = func() any {
		b := make([]byte, MaxResponseBody+1)
		return &b
	}

	c.dialer = &net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	if !c.allowPrivate {
		// Defence in depth: dialContext only ever dials checked IP
		// literals, and Control checks once more the address the socket
		// is about to connect to, so no code path (a future change to
		// dialContext, a resolver quirk) can reach a blocked address.
		c.dialer.Control = c.control
	}

	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConf = cfg.TLSConfig.Clone()
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	c.transport = &http.Transport{
		// No proxy, whatever the environment says: a proxy would make
		// the connection (and the egress decision) on our behalf.
		Proxy:                  nil,
		DialContext:            c.dialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    c.timeout,
		ResponseHeaderTimeout:  c.timeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		// Keep the body as the receiver sent it and never inflate a
		// compressed one.
		DisableCompression:  true,
		Protocols:           &protocols,
		MaxConnsPerHost:     max(cfg.MaxConnsPerHost, 0),
		MaxIdleConnsPerHost: orDefault(cfg.MaxIdleConnsPerHost, 100),
		MaxIdleConns:        orDefault(cfg.MaxIdleConns, 1000),
		IdleConnTimeout:     cmpOr(cfg.IdleConnTimeout, 90*time.Second),
	}
	c.http = &http.Client{
		Transport: c.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func cmpOr(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// CloseIdleConnections closes the pooled idle connections; call it on
// shutdown. The Client stays usable.
func (c *Client) CloseIdleConnections() {
	c.transport.CloseIdleConnections()
}

// Result is one delivery attempt as it is stored and shown to the user.
type Result struct {
	// StatusCode is the response status, 0 when no response was received.
	StatusCode int
	// Header holds the response headers, nil without a response.
	Header http.Header
	// Body is the start of the response body: at most MaxResponseBody
	// bytes, always valid UTF-8 (invalid bytes become U+FFFD, and a rune
	// cut by the limit is dropped).
	Body string
	// Truncated reports that the body was longer than MaxResponseBody;
	// the rest was not read.
	Truncated bool
	// Latency is the time from the start of Send to the end of the
	// attempt (the kept part of the body read, or the failure).
	Latency time.Duration
	// Err says why the attempt failed; it is nil when a response was
	// received (whatever its status; a truncated body is no error). With
	// a StatusCode it is an error reading the body after the status line.
	// Its message is written for the user and never repeats the URL:
	// "timeout: no response within 15s", "connection refused by
	// 93.184.216.34:443", "refusing to connect to 127.0.0.1: loopback
	// address (webhooks to private networks are disabled)". It matches
	// ErrBlocked and ErrInvalidURL through errors.Is.
	Err error
	// RetryAfter is the response's Retry-After delay, 0 when absent or
	// unparsable.
	RetryAfter time.Duration
}

// Class names what an attempt got, in few words, for metrics: "2xx",
// "3xx", "4xx", "5xx" by the response's status (a body cut off after the
// status line still counts by its status); without a response "timeout",
// "dns", "tls", "blocked" (the egress guard refused the address, or the
// URL is invalid) or "connection" (refused, reset, closed, anything else).
func (r Result) Class() string {
	if r.StatusCode > 0 {
		return strconv.Itoa(min(max(r.StatusCode/100, 1), 5)) + "xx"
	}
	var dnsErr *net.DNSError
	switch {
	case r.Err == nil:
		return "connection"
	case errors.Is(r.Err, ErrBlocked) || errors.Is(r.Err, ErrInvalidURL):
		return "blocked"
	case errors.Is(r.Err, context.DeadlineExceeded) || isTimeout(r.Err):
		return "timeout"
	case errors.As(r.Err, &dnsErr):
		return "dns"
	case isTLS(r.Err):
		return "tls"
	}
	return "connection"
}

// Send makes one delivery attempt: it POSTs body to rawURL with header
// (copied, not modified; Content-Type application/json and the configured
// User-Agent are added when absent) and returns what happened, as soon as
// the attempt is over and never later than the configured Timeout, a
// receiver that sends headers and then stalls in the body included. At most MaxResponseBody+1 bytes of the response body are
// read; a longer body is not drained: its connection is closed instead of
// being reused. Feed Result.StatusCode and Result.Err to [Classify].
//
// The URL is checked with [ValidateURL] first, so a stored URL that is no
// longer valid (AllowPrivate turned off since) fails with ErrInvalidURL.
// Canceling ctx aborts the attempt with a "delivery canceled" error.
func (c *Client) Send(ctx context.Context, rawURL string, header http.Header, body []byte) Result {
	start := time.Now()
	if err := ValidateURL(rawURL, c.allowPrivate); err != nil {
		return Result{Err: err, Latency: time.Since(start)}
	}
	attemptCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(attemptCtx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: &urlError{"url is not a valid URL"}, Latency: time.Since(start)}
	}
	h := make(http.Header, len(header)+2)
	for k, v := range header {
		h[k] = v
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = c.contentType
	}
	if h.Get("User-Agent") == "" {
		h["User-Agent"] = c.userAgent
	}
	req.Header = h

	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Err: c.describe(ctx, attemptCtx, err, false), Latency: time.Since(start)}
	}
	res := Result{StatusCode: resp.StatusCode, Header: resp.Header}
	if v := resp.Header.Get("Retry-After"); v != "" {
		res.RetryAfter, _ = ParseRetryAfter(v, time.Now())
	}

	bufp := c.bufs.Get().(*[]byte)
	buf := *bufp
	n, readErr := readUpTo(resp.Body, buf)
	// Closing before EOF makes the transport drop the connection rather
	// than drain a body of unknown size.
	resp.Body.Close()
	res.Truncated = n > MaxResponseBody
	res.Body = validUTF8(buf[:min(n, MaxResponseBody)], res.Truncated)
	c.bufs.Put(bufp)
	if readErr != nil {
		res.Err = c.describe(ctx, attemptCtx, readErr, true)
	}
	res.Latency = time.Since(start)
	return res
}

// readUpTo reads from r until buf is full, EOF or an error, and returns how
// many bytes it read and the error, nil at EOF. Unlike io.ReadFull it keeps
// a body cut short (io.ErrUnexpectedEOF from the HTTP body reader) apart
// from a body that is merely shorter than buf.
func readUpTo(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// validUTF8 returns b as a string of valid UTF-8 of at most MaxResponseBody
// bytes. When b was cut from a longer body, a trailing incomplete rune is
// the cut's doing, not the receiver's, and is dropped rather than replaced.
func validUTF8(b []byte, cut bool) string {
	if cut {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) > MaxResponseBody {
		// Replacements are longer than the bytes they replace: cut again,
		// at a rune boundary.
		i := MaxResponseBody
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}

// dialContext is the transport's only way to open a connection. It
// resolves host names through c.lookup, drops every address the egress
// guard refuses, and dials the remaining IP literals in order, so the
// address checked is the address connected to.
func (c *Client) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: invalid port: %w", address, err)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		addrs, err = c.lookup(ctx, host)
		if err != nil {
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) {
				return nil, err
			}
			return nil, &net.DNSError{Err: err.Error(), Name: host, UnwrapErr: err}
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	allowed := addrs
	var blockErr error
	if !c.allowPrivate {
		allowed = make([]netip.Addr, 0, len(addrs))
		for _, a := range addrs {
			if reason, blocked := blockReason(a); blocked {
				if blockErr == nil {
					blockErr = &BlockedError{Addr: a, Reason: reason}
				}
				continue
			}
			allowed = append(allowed, a)
		}
		if len(allowed) == 0 {
			return nil, blockErr
		}
	}
	var firstErr error
	for i, a := range allowed {
		conn, err := c.dialOne(ctx, network, netip.AddrPortFrom(a.Unmap(), uint16(port)), len(allowed)-i)
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// minDialShare is the least time an address gets before the next one is
// tried, when the attempt's deadline allows.
const minDialShare = 2 * time.Second

// dialOne dials one checked address. With left addresses still to try
// (this one included), it gets a fair share of the time remaining, as
// net.Dialer does for a host name, so one black-holed address cannot eat
// the whole timeout.
func (c *Client) dialOne(ctx context.Context, network string, ap netip.AddrPort, left int) (net.Conn, error) {
	if deadline, ok := ctx.Deadline(); ok && left > 1 {
		remaining := time.Until(deadline)
		share := max(remaining/time.Duration(left), min(minDialShare, remaining))
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, share)
		defer cancel()
	}
	return c.dialer.DialContext(ctx, network, ap.String())
}

// control is net.Dialer.Control when the egress guard is on: the last check
// of the address the socket connects to.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("egress guard: cannot check address %q: %w", address, err)
	}
	if reason, blocked := blockReason(ap.Addr()); blocked {
		return &BlockedError{Addr: ap.Addr(), Reason: reason}
	}
	return nil
}

// sendError is a failed attempt: a message for the user over the error
// the transport returned (kept for errors.Is and errors.As).
type sendError struct {
	msg string
	err error
}

func (e *sendError) Error() string { return e.msg }
func (e *sendError) Unwrap() error { return e.err }

// describe turns a transport error into one whose message says what went
// wrong without repeating the URL (which may hold a token). parent is the
// caller's context, attemptCtx the one bounded by the timeout; reading
// tells that the status line was received and the body was being read.
func (c *Client) describe(parent, attemptCtx context.Context, err error, reading bool) error {
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return blocked
	}
	if errors.Is(err, ErrInvalidURL) {
		return err
	}
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	where := ""
	if reading {
		where = " while reading the response body"
	}
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
	)
	switch {
	case parent.Err() != nil:
		return &sendError{"delivery canceled" + where + ": " + context.Cause(parent).Error(), err}
	case errors.Is(attemptCtx.Err(), context.DeadlineExceeded) || isTimeout(inner):
		if reading {
			return &sendError{fmt.Sprintf("timeout: the response body was not complete within %v", c.timeout), err}
		}
		return &sendError{fmt.Sprintf("timeout: no response within %v", c.timeout), err}
	case errors.As(inner, &dnsErr):
		return &sendError{fmt.Sprintf("dns lookup of %s failed: %s", dnsErr.Name, dnsErr.Err), err}
	case errors.Is(inner, syscall.ECONNREFUSED):
		if errors.As(inner, &opErr) && opErr.Addr != nil {
			return &sendError{"connection refused by " + opErr.Addr.String(), err}
		}
		return &sendError{"connection refused", err}
	case errors.Is(inner, syscall.ECONNRESET), errors.Is(inner, syscall.EPIPE):
		if reading {
			return &sendError{"connection reset by the receiver" + where, err}
		}
		return &sendError{"connection reset by the receiver before it sent a response", err}
	case isTLS(inner):
		return &sendError{"tls error: " + inner.Error(), err}
	case errors.Is(inner, io.EOF), errors.Is(inner, io.ErrUnexpectedEOF):
		if reading {
			return &sendError{"connection closed by the receiver" + where, err}
		}
		return &sendError{"connection closed by the receiver before it sent a response", err}
	}
	if reading {
		return &sendError{"error" + where + ": " + inner.Error(), err}
	}
	return &sendError{"request failed: " + inner.Error(), err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLS(err error) bool {
	var (
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		authErr     x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		echRejected *tls.ECHRejectionError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &recordErr) ||
		errors.As(err, &alertErr) || errors.As(err, &authErr) ||
		errors.As(err, &hostErr) || errors.As(err, &invalidErr) ||
		errors.As(err, &echRejected) || strings.HasPrefix(err.Error(), "tls: ")
}
