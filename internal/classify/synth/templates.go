package synth

import (
	"fmt"
	"strings"
)

// templates lists, per kind, the functions that write one document. The
// last one of each kind is used only by the HeldOut split.
var templates = map[Kind][]func(*gen){
	Invoice:       {invoiceTable, invoiceBlocks, invoiceService, invoiceCompact},
	Receipt:       {receiptTill, receiptRestaurant, receiptTaxi, receiptNarrow},
	Letter:        {letterFormal, letterShort, letterBlock},
	Memo:          {memoHeader, memoEmail, memoNotice},
	Form:          {formLines, formBoxes, formTable, formChecklist},
	Contract:      {contractClauses, contractNumbered, contractShort},
	PurchaseOrder: {poTable, poBlocks, poRequisition, poCompact},
	Recipe:        {recipeClassic, recipeNarrative, recipeCard},
	News:          {newsArticle, newsBrief, newsColumns},
	TechNote:      {techNote, techRunbook, techRelease},
	Timetable:     {timetableGrid, timetableList, timetableFerry},
}

// items writes a line-item table and returns the sum of its amounts.
func (g *gen) items(n int, key string, prices bool) float64 {
	widths := []int{6 + g.r.IntN(30), 8 + g.r.IntN(6), 12 + g.r.IntN(4), 12}
	if g.chance(0.8) {
		g.cols(widths, g.w("tbl.desc"), g.w("tbl.qty"), g.w("tbl.price"), g.w("tbl.amount"))
	}
	if g.chance(0.4) {
		g.add(strings.Repeat(pick(g.r, []string{"-", "=", "_"}), g.width-10))
	}
	sum := 0.0
	for range n {
		d := g.w(key)
		if len(d) > widths[0]-1 {
			widths[0] = len(d) + 2
		}
		q := 1 + g.r.IntN(10)
		p := g.price(1, 900)
		a := float64(q) * p
		sum += a
		if prices {
			g.cols(widths, d, fmt.Sprint(q), g.money(p, false), g.money(a, g.chance(0.3)))
		} else {
			g.cols(widths, d, fmt.Sprint(q))
		}
	}
	return sum
}

func invoiceTable(g *gen) {
	seller := g.company()
	g.right(seller, g.w("inv.title"))
	g.add(g.address())
	g.blank()
	g.kv(g.w("inv.no"), g.ref(pick(g.r, []string{"INV-", "F", "RE-", "", "2024-"})))
	g.kv(g.w("inv.date"), g.date())
	if g.chance(0.7) {
		g.kv(g.w("inv.due"), g.date())
	}
	g.blank()
	g.add(g.w("inv.billto"), ":")
	g.add(g.company())
	g.add(g.address())
	g.blank()
	sum := g.items(1+g.r.IntN(8), "products", true)
	g.blank()
	g.right("", g.w("inv.subtotal")+"  "+g.money(sum, false))
	g.right("", g.w("inv.tax")+"  "+g.money(sum*0.2, false))
	g.right("", g.w("inv.total")+"  "+g.money(sum*1.2, true))
	g.blank()
	g.add(g.w("inv.terms"))
	g.add(g.w("inv.thanks"))
}

func invoiceBlocks(g *gen) {
	g.add(g.w("inv.title"))
	g.blank()
	g.right(g.company(), g.w("inv.no")+": "+g.ref(""))
	g.right(g.address(), g.w("inv.date")+": "+g.date())
	g.right("", g.w("inv.billto")+": "+g.company())
	g.blank()
	for range 1 + g.r.IntN(5) {
		g.right(g.w("products"), g.money(g.price(5, 2000), g.chance(0.5)))
	}
	g.blank()
	g.right(g.w("inv.total"), g.money(g.price(50, 5000), true))
	if g.chance(0.6) {
		g.kv(g.w("inv.due"), g.date())
	}
	g.add(g.w("inv.terms"))
}

func invoiceService(g *gen) {
	who := g.person()
	g.add(who)
	g.add(g.address())
	g.add(g.email(who))
	g.blank()
	g.add(g.w("inv.title"), " ", g.ref("#"))
	g.kv(g.w("inv.date"), g.date())
	g.kv(g.w("inv.billto"), g.company())
	g.blank()
	sum := 0.0
	for range 2 + g.r.IntN(6) {
		h := 1 + g.r.IntN(20)
		rate := g.price(40, 150)
		sum += float64(h) * rate
		g.cols([]int{30, 8, 10}, g.w("products"), fmt.Sprintf("%dh", h), g.money(float64(h)*rate, false))
	}
	g.blank()
	g.right(g.w("inv.total"), g.money(sum, true))
	g.kv(g.w("inv.due"), g.date())
	g.add(g.w("inv.terms"))
}

func invoiceCompact(g *gen) {
	g.add(strings.ToUpper(g.company()), " - ", g.address())
	g.add(g.w("inv.title"), " ", g.ref(""), " / ", g.date())
	sum := g.items(2+g.r.IntN(10), "products", true)
	g.add(g.w("inv.subtotal"), " ", g.money(sum, false), "  ", g.w("inv.tax"), " ", g.money(sum*0.1, false), "  ", g.w("inv.total"), " ", g.money(sum*1.1, true))
	g.add(g.w("inv.terms"))
	if g.chance(0.5) {
		g.page()
		g.add(g.w("inv.terms"))
		g.add(g.w("inv.terms"))
	}
}

func (g *gen) receiptLines(n int) float64 {
	sum := 0.0
	for range n {
		p := g.price(0.5, 30)
		sum += p
		g.right(g.w("rcp.items"), g.money(p, false))
	}
	return sum
}

func receiptTill(g *gen) {
	g.width = 32 + g.r.IntN(12)
	g.add(pick(g.r, lexicon["en"]["rcp.stores"]))
	g.add(g.address())
	if g.chance(0.6) {
		g.add(g.w("rcp.title"))
	}
	g.add(g.date(), " ", g.time())
	g.add(strings.Repeat("-", g.width))
	sum := g.receiptLines(2 + g.r.IntN(10))
	g.add(strings.Repeat("-", g.width))
	g.right(g.w("rcp.total"), g.money(sum, true))
	if g.chance(0.5) {
		paid := float64(int(sum/10)+1) * 10
		g.right(g.w("rcp.cash"), g.money(paid, false))
		g.right(g.w("rcp.change"), g.money(paid-sum, false))
	} else {
		g.add(g.w("rcp.card"))
	}
	g.kv(g.w("rcp.cashier"), pick(g.r, firstNames))
	g.add(g.w("rcp.misc"), " ", g.ref(""))
	g.add(g.w("rcp.thanks"))
}

func receiptRestaurant(g *gen) {
	g.width = 40
	g.add(pick(g.r, []string{"Trattoria Roma", "Le Petit Bistro", "Gasthaus Linde", "Bar El Sol", "Golden Dragon"}))
	g.add(g.address())
	g.add(pick(g.r, []string{"Table 12", "Table 4", "Covers: 2", "Tisch 7", "Mesa 3"}), "   ", g.time())
	g.blank()
	sum := g.receiptLines(2 + g.r.IntN(6))
	g.right(g.w("rcp.total"), g.money(sum, true))
	g.right(pick(g.r, []string{"Tip", "Service", "Pourboire", "Trinkgeld", "Propina"}), g.money(sum*0.1, false))
	g.add(g.w("rcp.card"))
	g.add(g.w("rcp.title"))
	g.add(g.w("rcp.thanks"))
}

func receiptTaxi(g *gen) {
	g.add(g.w("rcp.title"))
	g.add(pick(g.r, []string{"City Taxi Co.", "Radio Taxi 24", "Taxi Berlin", "Taxis Madrid"}))
	g.kv(pick(g.r, []string{"From", "Pickup", "Départ", "Von", "Origen"}), pick(g.r, cities))
	g.kv(pick(g.r, []string{"To", "Drop-off", "Arrivée", "Nach", "Destino"}), pick(g.r, cities))
	g.kv(pick(g.r, []string{"Date", "Fecha", "Datum"}), g.date()+" "+g.time())
	g.kv(pick(g.r, []string{"Distance", "km"}), fmt.Sprintf("%.1f km", g.price(1, 40)))
	g.kv(g.w("rcp.total"), g.money(g.price(8, 80), true))
	g.add(g.w("rcp.card"))
	g.add(g.w("rcp.thanks"))
}

func receiptNarrow(g *gen) {
	g.width = 28
	g.add("*** ", g.w("rcp.title"), " ***")
	g.add(pick(g.r, lexicon["en"]["rcp.stores"]))
	sum := 0.0
	for range 1 + g.r.IntN(8) {
		p := g.price(1, 20)
		sum += p
		g.add(g.w("rcp.items"))
		g.right(fmt.Sprintf(" %d x %s", 1+g.r.IntN(3), g.money(p, false)), g.money(p, false))
	}
	g.right(g.w("rcp.total"), g.money(sum, false))
	g.right(g.w("rcp.cash"), g.money(sum+5, false))
	g.right(g.w("rcp.change"), g.money(5, false))
	g.add(g.date(), " ", g.time(), " ", g.w("rcp.misc"), g.ref(""))
	g.add(g.w("rcp.thanks"))
}

func (g *gen) body(key string, n int) {
	var s []string
	for range n {
		s = append(s, g.w(key))
	}
	// Paragraphs wrapped at the width, like extracted text.
	line := ""
	for _, w := range strings.Fields(strings.Join(s, " ")) {
		if len(line)+len(w)+1 > g.width {
			g.add(line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		g.add(line)
	}
}

func (g *gen) salutation(name string) string {
	d := g.w("ltr.dear")
	if strings.Contains(d, "%s") {
		return fmt.Sprintf(d, strings.Fields(name)[1])
	}
	return d
}

func (g *gen) subject() string {
	s := g.w("ltr.subject")
	if strings.Contains(s, "%s") {
		s = fmt.Sprintf(s, g.ref(""))
	}
	return s
}

func letterFormal(g *gen) {
	from, to := g.person(), g.person()
	g.right("", from)
	g.right("", g.address())
	g.blank()
	g.add(to)
	g.add(g.company())
	g.add(g.address())
	g.blank()
	g.right("", pick(g.r, cities)+", "+g.date())
	g.blank()
	g.add(g.subject())
	g.blank()
	g.add(g.salutation(to))
	g.blank()
	for range 1 + g.r.IntN(3) {
		g.body("ltr.body", 2+g.r.IntN(3))
		g.blank()
	}
	g.add(g.w("ltr.close"))
	g.blank()
	g.add(from)
	if g.chance(0.3) {
		g.add(g.w("ltr.encl"))
	}
}

func letterShort(g *gen) {
	to := g.person()
	g.add(g.company())
	g.add(g.date())
	g.add(g.salutation(to))
	g.body("ltr.body", 2+g.r.IntN(4))
	g.add(g.w("ltr.close"))
	g.add(g.person())
}

func letterBlock(g *gen) {
	co := g.company()
	g.add(strings.ToUpper(co))
	g.add(g.address(), " | ", g.email(g.person()))
	g.add(strings.Repeat("_", g.width-20))
	g.blank()
	to := g.person()
	g.add(to)
	g.add(g.address())
	g.blank()
	g.add(g.date())
	g.add(g.subject())
	g.add(g.salutation(to))
	g.body("ltr.body", 3+g.r.IntN(5))
	g.blank()
	g.add(g.w("ltr.close"))
	g.add(g.person(), ", ", co)
}

func memoHeader(g *gen) {
	g.add(g.w("memo.title"))
	g.blank()
	g.kv(g.w("memo.to"), pick(g.r, []string{"All staff", "Sales team", "Department heads", "Tout le personnel", "Alle Mitarbeitenden", "Todo el personal"}))
	g.kv(g.w("memo.from"), g.person())
	g.kv(g.w("memo.date"), g.date())
	g.kv(g.w("memo.subject"), g.w("memo.topics"))
	g.add(strings.Repeat("-", g.width-10))
	g.body("memo.body", 2+g.r.IntN(4))
	if g.chance(0.4) {
		g.blank()
		g.kv(g.w("memo.cc"), g.person())
	}
}

func memoEmail(g *gen) {
	g.kv(g.w("memo.from"), g.person()+" <"+g.email(g.person())+">")
	g.kv(g.w("memo.to"), g.person())
	g.kv(g.w("memo.subject"), g.w("memo.topics"))
	g.kv(g.w("memo.date"), g.date()+" "+g.time())
	g.blank()
	g.add(pick(g.r, []string{"Hi all,", "Hello team,", "Bonjour à tous,", "Hallo zusammen,", "Hola a todos,"}))
	g.body("memo.body", 2+g.r.IntN(4))
	g.add(pick(g.r, []string{"Thanks,", "Best,", "Merci,", "Danke,", "Gracias,"}))
	g.add(pick(g.r, firstNames))
}

func memoNotice(g *gen) {
	g.add(strings.ToUpper(g.w("memo.topics")))
	g.add(g.w("memo.title"), " - ", g.date())
	g.blank()
	g.body("memo.body", 3+g.r.IntN(4))
	g.blank()
	g.add(g.person(), ", ", pick(g.r, []string{"HR", "Facilities", "Management", "Direction", "Geschäftsleitung", "Dirección"}))
}

func (g *gen) blankField() string {
	return pick(g.r, []string{"________________", "....................", "[                 ]", "", "_ _ _ _ _ _ _ _", "|__|__|__|__|__|"})
}

func formLines(g *gen) {
	g.add(g.w("form.title"))
	g.add(g.w("form.instr"))
	g.blank()
	g.add(g.w("form.section"))
	for range 5 + g.r.IntN(7) {
		g.kv(g.w("form.fields"), g.blankField())
	}
	g.blank()
	g.add(g.w("form.declare"))
	g.kv(g.w("form.sign"), "____________________")
	g.kv(g.w("form.date"), "___/___/______")
}

func formBoxes(g *gen) {
	g.add(g.w("form.title"))
	g.add(g.w("form.instr"))
	for range 2 + g.r.IntN(2) {
		g.blank()
		g.add(g.w("form.section"))
		for range 3 + g.r.IntN(4) {
			g.add(g.w("form.fields"), pick(g.r, []string{"*", "", ""}))
			g.add(strings.Repeat("_", 20+g.r.IntN(40)))
		}
	}
	g.add("[ ] ", g.w("form.check"), "   [ ] ", g.w("form.check"), "   [ ] ", g.w("form.check"))
	g.add(g.w("form.sign"), ": ______________   ", g.w("form.date"), ": __________")
}

func formTable(g *gen) {
	g.add(strings.ToUpper(g.w("form.title")))
	g.add(pick(g.r, []string{"Ref. ", "Form ", "Formulaire ", "Formular ", "Modelo "}), g.ref(pick(g.r, []string{"A", "F-", "B"})))
	g.blank()
	for range 4 + g.r.IntN(6) {
		g.cols([]int{26, 26}, "| "+g.w("form.fields"), "| "+g.w("form.fields"), "|")
		g.cols([]int{26, 26}, "|", "|", "|")
	}
	g.add(g.w("form.declare"))
	g.add(g.w("form.sign"))
}

func formChecklist(g *gen) {
	g.add(g.w("form.title"))
	g.blank()
	for range 3 + g.r.IntN(4) {
		g.kv(g.w("form.fields"), g.blankField())
	}
	for range 3 + g.r.IntN(4) {
		g.add(pick(g.r, []string{"☐ ", "[ ] ", "( ) ", "□ "}), g.w("form.check"), "    ", pick(g.r, []string{"☐ ", "[ ] ", "( ) ", "□ "}), g.w("form.check"))
	}
	g.add(g.w("form.instr"))
	g.add(g.w("form.sign"), " ........................")
}

func (g *gen) parties() string {
	s := g.w("ctr.between")
	a, b, d := g.company(), g.company(), g.date()
	if strings.Count(s, "%s") == 4 {
		return fmt.Sprintf(s, pick(g.r, cities), d, a, b)
	}
	if strings.HasPrefix(s, "Zwischen") {
		return fmt.Sprintf(s, a, b, d)
	}
	return fmt.Sprintf(s, d, a, b)
}

func contractClauses(g *gen) {
	g.add(g.w("ctr.title"))
	g.blank()
	g.body("ctr.between", 0)
	g.add(g.parties())
	g.add(g.w("ctr.whereas"))
	g.blank()
	for i := range 3 + g.r.IntN(5) {
		h := g.w("ctr.heads")
		if g.lang == "en" {
			h = fmt.Sprintf("%d. %s", i+1, h)
		}
		g.add(h)
		g.body("ctr.clauses", 1+g.r.IntN(3))
		g.blank()
		if i == 3 && g.chance(0.5) {
			g.page()
		}
	}
	g.add(g.w("ctr.sign"))
	g.cols([]int{36}, g.w("ctr.signers")+": ____________", g.w("ctr.signers")+": ____________")
}

func contractNumbered(g *gen) {
	g.add(strings.ToUpper(g.w("ctr.title")))
	g.add(g.parties())
	for i := range 4 + g.r.IntN(6) {
		g.add(fmt.Sprintf("%d.%d ", 1+i/3, 1+i%3), g.w("ctr.clauses"))
	}
	g.add(g.w("ctr.sign"))
	for range 2 {
		g.kv(g.w("ctr.signers"), "______________________")
	}
}

func contractShort(g *gen) {
	g.add(g.w("ctr.title"), " - ", g.ref("No. "))
	g.body("ctr.clauses", 2)
	g.add(g.parties())
	g.body("ctr.clauses", 3+g.r.IntN(3))
	g.add(g.w("ctr.whereas"))
	g.add(g.w("ctr.sign"))
	g.cols([]int{30}, g.company(), g.company())
}

func poTable(g *gen) {
	buyer := g.company()
	g.right(buyer, g.w("po.title"))
	g.add(g.address())
	g.blank()
	g.kv(g.w("po.no"), g.ref(pick(g.r, []string{"PO-", "PO", "BC-", "B"})))
	g.kv(g.w("po.date"), g.date())
	g.kv(g.w("po.vendor"), g.company())
	g.kv(g.w("po.shipto"), g.address())
	if g.chance(0.7) {
		g.kv(g.w("po.delivery"), g.date())
	}
	if g.chance(0.5) {
		g.kv(g.w("po.shipvia"), pick(g.r, []string{"DHL", "UPS Ground", "FCA", "DAP", "Courier"}))
	}
	g.blank()
	sum := g.items(1+g.r.IntN(8), "products", true)
	g.right("", g.w("po.total")+"  "+g.money(sum, true))
	g.blank()
	g.add(g.w("po.terms"))
	g.kv(g.w("po.auth"), g.person())
}

func poBlocks(g *gen) {
	g.add(g.w("po.title"))
	g.cols([]int{40}, g.w("po.vendor")+":", g.w("po.shipto")+":")
	g.cols([]int{40}, g.company(), buyerName(g))
	g.cols([]int{40}, g.address(), g.address())
	g.blank()
	g.cols([]int{25, 25}, g.w("po.no"), g.w("po.date"), g.w("po.delivery"))
	g.cols([]int{25, 25}, g.ref(""), g.date(), g.date())
	g.blank()
	sum := g.items(1+g.r.IntN(6), "products", g.chance(0.8))
	if sum > 0 && g.chance(0.7) {
		g.right(g.w("po.total"), g.money(sum, true))
	}
	g.add(g.w("po.terms"))
	g.add(g.w("po.auth"), ": ____________")
}

func buyerName(g *gen) string { return g.company() }

func poRequisition(g *gen) {
	g.add(g.company())
	g.add(g.w("po.title"), " ", g.ref("#"))
	g.kv(g.w("po.requester"), g.person())
	g.kv(g.w("po.vendor"), g.company())
	g.kv(g.w("po.delivery"), g.date())
	g.blank()
	for range 1 + g.r.IntN(5) {
		g.add(fmt.Sprintf("%d x ", 1+g.r.IntN(50)), g.w("products"), " @ ", g.money(g.price(2, 400), false))
	}
	g.blank()
	g.add(g.w("po.terms"))
	g.add(g.w("po.terms"))
	g.kv(g.w("po.auth"), g.person())
}

func poCompact(g *gen) {
	g.add(strings.ToUpper(g.w("po.title")), " ", g.ref(""), " ", g.date())
	g.add(g.w("po.vendor"), ": ", g.company(), " / ", g.w("po.shipto"), ": ", g.address())
	sum := g.items(2+g.r.IntN(8), "products", true)
	g.add(g.w("po.total"), " ", g.money(sum, true), ". ", g.w("po.terms"))
}

func recipeClassic(g *gen) {
	g.add(g.w("rec.titles"))
	g.add(g.w("rec.serves"))
	g.blank()
	g.add(g.w("rec.ingr"))
	for range 4 + g.r.IntN(6) {
		g.add(pick(g.r, []string{"- ", "• ", "", "* "}), g.w("rec.items"))
	}
	g.blank()
	g.add(g.w("rec.method"))
	for i := range 3 + g.r.IntN(4) {
		g.add(fmt.Sprintf("%d. ", i+1), g.w("rec.steps"))
	}
}

func recipeNarrative(g *gen) {
	g.add(g.w("rec.titles"))
	g.body("rec.steps", 2)
	g.blank()
	g.body("rec.items", 5)
	g.body("rec.steps", 4+g.r.IntN(3))
	g.add(g.w("rec.serves"))
}

func recipeCard(g *gen) {
	g.right(strings.ToUpper(g.w("rec.titles")), g.w("rec.serves"))
	g.cols([]int{36}, g.w("rec.ingr"), g.w("rec.method"))
	for range 5 + g.r.IntN(3) {
		g.cols([]int{36}, g.w("rec.items"), g.w("rec.steps"))
	}
}

func newsArticle(g *gen) {
	g.add(g.w("news.heads"))
	g.add(fmt.Sprintf(strings.Replace(lexicon["en"]["news.byline"][0], "%s", "%[1]s", 1), g.person()), " - ", g.date())
	g.blank()
	for range 2 + g.r.IntN(3) {
		g.body("news.sentences", 2+g.r.IntN(3))
		g.blank()
	}
}

func newsBrief(g *gen) {
	for range 2 + g.r.IntN(3) {
		g.add(strings.ToUpper(g.w("news.heads")))
		g.body("news.sentences", 1+g.r.IntN(3))
		g.blank()
	}
}

func newsColumns(g *gen) {
	g.add(pick(g.r, []string{"THE DAILY COURIER", "Le Journal du Soir", "Stadtanzeiger", "El Diario Local"}), "   ", g.date())
	g.add(g.w("news.heads"))
	for range 6 + g.r.IntN(6) {
		g.cols([]int{40}, g.w("news.sentences"), g.w("news.sentences"))
	}
}

func techNote(g *gen) {
	g.add(lexicon["en"]["tech.heads"][g.r.IntN(len(lexicon["en"]["tech.heads"]))])
	g.blank()
	g.body("tech.sentences", 2+g.r.IntN(3))
	g.blank()
	for range 3 + g.r.IntN(5) {
		g.kv(pick(g.r, lexicon["en"]["tech.kv"]), pick(g.r, []string{"v2.3.1", "db01.internal", "5432", "30s", "100", "info", "eu-west-1", "platform team", "deprecated", "staging"}))
	}
	g.blank()
	g.body("tech.sentences", 1+g.r.IntN(3))
}

func techRunbook(g *gen) {
	g.add("# ", pick(g.r, lexicon["en"]["tech.heads"]))
	for i := range 3 + g.r.IntN(4) {
		g.add(fmt.Sprintf("Step %d: ", i+1), pick(g.r, lexicon["en"]["tech.sentences"]))
		g.add("    ", pick(g.r, lexicon["en"]["tech.code"]))
	}
}

func techRelease(g *gen) {
	g.add(fmt.Sprintf("v%d.%d.%d", 1+g.r.IntN(4), g.r.IntN(20), g.r.IntN(10)), " (", g.date(), ")")
	for range 4 + g.r.IntN(6) {
		g.add("- ", pick(g.r, []string{"Fixed: ", "Added: ", "Changed: ", "Removed: "}), pick(g.r, lexicon["en"]["tech.sentences"]))
	}
	g.kv(pick(g.r, lexicon["en"]["tech.kv"]), "n/a")
}

func timetableGrid(g *gen) {
	g.add(g.w("tt.title"))
	g.add(g.w("tt.days"))
	g.blank()
	n := 4 + g.r.IntN(8)
	for range 3 + g.r.IntN(6) {
		cells := []string{g.w("tt.stops")}
		h, m := 5+g.r.IntN(3), g.r.IntN(60)
		for range n {
			cells = append(cells, fmt.Sprintf("%02d:%02d", h%24, m))
			m += 15 + g.r.IntN(30)
			h += m / 60
			m %= 60
		}
		w := make([]int, len(cells)-1)
		w[0] = 18
		for i := 1; i < len(w); i++ {
			w[i] = 7
		}
		g.cols(w, cells...)
	}
	g.add(g.w("tt.notes"))
}

func timetableList(g *gen) {
	g.add(g.w("tt.title"))
	for range 5 + g.r.IntN(10) {
		g.add(g.time(), "  ", g.w("tt.stops"), " -> ", g.w("tt.stops"), pick(g.r, []string{"", "  Platform 3", "  Gleis 5", "  Quai B", "  Andén 2"}))
	}
	g.add(g.w("tt.days"))
	g.add(g.w("tt.notes"))
}

func timetableFerry(g *gen) {
	g.add(g.w("tt.title"), " ", g.date())
	g.cols([]int{14, 14, 14}, "Dep.", "Arr.", g.w("tt.days"))
	for range 4 + g.r.IntN(8) {
		g.cols([]int{14, 14, 14}, g.time(), g.time(), g.w("tt.stops"))
	}
	g.add(g.w("tt.notes"))
}
