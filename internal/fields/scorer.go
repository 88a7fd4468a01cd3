package fields

import (
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// The learned scorer. The matcher (fields.go) finds candidates for a field
// by its labels, and for the fields that documents often print without one
// (a receipt's total, its store's name, its date) also every value of the
// type on the page. Each candidate is described by features: the factors
// of the hand score, where it stands on the page, how often its value
// appears, the words on its line (TOTAL, CASH, CHANGE, ROUNDING, ...), how
// it compares with the other amounts, and for a name its shape. For the
// kinds of values that have a model (scorerModels, in scorer_model.go), a
// choice model fitted on the training split of real labelled documents
// turns the candidates' features into the probability that each is the
// field's value (or that none is): a linear score (scorerModels) plus
// boosted trees (scorerTrees) for what a linear score cannot weigh, the
// largest amount but not on a line of cash, say. The value with the most
// probable candidates wins, and its probability, on the model's
// calibration curve, is the reading's confidence. Kinds without a model
// keep the hand score and the calibration table.
//
// The models are fitted by `go run ./bench/train` (see bench/train); a
// test fails when scorer_model.go is not what the committed features
// produce.

// Features of a candidate. Append only at the end and bump
// FeatureVersion when their meaning changes.
const (
	fBias        = iota
	fHand        // log of the hand score
	fLabelled    // found at a label of the field
	fLabLog      // log of the label's score
	fPlaceLog    // log of the placement factor
	fFitLog      // log of the type fit
	fFallback    // found by a fallback
	fFree        // any value of the type on the page
	fOtherParty  // the label names another party
	fTopRank     // lines from the top of its page, /10, at most 1
	fBottomRank  // lines from the bottom of its page, /10, at most 1
	fRelLine     // position among its page's lines, 0 top to 1 bottom
	fFirstPage   // on the first page
	fLastPage    // on the last page
	fSupport     // log(1 + other candidates with the same value)
	fMaxAmount   // the largest amount of the document
	fAmountRank  // rank among the document's distinct amounts, 0 largest, 1 smallest
	fLineTotal   // its line carries a total's label
	fLineSub     // ... a subtotal's
	fLineTax     // ... a tax's
	fLineCash    // ... cash, card, paid, tendered
	fLineChange  // ... change
	fLineRound   // ... rounding
	fLineDisc    // ... discount
	fLineQty     // ... quantity, items
	fCashBelow   // cash or change within the next three lines
	fSameAbove   // the same amount stands on an earlier line
	fLegal       // a name ended by a legal form
	fCaps        // share of capitals among its letters
	fDigits      // share of digits among its characters
	fWords       // words, /6, at most 1
	fNameModel   // the seller-name model's probability (party.go)
	fOtherDate   // a date labelled as another date (due, order, delivery)
	fFirstDate   // the first date of the document
	fLineAmounts // amounts on its line, /4, at most 1
	fAboveTotal  // one of the two lines above carries a total's label and no amount
	fLastTotal   // the last line that carries a total's label and an amount
	fRoundAbove  // one of the two lines above carries a rounding
	fCurrency    // a currency stands with the amount
	fOCRConf     // the lowest OCR confidence of the words of its line that hold digits or its value (1 for text)
	fLetterHead  // an identifier that starts with two letters then digits (a VAT number's country, "INV-")
	fSecondSame  // its page's second reading read the same value (second.go)
	fSecondOnly  // only the second reading read it
	fSecondNone  // its page has no second reading (text, or OCR read once)
	fCashChange  // an amount paid less the change given on the page equals it
	fPlace       // a name holding a word of an address (street, town, region) or a postcode
	fPhrase      // a name holding a receipt's phrase or a label's word (thank you, tel, reg no)
	fFarYear     // a date more than a year after today (an OCR misread of its year)
	fOverPaid    // an amount above every amount paid in cash that got change back
	fContact     // a name that the document's web or e-mail address holds (contact.go)
	numFeatures

	// NumFeatures is the length of a feature vector.
	NumFeatures = numFeatures
)

// FeatureVersion names the feature set above; the training data and the
// models carry it.
const FeatureVersion = 11

// minFree is the least confidence of a value found without a label for it
// to count as found.
const minFree = 0.2

// Word lists for the line features. Folded, any language.
var (
	cashWords   = wordSet("cash tunai bar bargeld especes efectivo contanti contant gotowka tendered tender paid payment received bayaran visa mastercard master card credit debit kredit carte tarjeta eftpos")
	changeWords = wordSet("change baki kembali ruckgeld wechselgeld rendu monnaie cambio vuelto resto wisselgeld reszta")
	roundWords  = wordSet("rounding round rounded adj adjustment pembundaran pembulatan arrondi rundung redondeo arrotondamento")
	discWords   = wordSet("discount disc rabatt remise descuento sconto korting rabat nachlass savings")
	qtyWords    = wordSet("qty quantity menge qte cantidad quantita aantal ilosc pcs items item units")
)

func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// modelKey names the model that ranks s's candidates: its kind of value
// and the concept it stands for ("amount:total", "name:seller"), as a
// total and a subtotal, or a seller and a buyer, are told apart by the
// same features weighed the other way round.
func modelKey(s *spec) string {
	k := calKind(s)
	if s.con != nil {
		k += ":" + s.con.name
	}
	return k
}

// modelsSuffix marks the models of documents read by the OCR models
// (extract's paddle.go): their misreadings, confidences and word spacing
// differ from Tesseract's, and so do the features of their candidates,
// so they get models and curves of their own ("amount:total@models"),
// fitted on their readings. A kind without such a model falls back on
// the plain one.
const modelsSuffix = "@models"

// kindOf returns the model that ranks s's candidates on this document:
// the models' own (modelsSuffix) for a document they read, when the
// scorer has it or in training; the plain one otherwise.
func (x *extractor) kindOf(s *spec) string {
	k := modelKey(s)
	if !x.byModels {
		return k
	}
	if x.training || x.scorer.has(k+modelsSuffix) {
		return k + modelsSuffix
	}
	return k
}

// has reports whether sc has weights for model.
func (sc *Scorer) has(model string) bool {
	_, ok := sc.weights[model]
	return ok
}

// Scorer is a learned scorer: per model (modelKey), the weights and the
// trees of the choice model that ranks candidates, and the monotone curve that
// turns the winner's probability into the confidence, fitted on what the
// models chose on real training documents they were not fitted on (the
// model alone is too sure of its winners on noisy OCR).
type Scorer struct {
	weights map[string][numFeatures]float64
	trees   map[string][]boostTree
	curves  map[string][]calPoint
}

// committedScorer is the scorer of scorer_model.go.
var committedScorer = &Scorer{weights: scorerModels, trees: scorerTrees, curves: scorerCurves}

// model returns the weights that rank the candidates of kind, or nil.
func (x *extractor) model(kind string) *[numFeatures]float64 {
	if w, ok := x.scorer.weights[kind]; ok {
		return &w
	}
	return nil
}

// Calibrated returns the confidence of a winner of model with
// probability p: p on model's curve, or p itself without one.
func (sc *Scorer) Calibrated(model string, p float64) float64 { return sc.calibrated(model, p) }

// curveOf returns the curve that calibrates the winners of model on this
// document: the OCR models' own for a document they read (CurveKeysFor),
// when the scorer has it; model's otherwise.
func (x *extractor) curveOf(model string) string {
	if x.byModels && !strings.HasSuffix(model, modelsSuffix) && x.scorer.HasCurve(model+modelsSuffix) {
		return model + modelsSuffix
	}
	return model
}

func (sc *Scorer) calibrated(model string, p float64) float64 {
	if pts := sc.curves[model]; len(pts) > 0 {
		return min(max(curveAt(pts, p), 0), 1)
	}
	return min(max(p, 0), 1)
}

// freeKind reports whether s is a field whose values documents often
// print without a label, so that every value of its type on the page is a
// candidate: the total, the document's date, the seller's name.
func freeKind(s *spec) bool {
	if s.con == nil {
		return false
	}
	switch {
	case s.f.Type == docparse.TypeNumber && s.con.name == "total":
		return true
	case (s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime) && s.con.issueDate:
		return true
	case s.kind == kindName && s.con.name == "seller":
		return true
	}
	return false
}

// free offers every value of s's type on the page as a candidate.
func (x *extractor) free(s *spec, p *picker) {
	switch {
	case s.f.Type == docparse.TypeNumber, s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime:
		x.typed(s, x.lay.lines, p.offer)
		x.secondOnly(s, p)
	case s.kind == kindName:
		cands := x.sellerCandidates()
		probs := nameProbabilities(cands, sellerWeights)
		for i, nc := range cands {
			cd := unlabelled(nc.value, 0.2*probs[i], nc.fit, srcFree, nc.ln)
			cd.nameProb = probs[i]
			p.offer(cd, nc.ln)
		}
		x.secondNames(cands, probs, p)
	}
}

// paidLessChange returns every amount on a line of cash or card paid
// less every smaller amount on a line of change, in both readings: a
// receipt's total is what was paid less the change.
//
// paidMax is the largest amount paid that got change back, in either
// reading: what a receipt's total cannot exceed (0 when none).
func (x *extractor) paidLessChange() (out []float64, paidMax float64) {
	var paid, change []float64
	collect := func(lay *layout) {
		for _, ln := range lay.lines {
			var f [numFeatures]float64
			x.lineWords(ln, &f)
			if f[fLineCash] == 0 && f[fLineChange] == 0 {
				continue
			}
			for _, c := range ln.cells {
				for _, am := range cellAmounts(c) {
					if f[fLineChange] == 1 {
						change = append(change, am.v)
					} else {
						paid = append(paid, am.v)
					}
				}
			}
		}
	}
	collect(x.lay)
	if sr := x.secondOf(); sr != nil {
		collect(sr.lay)
	}
	for _, p := range paid {
		for _, c := range change {
			if c < p {
				out = append(out, p-c)
				paidMax = max(paidMax, p)
			}
		}
	}
	return out, paidMax
}

// Words of names that are no party's name: an address's (streets, towns,
// regions, most of them Malaysian on receipts, and the common street
// words of the engine's languages), and a receipt's phrases and labels.
var (
	streetWords = wordSet("jalan jln lorong persiaran taman tmn kampung kg bandar batu lebuh lebuhraya seksyen section kawasan perindustrian industrial selangor johor kedah perak pahang kelantan terengganu melaka malacca sabah sarawak perlis negeri sembilan penang pinang kuala lumpur putrajaya labuan darul ehsan takzim aman makmur naim ridzuan khusus bahru shah alam petaling klang cheras ampang puchong kajang subang nilai seremban ipoh road rd street st avenue ave lane boulevard blvd floor level unit suite building plaza strasse str weg platz gasse allee rue avenue boulevard chemin calle avenida plaza via viale piazza corso straat laan plein ulica aleja")
	phraseWords = wordSet("thank thanks terima kasih welcome please again visit come tel telephone phone fax email website reg no gst sst tax invoice receipt resit bill cashier counter table pax member date time tarikh masa goods sold returnable refundable exchange exchangeable allowed within entitled refund transaction adjustment note " +
		// a letter's closing and a table's headings are never a name (folded)
		"regards sincerely cordialement salutations grusse grussen freundliche freundlichen hochachtungsvoll saludos atentamente cordiali distinti groeten pozdrawiam " +
		"description beschreibung bezeichnung designation descripcion descrizione omschrijving positions")
)

// nameWords reports whether name holds a word of an address (or a
// postcode: five digits) and whether it holds a phrase's or a label's
// word.
func nameWords(name string) (place, phrase float64) {
	for _, t := range tokenize(name) {
		switch {
		case streetWords[t.norm]:
			place = 1
		case phraseWords[t.norm]:
			phrase = 1
		case !t.alpha && len(t.norm) == 5:
			place = 1
		}
	}
	return place, phrase
}

// typed offers every amount (for a number field) or date (for a date
// field) of lines as a free candidate, the amounts of a subtotal's or a
// tax's line apart.
func (x *extractor) typed(s *spec, lines []*line, offer func(candidate, *line)) {
	switch {
	case s.f.Type == docparse.TypeNumber:
		for _, ln := range lines {
			if otherSum(x, ln) {
				continue
			}
			for _, c := range ln.cells {
				for _, am := range cellAmounts(c) {
					cd := unlabelled(am.v, 0.2, 1, srcFree, ln)
					cd.currency = am.currency
					offer(cd, ln)
				}
			}
		}
	case s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime:
		for _, ln := range lines {
			found := false
			for _, c := range ln.cells {
				m, ok := findDate(c.text, x.order)
				if !ok {
					continue
				}
				if v, fit, ok := x.fit(s, c.text[byteOffset(c.text, m.start):], false, false); ok {
					offer(unlabelled(v, 0.2*fit, fit, srcFree, ln), ln)
					found = true
				}
			}
			// OCR may set the parts of a date printed in spaced letters
			// far apart, in cells of their own ("15" "Jun" "18").
			if text := ln.text(); !found && len(ln.cells) > 1 {
				if m, ok := findDate(text, x.order); ok {
					if v, fit, ok := x.fit(s, text[byteOffset(text, m.start):], false, false); ok {
						offer(unlabelled(v, 0.2*fit, fit, srcFree, ln), ln)
					}
				}
			}
		}
	}
}

// docStats are the facts about the whole document that features compare a
// candidate with.
type docStats struct {
	amounts []float64 // distinct amounts with two decimals or a currency, largest first
	// paidLess: every amount paid (a cash or card line's) less every
	// change given, where the change is smaller, in either reading.
	paidLess  []float64
	paidMax   float64 // the largest amount paid that got change back, 0 when none
	firstDate int     // line of the first date, -1 when none
	lastTotal int     // the last line with a total's label and an amount, -1 when none
	pageFirst []int   // index of each page's first line
	pageLast  []int   // index of each page's last line
	pages     int
	contacts  []string // the names in the document's web and e-mail addresses
}

func (x *extractor) stats() *docStats {
	if x.docStats != nil {
		return x.docStats
	}
	st := &docStats{firstDate: -1, lastTotal: -1}
	seen := map[float64]bool{}
	for _, ln := range x.lay.lines {
		for ln.page >= len(st.pageFirst) {
			st.pageFirst = append(st.pageFirst, ln.index)
			st.pageLast = append(st.pageLast, ln.index)
		}
		st.pageLast[ln.page] = ln.index
		for _, c := range ln.cells {
			for _, am := range cellAmounts(c) {
				if !seen[am.v] {
					seen[am.v] = true
					st.amounts = append(st.amounts, am.v)
				}
			}
			if st.firstDate < 0 {
				if _, ok := findDate(c.text, x.order); ok {
					st.firstDate = ln.index
				}
			}
		}
	}
	for _, ln := range x.lay.lines {
		var f [numFeatures]float64
		x.lineWords(ln, &f)
		if f[fLineTotal] == 1 && f[fLineAmounts] > 0 {
			st.lastTotal = ln.index
		}
	}
	st.paidLess, st.paidMax = x.paidLessChange()
	st.pages = len(st.pageFirst)
	st.contacts = x.contactNames()
	sortDesc(st.amounts)
	x.docStats = st
	return st
}

func sortDesc(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] > v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// features describes candidate cd of s among all, the field's candidates.
func (x *extractor) features(s *spec, cd candidate, all []candidate) [numFeatures]float64 {
	var f [numFeatures]float64
	st := x.stats()
	logOf := func(v float64) float64 { return math.Log(max(v, 1e-3)) }
	f[fBias] = 1
	f[fHand] = logOf(cd.score)
	f[fFitLog] = logOf(cd.fit)
	switch cd.src {
	case srcLabel:
		f[fLabelled] = 1
		f[fLabLog] = logOf(cd.lab)
		f[fPlaceLog] = logOf(cd.place)
		f[fOtherParty] = b2f(cd.party < 1)
	case srcFallback:
		f[fFallback] = 1
	case srcFree:
		f[fFree] = 1
	}
	ln := cd.ln
	f[fOCRConf] = 1
	switch {
	case cd.secondLn != nil:
		f[fOCRConf] = valueConf(cd.secondLn, cd.value)
	case ln != nil:
		f[fOCRConf] = valueConf(ln, cd.value)
	}
	x.secondFeatures(s, cd, &f)
	if ln != nil && ln.page < st.pages {
		first, last := st.pageFirst[ln.page], st.pageLast[ln.page]
		f[fTopRank] = min(float64(ln.index-first)/10, 1)
		f[fBottomRank] = min(float64(last-ln.index)/10, 1)
		if last > first {
			f[fRelLine] = float64(ln.index-first) / float64(last-first)
		}
		f[fFirstPage] = b2f(ln.page == 0)
		f[fLastPage] = b2f(ln.page == st.pages-1)
	}
	n := 0
	for _, o := range all {
		if o.line != cd.line && valueKey(o.value) == valueKey(cd.value) {
			n++
		}
	}
	if _, isName := cd.value.(string); !isName || s.kind != kindName {
		// A name printed twice is as likely an address's country or
		// town as the party's name: support is for values.
		f[fSupport] = math.Log1p(float64(n))
	}
	switch v := cd.value.(type) {
	case float64:
		for _, d := range st.paidLess {
			if v > 0 && math.Abs(v-d) < amountTol {
				f[fCashChange] = 1
			}
		}
		f[fOverPaid] = b2f(st.paidMax > 0 && v > st.paidMax+amountTol)
		if len(st.amounts) > 0 {
			f[fMaxAmount] = b2f(math.Abs(v-st.amounts[0]) < amountTol)
			rank := len(st.amounts) - 1
			for i, a := range st.amounts {
				if math.Abs(v-a) < amountTol {
					rank = i
					break
				}
			}
			if len(st.amounts) > 1 {
				f[fAmountRank] = float64(rank) / float64(len(st.amounts)-1)
			}
		}
		if ln != nil {
			x.lineWords(ln, &f)
			for _, nl := range x.lay.below(ln, 3) {
				for _, c := range nl.cells {
					for _, t := range c.toks {
						if cashWords[t.norm] || changeWords[t.norm] {
							f[fCashBelow] = 1
						}
					}
				}
			}
			for _, o := range all {
				if o.line < cd.line && valueKey(o.value) == valueKey(cd.value) {
					f[fSameAbove] = 1
				}
			}
			for _, up := range x.lay.above(ln, 2) {
				var uf [numFeatures]float64
				x.lineWords(up, &uf)
				if uf[fLineTotal] == 1 && uf[fLineAmounts] == 0 {
					f[fAboveTotal] = 1
				}
				f[fRoundAbove] = max(f[fRoundAbove], uf[fLineRound])
			}
			f[fLastTotal] = b2f(ln.index == st.lastTotal)
			f[fCurrency] = b2f(cd.currency)
		}
	case string:
		if s.kind == kindName {
			letters, caps, digits, chars := 0, 0, 0, 0
			for _, r := range v {
				chars++
				switch {
				case r >= '0' && r <= '9':
					digits++
				case strings.ToUpper(string(r)) != strings.ToLower(string(r)):
					letters++
					if strings.ToUpper(string(r)) == string(r) {
						caps++
					}
				}
			}
			if letters > 0 {
				f[fCaps] = float64(caps) / float64(letters)
			}
			if chars > 0 {
				f[fDigits] = float64(digits) / float64(chars)
			}
			f[fWords] = min(float64(len(strings.Fields(v)))/6, 1)
			f[fLegal] = b2f(cd.fit >= 1)
			f[fNameModel] = cd.nameProb
			f[fPlace], f[fPhrase] = nameWords(v)
			f[fContact] = b2f(namedByContact(v, st.contacts))
		}
		if s.kind == kindIdent {
			t := strings.ReplaceAll(v, " ", "")
			f[fLetterHead] = b2f(len(t) > 2 && unicode.IsLetter(rune(t[0])) && unicode.IsLetter(rune(t[1])) && strings.IndexFunc(t, unicode.IsDigit) >= 2)
		}
		if s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime {
			if ln != nil {
				for _, c := range ln.cells {
					f[fOtherDate] = max(f[fOtherDate], b2f(otherDateLabel(c)))
				}
				f[fFirstDate] = b2f(ln.index == st.firstDate)
				if t, err := time.Parse("2006-01-02", v[:min(len(v), 10)]); err == nil {
					f[fFarYear] = b2f(t.After(time.Now().AddDate(1, 0, 0)))
				}
			}
		}
	}
	return f
}

// lineWords sets the features of the words on an amount's line.
func (x *extractor) lineWords(ln *line, f *[numFeatures]float64) {
	amounts := 0
	for _, c := range ln.cells {
		for _, cl := range c.claims {
			switch cl.c.name {
			case "total":
				f[fLineTotal] = 1
			case "subtotal":
				f[fLineSub] = 1
			case "tax":
				f[fLineTax] = 1
			}
		}
		for _, t := range c.toks {
			switch {
			case cashWords[t.norm]:
				f[fLineCash] = 1
			case changeWords[t.norm]:
				f[fLineChange] = 1
			case roundWords[t.norm]:
				f[fLineRound] = 1
			case discWords[t.norm]:
				f[fLineDisc] = 1
			case qtyWords[t.norm]:
				f[fLineQty] = 1
			}
		}
		amounts += len(cellAmounts(c))
	}
	f[fLineAmounts] = min(float64(amounts)/4, 1)
}

// valueKey is a value as a comparable string.
func valueKey(v any) string {
	switch v := v.(type) {
	case float64:
		return formatFloat(math.Round(v*100) / 100)
	case string:
		return strings.ToLower(strings.Join(strings.Fields(v), " "))
	}
	return ""
}

// Candidates is what the scorer saw of one field of one document, for
// training: every candidate's value and features.
type Candidates struct {
	Path   string // "total", "seller.name"
	Kind   string // the model's name (modelKey): "amount:total", "name:seller"
	Values []any
	// Features are the candidates' features, in the order of Values.
	Features [][numFeatures]float64
}

// TrainingCandidates extracts doc with schema as Extract does, with the
// hand scores, and returns the candidates of every scalar field that the
// learned scorer ranks (or would rank, had it a model).
func TrainingCandidates(doc *extract.Document, schema []docparse.Field, opts Options) []Candidates {
	lay := newLayout(doc)
	order, shown := documentDateOrderEvidence(lay, opts.Language)
	x := &extractor{lay: lay, doc: doc, order: order, orderShown: shown, training: true, scorer: &Scorer{}, byModels: doc.ReadByModels()}
	x.object(schema, nil, "")
	return x.samples
}

// rank rescores p's candidates with the learned scorer when s's kind has
// a model, adding every value of the type on the page first for the
// fields that are often unlabelled; in training it records them instead.
// It reports whether the scores are now the model's probabilities.
func (x *extractor) rank(s *spec, p *picker, path string) bool {
	kind := x.kindOf(s)
	w := x.model(kind)
	if w == nil && !x.training {
		return false
	}
	if freeKind(s) {
		x.free(s, p)
	}
	p.all = onePerLine(p.all)
	if len(p.all) == 0 {
		return false
	}
	feats := make([][numFeatures]float64, len(p.all))
	for i, cd := range p.all {
		feats[i] = x.features(s, cd, p.all)
	}
	if x.training {
		c := Candidates{Path: path, Kind: kind, Features: feats}
		for _, cd := range p.all {
			c.Values = append(c.Values, cd.value)
		}
		x.samples = append(x.samples, c)
		return false
	}
	// Each candidate's probability under the choice model (fitChoice),
	// then each value's: the sum over the candidates that read it, or for
	// a date its likeliest candidate's (a service period printed on
	// every item line must not outweigh the labelled date).
	probs := make([]float64, len(feats))
	for i := range feats {
		probs[i] = x.scorer.score(kind, w, &feats[i])
	}
	choiceOf(probs)
	byValue := map[string]float64{}
	for i, cd := range p.all {
		k := valueKey(cd.value)
		if s.f.Type == docparse.TypeDate || s.f.Type == docparse.TypeDateTime {
			byValue[k] = max(byValue[k], probs[i])
		} else {
			byValue[k] += probs[i]
		}
	}
	p.found = false
	for i := range p.all {
		p.all[i].score = min(byValue[valueKey(p.all[i].value)], 1)
		if !p.found || p.all[i].score > p.best.score+eps {
			p.best, p.found = p.all[i], true
		}
	}
	return true
}

// onePerLine keeps, of the candidates that read the same value on the
// same line, the one with the best hand score: a value offered at its
// label and again as any value of its type is one reading, and must not
// count twice when the value's probability sums its candidates'.
func onePerLine(all []candidate) []candidate {
	type onLine struct {
		value  string
		line   int
		second *line
	}
	at := map[onLine]int{}
	out := all[:0:0]
	for _, cd := range all {
		k := onLine{valueKey(cd.value), cd.line, cd.secondLn}
		if i, ok := at[k]; ok {
			if cd.score > out[i].score {
				out[i] = cd
			}
			continue
		}
		at[k] = len(out)
		out = append(out, cd)
	}
	return out
}

// hasCurrency reports whether an amount's word carries a currency sign or
// code ("$8.20", "RM4.00").
func hasCurrency(w string) bool {
	g, sym := stripCurrency(w)
	return sym || len(g) < len(w) && !strings.ContainsAny(w[:1], "0123456789-+")
}

// above returns up to n lines above ln on its page, nearest first.
func (lay *layout) above(ln *line, n int) []*line {
	var out []*line
	for i := ln.index - 1; i >= 0 && len(out) < n; i-- {
		if lay.lines[i].page != ln.page {
			break
		}
		out = append(out, lay.lines[i])
	}
	return out
}

// valueConf is the lowest OCR confidence among the words of ln that the
// value's text could come from: for a number or a date, the words with
// digits; for text, the words that are part of it. 1 when none.
func valueConf(ln *line, v any) float64 {
	conf := 1.0
	text, isText := v.(string)
	digits := !isText || strings.IndexFunc(text, unicode.IsDigit) >= 0 && len(text) <= 12
	low := strings.ToLower(text)
	for _, c := range ln.cells {
		for _, w := range c.words {
			switch {
			case digits && strings.IndexFunc(w.text, unicode.IsDigit) >= 0:
			case !digits && strings.Contains(low, strings.ToLower(w.text)):
			default:
				continue
			}
			if w.conf > 0 {
				conf = min(conf, w.conf)
			}
		}
	}
	return conf
}

// amountWord is an amount found among a cell's words.
type amountWord struct {
	v        float64
	currency bool
}

// cellAmounts returns the amounts written as such in c (two decimals or a
// currency; not quantities, codes or rates): each word, or a word and the
// groups of digits before it ("1 234,56"), read as one amount.
func cellAmounts(c *cell) []amountWord {
	var out []amountWord
	for wi := 0; wi < len(c.words); wi++ {
		if wi+1 < len(c.words) && strings.HasPrefix(c.words[wi+1].text, "%") {
			continue
		}
		// A word of one to three digits followed by more digits is a
		// thousands group: the amount starts there.
		start, end := wi, wi
		for end+1 < len(c.words) && isDigitGroup(c.words[end].text) && startsWithDigit(c.words[end+1].text) {
			end++
		}
		parts := make([]string, 0, end-start+1)
		for k := start; k <= end; k++ {
			parts = append(parts, c.words[k].text)
		}
		v, _, fit, ok := parseAmount(strings.Join(parts, " "), false)
		if ok && fit >= 1 {
			cur := hasCurrency(c.words[end].text) || hasCurrency(c.words[start].text) || start > 0 && currencyWords[strings.ToLower(strings.Trim(c.words[start-1].text, ".:"))]
			out = append(out, amountWord{v, cur})
		}
		wi = end
	}
	return out
}

func isDigitGroup(w string) bool {
	if len(w) == 0 || len(w) > 3 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

func startsWithDigit(w string) bool { return len(w) > 0 && isDigit(w[0]) }

// otherSum reports whether ln is labelled as a subtotal or a tax and not
// as a total ("Total HT", "Subtotal", "VAT 20%"): its amounts are no
// candidates of the total.
func otherSum(x *extractor, ln *line) bool {
	other, total := false, false
	for _, c := range ln.cells {
		for _, cl := range c.claims {
			switch cl.c.name {
			case "subtotal", "tax":
				other = true
			case "total":
				// "Total" inside "Total HT" is the subtotal's.
				inside := false
				for _, o := range c.claims {
					if (o.c.name == "subtotal" || o.c.name == "tax") && o.start <= cl.start && o.end >= cl.end && o.end-o.start > cl.end-cl.start {
						inside = true
					}
				}
				total = total || !inside
			}
		}
	}
	return other && !total
}
