package dataset

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

func TestReserved(t *testing.T) {
	for id, want := range map[string]bool{"000": true, "020": true, "620": true, "001": false, "019": false, "621": false, "x": true} {
		if got := Reserved("sroie", id); got != want {
			t.Errorf("Reserved(sroie, %s) = %v, want %v", id, got, want)
		}
	}
	if Reserved("einvoice", "020") {
		t.Error("only SROIE numbers are reserved")
	}
}

func TestSplitStableAndBalanced(t *testing.T) {
	if Split("sroie", "001") != Split("sroie", "001") {
		t.Fatal("split is not stable")
	}
	n := 0
	for i := range 1000 {
		if Split("sroie", fmt.Sprintf("%03d", i)) == Train {
			n++
		}
	}
	if n < 540 || n > 660 {
		t.Fatalf("%d of 1000 in train, want about 600", n)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	items := []Item{
		{Source: "sroie", ID: "001", Split: Split("sroie", "001"), Kind: KindReceipt, File: "sroie/001.jpg", Truth: map[string]string{"total": "60.30"}},
		{Source: "sroie", ID: "002", Split: Split("sroie", "002"), Kind: KindReceipt, File: "sroie/002.jpg"},
	}
	if err := Write(dir, items); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Truth["total"] != "60.30" || got[0].File != filepath.Join(dir, "sroie/001.jpg") {
		t.Fatalf("read back %+v", got)
	}
	if err := Write(dir, append(items, Item{Source: "sroie", ID: "040"})); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir, ""); err == nil {
		t.Fatal("a manifest naming a reserved receipt was read")
	}
}

func TestDirsAndSort(t *testing.T) {
	var d Dirs
	for _, v := range []string{"a, b", "", "c,,"} {
		if err := d.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := d.String(), "a,b,c"; got != want {
		t.Errorf("Dirs after -data 'a, b' -data '' -data 'c,,' = %q, want %q", got, want)
	}
	items := []Item{{Source: "sroie", ID: "2"}, {Source: "einvoice", ID: "9"}, {Source: "sroie", ID: "1"}}
	Sort(items)
	var got []string
	for _, it := range items {
		got = append(got, it.Source+"/"+it.ID)
	}
	if want := []string{"einvoice/9", "sroie/1", "sroie/2"}; !slices.Equal(got, want) {
		t.Errorf("Sort = %v, want %v", got, want)
	}
}
