package dashboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/internal/extract/pdftest"
	"github.com/docparse/docparse/internal/servertest"
)

// citedPDF is a real one-page invoice without an e-invoice attachment:
// its values are read from the page, so they cite it.
const citedPDF = "../extract/testdata/QualityHosting.pdf"

// TestBrowserCitations: on the review page, focusing a field, with the
// keyboard or the mouse, draws a box over the rendered page where its
// value was read and scrolls it into view; the box's place, cut out of
// the real PDF by pdftotext, holds the field's value. A field that cites
// nothing (a value not found) clears the box. (Scans' boxes are checked
// against their OCR words by fields' TestCitationsHoldTheirValues.)
func TestBrowserCitations(t *testing.T) {
	eachAcme(t, func(t *testing.T, srv *servertest.Server, api *client.Client) {
		file := uploadForReview(t, api, "Hosting invoices", "QualityHosting.pdf", readFile(t, citedPDF))
		b := signedInTab(t, srv.URL, email, password)
		b.open(file)
		get(b, "page image loads", chromedp.Poll[float64](
			`(() => { const i = document.querySelector(".doc-page img"); return i && i.complete && i.naturalWidth; })()`))

		for _, id := range []string{"f-invoice_number", "f-total", "f-invoice_date"} {
			b.run("focus "+id, chromedp.Focus(chromedp.CSS(`#`+id)))
			got := highlight(b)
			if got == nil {
				t.Fatalf("focus on #%s shows no highlight", id)
			}
			if got.value == "" {
				t.Fatalf("#%s has no value to cite", id)
			}
			text, err := pdftest.TextIn(citedPDF, got.page, got.box)
			if err != nil {
				t.Fatal(err)
			}
			if !showsValue(text, got.value) {
				t.Errorf("#%s = %q: the highlight %v on page %d covers %q", id, got.value, got.box, got.page, text)
			}
			if !got.inView {
				t.Errorf("#%s: the highlight is not scrolled into view", id)
			}
		}
		b.screenshot("review-file-cited")

		b.run("focus a field not found", chromedp.Focus(chromedp.CSS(`#f-paid`)))
		if highlight(b) != nil {
			t.Errorf("a field without a citation leaves a highlight shown")
		}
		// The mouse: pointing at the total's field shows its box.
		b.run("point at the total", chromedp.ScrollIntoView(chromedp.CSS(`#f-total`)))
		pos := b.eval(`(() => { const r = document.querySelector("#f-total").closest(".rf").getBoundingClientRect(); return [r.left + 5, r.top + 5]; })()`).([]any)
		b.run("move the mouse", chromedp.MouseEvent("mouseMoved", pos[0].(float64), pos[1].(float64)))
		if got := highlight(b); got == nil || got.field != "total" {
			t.Errorf("pointing at the total shows %+v, want the total's box", got)
		}

	})
}

// shown is the highlight the page shows: its page, its box in fractions
// of the page's image, the focused field's path and value, and whether
// it is in view.
type shown struct {
	page         int
	box          []float64
	field, value string
	inView       bool
}

// highlight returns the highlight shown, or nil. A box just drawn may
// not be laid out yet (its image's size still 0): it asks again for up to
// two seconds.
func highlight(b *tab) *shown {
	for try := 0; ; try++ {
		m, _ := b.eval(`(() => {
			const m = document.querySelector(".page-frame .cite-box");
			if (!m || m.hidden) return null;
			const img = m.parentElement.querySelector("img"), r = m.getBoundingClientRect(), i = img.getBoundingClientRect();
			if (!img.complete || !img.naturalWidth || !i.width || !i.height) return {laidOut: false};
			const f = document.querySelector(".rf[data-cite-box]:hover") || document.activeElement.closest(".rf");
			const input = f && f.querySelector("input, select, textarea");
			return {laidOut: true, page: Number(m.closest(".doc-page").dataset.page), value: input ? input.value : "", field: input ? input.name : "",
				box: [(r.left - i.left) / i.width, (r.top - i.top) / i.height, (r.right - i.left) / i.width, (r.bottom - i.top) / i.height],
				inView: r.top >= 0 && r.bottom <= window.innerHeight};
		})()`).(map[string]any)
		if m == nil {
			return nil
		}
		if m["laidOut"] != true {
			if try < 20 {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			b.t.Fatalf("the highlight's page image is not laid out: %v", m)
		}
		s := &shown{page: int(m["page"].(float64)), field: m["field"].(string), value: m["value"].(string), inView: m["inView"] == true}
		for _, v := range m["box"].([]any) {
			s.box = append(s.box, v.(float64))
		}
		return s
	}
}

// showsValue reports whether text shows a form value: a date (YYYY-MM-DD)
// by its day and year, a number by its digits, text as it is.
func showsValue(text, value string) bool {
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	if len(value) == 10 && value[4] == '-' && value[7] == '-' {
		return strings.Contains(text, value[:4]) && strings.Contains(text, strings.TrimPrefix(value[8:], "0"))
	}
	if d := digits(value); d != "" && strings.Trim(value, "0123456789.-") == "" {
		return strings.Contains(digits(text), strings.TrimRight(strings.TrimRight(d, "0"), "."))
	}
	return strings.Contains(text, value)
}
