package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Version is the SDK's version, sent in its default User-Agent.
const Version = "0.1.0"

// Client calls one docparse (or DocParse) API with one key. Create it with
// [New]. It is safe for concurrent use; share one Client per key, so that
// its waits share their pollers and its polling budget.
type Client struct {
	base      string // without a trailing slash
	key       string
	hc        *http.Client
	userAgent string
	pageSize  int // of the iterators; lowered only by tests

	// Polling (wait.go, poller.go).
	interval    time.Duration // default wait interval, clamped
	minInterval time.Duration // lowest interval allowed; lowered only by tests
	pace        *pacer

	mu sync.Mutex
	// pollers holds a *poller[B, R] by the path of the batches it polls
	// ("/extractions/<id>/batches"); guarded by mu, as are their waiters.
	pollers map[string]any
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc instead of
// http.DefaultClient. Do not set hc.Timeout shorter than your largest
// upload takes: bound calls with their context instead.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent replaces the User-Agent header, "docparse-go/<Version>".
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithPollInterval sets the default interval of [Client.WaitForBatch]
// and [Client.WaitForClassificationBatch] (3 s). It is clamped to
// [2 s, 5 s], the range the API asks clients to poll at.
func WithPollInterval(d time.Duration) Option { return func(c *Client) { c.interval = d } }

// WithPollRate caps the requests per second that the Client's pollers
// send, together, for all waits (default 5, with a burst of as many).
// The default is half of docparse's default per-key limit, which leaves
// the other half to the application's own calls with the same key.
func WithPollRate(perSecond float64) Option {
	return func(c *Client) {
		if perSecond > 0 {
			c.pace = newPacer(perSecond, max(1, int(perSecond)))
		}
	}
}

// New returns a Client of the API at baseURL (for example
// "http://127.0.0.1:8080" or "https://api.docparse-labs.vercel.app"; a
// trailing "/v1" is accepted too) that authenticates with apiKey.
func New(baseURL, apiKey string, opts ...Option) *Client {
	base := strings.TrimRight(baseURL, "/")
	base = strings.TrimSuffix(base, "/v1")
	c := &Client{base: base, key: apiKey, hc: http.DefaultClient, userAgent: "docparse-go/" + Version,
		interval: DefaultPollInterval, minInterval: MinPollInterval, pageSize: iterLimit, pollers: map[string]any{}}
	for _, o := range opts {
		o(c)
	}
	if c.pace == nil {
		c.pace = newPacer(defaultPollRate, defaultPollRate)
	}
	if c.hc == nil {
		c.hc = http.DefaultClient
	}
	return c
}

// request is one API call.
type request struct {
	method string
	path   string // under /v1, already escaped
	query  url.Values
	body   any         // JSON-encoded when not nil
	raw    io.Reader   // sent as is with contentType when not nil
	ctype  string      // Content-Type of raw
	header http.Header // extra headers
}

// send performs r and returns the answer when its status is 2xx or 304;
// any other status is returned as *Error (and the body closed). The
// caller closes the returned body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + "/v1" + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("docparse: encode %s %s: %w", r.method, r.path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case r.raw != nil:
		body, ctype = r.raw, r.ctype
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("docparse: %s %s: %w", r.method, r.path, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("docparse: %s %s: %w", r.method, r.path, err)
	}
	c.pace.observe(resp)
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotModified {
		return nil, readError(resp)
	}
	return resp, nil
}

// call performs r and decodes a JSON answer into out (when out is not nil
// and the answer has a body).
func (c *Client) call(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := decodeBody(resp, out); err != nil {
		return fmt.Errorf("docparse: decode answer of %s %s: %w", r.method, r.path, err)
	}
	return nil
}

// stream performs r and returns the answer's body as it arrives; the
// caller closes it.
func (c *Client) stream(ctx context.Context, r request) (io.ReadCloser, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// decodeBody decodes a JSON answer into out.
func decodeBody(resp *http.Response, out any) error {
	return json.NewDecoder(resp.Body).Decode(out)
}

// path joins escaped path segments: path("extractions", id) is
// "/extractions/<id>".
func path(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// idempotency returns the header carrying an Idempotency-Key, or nil.
func idempotency(key string) http.Header {
	if key == "" {
		return nil
	}
	return http.Header{"Idempotency-Key": []string{key}}
}
