package sim

import (
	"math"
)

// TimeWeighted accumulates the time average of a piecewise-constant quantity,
// such as the number of beds occupied or the length of a waiting list.
type TimeWeighted struct {
	start, last Time
	value       float64
	area        float64
	max         float64
}

// Set records that the quantity changed to v at time now.
func (w *TimeWeighted) Set(now Time, v float64) {
	w.area += w.value * (now - w.last)
	w.last = now
	w.value = v
	if v > w.max {
		w.max = v
	}
}

// Add records that the quantity changed by dv at time now.
func (w *TimeWeighted) Add(now Time, dv float64) { w.Set(now, w.value+dv) }

// Value returns the current value.
func (w *TimeWeighted) Value() float64 { return w.value }

// Reset discards what was accumulated before now (the end of a warm-up);
// the current value is kept.
func (w *TimeWeighted) Reset(now Time) {
	w.start, w.last, w.area, w.max = now, now, 0, w.value
}

// Mean returns the time average from the last reset to now. With no time
// elapsed it returns the current value.
func (w *TimeWeighted) Mean(now Time) float64 {
	if now <= w.start {
		return w.value
	}
	return (w.area + w.value*(now-w.last)) / (now - w.start)
}

// Integral returns the area under the quantity from the last reset to now
// (for example bed-days).
func (w *TimeWeighted) Integral(now Time) float64 { return w.area + w.value*(now-w.last) }

// Max returns the largest value seen since the last reset.
func (w *TimeWeighted) Max() float64 { return w.max }

// Histogram bins non-negative observations on a log-linear scale so that
// quantiles can be read in bounded memory: a bin is a power of two split
// into 2^histSubBits equal parts, read off the float's bits with no
// logarithm. A quantile is exact to within HistogramRelErr of its value for
// observations between histMin and histMax.
type histogram struct {
	counts []uint32
}

const (
	histMin = 1e-4 // days: about 9 seconds
	histMax = 1e6  // days
	// HistogramRelErr is the largest relative error of a Tally quantile for
	// values between 1e-4 and 1e6 days: half a bin, 2^-(histSubBits+1).
	HistogramRelErr = 0.005

	histSubBits = 7
	histMinExp  = -14 // 2^-14 < histMin
	histMaxExp  = 20  // 2^20 > histMax
	histBins    = (histMaxExp-histMinExp)<<histSubBits + 2
)

func histIndex(x float64) int {
	if !(x >= histMin) { // zero, negative and NaN fall in the first bin
		return 0
	}
	if !(x < histMax) {
		return histBins - 1
	}
	b := math.Float64bits(x)
	e := int(b>>52&0x7ff) - 1023
	return (e-histMinExp)<<histSubBits + int(b>>(52-histSubBits)&(1<<histSubBits-1)) + 1
}

// histValue returns the representative value of bin i: the middle of its
// bounds.
func histValue(i int) float64 {
	if i == 0 {
		return 0
	}
	i--
	e, m := i>>histSubBits+histMinExp, i&(1<<histSubBits-1)
	return math.Ldexp(1+(float64(m)+0.5)/(1<<histSubBits), e)
}

// Tally accumulates observations (waits, lengths of stay): count, mean,
// variance, extremes and quantiles, without storing the observations.
type Tally struct {
	n          int64
	mean, m2   float64
	min, max   float64
	hist       histogram
	noQuantile bool
}

// Add records one observation.
func (t *Tally) Add(x float64) {
	t.n++
	if t.n == 1 {
		t.min, t.max = x, x
	} else if x < t.min { // not math.Min: no NaN reaches a tally, and this is the hot path
		t.min = x
	} else if x > t.max {
		t.max = x
	}
	d := x - t.mean
	t.mean += d / float64(t.n)
	t.m2 += d * (x - t.mean)
	if t.hist.counts == nil {
		t.hist.counts = make([]uint32, histBins)
	}
	t.hist.counts[histIndex(x)]++
}

// Reset discards every observation.
func (t *Tally) Reset() {
	counts := t.hist.counts
	clear(counts)
	*t = Tally{hist: histogram{counts: counts}}
}

// N returns the number of observations.
func (t *Tally) N() int64 { return t.n }

// Mean returns the mean, or NaN with no observations.
func (t *Tally) Mean() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.mean
}

// Var returns the unbiased sample variance, or NaN with fewer than two
// observations.
func (t *Tally) Var() float64 {
	if t.n < 2 {
		return math.NaN()
	}
	return t.m2 / float64(t.n-1)
}

// Min returns the smallest observation, or NaN with none.
func (t *Tally) Min() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.min
}

// Max returns the largest observation, or NaN with none.
func (t *Tally) Max() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.max
}

// Quantile returns the p-quantile (0 ≤ p ≤ 1) of the observations: the
// smallest value with at least a share p of observations at or below it,
// within HistogramRelErr. It returns NaN with no observations.
func (t *Tally) Quantile(p float64) float64 {
	if t.n == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	if p <= 0 {
		return t.min
	}
	if p >= 1 {
		return t.max
	}
	need := uint64(math.Ceil(p * float64(t.n)))
	var cum uint64
	for i, c := range t.hist.counts {
		cum += uint64(c)
		if cum >= need {
			return math.Min(math.Max(histValue(i), t.min), t.max)
		}
	}
	return t.max
}

// Merge adds the observations of u to t.
func (t *Tally) Merge(u *Tally) {
	if u.n == 0 {
		return
	}
	if t.n == 0 {
		t.min, t.max = u.min, u.max
	} else {
		t.min = math.Min(t.min, u.min)
		t.max = math.Max(t.max, u.max)
	}
	n := t.n + u.n
	d := u.mean - t.mean
	t.m2 += u.m2 + d*d*float64(t.n)*float64(u.n)/float64(n)
	t.mean += d * float64(u.n) / float64(n)
	t.n = n
	if t.hist.counts == nil {
		t.hist.counts = make([]uint32, histBins)
	}
	for i, c := range u.hist.counts {
		t.hist.counts[i] += c
	}
}

// CDF returns the share of observations at or below x, resolved to the
// histogram's bins: exact for x at a bin edge, otherwise within one bin
// (HistogramRelErr of x). It returns NaN with no observations.
func (t *Tally) CDF(x float64) float64 {
	if t.n == 0 || math.IsNaN(x) {
		return math.NaN()
	}
	if x < t.min {
		return 0
	}
	if x >= t.max {
		return 1
	}
	var cum uint64
	last := histIndex(x)
	for i := 0; i <= last; i++ {
		cum += uint64(t.hist.counts[i])
	}
	return float64(cum) / float64(t.n)
}

// CDFs sets out[i] to CDF(xs[i]) for xs in ascending order, in one pass
// over the histogram instead of one a point.
func (t *Tally) CDFs(xs, out []float64) {
	var cum uint64
	next := 0 // the first bin not yet in cum
	for i, x := range xs {
		if i > 0 && x < xs[i-1] {
			panic("sim: Tally.CDFs with points out of order")
		}
		if t.n == 0 || math.IsNaN(x) || x < t.min || x >= t.max {
			out[i] = t.CDF(x)
			continue
		}
		for last := histIndex(x); next <= last; next++ {
			cum += uint64(t.hist.counts[next])
		}
		out[i] = float64(cum) / float64(t.n)
	}
}
