package fields

import "fmt"

// Candidates: what the matcher offers for a field, where from, and the
// picker that keeps the best of them.

// candidate is one reading of a field: its value, its hand-ranked score
// (the product of the factors in the package comment) and where it came
// from, which the learned scorer (scorer.go) turns into features.
type candidate struct {
	value any
	score float64
	line  int
	src   candSource
	lab   float64 // the label's score (labelScore, times otherParty), for src == srcLabel
	place float64 // the placement factor, for src == srcLabel
	fit   float64 // how cleanly the text reads as the type
	party float64 // otherParty's factor, 1 when the label names no other party
	ln    *line
	// nameProb is the seller-name model's probability of a name found
	// without a label.
	nameProb float64
	// currency: a free amount written with a currency.
	currency bool
	// secondLn: the candidate was read only by the page's second reading,
	// on this line of it; ln is the first reading's line beside it.
	secondLn *line
}

// candSource says how a candidate was found.
type candSource int

const (
	srcLabel    candSource = iota // next to or below a label of the field
	srcFallback                   // a fallback without a label (first date, valid IBAN, example prefix, seller model)
	srcFree                       // any value of the type on the page, for the learned scorer to rank
)

// atLabel returns a candidate found at a label.
func atLabel(v any, lab, place, fit, party float64, ln *line) candidate {
	return candidate{value: v, score: lab * place * fit, line: ln.index, src: srcLabel, lab: lab, place: place, fit: fit, party: party, ln: ln}
}

// unlabelled returns a candidate found without a label, with hand score
// score.
func unlabelled(v any, score, fit float64, src candSource, ln *line) candidate {
	return candidate{value: v, score: score, line: ln.index, src: src, fit: fit, party: 1, ln: ln}
}

// picker collects the candidates of a field. The best wins; on a tie the
// first, or the last for concepts that sum up (totals).
type picker struct {
	sc       *scope
	last     bool
	fallback bool // the candidates so far came from a fallback
	best     candidate
	found    bool
	all      []candidate
}

func (p *picker) offer(cd candidate, ln *line) {
	cd.score *= p.sc.boost(ln)
	p.all = append(p.all, cd)
	switch {
	case !p.found, cd.score > p.best.score+eps:
	case p.last && cd.score > p.best.score-eps && cd.line > p.best.line:
	default:
		return
	}
	p.best, p.found = cd, true
}

// reading returns the picker's outcome, or nil when nothing was offered.
func (p *picker) reading() *reading {
	if !p.found {
		return nil
	}
	r := &reading{value: p.best.value, raw: p.best.score, labelled: !p.fallback, at: p.best}
	seen := map[string]int{}
	for _, cd := range p.all {
		k := fmt.Sprint(cd.value)
		if i, ok := seen[k]; ok {
			if cd.score > r.alts[i].score {
				r.alts[i] = cd
			}
			continue
		}
		seen[k] = len(r.alts)
		r.alts = append(r.alts, cd)
	}
	sortCandidates(r.alts)
	return r
}

// sortCandidates orders candidates best first, stably.
func sortCandidates(cs []candidate) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].score > cs[j-1].score+eps; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
