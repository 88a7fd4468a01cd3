package httpapi

import "net/http"

// routes lists every route of the API.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// A POST that creates something honours Idempotency-Key itself
	// (createsOnce, idempotency.go): the claim of the key, what it creates
	// and its stored answer commit in one transaction.
	authed := func(h handlerFunc) http.Handler { return s.authenticated(s.handle(h)) }

	mux.Handle("GET /healthz", s.handle(s.healthz))
	mux.Handle("GET /readyz", s.handle(s.readyz))
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.metrics.write(w) }))

	mux.Handle("GET /v1/api_keys", authed(s.listAPIKeys))
	// Routes that answer a secret store their answer without it
	// (createsSecret).
	mux.Handle("POST /v1/api_keys", authed(s.createAPIKey))
	mux.Handle("DELETE /v1/api_keys/{key_id}", authed(s.revokeAPIKey))

	mux.Handle("GET /v1/extractions", authed(s.listExtractions))
	mux.Handle("POST /v1/extractions", authed(s.createExtraction))
	mux.Handle("GET /v1/extractions/{extraction_id}", authed(s.getExtraction))
	mux.Handle("PATCH /v1/extractions/{extraction_id}", authed(s.updateExtraction))
	mux.Handle("DELETE /v1/extractions/{extraction_id}", authed(s.deleteExtraction))

	mux.Handle("GET /v1/extractions/{extraction_id}/batches", authed(s.listBatches))
	mux.Handle("POST /v1/extractions/{extraction_id}/batches", authed(s.createBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}", authed(s.getBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/export", authed(s.exportBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}", authed(s.getFile))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}/content", authed(s.getFileContent))

	mux.Handle("GET /v1/classifications", authed(s.listClassifications))
	mux.Handle("POST /v1/classifications", authed(s.createClassification))
	mux.Handle("GET /v1/classifications/{classification_id}", authed(s.getClassification))
	mux.Handle("PATCH /v1/classifications/{classification_id}", authed(s.updateClassification))
	mux.Handle("DELETE /v1/classifications/{classification_id}", authed(s.deleteClassification))

	mux.Handle("GET /v1/classifications/{classification_id}/batches", authed(s.listClassificationBatches))
	mux.Handle("POST /v1/classifications/{classification_id}/batches", authed(s.createClassificationBatch))
	mux.Handle("GET /v1/classifications/{classification_id}/batches/{batch_id}", authed(s.getClassificationBatch))
	mux.Handle("GET /v1/classifications/{classification_id}/batches/{batch_id}/files/{file_id}", authed(s.getClassificationFile))
	mux.Handle("PATCH /v1/classifications/{classification_id}/batches/{batch_id}/files/{file_id}", authed(s.updateClassificationFile))
	mux.Handle("GET /v1/classifications/{classification_id}/batches/{batch_id}/files/{file_id}/content", authed(s.getClassificationFileContent))

	mux.Handle("GET /v1/webhook_endpoints", authed(s.listEndpoints))
	mux.Handle("POST /v1/webhook_endpoints", authed(s.createEndpoint))
	mux.Handle("GET /v1/webhook_endpoints/{endpoint_id}", authed(s.getEndpoint))
	mux.Handle("PATCH /v1/webhook_endpoints/{endpoint_id}", authed(s.updateEndpoint))
	mux.Handle("DELETE /v1/webhook_endpoints/{endpoint_id}", authed(s.deleteEndpoint))
	mux.Handle("POST /v1/webhook_endpoints/{endpoint_id}/rotate_secret", authed(s.rotateSecret))
	mux.Handle("POST /v1/webhook_endpoints/{endpoint_id}/test", authed(s.testEndpoint))
	mux.Handle("GET /v1/webhook_endpoints/{endpoint_id}/attempts", authed(s.listAttempts))
	mux.Handle("POST /v1/webhook_endpoints/{endpoint_id}/recover", authed(s.recoverEndpoint))

	mux.Handle("GET /v1/events", authed(s.listEvents))
	mux.Handle("GET /v1/events/{event_id}", authed(s.getEvent))
	mux.Handle("POST /v1/events/{event_id}/resend", authed(s.resendEvent))

	if s.dash != nil {
		mux.Handle("/dashboard/", s.dash)
	}

	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "route_not_found", "no route for %s %s", r.Method, r.URL.Path)
	}))
	return s.logged(mux)
}
