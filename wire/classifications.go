package wire

import "time"

// Category is one category of a classification.
type Category struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Keywords    []string `json:"keywords"`
	// LinkedExtractionID, when set, is the extraction that files
	// classified into this category are submitted to.
	LinkedExtractionID *string `json:"linked_extraction_id"`
}

// Classification is a set of 2 to 50 categories that files are sorted
// into. A file whose best confidence is below Threshold gets no category.
type Classification struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Threshold   float64    `json:"threshold"`
	Categories  []Category `json:"categories"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ClassificationBatch is one upload of files to a classification. Its
// statuses are those of extraction batches; it always ends processed,
// partial or failed.
type ClassificationBatch struct {
	ID               string     `json:"id"`
	ClassificationID string     `json:"classification_id"`
	Name             string     `json:"name"`
	Status           string     `json:"status"`
	FileCount        int        `json:"file_count"`
	PageCount        int        `json:"page_count"`
	Counts           Counts     `json:"counts"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	CompletedAt      *time.Time `json:"completed_at"`
}

// Terminal reports whether the batch has ended.
func (b ClassificationBatch) Terminal() bool { return terminal(b.Status) }

// ClassificationFile is one file of a classification batch with its
// result: the user's override when Overridden, else the classifier's
// decision. ClassifiedCategoryID is nil while the file is not processed,
// when it failed, and when its confidence was below the threshold.
// LinkedBatchID is the extraction batch the file was submitted to.
//
// A batch lists its files without the fields from ClassificationID on;
// the answer about one file carries them all, a zero size included.
type ClassificationFile struct {
	ID                      string     `json:"id"`
	FileName                string     `json:"file_name"`
	Status                  string     `json:"status"`
	PageCount               int        `json:"page_count"`
	ClassifiedCategoryID    *string    `json:"classified_category_id"`
	ClassifiedCategoryName  *string    `json:"classified_category_name"`
	Confidence              *float64   `json:"confidence"`
	ClassificationReasoning *string    `json:"classification_reasoning"`
	Overridden              bool       `json:"overridden"`
	LinkedBatchID           *string    `json:"linked_batch_id"`
	Error                   *FileError `json:"error,omitempty"`
	// Set in the answer about one file only.
	ClassificationID string    `json:"classification_id,omitempty"`
	BatchID          string    `json:"batch_id,omitempty"`
	ContentType      string    `json:"content_type,omitempty"`
	Size             int64     `json:"size,omitempty"`
	CreatedAt        time.Time `json:"created_at,omitzero"`
	UpdatedAt        time.Time `json:"updated_at,omitzero"`
}

// Category returns the name of the file's category, "" when it has none.
func (f ClassificationFile) Category() string {
	if f.ClassifiedCategoryName == nil {
		return ""
	}
	return *f.ClassifiedCategoryName
}

// ClassificationBatchResult is a classification batch with its files: the
// answer of an upload and of the polling endpoint.
type ClassificationBatchResult struct {
	Batch ClassificationBatch  `json:"batch"`
	Files []ClassificationFile `json:"files"`
}
