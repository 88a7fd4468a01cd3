package fields

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"go/format"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/extract"
)

// Sample is one labelled candidate: the model it trains (modelKey), the
// group of candidates it competes in (one field of one document), its
// features and whether it is the field's true value.
type Sample struct {
	Kind     string
	Group    int
	Features [numFeatures]float64
	Right    bool
}

// minSamples is the fewest positive and negative samples a kind needs
// to get a model of its own.
const minSamples = 30

// l2 is the ridge penalty of the fit, on every weight but the bias.
const l2 = 1.0

// Winner is the reading a model chose for a field of a training document:
// its probability before calibration, and whether it was right. Model
// names the curve it calibrates (CurveKeysFor): the model's, or for a
// document the OCR models read, the models' own even where their
// readings are ranked by the plain model.
type Winner struct {
	Model string
	P     float64
	Right bool
}

// minCurve is the fewest winners a model's calibration curve is fitted on,
// and curveBlock the fewest in one step of the curve. curveZ is how far
// below its winners' rate each step is set (lowerCurve), in standard
// errors: a value the engine calls sure must be right far more often than
// not, so a step measured on few winners counts as what it surely is at
// least. Two standard errors (one step in 44 overstated, against one in
// 6 for one) cost about a tenth of the values called sure and make those
// right more often: on the training split's cross-fitted winners, fitted
// on half and scored on the other, amount:total 94.7% right at >= 0.7
// (93.3% with one), name:seller 93.2% (91.2%).
const (
	minCurve   = 60
	curveBlock = 20
	curveZ     = 2.0
)

// FitScorer fits one choice model per model on samples (fitChoice, then
// boosted trees on top of it, fitTrees), then, when winners are given
// (what those models chose on the training documents), one calibration
// curve per model on them. The fit is deterministic: the same samples
// give the same scorer.
func FitScorer(samples []Sample, winners []Winner) *Scorer {
	sc := &Scorer{weights: map[string][numFeatures]float64{}, trees: map[string][]boostTree{}, curves: map[string][]calPoint{}}
	for kind, groups := range modelGroups(samples) {
		w := fitChoice(groups)
		sc.weights[kind] = w
		sc.trees[kind] = fitTrees(&w, groups)
	}
	by := map[string][]Winner{}
	for _, w := range winners {
		by[w.Model] = append(by[w.Model], w)
	}
	for m, ws := range by {
		if !sc.has(m) && !sc.has(strings.TrimSuffix(m, modelsSuffix)) || len(ws) < minCurve {
			continue
		}
		raw, right := make([]float64, len(ws)), make([]bool, len(ws))
		for i, w := range ws {
			raw[i], right[i] = w.P, w.Right
		}
		sc.curves[m] = lowerCurve(raw, right, isotonic(raw, right, curveBlock), curveZ)
	}
	return sc
}

// Models names the scorer's models.
func (sc *Scorer) Models() []string {
	var out []string
	for k := range sc.weights {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// HasCurve reports whether model has a calibration curve.
func (sc *Scorer) HasCurve(model string) bool { return len(sc.curves[model]) > 0 }

// ModelKeys returns the learned scorer's model of each top-level scalar
// field of schema, by key.
func ModelKeys(schema []docparse.Field) map[string]string {
	out := map[string]string{}
	for _, f := range schema {
		out[f.Key] = modelKey(newSpec(f, nil, lex.doc))
	}
	return out
}

// ModelKeysFor returns the model of sc that ranks each top-level scalar
// field of schema on doc, by key: the OCR models' own where doc was read
// by them and sc has one (modelsSuffix), the plain one otherwise.
func (sc *Scorer) ModelKeysFor(doc *extract.Document, schema []docparse.Field) map[string]string {
	out := ModelKeys(schema)
	if doc.ReadByModels() {
		for k, m := range out {
			if sc.has(m + modelsSuffix) {
				out[k] = m + modelsSuffix
			}
		}
	}
	return out
}

// CurveKeysFor returns the calibration curve of each top-level scalar
// field of schema on doc, by key: the model's (ModelKeysFor), but for a
// document the OCR models read, the models' own always. Their readings
// are wrong far less often than Tesseract's, so a curve fitted on both
// would make Tesseract's values look surer than they are and theirs
// less sure; where too few of their candidates are wrong for a model of
// their own (dates), their winners still get a curve of their own.
func (sc *Scorer) CurveKeysFor(doc *extract.Document, schema []docparse.Field) map[string]string {
	out := sc.ModelKeysFor(doc, schema)
	if doc.ReadByModels() {
		for k, m := range out {
			if !strings.HasSuffix(m, modelsSuffix) {
				out[k] = m + modelsSuffix
			}
		}
	}
	return out
}

// modelGroups returns the groups of candidates of each kind that has
// enough right and wrong ones for a model of its own.
func modelGroups(samples []Sample) map[string][][]Sample {
	byKind := map[string][]Sample{}
	for _, s := range samples {
		byKind[s.Kind] = append(byKind[s.Kind], s)
	}
	out := map[string][][]Sample{}
	for kind, ss := range byKind {
		pos := 0
		for _, s := range ss {
			if s.Right {
				pos++
			}
		}
		if pos < minSamples || len(ss)-pos < minSamples {
			continue
		}
		out[kind] = groupSamples(ss)
	}
	return out
}

// groupSamples splits ss into its groups, in the order they first appear.
func groupSamples(ss []Sample) [][]Sample {
	at := map[int]int{}
	var out [][]Sample
	for _, s := range ss {
		i, ok := at[s.Group]
		if !ok {
			i = len(out)
			at[s.Group] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], s)
	}
	return out
}

// fitChoice fits the weights of a choice model: within a group, candidate
// i is the field's value with probability exp(w·f_i) / (1 + Σ_j exp(w·f_j)),
// the 1 standing for "none of them" (a group whose candidates are all
// wrong teaches that). Unlike a regression on each candidate alone, it
// learns what sets the right candidate apart from the others of its own
// document. A group with several right candidates (a total printed twice)
// shares the target among them. The loss is convex; it is minimised by
// Newton's method with a ridge penalty on every weight but the bias.
func fitChoice(groups [][]Sample) [numFeatures]float64 {
	const n = numFeatures
	var w [n]float64
	probs := make([]float64, 0, 64)
	for iter := 0; iter < 50; iter++ {
		var grad [n]float64
		var hess [n][n]float64
		for _, g := range groups {
			probs = choiceProbs(probs[:0], &w, g)
			right := 0
			for _, s := range g {
				if s.Right {
					right++
				}
			}
			var mean [n]float64
			for k, s := range g {
				t := 0.0
				if s.Right {
					t = 1 / float64(right)
				}
				for i := range n {
					grad[i] += (probs[k] - t) * s.Features[i]
					mean[i] += probs[k] * s.Features[i]
				}
				for i := range n {
					if s.Features[i] == 0 {
						continue
					}
					pf := probs[k] * s.Features[i]
					for j := range n {
						hess[i][j] += pf * s.Features[j]
					}
				}
			}
			for i := range n {
				if mean[i] == 0 {
					continue
				}
				for j := range n {
					hess[i][j] -= mean[i] * mean[j]
				}
			}
		}
		for i := 1; i < n; i++ {
			grad[i] += l2 * w[i]
			hess[i][i] += l2
		}
		hess[0][0] += 1e-6
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		// Newton's step, halved until the loss goes down: the full step
		// can overshoot far from the optimum.
		before := choiceLoss(&w, groups)
		var next [n]float64
		scale, change := 1.0, 0.0
		for range 30 {
			for i := range n {
				next[i] = w[i] - scale*step[i]
			}
			if choiceLoss(&next, groups) <= before {
				break
			}
			scale /= 2
		}
		for i := range n {
			change = max(change, math.Abs(next[i]-w[i]))
		}
		w = next
		if change < 1e-7 {
			break
		}
	}
	for i := range w {
		w[i] = math.Round(w[i]*1e4) / 1e4
	}
	return w
}

// choiceLoss is what fitChoice minimises: the negative log-likelihood of
// the groups' right candidates (or of none, when none is right) plus the
// ridge penalty.
func choiceLoss(w *[numFeatures]float64, groups [][]Sample) float64 {
	loss := 0.0
	for i := 1; i < numFeatures; i++ {
		loss += l2 / 2 * w[i] * w[i]
	}
	var z []float64
	for _, g := range groups {
		z = z[:0]
		top := 0.0
		right := 0
		for _, s := range g {
			z = append(z, dot(w, &s.Features))
			top = max(top, z[len(z)-1])
			if s.Right {
				right++
			}
		}
		sum := math.Exp(-top)
		for _, v := range z {
			sum += math.Exp(v - top)
		}
		logSum := top + math.Log(sum)
		if right == 0 {
			loss += logSum
			continue
		}
		for k, s := range g {
			if s.Right {
				loss += (logSum - z[k]) / float64(right)
			}
		}
	}
	return loss
}

// choiceProbs appends to out each candidate's probability under the
// choice model w (fitChoice).
func choiceProbs(out []float64, w *[numFeatures]float64, g []Sample) []float64 {
	for _, s := range g {
		out = append(out, dot(w, &s.Features))
	}
	choiceOf(out)
	return out
}

// choiceOf turns the scores z of a group's candidates into their
// probabilities, in place: exp(z_i) / (1 + sum_j exp(z_j)), the 1 for
// "none of them".
func choiceOf(z []float64) {
	top := 0.0
	for _, v := range z {
		top = max(top, v)
	}
	sum := math.Exp(-top)
	for i := range z {
		z[i] = math.Exp(z[i] - top)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

func dot(w, f *[numFeatures]float64) float64 {
	z := 0.0
	for i := range f {
		z += w[i] * f[i]
	}
	return z
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [numFeatures][numFeatures]float64, b [numFeatures]float64) ([numFeatures]float64, bool) {
	const n = numFeatures
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		if math.Abs(a[piv][c]) < 1e-12 {
			return b, false
		}
		a[c], a[piv] = a[piv], a[c]
		b[c], b[piv] = b[piv], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [n]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

// RenderScorerModel returns the Go source of scorer_model.go for sc.
func RenderScorerModel(sc *Scorer) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./bench/train; DO NOT EDIT.\n\npackage fields\n\n")
	b.WriteString("// scorerModels are the learned scorer's weights per kind of value\n// (scorer.go), fitted on the training split of the labelled documents.\n")
	renderMap(&b, "scorerModels", "[numFeatures]float64", sc.weights, func(w [numFeatures]float64) string {
		return floats(w[:])
	})
	// A kind's trees stand on one line: data, not code to read.
	b.WriteString("// scorerTrees are the boosted trees added to the weights' scores per\n// kind (scorerboost.go).\n")
	renderMap(&b, "scorerTrees", "[]boostTree", sc.trees, func(ts []boostTree) string {
		var out []string
		for _, t := range ts {
			var splits []string
			for _, s := range t.splits {
				splits = append(splits, fmt.Sprintf("{%d, %s}", s.feature, strconv.FormatFloat(s.at, 'f', -1, 64)))
			}
			out = append(out, fmt.Sprintf("{[treeSplits]treeSplit{%s}, [treeLeaves]float64{%s}}", strings.Join(splits, ", "), floats(t.leaves[:])))
		}
		return strings.Join(out, ", ")
	})
	b.WriteString("// scorerCurves calibrate the winners' probabilities per model.\n")
	renderMap(&b, "scorerCurves", "[]calPoint", sc.curves, func(pts []calPoint) string {
		var out []string
		for _, p := range pts {
			out = append(out, "{"+floats([]float64{p.raw, p.p})+"}")
		}
		return strings.Join(out, ", ")
	})
	src := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if f, err := format.Source(src); err == nil {
		return f
	}
	return src
}

// renderMap writes the declaration of a map variable name from kind to
// typ, its entries in order of kind, each on one line as value renders it.
func renderMap[T any](b *bytes.Buffer, name, typ string, m map[string]T, value func(T) string) {
	fmt.Fprintf(b, "var %s = map[string]%s{\n", name, typ)
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(b, "\t%q: {%s},\n", k, value(m[k]))
	}
	b.WriteString("}\n\n")
}

// floats joins vs as Go literals, shortest form.
func floats(vs []float64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strings.Join(out, ", ")
}

// WriteSamples writes samples and winners as gzipped text, one a line
// (a sample: its model, its group, 1 or 0, its features; a winner: "winner", its
// model, its probability, 1 or 0), after a header naming FeatureVersion.
func WriteSamples(w io.Writer, samples []Sample, winners []Winner) error {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	zw.ModTime = zw.ModTime.UTC() // zero: the same samples give the same bytes
	bw := bufio.NewWriter(zw)
	fmt.Fprintf(bw, "docparse scorer samples v%d %d\n", FeatureVersion, numFeatures)
	for _, s := range samples {
		bw.WriteString(s.Kind)
		bw.WriteString(" ")
		bw.WriteString(strconv.Itoa(s.Group))
		bw.WriteString(" ")
		bw.WriteString(map[bool]string{true: "1", false: "0"}[s.Right])
		for _, f := range s.Features {
			bw.WriteByte(' ')
			bw.WriteString(strconv.FormatFloat(math.Round(f*1e4)/1e4, 'f', -1, 64))
		}
		bw.WriteByte('\n')
	}
	for _, wn := range winners {
		fmt.Fprintf(bw, "winner %s %s %s\n", wn.Model, strconv.FormatFloat(math.Round(wn.P*1e4)/1e4, 'f', -1, 64), map[bool]string{true: "1", false: "0"}[wn.Right])
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// ReadSamples reads what WriteSamples wrote; it refuses samples of
// another feature version.
func ReadSamples(r io.Reader) ([]Sample, []Winner, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read samples: %w", err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		return nil, nil, fmt.Errorf("read samples: empty")
	}
	if want := fmt.Sprintf("docparse scorer samples v%d %d", FeatureVersion, numFeatures); sc.Text() != want {
		return nil, nil, fmt.Errorf("read samples: header %q, want %q: run go run ./bench/train", sc.Text(), want)
	}
	var out []Sample
	var winners []Winner
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "winner" {
			p, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("read samples: %w", err)
			}
			winners = append(winners, Winner{Model: f[1], P: p, Right: f[3] == "1"})
			continue
		}
		if len(f) != numFeatures+3 {
			return nil, nil, fmt.Errorf("read samples: line %d has %d fields", len(out)+2, len(f))
		}
		s := Sample{Kind: f[0], Right: f[2] == "1"}
		if s.Group, err = strconv.Atoi(f[1]); err != nil {
			return nil, nil, fmt.Errorf("read samples: line %d: %w", len(out)+2, err)
		}
		for i := range numFeatures {
			if s.Features[i], err = strconv.ParseFloat(f[i+3], 64); err != nil {
				return nil, nil, fmt.Errorf("read samples: line %d: %w", len(out)+2, err)
			}
		}
		out = append(out, s)
	}
	return out, winners, sc.Err()
}

// lowerCurve lowers each point of curve (fitted on raw, right) to the
// Wilson lower bound, at z standard deviations, of the rate of the
// winners nearest it.
func lowerCurve(raw []float64, right []bool, curve []calPoint, z float64) []calPoint {
	out := slices.Clone(curve)
	for k := range out {
		lo, hi := math.Inf(-1), math.Inf(1)
		if k > 0 {
			lo = (curve[k-1].raw + curve[k].raw) / 2
		}
		if k+1 < len(curve) {
			hi = (curve[k].raw + curve[k+1].raw) / 2
		}
		n, r := 0.0, 0.0
		for i, v := range raw {
			if v >= lo && v < hi {
				n++
				if right[i] {
					r++
				}
			}
		}
		if n == 0 {
			continue
		}
		p := r / n
		d := 1 + z*z/n
		c := p + z*z/(2*n)
		m := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
		out[k].p = round3(min(out[k].p, (c-m)/d))
	}
	for k := 1; k < len(out); k++ {
		out[k].p = max(out[k].p, out[k-1].p)
	}
	return out
}
