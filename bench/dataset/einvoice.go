package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/docparse/docparse/bench/internal/dataset"
	"github.com/docparse/docparse/internal/einvoice"
)

// Limits on what the e-invoice source reads from a repository.
const (
	maxPDFBytes        = 64 << 20
	maxAttachmentBytes = 16 << 20
	toolTimeout        = 60 * time.Second
)

// einvoiceKeys are the truth keys of an e-invoice item, in report order.
var einvoiceKeys = []string{"invoice_number", "date", "due_date", "seller_name", "seller_vat_id", "buyer_name", "currency", "total", "net", "tax", "iban"}

// einvoiceItems lays out the e-invoice PDFs found in the repositories
// repos under out and returns their items. A repository is a checkout
// directory or a bare git directory (one with objects/ and HEAD, read at
// HEAD). For every PDF whose attachments hold an invoice XML (read by
// internal/einvoice), it writes the PDF with every attachment removed to
// out/einvoice/<id>.pdf; the truth is the XML's values that are visible in
// that stripped PDF's text (pdftotext -layout), see README-einvoice.md.
// PDFs without an invoice XML, with a broken one, or with no visible value
// are skipped; a PDF whose bytes were already seen (the same file at two
// paths), or whose invoice was (same seller, number, date and total), is
// laid out once, so that no invoice is in both splits. It needs qpdf and pdftotext on PATH and prints
// a summary, per truth key, to stderr. The repository ZUGFeRD/corpus is
// reserved for independent checks and refused.
func einvoiceItems(repos []string, out string) ([]dataset.Item, error) {
	for _, tool := range []string{"qpdf", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("e-invoices: %w (install qpdf and poppler-utils)", err)
		}
	}
	dir := filepath.Join(out, "einvoice")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("e-invoices: %w", err)
	}
	tmp, err := os.MkdirTemp("", "einvoice-")
	if err != nil {
		return nil, fmt.Errorf("e-invoices: %w", err)
	}
	defer os.RemoveAll(tmp)

	var st einvoiceStats
	st.inXML = map[string]int{}
	st.visible = map[string]int{}
	seen := map[[32]byte]bool{}
	laid := &laidOut{invoices: map[string]bool{}, sellers: map[string]int{}, groups: map[string]string{}}
	var items []dataset.Item
	for _, r := range repos {
		src, err := openRepo(r)
		if err != nil {
			return nil, fmt.Errorf("e-invoices: %w", err)
		}
		paths, err := src.pdfs()
		if err != nil {
			return nil, fmt.Errorf("e-invoices: %s: %w", src.name, err)
		}
		for _, p := range paths {
			st.pdfs++
			origin := src.name + ":" + p
			data, err := src.read(p, maxPDFBytes)
			if err != nil {
				fmt.Fprintf(os.Stderr, "einvoice: skip %s: %v\n", origin, err)
				st.unreadable++
				continue
			}
			sum := sha256.Sum256(data)
			if seen[sum] {
				st.duplicates++
				continue
			}
			seen[sum] = true
			it, err := layoutEInvoice(data, origin, dir, tmp, laid, &st)
			if err != nil {
				fmt.Fprintf(os.Stderr, "einvoice: skip %s: %v\n", origin, err)
				continue
			}
			if it != nil {
				items = append(items, *it)
			}
		}
	}
	assignSplits(items, laid.groups, readInDevelopment)
	st.print(len(items))
	return items, nil
}

// assignSplits puts every item in its seller group's split (groups maps
// an item's id to its group): where the group's hash says, or training
// when the group holds an item of trained (one development has read).
func assignSplits(items []dataset.Item, groups map[string]string, trained map[string]bool) {
	pinned := map[string]bool{}
	for _, it := range items {
		if trained[it.ID] {
			pinned[groups[it.ID]] = true
		}
	}
	for i := range items {
		g := groups[items[i].ID]
		items[i].Split = dataset.Split("einvoice", g)
		if pinned[g] {
			items[i].Split = dataset.Train
		}
	}
}

// readInDevelopment are the e-invoices that were in the training split
// before the split went by seller (2026-12-07), when it went by each
// item's id: the rules of internal/fields were developed reading them.
// Their sellers' groups stay in training, so that the validation split
// holds no invoice, and no letterhead, that development has read.
var readInDevelopment = map[string]bool{
	"103767-invoice-2026-03-24-1-fda0e394":                 true, // ZUGFeRD/mustangproject:validator/src/test/resources/103767-Invoice-2026-03-24-1.pdf
	"en16931-einfach-e8cdc203":                             true, // ZUGFeRD/mustangproject:library/src/test/resources/EN16931_Einfach.pdf
	"facture-f20180027-7e2da0c7":                           true, // ZUGFeRD/mustangproject:validator/src/test/resources/Facture_F20180027.pdf
	"invoice-en16931-7995c672":                             true, // akretion/factur-x:tests/fixtures/pdf/invoice_EN16931.pdf
	"mustangbeispiel20221026-5a92385e":                     true, // ZUGFeRD/mustangproject:library/src/test/resources/MustangBeispiel20221026.pdf
	"mustanggnuaccountingbeispielre-20170509-505-63c856cd": true, // ZUGFeRD/mustangproject:library/src/test/resources/MustangGnuaccountingBeispielRE-20170509_505.pdf
	"pdf-fx-extended-1-04553c2e":                           true, // horstoeko/zugferd:tests/assets/pdf_fx_extended_1.pdf
	"pdf-fx-minimum-1-5aea8185":                            true, // horstoeko/zugferd:tests/assets/pdf_fx_minimum_1.pdf
	"pdf-zf-en16931-3-144ed2e2":                            true, // horstoeko/zugferd:tests/assets/pdf_zf_en16931_3.pdf
	"pdf-zf-extended-1-99de7dd0":                           true, // horstoeko/zugferd:tests/assets/pdf_zf_extended_1.pdf
	"validv1withadditionaldata-31066b34":                   true, // ZUGFeRD/mustangproject:validator/src/test/resources/validV1WithAdditionalData.pdf
	"xmlinvalidv2pdf-cbc957a8":                             true, // ZUGFeRD/mustangproject:validator/src/test/resources/XMLinvalidV2PDF.pdf
	"ztestzugferd-1-invdss-012015738820pdf-1-45789b6c":     true, // ZUGFeRD/mustangproject:library/src/test/resources/ZTESTZUGFERD_1_INVDSS_012015738820PDF-1.pdf
}

type einvoiceStats struct {
	pdfs, unreadable, duplicates, noXML, badXML, withXML, sameInvoice, sellerFull, noVisible int
	inXML, visible                                                                           map[string]int
}

func (st *einvoiceStats) print(items int) {
	w := os.Stderr
	fmt.Fprintf(w, "einvoice: %d PDFs (%d unreadable, %d duplicate files), %d with an invoice XML (%d repeating an earlier invoice, %d of a seller with %d already), %d without, %d with a broken one; %d items (%d with no visible value)\n",
		st.pdfs, st.unreadable, st.duplicates, st.withXML, st.sameInvoice, st.sellerFull, maxPerSeller, st.noXML, st.badXML, items, st.noVisible)
	fmt.Fprintf(w, "einvoice: %-15s %8s %8s\n", "key", "in XML", "visible")
	for _, k := range einvoiceKeys {
		fmt.Fprintf(w, "einvoice: %-15s %8d %8d\n", k, st.inXML[k], st.visible[k])
	}
}

// laidOut is what einvoiceItems has laid out so far: the invoices (seller,
// number, date, total), how many items each seller group has, and each
// item's group.
type laidOut struct {
	invoices map[string]bool
	sellers  map[string]int
	groups   map[string]string // item id -> its seller group
}

// maxPerSeller bounds the items of one seller group (sellerGroup). The
// sample sets print dozens of invoices under one letterhead
// ("Lieferant GmbH": 23 of 92): without a bound one letterhead would
// make most of a split, and its figures would say how well that one
// layout is read.
const maxPerSeller = 3

// layoutEInvoice lays out one PDF: it returns nil, nil when the PDF holds
// no invoice, nothing of it is visible, or its seller has maxPerSeller
// items already.
func layoutEInvoice(data []byte, origin, dir, tmp string, laid *laidOut, st *einvoiceStats) (*dataset.Item, error) {
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	in := filepath.Join(tmp, "in.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		return nil, err
	}
	keys, err := attachmentKeys(ctx, in)
	if err != nil {
		st.unreadable++
		return nil, err
	}
	var atts []einvoice.Attachment
	for _, k := range keys {
		b, err := run(ctx, maxAttachmentBytes, "qpdf", "--show-attachment="+k, in)
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", k, err)
		}
		atts = append(atts, einvoice.Attachment{Name: k, Data: b})
	}
	inv, _, err := einvoice.FromAttachments(atts, maxAttachmentBytes)
	switch {
	case einvoice.IsNotInvoice(err):
		st.noXML++
		return nil, nil
	case err != nil:
		st.badXML++
		return nil, fmt.Errorf("invoice XML: %w", err)
	}
	st.withXML++
	// The same invoice in several PDFs (a sample rendered twice, a valid
	// and an invalid variant) would land in both splits: keep the first
	// laid out.
	same := strings.Join([]string{inv.Seller.Name, inv.ID, inv.IssueDate, inv.Totals.GrandTotal}, "\x00")
	if laid.invoices[same] {
		st.sameInvoice++
		return nil, nil
	}
	id := einvoiceID(origin)
	group := sellerGroup(inv, id)
	if laid.sellers[group] >= maxPerSeller {
		st.sellerFull++
		return nil, nil
	}

	file := filepath.Join(dir, id+".pdf")
	args := []string{in}
	for _, k := range keys {
		args = append(args, "--remove-attachment="+k)
	}
	if _, err := run(ctx, 1<<20, "qpdf", append(args, file)...); err != nil {
		return nil, fmt.Errorf("remove attachments: %w", err)
	}
	if left, err := attachmentKeys(ctx, file); err != nil || len(left) > 0 {
		os.Remove(file)
		return nil, fmt.Errorf("remove attachments: %d left (%v)", len(left), err)
	}
	txt, err := run(ctx, 64<<20, "pdftotext", "-layout", "-enc", "UTF-8", file, "-")
	if err != nil {
		os.Remove(file)
		return nil, fmt.Errorf("pdftotext: %w", err)
	}
	all := truthOf(inv)
	truth := visibleTruth(all, inv, string(txt))
	for k := range all {
		st.inXML[k]++
	}
	for k := range truth {
		st.visible[k]++
	}
	if len(truth) == 0 {
		st.noVisible++
		os.Remove(file)
		return nil, nil
	}
	laid.invoices[same] = true
	laid.sellers[group]++
	laid.groups[id] = group
	return &dataset.Item{
		Source: "einvoice",
		ID:     id,
		Kind:   dataset.KindInvoice,
		File:   "einvoice/" + id + ".pdf",
		Truth:  truth,
		Origin: origin,
	}, nil
}

// sellerGroup is what decides an e-invoice's split: its seller, so that
// one seller's invoices (the sample sets print many invoices under one
// letterhead) are all in one split and the validation figures never
// measure a letterhead seen in training. The seller's name is folded to
// its words in lower case without legal forms ("Lieferant GmbH & Co. KG"
// and "LIEFERANT GMBH" are one seller); an invoice without a seller name
// is a group of its own.
func sellerGroup(inv *einvoice.Invoice, id string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(inv.Seller.Name), func(r rune) bool { return !wordChar(r) }) {
		if !legalForms[w] {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return id
	}
	return "seller:" + strings.Join(words, " ")
}

// legalForms are words of company forms, left out of a seller's group.
var legalForms = map[string]bool{
	"gmbh": true, "ag": true, "kg": true, "co": true, "ohg": true, "ug": true, "mbh": true, "e": true, "v": true,
	"ltd": true, "inc": true, "llc": true, "plc": true, "sa": true, "sas": true, "sarl": true, "sàrl": true,
	"bv": true, "nv": true, "srl": true, "spa": true, "the": true,
}

// einvoiceID is a stable, file-name-safe id for the PDF at origin: its base
// name, folded, and a hash of the whole origin.
func einvoiceID(origin string) string {
	base := strings.TrimSuffix(filepath.Base(origin), filepath.Ext(origin))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 48 {
		name = strings.TrimRight(name[:48], "-")
	}
	h := fnv.New32a()
	h.Write([]byte(origin))
	if name == "" {
		return fmt.Sprintf("%08x", h.Sum32())
	}
	return fmt.Sprintf("%s-%08x", name, h.Sum32())
}

// attachmentKeys lists the keys of the PDF's embedded files (its
// EmbeddedFiles name tree), as qpdf --show-attachment and
// --remove-attachment take them.
func attachmentKeys(ctx context.Context, pdf string) ([]string, error) {
	b, err := run(ctx, 64<<20, "qpdf", "--json=2", "--json-key=attachments", pdf)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	var v struct {
		Attachments map[string]json.RawMessage `json:"attachments"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	keys := make([]string, 0, len(v.Attachments))
	for k := range v.Attachments {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// run runs a tool and returns its standard output, refusing more than max
// bytes of it. qpdf's exit status 3 (warnings, output written) counts as
// success.
func run(ctx context.Context, max int, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	out := &cappedBuffer{max: max}
	stderr := &cappedBuffer{max: 4096, quiet: true}
	cmd.Stdout = out
	cmd.Stderr = stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && name == "qpdf" && exit.ExitCode() == 3 {
		err = nil
	}
	if out.over {
		return nil, fmt.Errorf("%s: output over %d bytes", name, max)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.buf.String()))
	}
	return out.buf.Bytes(), nil
}

// cappedBuffer keeps at most max bytes. Past that it fails the writes,
// which stops the tool writing to it, or, when quiet, drops them.
type cappedBuffer struct {
	buf   bytes.Buffer
	max   int
	over  bool
	quiet bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		c.over = true
		if c.quiet {
			return len(p), nil
		}
		return 0, errors.New("output too large")
	}
	return c.buf.Write(p)
}

// truthOf maps the invoice to the truth keys, in the manifest's forms; a
// key the XML lacks is absent.
func truthOf(inv *einvoice.Invoice) map[string]string {
	t := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			t[k] = v
		}
	}
	set("invoice_number", inv.ID)
	set("date", inv.IssueDate)
	set("due_date", inv.DueDate)
	set("seller_name", inv.Seller.Name)
	set("seller_vat_id", inv.Seller.VATID)
	set("buyer_name", inv.Buyer.Name)
	set("currency", strings.ToUpper(inv.Currency))
	set("total", money(inv.Totals.GrandTotal))
	set("net", money(inv.Totals.TaxBasis))
	set("tax", money(inv.Totals.Tax))
	set("iban", strings.ToUpper(strings.Join(strings.Fields(inv.IBAN), "")))
	return t
}

// money rounds a decimal string to two decimals, halves away from zero;
// "" stays "".
func money(s string) string {
	if s == "" {
		return ""
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return ""
	}
	return r.FloatString(2)
}

// visibleTruth keeps the values of all that the page text shows. The
// seller's and buyer's names fall back to their trading names when the
// legal name is not printed.
func visibleTruth(all map[string]string, inv *einvoice.Invoice, text string) map[string]string {
	p := newPageText(text)
	out := map[string]string{}
	for k, v := range all {
		var ok bool
		switch k {
		case "date", "due_date":
			ok = p.hasDate(v)
		case "total", "net", "tax":
			ok = p.hasAmount(v)
		case "iban", "seller_vat_id":
			ok = p.hasCompact(v)
		case "currency":
			ok = p.hasCurrency(v)
		default:
			ok = p.hasText(v)
		}
		if ok {
			out[k] = v
		}
	}
	for k, trading := range map[string]string{"seller_name": inv.Seller.TradingName, "buyer_name": inv.Buyer.TradingName} {
		if _, ok := out[k]; !ok && trading != "" && p.hasText(trading) {
			out[k] = trading
		}
	}
	return out
}

// pageText is a page's text in the forms the visibility checks compare
// against: folded (lower case, one space for any run of white space) and
// compact (folded, without spaces).
type pageText struct {
	folded  string
	compact string
}

func newPageText(s string) pageText {
	f := fold(s)
	return pageText{folded: f, compact: strings.ReplaceAll(f, " ", "")}
}

func fold(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\u00a0' || r == '\u202f' || r == '\u2009' {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// hasText reports whether v appears in the text, folded, not as part of a
// longer word or number.
func (p pageText) hasText(v string) bool {
	v = fold(v)
	if v == "" {
		return false
	}
	return containsBounded(p.folded, v)
}

// hasCompact reports whether v appears in the text with all spaces removed
// from both (an IBAN printed in groups of four, a VAT id as "DE 123 456
// 789").
func (p pageText) hasCompact(v string) bool {
	v = strings.ReplaceAll(fold(v), " ", "")
	return v != "" && strings.Contains(p.compact, v)
}

// containsBounded reports whether v appears in text as whole words: no
// letter or digit right before or after it.
func containsBounded(text, v string) bool {
	return containsWhere(text, v, func(start, end int) bool {
		return !wordChar(lastRune(text[:start])) && !wordChar(firstRune(text[end:]))
	})
}

// containsWhere reports whether v appears in text at some text[start:end]
// that bounded accepts.
func containsWhere(text, v string, bounded func(start, end int) bool) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		start := i + j
		if bounded(start, start+len(v)) {
			return true
		}
		i = start + 1
	}
}

func wordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return ' '
}

func lastRune(s string) rune {
	if s == "" {
		return ' '
	}
	r := []rune(s[max(0, len(s)-4):])
	return r[len(r)-1]
}

var currencySymbols = map[string][]string{
	"EUR": {"€", "euro"}, "USD": {"$"}, "GBP": {"£"}, "JPY": {"¥"}, "CHF": {"fr."}, "SEK": {"kr"}, "DKK": {"kr"}, "NOK": {"kr"}, "PLN": {"zł"},
}

// hasCurrency reports whether the ISO code or the currency's symbol is
// printed.
func (p pageText) hasCurrency(code string) bool {
	if p.hasText(code) {
		return true
	}
	for _, s := range currencySymbols[code] {
		if strings.Contains(p.folded, s) {
			return true
		}
	}
	return false
}

// hasAmount reports whether the amount v ("1234.56", two decimals) is
// printed in one of the usual forms: 1234.56, 1234,56, 1,234.56,
// 1.234,56, 1 234,56, 1'234.56, with or without its sign.
func (p pageText) hasAmount(v string) bool {
	v = strings.TrimPrefix(v, "-")
	intPart, frac, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	var forms []string
	for _, dec := range []string{".", ","} {
		forms = append(forms, intPart+dec+frac)
		if len(intPart) > 3 {
			for _, sep := range []string{".", ",", " ", "'"} {
				if sep == dec {
					continue
				}
				forms = append(forms, group(intPart, sep)+dec+frac)
			}
		}
	}
	for _, f := range forms {
		if containsNumber(p.folded, f) {
			return true
		}
	}
	return false
}

// group writes the digits in groups of three from the right.
func group(digits, sep string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// containsNumber reports whether the number n appears in text not as part
// of a longer number: no digit right before or after it, nor a separator
// followed by a digit after it ("104,90" is not in "104,905").
func containsNumber(text, n string) bool {
	return containsWhere(text, n, func(start, end int) bool {
		before := lastRune(text[:start])
		after := text[end:]
		okBefore := !unicode.IsDigit(before) && !(strings.ContainsRune(".,", before) && unicode.IsDigit(lastRune(text[:max(0, start-1)])))
		okAfter := !unicode.IsDigit(firstRune(after)) && !(len(after) > 1 && strings.ContainsRune(".,", rune(after[0])) && unicode.IsDigit(firstRune(after[1:])))
		return okBefore && okAfter
	})
}

var monthNames = [12][]string{
	{"januar", "january", "janvier", "jan", "janv", "jän", "jänner"},
	{"februar", "february", "février", "feb", "févr", "fevrier"},
	{"märz", "march", "mars", "mar", "mär", "maerz"},
	{"april", "avril", "apr", "avr"},
	{"mai", "may"},
	{"juni", "june", "juin", "jun"},
	{"juli", "july", "juillet", "jul", "juil"},
	{"august", "août", "aug", "aout"},
	{"september", "septembre", "sep", "sept"},
	{"oktober", "october", "octobre", "okt", "oct"},
	{"november", "novembre", "nov"},
	{"dezember", "december", "décembre", "dez", "dec", "déc", "decembre"},
}

// hasDate reports whether the date v (YYYY-MM-DD) is printed as
// dd.mm.yyyy, d.m.yyyy, dd/mm/yyyy, dd-mm-yyyy, mm/dd/yyyy, yyyy-mm-dd,
// dd.mm.yy, or with the month's name in German, English or French
// ("6. Dezember 2026", "6 December 2026", "December 6, 2026", "06 déc.
// 2026").
func (p pageText) hasDate(v string) bool {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return false
	}
	y, m, d := t.Year(), int(t.Month()), t.Day()
	yyyy, yy := strconv.Itoa(y), fmt.Sprintf("%02d", y%100)
	var forms []string
	for _, dd := range []string{fmt.Sprintf("%02d", d), strconv.Itoa(d)} {
		for _, mm := range []string{fmt.Sprintf("%02d", m), strconv.Itoa(m)} {
			for _, sep := range []string{".", "/", "-"} {
				forms = append(forms, dd+sep+mm+sep+yyyy, dd+sep+mm+sep+yy, mm+sep+dd+sep+yyyy)
			}
		}
	}
	forms = append(forms, v, yyyy+"/"+fmt.Sprintf("%02d/%02d", m, d), yyyy+fmt.Sprintf("%02d%02d", m, d))
	for _, f := range forms {
		if containsNumber(p.folded, f) {
			return true
		}
	}
	day := `0?` + strconv.Itoa(d)
	for _, name := range monthNames[m-1] {
		n := regexp.QuoteMeta(name)
		re := `(?:^|[^\p{L}\d])(?:` + day + `\.?\s*` + n + `\.?,?\s*` + yyyy + `|` + n + `\.?\s*` + day + `(?:st|nd|rd|th)?,?\s*` + yyyy + `)(?:$|[^\d])`
		if regexp.MustCompile(re).MatchString(p.folded) {
			return true
		}
	}
	return false
}

// repoSource reads the PDFs of one repository.
type repoSource struct {
	dataset.Tree
	name string // owner/name, for origins
}

// openRepo opens dir as a bare git directory when it holds objects/ and
// HEAD, as a checkout otherwise (dataset.OpenTree). Its name is
// owner/name: from a mirror's OWNER+NAME/repo layout, the origin remote's
// URL, or the directory's name.
func openRepo(dir string) (*repoSource, error) {
	t, err := dataset.OpenTree(dir)
	if err != nil {
		return nil, err
	}
	src := &repoSource{Tree: t, name: repoName(dir)}
	if strings.EqualFold(src.name, "ZUGFeRD/corpus") || strings.Contains(strings.ToLower(dir), "zugferd+corpus") {
		return nil, fmt.Errorf("%s is ZUGFeRD/corpus, reserved for independent checks", dir)
	}
	return src, nil
}

func repoName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	base := filepath.Base(abs)
	if base == "repo" || base == ".git" {
		if parent := filepath.Base(filepath.Dir(abs)); strings.Contains(parent, "+") {
			return strings.Replace(parent, "+", "/", 1)
		}
	}
	if b, err := exec.Command("git", "-C", abs, "config", "--get", "remote.origin.url").Output(); err == nil {
		u := strings.TrimSuffix(strings.TrimSpace(string(b)), ".git")
		u = strings.ReplaceAll(u, ":", "/")
		if parts := strings.Split(u, "/"); len(parts) >= 2 && parts[len(parts)-2] != "" {
			return parts[len(parts)-2] + "/" + parts[len(parts)-1]
		}
	}
	return strings.TrimSuffix(base, ".git")
}

// pdfs lists the repository's files named *.pdf (any case), sorted.
func (s *repoSource) pdfs() ([]string, error) {
	var out []string
	if s.Bare() {
		b, err := exec.Command("git", "--git-dir="+s.Dir(), "ls-tree", "-r", "-z", "--name-only", "HEAD").Output()
		if err != nil {
			return nil, fmt.Errorf("git ls-tree: %w", err)
		}
		for _, p := range strings.Split(string(b), "\x00") {
			if strings.EqualFold(filepath.Ext(p), ".pdf") {
				out = append(out, p)
			}
		}
	} else {
		err := filepath.WalkDir(s.Dir(), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".pdf") {
				rel, err := filepath.Rel(s.Dir(), p)
				if err != nil {
					return err
				}
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// read returns the file at path p, refusing one over max bytes.
func (s *repoSource) read(p string, max int) ([]byte, error) {
	if !s.Bare() {
		f := filepath.Join(s.Dir(), filepath.FromSlash(p))
		fi, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		if fi.Size() > int64(max) {
			return nil, fmt.Errorf("%d bytes, over %d", fi.Size(), max)
		}
		return os.ReadFile(f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	size, err := run(ctx, 64, "git", "--git-dir="+s.Dir(), "cat-file", "-s", "HEAD:"+p)
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(size)), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("git cat-file -s: %w", err)
	}
	if n > int64(max) {
		return nil, fmt.Errorf("%d bytes, over %d (a Git LFS pointer or a large file)", n, max)
	}
	return run(ctx, max, "git", "--git-dir="+s.Dir(), "cat-file", "blob", "HEAD:"+p)
}
