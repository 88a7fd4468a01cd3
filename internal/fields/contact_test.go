package fields

import (
	"slices"
	"testing"
)

func TestContactNames(t *testing.T) {
	text := `Global Wholesaler
Azure Interior
4557 De Silva St

(870)-931-0505 azure.Interior24@example.com http://www.azure-interior.com
Tel 03-1234 info@popular.com.my www.facebook.com/unihakka MYNEWS.COM`
	x := &extractor{lay: newLayout(textDoc(text))}
	got := x.contactNames()
	want := []string{"azure", "interior", "azureinterior", "popular", "unihakka", "mynews"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("contactNames = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"Azure Interior", true},
		{"AZURE INTERIOR LLC", true},
		{"Global Wholesaler", false},
		{"POPULAR BOOK CO. (M) SDN BHD", true},
		{"MYNEWS RETAIL SB", true},
		{"KING'S CONFECTIONERY S/B", false},
		{"Sdn Bhd", false}, // no word but the legal form
		{"UNIHAKKA INTERNATIONAL SDN BHD", true},
		{"INTERNATIONAL HARDWARE", false},
	} {
		if got := namedByContact(tt.name, x.contactNames()); got != tt.want {
			t.Errorf("namedByContact(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := namedByContact("KING'S CONFECTIONERY S/B", []string{"kings"}); !got {
		t.Errorf("a contact part beginning with the name's first word does not name it")
	}
}

// TestSellerFallbackNameProb: the seller's name found without a label
// carries the name model's probability as the free candidates of the same
// line do, so that the learned scorer sees it whichever of the two is
// kept (onePerLine keeps the fallback's, whose hand score is higher).
func TestSellerFallbackNameProb(t *testing.T) {
	x := &extractor{lay: newLayout(textDoc("Azure Interior\n4557 De Silva St\nFremont CA 94538\n\nInvoice INV/2023/03/0008"))}
	p := &picker{}
	x.sellerName(nil, p)
	if len(p.all) == 0 {
		t.Fatal("no seller candidates")
	}
	for _, cd := range p.all {
		if cd.nameProb <= 0 || cd.nameProb != cd.score {
			t.Errorf("%q: name probability %v, hand score %v", cd.value, cd.nameProb, cd.score)
		}
	}
}
