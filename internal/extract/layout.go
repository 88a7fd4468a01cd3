package extract

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// placedWord is a word of a text layer before it is grouped into a line.
type placedWord struct {
	Word
	baseline float64 // y of the baseline, in the page's top-left coordinates
	size     float64 // the font's height, which scales the tolerances
}

// sameLine reports whether w belongs on the line that ref opened: their
// baselines differ by less than 0.4 of the smaller font height (cells of a
// table row set in different sizes or centred vertically, far below any
// leading), or their boxes share at least 0.6 of the smaller height (a small
// "Page 1" top-aligned with a large title, a superscript).
func sameLine(ref, w placedWord) bool {
	small := min(w.size, ref.size)
	if math.Abs(w.baseline-ref.baseline) <= 0.4*small {
		return true
	}
	shared := min(w.Box.Y1, ref.Box.Y1) - max(w.Box.Y0, ref.Box.Y0)
	return small > 0 && shared >= 0.6*small
}

// groupLines puts words that share a baseline (see sameLine) on one Line, however far apart
// they are (the cells of a table row stay together), and orders lines top to
// bottom and words left to right. A word drawn twice at the same place (fake
// bold, shadows) is kept once.
func groupLines(words []placedWord) []Line {
	slices.SortStableFunc(words, func(a, b placedWord) int { return cmp.Compare(a.baseline, b.baseline) })
	var (
		lines []Line
		row   []placedWord
	)
	flush := func() {
		if len(row) > 0 {
			lines = append(lines, makeLine(row))
			row = row[:0]
		}
	}
	var ref placedWord // the first word of the line being built
	for _, w := range words {
		if len(row) > 0 && sameLine(ref, w) {
			row = append(row, w)
			continue
		}
		flush()
		row = append(row, w)
		ref = w
	}
	flush()
	return lines
}

func makeLine(row []placedWord) Line {
	slices.SortStableFunc(row, func(a, b placedWord) int { return cmp.Compare(a.Box.X0, b.Box.X0) })
	line := Line{Words: make([]Word, 0, len(row))}
	texts := make([]string, 0, len(row))
	for _, w := range row {
		if n := len(line.Words); n > 0 && line.Words[n-1].Text == w.Text && overlap(line.Words[n-1].Box, w.Box) > 0.7 {
			continue
		}
		line.Words = append(line.Words, w.Word)
		texts = append(texts, w.Text)
	}
	line.Text = strings.Join(texts, " ")
	line.Box = line.Words[0].Box
	for _, w := range line.Words[1:] {
		line.Box = union(line.Box, w.Box)
	}
	return line
}

func union(a, b Box) Box {
	return Box{X0: min(a.X0, b.X0), Y0: min(a.Y0, b.Y0), X1: max(a.X1, b.X1), Y1: max(a.Y1, b.Y1)}
}

// overlap is the area both boxes cover over the area of the smaller one.
func overlap(a, b Box) float64 {
	w := min(a.X1, b.X1) - max(a.X0, b.X0)
	h := min(a.Y1, b.Y1) - max(a.Y0, b.Y0)
	if w <= 0 || h <= 0 {
		return 0
	}
	smaller := min((a.X1-a.X0)*(a.Y1-a.Y0), (b.X1-b.X0)*(b.Y1-b.Y0))
	if smaller <= 0 {
		return 0
	}
	return w * h / smaller
}
