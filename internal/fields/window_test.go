package fields

import (
	"testing"

	"github.com/docparse/docparse/internal/docparse"
)

// The address window: the return line names the seller, the line under it
// the buyer, neither labelled.
func TestLetterWindow(t *testing.T) {
	schema := []docparse.Field{
		{Key: "seller_name", Type: docparse.TypeString, Description: "Name of the seller"},
		{Key: "buyer_name", Type: docparse.TypeString, Description: "Name of the buyer"},
	}
	tests := []struct {
		name, text, seller, buyer string
	}{
		{"bullets, a salutation alone", `                                                   Bei Spiel GmbH
                                                   Ecke 12
   Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen    12345 Stadthausen
Herrn
Theodor Est                                        fon (555) 23 78 -0
Bahnstr. 42
88802 Spielkreis

Rechnung Nr. RE-506 vom 18.11.2017
Summe 160,00 EUR`, "Bei Spiel GmbH", "Theodor Est"},
		{"pipes, a company", `weclapp.com | Somestreet 42 | 08155 Some city       weclapp.com
Beispiel AG                                         Somestreet 42
Feldstraße 34                                       08155 Some city
54321 Hithausen

Rechnung RE1001`, "weclapp.com", "Beispiel AG"},
		{"commas, a salutation before the name", `Alphabet GmbH, Lilienthalallee 26, 80786 München
Firma Muster GmbH
Musterweg 1
60325 Frankfurt am Main`, "Alphabet GmbH", "Muster GmbH"},
	}
	for _, tt := range tests {
		res := Extract(textDoc(tt.text), schema, Options{})
		if got := res.Values["seller_name"]; got != tt.seller {
			t.Errorf("%s: seller_name = %v, want %q", tt.name, got, tt.seller)
		}
		if got := res.Values["buyer_name"]; got != tt.buyer {
			t.Errorf("%s: buyer_name = %v, want %q", tt.name, got, tt.buyer)
		}
	}
}

func TestReturnLine(t *testing.T) {
	tests := []struct {
		parts []string
		name  string
		ok    bool
	}{
		{[]string{"Bei Spiel GmbH", "Ecke 12", "12345 Stadthausen"}, "Bei Spiel GmbH", true},
		{[]string{"Lieferant GmbH", "Lieferantenstraße 20", "D-80333 München"}, "Lieferant GmbH", true},
		{[]string{"Acme Ltd", "1 High Street", "London"}, "", false},               // no postcode and town
		{[]string{"Acme Ltd", "80333 München"}, "", false},                         // two parts: a sender's address line
		{[]string{"12345 Stadthausen", "Ecke 12", "12345 Stadthausen"}, "", false}, // no name first
		{[]string{"Tel. 089/99822-0", "Fax 089/99823-0", "80786 München"}, "", false},
		{[]string{"Acme Ltd", "London", "80786 München"}, "", false},               // no street
		{[]string{"TAMAN DAYA", "JALAN DEDAP 13", "81100 JOHOR BAHRU"}, "", false}, // an address line of a receipt
		{[]string{"Alphabet", "12 rue de la Paix", "75002 Paris"}, "Alphabet", true},
	}
	for _, tt := range tests {
		name, ok := returnLine(tt.parts)
		if name != tt.name || ok != tt.ok {
			t.Errorf("returnLine(%q) = %q, %v, want %q, %v", tt.parts, name, ok, tt.name, tt.ok)
		}
	}
}

// Without a return line, nothing is read as the window's.
func TestLetterWindowNone(t *testing.T) {
	lay := newLayout(textDoc("Acme Ltd · 1 High Street · London\nJane Doe\n12 Long Road"))
	x := &extractor{lay: lay}
	if w, ok := x.window(); ok {
		t.Errorf("window() = %+v, want none", w)
	}
	// A recipient line that holds digits is an address, not a name.
	lay = newLayout(textDoc("Acme GmbH | Weg 1 | 12345 Ort\nPostfach 12 34\nJane Doe"))
	x = &extractor{lay: lay}
	if w, ok := x.window(); ok {
		t.Errorf("window() = %+v, want none", w)
	}
}

// A party's block: a field's word alone is a label, not the name; a name
// after its legal form goes on; a name does not begin with a legal form.
func TestPartyBlockNames(t *testing.T) {
	res := Extract(textDoc(`Käufer:
Nummer       : 339420
Globale Nummer: 4304171000002 (GLN)
MUSTER-KUNDE GMBH
KUNDENWEG 88
DE 40235 DUESSELDORF`), []docparse.Field{{Key: "buyer_name", Type: docparse.TypeString, Description: "Name of the buyer"}}, Options{})
	if got := res.Values["buyer_name"]; got != "MUSTER-KUNDE GMBH" {
		t.Errorf("buyer_name = %v, want MUSTER-KUNDE GMBH", got)
	}
	for in, want := range map[string]string{"Kunden AG Mitte": "Kunden AG Mitte", "Lieferant GmbH, Weg 20": "Lieferant GmbH"} {
		if got, _, ok := parseLabelledName(in); !ok || got != want {
			t.Errorf("parseLabelledName(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"AG Mitte", "Nummer", "Name", "GmbH Berlin", "TRADE NAME"} {
		if got, _, ok := parseName(in); ok {
			t.Errorf("parseName(%q) = %q, want no name", in, got)
		}
	}
}
