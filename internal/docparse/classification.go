package docparse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a classification (API.md, "Classifications").
const (
	MinCategories     = 2
	MaxCategories     = 50
	MaxKeywords       = 20
	MaxKeywordLen     = 100 // characters
	MaxNameLen        = 200 // characters, of a classification or a category
	DefaultThreshold  = 0.5
	MaxClassifiedText = 64 << 10 // bytes of a file's text kept for learning from overrides
)

// Category is one of the categories of a classification. ID is minted
// when the category is created and kept across PATCHes that name it.
type Category struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Description        string   `json:"description"`
	Keywords           []string `json:"keywords"`
	LinkedExtractionID string   `json:"linked_extraction_id,omitempty"`
}

// Classification sorts uploaded files into its categories.
type Classification struct {
	ID          string
	AccountID   string
	Name        string
	Description string
	// Threshold is the confidence under which a file is left without a
	// category.
	Threshold  float64
	Categories []Category
	// Version grows with every PATCH; OverridesVersion with every override
	// set or cleared. Together they name the classifier model built from
	// the classification.
	Version          int64
	OverridesVersion int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Category returns the category id of c.
func (c Classification) Category(id string) (Category, bool) {
	for _, x := range c.Categories {
		if x.ID == id {
			return x, true
		}
	}
	return Category{}, false
}

// ClassificationBatch is one upload of files to a classification. Its
// statuses and counts follow the rules of extraction batches; no file of
// it is ever needs_review, so it ends processed, partial or failed. Its
// version grows with overrides too.
type ClassificationBatch struct {
	BatchCore
	ClassificationID string
}

// ClassificationFile is one uploaded document of a classification batch
// with the classifier's decision and the user's override.
type ClassificationFile struct {
	FileCore
	ClassificationID string
	// Decision is the classifier's, set when the file is processed;
	// Decision.CategoryID is "" below the threshold.
	Decided  bool
	Decision Decision
	// Override, when not nil, is the category the user put the file in;
	// reprocessing never changes it.
	Override *Override
	// LinkedBatchID is the extraction batch the file was submitted to.
	LinkedBatchID string
}

// Decision is what the classifier decided for a file.
type Decision struct {
	CategoryID   string
	CategoryName string
	Confidence   float64
	Reasoning    string
}

// Override is a category a user put a file in by hand.
type Override struct {
	CategoryID   string
	CategoryName string
	At           time.Time
}

// Result is what a file shows: the override when there is one (with
// confidence 1 and a reasoning that quotes the classifier's own decision),
// else the classifier's decision. ok is false while the file has neither.
func (f ClassificationFile) Result() (d Decision, ok bool) {
	if f.Override == nil {
		return f.Decision, f.Decided
	}
	r := fmt.Sprintf("Set by hand to %q.", f.Override.CategoryName)
	if f.Decided {
		chose := "no category"
		if f.Decision.CategoryID != "" {
			chose = strconv.Quote(f.Decision.CategoryName)
		}
		r += fmt.Sprintf(" The classifier had chosen %s (confidence %.2f): %s", chose, f.Decision.Confidence, f.Decision.Reasoning)
	}
	return Decision{CategoryID: f.Override.CategoryID, CategoryName: f.Override.CategoryName, Confidence: 1, Reasoning: r}, true
}

// ValidateClassification checks the name, description and threshold of a
// classification (plain invalid input, HTTP 400) and then its categories
// (HTTP 422, Semantic), naming every offending path such as
// "categories[2].keywords". Whether category ids belong to the
// classification and linked extractions exist is the caller's to check:
// it needs the database.
func ValidateClassification(c Classification) error {
	plain := &ValidationError{}
	switch n := utf8.RuneCountInString(c.Name); {
	case strings.TrimSpace(c.Name) == "":
		plain.Add("name", "is required")
	case n > MaxNameLen:
		plain.Add("name", fmt.Sprintf("must be at most %d characters, not %d", MaxNameLen, n))
	}
	if n := utf8.RuneCountInString(c.Description); n > MaxDescriptionLen {
		plain.Add("description", fmt.Sprintf("must be at most %d characters, not %d", MaxDescriptionLen, n))
	}
	if t := c.Threshold; math.IsNaN(t) || math.IsInf(t, 0) || t < 0 || t > 1 {
		plain.Add("threshold", fmt.Sprintf("must be a number between 0 and 1, not %v", t))
	}
	if err := plain.Err(); err != nil {
		return err
	}
	return ValidateCategories(c.Categories)
}

// ValidateCategories checks a classification's categories: MinCategories
// to MaxCategories of them; each with a name (at most MaxNameLen
// characters, unique among them regardless of case), a description of at
// most MaxDescriptionLen characters, at most MaxKeywords keywords of 1 to
// MaxKeywordLen characters each, an id (when given) of the form cat_...
// not given twice, and a linked_extraction_id (when given) of the form
// ext_.... It returns a Semantic *ValidationError or nil.
func ValidateCategories(cats []Category) error {
	e := &ValidationError{Semantic: true}
	switch {
	case len(cats) < MinCategories:
		e.Add("categories", fmt.Sprintf("must hold at least %d categories, not %d", MinCategories, len(cats)))
	case len(cats) > MaxCategories:
		e.Add("categories", fmt.Sprintf("must hold at most %d categories, not %d", MaxCategories, len(cats)))
	}
	names := map[string]int{}
	ids := map[string]int{}
	for i, c := range cats {
		p := fmt.Sprintf("categories[%d]", i)
		name := strings.TrimSpace(c.Name)
		switch n := utf8.RuneCountInString(name); {
		case n == 0:
			e.Add(p+".name", "is required")
		case n > MaxNameLen:
			e.Add(p+".name", fmt.Sprintf("must be at most %d characters, not %d", MaxNameLen, n))
		default:
			key := strings.ToLower(name)
			if j, dup := names[key]; dup {
				e.Add(p+".name", fmt.Sprintf("%q is already the name of categories[%d]", name, j))
			} else {
				names[key] = i
			}
		}
		if n := utf8.RuneCountInString(c.Description); n > MaxDescriptionLen {
			e.Add(p+".description", fmt.Sprintf("must be at most %d characters, not %d", MaxDescriptionLen, n))
		}
		if len(c.Keywords) > MaxKeywords {
			e.Add(p+".keywords", fmt.Sprintf("must hold at most %d keywords, not %d", MaxKeywords, len(c.Keywords)))
		}
		for j, k := range c.Keywords {
			switch n := utf8.RuneCountInString(strings.TrimSpace(k)); {
			case n == 0:
				e.Add(fmt.Sprintf("%s.keywords[%d]", p, j), "must not be empty")
			case n > MaxKeywordLen:
				e.Add(fmt.Sprintf("%s.keywords[%d]", p, j), fmt.Sprintf("must be at most %d characters, not %d", MaxKeywordLen, n))
			}
		}
		if c.ID != "" {
			if !strings.HasPrefix(c.ID, PrefixCategory) {
				e.Add(p+".id", fmt.Sprintf("%q is not a category id (cat_...)", c.ID))
			} else if j, dup := ids[c.ID]; dup {
				e.Add(p+".id", fmt.Sprintf("%q is already the id of categories[%d]", c.ID, j))
			} else {
				ids[c.ID] = i
			}
		}
		if c.LinkedExtractionID != "" && !strings.HasPrefix(c.LinkedExtractionID, PrefixExtraction) {
			e.Add(p+".linked_extraction_id", fmt.Sprintf("%q is not an extraction id (ext_...)", c.LinkedExtractionID))
		}
	}
	return e.Err()
}
