package pdftest

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

var pageSize = regexp.MustCompile(`Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+)`)

// TextIn returns the text of page (1-based) of the PDF at path inside box
// (x0, y0, x1, y1 in fractions of the page, origin top left, as the API's
// citations give it), grown by a point each way, as poppler's pdftotext
// cuts it out (-x -y -W -H). It needs pdfinfo and pdftotext.
func TextIn(path string, page int, box []float64) (string, error) {
	if len(box) != 4 {
		return "", fmt.Errorf("box %v: want 4 numbers", box)
	}
	p := strconv.Itoa(page)
	info, err := exec.Command("pdfinfo", "-f", p, "-l", p, path).Output()
	if err != nil {
		return "", fmt.Errorf("pdfinfo %s: %w", path, err)
	}
	m := pageSize.FindSubmatch(info)
	if m == nil {
		return "", fmt.Errorf("pdfinfo %s: no page size in %q", path, info)
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	x0, y0 := box[0]*w-1, box[1]*h-1
	x1, y1 := box[2]*w+1, box[3]*h+1
	arg := func(f float64) string { return strconv.Itoa(int(f)) }
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, "-x", arg(x0), "-y", arg(y0),
		"-W", arg(x1-x0+1), "-H", arg(y1-y0+1), "-layout", path, "-").Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext %s: %w", path, err)
	}
	return string(out), nil
}
