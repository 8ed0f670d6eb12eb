package estimate

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Mean is a mean over replications with its 95% confidence interval from
// Student's t. With fewer than two values the interval is NaN; with none,
// the mean is NaN too.
type Mean struct {
	Mean, CILow, CIHigh float64
	N                   int
}

// MeanCI estimates the mean of xs, which hold no NaN.
func MeanCI(xs []float64) Mean {
	e := Mean{Mean: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), N: len(xs)}
	if len(xs) == 0 {
		return e
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	e.Mean = mean
	if len(xs) < 2 {
		return e
	}
	h := TQuantile(len(xs)-1) * sd / math.Sqrt(float64(len(xs)))
	e.CILow, e.CIHigh = mean-h, mean+h
	return e
}

// Within returns e with its interval cut at lo and hi, the bounds the
// measure can take (a share between 0 and 1, a count at 0): a few
// replications give a t interval wide enough to cross them. A mean
// outside the bounds says they are wrong, and is left as it is.
func (e Mean) Within(lo, hi float64) Mean {
	e.CILow = math.Max(e.CILow, math.Min(lo, e.Mean))
	e.CIHigh = math.Min(e.CIHigh, math.Max(hi, e.Mean))
	return e
}

// TQuantile returns the 97.5th percentile of Student's t with df degrees of
// freedom: the multiplier of a two-sided 95% interval.
func TQuantile(df int) float64 {
	if q, ok := tQuantiles.Load(df); ok {
		return q.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
	tQuantiles.Store(df, q)
	return q
}

// tQuantiles remembers TQuantile by degrees of freedom: a run summarizes
// hundreds of metrics over the same replications, and the inverse
// incomplete beta function behind each was a tenth of a short run's time.
var tQuantiles sync.Map

// Paired estimates the mean of a − b over pairs (a[i], b[i]), the pairs
// with a NaN in either left out.
func Paired(a, b []float64) Mean {
	d := make([]float64, 0, min(len(a), len(b)))
	for i := range min(len(a), len(b)) {
		if !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			d = append(d, a[i]-b[i])
		}
	}
	return MeanCI(d)
}

// Ratio is a ratio of two means with a 95% CI by Fieller's theorem, from
// paired replications. The CI is unbounded (NaN ends) when the
// denominator's mean is not clearly away from zero.
type Ratio struct {
	Mean, CILow, CIHigh float64
	N                   int
}

// Fieller estimates mean(num)/mean(den) over paired replications.
func Fieller(num, den []float64) Ratio {
	n := len(num)
	r := Ratio{Mean: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), N: n}
	if n == 0 || len(den) != n {
		return r
	}
	var mx, my float64
	for i := range num {
		mx += num[i]
		my += den[i]
	}
	mx /= float64(n)
	my /= float64(n)
	if my == 0 {
		return r
	}
	r.Mean = mx / my
	if n < 2 {
		return r
	}
	var sxx, syy, sxy float64
	for i := range num {
		dx, dy := num[i]-mx, den[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	// Variances of the means.
	k := float64(n) * float64(n-1)
	vxx, vyy, vxy := sxx/k, syy/k, sxy/k
	tq := TQuantile(n - 1)
	t2 := tq * tq
	a := my*my - t2*vyy
	if a <= 0 {
		return r // the denominator's CI includes zero: the ratio's is unbounded
	}
	b := mx*my - t2*vxy
	c := mx*mx - t2*vxx
	disc := b*b - a*c
	if disc < 0 {
		return r
	}
	s := math.Sqrt(disc)
	r.CILow, r.CIHigh = (b-s)/a, (b+s)/a
	return r
}
