package classify

import "strings"

// A concept is a kind of document the classifier knows without being told:
// the words that name it (triggers) link a user's category to it, and its
// cues are phrases that documents of that kind tend to contain, in
// English, French, German and Spanish. A category whose name or
// description names a concept inherits its cues, so "Invoice: a bill from
// a supplier" recognises "Rechnungsnummer" and "Total TTC" without the
// user listing them.
type concept struct {
	name     string
	triggers []string // phrases naming the kind; matched against category text
	cues     []string // phrases found in documents of the kind; "~" marks a weak one, common elsewhere too
	layout   layoutKind
}

// layoutKind is which layout cue supports a concept.
type layoutKind int

const (
	layoutNone layoutKind = iota
	layoutAmounts
	layoutLetter
	layoutMemo
	layoutForm
	layoutClauses
)

var concepts = []concept{
	{
		name:     "invoice",
		triggers: []string{"invoice", "bill", "billing", "facture", "rechnung", "factura", "fattura", "factuur", "faktura", "vendor bill", "supplier bill"},
		cues: []string{"invoice", "invoice number", "invoice no", "invoice date", "tax invoice", "bill to", "billed to", "amount due", "balance due", "total due", "due date", "payment due", "payment terms", "please pay", "~subtotal", "~vat", "~tax", "unit price", "~qty", "~iban", "~remit",
			"facture", "numero de facture", "date de facture", "facture a", "total ttc", "total ht", "net a payer", "~tva", "echeance", "montant du",
			"rechnung", "rechnungsnummer", "rechnungsdatum", "rechnungsbetrag", "mwst", "~ust", "zahlbar", "nettobetrag", "faellig", "fallig",
			"factura", "numero de factura", "fecha de factura", "~iva", "base imponible", "total factura", "vencimiento", "~importe",
			"factuur", "factuurnummer", "factuurdatum", "factuurnr", "~btw", "te betalen", "vervaldatum", "totaal",
			"faktura", "faktury", "data wystawienia", "nabywca", "sprzedawca", "do zaplaty", "razem",
			"fattura", "partita iva", "totale", "scadenza", "imponibile",
			"rechnungsnr", "rechnung nr", "re nr", "kundennr"},
		layout: layoutAmounts,
	},
	{
		name:     "receipt",
		triggers: []string{"receipt", "till receipt", "sales receipt", "proof of purchase", "proof of payment", "ticket de caisse", "recu", "quittung", "kassenbon", "beleg", "recibo", "ticket", "expense receipt"},
		cues: []string{"receipt", "~cash", "~change", "change due", "cashier", "thank you for shopping", "come again", "card payment", "contactless", "~visa", "~mastercard", "~debit", "~tip", "~table", "total paid", "amount paid", "~terminal", "auth code", "~returns", "~fare", "~trans",
			"~ticket", "ticket de caisse", "recu", "especes", "rendu", "~monnaie", "~caisse", "caissier", "~cb", "merci de votre visite", "sans contact",
			"kassenbon", "quittung", "beleg", "~bar", "ruckgeld", "rueckgeld", "~kasse", "~summe", "ec karte", "girocard", "vielen dank fur ihren einkauf",
			"taxi", "~ride", "gratuity", "ticket de compra", "payment received", "~paid", "paye", "bezahlt", "pagado", "propina", "trinkgeld", "pourboire", "kassenbeleg", "bon", "bon nr",
			"efectivo", "~cambio", "cajero", "~caja", "gracias por su compra", "~tarjeta", "factura simplificada"},
		layout: layoutAmounts,
	},
	{
		name:     "letter",
		triggers: []string{"letter", "correspondence", "mail", "courrier", "lettre", "brief", "schreiben", "carta", "correspondencia"},
		cues: []string{"~dear", "sincerely", "yours sincerely", "yours faithfully", "kind regards", "best regards", "~regards", "enclosure", "encl", "i am writing", "look forward", "please do not hesitate",
			"~madame", "~monsieur", "cordialement", "~salutations", "objet", "veuillez agreer", "ci joint", "p j",
			"sehr geehrte", "sehr geehrter", "mit freundlichen grussen", "freundliche grusse", "betreff", "anlage", "hochachtungsvoll",
			"~estimado", "~estimada", "atentamente", "~saludo", "asunto", "muy senores"},
		layout: layoutLetter,
	},
	{
		name:     "memo",
		triggers: []string{"memo", "memorandum", "internal note", "note de service", "note interne", "aktennotiz", "mitteilung", "memorandum interno", "nota interna", "circular", "announcement"},
		cues: []string{"memo", "memorandum", "~cc", "all staff", "~staff", "~team", "please be advised", "~department", "~internal", "~employees", "~policy", "~meeting",
			"note de service", "note interne", "~personnel", "~equipe",
			"aktennotiz", "interne mitteilung", "hausmitteilung", "mitarbeitend", "~abteilung",
			"nota interna", "~personal", "comunicado", "~empleados"},
		layout: layoutMemo,
	},
	{
		name:     "form",
		triggers: []string{"form", "application", "questionnaire", "registration", "enrolment", "enrollment", "formulaire", "formular", "antrag", "formulario", "solicitud", "impreso", "fill in", "filled in", "blank fields"},
		cues: []string{"~form", "application form", "please complete", "fill in", "block capitals", "~tick", "~signature", "date of birth", "surname", "first name", "full name", "postcode", "~applicant", "office use only", "mandatory", "~declare", "~nationality", "~occupation",
			"formulaire", "remplir", "cochez", "~nom", "prenom", "date de naissance", "lieu de naissance", "code postal", "demandeur", "obligatoire",
			"formular", "antrag", "ausfullen", "ankreuzen", "vorname", "geburtsdatum", "~unterschrift", "antragsteller", "pflichtfeld",
			"formulario", "rellene", "~marque", "apellido", "fecha de nacimiento", "~firma", "solicitante", "obligatorio"},
		layout: layoutForm,
	},
	{
		name:     "contract",
		triggers: []string{"contract", "agreement", "lease", "nda", "non disclosure", "terms and conditions", "contrat", "accord", "bail", "vertrag", "vereinbarung", "contrato", "acuerdo", "arrendamiento", "legal"},
		cues: []string{"agreement", "contract", "~party", "parties", "hereinafter", "whereas", "~shall", "term and termination", "~termination", "governing law", "confidentiality", "~liability", "in witness whereof", "effective date", "~terminate", "~notice", "clause", "~schedule", "~witness", "~tenant", "~landlord", "~employee", "~employer",
			"contrat", "parties", "ci apres", "resiliation", "preavis", "~article", "soussigne", "lu et approuve", "convenu", "bail",
			"vertrag", "vertragsparteien", "vereinbarung", "kundigung", "auftragnehmer", "auftraggeber", "vertragsgegenstand", "schriftform", "gekundigt",
			"contrato", "las partes", "en adelante", "clausula", "reunidos", "exponen", "resolucion", "preaviso", "arrendamiento"},
		layout: layoutClauses,
	},
	{
		name:     "purchase_order",
		triggers: []string{"purchase order", "po", "p o", "order form", "purchase", "procurement", "bon de commande", "commande", "bestellung", "bestellschein", "auftrag", "orden de compra", "pedido"},
		cues: []string{"purchase order", "po number", "p o", "order number", "order date", "~vendor", "~supplier", "ship to", "deliver to", "delivery address", "delivery date", "required by", "ship via", "incoterms", "authorized by", "approved by", "requisition", "~buyer", "order total", "~please confirm",
			"bon de commande", "~commande", "~fournisseur", "~livraison", "adresse de livraison", "acheteur", "bon pour accord",
			"bestellung", "bestellnummer", "bestelldatum", "~lieferant", "lieferadresse", "liefertermin", "bestellwert", "einkaufer", "versandart",
			"orden de compra", "~pedido", "numero de pedido", "~proveedor", "~entrega", "direccion de entrega", "comprador", "autorizado"},
		layout: layoutAmounts,
	},
	{
		name:     "quote",
		triggers: []string{"quote", "quotation", "estimate", "offer", "devis", "angebot", "kostenvoranschlag", "presupuesto", "cotizacion"},
		cues:     []string{"quote", "quotation", "estimate", "valid until", "valid for", "offer", "devis", "valable", "angebot", "gultig bis", "presupuesto", "validez"},
		layout:   layoutAmounts,
	},
	{
		name:     "delivery_note",
		triggers: []string{"delivery note", "packing slip", "dispatch note", "bon de livraison", "lieferschein", "albaran"},
		cues:     []string{"delivery note", "packing slip", "delivered", "received by", "shipped", "bon de livraison", "lieferschein", "albaran", "colis", "parcel"},
	},
	{
		name:     "statement",
		triggers: []string{"statement", "bank statement", "account statement", "releve", "kontoauszug", "extracto"},
		cues:     []string{"statement", "opening balance", "closing balance", "~balance", "account number", "transactions", "~credit", "~debit", "releve de compte", "~solde", "kontoauszug", "kontostand", "extracto", "~saldo"},
		layout:   layoutAmounts,
	},
	{
		name:     "payslip",
		triggers: []string{"payslip", "pay slip", "salary", "pay stub", "wage", "bulletin de paie", "fiche de paie", "lohnabrechnung", "gehaltsabrechnung", "nomina"},
		cues:     []string{"payslip", "gross pay", "net pay", "~salary", "deductions", "national insurance", "income tax", "~employee", "~salaire", "~brut", "net a payer", "cotisations", "bruttolohn", "nettolohn", "lohnsteuer", "salario", "nomina", "devengos"},
		layout:   layoutAmounts,
	},
	{
		name:     "resume",
		triggers: []string{"resume", "cv", "curriculum vitae", "lebenslauf", "curriculum"},
		cues:     []string{"experience", "education", "skills", "languages", "references", "employment history", "curriculum vitae", "experience professionnelle", "formation", "competences", "berufserfahrung", "ausbildung", "kenntnisse", "experiencia", "formacion", "habilidades"},
	},
}

// stopwords are words too common to be evidence for any category, in the
// four languages the vocabulary covers. They are compared after folding
// and stemming.
var stopwords = setOf(
	"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "from", "with", "by", "at", "as", "is", "are", "be", "been", "it", "its", "this", "that", "these", "those", "we", "us", "our", "you", "your", "they", "them", "their", "he", "she", "his", "her", "i", "me", "my", "not", "no", "any", "all", "some", "such", "which", "who", "what", "when", "where", "how", "about", "into", "over", "under", "other", "one", "can", "may", "will", "would", "should", "do", "does", "has", "have", "had", "was", "were", "there", "here", "also", "e", "g", "eg", "ie", "etc", "like", "usually", "typically", "often", "sometimes", "kind", "type", "document", "documents", "file", "files", "page", "pages", "something", "thing", "things", "anything", "every", "each", "per", "than", "then", "so", "if", "but",
	"le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "en", "au", "aux", "pour", "par", "sur", "avec", "dans", "qui", "que", "est", "sont", "ce", "cette", "ces", "nous", "vous", "il", "elle",
	"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "und", "oder", "zu", "im", "in", "mit", "von", "fur", "auf", "ist", "sind", "wir", "sie", "es",
	"el", "los", "las", "una", "unos", "y", "o", "del", "al", "con", "por", "para", "que", "es", "son", "su", "sus", "nos",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		for _, s := range words(w) {
			m[s] = true
		}
	}
	return m
}

// compiledConcept is a concept with its cues split into words.
type compiledConcept struct {
	name     string
	triggers []string
	cues     []phrase
	layout   layoutKind
}

// vocab is the compiled vocabulary. It is built once at start-up and only
// read afterwards.
var vocab = compileVocab()

func compileVocab() struct{ concepts []compiledConcept } {
	var v struct{ concepts []compiledConcept }
	for _, c := range concepts {
		cc := compiledConcept{name: c.name, triggers: c.triggers, layout: c.layout}
		seen := map[string]bool{}
		named := map[string]bool{}
		for _, t := range c.triggers {
			named[strings.Join(words(t), " ")] = true
		}
		for _, q := range c.cues {
			weight := 1.0
			if strings.HasPrefix(q, "~") {
				q, weight = q[1:], 0.35
			}
			w := words(q)
			key := strings.Join(w, " ")
			if len(w) == 0 || seen[key] || (len(w) == 1 && stopwords[w[0]]) {
				continue
			}
			seen[key] = true
			if named[key] && weight == 1 {
				// The kind's own name ("Memorandum", "Rechnung") says most.
				weight = 3
			}
			named := named[key]
			cc.cues = append(cc.cues, phrase{words: w, label: q, weight: weight * (1 + 0.5*float64(len(w)-1)), named: named})
		}
		v.concepts = append(v.concepts, cc)
	}
	return v
}
