package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/internal/store"
	"github.com/docparse/docparse/wire"
)

// viewEndpoint's status is "disabled", "failing" (deliveries fail since
// failing_since) or "active".
func viewEndpoint(e docparse.Endpoint) wire.WebhookEndpoint {
	v := wire.WebhookEndpoint{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes, Enabled: e.Enabled,
		LastSuccessAt: e.LastSuccessAt, FailingSince: e.FailingSince, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if v.EventTypes == nil {
		v.EventTypes = []string{}
	}
	switch {
	case !e.Enabled:
		v.Status = "disabled"
		r := e.DisabledReason
		v.DisabledReason = &r
	case e.FailingSince != nil:
		v.Status = "failing"
	default:
		v.Status = "active"
	}
	return v
}

type endpointRequest struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"event_types"`
	Enabled     *bool     `json:"enabled"`
}

func (in endpointRequest) input() pipeline.EndpointInput {
	return pipeline.EndpointInput{URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Enabled: in.Enabled}
}

func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in endpointRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return s.createsSecret(w, r, func(ctx context.Context, tx *store.Tx) (answer, error) {
		e, err := s.svc.CreateEndpointTx(ctx, tx, account(r), in.input())
		if err != nil {
			return answer{}, err
		}
		return answer{Status: http.StatusCreated,
			Body:   map[string]any{"webhook_endpoint": viewEndpoint(e), "secret": e.Secret},
			Replay: map[string]any{"webhook_endpoint": viewEndpoint(e), "secret": nil}}, nil
	})
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, docparse.PrefixEndpoint, s.db.ListEndpoints, func(e docparse.Endpoint) string { return e.ID }, viewEndpoint)
}

func (s *Server) getEndpoint(w http.ResponseWriter, r *http.Request) error {
	return one(w, "webhook_endpoint", viewEndpoint)(s.db.Endpoint(r.Context(), account(r), r.PathValue("endpoint_id")))
}

func (s *Server) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in endpointRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	before, err := s.db.Endpoint(r.Context(), account(r), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	e, reenabled, err := s.svc.UpdateEndpoint(r.Context(), account(r), before.ID, in.input())
	if err != nil {
		return err
	}
	body := map[string]any{"webhook_endpoint": viewEndpoint(e)}
	if reenabled {
		since := before.UpdatedAt
		if before.FailingSince != nil {
			since = *before.FailingSince
		}
		body["recovery"] = wire.Recovery{Since: since, Message: "POST /v1/webhook_endpoints/" + e.ID +
			"/recover with this since to receive the events the endpoint missed while it was disabled"}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.svc.DeleteEndpoint(r.Context(), account(r), r.PathValue("endpoint_id")))
}

func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		GracePeriodSeconds int64 `json:"grace_period_seconds"`
	}
	if err := decodeOptionalJSON(w, r, &in); err != nil {
		return err
	}
	if in.GracePeriodSeconds < 0 || in.GracePeriodSeconds > int64(pipeline.MaxGracePeriod/time.Second) {
		v := &docparse.ValidationError{}
		v.Add("grace_period_seconds", "must be from 0 to 604800")
		return v
	}
	return s.createsSecret(w, r, func(ctx context.Context, tx *store.Tx) (answer, error) {
		secret, err := s.svc.RotateSecretTx(ctx, tx, account(r), r.PathValue("endpoint_id"), time.Duration(in.GracePeriodSeconds)*time.Second)
		if err != nil {
			return answer{}, err
		}
		return answer{Status: http.StatusOK, Body: map[string]any{"secret": secret}, Replay: map[string]any{"secret": nil}}, nil
	})
}

func (s *Server) testEndpoint(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.TestEndpoint(r.Context(), account(r), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func viewAttempt(a docparse.Attempt) wire.Attempt {
	v := wire.Attempt{ID: a.ID, EventID: a.EventID, EventType: a.EventType, EndpointID: a.EndpointID, AttemptNumber: a.AttemptNumber,
		StatusCode: a.StatusCode, LatencyMS: a.LatencyMS, RequestHeaders: a.RequestHeaders, RequestBody: string(a.RequestBody),
		ResponseHeaders: a.ResponseHeaders, ResponseBody: a.ResponseBody, CreatedAt: a.CreatedAt, NextAttemptAt: a.NextAttemptAt}
	if a.Error != "" {
		e := a.Error
		v.Error = &e
	}
	return v
}

// maxAttemptsListed is how many attempts the log shows.
const maxAttemptsListed = 100

func (s *Server) listAttempts(w http.ResponseWriter, r *http.Request) error {
	ep, err := s.db.Endpoint(r.Context(), account(r), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	as, err := s.db.ListAttempts(r.Context(), account(r), ep.ID, maxAttemptsListed)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": viewAll(as, viewAttempt), "has_more": false})
	return nil
}

func (s *Server) recoverEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Since *time.Time `json:"since"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Since == nil {
		v := &docparse.ValidationError{}
		v.Add("since", "is required: an RFC 3339 time")
		return v
	}
	n, err := s.svc.RecoverEndpoint(r.Context(), account(r), r.PathValue("endpoint_id"), *in.Since)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
	return nil
}

// viewEvent takes the event's timestamp and data from its payload as they
// are.
func viewEvent(e docparse.Event, ds []docparse.Delivery) (wire.Event, error) {
	var body struct {
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(e.Payload, &body); err != nil {
		return wire.Event{}, err
	}
	v := wire.Event{ID: e.ID, Type: e.Type, Timestamp: body.Timestamp, Data: body.Data, CreatedAt: e.CreatedAt,
		Deliveries: make([]wire.Delivery, len(ds))}
	for i, d := range ds {
		sum := wire.Delivery{EndpointID: d.EndpointID, Status: d.State, Attempts: d.Attempts, LastStatusCode: d.LastStatus}
		if d.LastError != "" {
			e := d.LastError
			sum.LastError = &e
		}
		if d.State == docparse.DeliveryPending {
			t := d.NextAttemptAt
			sum.NextAttemptAt = &t
		}
		v.Deliveries[i] = sum
	}
	return v, nil
}

// listEvents is the events feed: every event of the account in commit
// order, oldest first, after the event ?after= (API.md).
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		p, err := page(r, docparse.PrefixEvent)
		if err != nil {
			return err
		}
		limit = p.Limit
	}
	var types []string
	for _, t := range q["type"] {
		for _, x := range wire.SplitEventTypes(t) {
			if !pipeline.KnownEventType(x) {
				return errorf(http.StatusBadRequest, "invalid_request", "type %s is not an event type", docparse.Quote(x))
			}
			types = append(types, x)
		}
	}
	after := q.Get("after")
	evs, more, err := s.db.ListEvents(r.Context(), account(r), after, types, limit)
	if err != nil {
		return err
	}
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	ds, err := s.db.DeliveriesOf(r.Context(), account(r), ids)
	if err != nil {
		return err
	}
	out := wire.Page[wire.Event]{Data: make([]wire.Event, 0, len(evs)), HasMore: more}
	for _, e := range evs {
		v, err := viewEvent(e, ds[e.ID])
		if err != nil {
			return err
		}
		out.Data = append(out.Data, v)
	}
	if len(evs) > 0 {
		// The feed's cursor is the last event's id, also when there is no
		// more yet: a consumer stores it and asks again later.
		out.NextCursor = evs[len(evs)-1].ID
	} else {
		out.NextCursor = after
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.db.Event(r.Context(), account(r), r.PathValue("event_id"))
	if err != nil {
		return err
	}
	ds, err := s.db.DeliveriesOf(r.Context(), account(r), []string{e.ID})
	if err != nil {
		return err
	}
	v, err := viewEvent(e, ds[e.ID])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"event": v})
	return nil
}

func (s *Server) resendEvent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		EndpointID string `json:"endpoint_id"`
	}
	if err := decodeOptionalJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.ResendEvent(r.Context(), account(r), r.PathValue("event_id"), in.EndpointID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
	return nil
}
