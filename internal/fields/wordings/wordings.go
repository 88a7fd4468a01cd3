// Package wordings measures how well the field engine copes with the many
// ways users name a field. A suite (internal/fields/testdata/wordings.json)
// lists wordings: a key, an optional description and a type, the concept
// they mean, and the truth key of the invoice2data development corpus they
// are scored against. Run extracts the corpus once per wording, with the
// generic schema of bench/accuracy in which that one field is worded the
// suite's way, and counts the documents where the value is right.
//
// It serves the end-to-end test of internal/fields and the command
// bench/wordings.
package wordings

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
	"github.com/docparse/docparse/internal/fields"
	"github.com/docparse/docparse/internal/fields/truth"
)

// Wording is one entry of the suite.
type Wording struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	// Concept is the lexicon concept the wording means.
	Concept string `json:"concept"`
	// Truth is the key of the corpus's truth JSON the value is scored
	// against; "" when the corpus does not show it.
	Truth string `json:"truth,omitempty"`
	Lang  string `json:"lang"`
	// HeldOut is the round of held-out wordings this one was written in,
	// 0 for the development wordings. Round 1 was written after the
	// resolver, measured, and its misses fixed; round 2 after those fixes,
	// and the same again; round 3 (field names of public invoice and
	// receipt APIs, and descriptions in six languages) after those. The
	// latest round is the one the resolver has not been fitted to.
	HeldOut int `json:"heldout,omitempty"`
}

// String shows a wording as a user writes it.
func (w Wording) String() string {
	if w.Description == "" {
		return fmt.Sprintf("%s (%s)", w.Key, w.Type)
	}
	return fmt.Sprintf("%s %q (%s)", w.Key, w.Description, w.Type)
}

// Load reads a suite.
func Load(path string) ([]Wording, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load wordings: %w", err)
	}
	var ws []Wording
	if err := json.Unmarshal(raw, &ws); err != nil {
		return nil, fmt.Errorf("load wordings %s: %w", path, err)
	}
	return ws, nil
}

// Generic is the generic invoice schema of bench/accuracy, by truth key:
// the canonical wording of every scored field.
var Generic = []docparse.Field{
	{Key: "invoice_number", Type: docparse.TypeString, Description: "Invoice number"},
	{Key: "date", Type: docparse.TypeDate, Description: "Invoice date"},
	{Key: "date_due", Type: docparse.TypeDate, Description: "Due date"},
	{Key: "amount", Type: docparse.TypeNumber, Description: "Total amount due"},
	{Key: "amount_untaxed", Type: docparse.TypeNumber, Description: "Subtotal, total before tax"},
	{Key: "amount_tax", Type: docparse.TypeNumber, Description: "Total tax amount"},
	{Key: "vat", Type: docparse.TypeString, Description: "VAT number of the seller"},
	{Key: "partner_name", Type: docparse.TypeString, Description: "Name of the seller"},
	{Key: "iban", Type: docparse.TypeString, Description: "IBAN"},
	{Key: "lines", Type: docparse.TypeListObject, Description: "Line items", Fields: []docparse.Field{
		{Key: "description", Type: docparse.TypeString, Description: "Item description"},
		{Key: "quantity", Type: docparse.TypeNumber, Description: "Quantity"},
		{Key: "unit_price", Type: docparse.TypeNumber, Description: "Unit price"},
		{Key: "amount", Type: docparse.TypeNumber, Description: "Line total"},
	}},
}

// Doc is one document of the corpus, extracted, with its truth by key
// (only the keys of Generic, as strings or float64 amounts).
type Doc struct {
	Name  string
	Doc   *extract.Document
	Truth map[string]any
}

// LoadCorpus extracts every document of dir that has a truth JSON beside
// it (name.json with name.pdf or name.txt), with a PDF engine whose
// compiled module is cached in cacheDir ("" for none).
func LoadCorpus(ctx context.Context, dir, cacheDir string) ([]Doc, error) {
	read, err := truth.ReadInvoice2data(dir)
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	eng, err := extract.NewEngine(extract.Config{CacheDir: cacheDir})
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	defer eng.Close()
	var docs []Doc
	for _, rd := range read {
		path := rd.Path
		head, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load corpus: %w", err)
		}
		kind, _ := extract.Sniff(head[:min(len(head), 4096)], filepath.Base(path))
		d, err := eng.Extract(ctx, path, kind)
		if err != nil {
			return nil, fmt.Errorf("load corpus: extract %s: %w", path, err)
		}
		docs = append(docs, Doc{Name: filepath.Base(path), Doc: d, Truth: expected(rd.Expected)})
	}
	return docs, nil
}

// expected keeps the keys of Generic that m holds: amounts as float64,
// everything else as a string (a VAT number may be a JSON number).
func expected(m map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range Generic {
		switch v := m[f.Key].(type) {
		case float64:
			if f.Type == docparse.TypeNumber {
				out[f.Key] = v
			} else {
				out[f.Key] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		case string:
			if f.Type == docparse.TypeNumber {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					out[f.Key] = x
				}
			} else if v != "" {
				out[f.Key] = v
			}
		}
	}
	return out
}

// Score is how one wording fared on the corpus.
type Score struct {
	Wording Wording
	// Docs is the number of documents whose truth has the wording's key;
	// Right how many of them the wording read right, Canonical how many
	// the canonical wording of Generic read right.
	Docs, Right, Canonical int
	// Misses names the documents the wording got wrong, with what it read.
	Misses []string
}

// Accuracy is Right/Docs, 1 when no document is scored.
func (s Score) Accuracy() float64 {
	if s.Docs == 0 {
		return 1
	}
	return float64(s.Right) / float64(s.Docs)
}

// Run scores every wording of ws that has a truth key on docs, on as many
// goroutines as GOMAXPROCS. Extraction is in process and deterministic;
// Run is safe for concurrent use.
func Run(docs []Doc, ws []Wording) []Score {
	canon := map[string]int{}
	for _, d := range docs {
		vals := fields.Extract(d.Doc, Generic, options).Values
		for key, want := range d.Truth {
			if truth.Correct(key, want, vals[key]) {
				canon[key]++
			}
		}
	}
	var scored []Wording
	for _, w := range ws {
		if w.Truth != "" {
			scored = append(scored, w)
		}
	}
	out := make([]Score, len(scored))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = score(docs, scored[i], canon[scored[i].Truth])
			}
		}()
	}
	for i := range scored {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// options are those of bench/accuracy.
var options = fields.Options{Language: "Multi-Lingual", InferMissing: true}

// score extracts docs with w's schema.
func score(docs []Doc, w Wording, canonical int) Score {
	schema, key := Schema(w)
	s := Score{Wording: w, Canonical: canonical}
	for _, d := range docs {
		want, ok := d.Truth[w.Truth]
		if !ok {
			continue
		}
		s.Docs++
		got := fields.Extract(d.Doc, schema, options).Values[key]
		if truth.Correct(w.Truth, want, got) {
			s.Right++
		} else {
			s.Misses = append(s.Misses, fmt.Sprintf("%s: want %v, got %v", d.Name, want, got))
		}
	}
	return s
}

// Schema is Generic with the field of w's truth key worded as w, and the
// key w's value comes back under. Another field whose key w's key would
// take is renamed ("x_" before its key), keeping its description.
func Schema(w Wording) ([]docparse.Field, string) {
	var out []docparse.Field
	for _, f := range Generic {
		switch {
		case f.Key == w.Truth:
			out = append(out, docparse.Field{Key: w.Key, Type: docparse.FieldType(w.Type), Description: w.Description})
		case f.Key == w.Key:
			f.Key = "x_" + f.Key
			out = append(out, f)
		default:
			out = append(out, f)
		}
	}
	return out, w.Key
}

// LatestRound is the last held-out round of the suite; TunedThrough the
// last one whose misses were fixed after measuring it. A round after
// TunedThrough measures wordings the resolver has not been fitted to.
const (
	LatestRound  = 5
	TunedThrough = 4
)

// RoundName names a round of the suite.
func RoundName(r int) string {
	switch {
	case r == 0:
		return "development"
	case r <= TunedThrough:
		return fmt.Sprintf("held-out round %d (seen: misses fixed)", r)
	}
	return fmt.Sprintf("held-out round %d (unseen)", r)
}
