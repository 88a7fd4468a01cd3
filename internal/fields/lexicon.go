package fields

import (
	"strings"

	"github.com/docparse/docparse/internal/docparse"
)

// valueKind refines how a string field's value is read off the page.
type valueKind int

const (
	kindText  valueKind = iota // free text: the rest of the label's cell
	kindIdent                  // an identifier: one token with digits ("INV-0001", "F 1234/12")
	kindIBAN                   // an IBAN, checked with its mod-97 check digits
	kindName                   // the name of a party (seller, buyer): one line, cut after a legal form
)

// valueClass is the type of value a concept stands for. A field prefers
// a concept of its own class: a string field "vat" is a VAT number, a
// number field "vat" the tax amount.
type valueClass int

const (
	classText valueClass = iota
	classAmount
	classDate
	classIdent
)

// fits reports whether a field of type t may hold values of class c.
func (c valueClass) fits(t docparse.FieldType) bool {
	switch t {
	case docparse.TypeNumber:
		return c == classAmount
	case docparse.TypeInteger:
		return c == classAmount || c == classIdent
	case docparse.TypeDate, docparse.TypeDateTime:
		return c == classDate
	case docparse.TypeString:
		return c == classIdent || c == classText || c == classDate
	}
	return c == classText
}

// A concept is a meaning that documents label in many ways: "invoice
// number" is "Invoice No", "Facture n°", "Rechnungsnummer". A field whose
// key or description names a concept is searched with all of its terms.
// Concepts that no field asks for still matter: their terms claim the words
// they cover, so that "date" inside "Due date" does not count as a label of
// the invoice date (see spec.matches).
type concept struct {
	name   string
	class  valueClass
	strong [][]string // terms that mean the concept
	weak   [][]string // generic words that often stand for it ("amount" for the total)
	kind   valueKind
	// last: when two labels are equally good the later one wins. Totals,
	// subtotals and taxes sum up what came before them, so the document's
	// own figure is the last one.
	last bool
	// issueDate: the document's own date, which may fall back to the first
	// date printed when no label names it.
	issueDate bool
	// canon: the strong and weak terms in canonical words; bag: the
	// concept's words and their weights (wording.go).
	canon [][]string
	bag   map[string]float64
	// partyOnly: the words of bag that come from the concept's party;
	// foes: the words of the other parties, which rule the concept out.
	partyOnly, foes map[string]bool
}

// lexicon holds the built-in concepts: doc for document-level fields, item
// for the columns of line-item tables.
type lexicon struct {
	doc, item []*concept
	// byFirst indexes the terms of doc by their first word, for claims.
	byFirst map[string][]termRef
	// vocab: every word of the terms and glosses, for reading field keys
	// and descriptions (wording.go).
	vocab *vocabulary
}

type termRef struct {
	c    *concept
	toks []string
	weak bool
}

// lex is the built-in lexicon. It is built once and only read.
var lex = newLexicon()

// conceptDef is the source form of a concept: terms separated by "|", in
// their natural spelling (they are folded like document text). gloss is
// words separated by spaces that describe the concept in field keys and
// descriptions, not labels looked for on the page; party names the
// concept of the party whose it is ("seller" for the VAT number), whose
// words then describe it too, at a low weight ("supplier_vat_id"); twin
// names the same thing of another party (the buyer's VAT number), whose
// party's words rule this concept out.
type conceptDef struct {
	name         string
	strong, weak string
	gloss, party string
	twin         string
	kind         valueKind
	class        valueClass
	last         bool
	issueDate    bool
}

// The built-in synonyms: English, French, German, Spanish, plus Dutch,
// Italian, Portuguese and Polish for the commonest invoice labels. Terms
// are generic wording, never a vendor's layout.
var docConcepts = []conceptDef{
	{name: "invoice_number", kind: kindIdent, class: classIdent,
		gloss: "invoice bill receipt document reference number id code serial facture rechnung beleg factura fattura factuur faktura fatura ticket invoiced billing ticket folio numéro rechnungsnummer dokument documento",
		strong: "invoice number|invoice no|invoice nr|invoice num|invoice id|invoice ref|invoice reference|invoice code|bill number|bill no|receipt number|receipt no|document number|document no|" +
			"facture n°|facture numéro|numéro de facture|n° de facture|n° facture|numéro facture|no facture|" +
			"inv no|inv nr|inv num|inv number|" +
			"rechnungsnummer|rechnungsnr|rechnung nr|rechnung no|handelsrechnung nr|handelsrechnung 380 nr|rechnung 380 nr|belegnummer|beleg nr|belegnr|re nr|rechnungs nr|rechnungs nummer|" +
			"gutschrift nr|gutschrift 381 nr|gutschriftsnummer|gutschriftsnr|rechnungskorrektur nr|rechnungskorrektur 384 nr|" +
			"credit note number|credit note no|credit note nr|numéro d'avoir|n° d'avoir|avoir n°|" +
			"número de factura|nº de factura|factura n°|factura número|num factura|número factura|" +
			"factuurnummer|factuurnr|factuur nr|factuur no|" +
			"numero fattura|fattura n|fattura nr|número da fatura|fatura n°|faktura nr|numer faktury|nr faktury|faktura vat nr",
		weak: "invoice|facture|rechnung|factura|factuur|fattura|fatura|faktura|receipt|booking id|booking number|booking no|reservation number|confirmation number"},
	{name: "date", issueDate: true, class: classDate,
		gloss: "date issued issue issuing emitted emission created creation billed day datum fecha data emisión emissione ausstellung wystawienia uitgifte invoiced dated ausgestellt emitida emessa wystawiona transaction",
		strong: "date|invoice date|date of invoice|date of issue|issue date|issued on|date issued|document date|billing date|bill date|receipt date|" +
			"date de facture|date de facturation|date d'émission|date facture|" +
			"rechnungsdatum|belegdatum|ausstellungsdatum|datum der rechnung|" +
			"fecha de factura|fecha de emisión|fecha factura|fecha de expedición|" +
			"factuurdatum|factuur datum|data fattura|data della fattura|data di emissione|data da fatura|data de emissão|data wystawienia|data faktury",
		weak: "datum|fecha|data|dated"},
	{name: "due_date", class: classDate,
		gloss: "due payable deadline until latest pay payment expiry expires maturity vencimiento scadenza échéance fällig fälligkeit zahlungsziel termin verval uiterste płatności bis avant antes entro uiterlijk zahlbar fälligkeitsdatum échéance frist zahlung paiement pago pagamento betaling płatność",
		weak:  "due",
		strong: "due date|date due|payment due|due on|due by|pay by|payable by|payment date|" +
			"date d'échéance|échéance|date limite de paiement|date limite|à payer avant le|" +
			"fälligkeitsdatum|fälligkeit|fälligkeitstag|fällig am|fällig bis|zahlungsziel|zahlbar bis|zahlbar bis zum|überweisen sie bis zum|" +
			"zahlbar ohne abzug bis|zahlbar ohne abschlag bis|zahlbar netto bis|zahlbar rein netto bis|" +
			"fecha de vencimiento|vencimiento|fecha límite de pago|" +
			"vervaldatum|uiterste betaaldatum|te betalen voor|scadenza|data di scadenza|data de vencimento|termin płatności"},
	{name: "order_date", class: classDate,
		gloss:  "order ordered purchase commande bestellung pedido ordine bestelling zamówienia",
		strong: "order date|date of order|date de commande|bestelldatum|auftragsdatum|fecha de pedido|orderdatum|besteldatum|data ordine|data do pedido|data zamówienia"},
	{name: "delivery_date", class: classDate,
		gloss:  "delivery delivered shipped shipping supply supplied dispatch livraison lieferung entrega consegna levering dostawy",
		strong: "delivery date|ship date|shipping date|date of supply|date de livraison|lieferdatum|leistungsdatum|fecha de entrega|leverdatum|leveringsdatum|data di consegna|data de entrega|data dostawy|data sprzedaży"},
	{name: "period", class: classDate,
		gloss:  "period billing from start end service zeitraum période periodo periode okres",
		strong: "billing period|period|période|zeitraum|leistungszeitraum|periodo|periode|okres"},
	{name: "total", last: true, class: classAmount,
		gloss: "total gross grand sum overall payable pay owed due final including charged brutto ttc gesamt summe totale totaal importe montant betrag bedrag kwota razem zapłaty paid cost rounded ogółem łącznie suma bruto lordo invoiced bedrag",
		strong: "total|total amount|amount due|total due|total amount due|grand total|balance due|amount payable|total payable|total to pay|payable amount|invoice total|total invoice|invoice amount|total incl vat|total including vat|total incl tax|total inc vat|" +
			"total ttc|montant ttc|ttc|net à payer|total à payer|montant à payer|somme à payer|reste à payer|montant total|total facture|" +
			"gesamtbetrag|gesamtsumme|rechnungsbetrag|endbetrag|zu zahlen|zahlbetrag|gesamt|summe|total brutto|bruttobetrag|bruttosumme|" +
			"importe total|total a pagar|total factura|importe a pagar|" +
			"totaal|totaalbedrag|totaal incl btw|factuur totaal|totaal factuur|te betalen|totaal te betalen|totale|importo totale|totale fattura|totale da pagare|valor total|" +
			"razem|do zapłaty|należność|należność ogółem|wartość brutto|razem brutto",
		weak: "amount|montant|betrag|bedrag|importe|importo|valor|kwota|brutto|suma"},
	{name: "subtotal", last: true, class: classAmount,
		gloss: "net subtotal untaxed excluding before pre taxable base netto ht hors imponible imponibile neto grondslag without sans ohne sin senza zonder bez neto netto baza",
		strong: "amount untaxed|untaxed amount|untaxed|net amount|net total|total net|total excl vat|total excluding vat|total excl tax|total before tax|amount before tax|excl vat|excl tax|excluding vat|excluding tax|before tax|pre tax|tax base|taxable amount|" +
			"total ht|montant ht|ht|total hors taxes|hors taxes|hors taxe|base ht|" +
			"nettobetrag|summe netto|gesamt netto|nettosumme|ohne mwst|exkl mwst|ohne ust|exkl ust|bemessungsgrundlage|" +
			"base imponible|importe neto|total sin iva|" +
			"exclusief btw|excl btw|totaal excl btw|grondslag|imponibile|totale imponibile|valor líquido|wartość netto|razem netto",
		weak: "subtotal|sub total|net|netto|zwischensumme|subtotaal|subtotale|sous total"},
	{name: "tax", last: true, class: classAmount,
		gloss: "tax taxes vat tva mwst ust iva btw gst hst sales umsatzsteuer mehrwertsteuer steuer podatek podatku imposta impuesto impôt taxe belasting duty levy impuestos podatek",
		strong: "tax|taxes|tax amount|total tax|tax total|sales tax|vat|vat amount|total vat|tva|montant tva|total tva|" +
			"mwst|ust|umsatzsteuer|mehrwertsteuer|mwst betrag|ust betrag|steuerbetrag|iva|importe iva|cuota iva|total iva|" +
			"btw|btw bedrag|totaal btw|imposta|importo iva|kwota vat|gst|hst|igst|cgst|sgst"},
	{name: "tax_rate", class: classAmount,
		gloss:  "rate percent tax vat tva mwst ust iva btw gst taux satz tipo aliquota stawka tarief",
		strong: "tax rate|vat rate|tax percent|vat percent|taux de tva|taux tva|steuersatz|mwst satz|ust satz|tipo de iva|tipo iva|aliquota iva|btw tarief|btw percentage|stawka vat|stawka podatku"},
	{name: "vat_id", kind: kindIdent, class: classIdent,
		gloss: "vat tax id number registration tin fiscal tva btw mwst ust ustid iva nif nip cif intracommunautaire partita steuernummer vatin uid gstin abn identifikationsnummer intracom", party: "seller", twin: "buyer_vat_id",
		strong: "vat number|vat no|vat nr|vat id|vat reg no|vat registration number|vat registration no|vat tin|tax id|tax number|tax no|tin|" +
			"tva intracommunautaire|tva intra communautaire|tva intracom|n° tva|numéro de tva|n° de tva|numéro tva|tva intra|" +
			"ustid|ust id|ust idnr|ust id nr|umsatzsteuer id|ust identifikationsnummer|steuernummer|steuer nr|" +
			"nif|cif|btw nummer|btw nr|btw id|btw no|partita iva|p iva|nip|gstin",
		// The tax's own words, when an identifier follows them ("BTW NL810433941B01").
		weak: "vat|tva|btw|mwst|ust|iva|btw nr"},
	{name: "buyer_vat_id", kind: kindIdent, class: classIdent, party: "buyer", twin: "vat_id",
		gloss: "vat tax id number registration tin fiscal tva btw mwst ust ustid iva nif nip cif buyer customer client recipient purchaser payer addressee kunde kunden klant cliente acheteur käufer nabywca nabywcy odbiorca comprador acquirente",
		strong: "customer vat number|customer vat no|customer vat id|buyer vat number|buyer vat no|buyer vat id|client vat number|customer tax id|buyer tax id|" +
			"n° tva client|numéro de tva du client|tva client|kunden ust id|ust id des kunden|ust idnr des kunden|nif del cliente|cif cliente|btw nummer klant|partita iva cliente|nip nabywcy"},
	{name: "company_id", kind: kindIdent, class: classIdent,
		gloss: "registration company chamber commerce register siret siren kvk hrb regon krs", party: "seller",
		strong: "siret|siren|rcs|kvk|kvk nummer|coc|chamber of commerce|handelsregister|hrb|cin|regon|krs|registration number|company number|company no"},
	{name: "iban", kind: kindIBAN, class: classIdent,
		gloss: "iban bank account transfer wire rekening konto compte cuenta conto rachunek rachunku bankowego bancaire bancaria bankverbindung sepa rib beneficiary pay payment paid zahlung paiement pago pagamento betaling płatność", party: "seller",
		strong: "iban|bank account|account iban|iban code|iban number|iban no|compte bancaire|rekeningnummer|iban nummer|número de cuenta|cuenta bancaria|conto corrente|numer konta|nr konta"},
	{name: "bic", kind: kindIdent, class: classIdent,
		gloss:  "bic swift bank routing",
		strong: "bic|swift|swift code|bic code|swift bic|bic swift"},
	{name: "order_number", kind: kindIdent, class: classIdent,
		gloss: "order purchase number reference commande bestellung bestell auftrag pedido ordine bestelling zamówienia po zamówienie",
		strong: "order number|order no|order id|order ref|po number|po no|purchase order|purchase order number|" +
			"numéro de commande|n° de commande|commande n°|bestellnummer|auftragsnummer|bestellung nr|número de pedido|pedido n°|" +
			"ordernummer|bestelnummer|numero ordine|número do pedido|nr zamówienia"},
	{name: "customer_number", kind: kindIdent, class: classIdent,
		gloss: "customer client account number id kunde kunden klant cliente",
		strong: "customer number|customer no|customer id|account number|account no|client id|id client|client number|" +
			"numéro client|n° client|code client|kundennummer|kundennr|kunden nr|número de cliente|klantnummer|klant nr|codice cliente|nr klienta"},
	{name: "currency",
		gloss:  "currency code iso money symbol devise währung moneda valuta waluta moeda monnaie divisa munt",
		strong: "currency|devise|währung|moneda|valuta|waluta|moeda"},
	{name: "seller", kind: kindName,
		gloss:  "seller vendor supplier merchant issuer sender provider biller payee beneficiary store shop retailer company business trader firm name from sent issued issuing sold billed emitter emisor emisora lieferant anbieter verkäufer fournisseur vendeur émetteur proveedor vendedor fornitore venditore leverancier verkoper sprzedawca wystawca firma empresa entreprise société unternehmen bedrijf azienda restaurant brand outlet hotel händler geschäft laden magasin boutique commerçant tienda comercio negozio winkel sklep raison razón ragione sociale social denominazione",
		strong: "seller|vendor|supplier|sold by|issued by|billed by|invoice from|service provider|provided by|issuer|merchant|fournisseur|vendeur|émetteur|verkäufer|lieferant|rechnungssteller|proveedor|vendedor|emisor|leverancier|verkoper|fornitore|venditore|fornecedor|sprzedawca",
		weak:   "from"},
	{name: "buyer", kind: kindName,
		gloss:  "buyer customer client recipient purchaser payer addressee addressed billed consignee receiver company business name firm käufer kunde kunden empfänger rechnungsempfänger acheteur destinataire cliente comprador destinatario klant afnemer nabywca odbiorca acquirente committente shopper raison razón ragione sociale social denominazione",
		strong: "buyer|bill to|billed to|invoice to|sold to|billing address|acheteur|adresse de facturation|facturé à|adresse du client|adresse client|käufer|rechnungsempfänger|leistungsempfänger|rechnungsadresse|comprador|facturar a|dirección de facturación|factuuradres|koper|acquirente|fatturare a|nabywca",
		weak:   "customer|client|kunde|kunden|cliente|klant"},
	{name: "ship_to", kind: kindName,
		gloss:  "ship shipping delivery deliver delivered consignee address recipient",
		strong: "ship to|shipping address|delivery address|deliver to|warenempfänger|lieferung an|adresse de livraison|livré à|lieferadresse|lieferanschrift|dirección de envío|dirección de entrega|afleveradres|leveringsadres|indirizzo di consegna|endereço de entrega|adres dostawy"},
	{name: "payment_terms",
		gloss:  "payment terms conditions",
		strong: "payment terms|terms of payment|conditions de paiement|zahlungsbedingungen|condiciones de pago|betalingsvoorwaarden|termini di pagamento"},
}

// itemConcepts name the columns of line-item tables.
var itemConcepts = []conceptDef{
	{name: "description", class: classText,
		strong: "description|desc|item description|item|article|product|service|designation|désignation|libellé|produit|" +
			"beschreibung|bezeichnung|artikel|leistung|artikelbezeichnung|descripción|concepto|producto|artículo|" +
			"omschrijving|descrizione|articolo|descrição|produto|nazwa|nazwa towaru|nazwa usługi",
		weak: "name|title|items|products|details"},
	{name: "quantity", class: classAmount,
		strong: "quantity|qty|qté|quantité|nombre|menge|anzahl|cantidad|cant|aantal|hoeveelheid|quantità|qtà|quantidade|qtd|ilość|units|hours|hrs|pcs"},
	{name: "unit_price", class: classAmount,
		strong: "unit price|price unit|price per unit|unit cost|rate|prix unitaire|pu|p u|pu ht|p u ht|prix unit|" +
			"einzelpreis|stückpreis|ep|vk preis|precio unitario|precio unidad|prijs per stuk|stukprijs|eenheidsprijs|prezzo unitario|preço unitário|cena jednostkowa|cena",
		weak: "price|prix|preis|precio|prijs|prezzo|preço"},
	{name: "line_amount", class: classAmount,
		strong: "amount|line total|total|line amount|price subtotal|subtotal|montant|montant ht|total ht|prix total|" +
			"betrag|gesamtpreis|zeilenbetrag|gesamt|importe|total línea|bedrag|totaal|importo|totale|valor|wartość|kwota"},
	{name: "tax_rate", class: classAmount,
		strong: "tax rate|tax %|vat %|vat rate|% tva|taux tva|steuersatz|% iva|btw %|iva %|aliquota|stawka vat|tax percent|line tax percent|taxpercent",
		weak:   "tax|vat|tva|mwst|ust|iva|btw|taxes"},
	{name: "unit", class: classText,
		strong: "unit|uom|unit of measure|unité|einheit|unidad|eenheid|unità|unidade|jm|jednostka"},
	{name: "code", class: classIdent,
		strong: "code|sku|item code|item no|item number|article no|article number|ref|référence|reference|artikelnummer|art nr|artikel nr|artikelnr|código|codice|ean|barcode|part number|part no"},
	{name: "discount", class: classAmount,
		strong: "discount|disc|remise|rabatt|descuento|korting|sconto|desconto|rabat"},
	{name: "position", class: classIdent,
		strong: "pos|position|line|lp"},
}

func newLexicon() *lexicon {
	l := &lexicon{}
	build := func(defs []conceptDef) []*concept {
		cs := make([]*concept, 0, len(defs))
		for _, d := range defs {
			c := &concept{name: d.name, kind: d.kind, class: d.class, last: d.last, issueDate: d.issueDate,
				strong: splitTerms(d.strong), weak: splitTerms(d.weak)}
			cs = append(cs, c)
		}
		return cs
	}
	l.doc = build(docConcepts)
	l.item = build(itemConcepts)
	l.vocab = newVocabulary(docConcepts, itemConcepts)
	buildBags(l.vocab, l.doc, docConcepts)
	buildBags(l.vocab, l.item, itemConcepts)
	l.byFirst = map[string][]termRef{}
	for _, c := range l.doc {
		for _, t := range c.strong {
			l.byFirst[t[0]] = append(l.byFirst[t[0]], termRef{c, t, false})
		}
		for _, t := range c.weak {
			l.byFirst[t[0]] = append(l.byFirst[t[0]], termRef{c, t, true})
		}
	}
	return l
}

// splitTerms tokenizes "a b|c" into [[a b] [c]].
func splitTerms(s string) [][]string {
	var terms [][]string
	for _, t := range strings.Split(s, "|") {
		if toks := normTokens(t); len(toks) > 0 {
			terms = append(terms, toks)
		}
	}
	return terms
}

// genericWords may surround a concept's term in a field key without
// changing its meaning: "invoice_total" is the total, "tax_amount" the tax,
// but "shipping_date" is not the invoice date.
var genericWords = map[string]bool{
	"amount": true, "value": true, "number": true, "no": true, "nr": true, "num": true, "id": true,
	"invoice": true, "document": true, "doc": true, "total": true, "the": true, "of": true,
	"name": true,
	// "amount" and "sum" in the lexicon's languages: "vat_sum" is the tax.
	"sum": true, "summe": true, "betrag": true, "somme": true, "montant": true, "suma": true, "importe": true,
	"somma": true, "importo": true, "som": true, "bedrag": true, "kwota": true, "valor": true,
}

// resolve finds the concept a field's key (or, failing that, its
// description) names among those ok accepts: a term equal to the phrase,
// or a term inside it when the other words are generic. Longer terms win;
// nil when none fits.
func resolve(phrases [][]string, set []*concept, ok func(*concept) bool) *concept {
	for _, p := range phrases {
		if len(p) == 0 {
			continue
		}
		var best *concept
		bestScore := 0
		for _, c := range set {
			if !ok(c) {
				continue
			}
			for _, terms := range [][][]string{c.strong, c.weak} {
				for _, t := range terms {
					score := 0
					switch {
					case equalToks(p, t):
						score = 1000 + len(t)
					case containsOnlyGeneric(p, t):
						score = len(t)
					}
					if score > bestScore {
						best, bestScore = c, score
					}
				}
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// containsOnlyGeneric reports whether term occurs in phrase and every other
// word of phrase is generic.
func containsOnlyGeneric(phrase, term []string) bool {
	for i := 0; i+len(term) <= len(phrase); i++ {
		if !equalToks(phrase[i:i+len(term)], term) {
			continue
		}
		ok := true
		for j, w := range phrase {
			if (j < i || j >= i+len(term)) && !genericWords[w] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func equalToks(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// stopWords do not count towards how much of a label cell a label explains.
var stopWords = map[string]bool{
	"the": true, "of": true, "for": true, "this": true, "on": true, "a": true, "an": true, "to": true, "in": true, "at": true, "by": true, "from": true, "with": true, "and": true, "or": true, "your": true, "our": true,
	"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "d": true, "l": true, "au": true, "aux": true, "et": true, "en": true, "votre": true, "notre": true,
	"der": true, "die": true, "das": true, "dem": true, "den": true, "von": true, "vom": true, "zum": true, "zur": true, "und": true, "im": true, "am": true, "ihre": true,
	"el": true, "los": true, "las": true, "del": true, "y": true, "con": true, "su": true,
	"van": true, "het": true, "een": true, "voor": true, "op": true, "uw": true,
	"di": true, "da": true, "do": true, "dos": true, "e": true, "em": true, "il": true, "w": true, "z": true, "na": true,
	"eur": true, "usd": true, "gbp": true, "chf": true, "pln": true, "inr": true, "rs": true,
}
