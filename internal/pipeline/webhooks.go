package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/internal/webhook"
	"github.com/docparse/docparse/wire"
)

// EndpointInput is a create or patch request for a webhook endpoint. Nil
// pointers are "not given".
type EndpointInput struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Enabled     *bool
}

func (s *Service) applyEndpoint(in EndpointInput, e *docparse.Endpoint, create bool) error {
	v := &docparse.ValidationError{}
	if in.URL != nil || create {
		u := ""
		if in.URL != nil {
			u = strings.TrimSpace(*in.URL)
		}
		if err := webhook.ValidateURL(u, s.dispatchCfg.AllowPrivate); err != nil {
			v.Add("url", err.Error())
		} else if why := blockedLiteral(u); why != "" && !s.dispatchCfg.AllowPrivate {
			// Deliveries would be refused at dial time; say so now.
			v.Add("url", why)
		}
		e.URL = u
	}
	setDescription(v, in.Description, 500, &e.Description)
	if in.EventTypes != nil {
		seen := map[string]bool{}
		types := []string{}
		for i, t := range *in.EventTypes {
			if !KnownEventType(t) {
				v.Add(fmt.Sprintf("event_types[%d]", i), fmt.Sprintf("%s is not an event type; use one of %s", docparse.Quote(t), strings.Join(EventTypes, ", ")))
				continue
			}
			if !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
		e.EventTypes = types
	}
	if in.Enabled != nil {
		if *in.Enabled && !e.Enabled {
			// A fresh start: the 3-day failure window counts from now.
			e.DisabledReason, e.FailingSince = "", nil
		}
		if !*in.Enabled && e.Enabled {
			e.DisabledReason = "disabled by the user"
		}
		e.Enabled = *in.Enabled
	}
	return v.Err()
}

// CreateEndpoint registers a webhook endpoint and returns it with its
// secret, which is shown only now and on rotation.
func (s *Service) CreateEndpoint(ctx context.Context, accountID string, in EndpointInput) (docparse.Endpoint, error) {
	return inTx(ctx, s.db, func(tx *store.Tx) (docparse.Endpoint, error) { return s.CreateEndpointTx(ctx, tx, accountID, in) })
}

// CreateEndpointTx is CreateEndpoint inside tx, for a caller that commits
// more with it (the stored answer of an Idempotency-Key).
func (s *Service) CreateEndpointTx(ctx context.Context, tx *store.Tx, accountID string, in EndpointInput) (docparse.Endpoint, error) {
	now := s.Now()
	secret, err := webhook.NewSecret()
	if err != nil {
		return docparse.Endpoint{}, err
	}
	e := docparse.Endpoint{ID: s.ids.New(docparse.PrefixEndpoint), AccountID: accountID, Enabled: true, Secret: secret,
		EventTypes: []string{}, CreatedAt: now, UpdatedAt: now}
	if err := s.applyEndpoint(in, &e, true); err != nil {
		return docparse.Endpoint{}, err
	}
	if !e.Enabled && e.DisabledReason == "" {
		e.DisabledReason = "disabled by the user"
	}
	if err := tx.InsertEndpoint(ctx, e); err != nil {
		return docparse.Endpoint{}, err
	}
	return e, nil
}

// UpdateEndpoint patches an endpoint. It reports whether the patch
// re-enabled a disabled endpoint (recovery of what it missed is then
// offered from its FailingSince).
func (s *Service) UpdateEndpoint(ctx context.Context, accountID, id string, in EndpointInput) (docparse.Endpoint, bool, error) {
	var e docparse.Endpoint
	reenabled := false
	err := s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		e, err = tx.Endpoint(ctx, accountID, id)
		if err != nil {
			return err
		}
		was := e.Enabled
		if err := s.applyEndpoint(in, &e, false); err != nil {
			return err
		}
		reenabled = !was && e.Enabled
		e.UpdatedAt = s.Now()
		return tx.UpdateEndpoint(ctx, e)
	})
	return e, reenabled, err
}

// DeleteEndpoint removes an endpoint with its pending deliveries.
func (s *Service) DeleteEndpoint(ctx context.Context, accountID, id string) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteEndpoint(ctx, accountID, id) })
}

// MaxGracePeriod bounds a rotation's grace period (7 days).
const MaxGracePeriod = 7 * 24 * time.Hour

// RotateSecret gives an endpoint a new secret. During grace the old
// secret signs every delivery too; grace 0 retires it at once.
func (s *Service) RotateSecret(ctx context.Context, accountID, id string, grace time.Duration) (secret string, err error) {
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		secret, err = s.RotateSecretTx(ctx, tx, accountID, id, grace)
		return err
	})
	return secret, err
}

// RotateSecretTx is RotateSecret inside tx, for a caller that commits more
// with it (the stored answer of an Idempotency-Key).
func (s *Service) RotateSecretTx(ctx context.Context, tx *store.Tx, accountID, id string, grace time.Duration) (string, error) {
	if grace < 0 || grace > MaxGracePeriod {
		v := &docparse.ValidationError{}
		v.Add("grace_period_seconds", "must be from 0 to 604800")
		return "", v
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return "", err
	}
	e, err := tx.Endpoint(ctx, accountID, id)
	if err != nil {
		return "", err
	}
	now := s.Now()
	e.PrevSecret, e.PrevSecretExpiresAt = "", nil
	if grace > 0 {
		exp := now.Add(grace)
		e.PrevSecret, e.PrevSecretExpiresAt = e.Secret, &exp
	}
	e.Secret, e.UpdatedAt = secret, now
	if err := tx.UpdateEndpoint(ctx, e); err != nil {
		return "", err
	}
	return secret, nil
}

const testMessage = "This is a test event from docparse. If you see this in your server logs, your webhook endpoint is configured correctly."

// TestEndpoint sends a signed endpoint.test now, records the attempt and
// returns its outcome. The test event is not part of the events feed.
func (s *Service) TestEndpoint(ctx context.Context, accountID, id string) (wire.TestResult, error) {
	e, err := s.db.Endpoint(ctx, accountID, id)
	if err != nil {
		return wire.TestResult{}, err
	}
	now := s.Now()
	payload, err := json.Marshal(eventBody{Type: wire.EventEndpointTest, Timestamp: now.Format(time.RFC3339Nano),
		Data: wire.TestEventData{Message: testMessage}})
	if err != nil {
		return wire.TestResult{}, err
	}
	eventID := s.ids.New(docparse.PrefixEvent)
	h, err := deliveryHeaders(e, eventID, payload, now, s.dispatchCfg.withDefaults().UserAgent)
	if err != nil {
		return wire.TestResult{}, err
	}
	res := s.dispatch.client.Send(ctx, e.URL, h, payload)
	a := docparse.Attempt{ID: s.ids.New(docparse.PrefixAttempt), AccountID: accountID, EndpointID: e.ID, EventID: eventID,
		EventType: wire.EventEndpointTest, AttemptNumber: 1, RequestBody: payload, CreatedAt: now}
	fillAttempt(&a, h, res)
	if err := s.db.RecordAttempts(ctx, []store.AttemptRecord{{Attempt: a, NoHealth: true}}); err != nil {
		return wire.TestResult{}, err
	}
	out := wire.TestResult{StatusCode: a.StatusCode, LatencyMS: a.LatencyMS, ResponseBody: a.ResponseBody}
	if a.Error != "" {
		out.Error = &a.Error
	}
	return out, nil
}

// ResendEvent delivers an event again now, to one endpoint or to every
// enabled endpoint that wants it. It returns how many deliveries it queued.
func (s *Service) ResendEvent(ctx context.Context, accountID, eventID, endpointID string) (int, error) {
	ev, err := s.db.Event(ctx, accountID, eventID)
	if err != nil {
		return 0, err
	}
	var eps []docparse.Endpoint
	if endpointID != "" {
		ep, err := s.db.Endpoint(ctx, accountID, endpointID)
		if err != nil {
			return 0, err
		}
		eps = append(eps, ep)
	} else {
		all, _, err := s.db.ListEndpoints(ctx, accountID, store.Page{Limit: store.MaxEndpoints})
		if err != nil {
			return 0, err
		}
		for _, ep := range all {
			if ep.Enabled && ep.Wants(ev.Type) {
				eps = append(eps, ep)
			}
		}
	}
	var tasks []store.DeliveryTask
	now := s.Now()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		for _, ep := range eps {
			t, err := tx.RequeueDeliveries(ctx, ep, []string{ev.ID}, now, now.Add(s.dispatch.lease()), s.newDeliveryID)
			if err != nil {
				return err
			}
			tasks = append(tasks, t...)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.dispatch.Enqueue(tasks)
	return len(tasks), nil
}

// RecoverEndpoint queues again every event since since that the endpoint
// wants and has not received. The sweeper sends them.
func (s *Service) RecoverEndpoint(ctx context.Context, accountID, endpointID string, since time.Time) (int, error) {
	var n int
	now := s.Now()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		ep, err := tx.Endpoint(ctx, accountID, endpointID)
		if err != nil {
			return err
		}
		// Not leased: the sweeper claims them in batches.
		n, err = tx.RecoverDeliveries(ctx, ep, since, now, s.newDeliveryID)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.dispatch.Wake()
	return n, nil
}

func (s *Service) newDeliveryID() string { return s.ids.New(prefixDelivery) }

// blockedLiteral explains why a URL whose host is an IP literal can never
// be delivered to (a private, loopback, ... address), or returns "".
func blockedLiteral(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	addr, err := netip.ParseAddr(u.Hostname())
	if err != nil || !webhook.Blocked(addr) {
		return ""
	}
	return fmt.Sprintf("%s is a private, loopback or reserved address: deliveries to it are refused (see --allow-private-webhooks)", addr)
}
