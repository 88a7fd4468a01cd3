// Package synth generates labelled documents of many kinds for measuring
// and calibrating the classifier: invoices, receipts, letters, memos,
// forms, contracts, purchase orders, and documents that fit none of those
// (recipes, news articles, technical notes, timetables). Each kind has
// several templates, four languages (English, French, German, Spanish),
// varied layouts and optional OCR-like noise. Invoices also come from
// internal/fields/synth, whose layouts are richer.
//
// Generation is deterministic: the same seed, split and count give the
// same documents.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	fsynth "github.com/docparse/docparse/internal/fields/synth"
)

// Kind is what a document is.
type Kind string

// The kinds of documents. The first seven belong to the usual categories
// of a mixed inbox; the last four fit none of them.
const (
	Invoice       Kind = "invoice"
	Receipt       Kind = "receipt"
	Letter        Kind = "letter"
	Memo          Kind = "memo"
	Form          Kind = "form"
	Contract      Kind = "contract"
	PurchaseOrder Kind = "purchase_order"
	Recipe        Kind = "recipe"
	News          Kind = "news"
	TechNote      Kind = "tech_note"
	Timetable     Kind = "timetable"
)

// Kinds lists every kind, in-category kinds first.
var Kinds = []Kind{Invoice, Receipt, Letter, Memo, Form, Contract, PurchaseOrder, Recipe, News, TechNote, Timetable}

// Split says which templates a document may use. Train never uses the last
// template of a kind; HeldOut uses all of them, so a held-out measurement
// includes layouts the training data never showed.
type Split int

// The splits.
const (
	Train Split = iota
	HeldOut
)

// Seeds for the two splits, so that callers agree on them.
const (
	TrainSeed   = 11
	HeldOutSeed = 12
)

// Doc is one generated document.
type Doc struct {
	Name     string
	Kind     Kind
	Language string // "en", "fr", "de", "es", or "nl" for some invoices
	Template int    // index of the template within its kind; -1 for internal/fields/synth invoices
	Noisy    bool   // OCR-like noise was applied
	Text     string // one line per text line, "\f" between pages
}

// Generate returns n documents drawn from seed, cycling through the kinds
// so that every kind gets n/len(Kinds) documents or one more.
func Generate(seed int64, split Split, n int) []Doc {
	docs := make([]Doc, n)
	var invoices []fsynth.Doc
	if split == Train {
		invoices = fsynth.Generate(seed*1000+fsynth.TrainSeed, n/len(Kinds)+1)
	} else {
		invoices = fsynth.Generate(seed*1000+fsynth.HeldOutSeed, n/len(Kinds)+1)
	}
	for i := range n {
		kind := Kinds[i%len(Kinds)]
		r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		g := newGen(r)
		d := Doc{Name: fmt.Sprintf("%s-%d-%04d", kind, seed, i), Kind: kind, Language: g.lang}
		ts := templates[kind]
		if split == Train && len(ts) > 1 {
			ts = ts[:len(ts)-1]
		}
		if kind == Invoice && r.IntN(3) == 0 {
			// A third of the invoices come from the field engine's generator.
			fd := invoices[(i/len(Kinds))%len(invoices)]
			d.Text, d.Template = fd.Text(), -1
			d.Language = langCode(fd.Language)
		} else {
			d.Template = r.IntN(len(ts))
			ts[d.Template](g)
			d.Text = g.text()
		}
		if r.Float64() < 0.3 {
			d.Text, d.Noisy = noise(r, d.Text), true
		}
		docs[i] = d
	}
	return docs
}

func langCode(name string) string {
	switch name {
	case "French":
		return "fr"
	case "German":
		return "de"
	case "Spanish":
		return "es"
	case "Dutch":
		return "nl"
	}
	return "en"
}

// gen holds one document's choices while it is built.
type gen struct {
	r     *rand.Rand
	lang  string
	lines []string
	width int
	cur   string
	sep   string // label separator
}

func newGen(r *rand.Rand) *gen {
	g := &gen{r: r, width: 70 + r.IntN(30)}
	switch x := r.Float64(); {
	case x < 0.55:
		g.lang = "en"
	case x < 0.7:
		g.lang = "fr"
	case x < 0.85:
		g.lang = "de"
	default:
		g.lang = "es"
	}
	g.cur = pick(r, map[string][]string{"en": {"$", "£", "USD", "EUR", "€"}, "fr": {"€", "EUR"}, "de": {"€", "EUR", "CHF"}, "es": {"€", "EUR", "MXN"}}[g.lang])
	g.sep = pick(r, []string{": ", ": ", " ", " : ", "  "})
	return g
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// w picks one of the phrases of key in the document's language, falling
// back to English.
func (g *gen) w(key string) string {
	if xs, ok := lexicon[g.lang][key]; ok {
		return pick(g.r, xs)
	}
	xs, ok := lexicon["en"][key]
	if !ok {
		panic("synth: no phrase " + key)
	}
	return pick(g.r, xs)
}

func (g *gen) add(s ...string) { g.lines = append(g.lines, strings.Join(s, "")) }
func (g *gen) blank()          { g.lines = append(g.lines, "") }
func (g *gen) page()           { g.lines = append(g.lines, "\f") }

// kv adds a label and its value in this document's style.
func (g *gen) kv(label, value string) {
	label = strings.TrimRight(label, ": ")
	g.add(label, g.sep, value)
}

// right adds left and right text on one line, right aligned to the width.
func (g *gen) right(left, right string) {
	pad := g.width - len([]rune(left)) - len([]rune(right))
	if pad < 2 {
		pad = 2
	}
	g.add(left, strings.Repeat(" ", pad), right)
}

// cols adds cells aligned on the given widths.
func (g *gen) cols(widths []int, cells ...string) {
	var b strings.Builder
	for i, c := range cells {
		b.WriteString(c)
		if i < len(cells)-1 {
			pad := widths[i] - len([]rune(c))
			if pad < 1 {
				pad = 1
			}
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	g.add(strings.TrimRight(b.String(), " "))
}

func (g *gen) text() string {
	var b strings.Builder
	for i, l := range g.lines {
		if l == "\f" {
			b.WriteString("\f")
			continue
		}
		b.WriteString(l)
		if i < len(g.lines)-1 && g.lines[i+1] != "\f" {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// noise imitates OCR: swapped look-alike letters, dropped characters,
// broken words, lost lines.
func noise(r *rand.Rand, s string) string {
	rate := 0.01 + 0.04*r.Float64()
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if r.Float64() < 0.03 {
			continue
		}
		for _, c := range line {
			if r.Float64() >= rate {
				b.WriteRune(c)
				continue
			}
			switch r.IntN(5) {
			case 0: // dropped
			case 1:
				b.WriteString(map[rune]string{'l': "1", 'o': "0", 'm': "rn", 'e': "c", 'i': "l", 'O': "0", 'S': "5", 'a': "o"}[c])
				if _, ok := map[rune]bool{'l': true, 'o': true, 'm': true, 'e': true, 'i': true, 'O': true, 'S': true, 'a': true}[c]; !ok {
					b.WriteRune(c)
				}
			case 2:
				b.WriteRune(c)
				b.WriteByte(' ')
			case 3:
				b.WriteRune(c)
				b.WriteRune(c)
			default:
				b.WriteString(strings.ToUpper(string(c)))
			}
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}
