package dashboard

import (
	"io/fs"
	"net/http"

	"github.com/docparse/docparse/internal/docparse"
)

// routes lists every route of the dashboard. A page or action's handler
// is in the file named for it, a handler shared by several routes
// (listPage, showing, newPage, editPage, saving, deleting) in the file
// named for what it does (see the package comment).
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /dashboard/assets/", http.StripPrefix("/dashboard/assets/", http.FileServerFS(assets)))
	mux.Handle("GET /dashboard/{$}", h.authed(h.overviewPage))

	// Signing in and out.
	mux.Handle("GET /dashboard/login", h.handle(h.loginPage))
	mux.Handle("POST /dashboard/login", h.handle(h.login))
	mux.Handle("POST /dashboard/logout", h.authed(h.logout))

	// API keys and webhook settings.
	mux.Handle("GET /dashboard/api", h.authed(h.apiPage))
	mux.Handle("POST /dashboard/api/keys", h.authed(h.createKey))
	mux.Handle("POST /dashboard/api/keys/{key_id}/revoke", h.authed(h.revokeKey))
	mux.Handle("POST /dashboard/api/webhooks", h.authed(h.createEndpoint))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/test", h.authed(h.testEndpoint))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/rotate", h.authed(h.rotateSecret))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/enable", h.authed(h.enableEndpoint(true)))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/disable", h.authed(h.enableEndpoint(false)))
	mux.Handle("POST /dashboard/api/webhooks/{endpoint_id}/delete", h.authed(h.deleting("endpoint_id", "webhook endpoint", "/dashboard/api", h.svc.DeleteEndpoint)))
	mux.Handle("GET /dashboard/api/logs", h.authed(h.logsPage))
	mux.Handle("GET /dashboard/api/logs/{attempt_id}", h.authed(h.attemptPage))
	mux.Handle("POST /dashboard/api/logs/{attempt_id}/resend", h.authed(h.resendAttempt))

	// Review: the queue, and an extraction file beside its fields.
	const file = "/dashboard/extractions/{extraction_id}/batches/{batch_id}/files/{file_id}"
	mux.Handle("GET /dashboard/review", h.authed(h.reviewPage))
	mux.Handle("GET "+file, h.authed(h.filePage))
	mux.Handle("POST "+file+"/confirm", h.authedBody(maxSchemaForm, h.confirmFile))
	mux.Handle("GET "+file+"/pages/{page}", h.authed(h.pageImage))
	mux.Handle("GET "+file+"/content", h.authed(h.fileContent))

	// Extractions, their batches and uploads.
	mux.Handle("GET /dashboard/extractions", h.authed(listPage(h, "extractions", "Extractions", h.db.ListExtractions)))
	mux.Handle("GET /dashboard/extractions/new", h.authed(newPage(h, extractionForms)))
	mux.Handle("POST /dashboard/extractions", h.authedBody(maxSchemaForm, saving(h, extractionForms)))
	mux.Handle("GET /dashboard/extractions/{extraction_id}", h.authed(showing(h.extraction, h.showExtraction)))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/edit", h.authed(editPage(h, extractionForms)))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/edit", h.authedBody(maxSchemaForm, saving(h, extractionForms)))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/delete", h.authed(h.deleting("extraction_id", "extraction", "/dashboard/extractions", h.svc.DeleteExtraction)))
	mux.Handle("POST /dashboard/extractions/{extraction_id}/batches", h.authedUpload(h.uploadBatch))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}", h.authed(h.batchPage))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}/status", h.authed(h.batchStatus))
	mux.Handle("GET /dashboard/extractions/{extraction_id}/batches/{batch_id}/export", h.authed(h.exportBatch))

	// Classifications, their batches, uploads and overrides.
	mux.Handle("GET /dashboard/classifications", h.authed(listPage(h, "classifications", "Classifications", h.db.ListClassifications)))
	mux.Handle("GET /dashboard/classifications/new", h.authed(newPage(h, classificationForms)))
	mux.Handle("POST /dashboard/classifications", h.authedBody(maxSchemaForm, saving(h, classificationForms)))
	mux.Handle("GET /dashboard/classifications/{classification_id}", h.authed(showing(h.classification, h.showClassification)))
	mux.Handle("GET /dashboard/classifications/{classification_id}/edit", h.authed(editPage(h, classificationForms)))
	mux.Handle("POST /dashboard/classifications/{classification_id}/edit", h.authedBody(maxSchemaForm, saving(h, classificationForms)))
	mux.Handle("POST /dashboard/classifications/{classification_id}/delete", h.authed(h.deleting("classification_id", "classification", "/dashboard/classifications", h.svc.DeleteClassification)))
	mux.Handle("POST /dashboard/classifications/{classification_id}/batches", h.authedUpload(h.uploadClassificationBatch))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}", h.authed(h.classificationBatchPage))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}/status", h.authed(h.classificationBatchStatus))
	mux.Handle("POST /dashboard/classifications/{classification_id}/batches/{batch_id}/files/{file_id}/override", h.authed(h.overrideFile))
	mux.Handle("GET /dashboard/classifications/{classification_id}/batches/{batch_id}/files/{file_id}/content", h.authed(h.classificationFileContent))

	// Any other path: the sign-in page for a visitor, a 404 for a user.
	mux.Handle("/dashboard/", h.authed(func(w http.ResponseWriter, r *http.Request, _ docparse.Session) error {
		return errNotFound
	}))
	return mux
}
