package classify

import (
	"maps"
	"math"
	"slices"
)

// exampleModel is what a classification learned from the files users put
// into categories by hand: a TF-IDF centroid per category (and one for
// "none of the categories"). A document close to a category's centroid,
// relative to the other centroids, gains score; the gain grows with the
// number of examples behind the centroid, so one correction nudges and
// ten corrections steer.
type exampleModel struct {
	idf       map[string]float64
	centroids []centroid
	catIndex  map[string]int // category ID -> index in Model.cats
	// own: each example's unit bag (log term frequencies, no IDF), to
	// find a document the user already filed by hand (nearest).
	own []centroid
}

// nearDuplicate is the cosine similarity of their words from which a
// document counts as the same as an example: the same file uploaded
// again, or another copy of one form or statement with other numbers.
const nearDuplicate = 0.9

type centroid struct {
	cat int // index of the category, -1 for "none"
	n   int
	vec map[string]float64
}

// exampleGain is the largest shift examples can make to a score (a
// category's zero-shot score is at most weightEvidence+weightDesc = 4.5);
// exampleTemperature sets how much a difference in cosine similarity
// counts.
const (
	exampleGain        = 3.0
	exampleTemperature = 0.05
)

func newExampleModel(cats []Category, examples []Example) *exampleModel {
	e := &exampleModel{idf: map[string]float64{}, catIndex: map[string]int{}}
	for i, c := range cats {
		e.catIndex[c.ID] = i
	}
	bags := make([]map[string]float64, len(examples))
	df := map[string]int{}
	for i, ex := range examples {
		bags[i] = bag(ex.Text)
		for w := range bags[i] {
			df[w]++
		}
	}
	n := float64(len(examples))
	for w, k := range df {
		e.idf[w] = math.Log((1+n)/(1+float64(k))) + 1
	}
	byCat := map[int]*centroid{}
	var order []int
	for i, ex := range examples {
		ci, ok := e.catIndex[ex.CategoryID]
		if !ok {
			ci = -1
		}
		c := byCat[ci]
		if c == nil {
			c = &centroid{cat: ci, vec: map[string]float64{}}
			byCat[ci] = c
			order = append(order, ci)
		}
		c.n++
		own := maps.Clone(bags[i])
		normalize(own)
		e.own = append(e.own, centroid{cat: ci, n: 1, vec: own})
		v := e.weigh(bags[i])
		for w, x := range v {
			c.vec[w] += x
		}
	}
	for _, ci := range order {
		c := byCat[ci]
		normalize(c.vec)
		e.centroids = append(e.centroids, *c)
	}
	return e
}

// bag returns the log term frequencies of the content words of text.
func bag(text string) map[string]float64 {
	tf := map[string]float64{}
	for _, w := range words(text) {
		if len(w) > 2 && !stopwords[w] {
			tf[w]++
		}
	}
	for w, k := range tf {
		tf[w] = 1 + math.Log(k)
	}
	return tf
}

// weigh returns the unit TF-IDF vector of a bag; words no example holds
// are dropped, since no centroid can match them.
func (e *exampleModel) weigh(b map[string]float64) map[string]float64 {
	v := make(map[string]float64, len(b))
	for w, x := range b {
		if idf, ok := e.idf[w]; ok {
			v[w] = x * idf
		}
	}
	normalize(v)
	return v
}

// normalize scales v to unit length. It sums in word order so that the
// result does not depend on map iteration order.
func normalize(v map[string]float64) {
	s := 0.0
	for _, w := range slices.Sorted(maps.Keys(v)) {
		s += v[w] * v[w]
	}
	if s == 0 {
		return
	}
	s = math.Sqrt(s)
	for w := range v {
		v[w] /= s
	}
}

// adjust shifts the scores of the categories that have examples by how
// much closer the document is to their centroid than to the average
// centroid.
func (e *exampleModel) adjust(doc *docView, scores []score) {
	if len(e.centroids) < 2 {
		// One centroid alone cannot say which category a document is
		// closer to.
		return
	}
	b := map[string]float64{}
	for w, k := range doc.tf {
		if len(w) > 2 && !stopwords[w] {
			b[w] = 1 + math.Log(float64(k))
		}
	}
	v := e.weigh(b)
	keys := slices.Sorted(maps.Keys(v)) // a fixed order: sums must not vary
	// A softmax over the centroids' similarities: how strongly the
	// examples point at each label, whatever the scale of the texts.
	sims := make([]float64, len(e.centroids))
	top := math.Inf(-1)
	for i, c := range e.centroids {
		for _, w := range keys {
			sims[i] += v[w] * c.vec[w]
		}
		top = max(top, sims[i])
	}
	sum := 0.0
	for i := range sims {
		sims[i] = math.Exp((sims[i] - top) / exampleTemperature)
		sum += sims[i]
	}
	even := 1 / float64(len(sims))
	for i, c := range e.centroids {
		if c.cat < 0 {
			continue
		}
		alpha := float64(c.n) / float64(c.n+3)
		d := exampleGain * alpha * (sims[i]/sum - even)
		for j := range scores {
			if scores[j].cat == c.cat {
				scores[j].total += d
				scores[j].example = d
			}
		}
	}
}

// nearest returns the example most like the document whose bag is b, by
// the cosine similarity of their words, and that similarity; ok is false
// without examples. Examples are newest first, so of two alike the newer
// correction wins.
func (e *exampleModel) nearest(b map[string]float64) (cat int, sim float64, ok bool) {
	v := maps.Clone(b)
	normalize(v)
	keys := slices.Sorted(maps.Keys(v))
	for _, ex := range e.own {
		s := 0.0
		for _, w := range keys {
			s += v[w] * ex.vec[w]
		}
		if !ok || s > sim {
			cat, sim, ok = ex.cat, s, true
		}
	}
	return cat, sim, ok
}
