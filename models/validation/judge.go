package validation

import (
	"fmt"
	"math"
	"slices"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
	"gonum.org/v1/gonum/stat"
)

func (c Check) notModelled() CheckResult {
	nan := math.NaN()
	return CheckResult{Check: c, Mean: nan, Low: nan, High: nan, Off: nan, Status: StatusNotModelled}
}

// Values returns the check's value in each replication of a run of m:
// Metric, over the sum of the Over metrics, times Scale; NaN where a
// metric had no data or the denominator is 0.
func (c Check) Values(l *result.Layout, rs []*result.Result) ([]float64, error) {
	xs, err := l.Share(rs, c.Metric, c.Over)
	if err != nil {
		return nil, fmt.Errorf("validation: check %s: %w", c.ID, err)
	}
	if c.Scale != 0 && c.Scale != 1 {
		for i := range xs {
			xs[i] *= c.Scale
		}
	}
	return xs, nil
}

// Evaluate computes the check from a run of its scenario (l, rs) and, for a
// contrast, a run of the baseline (bl, br) with the same seed, replication
// i of one paired with replication i of the other; then judges it.
func (c Check) Evaluate(l *result.Layout, rs []*result.Result, bl *result.Layout, br []*result.Result) (CheckResult, error) {
	if !c.Modelled() {
		return c.notModelled(), nil
	}
	if c.Pool {
		return c.judgePooled(l, rs)
	}
	xs, err := c.Values(l, rs)
	if err != nil {
		return CheckResult{}, err
	}
	if c.Contrast == "" {
		return c.Judge(xs, nil), nil
	}
	bs, err := c.Values(bl, br)
	if err != nil {
		return CheckResult{}, err
	}
	return c.Judge(xs, bs), nil
}

// Judge summarises the check's per-replication values xs (and, for a
// contrast, the baseline's values bs, paired by index) and judges the
// result. Replications where either value is NaN, or outside the domain of
// the contrast (a ratio needs positive values, an odds ratio values in
// (0, 1)), are left out.
func (c Check) Judge(xs, bs []float64) CheckResult {
	var ys []float64 // on the working scale: log for ratios
	if c.Contrast == "" {
		for _, x := range xs {
			if !math.IsNaN(x) {
				ys = append(ys, x)
			}
		}
	} else {
		for i := range min(len(xs), len(bs)) {
			if y := contrastOf(c.Contrast, xs[i], bs[i]); !math.IsNaN(y) {
				ys = append(ys, y)
			}
		}
	}
	e := estimate.MeanCI(ys)
	mean, lo, hi := e.Mean, e.CILow, e.CIHigh
	// Back to the figure's scale: a ratio, or a relative change.
	switch c.Contrast {
	case ContrastRatio, ContrastOddsRatio:
		mean, lo, hi = math.Exp(mean), math.Exp(lo), math.Exp(hi)
	case ContrastRelative:
		mean, lo, hi = math.Expm1(mean), math.Expm1(lo), math.Expm1(hi)
	}
	res := CheckResult{Check: c, Mean: mean, Low: lo, High: hi, N: len(ys)}
	res.Status, res.Off = c.judge(mean, lo, hi)
	return res
}

// judgePooled judges a pooled check: the sum over replications of Metric
// over the sum of the Over metrics (divided by the same pooled ratio of Per),
// times Scale, with a 95% CI from the delta method on the log scale, each
// replication's sums an observation.
func (c Check) judgePooled(l *result.Layout, rs []*result.Result) (CheckResult, error) {
	type term struct {
		names []string
		sign  float64 // +1 numerator, -1 denominator, of the log
	}
	terms := []term{{[]string{c.Metric}, 1}}
	if len(c.Over) > 0 {
		terms = append(terms, term{c.Over, -1})
	}
	if c.Per != nil {
		terms = append(terms, term{[]string{c.Per.Metric}, -1})
		if len(c.Per.Over) > 0 {
			terms = append(terms, term{c.Per.Over, 1})
		}
	}
	n := len(rs)
	obs := make([][]float64, len(terms)) // by term, by replication
	means := make([]float64, len(terms))
	for j, tm := range terms {
		idx := make([]int, len(tm.names))
		for k, name := range tm.names {
			if idx[k] = l.MetricIndex(name); idx[k] < 0 {
				return CheckResult{}, fmt.Errorf("validation: check %s: scenario %q has no metric %q", c.ID, l.Scenario.Name, name)
			}
		}
		for _, res := range rs {
			x := 0.0
			for _, i := range idx {
				x += res.Values[i]
			}
			obs[j] = append(obs[j], x)
		}
		means[j] = stat.Mean(obs[j], nil)
	}
	scale := c.Scale
	if scale == 0 {
		scale = 1
	}
	nan := math.NaN()
	mean, lo, hi := nan, nan, nan
	if n > 0 && !slices.ContainsFunc(means, func(x float64) bool { return !(x > 0) || math.IsInf(x, 0) }) {
		logf, v := math.Log(scale), 0.0
		for j := range terms {
			logf += terms[j].sign * math.Log(means[j])
			for k := range terms {
				if n > 1 {
					v += terms[j].sign * terms[k].sign * stat.Covariance(obs[j], obs[k], nil) / (means[j] * means[k])
				}
			}
		}
		mean = math.Exp(logf)
		if n > 1 {
			h := estimate.TQuantile(n-1) * math.Sqrt(v/float64(n))
			lo, hi = math.Exp(logf-h), math.Exp(logf+h)
		}
	}
	res := CheckResult{Check: c, Mean: mean, Low: lo, High: hi, N: n}
	res.Status, res.Off = c.judge(mean, lo, hi)
	return res, nil
}

// contrastOf returns one pair's contrast on the scale its CI is worked on:
// the difference, or the log of the ratio (for relative changes and ratios)
// or of the odds ratio; NaN outside the contrast's domain.
func contrastOf(kind Contrast, x, b float64) float64 {
	if math.IsNaN(x) || math.IsNaN(b) {
		return math.NaN()
	}
	switch kind {
	case ContrastDifference:
		return x - b
	case ContrastRelative, ContrastRatio:
		if x <= 0 || b <= 0 {
			return math.NaN()
		}
		return math.Log(x / b)
	case ContrastOddsRatio:
		if x <= 0 || x >= 1 || b <= 0 || b >= 1 {
			return math.NaN()
		}
		return math.Log(x/(1-x)) - math.Log(b/(1-b))
	}
	return math.NaN() // ParseChecks lets no other contrast through

}

// judge compares a simulated mean and 95% CI, on the figure's scale, with
// the check. Ratios are compared as logs, so that the tolerance is on the
// log scale and no change is 0 for every kind of contrast.
func (c Check) judge(mean, lo, hi float64) (status Status, off float64) {
	tr := func(x float64) float64 {
		if c.LogScale() {
			return math.Log(x)
		}
		return x
	}
	mean, lo, hi = tr(mean), tr(lo), tr(hi)
	if math.IsNaN(mean) {
		return StatusFail, math.NaN()
	}
	plo, phi := c.Published()
	switch c.Compare {
	case CompareWithin:
		off = max(tr(plo)-c.Tolerance-mean, mean-tr(phi)-c.Tolerance, 0)
	case CompareAtLeast:
		off = max(tr(plo)-c.Tolerance-mean, 0)
	case CompareAtMost:
		off = max(mean-tr(phi)-c.Tolerance, 0)
	case CompareIncrease:
		if math.IsNaN(lo) {
			return StatusFail, math.NaN()
		}
		if lo > 0 {
			return StatusPass, 0
		}
		return StatusFail, -lo
	case CompareDecrease:
		if math.IsNaN(hi) {
			return StatusFail, math.NaN()
		}
		if hi < 0 {
			return StatusPass, 0
		}
		return StatusFail, hi
	case CompareNoIncrease:
		if math.IsNaN(lo) || lo <= 0 {
			return StatusPass, 0
		}
		return StatusFail, lo
	default: // ParseChecks lets no other comparison through
		return StatusFail, math.NaN()
	}
	if off > 0 {
		return StatusFail, off
	}
	return StatusPass, 0
}
