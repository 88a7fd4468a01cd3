package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docparse/docparse/bench/internal/dataset"
)

func TestNormaliseDate(t *testing.T) {
	for in, want := range map[string]string{
		"19/10/2018":   "2018-10-19",
		"2018-10-19":   "2018-10-19",
		"19-10-18":     "2018-10-19",
		"12-01-19":     "2019-01-12",
		"19 Oct 2018":  "2018-10-19",
		"19 OCT 18":    "2018-10-19",
		"19-OCT-2018":  "2018-10-19",
		"19/OCT/2018":  "2018-10-19",
		"OCT 3, 2016":  "2016-10-03",
		"12/28/2017":   "2017-12-28",
		"1/5/2018":     "2018-05-01",
		"2018/02/22":   "2018-02-22",
		"20180304":     "2018-03-04",
		"25032018":     "2018-03-25",
		"19.10.18":     "2018-10-19",
		"(06/12/2016)": "2016-12-06",
	} {
		if got, ok := normaliseDate(in); !ok || got != want {
			t.Errorf("normaliseDate(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "31/02/2018", "13/13/2018", "yesterday", "19/10"} {
		if got, ok := normaliseDate(in); ok {
			t.Errorf("normaliseDate(%q) = %q, want no date", in, got)
		}
	}
}

func TestNormaliseAmount(t *testing.T) {
	for in, want := range map[string]string{
		"60.30": "60.30", "RM 3.90": "3.90", "RM41.45": "41.45", "$8.20": "8.20",
		"1,007.50": "1007.50", "43.7": "43.70", "-1.73": "-1.73", "9": "9.00",
	} {
		if got, ok := normaliseAmount(in); !ok || got != want {
			t.Errorf("normaliseAmount(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "RM", "abc", "1.2.3"} {
		if got, ok := normaliseAmount(in); ok {
			t.Errorf("normaliseAmount(%q) = %q, want no amount", in, got)
		}
	}
}

// fakeSROIE makes a SROIE-shaped directory (not a git repository) with
// receipts ids, each image holding its id, each key a date in another
// form.
func fakeSROIE(t *testing.T, ids []int) string {
	t.Helper()
	repo := t.TempDir()
	for _, d := range []string{"data/img", "data/key", "data/box"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dates := []string{"19/10/2018", "19-10-18", "19 Oct 2018", "2018-10-19"}
	for i, n := range ids {
		id := fmt.Sprintf("%03d", n)
		key := fmt.Sprintf(`{"company": "SHOP %s SDN BHD", "date": %q, "address": "1, JALAN X", "total": "RM 1,0%02d.50"}`, id, dates[i%len(dates)], n%100)
		if err := os.WriteFile(filepath.Join(repo, "data/key", id+".json"), []byte(key), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "data/img", id+".jpg"), []byte("jpeg "+id), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

func TestSROIELayout(t *testing.T) {
	var ids []int
	for n := 0; n <= 45; n++ {
		ids = append(ids, n)
	}
	repo := fakeSROIE(t, ids)
	// A reserved receipt whose key cannot be read: reading it would fail
	// the layout, so passing proves it was skipped before being read.
	if err := os.WriteFile(filepath.Join(repo, "data/key", "040.json"), []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := layout(context.Background(), []string{"-out", out, "-sroie", repo}, &stdout, &stderr); err != nil {
		t.Fatalf("layout: %v\n%s", err, stderr.String())
	}
	items, err := dataset.Read(out, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 43 { // 46 receipts, less 000, 020 and 040
		t.Errorf("%d items, want 43", len(items))
	}
	splits := map[string]int{}
	for _, it := range items {
		if dataset.Reserved(it.Source, it.ID) {
			t.Errorf("reserved receipt %s laid out", it.ID)
		}
		if it.Split != dataset.Split("sroie", it.ID) {
			t.Errorf("%s: split %q, want %q", it.ID, it.Split, dataset.Split("sroie", it.ID))
		}
		splits[it.Split]++
		if it.Kind != dataset.KindReceipt || it.Truth["date"] != "2018-10-19" || it.Truth["company"] != "SHOP "+it.ID+" SDN BHD" {
			t.Errorf("%s: %+v", it.ID, it)
		}
		n := 0
		fmt.Sscanf(it.ID, "%d", &n)
		if want := fmt.Sprintf("10%02d.50", n%100); it.Truth["total"] != want {
			t.Errorf("%s: total %q, want %q", it.ID, it.Truth["total"], want)
		}
		if _, ok := it.Truth["address"]; ok {
			t.Errorf("%s: the address is in the truth", it.ID)
		}
		if b, err := os.ReadFile(it.File); err != nil || string(b) != "jpeg "+it.ID {
			t.Errorf("%s: image %q, %v", it.ID, b, err)
		}
	}
	if splits[dataset.Train] == 0 || splits[dataset.Validation] == 0 {
		t.Errorf("splits %v, want both", splits)
	}
	for _, id := range []string{"000", "020", "040"} {
		if _, err := os.Stat(filepath.Join(out, "sroie", id+".jpg")); err == nil {
			t.Errorf("reserved receipt %s copied", id)
		}
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("%-10s %6d %11d", "sroie", splits[dataset.Train], splits[dataset.Validation])) {
		t.Errorf("counts not printed:\n%s", stdout.String())
	}

	// Laid out again, the manifest keeps the items of other sources.
	other := dataset.Item{Source: "other", ID: "x", Split: dataset.Split("other", "x"), Kind: dataset.KindInvoice, File: "other/x.pdf"}
	if err := dataset.Write(out, append(items[:0:0], other)); err != nil {
		t.Fatal(err)
	}
	if err := layout(context.Background(), []string{"-out", out, "-sroie", repo}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	again, err := dataset.Read(out, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 44 || again[0].Source != "other" || again[0].File != filepath.Join(out, "other/x.pdf") {
		t.Errorf("after a second layout: %d items, first %+v", len(again), again[0])
	}
}
