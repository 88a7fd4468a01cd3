package einvoice

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseFile(t *testing.T, name string) *Invoice {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := Parse(f, 1<<20)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return inv
}

// The expectations are read off the XML files in testdata by hand.
func TestParseRealFiles(t *testing.T) {
	t.Parallel()
	lieferant := Party{Name: "Lieferant GmbH", VATID: "DE123456789", TaxNumber: "201/113/40209",
		Address: Address{Lines: []string{"Lieferantenstraße 20"}, City: "München", PostCode: "80333", Country: "DE"}}
	kunde := Party{Name: "Kunden AG Mitte", Address: Address{Lines: []string{"Kundenstraße 15"}, City: "Frankfurt", PostCode: "69876", Country: "DE"}}
	taxes7and19 := []Tax{{Category: "S", Rate: "7", Basis: "275.00", Amount: "19.25"}, {Category: "S", Rate: "19", Basis: "198.00", Amount: "37.62"}}
	// The two lines of the invoice of totals529, most often in unit H87.
	trennblaetter := Line{ID: "1", Name: "Trennblätter A4", Quantity: "20", Unit: "H87", UnitPrice: "9.90", NetAmount: "198.00", TaxRate: "19"}
	joghurt := Line{ID: "2", Name: "Joghurt Banane", Quantity: "50", Unit: "H87", UnitPrice: "5.50", NetAmount: "275.00", TaxRate: "7"}
	inUnit := func(l Line, unit string) Line { l.Unit = unit; return l }
	totals529 := Totals{LineTotal: "473.00", Allowances: "0.00", Charges: "0.00", TaxBasis: "473.00", Tax: "56.87", GrandTotal: "529.87", Prepaid: "0.00", DuePayable: "529.87"}

	tests := []struct {
		file      string
		want      Invoice // without Lines
		lines     int
		firstLine Line
		lastLine  Line
	}{
		{
			file: "cii1-comfort.xml",
			want: Invoice{
				Syntax: SyntaxCII1, Profile: ProfileComfort, Guideline: "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort",
				ID: "471102", TypeCode: "380", IssueDate: "2013-03-05", DueDate: "2013-04-04", Currency: "EUR",
				Seller: lieferant, Buyer: kunde,
				PaymentReference: "2013-471102",
				PaymentTerms:     "Zahlbar innerhalb 30 Tagen netto bis 04.04.2013, 3% Skonto innerhalb 10 Tagen bis 15.03.2013",
				PaymentMeansCode: "31", IBAN: "DE08700901001234567890", BIC: "GENODEF1M04",
				Totals: totals529, Taxes: taxes7and19,
			},
			lines:     2,
			firstLine: inUnit(trennblaetter, "C62"),
			lastLine:  inUnit(joghurt, "C62"),
		},
		{
			file: "cii-minimum.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileMinimum, Guideline: "urn:factur-x.eu:1p0:minimum",
				ID: "F20260023", TypeCode: "380", IssueDate: "2026-01-31", Currency: "EUR",
				Seller:         Party{Name: "LE FOURNISSEUR", VATID: "FR11123456782", Address: Address{Country: "FR"}},
				Buyer:          Party{Name: "LE CLIENT"},
				OrderReference: "PO201925478", BuyerReference: "SERVEXEC",
				Totals: Totals{TaxBasis: "100.00", Tax: "4.90", GrandTotal: "104.90", DuePayable: "104.90"},
			},
		},
		{
			file: "cii-basicwl.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileBasicWL, Guideline: "urn:factur-x.eu:1p0:basicwl",
				ID: "F20260023", TypeCode: "380", IssueDate: "2026-01-31", DueDate: "2026-03-02", Currency: "EUR",
				Seller: Party{Name: "LE FOURNISSEUR", TradingName: "SELLER TRADE NAME", VATID: "FR11123456782",
					Address:           Address{Lines: []string{"35 rue d'ici", "Seller line 2", "Seller line 3"}, City: "PARIS", PostCode: "75018", Country: "FR"},
					ElectronicAddress: "moi@seller.com", ElectronicScheme: "EM"},
				Buyer: Party{Name: "LE CLIENT", VATID: "FR 05 987 654 321",
					Address:           Address{Lines: []string{"MON ADRESSE LIGNE 1", "Buyer line 2", "Buyer line 3"}, City: "MA VILLE", PostCode: "06000", Country: "FR"},
					ElectronicAddress: "me@buyer.com", ElectronicScheme: "EM"},
				OrderReference: "PO201925478", BuyerReference: "SERVEXEC", PaymentReference: "F20260023BUYER",
				PaymentTerms: "PAIEMENT 30 JOURS NET", PaymentMeansCode: "30", IBAN: "FR20 1254 2547 2569 8542 5874 698",
				Totals: Totals{LineTotal: "95.00", Allowances: "9.00", Charges: "14.00", TaxBasis: "100.00", Tax: "4.90", GrandTotal: "104.90", Prepaid: "0.00", DuePayable: "104.90"},
				Taxes: []Tax{
					{Category: "S", Rate: "20", Basis: "11.00", Amount: "2.20"},
					{Category: "E", Rate: "0", Basis: "60.00", Amount: "0.00", ExemptionReason: "DEBOURS"},
					{Category: "S", Rate: "10", Basis: "27.00", Amount: "2.70"},
					{Category: "K", Rate: "0", Basis: "2.00", Amount: "0.00", ExemptionReason: "LIVRAISON INTRACOMMUNAUTAIRE"},
				},
			},
		},
		{
			file: "cii-basic.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileBasic, Guideline: "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
				ID: "471102", TypeCode: "380", IssueDate: "2024-11-15", DueDate: "2024-12-15", Currency: "EUR",
				Seller:       lieferant,
				Buyer:        Party{Name: "Kunden AG Mitte", Address: Address{Lines: []string{"Hans Muster", "Kundenstraße 15"}, City: "Frankfurt", PostCode: "69876", Country: "DE"}},
				PaymentTerms: "Zahlbar innerhalb 30 Tagen netto bis 25.12.2024, 3% Skonto innerhalb 10 Tagen bis 25.11.2024.",
				Totals:       Totals{LineTotal: "198.00", Allowances: "0.00", Charges: "0.00", TaxBasis: "198.00", Tax: "37.62", GrandTotal: "235.62", Prepaid: "0.00", DuePayable: "235.62"},
				Taxes:        []Tax{{Category: "S", Rate: "19", Basis: "198.00", Amount: "37.62"}},
			},
			lines:     1,
			firstLine: Line{ID: "1", Name: "GTIN: 4012345001235 Unsere Art.-Nr.: TB100A4 Trennblätter A4", Quantity: "20", Unit: "H87", UnitPrice: "9.90", NetAmount: "198.00", TaxRate: "19"},
		},
		{
			file: "cii-en16931.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileEN16931, Guideline: "urn:cen.eu:en16931:2017",
				ID: "471102", TypeCode: "380", IssueDate: "2018-03-05", Currency: "EUR",
				Seller: lieferant, Buyer: kunde, BuyerReference: "08154711",
				PaymentTerms:     "Zahlbar innerhalb 30 Tagen netto bis 04.04.2018, 3% Skonto innerhalb 10 Tagen bis 15.03.2018",
				PaymentMeansCode: "58", IBAN: "DE5467894567876500",
				Totals: totals529, Taxes: taxes7and19,
			},
			lines:     2,
			firstLine: trennblaetter,
			lastLine:  joghurt,
		},
		{
			file: "cii-extended.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileExtended, Guideline: "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
				ID: "KR87654321012", TypeCode: "380", IssueDate: "2018-10-06", Currency: "EUR",
				Seller:           Party{Name: "MUSTERLIEFERANT GMBH", TaxNumber: "201/113/40209", Address: Address{Lines: []string{"BAHNHOFSTRASSE 99"}, City: "MUSTERHAUSEN", PostCode: "99199", Country: "DE"}},
				Buyer:            Party{Name: "MUSTER-KUNDE GMBH", Address: Address{Lines: []string{"KUNDENWEG 88"}, City: "DUESSELDORF", PostCode: "40235", Country: "DE"}},
				BuyerReference:   "08154712",
				PaymentTerms:     "Skontovereinbarung: 2% bei Zahlung innerhalb 10 Tagen nach Rechnungsdatum",
				PaymentMeansCode: "58", IBAN: "DE5467894567876500",
				Totals: Totals{LineTotal: "410.10", Allowances: "21.55", Charges: "15.00", TaxBasis: "403.55", Tax: "76.67", GrandTotal: "480.22", Prepaid: "0.00", DuePayable: "480.22"},
				Taxes:  []Tax{{Category: "S", Rate: "19", Basis: "403.55", Amount: "76.67"}},
			},
			lines:     5,
			firstLine: Line{ID: "1", Name: "Wirkarbeit HT", Quantity: "10000", Unit: "KWH", UnitPrice: "0.052", NetAmount: "52.00", TaxRate: "19"},
		},
		{
			file: "ubl-xrechnung.xml",
			want: Invoice{
				Syntax: SyntaxUBL, Profile: ProfileXRechnung, Guideline: "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
				ID: "471102", TypeCode: "380", IssueDate: "2024-11-15", Currency: "EUR",
				Seller: func() Party {
					p := lieferant
					p.ElectronicAddress, p.ElectronicScheme = "info@Mustermann.de", "EM"
					return p
				}(),
				Buyer:            func() Party { p := kunde; p.ElectronicAddress, p.ElectronicScheme = "info@kunde.de", "EM"; return p }(),
				BuyerReference:   "04011000-12345-34",
				PaymentTerms:     "Zahlbar innerhalb 30 Tagen netto bis 15.12.2024, 3% Skonto innerhalb 10 Tagen bis 25.11.2024",
				PaymentMeansCode: "58", IBAN: "DE02120300000000202051", BIC: "BYLADEM1001",
				Totals: totals529, Taxes: taxes7and19,
			},
			lines:     2,
			firstLine: trennblaetter,
			lastLine:  joghurt,
		},
		{
			file: "cii-xrechnung.xml",
			want: Invoice{
				Syntax: SyntaxCII, Profile: ProfileXRechnung, Guideline: "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
				ID: "1234/78/901", TypeCode: "380", IssueDate: "2016-06-16", Currency: "EUR",
				Seller: Party{Name: "[Seller name]", TradingName: "[Seller trading name]", TaxNumber: "12/345/67890",
					Address:           Address{Lines: []string{"[Seller address line 1]", "[Seller address line 2]"}, City: "[Seller city]", PostCode: "12345", Country: "DE"},
					ElectronicAddress: "seller@email.de", ElectronicScheme: "EM"},
				Buyer: Party{Name: "[Buyer name]",
					Address:           Address{Lines: []string{"[Buyer address line 1]", "[Buyer address line 2]"}, City: "[Buyer city]", PostCode: "12345", Country: "DE"},
					ElectronicAddress: "buyer@info.de", ElectronicScheme: "EM"},
				BuyerReference:   "04011000-12348-91",
				PaymentTerms:     "Wir möchten Sie bitten, die Teilnahmegebühr iHv. 120,00 € innerhalb von 14 Tagen auf das oben genannte Konto unter Angabe der Rechnungsnummer 1234/78/901 zu überweisen.",
				PaymentMeansCode: "58", IBAN: "DE79000000001234567890",
				Totals: Totals{LineTotal: "120.00", TaxBasis: "120.00", Tax: "0.00", GrandTotal: "120.00", DuePayable: "120.00"},
				Taxes:  []Tax{{Category: "O", Rate: "0", Basis: "120.00", Amount: "0.00", ExemptionReason: "als gemeinnützig anerkannt"}},
			},
			lines:     1,
			firstLine: Line{ID: "Teilnahmegebühr", Name: "Teilnahmegebühr", Quantity: "1", Unit: "XPP", UnitPrice: "120.00", NetAmount: "120.00"},
		},
		{
			file: "ubl-peppol.xml",
			want: Invoice{
				Syntax: SyntaxUBL, Profile: ProfilePEPPOL, Guideline: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
				ID: "471102", TypeCode: "380", IssueDate: "2018-03-05", Currency: "EUR",
				Seller:       lieferant,
				Buyer:        kunde,
				PaymentTerms: "Zahlbar innerhalb 30 Tagen netto bis 04.04.2018, 3% Skonto innerhalb 10 Tagen bis 15.03.2018",
				Totals:       totals529, Taxes: taxes7and19,
			},
			lines:     2,
			firstLine: trennblaetter,
			lastLine:  joghurt,
		},
		{
			file: "ubl-creditnote.xml", // starts with a byte-order mark
			want: Invoice{
				Syntax: SyntaxUBL, ID: "TOSL108", TypeCode: "381", IssueDate: "2009-12-15", Currency: "EUR",
				Seller: Party{Name: "The Sellercompany Incorporated", TradingName: "Salescompany ltd.", VATID: "DK12345",
					Address:           Address{Lines: []string{"Main street", "Suite 123"}, City: "Big city", PostCode: "54321", Country: "DK"},
					ElectronicAddress: "1234567890123", ElectronicScheme: "GLN"},
				Buyer: Party{Name: "The buyercompany inc.", TradingName: "Buyercompany ltd", VATID: "BE54321",
					Address:           Address{Lines: []string{"Anystreet", "Back door"}, City: "Anytown", PostCode: "101", Subdivision: "RegionB", Country: "BE"},
					ElectronicAddress: "1234567987654", ElectronicScheme: "GLN"},
				OrderReference: "123",
				Totals:         Totals{LineTotal: "1436.50", Allowances: "100.00", Charges: "100.00", TaxBasis: "1436.50", Tax: "292.20", GrandTotal: "1729.00", Prepaid: "1000.00", Rounding: "0.30", DuePayable: "729.00"},
				Taxes: []Tax{
					{Category: "S", Rate: "20", Basis: "1460.50", Amount: "292.10"},
					{Category: "AA", Rate: "10", Basis: "1.00", Amount: "0.10"},
					{Category: "E", Rate: "0", Basis: "-25.00", Amount: "0.00", ExemptionReason: "Exempt New Means of Transport"},
				},
			},
			lines:     5,
			firstLine: Line{ID: "1", Name: "Labtop computer", Quantity: "1", Unit: "C62", UnitPrice: "1273.00", NetAmount: "1273.00", TaxRate: "20"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := parseFile(t, tt.file)
			lines := got.Lines
			got.Lines = nil
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Parse(%s) (-want +got):\n%s", tt.file, diff)
			}
			if len(lines) != tt.lines {
				t.Fatalf("Parse(%s) has %d lines, want %d", tt.file, len(lines), tt.lines)
			}
			if tt.lines == 0 {
				return
			}
			if diff := cmp.Diff(tt.firstLine, lines[0]); diff != "" {
				t.Errorf("Parse(%s) first line (-want +got):\n%s", tt.file, diff)
			}
			if tt.lastLine != (Line{}) {
				if diff := cmp.Diff(tt.lastLine, lines[len(lines)-1]); diff != "" {
					t.Errorf("Parse(%s) last line (-want +got):\n%s", tt.file, diff)
				}
			}
		})
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]Syntax{
		"cii1-comfort.xml":   SyntaxCII1, // 3 KB of comment before the root
		"cii-minimum.xml":    SyntaxCII,
		"cii-extended.xml":   SyntaxCII,
		"ubl-xrechnung.xml":  SyntaxUBL,
		"ubl-creditnote.xml": SyntaxUBL,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := Sniff(b[:min(len(b), SniffSize)]); !ok || got != want {
			t.Errorf("Sniff(%s) = %q, %v; want %q, true", file, got, ok, want)
		}
	}
	// A DOCTYPE (an entity bomb) before an invoice root: still an
	// invoice, so that Parse refuses it rather than a reader taking it
	// for text.
	bomb := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>` + ciiOpen + `<x>&b;</x>` + ciiClose
	if got, ok := Sniff([]byte(bomb)); !ok || got != SyntaxCII {
		t.Errorf("Sniff(DOCTYPE before a CII root) = %q, %v; want cii, true", got, ok)
	}
	if _, err := Parse(strings.NewReader(bomb), 1<<20); !IsCode(err, CodeCorruptDocument) {
		t.Errorf("Parse(DOCTYPE before a CII root) = %v, want corrupt_document", err)
	}
	for name, head := range map[string]string{
		"other namespace": `<Invoice xmlns="urn:example:invoice"><ID>1</ID></Invoice>`,
		"no namespace":    `<CrossIndustryInvoice><ID>1</ID></CrossIndustryInvoice>`,
		"order":           `<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"/>`,
		"html":            `<!DOCTYPE html><html><body>Invoice</body></html>`,
		"cut before root": `<?xml version="1.0"?><!-- a long comment that the head does not reach the end of`,
		"not xml":         "%PDF-1.7\n",
		"empty":           "",
	} {
		if got, ok := Sniff([]byte(head)); ok {
			t.Errorf("Sniff(%s) = %q, true; want false", name, got)
		}
	}
}

const ciiOpen = `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">`
const ciiClose = `</rsm:CrossIndustryInvoice>`

func TestParseHostile(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("TOPSECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	deep := ciiOpen + strings.Repeat("<a>", 100_000) + strings.Repeat("</a>", 100_000) + ciiClose
	tests := []struct {
		name  string
		xml   string
		limit int64
		code  string
	}{
		{"external entity", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://` + secret + `">]>` + ciiOpen + `<rsm:ExchangedDocument><ram:ID>&xxe;</ram:ID></rsm:ExchangedDocument>` + ciiClose, 1 << 20, CodeCorruptDocument},
		{"entity expansion", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` + ciiOpen + `<rsm:ExchangedDocument><ram:ID>&c;</ram:ID></rsm:ExchangedDocument>` + ciiClose, 1 << 20, CodeCorruptDocument},
		{"undeclared entity", ciiOpen + `<rsm:ExchangedDocument><ram:ID>&xxe;</ram:ID></rsm:ExchangedDocument>` + ciiClose, 1 << 20, CodeCorruptDocument},
		{"100k-deep nesting", deep, 1 << 20, CodeTooLargeContent},
		{"huge text token", ciiOpen + `<rsm:ExchangedDocument><ram:ID>` + strings.Repeat("9", 2<<20) + `</ram:ID></rsm:ExchangedDocument>` + ciiClose, 1 << 20, CodeTooLargeContent},
		{"truncated", ciiOpen + `<rsm:ExchangedDocument><ram:ID>1</ram:ID>`, 1 << 20, CodeCorruptDocument},
		{"mismatched tags", ciiOpen + `<rsm:ExchangedDocument></rsm:Other>` + ciiClose, 1 << 20, CodeCorruptDocument},
		{"not xml", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 1 << 20, CodeCorruptDocument},
		{"empty", "", 1 << 20, CodeCorruptDocument},
		{"not an invoice", `<html><body>Invoice 1</body></html>`, 1 << 20, CodeUnsupportedType},
		{"amount not a decimal", ciiOpen + `<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement><ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:GrandTotalAmount>1.234,56</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>` + ciiClose, 1 << 20, CodeCorruptDocument},
		{"date not a date", ciiOpen + `<rsm:ExchangedDocument><ram:IssueDateTime><udt:DateTimeString xmlns:udt="u" format="102">20131305</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>` + ciiClose, 1 << 20, CodeCorruptDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv, err := Parse(strings.NewReader(tt.xml), tt.limit)
			if !IsCode(err, tt.code) {
				t.Fatalf("Parse = %+v, %v; want code %s", inv, err, tt.code)
			}
			if strings.Contains(err.Error(), "TOPSECRET") {
				t.Fatal("the external entity was resolved")
			}
		})
	}
}

// A token larger than the token limit (plus the decoder's 4 KiB
// read-ahead) is refused while it is read, even when the whole input is
// within the byte limit.
func TestParseTokenLimit(t *testing.T) {
	t.Parallel()
	text := ciiOpen + `<rsm:ExchangedDocument><ram:ID>` + strings.Repeat("9", 10000) + `</ram:ID></rsm:ExchangedDocument>` + ciiClose
	tag := ciiOpen + `<rsm:ExchangedDocument a="` + strings.Repeat("x", 10000) + `"/>` + ciiClose
	comment := ciiOpen + `<!--` + strings.Repeat("<>", 5000) + `-->` + ciiClose
	for name, doc := range map[string]string{"text": text, "tag": tag, "comment": comment} {
		if _, err := parse([]byte(doc), 4096); !IsCode(err, CodeTooLargeContent) {
			t.Errorf("parse of a 10000-byte %s with a 4096-byte token limit = %v, want too_large_content", name, err)
		}
	}
	inv, err := parse([]byte(text), 10000)
	if err != nil || len(inv.ID) != 10000 {
		t.Fatalf("parse with a 10000-byte token limit = %v, want the invoice", err)
	}
}

// nines is an endless text token after an invoice's root: 100 MB of it
// would never be held, Parse stops after limit bytes.
type nines struct{ read int64 }

func (n *nines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '9'
	}
	if n.read == 0 {
		copy(p, ciiOpen+"<rsm:ExchangedDocument><ram:ID>")
	}
	n.read += int64(len(p))
	return len(p), nil
}

func TestParseHugeTokenStream(t *testing.T) {
	t.Parallel()
	r := &nines{}
	const limit = 4 << 20
	if _, err := Parse(io.LimitReader(r, 100<<20), limit); !IsCode(err, CodeTooLargeContent) {
		t.Fatalf("Parse(100 MB token) = %v, want too_large_content", err)
	}
	if r.read > limit+64<<10 {
		t.Fatalf("Parse read %d bytes of the stream, want about the %d-byte limit", r.read, limit)
	}
}

func TestParseLimit(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "cii-minimum.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("Parse at exactly the limit: %v", err)
	}
	if _, err := Parse(bytes.NewReader(b), int64(len(b)-1)); !IsCode(err, CodeTooLargeContent) {
		t.Fatalf("Parse over the limit = %v, want too_large_content", err)
	}
}

func TestParseNotInvoiceWrapsSentinel(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader(`<Invoice xmlns="urn:example"/>`), 1024)
	if !errors.Is(err, ErrNotInvoice) || !IsCode(err, CodeUnsupportedType) {
		t.Fatalf("Parse(foreign Invoice) = %v, want unsupported_type wrapping ErrNotInvoice", err)
	}
}

func TestParseLatin1(t *testing.T) {
	t.Parallel()
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + ciiOpen +
		"<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>M\xfcller & S\xf6hne</ram:Name></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement></rsm:SupplyChainTradeTransaction>" + ciiClose
	doc = strings.Replace(doc, "&", "&amp;", 1)
	inv, err := Parse(strings.NewReader(doc), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Seller.Name != "Müller & Söhne" {
		t.Fatalf("seller = %q, want Müller & Söhne", inv.Seller.Name)
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		minFrac int
		want    string
		ok      bool
	}{
		{"529.87", 2, "529.87", true},
		{" 473 ", 2, "473.00", true},
		{"9.9000", 2, "9.90", true},
		{"0.0205", 2, "0.0205", true},
		{"-3.96", 2, "-3.96", true},
		{"-0.00", 2, "0.00", true},
		{"+007.5", 2, "7.50", true},
		{".5", 2, "0.50", true},
		{"20.0000", 0, "20", true},
		{"19.50", 0, "19.5", true},
		{"", 2, "", true},
		{"1,234.56", 2, "", false},
		{"1.234,56", 2, "", false},
		{"12e3", 2, "", false},
		{".", 2, "", false},
		{"-", 2, "", false},
	} {
		got, ok := decimal(tt.in, tt.minFrac)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decimal(%q, %d) = %q, %v; want %q, %v", tt.in, tt.minFrac, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, format, want string }{
		{"20130305", "102", "2013-03-05"},
		{"20130305", "", "2013-03-05"},
		{"2013-03-05", "", "2013-03-05"},
		{"2013-03-05+01:00", "", "2013-03-05"},
		{"2013-03-05Z", "", "2013-03-05"},
		{"", "102", ""},
	} {
		var n normaliser
		if got := n.date("d", tt.in, tt.format); got != tt.want || n.err != nil {
			t.Errorf("date(%q, %q) = %q, %v; want %q", tt.in, tt.format, got, n.err, tt.want)
		}
	}
	for _, tt := range []struct{ in, format string }{
		{"20131305", "102"}, {"201303", "610"}, {"05.03.2013", ""}, {"2013-03-05T10:00:00", ""},
	} {
		var n normaliser
		if got := n.date("d", tt.in, tt.format); n.err == nil {
			t.Errorf("date(%q, %q) = %q, want an error", tt.in, tt.format, got)
		}
	}
}

func TestProfileOf(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]Profile{
		"urn:factur-x.eu:1p0:minimum":                                                ProfileMinimum,
		"urn:factur-x.eu:1p0:basicwl":                                                ProfileBasicWL,
		"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic":                ProfileBasic,
		"urn:cen.eu:en16931:2017":                                                    ProfileEN16931,
		"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended":            ProfileExtended,
		"urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended":             ProfileExtended,
		"urn:zugferd.de:2p0:minimum":                                                 ProfileMinimum,
		"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3": ProfileXRechnung,
		"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0":      ProfileXRechnung,
		"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0": ProfilePEPPOL,
		"urn:ferd:CrossIndustryDocument:invoice:1p0:basic":                           ProfileBasic,
		"urn:ferd:CrossIndustryDocument:invoice:1p0:comfort":                         ProfileComfort,
		"urn:ferd:CrossIndustryDocument:invoice:1p0:extended":                        ProfileExtended,
		"urn:example:something-else":                                                 "",
	} {
		if got := profileOf(id); got != want {
			t.Errorf("profileOf(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestFromAttachments(t *testing.T) {
	t.Parallel()
	cii, err := os.ReadFile(filepath.Join("testdata", "cii-minimum.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ubl, err := os.ReadFile(filepath.Join("testdata", "ubl-xrechnung.xml"))
	if err != nil {
		t.Fatal(err)
	}
	atts := []Attachment{
		{Name: "logo.png", Data: []byte("\x89PNG\r\n")},
		{Name: "copy.xml", Data: ubl},     // an invoice under another name
		{Name: "Factur-X.xml", Data: cii}, // the specified name wins
	}
	inv, name, err := FromAttachments(atts, 1<<20)
	if err != nil || name != "Factur-X.xml" || inv.ID != "F20260023" {
		t.Fatalf("FromAttachments = %v, %q, %v; want F20260023 from Factur-X.xml", inv, name, err)
	}
	inv, name, err = FromAttachments(atts[:2], 1<<20)
	if err != nil || name != "copy.xml" || inv.Syntax != SyntaxUBL {
		t.Fatalf("FromAttachments without factur-x.xml = %v, %q, %v; want the UBL invoice from copy.xml", inv, name, err)
	}
	if _, _, err := FromAttachments(atts[:1], 1<<20); !IsNotInvoice(err) {
		t.Fatalf("FromAttachments(logo only) = %v, want ErrNotInvoice", err)
	}
	broken := []Attachment{{Name: "factur-x.xml", Data: append([]byte(ciiOpen), "<rsm:ExchangedDocument>"...)}}
	if _, _, err := FromAttachments(broken, 1<<20); !IsCode(err, CodeCorruptDocument) {
		t.Fatalf("FromAttachments(broken) = %v, want corrupt_document", err)
	}
}

// BT-84 is the first payee account; a payment means may list several
// (EN 16931's test file EeISI_300 does, in CII and in UBL). A plain
// string field in the structs kept the last one.
func TestParseFirstOfSeveralAccounts(t *testing.T) {
	t.Parallel()
	const cii = `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
<rsm:ExchangedDocument><ram:ID>1</ram:ID></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>
 <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>
  <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>IT1212341234123412</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
  <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>BSCTCH22</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>
  <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>IT1212341234123413</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
  <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>OTHERBIC</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>
 </ram:SpecifiedTradeSettlementPaymentMeans>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`
	const ubl = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>1</cbc:ID>
<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
 <cac:PayeeFinancialAccount><cbc:ID>IT1212341234123412</cbc:ID><cac:FinancialInstitutionBranch><cbc:ID>BSCTCH22</cbc:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount>
 <cac:PayeeFinancialAccount><cbc:ID>IT1212341234123413</cbc:ID><cac:FinancialInstitutionBranch><cbc:ID>OTHERBIC</cbc:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount>
</cac:PaymentMeans></Invoice>`
	for name, doc := range map[string]string{"cii": cii, "ubl": ubl} {
		inv, err := Parse(strings.NewReader(doc), 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if inv.IBAN != "IT1212341234123412" || inv.BIC != "BSCTCH22" {
			t.Errorf("%s: IBAN, BIC = %q, %q; want the first account IT1212341234123412, BSCTCH22", name, inv.IBAN, inv.BIC)
		}
	}
}
