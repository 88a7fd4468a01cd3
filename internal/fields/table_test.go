package fields

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docparse/docparse/internal/docparse"
)

func TestTables(t *testing.T) {
	items := field("lines", docparse.TypeListObject,
		field("description", docparse.TypeString), field("quantity", docparse.TypeNumber),
		field("unit_price", docparse.TypeNumber), field("amount", docparse.TypeNumber))
	tests := []struct {
		name string
		text string
		want []any
	}{
		{
			// A section's subtotal inside the table does not end it; the
			// final totals do.
			name: "section subtotals",
			text: `Description                 Quantity     Unit Price      Amount
--- Non Food ---
Beeswax XL                      1.00          42.00       42.00
Office Chair                    1.00          70.00       70.00
                                             Subtotal    $ 112.00
--- Food Products ---
Olive Oil                       1.00           1.00        0.90
                                             Subtotal      $ 0.90
                               Subtotal                  $ 112.90
                               Total                     $ 112.90
Payment terms: 15 Days`,
			want: []any{
				map[string]any{"description": "Beeswax XL", "quantity": 1.0, "unit_price": 42.0, "amount": 42.0},
				map[string]any{"description": "Office Chair", "quantity": 1.0, "unit_price": 70.0, "amount": 70.0},
				map[string]any{"description": "Olive Oil", "quantity": 1.0, "unit_price": 1.0, "amount": 0.9},
			},
		},
		{
			// Text lines under an item continue its description; "Tax: 0.2%"
			// holds no amount, so it is no totals row.
			name: "wrapped descriptions",
			text: `Item                          Quantity        Rate        Amount
Service A                           12      $10.00       $120.00
Notes: Replaced capacitor
Parts: 1 x cap_a
Tax: 0.2%
Service B                            5       $1.50         $7.50
Parts: 2 x shop supplies

                                           Subtotal:       $127.50`,
			want: []any{
				map[string]any{"description": "Service A\nNotes: Replaced capacitor\nParts: 1 x cap_a\nTax: 0.2%", "quantity": 12.0, "unit_price": 10.0, "amount": 120.0},
				map[string]any{"description": "Service B\nParts: 2 x shop supplies", "quantity": 5.0, "unit_price": 1.5, "amount": 7.5},
			},
		},
		{
			// Both "Artikel" and "Omschrijving" name the description: the
			// column with words under it wins over the column of codes.
			name: "the description column has the words",
			text: `Artikel      Omschrijving                     Prijs    Hoeveelheid     Bedrag
E103184      Onderhoudsset CA6707/10          49,99          1 PCS      49,99
E103560      SX Flyer Korting                  0,00          1 PCS       0,00`,
			want: []any{
				map[string]any{"description": "Onderhoudsset CA6707/10", "quantity": 1.0, "unit_price": 49.99, "amount": 49.99},
				map[string]any{"description": "SX Flyer Korting", "quantity": 1.0, "unit_price": 0.0, "amount": 0.0},
			},
		},
		{
			// No header names the line total: the last column of numbers
			// is it.
			name: "the last column is the amount",
			text: `Artikel                              Aantal   Prijs per stuk     BTW   Prijs incl. BTW
Apple iPad Air Wifi 16 GB                 1         € 399,00     21%          € 399,00
  Thuiskopieheffing                       1                      21%            € 4,24`,
			want: []any{
				map[string]any{"description": "Apple iPad Air Wifi 16 GB", "quantity": 1.0, "unit_price": 399.0, "amount": 399.0},
				map[string]any{"description": "Thuiskopieheffing", "quantity": 1.0, "unit_price": nil, "amount": 4.24},
			},
		},
		{
			// Carried totals are no items; items whose names look like
			// them are, when they have a quantity or their amount carries
			// nothing.
			name: "carried totals",
			text: `Description                 Quantity     Unit Price      Amount
Brought forward                                          1,000.00
Annual report                   1.00         500.00       500.00
Report                          1.00         250.00       250.00
Transport                                                 40.00
Report                                                  1,790.00
Übertrag                                                1,790.00
                                             Subtotal     790.00`,
			want: []any{
				map[string]any{"description": "Annual report", "quantity": 1.0, "unit_price": 500.0, "amount": 500.0},
				map[string]any{"description": "Report", "quantity": 1.0, "unit_price": 250.0, "amount": 250.0},
				map[string]any{"description": "Transport", "quantity": nil, "unit_price": nil, "amount": 40.0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Extract(textDoc(tt.text), []docparse.Field{items}, Options{})
			if diff := cmp.Diff(tt.want, res.Values["lines"]); diff != "" {
				t.Errorf("lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCarryLabel(t *testing.T) {
	checkStrings(t, "carryLabel", oneCellLine(carryLabel), map[string]int{
		"Carried forward":          carryStrong,
		"Balance brought forward:": carryStrong,
		"Übertrag von Seite 1":     carryStrong,
		"Zwischensumme Übertrag":   carryStrong,
		"Total à reporter":         carryStrong,
		"Report de la page 1":      carryWeak,
		"Subtotal this page":       carryStrong,
		"Page total":               carryStrong,
		"Summe Seite 2":            carryStrong,
		"Suma y sigue":             carryStrong,
		"Transport":                carryWeak,
		"Vortrag":                  carryWeak,
		"Subtotal":                 carryNone,
		"Zwischensumme":            carryNone,
		"Annual report":            carryNone,
		"Transport insurance":      carryNone,
		"Transporter":              carryNone,
		"Balance forward":          carryStrong,
		"Page 1 of 2":              carryNone,
	})
}

func TestPageMarker(t *testing.T) {
	checkStrings(t, "pageMarker", oneCellLine(pageMarker), map[string]bool{
		"Page 1 of 2":                        true,
		"Seite 2 von 3":                      true,
		"Page 2/3":                           true,
		"- 2 -":                              true,
		"Continued on page 2":                true,
		"(continued)":                        true,
		"Fortsetzung auf der nächsten Seite": true,
		"Suite page suivante":                true,
		"Page":                               false,
		"Printer paper 500 sheets":           false,
		"Consulting (continued)":             false,
		"Article no. 4402-02":                false,
	})
}

// oneCellLine returns f applied to a line of one cell that holds the
// given text.
func oneCellLine[T any](f func(*line) T) func(string) T {
	return func(text string) T { return f(&line{cells: []*cell{textCell(text)}}) }
}
