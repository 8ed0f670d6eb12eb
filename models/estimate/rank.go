package estimate

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// argsort returns the indexes of xs in increasing order of value, ties in
// index order.
func argsort(xs []float64) []int {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	return order
}

// Rank returns the ranks of xs from 1, ties sharing their mean rank.
func Rank(xs []float64) []float64 {
	order := argsort(xs)
	out := make([]float64, len(xs))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && xs[order[j+1]] == xs[order[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[order[k]] = r
		}
		i = j + 1
	}
	return out
}

// residuals are y less its least-squares fit on an intercept and xs.
func residuals(y []float64, xs [][]float64) []float64 {
	n := len(y)
	a := mat.NewDense(n, len(xs)+1, nil)
	for r := range n {
		a.Set(r, 0, 1)
		for c, x := range xs {
			a.Set(r, c+1, x[r])
		}
	}
	b := mat.NewVecDense(n, slices.Clone(y))
	var beta mat.VecDense
	if err := beta.SolveVec(a, b); err != nil {
		return slices.Clone(y)
	}
	var fit mat.VecDense
	fit.MulVec(a, &beta)
	out := make([]float64, n)
	for r := range n {
		out[r] = y[r] - fit.AtVec(r)
	}
	return out
}

// FifthMeans returns y's mean over the points with the lowest fifth of x
// and over those with the highest fifth.
func FifthMeans(x, y []float64) (lo, hi float64) {
	order := argsort(x)
	m := max(1, len(x)/5)
	for _, i := range order[:m] {
		lo += y[i]
	}
	for _, i := range order[len(order)-m:] {
		hi += y[i]
	}
	return lo / float64(m), hi / float64(m)
}

// PRCC is the partial rank correlation coefficient of x with y, the other
// variables' ranks regressed out of both, and its two-sided p-value from
// Student's t. All are raw values, ranked here. When the others explain x
// or y wholly, nothing is left to correlate: r and p are NaN.
func PRCC(x, y []float64, others [][]float64) (r, p float64) {
	ro := make([][]float64, len(others))
	for i, o := range others {
		ro[i] = Rank(o)
	}
	ex, ey := residuals(Rank(x), ro), residuals(Rank(y), ro)
	r = stat.Correlation(ex, ey, nil)
	p = math.NaN()
	df := float64(len(x) - 2 - len(others))
	if !math.IsNaN(r) && df > 0 && math.Abs(r) < 1 {
		t := r * math.Sqrt(df/(1-r*r))
		p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
	}
	return r, p
}
