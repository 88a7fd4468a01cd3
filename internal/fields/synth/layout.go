package synth

import (
	"fmt"
	"strings"
	"time"
)

// meta is one header field: a label and its value.
type meta struct {
	label, value, key string
}

// column lines are rows relative to a column's left edge.
type colLines [][]segment

func (c *colLines) add(segs ...segment) { *c = append(*c, segs) }

// zip lays two columns side by side, the right one starting at col.
func (g *gen) zip(left, right colLines, col int) {
	for i := range max(len(left), len(right)) {
		var r row
		if i < len(left) {
			r = append(r, left[i]...)
		}
		if i < len(right) {
			for _, s := range right[i] {
				s.col += col
				r = append(r, s)
			}
		}
		g.rows = append(g.rows, r)
	}
}

// metaLines renders header fields in one of three styles.
func (g *gen) metaLines(ms []meta, style int) colLines {
	var c colLines
	w := 0
	for _, m := range ms {
		w = max(w, len([]rune(m.label)))
	}
	w += 2 + g.r.IntN(6)
	for _, m := range ms {
		switch style {
		case 0: // inline: "Invoice No: 42"
			c.add(segment{text: m.label + " " + m.value})
		case 1: // columns: label, then the value further right
			c.add(segment{text: m.label}, segment{col: w, text: m.value})
		default: // stacked: the value under its label
			c.add(segment{text: m.label})
			c.add(segment{text: m.value})
		}
		g.d.shows[m.key] = true
	}
	return c
}

// grid renders header fields as a row of labels over a row of values.
func (g *gen) grid(ms []meta) {
	step := 18 + g.r.IntN(8)
	for i := 0; i < len(ms); i += 4 {
		chunk := ms[i:min(i+4, len(ms))]
		var labels, values row
		for j, m := range chunk {
			labels = append(labels, segment{col: j * step, text: m.label})
			values = append(values, segment{col: j * step, text: m.value})
			g.d.shows[m.key] = true
		}
		g.add(labels...)
		g.add(values...)
		g.blank()
	}
}

func (g *gen) header(issue, due time.Time) {
	l, d, r := g.l, g.d, g.r
	street := pick(r, l.cities)
	phone := g.label(l.phone) + " +" + fmt.Sprintf("%d %d %s %s", 30+r.IntN(60), 10+r.IntN(89), g.digits(4), g.digits(4))
	seller := colLines{{{text: d.Seller}}}
	if g.chance(0.15) {
		// A tagline above the name.
		seller = append(colLines{{{text: pick(r, []string{"Your partner in business", "Quality since 1987", "Global Wholesaler", "Dat betaal ik zelf wel."})}}}, seller...)
	}
	for _, part := range strings.Split(street, ", ") {
		seller.add(segment{text: part})
	}
	if g.chance(0.6) {
		seller.add(segment{text: phone})
	}
	vatInSeller := g.chance(0.4)
	if vatInSeller {
		seller.add(segment{text: g.label(l.vatID) + " " + g.printVATID(d.VATID)})
		d.shows[KeyVATID] = true
	}

	buyerName := pick(r, personNames)
	if g.chance(0.5) {
		buyerName = g.company()
	}
	d.Buyer = buyerName
	d.shows[KeyBuyer] = true
	var buyer colLines
	style := r.IntN(10)
	if g.chance(0.7) || (style >= 6 && style < 8) {
		buyer.add(segment{text: g.label(l.buyer)})
	}
	buyer.add(segment{text: buyerName})
	for _, part := range strings.Split(pick(r, l.cities), ", ") {
		buyer.add(segment{text: part})
	}
	if g.chance(0.2) {
		buyer.add(segment{text: g.label(l.buyerVatID) + " " + g.printVATID(g.vatID())})
	}

	ms := []meta{{g.label(l.number), d.Number, KeyNumber}, {g.label(l.date), g.date(issue), KeyDate}}
	if g.chance(0.3) {
		ms[0], ms[1] = ms[1], ms[0]
	}
	var extra []meta
	if d.Due != "" {
		extra = append(extra, meta{g.label(l.due), g.date(due), KeyDue})
	}
	if g.chance(0.4) {
		v := g.digits(6 + r.IntN(5))
		if g.chance(0.4) {
			v = "PO-" + g.digits(5)
		}
		d.OrderNumber = v
		extra = append(extra, meta{g.label(l.orderNo), v, KeyOrderNo})
	}
	if g.chance(0.3) {
		extra = append(extra, meta{g.label(l.orderDate), g.date(issue.AddDate(0, 0, -1-r.IntN(20))), "order_date"})
	}
	if g.chance(0.4) {
		d.CustomerNumber = g.digits(5 + r.IntN(4))
		extra = append(extra, meta{g.label(l.customerNo), d.CustomerNumber, KeyCustNo})
	}
	if g.chance(0.2) {
		extra = append(extra, meta{g.label(l.delivery), g.date(issue.AddDate(0, 0, -r.IntN(5))), "delivery_date"})
	}
	r.Shuffle(len(extra), func(i, j int) { extra[i], extra[j] = extra[j], extra[i] })
	// Distractors may come before the invoice's own fields.
	at := r.IntN(3)
	if at > len(extra) {
		at = len(extra)
	}
	ms = append(append(append([]meta{}, extra[:at]...), ms...), extra[at:]...)

	title := g.label(l.title)
	metaStyle := r.IntN(3)
	right := g.width - 34 - r.IntN(10)
	if style < 4 && metaStyle == 0 {
		right = g.width - 44
	}
	switch {
	case style < 4: // seller top left; title and fields on the right
		var meta colLines
		meta.add(segment{text: title})
		if g.chance(0.3) {
			meta.add()
		}
		meta = append(meta, g.metaLines(ms, metaStyle)...)
		g.zip(seller, meta, right)
		g.blank()
		g.zip(buyer, nil, 0)
	case style < 6: // title and fields on the left; seller top right
		var left colLines
		left.add(segment{text: title})
		left.add()
		left = append(left, g.metaLines(ms, metaStyle)...)
		g.zip(left, seller, right)
		g.blank()
		g.zip(buyer, nil, 0)
	case style < 8: // seller after a label, buyer beside it, a grid of fields
		g.add(segment{text: title})
		g.blank()
		lab := g.label(l.seller)
		var s colLines
		if g.chance(0.5) {
			s = append(colLines{{{text: lab + " " + d.Seller}}}, seller[1:]...)
			if seller[0][0].text != d.Seller {
				s = append(colLines{{{text: lab + " " + d.Seller}}}, seller[2:]...)
			}
		} else {
			s = append(colLines{{{text: lab}}}, seller...)
		}
		g.zip(s, buyer, right-10)
		g.blank()
		if g.chance(0.5) {
			g.grid(ms)
		} else {
			g.zip(g.metaLines(ms, metaStyle), nil, 0)
		}
	default: // seller only in the footer; buyer left, fields right
		if g.chance(0.5) {
			g.add(segment{col: right, text: title})
		} else {
			g.add(segment{text: title})
		}
		g.blank()
		g.zip(buyer, g.metaLines(ms, metaStyle), right)
		d.shows[KeySeller] = false
		if vatInSeller { // the seller's block is not printed
			d.shows[KeyVATID] = false
		}
	}
	if style < 8 {
		d.shows[KeySeller] = true
	}
	if g.chance(0.07) {
		g.blank()
		g.add(segment{text: g.label(l.prevBalance) + " " + g.money(float64(g.r.IntN(90000))/100, g.curIn)})
	}
	g.blank()
}

// tableCol is one column of the item table.
type tableCol struct {
	kind   string
	label  string
	start  int
	width  int
	number bool
}

func (g *gen) table(rate float64, gross bool) {
	l, d, r := g.l, g.d, g.r
	var cols []tableCol
	addCol := func(kind string, labels []string, width int, number bool) {
		cols = append(cols, tableCol{kind: kind, label: pick(r, labels), width: width, number: number})
	}
	if g.chance(0.25) {
		addCol("pos", l.pos, 5, false)
	}
	if g.chance(0.2) {
		addCol("code", l.code, 11, false)
	}
	addCol("desc", l.desc, 30+r.IntN(16), false)
	hasQty, hasUnit := g.chance(0.8), g.chance(0.15)
	if hasQty && g.chance(0.3) {
		// Quantity before the description.
		cols = append([]tableCol{{kind: "qty", label: pick(r, l.qty), width: 8, number: true}}, cols...)
	} else if hasQty {
		addCol("qty", l.qty, 9, true)
	}
	if hasUnit {
		addCol("unit", l.unit, 8, false)
	}
	if g.chance(0.85) {
		addCol("price", l.unitPrice, 16, true)
	}
	if g.chance(0.3) {
		addCol("rate", l.taxRate, 9, true)
	}
	hasAmount := g.chance(0.95)
	if hasAmount {
		addCol("amount", l.amount, 16, true)
	}
	x := 0
	for i := range cols {
		cols[i].start = x
		x += cols[i].width + 1 + r.IntN(3)
	}
	upper := g.chance(0.2)
	twoLine := g.chance(0.15)
	header := func() {
		var top, bottom row
		for _, c := range cols {
			lab := c.label
			if upper {
				lab = strings.ToUpper(lab)
			}
			first, second, split := strings.Cut(lab, " ")
			if !twoLine || !split {
				first, second = lab, ""
			}
			place := func(text string) segment {
				if c.number {
					return segment{col: c.start + c.width, text: text, right: true}
				}
				return segment{col: c.start, text: text}
			}
			top = append(top, place(first))
			if second != "" {
				bottom = append(bottom, place(second))
			}
		}
		g.add(top...)
		if len(bottom) > 0 {
			g.add(bottom...)
		}
	}
	if g.chance(0.06) {
		// No header: the items stand under a blank line.
		g.blank()
	} else {
		header()
	}
	if g.chance(0.1) {
		g.blank()
	}
	curInTable := g.curIn && g.chance(0.6)
	breakAt := -1
	if len(d.Items) > 2 && g.chance(0.1) {
		breakAt = len(d.Items) / 2
	}
	for i := range d.Items {
		it := &d.Items[i]
		it.ShowsAmount = hasAmount
		if i == breakAt {
			g.rows = append(g.rows, pageBreak)
			g.add(segment{text: g.label(l.number) + " " + d.Number})
			g.blank()
			header()
		}
		if g.chance(0.06) {
			g.add(segment{col: cols[0].start, text: pick(r, l.sectionHeaders)})
		}
		var rw row
		for _, c := range cols {
			var text string
			switch c.kind {
			case "pos":
				text = fmt.Sprint(i + 1)
			case "code":
				text = fmt.Sprintf("%c%c-%s", 'A'+r.IntN(26), 'A'+r.IntN(26), g.digits(4))
			case "desc":
				text = it.Description
			case "qty":
				text = g.qty(it.Quantity)
				if !hasUnit && g.chance(0.15) {
					text += " " + pick(r, l.unitWords)
				}
			case "unit":
				text = pick(r, l.unitWords)
			case "price":
				text = g.money(it.UnitPrice, curInTable)
			case "rate":
				text = strings.Replace(fmt.Sprint(rate), ".", g.style.dec, 1) + " %"
				if g.chance(0.5) {
					text = strings.ReplaceAll(text, " ", "")
				}
			case "amount":
				text = g.money(it.Amount, curInTable)
			}
			if c.number {
				rw = append(rw, segment{col: c.start + c.width, text: text, right: true})
			} else {
				rw = append(rw, segment{col: c.start, text: text})
			}
		}
		g.add(rw...)
		if g.chance(0.25) {
			desc := cols[0]
			for _, c := range cols {
				if c.kind == "desc" {
					desc = c
				}
			}
			w := pick(r, l.wrapLines)
			if strings.Contains(w, "%05d") {
				w = fmt.Sprintf(w, r.IntN(100000))
			}
			g.add(segment{col: desc.start, text: w})
		}
	}
	if gross {
		g.add(segment{text: fmt.Sprintf(l.taxInclusive[0], g.rateText(rate))})
	}
	g.blank()
}

func (g *gen) rateText(rate float64) string {
	return strings.Replace(fmt.Sprint(rate), ".", g.style.dec, 1) + "%"
}

// taxLabel fills a tax label's rate.
func (g *gen) taxLabel(rate float64) string {
	lab := g.label(g.l.tax)
	if strings.Contains(lab, "%s") || strings.Contains(lab, "%S") {
		lab = strings.NewReplacer("%s", g.rateText(rate), "%S", g.rateText(rate)).Replace(lab)
	}
	return lab
}

// totalsPlan is what the totals show beyond subtotal, tax and total.
type totalsPlan struct {
	rate, rate2 float64 // rate2: a second, lower rate, or 0
	tax1, tax2  float64 // the tax at each rate, with rate2
	gross       bool
	shipping    float64
	discount    float64
}

func (g *gen) totals(t totalsPlan) {
	l, d, r := g.l, g.d, g.r
	rate, shipping := t.rate, t.shipping
	cur := g.curIn
	style := r.IntN(20)
	if t.rate2 > 0 || t.discount > 0 {
		style = r.IntN(11)
	}
	switch {
	case style < 11: // a right-aligned block of label and value rows
		lcol := g.width - 36 - r.IntN(8)
		vcol := g.width
		line := func(label string, v float64) {
			if g.chance(0.2) {
				// Label and value in one cell.
				g.add(segment{col: lcol, text: label + " " + g.money(v, cur)})
				return
			}
			g.add(segment{col: lcol, text: label}, segment{col: vcol, text: g.money(v, cur), right: true})
		}
		if t.discount > 0 {
			line(pick(r, discountWords[l.name]), -t.discount)
		}
		if g.chance(0.85) || shipping > 0 || t.discount > 0 || t.rate2 > 0 {
			line(g.label(l.subtotal), d.Subtotal)
			d.shows[KeySubtotal] = true
		}
		if shipping > 0 {
			line(g.label(l.shipping), shipping)
		}
		switch {
		case t.rate2 > 0:
			line(g.taxLabel(rate), t.tax1)
			line(g.taxLabel(t.rate2), t.tax2)
			if g.chance(0.5) {
				line(pick(r, totalTaxWords[l.name]), d.Tax)
				d.shows[KeyTax] = true
			}
		case g.chance(0.85):
			line(g.taxLabel(rate), d.Tax)
			d.shows[KeyTax] = true
		}
		line(g.label(l.total), d.Total)
		d.shows[KeyTotal] = true
		if g.chance(0.12) {
			line(g.label(l.paid), d.Total)
			if g.chance(0.4) {
				line(pick(r, balanceWords[l.name]), 0)
			}
		}
	case style < 14: // a table of net, tax and gross
		lab := []string{g.label(l.subtotal), g.taxLabel(rate), g.label(l.total)}
		for i := range lab {
			lab[i] = strings.TrimSuffix(strings.TrimSpace(lab[i]), ":")
		}
		x := g.width - 60
		vals := []float64{d.Subtotal, d.Tax, d.Total}
		var head, body row
		for i := range lab {
			end := x + 20*(i+1)
			head = append(head, segment{col: end, text: lab[i], right: true})
			body = append(body, segment{col: end, text: g.money(vals[i], cur && i == 2), right: true})
		}
		g.add(head...)
		g.add(body...)
		d.shows[KeySubtotal], d.shows[KeyTax], d.shows[KeyTotal] = true, true, true
		if shipping > 0 {
			g.add(segment{text: g.label(l.shipping) + " " + g.money(shipping, cur)})
		}
	case style < 17: // left, one cell a line
		if g.chance(0.6) {
			g.add(segment{text: g.label(l.subtotal) + " " + g.money(d.Subtotal, cur)})
			d.shows[KeySubtotal] = true
		}
		if shipping > 0 {
			g.add(segment{text: g.label(l.shipping) + " " + g.money(shipping, cur)})
		}
		if g.chance(0.7) {
			g.add(segment{text: g.taxLabel(rate) + " " + g.money(d.Tax, cur)})
			d.shows[KeyTax] = true
		}
		g.add(segment{text: g.label(l.total) + " " + g.money(d.Total, cur)})
		d.shows[KeyTotal] = true
	default: // only the total, with the tax it includes
		if shipping > 0 {
			g.add(segment{col: g.width - 40, text: g.label(l.shipping)}, segment{col: g.width, text: g.money(shipping, cur), right: true})
		}
		g.add(segment{col: g.width - 40, text: g.label(l.total)}, segment{col: g.width, text: g.money(d.Total, true), right: true})
		d.shows[KeyTotal] = true
		if g.chance(0.6) {
			inc := fmt.Sprintf(pick(r, l.taxInclusive), g.rateText(rate))
			g.add(segment{col: g.width - 40, text: inc}, segment{col: g.width, text: g.money(d.Tax, cur), right: true})
			d.shows[KeyTax] = true
		}
	}
	g.blank()
}

func (g *gen) footer() {
	l, d, r := g.l, g.d, g.r
	g.add(segment{text: pick(r, l.notes)})
	if g.chance(0.3) {
		g.add(segment{text: pick(r, l.thanks)})
	}
	g.blank()
	var parts []string
	if !d.shows[KeySeller] || g.chance(0.3) {
		parts = append(parts, d.Seller)
		d.shows[KeySeller] = true
	}
	parts = append(parts, strings.Split(pick(r, l.cities), ", ")...)
	if !d.shows[KeyVATID] && g.chance(0.6) {
		parts = append(parts, g.label(l.vatID)+" "+g.printVATID(d.VATID))
		d.shows[KeyVATID] = true
	}
	if g.chance(0.3) {
		parts = append(parts, fmt.Sprintf(pick(r, registryWords[l.name]), g.digits(5), g.digits(8)))
	}
	if g.chance(0.1) {
		parts = append(parts, pick(r, processorWords))
	}
	var bank []string
	if g.chance(0.07) {
		bank = append(bank, pick(r, debitWords[l.name])+" "+g.printIBAN(g.iban()))
	}
	if g.chance(0.65) {
		bank = append(bank, g.label(l.iban)+" "+g.printIBAN(d.IBAN))
		d.shows[KeyIBAN] = true
		if g.chance(0.5) {
			bank = append(bank, g.label(l.bic)+" "+strings.ToUpper(g.digits(0)+"ABCD")+d.IBAN[:2]+"2X")
		}
	} else if g.chance(0.3) {
		bank = append(bank, g.label(l.account)+" "+g.digits(8))
	}
	switch {
	case g.chance(0.4): // one line, parts separated by dots
		g.add(segment{text: strings.Join(append(parts, bank...), " · ")})
	case g.chance(0.5): // columns
		var a, b colLines
		for _, p := range parts {
			a.add(segment{text: p})
		}
		for _, p := range bank {
			b.add(segment{text: p})
		}
		g.zip(a, b, g.width/2)
	default:
		for _, p := range parts {
			g.add(segment{text: p})
		}
		if len(bank) > 0 {
			g.add(segment{text: strings.Join(bank, " - ")})
		}
	}
	if g.chance(0.5) {
		g.add(segment{col: g.width - 12, text: fmt.Sprintf(pick(r, l.page), 1, 1)})
	}
}
