package wire

import "time"

// WebhookEndpoint is a URL that receives the account's events.
type WebhookEndpoint struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"` // empty: every type
	Enabled     bool     `json:"enabled"`
	// Status is "active", "failing" (deliveries fail since FailingSince)
	// or "disabled" (see DisabledReason).
	Status         string     `json:"status"`
	DisabledReason *string    `json:"disabled_reason"`
	LastSuccessAt  *time.Time `json:"last_success_at"`
	FailingSince   *time.Time `json:"failing_since"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Recovery is what an update that re-enables a disabled endpoint offers
// besides the endpoint: recovering the events since Since re-queues what
// it missed.
type Recovery struct {
	Since   time.Time `json:"since"`
	Message string    `json:"message"`
}

// TestResult is what a test delivery did. StatusCode is nil when no
// answer came; Error is nil when there was none.
type TestResult struct {
	StatusCode   *int    `json:"status_code"`
	LatencyMS    float64 `json:"latency_ms"`
	ResponseBody string  `json:"response_body"`
	Error        *string `json:"error"`
}

// Attempt is one logged delivery attempt.
type Attempt struct {
	ID              string            `json:"id"`
	EventID         string            `json:"event_id"`
	EventType       string            `json:"event_type"`
	EndpointID      string            `json:"endpoint_id"`
	AttemptNumber   int               `json:"attempt_number"`
	StatusCode      *int              `json:"status_code"`
	LatencyMS       float64           `json:"latency_ms"`
	RequestHeaders  map[string]string `json:"request_headers"`
	RequestBody     string            `json:"request_body"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    string            `json:"response_body"` // first 20 KB
	Error           *string           `json:"error"`
	CreatedAt       time.Time         `json:"created_at"`
	NextAttemptAt   *time.Time        `json:"next_attempt_at"`
}

// Delivery is the state of one event's delivery to one endpoint, as the
// events feed shows it. NextAttemptAt is set while it is pending.
type Delivery struct {
	EndpointID     string     `json:"endpoint_id"`
	Status         string     `json:"status"` // pending, delivered or failed
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
}
