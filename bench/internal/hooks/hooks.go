// Package hooks is what the webhook benchmarks share: a receiver that checks
// every signature from the Standard Webhooks spec alone, and API helpers.
package hooks

// Used by bench/webhook-latency, bench/webhook-throughput and
// bench/webhook-fairness: a webhook receiver written from API.md's
// "Delivery (Standard Webhooks)" section alone (it does not import
// docparse's own signing code), and the webhook calls of the API
// (endpoints, the events feed) over the shared harness client.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
)

// SignatureTolerance is how far webhook-timestamp may be from the
// receiver's clock (the Standard Webhooks libraries use 5 minutes).
const SignatureTolerance = 5 * time.Minute

// SecretKey returns the HMAC key of a "whsec_<base64>" secret.
func SecretKey(secret string) ([]byte, error) {
	b64, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return nil, errors.New("secret has no whsec_ prefix")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("secret is empty")
	}
	return key, nil
}

// Signature returns "v1,<base64 HMAC-SHA256(key, id.ts.body)>".
func Signature(key []byte, id, ts string, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, ts, body))
}

// mac returns HMAC-SHA256(key, id.ts.body), what a v1 signature signs.
func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery's Standard Webhooks headers against key: the
// three headers are present, the timestamp is within SignatureTolerance of
// now, and one of the space-separated v1 signatures is the HMAC of
// id.timestamp.body.
func Verify(key []byte, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q: %w", ts, err)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("webhook-timestamp %s is %v away from now", ts, d)
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		ver, b64, ok := strings.Cut(s, ",")
		if !ok || ver != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no v1 Signature matches")
}

// Delivery is one verified POST as a receiver saw it.
type Delivery struct {
	At   time.Time // when the handler was entered (headers read)
	ID   string    // webhook-id
	Body []byte
	// From the body: type, timestamp (the event's time) and data.
	Type      string
	Timestamp time.Time
	BatchID   string
}

// Receiver is one webhook endpoint's HTTP server on 127.0.0.1. It checks
// every request's signature with the key of its endpoint (Register),
// decodes the body, calls OnDelivery and answers its status. Requests that
// fail the check are counted and answered 400.
type Receiver struct {
	URL        string // http://127.0.0.1:PORT/hook
	srv        *http.Server
	key        atomic.Pointer[[]byte]
	OnDelivery func(d Delivery) int // nil: answer 200
	Hang       bool                 // never answer: wait until the client gives up
	Delay      time.Duration        // wait this long before answering

	Requests atomic.Int64 // every POST, valid or not
	Bad      atomic.Int64 // signature check or body decode failed
	mu       sync.Mutex
	firstBad error
	inflight map[string]int // webhook-id -> requests being served
	maxIn    int            // most requests served at once
	sameIn   int            // requests that arrived while one with their webhook-id was still being served
	lastAt   map[string]time.Time
	repeats  int           // requests whose webhook-id came before
	minGap   time.Duration // shortest time between two requests with one webhook-id
}

// StartReceiver listens on a free loopback port. Close stops it.
func StartReceiver() (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{URL: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// Register creates a webhook endpoint for the receiver's URL (for the
// given event types; nil: all), sets the receiver's secret to the
// endpoint's, and returns the endpoint's id and HMAC key. Set the
// receiver's behaviour (OnDelivery, Hang, Delay) before.
func (r *Receiver) Register(ctx context.Context, c *harness.Client, types []string) (endpointID string, key []byte, err error) {
	id, secret, err := CreateEndpoint(ctx, c, r.URL, types)
	if err != nil {
		return "", nil, err
	}
	if key, err = SecretKey(secret); err != nil {
		return "", nil, err
	}
	r.key.Store(&key)
	return id, key, nil
}

// Close stops the server at once, cutting connections still open (a
// hanging receiver's clients see their requests fail).
func (r *Receiver) Close() { r.srv.Close() }

// FirstBad returns the first check failure, if any.
func (r *Receiver) FirstBad() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstBad
}

func (r *Receiver) bad(err error) {
	r.Bad.Add(1)
	r.mu.Lock()
	if r.firstBad == nil {
		r.firstBad = err
	}
	r.mu.Unlock()
}

// Concurrency returns the most requests served at once and how many
// arrived while another with the same webhook-id was still being served
// (a sender should never do that: a retry comes after its attempt ended).
func (r *Receiver) Concurrency() (most, sameID int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxIn, r.sameIn
}

// Repeats returns how many requests carried a webhook-id seen before
// (retries, or duplicates) and the shortest time between two requests
// with the same webhook-id (a retry comes at least the attempt's
// duration plus the first retry delay, 5 s -10%, after the attempt
// before it).
func (r *Receiver) Repeats() (n int, minGap time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.repeats, r.minGap
}

func (r *Receiver) enter(id string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight == nil {
		r.inflight = map[string]int{}
		r.lastAt = map[string]time.Time{}
	}
	if prev, ok := r.lastAt[id]; ok {
		gap := at.Sub(prev)
		if r.repeats == 0 || gap < r.minGap {
			r.minGap = gap
		}
		r.repeats++
	}
	r.lastAt[id] = at
	if r.inflight[id] > 0 {
		r.sameIn++
	}
	r.inflight[id]++
	n := 0
	for _, v := range r.inflight {
		n += v
	}
	r.maxIn = max(r.maxIn, n)
}

func (r *Receiver) leave(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight[id]--; r.inflight[id] <= 0 {
		delete(r.inflight, id)
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	r.Requests.Add(1)
	id := req.Header.Get("webhook-id")
	r.enter(id, at)
	defer r.leave(id)
	if r.Hang {
		io.Copy(io.Discard, req.Body)
		<-req.Context().Done()
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.bad(fmt.Errorf("read body: %w", err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	kp := r.key.Load()
	if kp == nil {
		r.bad(errors.New("delivery before the endpoint's secret was known"))
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err := Verify(*kp, req.Header, body, at); err != nil {
		r.bad(err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ev struct {
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Data      struct {
			BatchID string `json:"batch_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		r.bad(fmt.Errorf("decode body: %w", err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ts, err := time.Parse(time.RFC3339Nano, ev.Timestamp)
	if err != nil {
		r.bad(fmt.Errorf("event timestamp %q: %w", ev.Timestamp, err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if r.Delay > 0 {
		select {
		case <-time.After(r.Delay):
		case <-req.Context().Done():
			return
		}
	}
	status := http.StatusOK
	if r.OnDelivery != nil {
		status = r.OnDelivery(Delivery{At: at, ID: id, Body: body, Type: ev.Type, Timestamp: ts, BatchID: ev.Data.BatchID})
	}
	w.WriteHeader(status)
}

// CreateEndpoint registers url (for the given event types; nil: all) and
// returns the endpoint's id and secret.
func CreateEndpoint(ctx context.Context, c *harness.Client, url string, types []string) (id, secret string, err error) {
	in := map[string]any{"url": url}
	if types != nil {
		in["event_types"] = types
	}
	var out struct {
		Endpoint struct {
			ID string `json:"id"`
		} `json:"webhook_endpoint"`
		Secret string `json:"secret"`
	}
	if err := c.Call(ctx, http.MethodPost, "/v1/webhook_endpoints", in, http.StatusCreated, &out); err != nil {
		return "", "", err
	}
	if out.Endpoint.ID == "" || out.Secret == "" {
		return "", "", errors.New("POST /v1/webhook_endpoints: no id or secret in the answer")
	}
	return out.Endpoint.ID, out.Secret, nil
}

// FeedEvent is one entry of GET /v1/events.
type FeedEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Timestamp  string `json:"timestamp"`
	Deliveries []struct {
		EndpointID string `json:"endpoint_id"`
		Status     string `json:"status"`
		Attempts   int    `json:"attempts"`
	} `json:"deliveries"`
}

// AllEvents reads the whole events feed, 100 at a time.
func AllEvents(ctx context.Context, c *harness.Client) ([]FeedEvent, error) {
	var all []FeedEvent
	after := ""
	for {
		var page struct {
			Data    []FeedEvent `json:"data"`
			HasMore bool        `json:"has_more"`
		}
		path := "/v1/events?limit=100"
		if after != "" {
			path += "&after=" + after
		}
		if err := c.Call(ctx, http.MethodGet, path, nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if !page.HasMore || len(page.Data) == 0 {
			return all, nil
		}
		after = page.Data[len(page.Data)-1].ID
	}
}

// Summary formats p50/p90/p99/max of d (sorted in place).
func Summary(d []time.Duration) string {
	harness.SortDurations(d)
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (n=%d)", harness.Ms(harness.Percentile(d, 50)), harness.Ms(harness.Percentile(d, 90)),
		harness.Ms(harness.Percentile(d, 99)), harness.Ms(harness.Percentile(d, 100)), len(d))
}

// TinyInvoice is the one-file document the programs upload.
func TinyInvoice(i int) harness.Part {
	return harness.BytesPart(fmt.Sprintf("invoice-%05d.txt", i), []byte(fmt.Sprintf("Invoice No: %d\nTotal: 1.00\n", 10000+i)))
}
