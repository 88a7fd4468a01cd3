package dashboard

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/internal/docparse"
)

// funcs are the functions every template may call.
var funcs = template.FuncMap{
	"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"utc":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"args":     args,

	// Numbers and words.
	"inc":     func(n int) int { return n + 1 },
	"size":    humanSize,
	"percent": percent,
	"pct":     pct,
	"period":  period,
	"plural": func(n int, noun string) string {
		if n == 1 {
			return "1 " + noun
		}
		return strconv.Itoa(n) + " " + noun + "s"
	},
	"statusText": func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") },
	"join":       strings.Join,

	// Batches.
	"done":     doneCount,
	"doneText": doneText,

	// The schema form and the extraction page (schema_form.go).
	"fieldTypes": func() []docparse.FieldType { return fieldTypes },
	"languages":  func() []string { return []string{"Multi-Lingual", "English", "French", "German", "Spanish"} },
	"maxDepth":   func() int { return docparse.MaxDepth },
	"nests":      nests,
	"knownType": func(t string) bool {
		for _, ft := range fieldTypes {
			if string(ft) == t {
				return true
			}
		}
		return false
	},
	"fieldCount": countFields,
	// newRow is the blank row the page's script copies for "Add field".
	"newRow": func() fieldRow { return fieldRow{Name: "__NAME__", Depth: 1, Type: string(docparse.TypeString)} },

	// The category form and the classification pages (category_form.go).
	"minCategories": func() int { return docparse.MinCategories },
	"maxCategories": func() int { return docparse.MaxCategories },
	"maxKeywords":   func() int { return docparse.MaxKeywords },
	"categoryNames": func(cs []docparse.Category) string {
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name
		}
		return strings.Join(names, ", ")
	},

	// Webhook deliveries.
	"status": func(code *int) string {
		if code == nil {
			return "—"
		}
		return strconv.Itoa(*code)
	},
	"ok":      func(code *int) bool { return code != nil && *code >= 200 && *code < 300 },
	"ms":      func(ms float64) string { return strconv.FormatFloat(ms, 'f', 0, 64) + " ms" },
	"text":    func(b []byte) string { return string(b) },
	"headers": headers,
	"hours":   func(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) },
}

// args makes the argument of a shared part: a map of its name/value
// pairs.
func args(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("args: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: name %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// humanSize renders a byte count as a person reads it: 25 MB, 1.5 MB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(math.Round(float64(n)/(1<<20)*10)/10, 'f', -1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// percent renders a confidence or threshold in [0,1] as a percentage:
// 0.935 is "93.5%".
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
}

// pct renders a field's confidence as the review pages show it, rounded
// down to a whole percentage: 0.879 is "87%".
func pct(c float64) string { return fmt.Sprintf("%.0f%%", math.Floor(c*100)) }

// doneCount is how many of a batch's files are finished.
func doneCount(c docparse.Counts) int { return c.Processed + c.NeedsReview + c.Failed }

// doneText sums up a batch's finished files: "2 processed · 1 failed".
func doneText(c docparse.Counts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Processed, "processed"}, {c.NeedsReview, "to review"}, {c.Failed, "failed"}} {
		if p.n > 0 {
			parts = append(parts, strconv.Itoa(p.n)+" "+p.what)
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, " · ")
}

// nests reports whether a field of type t holds nested fields.
func nests(t string) bool {
	return t == string(docparse.TypeObject) || t == string(docparse.TypeListObject)
}

// countFields counts fields at every depth.
func countFields(fs []docparse.Field) int {
	n := len(fs)
	for _, f := range fs {
		n += countFields(f.Fields)
	}
	return n
}

// headerField is one header of an attempt.
type headerField struct{ Name, Value string }

// headers lists an attempt's headers in name order.
func headers(m map[string]string) []headerField {
	return byKey(m, func(k, v string) headerField { return headerField{k, v} })
}

// period says a duration in words: whole days as "30 days", whole hours
// as "36 hours", else as Go writes it.
func period(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0:
		return strconv.Itoa(int(d/day)) + " day" + plural(int(d/day))
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " hour" + plural(int(d/time.Hour))
	}
	return d.String()
}
