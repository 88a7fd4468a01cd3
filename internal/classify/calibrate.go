package classify

import "math"

// Calibration turns the best and second-best scores into the probability
// that the best category is right (for a document that fits no category,
// no answer is right). A logistic model over a few features of the two
// scores gives a raw probability; a monotone curve fitted on labelled
// synthetic documents maps it to the share of right answers.
// calibration_table.go holds both, fitted by TestCalibrate
// (calibrate_test.go) on the training split only:
//
//	go test ./internal/classify -run TestCalibrate -update

// numFeatures is the length of a feature vector, bias included.
const numFeatures = 6

// features describes a decision for calibration: the best score, its
// margin over the second, the margin relative to the best, how many
// distinct pieces of evidence it rests on, how much of the margin the
// examples made, and a bias.
func features(best, second score) [numFeatures]float64 {
	margin := best.total - second.total
	rel := 0.0
	if best.total > 0 {
		rel = margin / best.total
	}
	return [numFeatures]float64{best.total, margin, rel, math.Log1p(float64(best.evidence)), best.example - second.example, 1}
}

func logistic(w [numFeatures]float64, x [numFeatures]float64) float64 {
	z := 0.0
	for i := range w {
		z += w[i] * x[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// calPoint is one point of the calibration curve: a raw probability and
// the share of right answers there.
type calPoint struct{ raw, p float64 }

// curveAt interpolates a curve at raw; outside its points it is flat.
func curveAt(pts []calPoint, raw float64) float64 {
	if len(pts) == 0 {
		return raw
	}
	if raw <= pts[0].raw {
		return pts[0].p
	}
	for i := 1; i < len(pts); i++ {
		if raw <= pts[i].raw {
			a, b := pts[i-1], pts[i]
			if b.raw-a.raw < 1e-12 {
				return b.p
			}
			return a.p + (b.p-a.p)*(raw-a.raw)/(b.raw-a.raw)
		}
	}
	return pts[len(pts)-1].p
}

// confidence is the calibrated probability of a decision with features x.
func confidence(x [numFeatures]float64) float64 {
	return min(max(curveAt(calCurve, logistic(calWeights, x)), 0), 1)
}
