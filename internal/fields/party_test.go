package fields

import (
	"slices"
	"testing"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		in, want string
		fit      float64
		ok       bool
	}{
		{"Coolblue B.V.", "Coolblue B.V.", 1, true},
		{"e-Luscious Nederland B.V. iov Saeco.com", "e-Luscious Nederland B.V.", 1, true},
		{"QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen", "QualityHosting AG", 1, true},
		{"WS Retail Services Pvt. Ltd.,", "WS Retail Services Pvt. Ltd.", 1, true},
		{"Amazon Web Services, Inc.", "Amazon Web Services, Inc.", 1, true},
		{"Helios Services, GmbH & Co. KG", "Helios Services, GmbH & Co. KG", 1, true},
		{"Azure Interior", "Azure Interior", 0.8, true},
		// A registration number or a logo read as Han characters inside a
		// name is no part of it; space inside brackets goes.
		{"YONG TAT (JM0292487-D) HARDWARE TRADING", "YONG TAT HARDWARE TRADING", 0.8, true},
		{"SWC ENTERPRISE 院 SDN BHD", "SWC ENTERPRISE SDN BHD", 1, true},
		{"S.H.H. MOTOR ( SUNGAI RENGIT ) SDN. BHD", "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD", 1, true},
		{"MR. D.I.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD", 1, true},
		{"(001451637-M)", "", 0, false},
		// "CO." ends a name before its outlet, but not before a bracket.
		{"EIGHT OUNCE COFFEE CO. THE GARDENS MALL", "EIGHT OUNCE COFFEE CO.", 1, true},
		{"SAM SAM TRADING CO", "SAM SAM TRADING CO", 0.8, true},
		{"AEON CO. (M) BHD", "AEON CO. (M) BHD", 1, true},
		{"No 14 Jalan Permas 4", "", 0, false},
		{"Sold as is", "Sold as is", 0.8, true}, // "as" in lower case is no legal form
		{"AGENCY ONE", "AGENCY ONE", 0.8, true},
		{"INVOICE", "", 0, false},
		{"contact name", "", 0, false}, // what "Buyer contact name" leaves
		{"Ltd", "", 0, false},
		{"4557 De Silva St", "", 0, false},
		{"info@example.com", "", 0, false},
		{"www.example.com", "", 0, false},
		{"(Not to be used for payment remittance)", "", 0, false},
		{"24 May 2026", "", 0, false},
		{"All AWS Services are sold by Amazon Web Services, Inc. in the US", "", 0, false},
	}
	for _, tt := range tests {
		got, fit, ok := parseName(tt.in)
		if got != tt.want || fit != tt.fit || ok != tt.ok {
			t.Errorf("parseName(%q) = %q, %v, %v, want %q, %v, %v", tt.in, got, fit, ok, tt.want, tt.fit, tt.ok)
		}
	}
}

func TestSellerName(t *testing.T) {
	schema := []docparse.Field{{Key: "seller_name", Type: docparse.TypeString}}
	checkValues(t, schema, Options{}, "seller_name", []valueCase{
		{"labelled", "INVOICE\n\nSupplier: Northwind Traders Ltd\n1 Long Road, Leeds", "Northwind Traders Ltd"},
		{"labelled, the name under a remark", "Service Provider:\n(Not to be used for payment remittance)\nAmazon Web Services, Inc.\n410 Terry Ave North", "Amazon Web Services, Inc."},
		{"top of the page, not the buyer's block", `Acme Consulting GmbH                       RECHNUNG
Hauptstraße 1
10115 Berlin

Rechnungsempfänger:
Beta Handel AG
Marienplatz 8
80331 München`, "Acme Consulting GmbH"},
		{"in the footer only", `INVOICE                     Invoice No: 42
                            Date: 2026-05-24
Bill to:
Jane Doe
12 Long Road

Total: 10.00

Northwind Traders Ltd · 1 High Street · London`, "Northwind Traders Ltd"},
		// The block's name starts with a word that is also a seller's
		// label, behind a line of another label.
		{"a party's block, the name under a number", `RECHNUNG Nr. 4711 vom 05.06.2026

Verkäufer:
Globale Nummer: 4000001123452 (GLN)
Lieferant GmbH
Lieferantenstraße 20
80333 München

Käufer:
Kunden AG Mitte
Kundenstraße 15`, "Lieferant GmbH"},
		// A label of one detail of the seller ("Verkäufer-BIC:") heads
		// no block, and a table's column "Name" under it names no
		// seller.
		{"a party's block, the name behind its label", `Handelsrechnung (380) Nr. 471102 vom 15.11.2024

Verkäufer
Globale Nummer:      4000001123452 (GLN)
Name:      Grundbesitz GmbH & Co.
Ansprechpartner:      Max Mustermann

Käufer
Name: Beispielmieter GmbH

IBAN: DE02120300000000202051
Verkäufer-BIC: BYLADEM1001

Rechnungsbegleitende Unterlagen
ID   Name   Dateiname   Dateityp
A1   Abrechnung   abrechnung.pdf   application/pdf`, "Grundbesitz GmbH & Co."},
	})
}

// On an OCRed page a word of a store's name may read as a seller's label
// one letter away ("SUPPLIES", "supplier"); the name is still a name.
func TestNameWithSellersWord(t *testing.T) {
	doc := textDoc(`AMTECH ELECTRICAL SUPPLIES
(001963477-M)
107,JALAN BANDAR RAWANG 2
48000 RAWANG SELANGOR
TOTAL        22.50`)
	doc.Pages[0].OCR = &extract.OCRRun{Pass: "original", Tried: []string{"original"}}
	x := &extractor{lay: newLayout(doc), doc: doc}
	var got []string
	for _, nc := range x.sellerCandidates() {
		got = append(got, nc.value)
	}
	if !slices.Contains(got, "AMTECH ELECTRICAL SUPPLIES") {
		t.Errorf("seller candidates %q, want AMTECH ELECTRICAL SUPPLIES among them", got)
	}
}

func TestSplitCellsOnSeparators(t *testing.T) {
	lay := newLayout(textDoc("Acme Ltd · 1 High Street | VAT No: GB222222222 • IBAN GB29NWBK60161331926819"))
	var got []string
	for _, c := range lay.lines[0].cells {
		got = append(got, c.text)
	}
	want := []string{"Acme Ltd", "1 High Street", "VAT No: GB222222222", "IBAN GB29NWBK60161331926819"}
	if len(got) != len(want) {
		t.Fatalf("cells = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestMendLegalForm(t *testing.T) {
	checkStrings(t, "mendLegalForm", mendLegalForm, map[string]string{
		"MR D.I.Y. (M) SON BHD":            "MR D.I.Y. (M) SDN BHD",
		"UNIHAKKA INTERNATIONAL S0N BHD.":  "UNIHAKKA INTERNATIONAL SDN BHD.",
		"Timeless Kitchenette Son Bhd":     "Timeless Kitchenette Sdn Bhd",
		"SHH. MOTOR SON, BHD.":             "SHH. MOTOR SDN, BHD.",
		"LIM & SON BHD":                    "LIM & SON BHD",
		"SUPER SEVEN CASH & CARRY SDN 3HD": "SUPER SEVEN CASH & CARRY SDN BHD",
		"Segi Cash & Carry Sdn.Rhd":        "Segi Cash & Carry Sdn.Bhd",
		"GARDENIA BAKERIES (KL) SDN BH D":  "GARDENIA BAKERIES (KL) SDN BHD",
		"SUBANG HEALTHCARE SIIN BHD":       "SUBANG HEALTHCARE SDN BHD",
		"AIK HUAT ALAM)SIN BHD":            "AIK HUAT ALAM)SDN BHD",
		"LIM AND SON BHD":                  "LIM AND SON BHD",
		"SON BHD":                          "SDN BHD",
		"BORONG PINTAR SDN BHD":            "BORONG PINTAR SDN BHD",
		"WESTERN EASTERN SON. BHD":         "WESTERN EASTERN SDN. BHD",
		"Dion Realties Sdi Bhd":            "Dion Realties Sdn Bhd",
		"Dion Realties Sdn Bhd":            "Dion Realties Sdn Bhd",
		"WATSON BHD":                       "WATSON BHD",
		"Timeless Kitchenette San Bhd":     "Timeless Kitchenette Sdn Bhd",
		"99 SPEED MART 5/B":                "99 SPEED MART S/B",
		"CASTLE BLUE $/8.":                 "CASTLE BLUE S/B.",
		"99 SPEED MART S/B":                "99 SPEED MART S/B",
		"YONG SOON FATT S/R":               "YONG SOON FATT S/B",
	})
	if got, fit, ok := parseName("WARAKUYA PERMAS CITY SON BHD"); !ok || fit != 1 || got != "WARAKUYA PERMAS CITY SDN BHD" {
		t.Errorf("parseName = %q, %v, %v; want the name with SDN BHD, fit 1", got, fit, ok)
	}
}

// A receipt's number before the store's name is not part of it; a short
// number may be ("99 SPEED MART").
func TestParseNameLeadingNumber(t *testing.T) {
	for in, want := range map[string]string{
		"#000002 BAIFU (M) Sdn Bhd": "BAIFU (M) Sdn Bhd",
		"99 SPEED MART S/B":         "99 SPEED MART S/B",
		"7-ELEVEN MALAYSIA SDN BHD": "7-ELEVEN MALAYSIA SDN BHD",
	} {
		if got, _, ok := parseName(in); !ok || got != want {
			t.Errorf("parseName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// A misread legal form alone is no name.
func TestParseNameMisreadFormAlone(t *testing.T) {
	if got, _, ok := parseName("SON BHD"); ok {
		t.Errorf("parseName(SON BHD) = %q, want no name", got)
	}
}

// OCR sets the words of a name in spaced capitals far apart, in cells of
// their own: the line's words together are the store's name.
func TestJoinedName(t *testing.T) {
	doc := textDoc(`MR.    D.I.Y.    SDN BHD
(CO.REG :704427-T )
LOT 1851-B, JALAN KPB 6,
43300 SERI KEMBANGAN, SELANGOR
TAX INVOICE
EXCHANGE ARE ALLOWED WITHIN
7 DAY WITH RECEIPT.
TOTAL        3.90`)
	res := Extract(doc, []docparse.Field{{Key: "company", Type: docparse.TypeString, Description: "Name of the store or company that issued the receipt"}}, Options{})
	if got := res.Values["company"]; got != "MR. D.I.Y. SDN BHD" {
		t.Errorf("company = %v, want MR. D.I.Y. SDN BHD", got)
	}
	lay := newLayout(textDoc("TOTAL      3.90"))
	if jc := joinedName(lay.lines[0], nil); jc != nil {
		t.Errorf("joinedName(TOTAL 3.90) = %q, want none", jc.text)
	}
}

// A store's name may go on to the next line: its legal form behind "CO.
// (M)", or the words after an "&".
func TestNameOnTwoLines(t *testing.T) {
	schema := []docparse.Field{{Key: "company", Type: docparse.TypeString, Description: "Name of the store or company that issued the receipt"}}
	for _, c := range []struct{ receipt, want string }{
		{`    POPULAR BOOK
   CO. (M) SDN BHD
(CO.REG :113825-W)
NO 8, JALAN 7/118B,
DESA TUN RAZAK
TOTAL        7.90`, "POPULAR BOOK CO. (M) SDN BHD"},
		{`HOME MASTER HARDWARE &
     ELECTRICAL
NO.113G & 115G, JALAN SETIA GEMILANG
40170 BANDAR SETIA ALAM,
TOTAL        15.90`, "HOME MASTER HARDWARE & ELECTRICAL"},
		{`   SKCA HARDWARE
& TIMBER SDN. BHD.
(CO.REG :745061-W)
LOT 1, JALAN PERUSAHAAN 2
TOTAL        22.50`, "SKCA HARDWARE & TIMBER SDN. BHD."},
		{`TSH POWER HARDWARE
     TRADING
002458685-T
13-1, Jalan PJU 5/10,
TOTAL        12.00`, "TSH POWER HARDWARE TRADING"},
	} {
		doc := textDoc(c.receipt)
		x := &extractor{lay: newLayout(doc), doc: doc}
		var got []string
		for _, nc := range x.sellerCandidates() {
			got = append(got, nc.value)
		}
		if !slices.Contains(got, c.want) {
			t.Errorf("seller candidates %q, want %q among them", got, c.want)
		}
		if v := Extract(doc, schema, Options{}).Values["company"]; v != c.want {
			t.Errorf("company = %v, want %q", v, c.want)
		}
	}
}

// Only words of trade in capitals, alone on the line under a name in
// capitals, go on with it.
func TestTradeWordsBelow(t *testing.T) {
	for _, c := range []struct {
		receipt string
		want    string
		ok      bool
	}{
		{"TSH POWER HARDWARE\n   TRADING\nTOTAL 1.00", "TRADING", true},
		{"ACME\nHARDWARE TRADING.\nTOTAL 1.00", "HARDWARE TRADING", true},
		{"Tsh Power Hardware\nTRADING\nTOTAL 1.00", "", false},            // the name is not in capitals
		{"TSH POWER HARDWARE\nTrading\nTOTAL 1.00", "", false},            // nor the line under it
		{"TSH POWER HARDWARE\nJALAN PJU\nTOTAL 1.00", "", false},          // no word of trade
		{"TSH POWER\nTRADING ENTERPRISE SERVICES\nTOTAL 1.00", "", false}, // three words
	} {
		doc := textDoc(c.receipt)
		x := &extractor{lay: newLayout(doc), doc: doc}
		ln := x.lay.lines[0]
		got, ok := x.tradeWordsBelow(ln, ln.cells[0])
		if got != c.want || ok != c.ok {
			t.Errorf("tradeWordsBelow(%q) = %q, %v, want %q, %v", c.receipt, got, ok, c.want, c.ok)
		}
	}
}

func TestDropInnerDate(t *testing.T) {
	checkStrings(t, "dropInnerDate", dropInnerDate, map[string]string{
		"UNIHAKKA INTERNATIONAL 09 Apr 2018 18:26 SDN BHD": "UNIHAKKA INTERNATIONAL SDN BHD",
		"ACME 12/05/2018 SDN BHD":                          "ACME SDN BHD",
		"ACME 12/05/2018 12:00 LOT 5":                      "ACME 12/05/2018 12:00 LOT 5", // no legal form after it
		"09 Apr 2018 SDN BHD":                              "09 Apr 2018 SDN BHD",         // no name before it
	})
}
