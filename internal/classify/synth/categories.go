package synth

// CategorySpec is a category as a user would describe it, and the kinds of
// generated document that belong in it. The wording is what a person
// setting up a classification would type; it is not tuned to the
// templates.
type CategorySpec struct {
	Name        string
	Description string
	Keywords    []string
	Kinds       []Kind
}

// CategorySets are three ways of describing the same six categories:
// "keywords" with descriptions and a few keywords each, "terse" with short
// descriptions and no keywords, and "french", written by a French-speaking
// user. Calibration is fitted on the first two; the third is for checking
// that it carries over to wording it never saw.
var CategorySets = map[string][]CategorySpec{
	"keywords": {
		{"Invoice", "A bill from a supplier asking us to pay for goods or services.", []string{"invoice number", "amount due", "VAT"}, []Kind{Invoice}},
		{"Receipt", "Proof of payment from a shop, restaurant or taxi.", []string{"cash", "change", "thank you"}, []Kind{Receipt}},
		{"Letter or memo", "A letter or internal memo written to a person or to staff.", []string{"dear", "sincerely"}, []Kind{Letter, Memo}},
		{"Form", "A form with fields to fill in, like an application or a registration.", []string{"signature", "date of birth"}, []Kind{Form}},
		{"Contract", "A contract or agreement between two parties, with terms and signatures.", []string{"agreement", "party", "terminate"}, []Kind{Contract}},
		{"Purchase order", "An order we send to a supplier to buy goods.", []string{"PO number", "ship to", "delivery date"}, []Kind{PurchaseOrder}},
	},
	"terse": {
		{"Invoices", "Supplier invoices to be paid", nil, []Kind{Invoice}},
		{"Receipts", "Till receipts and expense receipts", nil, []Kind{Receipt}},
		{"Correspondence", "Letters and memos", nil, []Kind{Letter, Memo}},
		{"Forms", "Application and registration forms", nil, []Kind{Form}},
		{"Contracts", "Signed agreements and contracts", nil, []Kind{Contract}},
		{"Purchase orders", "Orders we sent to suppliers", nil, []Kind{PurchaseOrder}},
	},
	"french": {
		{"Factures", "Factures des fournisseurs à payer", nil, []Kind{Invoice}},
		{"Tickets de caisse", "Reçus et tickets de caisse des magasins, restaurants et taxis", nil, []Kind{Receipt}},
		{"Courrier", "Lettres et notes internes", nil, []Kind{Letter, Memo}},
		{"Formulaires", "Formulaires à remplir, demandes, inscriptions", nil, []Kind{Form}},
		{"Contrats", "Contrats et accords signés", nil, []Kind{Contract}},
		{"Bons de commande", "Bons de commande envoyés aux fournisseurs", nil, []Kind{PurchaseOrder}},
	},
}

// Unknown describes categories the classifier's built-in vocabulary has
// no concept for, made of the kinds that fit none of CategorySets (the
// invoices, letters and the rest then fit none): what a user gets from
// the zero-shot classifier alone on document kinds it was not built for.
// It is for measuring only; calibration never sees it.
var Unknown = []CategorySpec{
	{"Recipes", "Cooking recipes with ingredients and steps", nil, []Kind{Recipe}},
	{"News", "Newspaper articles", []string{"news"}, []Kind{News}},
	{"Timetables", "Bus, train and ferry timetables", nil, []Kind{Timetable}},
	{"Technical notes", "Release notes, runbooks and technical documentation", []string{"version"}, []Kind{TechNote}},
}

// CategoryOf returns the index of the category of set that kind belongs
// to, or -1 when it fits none.
func CategoryOf(set []CategorySpec, kind Kind) int {
	for i, c := range set {
		for _, k := range c.Kinds {
			if k == kind {
				return i
			}
		}
	}
	return -1
}

// Pair is a classification of two confusable categories as a user might
// first describe them, too vaguely for the zero-shot classifier alone:
// what corrections are for.
type Pair struct {
	Name string
	Cats [2]CategorySpec
}

// Pairs are the confusable pairs the corrections are measured on.
var Pairs = []Pair{
	{"invoice/purchase order", [2]CategorySpec{
		{Name: "Bills", Description: "Documents from suppliers about goods", Kinds: []Kind{Invoice}},
		{Name: "Orders", Description: "Documents to suppliers about goods", Kinds: []Kind{PurchaseOrder}},
	}},
	{"receipt/invoice", [2]CategorySpec{
		{Name: "Expenses", Description: "What staff paid for", Kinds: []Kind{Receipt}},
		{Name: "Payables", Description: "What we have to pay", Kinds: []Kind{Invoice}},
	}},
}
