package truth

import "testing"

func TestCorrect(t *testing.T) {
	for _, c := range []struct {
		key       string
		want, got any
		right     bool
	}{
		{"company", "MR D.I.Y. (JOHOR) SDN BHD", "Mr DIY (Johor) Sdn. Bhd.", true},
		{"company", "INDAH GIFT & HOME DECO", "INDAH GIFT & HOME BECO", false},
		{"seller_name", "Lieferant GmbH", "LIEFERANT GMBH", true},
		{"total", "60.30", 60.3, true},
		{"total", "60.30", 60.31, false},
		{"net", "1007.50", "1,007.50", false}, // a found amount is a number
		{"tax", "9.00", 9.0, true},
		{"date", "2018-10-19", "2018-10-19", true},
		{"due_date", "2018-10-19", "2018-10-20", false},
		{"seller_vat_id", "DE123456789", "DE 123 456 789", true},
		{"currency", "EUR", "eur", true},
		{"total", "60.30", nil, false},
	} {
		if got := Correct(c.key, c.want, c.got); got != c.right {
			t.Errorf("Correct(%s, %v, %v) = %v, want %v", c.key, c.want, c.got, got, c.right)
		}
	}
}
