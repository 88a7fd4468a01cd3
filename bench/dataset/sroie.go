package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/bench/internal/dataset"
)

// sroieItems lays out the SROIE receipts of repo (zzzDavid/ICDAR-2019-
// SROIE: data/img/NNN.jpg with data/key/NNN.json) under out/sroie and
// returns their items, saying what it skipped on stderr. A receipt that
// is reserved (dataset.Reserved) is skipped before any of its files is
// read. The truth is the key's company as given, its date as YYYY-MM-DD
// and its total with two decimals; a value that is empty or cannot be read
// is left out of the truth (and said on stderr), the address always is.
func sroieItems(ctx context.Context, repo, out string, stderr io.Writer) ([]dataset.Item, error) {
	t, err := dataset.OpenTree(repo)
	if err != nil {
		return nil, fmt.Errorf("sroie: %w", err)
	}
	keys, err := t.Names(ctx, "data/key")
	if err != nil {
		return nil, fmt.Errorf("sroie: list keys: %w", err)
	}
	imgs, err := t.Names(ctx, "data/img")
	if err != nil {
		return nil, fmt.Errorf("sroie: list images: %w", err)
	}
	dir := filepath.Join(out, "sroie")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sroie: %w", err)
	}
	var items []dataset.Item
	reserved, noImage := 0, 0
	for _, k := range keys {
		id, ok := strings.CutSuffix(k, ".json")
		if !ok {
			continue
		}
		// Before anything of the receipt is read.
		if dataset.Reserved("sroie", id) {
			reserved++
			continue
		}
		img := id + ".jpg"
		if _, found := slices.BinarySearch(imgs, img); !found {
			noImage++
			continue
		}
		raw, err := t.Read(ctx, path.Join("data/key", k))
		if err != nil {
			return nil, fmt.Errorf("sroie %s: %w", id, err)
		}
		truth, problems, err := sroieTruth(raw)
		if err != nil {
			return nil, fmt.Errorf("sroie %s: %w", id, err)
		}
		for _, p := range problems {
			fmt.Fprintf(stderr, "sroie %s: %s: left out of the truth\n", id, p)
		}
		data, err := t.Read(ctx, path.Join("data/img", img))
		if err != nil {
			return nil, fmt.Errorf("sroie %s: %w", id, err)
		}
		if err := os.WriteFile(filepath.Join(dir, img), data, 0o644); err != nil {
			return nil, fmt.Errorf("sroie %s: %w", id, err)
		}
		items = append(items, dataset.Item{
			Source: "sroie",
			ID:     id,
			Split:  dataset.Split("sroie", id),
			Kind:   dataset.KindReceipt,
			File:   "sroie/" + img,
			Truth:  truth,
			Origin: "zzzDavid/ICDAR-2019-SROIE:data/img/" + img,
		})
	}
	fmt.Fprintf(stderr, "sroie: %d receipts laid out, %d reserved not read, %d keys without an image\n", len(items), reserved, noImage)
	return items, nil
}

// sroieTruth reads one SROIE key file into the truth's normal form, and
// says which values it left out.
func sroieTruth(raw []byte) (map[string]string, []string, error) {
	var k struct {
		Company, Date, Total string
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, nil, fmt.Errorf("read key: %w", err)
	}
	truth := map[string]string{}
	var problems []string
	if c := strings.TrimSpace(k.Company); c != "" {
		truth["company"] = c
	} else {
		problems = append(problems, "no company")
	}
	if d, ok := normaliseDate(k.Date); ok {
		truth["date"] = d
	} else {
		problems = append(problems, fmt.Sprintf("date %q", k.Date))
	}
	if a, ok := normaliseAmount(k.Total); ok {
		truth["total"] = a
	} else {
		problems = append(problems, fmt.Sprintf("total %q", k.Total))
	}
	return truth, problems, nil
}

var sroieMonths = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// normaliseDate reads a receipt date as SROIE writes it and returns it as
// YYYY-MM-DD. Numeric dates are day first (Malaysian receipts), unless the
// year leads (2018-10-19, 2018/02/22) or the second number cannot be a
// month (12/28/2017); two-digit years are 20YY; eight digits are YYYYMMDD
// when they start with 20, else DDMMYYYY. A month may be named (19 Oct
// 2018, 19-OCT-2018, OCT 3, 2016). Brackets around the date are dropped.
func normaliseDate(s string) (string, bool) {
	s = strings.Trim(strings.TrimSpace(s), "()[]")
	var f []string
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		if strings.HasPrefix(s, "20") {
			f = []string{s[:4], s[4:6], s[6:]}
		} else {
			f = []string{s[:2], s[2:4], s[4:]}
		}
	} else {
		f = strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return strings.ContainsRune(" ./-,", r) })
	}
	if len(f) != 3 {
		return "", false
	}
	num := func(x string) int {
		n, err := strconv.Atoi(x)
		if err != nil {
			return -1
		}
		return n
	}
	month := func(x string) int {
		if len(x) < 3 {
			return -1
		}
		if m, ok := sroieMonths[x[:3]]; ok {
			return m
		}
		return -1
	}
	var y, m, d int
	switch {
	case len(f[0]) == 4 && num(f[0]) > 0:
		y, m, d = num(f[0]), num(f[1]), num(f[2])
	case month(f[0]) > 0:
		m, d, y = month(f[0]), num(f[1]), num(f[2])
	case month(f[1]) > 0:
		d, m, y = num(f[0]), month(f[1]), num(f[2])
	default:
		d, m, y = num(f[0]), num(f[1]), num(f[2])
		if m > 12 && d <= 12 {
			d, m = m, d
		}
	}
	if y >= 0 && y < 100 && len(f[2]) == 2 {
		y += 2000
	}
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// normaliseAmount reads a receipt total ("RM 1,007.50", "$8.20", "43.7",
// "-1.73") and returns it with two decimals ("1007.50"). A comma is a
// thousands separator, as on Malaysian receipts.
func normaliseAmount(s string) (string, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(s), "RM"), "$"))
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || strings.Trim(s, "0123456789.") != "" {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	if neg {
		f = -f
	}
	return strconv.FormatFloat(f, 'f', 2, 64), true
}
