package httpapi

import (
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// extractionRequest is the body of create and patch.
type extractionRequest struct {
	Name            *string           `json:"name"`
	Description     *string           `json:"description"`
	Language        *string           `json:"language"`
	Fields          *[]docparse.Field `json:"fields"`
	Options         *docparse.Options `json:"options"`
	ReviewThreshold *float64          `json:"review_threshold"`
}

func (in extractionRequest) input() pipeline.ExtractionInput {
	return pipeline.ExtractionInput{Name: in.Name, Description: in.Description, Language: in.Language, Fields: in.Fields,
		Options: in.Options, ReviewThreshold: in.ReviewThreshold}
}
