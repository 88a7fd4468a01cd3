// Command einvoice measures how fast docparse reads e-invoices: XML files
// (CII: ZUGFeRD, Factur-X, XRechnung; UBL: XRechnung, PEPPOL) parsed with
// package einvoice and mapped onto a schema of common invoice fields with
// fields.FromInvoice, as the pipeline does for an XML upload or a
// Factur-X attachment. It prints e-invoices/s parsed, and parsed and
// mapped, and the files it could not read with their error codes.
//
// Usage:
//
//	go run ./bench/einvoice [-d 5s] [-workers N] DIR...
//	go run ./bench/einvoice -check [-v] DIR...   # accuracy against an independent reading
//	go run ./bench/einvoice -pdf DIR...          # hybrid PDFs: page against XML
//	go run ./bench/einvoice -bomb 1024           # a PDF attachment inflating to 1 GB
//
// Every .xml file under each DIR whose root element is an invoice is
// read into memory first; other XML is counted and left out. Standard
// library and docparse's own packages only.
package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docparse/docparse/bench/internal/harness"
	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/einvoice"
	"github.com/docparse/docparse/internal/fields"
)

// schema is what an accounts-payable user asks of an invoice.
var schema = []docparse.Field{
	{Key: "invoice_number", Type: docparse.TypeString},
	{Key: "invoice_date", Type: docparse.TypeDate},
	{Key: "due_date", Type: docparse.TypeDate},
	{Key: "currency", Type: docparse.TypeString},
	{Key: "subtotal", Type: docparse.TypeNumber},
	{Key: "tax", Type: docparse.TypeNumber},
	{Key: "total", Type: docparse.TypeNumber},
	{Key: "iban", Type: docparse.TypeString},
	{Key: "order_number", Type: docparse.TypeString},
	{Key: "seller", Type: docparse.TypeObject, Fields: []docparse.Field{
		{Key: "name", Type: docparse.TypeString},
		{Key: "vat_id", Type: docparse.TypeString},
		{Key: "address", Type: docparse.TypeString},
	}},
	{Key: "buyer", Type: docparse.TypeObject, Fields: []docparse.Field{
		{Key: "name", Type: docparse.TypeString},
		{Key: "vat_id", Type: docparse.TypeString},
	}},
	{Key: "line_items", Type: docparse.TypeListObject, Fields: []docparse.Field{
		{Key: "description", Type: docparse.TypeString},
		{Key: "quantity", Type: docparse.TypeNumber},
		{Key: "unit_price", Type: docparse.TypeNumber},
		{Key: "amount", Type: docparse.TypeNumber},
	}},
}

// limit is the pipeline's: extract.MaxEInvoiceBytes.
const limit = 32 << 20

type file struct {
	path string
	data []byte
}

func main() {
	dur := flag.Duration("d", 5*time.Second, "how long each measurement runs (at least one pass over the files)")
	pdfs := flag.Bool("pdf", false, "instead: read every hybrid PDF under DIR (page and attachment, as the pipeline does) and report where the page contradicts the XML")
	check := flag.Bool("check", false, "instead: compare every invoice's core values with an independent reading of its XML (a generic element tree and fixed paths per syntax) and print the share equal per syntax and profile")
	verbose := flag.Bool("v", false, "with -check: list every disagreement (file, field, ours, independent)")
	bombMB := flag.Int64("bomb", 0, "instead: read a PDF whose attachment inflates to this many MB, as the pipeline does, and print the outcome, the time and the peak memory (no DIR)")
	rounds := flag.Int("rounds", 3, "with -bomb: how many reads")
	workers := flag.Int("workers", 1, "goroutines parsing at once (the pipeline runs one per file job)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: einvoice [-d 5s] [-workers N] DIR...\n       einvoice -check [-v] DIR...\n       einvoice -pdf DIR...\n       einvoice -bomb MB [-rounds N]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *bombMB > 0 {
		if err := bomb(*bombMB<<20, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, dir := range flag.Args() {
		if reserved(dir) {
			fmt.Fprintf(os.Stderr, "%s is the repository ZUGFeRD/corpus, reserved for independent checks: not read\n", dir)
			os.Exit(2)
		}
	}
	if *pdfs {
		if err := comparePDFs(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	files, other, err := load(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(files) == 0 {
		fmt.Fprintf(os.Stderr, "no e-invoice XML under %s (%d other XML files)\n", strings.Join(flag.Args(), ", "), other)
		os.Exit(1)
	}
	if *check {
		fmt.Printf("e-invoices: %d files under %s; %d other XML files left out\n", len(files), strings.Join(flag.Args(), ", "), other)
		checkFiles(files, *verbose)
		return
	}

	// One pass: what each file is, and which fail.
	kinds := map[string]int{}
	answered := map[string]float64{} // sum of the share of top-level fields answered
	failures := map[string][]string{}
	var bytesTotal int
	ok := files[:0:0]
	for _, f := range files {
		bytesTotal += len(f.data)
		inv, err := einvoice.Parse(bytes.NewReader(f.data), limit)
		if err != nil {
			code := "error"
			if e, isE := err.(*einvoice.Error); isE {
				code = e.Code
			}
			failures[code] = append(failures[code], f.path)
			continue
		}
		ok = append(ok, f)
		p := string(inv.Profile)
		if p == "" {
			p = "(no profile)"
		}
		kinds[string(inv.Syntax)+" "+p]++
		answered[string(inv.Syntax)+" "+p] += fields.FromInvoice(inv, schema).LayoutMatch
	}
	fmt.Printf("e-invoices: %d files (%d KB) under %s; %d other XML files left out; load average %s\n",
		len(files), bytesTotal>>10, strings.Join(flag.Args(), ", "), other, loadavg())
	keys := make([]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("  %-28s %5s  %s\n", "syntax, profile", "files", "schema fields answered (of 12 top-level)")
	for _, k := range keys {
		fmt.Printf("  %-28s %5d  %.0f%%\n", k, kinds[k], 100*answered[k]/float64(kinds[k]))
	}
	for code, paths := range failures {
		fmt.Printf("  failed %s: %d (%s)\n", code, len(paths), strings.Join(paths[:min(3, len(paths))], ", "))
	}
	if len(ok) == 0 {
		os.Exit(1)
	}

	parse := func(f file) {
		if _, err := einvoice.Parse(bytes.NewReader(f.data), limit); err != nil {
			panic(err)
		}
	}
	parseMap := func(f file) {
		inv, err := einvoice.Parse(bytes.NewReader(f.data), limit)
		if err != nil {
			panic(err)
		}
		fields.FromInvoice(inv, schema)
	}
	fmt.Printf("workers %d, GOMAXPROCS %d, %s per measurement\n", *workers, runtime.GOMAXPROCS(0), *dur)
	for _, m := range []struct {
		name string
		fn   func(file)
	}{{"parsed", parse}, {"parsed and mapped", parseMap}} {
		n, el := measure(ok, *workers, *dur, m.fn)
		rate := float64(n) / el.Seconds()
		fmt.Printf("%-18s %8.0f e-invoices/s  (%d in %.2fs, %.0f µs each)\n", m.name+":", rate, n, el.Seconds(), el.Seconds()*1e6/float64(n)*float64(*workers))
	}
}

// measure runs fn over files, round robin, on workers goroutines, for at
// least d and at least one pass; it returns how many calls ran and how
// long they took.
func measure(files []file, workers int, d time.Duration, fn func(file)) (int, time.Duration) {
	var next atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(files)) && time.Now().After(deadline) {
					return
				}
				fn(files[i%int64(len(files))])
			}
		}()
	}
	wg.Wait()
	return int(next.Load()) - max(1, workers), time.Since(start)
}

// load reads every .xml file under dirs whose root is an invoice; it
// counts the others.
func load(dirs []string) ([]file, int, error) {
	var files []file
	other := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".xml") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if _, ok := einvoice.Sniff(b[:min(len(b), einvoice.SniffSize)]); !ok {
				other++
				return nil
			}
			files = append(files, file{path: path, data: b})
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", dir, err)
		}
	}
	return files, other, nil
}

// reserved reports whether dir is (a copy of) the repository
// ZUGFeRD/corpus, which only independent checks may read: a mirror
// directory ZUGFeRD+corpus or a path ending in ZUGFeRD/corpus.
func reserved(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	l := strings.ToLower(filepath.ToSlash(abs))
	return strings.Contains(l, "zugferd+corpus") || strings.Contains(l+"/", "zugferd/corpus/")
}

// loadavg is the load average for the report, "?" when it cannot be read.
func loadavg() string { return cmp.Or(harness.LoadAverage(), "?") }
