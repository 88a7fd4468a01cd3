package httpapi

import (
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
	"github.com/docparse/docparse/wire"
)

// routes lists every route of the API.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// A POST that creates something honours Idempotency-Key itself
	// (createsOnce, idempotency.go): the claim of the key, what it creates
	// and its stored answer commit in one transaction.
	authed := func(h handlerFunc) http.Handler { return s.authenticated(s.handle(h)) }
	// The extractions and the classifications are created, listed, read,
	// patched and deleted alike (resource).
	extractions := resource[docparse.Extraction, wire.Extraction, pipeline.ExtractionInput, extractionRequest]{
		s: s, name: "extraction", prefix: docparse.PrefixExtraction, view: viewExtraction, id: func(e docparse.Extraction) string { return e.ID },
		list: s.db.ListExtractions, get: s.db.Extraction, create: s.svc.CreateExtractionTx, update: s.svc.UpdateExtraction, remove: s.svc.DeleteExtraction}
	classifications := resource[docparse.Classification, wire.Classification, pipeline.ClassificationInput, classificationRequest]{
		s: s, name: "classification", prefix: docparse.PrefixClassification, view: viewClassification, id: func(c docparse.Classification) string { return c.ID },
		list: s.db.ListClassifications, get: s.db.Classification, create: s.svc.CreateClassificationTx, update: s.svc.UpdateClassification,
		remove: s.svc.DeleteClassification}

	mux.Handle("GET /healthz", s.handle(s.healthz))
	mux.Handle("GET /readyz", s.handle(s.readyz))
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveMetrics(w, s.svc.Metrics(), s.db) }))

	mux.Handle("GET /v1/openapi.json", s.handle(serveOpenAPI))

	mux.Handle("GET /v1/api_keys", authed(s.listAPIKeys))
	// Routes that answer a secret store their answer without it
	// (createsSecret).
	mux.Handle("POST /v1/api_keys", authed(s.createAPIKey))
	mux.Handle("DELETE /v1/api_keys/{key_id}", authed(s.revokeAPIKey))

	mux.Handle("GET /v1/extractions", authed(extractions.serveList))
	mux.Handle("POST /v1/extractions", authed(extractions.serveCreate))
	mux.Handle("GET /v1/extractions/{extraction_id}", authed(extractions.serveGet))
	mux.Handle("PATCH /v1/extractions/{extraction_id}", authed(extractions.serveUpdate))
	mux.Handle("DELETE /v1/extractions/{extraction_id}", authed(extractions.serveDelete))

	mux.Handle("GET /v1/extractions/{extraction_id}/batches", authed(s.listBatches))
	mux.Handle("POST /v1/extractions/{extraction_id}/batches", authed(s.createBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}", authed(s.getBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/export", authed(s.exportBatch))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}", authed(s.getFile))
	mux.Handle("GET /v1/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}/content", authed(s.getFileContent))

	mux.Handle("GET /v1/classifications", authed(classifications.serveList))
	mux.Handle("POST /v1/classifications", authed(classifications.serveCreate))
	mux.Handle("GET /v1/classifications/{classification_id}", authed(classifications.serveGet))
	mux.Handle("PATCH /v1/classifications/{classification_id}", authed(classifications.serveUpdate))
	mux.Handle("DELETE /v1/classifications/{classification_id}", authed(classifications.serveDelete))

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
		// A browser opened on the server's address lands on the dashboard.
		mux.Handle("GET /{$}", http.RedirectHandler("/dashboard/", http.StatusFound))
	}

	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "route_not_found", "no route for %s %s", r.Method, r.URL.Path)
	}))
	return s.logged(mux)
}
