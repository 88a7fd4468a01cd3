package fields

import (
	"testing"
	"unicode/utf8"
)

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
		{"AEON C0. (M) BHD", "AEON CO. (M) BHD"},
		{"FY EAGLE.ENTERPRTSE", "FY EAGLE.ENTERPRISE"},
		{"POPULAR 8OOK.", "POPULAR BOOK."},
		{"PAGOH REST AND SERVICE AREA", "PAGOH REST AND SERVICE AREA"},
		{"GERBANG ALAF RESTAURANTS", "GERBANG ALAF RESTAURANTS"},
		{"WESTERN EASTERN STATI ONERY SDN.BHD", "WESTERN EASTERN STATIONERY SDN.BHD"},
		{"GARDENIA BAKERY ES (KL) SDN BHD", "GARDENIA BAKERIES (KL) SDN BHD"},
		{"TIMES BOOK STORE", "TIMES BOOK STORE"}, // two words of trade stay two
		{"ONE ONE THREE SEAFOOD RESTAURANT SDN BHD", "ONE ONE THREE SEAFOOD RESTAURANT SDN BHD"},
		{"ABC HO TRADING", "ABC HO TRADING"},
		{"URBAN 1DEA", "URBAN 1DEA"},     // no word of trade: the digit may be one
		{"KEDAI  2BOOK", "KEDAI  2BOOK"}, // two spaces: an empty word; 2 looks like no letter
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
		{"MR. D.I.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"}, // initials are no dotted words
		{"BLOCK C2", "BLOCK C2"},
	} {
		if got := mendName(c.in); got != c.want {
			t.Errorf("mendName(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := mendName(c.want); got != c.want {
			t.Errorf("mendName(%q) = %q, want it unchanged", c.want, got)
		}
	}
}

// TestPageVote mends a word of a name by the words of the rest of its
// page, and leaves it when the page does not say so twice or says it two
// ways.
func TestPageVote(t *testing.T) {
	tests := []struct {
		name, page, in, want string
	}{
		{"the name again in the footer, twice", "SANYO STATIONERY SHOP\nSANYU SUPPLY SDN BHD\nfacebook: Sanyu.Stationery", "SANYO STATIONERY SHOP", "SANYU STATIONERY SHOP"},
		{"small letters keep their case", "Sanyo Stationery Shop\nSANYU SUPPLY SDN BHD\nfacebook: Sanyu.Stationery", "Sanyo Stationery Shop", "Sanyu Stationery Shop"},
		{"once elsewhere is not enough", "SANYO STATIONERY SHOP\nSANYU SUPPLY SDN BHD", "SANYO STATIONERY SHOP", "SANYO STATIONERY SHOP"},
		{"the word itself stands elsewhere", "SANYO STATIONERY SHOP\nSANYU SUPPLY\nSANYU ONLINE\nSANYO ONLINE", "SANYO STATIONERY SHOP", "SANYO STATIONERY SHOP"},
		{"two words one letter away", "SANYO STATIONERY SHOP\nSANYU SUPPLY\nsanyu.com\nSANYA TRADING\nsanya.com", "SANYO STATIONERY SHOP", "SANYO STATIONERY SHOP"},
		{"short words are left", "MART 99\nPART ONE\nPART TWO", "MART 99", "MART 99"},
	}
	for _, tt := range tests {
		doc := textDoc(tt.page)
		x := &extractor{lay: newLayout(doc), doc: doc}
		if got := x.pageVote(tt.in, x.lay.lines[0]); got != tt.want {
			t.Errorf("%s: pageVote(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzMendName feeds arbitrary names through the OCR mends and the name
// parser: they must not panic, and what they give must be valid UTF-8.
func FuzzMendName(f *testing.F) {
	for _, s := range []string{"POPULAR 8OOK. CO. (M) SDN BHD", "#000002 BAIFU (M) San Bhd", "FY EAGLE.ENTERPRTSE 5/B", "A0.  1", "9", "\xff0.",
		"UNIHAKKA INTERNATIONAL 09 Apr 2018 18:26 SDN BHD", "GARDENIA BAKERY ES (KL) SDN BH D", "EIGHT OUNCE COFFEE CO. THE MALL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := mendName(dropInnerDate(s))
		if utf8.ValidString(s) && !utf8.ValidString(m) {
			t.Fatalf("mendName(%q) = %q, not UTF-8", s, m)
		}
		if v, _, ok := parseName(m); ok && utf8.ValidString(m) && !utf8.ValidString(v) {
			t.Fatalf("parseName(%q) = %q, not UTF-8", m, v)
		}
	})
}
