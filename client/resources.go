package client

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// API keys.

// ListAPIKeysPage returns one page of the account's active keys.
func (c *Client) ListAPIKeysPage(ctx context.Context, p ListParams) (*Page[APIKey], error) {
	return callFor[Page[APIKey]](ctx, c, request{method: http.MethodGet, path: "/api_keys", query: p.values()})
}

// ListAPIKeys iterates over the account's active keys.
func (c *Client) ListAPIKeys(ctx context.Context, p ListParams) iter.Seq2[APIKey, error] {
	return all(ctx, p, c.pageSize, c.ListAPIKeysPage)
}

// APIKeyParams creates an API key. Name is a label, at most 200
// characters, and may be empty.
type APIKeyParams struct {
	Name string `json:"name"`
	// IdempotencyKey: see ExtractionParams.
	IdempotencyKey string `json:"-"`
}

// CreateAPIKey creates a key of the Client's account. At most 5 keys are
// active per account: the sixth is a 409 limit_reached (IsConflict).
func (c *Client) CreateAPIKey(ctx context.Context, p APIKeyParams) (*CreatedAPIKey, error) {
	return callFor[CreatedAPIKey](ctx, c, request{method: http.MethodPost, path: "/api_keys", body: p, header: idempotency(p.IdempotencyKey)})
}

// RevokeAPIKey revokes a key at once, including the one this Client uses.
func (c *Client) RevokeAPIKey(ctx context.Context, keyID string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: path("api_keys", keyID)}, nil)
}

// Extractions.

// CreateExtraction creates an extraction. An invalid schema is a 400
// invalid_request or 422 invalid_schema *Error whose Fields name every
// problem by path ("fields[3].fields[0].type").
func (c *Client) CreateExtraction(ctx context.Context, p ExtractionParams) (*Extraction, error) {
	return callIn(ctx, c, request{method: http.MethodPost, path: "/extractions", body: p, header: idempotency(p.IdempotencyKey)}, (*extractionAnswer).member)
}

// ListExtractionsPage returns one page of extractions, newest first.
func (c *Client) ListExtractionsPage(ctx context.Context, p ListParams) (*Page[Extraction], error) {
	return callFor[Page[Extraction]](ctx, c, request{method: http.MethodGet, path: "/extractions", query: p.values()})
}

// ListExtractions iterates over every extraction, newest first.
func (c *Client) ListExtractions(ctx context.Context, p ListParams) iter.Seq2[Extraction, error] {
	return all(ctx, p, c.pageSize, c.ListExtractionsPage)
}

// GetExtraction returns one extraction.
func (c *Client) GetExtraction(ctx context.Context, extractionID string) (*Extraction, error) {
	return callIn(ctx, c, request{method: http.MethodGet, path: path("extractions", extractionID)}, (*extractionAnswer).member)
}

// UpdateExtraction changes an extraction; it affects new batches only.
func (c *Client) UpdateExtraction(ctx context.Context, extractionID string, u ExtractionUpdate) (*Extraction, error) {
	return callIn(ctx, c, request{method: http.MethodPatch, path: path("extractions", extractionID), body: u}, (*extractionAnswer).member)
}

// DeleteExtraction deletes an extraction with its batches, files, results
// and stored documents.
func (c *Client) DeleteExtraction(ctx context.Context, extractionID string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: path("extractions", extractionID)}, nil)
}

// Batches.

// GetBatch returns a batch with its files. To wait for a batch to end,
// use [Client.WaitForBatch] rather than calling this in a loop.
func (c *Client) GetBatch(ctx context.Context, extractionID, batchID string) (*BatchResult, error) {
	return callFor[BatchResult](ctx, c, request{method: http.MethodGet, path: path("extractions", extractionID, "batches", batchID)})
}

// BatchListParams filters a batch list. Status is one batch status or
// empty; UpdatedAfter, when not zero, keeps batches updated strictly after
// it.
type BatchListParams struct {
	Status       string
	UpdatedAfter time.Time
	ListParams
}

func (p BatchListParams) values() url.Values {
	q := p.ListParams.values()
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if !p.UpdatedAfter.IsZero() {
		q.Set("updated_after", p.UpdatedAfter.UTC().Format(time.RFC3339Nano))
	}
	return q
}

// ListBatchesPage returns one page of an extraction's batches, newest
// first. The list shows batches without their files.
func (c *Client) ListBatchesPage(ctx context.Context, extractionID string, p BatchListParams) (*Page[Batch], error) {
	return callFor[Page[Batch]](ctx, c, request{method: http.MethodGet, path: path("extractions", extractionID, "batches"), query: p.values()})
}

// ListBatches iterates over an extraction's batches, newest first.
func (c *Client) ListBatches(ctx context.Context, extractionID string, p BatchListParams) iter.Seq2[Batch, error] {
	return allBatches(ctx, c, extractionID, p, (*Client).ListBatchesPage)
}

// GetFile returns one file of a batch with its result and confidence.
func (c *Client) GetFile(ctx context.Context, extractionID, batchID, fileID string) (*FileResult, error) {
	return callFor[FileResult](ctx, c, request{method: http.MethodGet, path: path("extractions", extractionID, "batches", batchID, "files", fileID)})
}

// FileContent returns the original upload of a file as a stream. The
// caller must close it.
func (c *Client) FileContent(ctx context.Context, extractionID, batchID, fileID string) (io.ReadCloser, error) {
	return c.stream(ctx, request{method: http.MethodGet, path: path("extractions", extractionID, "batches", batchID, "files", fileID, "content")})
}

// Export formats.
const (
	FormatJSON = "json" // a BatchExport
	// FormatCSV is one row per file: file_id, file_name, status,
	// error_code, then one column per field path (object children as
	// parent.child, lists as their JSON text), sorted.
	FormatCSV = "csv"
)

// Export returns every file's result of a batch as a stream in format
// FormatJSON or FormatCSV. The caller must close it.
func (c *Client) Export(ctx context.Context, extractionID, batchID, format string) (io.ReadCloser, error) {
	q := map[string][]string{"format": {format}}
	return c.stream(ctx, request{method: http.MethodGet, path: path("extractions", extractionID, "batches", batchID, "export"), query: q})
}

// ExportJSON returns every file's result of a batch, decoded.
func (c *Client) ExportJSON(ctx context.Context, extractionID, batchID string) (*BatchExport, error) {
	q := map[string][]string{"format": {FormatJSON}}
	return callFor[BatchExport](ctx, c, request{method: http.MethodGet, path: path("extractions", extractionID, "batches", batchID, "export"), query: q})
}

// Webhook endpoints.

// CreateWebhookEndpoint registers an endpoint; the answer carries its
// secret, shown only here and on rotation. At most 10 per account.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, p WebhookEndpointParams) (*CreatedWebhookEndpoint, error) {
	return callFor[CreatedWebhookEndpoint](ctx, c, request{method: http.MethodPost, path: "/webhook_endpoints", body: p, header: idempotency(p.IdempotencyKey)})
}

// ListWebhookEndpointsPage returns one page of endpoints, newest first.
func (c *Client) ListWebhookEndpointsPage(ctx context.Context, p ListParams) (*Page[WebhookEndpoint], error) {
	return callFor[Page[WebhookEndpoint]](ctx, c, request{method: http.MethodGet, path: "/webhook_endpoints", query: p.values()})
}

// ListWebhookEndpoints iterates over every endpoint, newest first.
func (c *Client) ListWebhookEndpoints(ctx context.Context, p ListParams) iter.Seq2[WebhookEndpoint, error] {
	return all(ctx, p, c.pageSize, c.ListWebhookEndpointsPage)
}

// GetWebhookEndpoint returns one endpoint (without its secret).
func (c *Client) GetWebhookEndpoint(ctx context.Context, endpointID string) (*WebhookEndpoint, error) {
	return callIn(ctx, c, request{method: http.MethodGet, path: path("webhook_endpoints", endpointID)}, (*endpointAnswer).member)
}

// UpdateWebhookEndpoint changes an endpoint. Re-enabling a disabled one
// answers a Recovery offer.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, endpointID string, u WebhookEndpointUpdate) (*UpdatedWebhookEndpoint, error) {
	return callFor[UpdatedWebhookEndpoint](ctx, c, request{method: http.MethodPatch, path: path("webhook_endpoints", endpointID), body: u})
}

// DeleteWebhookEndpoint deletes an endpoint with its pending deliveries
// and its attempts log.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, endpointID string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: path("webhook_endpoints", endpointID)}, nil)
}

// RotateWebhookSecret gives an endpoint a new secret and returns it. With
// a grace period (at most 7 days, whole seconds), the old secret also signs
// deliveries until it ends, so receivers can switch without losing any.
func (c *Client) RotateWebhookSecret(ctx context.Context, endpointID string, grace time.Duration) (string, error) {
	var out struct {
		Secret string `json:"secret"`
	}
	body := map[string]int64{"grace_period_seconds": int64(grace / time.Second)}
	if err := c.call(ctx, request{method: http.MethodPost, path: path("webhook_endpoints", endpointID, "rotate_secret"), body: body}, &out); err != nil {
		return "", err
	}
	return out.Secret, nil
}

// TestWebhookEndpoint sends a signed endpoint.test to the endpoint now and
// returns what happened. A failed delivery is reported in the result, not
// as an error.
func (c *Client) TestWebhookEndpoint(ctx context.Context, endpointID string) (*TestResult, error) {
	return callFor[TestResult](ctx, c, request{method: http.MethodPost, path: path("webhook_endpoints", endpointID, "test")})
}

// ListWebhookAttempts returns the endpoint's last 100 delivery attempts,
// newest first (this list has no further pages).
func (c *Client) ListWebhookAttempts(ctx context.Context, endpointID string) ([]Attempt, error) {
	var out Page[Attempt]
	if err := c.call(ctx, request{method: http.MethodGet, path: path("webhook_endpoints", endpointID, "attempts")}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// RecoverWebhookEndpoint queues every event since since that the endpoint
// wants and has not received, and returns how many were queued.
func (c *Client) RecoverWebhookEndpoint(ctx context.Context, endpointID string, since time.Time) (int, error) {
	var out struct {
		Queued int `json:"queued"`
	}
	body := map[string]string{"since": since.UTC().Format(time.RFC3339Nano)}
	if err := c.call(ctx, request{method: http.MethodPost, path: path("webhook_endpoints", endpointID, "recover"), body: body}, &out); err != nil {
		return 0, err
	}
	return out.Queued, nil
}

// Events.

// EventListParams selects a page of the events feed: the events after the
// event id After (from the start when empty), of the given Types (all when
// empty), at most Limit (1-100; 0: 20).
type EventListParams struct {
	After string
	Types []string
	Limit int
}

// ListEventsPage returns one page of the events feed, oldest first in
// commit order. NextCursor is the id of the page's last event (After
// when the page is empty): pass it as After next time.
func (c *Client) ListEventsPage(ctx context.Context, p EventListParams) (*Page[Event], error) {
	q := ListParams{Limit: p.Limit}.values()
	if p.After != "" {
		q.Set("after", p.After)
	}
	for _, t := range p.Types {
		q.Add("type", t)
	}
	return callFor[Page[Event]](ctx, c, request{method: http.MethodGet, path: "/events", query: q})
}

// EventsAfter iterates over the events feed after the event id cursor
// (from the oldest retained event when cursor is empty), in commit order,
// of the given types (all when none), until it has caught up; it asks for
// 100 events a page.
//
// The feed never skips an event, even one whose transaction committed
// late, as long as the caller resumes from the id of the last event it
// processed: store ev.ID after handling each event (or each page), and
// pass it as cursor next time. Events are kept 30 days: a cursor older
// than that is a 404 *Error (IsNotFound); start again from "" then, and
// rely on deduplication by event id.
//
// The iteration stops at the first error, which it yields.
func (c *Client) EventsAfter(ctx context.Context, cursor string, types ...string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		after := cursor
		for {
			pg, err := c.ListEventsPage(ctx, EventListParams{After: after, Types: types, Limit: c.pageSize})
			if err != nil {
				yield(Event{}, err)
				return
			}
			for _, ev := range pg.Data {
				if !yield(ev, nil) {
					return
				}
				after = ev.ID
			}
			if !pg.HasMore || len(pg.Data) == 0 {
				return
			}
		}
	}
}

// GetEvent returns one event of the feed.
func (c *Client) GetEvent(ctx context.Context, eventID string) (*Event, error) {
	return callIn(ctx, c, request{method: http.MethodGet, path: path("events", eventID)}, (*eventAnswer).member)
}

// ResendEvent delivers an event again now: to endpointID, or to every
// enabled endpoint that wants its type when endpointID is empty. It
// returns how many deliveries were queued.
func (c *Client) ResendEvent(ctx context.Context, eventID, endpointID string) (int, error) {
	var out struct {
		Queued int `json:"queued"`
	}
	var body any
	if endpointID != "" {
		body = map[string]string{"endpoint_id": endpointID}
	}
	if err := c.call(ctx, request{method: http.MethodPost, path: path("events", eventID, "resend"), body: body}, &out); err != nil {
		return 0, err
	}
	return out.Queued, nil
}

// callFor performs r and decodes its answer into a new T.
func callFor[T any](ctx context.Context, c *Client, r request) (*T, error) {
	var out T
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// callIn performs r, decodes its answer into the envelope E and returns
// the resource that member picks out of it.
func callIn[E, T any](ctx context.Context, c *Client, r request, member func(*E) *T) (*T, error) {
	out, err := callFor[E](ctx, c, r)
	if err != nil {
		return nil, err
	}
	return member(out), nil
}

// Answers that wrap one resource in a member named after it.
type (
	extractionAnswer struct {
		Extraction Extraction `json:"extraction"`
	}
	classificationAnswer struct {
		Classification Classification `json:"classification"`
	}
	endpointAnswer struct {
		WebhookEndpoint WebhookEndpoint `json:"webhook_endpoint"`
	}
	eventAnswer struct {
		Event Event `json:"event"`
	}
	fileAnswer struct {
		File ClassificationFile `json:"file"`
	}
)

func (a *extractionAnswer) member() *Extraction         { return &a.Extraction }
func (a *classificationAnswer) member() *Classification { return &a.Classification }
func (a *endpointAnswer) member() *WebhookEndpoint      { return &a.WebhookEndpoint }
func (a *eventAnswer) member() *Event                   { return &a.Event }
func (a *fileAnswer) member() *ClassificationFile       { return &a.File }
