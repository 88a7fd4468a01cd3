package fields

import "testing"

func TestMendName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"MR. D.I.¥. (KUCHAI) SDN BHD", "MR. D.I.Y. (KUCHAI) SDN BHD"},
		{"OWNER BY CASTLE BLUE $/B", "OWNER BY CASTLE BLUE S/B"},
		{"Owner by Castle Blue $/B", "Owner by Castle Blue S/B"}, // a word in capitals
		{"PETRODELI ENJERPRISE", "PETRODELI ENTERPRISE"},
		{"KEDAI B00KS", "KEDAI BOOKS"},
		{"MR. D.1.¥. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"},
		{"GARDENIA BAKERLES (KL) SDN BHD", "GARDENIA BAKERIES (KL) SDN BHD"},
		{"HARDWARE TRADlNG", "HARDWARE TRADlNG"}, // a small letter: not capitals
		{"SYARIKAT PERNIAGAAM GIN KEE", "SYARIKAT PERNIAGAAN GIN KEE"},
		{"STATIONERY & B00KS,", "STATIONERY & BOOKS,"},
		// Left as they are: digits that are part of the name, a symbol
		// apart from letters, mixed case, words too short to tell.
		{"7-ELEVEN MALAYSIA", "7-ELEVEN MALAYSIA"},
		{"1STOP MART", "1STOP MART"},
		{"99 SPEEDMART", "99 SPEEDMART"},
		{"GIANT 2", "GIANT 2"},
		{"RM $ 10", "RM $ 10"},
		{"Entreprise Dupont", "Entreprise Dupont"},
		{"AEON CO. (M) BHD", "AEON CO. (M) BHD"},
		{"SANTA", "SANTA"},
		{"ENTERPRISE", "ENTERPRISE"},
	} {
		if got := mendName(c.in); got != c.want {
			t.Errorf("mendName(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := mendName(c.want); got != c.want {
			t.Errorf("mendName(%q) = %q, want it unchanged", c.want, got)
		}
	}
}
