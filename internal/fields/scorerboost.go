package fields

import (
	"math"
	"slices"
)

// Boosted trees on top of the linear choice model. A linear score cannot
// say "the largest amount, but only on a line that is not cash": the
// trees add such interactions. They are fitted by gradient boosting on the
// choice model's loss (fitChoice), starting from the linear scores: each
// tree is fitted, by Newton's method, to what the model so far gets wrong,
// and adds a small part of its answer to the candidates' scores.

// treeDepth is the depth of each tree: complete, treeSplits splits and
// treeLeaves leaves.
const (
	treeDepth  = 3
	treeSplits = 1<<treeDepth - 1
	treeLeaves = 1 << treeDepth
)

// Boosting settings: how many trees, how much of each tree's answer is
// added, the ridge on the leaves' values and the least hessian a leaf
// needs (a split that would leave less is not made).
const (
	boostRounds  = 160
	boostShrink  = 0.1
	boostLambda  = 1.0
	boostMinHess = 2.0
)

// treeSplit sends a candidate right when its feature is above at;
// feature -1 sends everything left.
type treeSplit struct {
	feature int
	at      float64
}

// boostTree is a complete binary tree: splits[i] has children 2i+1 and
// 2i+2; the leaves follow the last level of splits in order.
type boostTree struct {
	splits [treeSplits]treeSplit
	leaves [treeLeaves]float64
}

func (t *boostTree) eval(f *[numFeatures]float64) float64 {
	i := 0
	for i < treeSplits {
		s := t.splits[i]
		if s.feature >= 0 && f[s.feature] > s.at {
			i = 2*i + 2
		} else {
			i = 2*i + 1
		}
	}
	return t.leaves[i-treeSplits]
}

// score is a candidate's score under model: the linear score plus the
// trees'.
func (sc *Scorer) score(model string, w *[numFeatures]float64, f *[numFeatures]float64) float64 {
	z := dot(w, f)
	for i := range sc.trees[model] {
		z += sc.trees[model][i].eval(f)
	}
	return z
}

// fitTrees boosts trees on groups from the linear weights w.
func fitTrees(w *[numFeatures]float64, groups [][]Sample) []boostTree {
	var flat []Sample
	var start []int
	for _, g := range groups {
		start = append(start, len(flat))
		flat = append(flat, g...)
	}
	start = append(start, len(flat))
	n := len(flat)
	z := make([]float64, n)
	for i := range flat {
		z[i] = dot(w, &flat[i].Features)
	}
	// Each feature's candidates in ascending order, once.
	var order [numFeatures][]int32
	for f := range numFeatures {
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortStableFunc(idx, func(a, b int32) int {
			va, vb := flat[a].Features[f], flat[b].Features[f]
			switch {
			case va < vb:
				return -1
			case va > vb:
				return 1
			}
			return 0
		})
		order[f] = idx
	}
	grad, hess := make([]float64, n), make([]float64, n)
	var probs []float64
	node := make([]int, n)
	var trees []boostTree
	for range boostRounds {
		// The choice model's gradient and hessian at each candidate.
		for g := range groups {
			lo, hi := start[g], start[g+1]
			right := 0
			for i := lo; i < hi; i++ {
				if flat[i].Right {
					right++
				}
			}
			probs = append(probs[:0], z[lo:hi]...)
			choiceOf(probs)
			for i := lo; i < hi; i++ {
				p := probs[i-lo]
				t := 0.0
				if flat[i].Right {
					t = 1 / float64(right)
				}
				grad[i], hess[i] = p-t, max(p*(1-p), 1e-6)
			}
		}
		var t boostTree
		for i := range node {
			node[i] = 0
		}
		for level := range treeDepth {
			first := 1<<level - 1
			width := 1 << level
			type acc struct{ g, h float64 }
			total := make([]acc, width)
			for i := range n {
				k := node[i] - first
				total[k].g += grad[i]
				total[k].h += hess[i]
			}
			best := make([]float64, width)
			for k := range width {
				t.splits[first+k] = treeSplit{feature: -1}
			}
			for f := range numFeatures {
				left := make([]acc, width)
				last := make([]float64, width)
				seen := make([]bool, width)
				for _, i32 := range order[f] {
					i := int(i32)
					k := node[i] - first
					v := flat[i].Features[f]
					if seen[k] && v > last[k] {
						l, tot := left[k], total[k]
						r := acc{tot.g - l.g, tot.h - l.h}
						if l.h >= boostMinHess && r.h >= boostMinHess {
							gain := l.g*l.g/(l.h+boostLambda) + r.g*r.g/(r.h+boostLambda) - tot.g*tot.g/(tot.h+boostLambda)
							if gain > best[k]+1e-9 {
								best[k] = gain
								t.splits[first+k] = treeSplit{feature: f, at: (last[k] + v) / 2}
							}
						}
					}
					left[k].g += grad[i]
					left[k].h += hess[i]
					last[k], seen[k] = v, true
				}
			}
			for i := range n {
				s := t.splits[node[i]]
				if s.feature >= 0 && flat[i].Features[s.feature] > s.at {
					node[i] = 2*node[i] + 2
				} else {
					node[i] = 2*node[i] + 1
				}
			}
		}
		var sg, sh [treeLeaves]float64
		for i := range n {
			sg[node[i]-treeSplits] += grad[i]
			sh[node[i]-treeSplits] += hess[i]
		}
		for k := range treeLeaves {
			v := -sg[k] / (sh[k] + boostLambda) * boostShrink
			t.leaves[k] = math.Round(v*1e4) / 1e4
		}
		for k := range t.splits {
			t.splits[k].at = math.Round(t.splits[k].at*1e6) / 1e6
		}
		for i := range n {
			z[i] += t.eval(&flat[i].Features)
		}
		trees = append(trees, t)
	}
	return trees
}
