package docparse

// FieldType is the type of one field of an extraction schema.
type FieldType string

// The nine field types of API.md.
const (
	TypeString     FieldType = "string"
	TypeNumber     FieldType = "number"
	TypeInteger    FieldType = "integer"
	TypeBoolean    FieldType = "boolean"
	TypeDate       FieldType = "date"     // "2026-05-24"
	TypeDateTime   FieldType = "datetime" // RFC 3339
	TypeObject     FieldType = "object"   // children in Fields
	TypeListString FieldType = "list<string>"
	TypeListObject FieldType = "list<object>" // children in Fields
)

// Field is one field of an extraction schema. Object and list<object>
// fields carry their children in Fields.
type Field struct {
	Key         string    `json:"key"`
	Type        FieldType `json:"type"`
	Description string    `json:"description,omitempty"`
	// Example is any JSON value the user gave as an example of the field.
	Example any     `json:"example,omitempty"`
	Fields  []Field `json:"fields,omitempty"`
}

// Options are the extraction options of API.md.
type Options struct {
	OCRPriority  bool `json:"ocr_priority"`
	InferMissing bool `json:"infer_missing"`
	StrictFormat bool `json:"strict_format"`
}

// DefaultReviewThreshold is the review_threshold of an extraction that
// does not set one.
const DefaultReviewThreshold = 0.7

// DefaultLanguage is the language of an extraction that does not set one.
const DefaultLanguage = "Multi-Lingual"
