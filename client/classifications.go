package client

import (
	"context"
	"io"
	"iter"
	"net/http"

	"github.com/docparse/docparse/wire"
)

// Classifications sort uploaded files into categories; a category may
// hand its files on to an extraction.

// Classifications and their batches: see the wire types of the same
// names. ClassificationFile is a file as its batch lists it and, with
// the fields from ClassificationID on, as [Client.GetClassificationFile]
// and [Client.SetClassificationOverride] answer it.
type (
	Category                  = wire.Category
	Classification            = wire.Classification
	ClassificationBatch       = wire.ClassificationBatch
	ClassificationFile        = wire.ClassificationFile
	ClassificationBatchResult = wire.ClassificationBatchResult
)

// CategoryParams describes a category to create, or, in an update, to
// keep (ID set to an existing category's id) or add (ID empty). Keywords:
// at most 20. LinkedExtractionID must be an extraction of the account.
type CategoryParams struct {
	ID                 string   `json:"id,omitempty"`
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	Keywords           []string `json:"keywords,omitempty"`
	LinkedExtractionID string   `json:"linked_extraction_id,omitempty"`
}

// ClassificationParams creates a classification. Name and 2 to 50
// Categories are required; Threshold defaults to 0.5.
type ClassificationParams struct {
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Threshold   *float64         `json:"threshold,omitempty"`
	Categories  []CategoryParams `json:"categories"`
	// IdempotencyKey: see ExtractionParams.
	IdempotencyKey string `json:"-"`
}

// ClassificationUpdate changes a classification; nil fields are left as
// they are. Categories, when set, replace the list: keep a category (and
// the overrides that name it) by giving its ID.
type ClassificationUpdate struct {
	Name        *string           `json:"name,omitempty"`
	Description *string           `json:"description,omitempty"`
	Threshold   *float64          `json:"threshold,omitempty"`
	Categories  *[]CategoryParams `json:"categories,omitempty"`
}

// Classification events' data: see the wire types of the same names.
type (
	ClassifiedFile          = wire.ClassifiedFile
	FileClassifiedEventData = wire.FileClassifiedEventData
	ClassificationEventData = wire.ClassificationEventData
)

// CreateClassification creates a classification. Invalid categories are a
// 422 invalid_schema *Error whose Fields name each problem by path
// ("categories[2].keywords").
func (c *Client) CreateClassification(ctx context.Context, p ClassificationParams) (*Classification, error) {
	return callIn(ctx, c, request{method: http.MethodPost, path: "/classifications", body: p, header: idempotency(p.IdempotencyKey)}, (*classificationAnswer).member)
}

// ListClassificationsPage returns one page of classifications, newest
// first.
func (c *Client) ListClassificationsPage(ctx context.Context, p ListParams) (*Page[Classification], error) {
	return callFor[Page[Classification]](ctx, c, request{method: http.MethodGet, path: "/classifications", query: p.values()})
}

// ListClassifications iterates over every classification, newest first.
func (c *Client) ListClassifications(ctx context.Context, p ListParams) iter.Seq2[Classification, error] {
	return all(ctx, p, c.pageSize, c.ListClassificationsPage)
}

// GetClassification returns one classification.
func (c *Client) GetClassification(ctx context.Context, classificationID string) (*Classification, error) {
	return callIn(ctx, c, request{method: http.MethodGet, path: path("classifications", classificationID)}, (*classificationAnswer).member)
}

// UpdateClassification changes a classification; files classified from
// then on use the change.
func (c *Client) UpdateClassification(ctx context.Context, classificationID string, u ClassificationUpdate) (*Classification, error) {
	return callIn(ctx, c, request{method: http.MethodPatch, path: path("classifications", classificationID), body: u}, (*classificationAnswer).member)
}

// DeleteClassification deletes a classification with its batches, files
// and the stored documents no extraction batch shares.
func (c *Client) DeleteClassification(ctx context.Context, classificationID string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: path("classifications", classificationID)}, nil)
}

// UploadClassificationBatch uploads files to a classification as one new
// batch, streamed and within the limits of [Client.UploadBatch].
func (c *Client) UploadClassificationBatch(ctx context.Context, classificationID string, files []File, o UploadOptions) (*ClassificationBatchResult, error) {
	return upload[ClassificationBatchResult](ctx, c, path("classifications", classificationID, "batches"), files, o)
}

// GetClassificationBatch returns a classification batch with its files.
// To wait for it to end, use [Client.WaitForClassificationBatch].
func (c *Client) GetClassificationBatch(ctx context.Context, classificationID, batchID string) (*ClassificationBatchResult, error) {
	return callFor[ClassificationBatchResult](ctx, c, request{method: http.MethodGet, path: path("classifications", classificationID, "batches", batchID)})
}

// ListClassificationBatchesPage returns one page of a classification's
// batches, newest first, without their files.
func (c *Client) ListClassificationBatchesPage(ctx context.Context, classificationID string, p BatchListParams) (*Page[ClassificationBatch], error) {
	return callFor[Page[ClassificationBatch]](ctx, c, request{method: http.MethodGet, path: path("classifications", classificationID, "batches"), query: p.values()})
}

// ListClassificationBatches iterates over a classification's batches,
// newest first.
func (c *Client) ListClassificationBatches(ctx context.Context, classificationID string, p BatchListParams) iter.Seq2[ClassificationBatch, error] {
	return allBatches(ctx, c, classificationID, p, (*Client).ListClassificationBatchesPage)
}

// GetClassificationFile returns one file of a classification batch.
func (c *Client) GetClassificationFile(ctx context.Context, classificationID, batchID, fileID string) (*ClassificationFile, error) {
	return callIn(ctx, c, request{method: http.MethodGet, path: path("classifications", classificationID, "batches", batchID, "files", fileID)}, (*fileAnswer).member)
}

// SetClassificationOverride puts a file into the category categoryID by
// hand, or, with categoryID "", clears its override so that it shows the
// classifier's decision again. Overrides are sticky, and the
// classification learns from them for the files it classifies next. A
// category of another classification is a 422 *Error.
func (c *Client) SetClassificationOverride(ctx context.Context, classificationID, batchID, fileID, categoryID string) (*ClassificationFile, error) {
	body := map[string]any{"classified_category_id": nil}
	if categoryID != "" {
		body["classified_category_id"] = categoryID
	}
	return callIn(ctx, c, request{method: http.MethodPatch, path: path("classifications", classificationID, "batches", batchID, "files", fileID), body: body}, (*fileAnswer).member)
}

// ClassificationFileContent returns the original upload of a
// classification file as a stream. The caller must close it.
func (c *Client) ClassificationFileContent(ctx context.Context, classificationID, batchID, fileID string) (io.ReadCloser, error) {
	return c.stream(ctx, request{method: http.MethodGet, path: path("classifications", classificationID, "batches", batchID, "files", fileID, "content")})
}
