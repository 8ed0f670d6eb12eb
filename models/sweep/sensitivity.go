package sweep

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/journeysim/journeysim/models/estimate"
)

// Sensitivity is one parameter's influence on one metric across a sweep's
// points: its partial rank correlation coefficient with the metric (the
// other parameters' ranks regressed out) and its p-value, and a binned
// one-way reading: the metric's mean over the points where the parameter is
// in its lowest fifth and in its highest fifth.
type Sensitivity struct {
	Metric, Param     string
	PRCC, P           float64
	LowMean, HighMean float64
	// Base is the metric with every parameter as the scenario has it, in a
	// one-way design (sweep --one-way), whose LowMean and HighMean are then
	// the runs with this parameter alone at its low and high end; NaN
	// otherwise.
	Base float64
}

// Swing is HighMean − LowMean.
func (s Sensitivity) Swing() float64 { return s.HighMean - s.LowMean }

// Sensitivities computes, for each of metrics, its Sensitivity to every
// numeric parameter of a sweep: xs holds each point's parameter values
// (NaN where a value is not a number: a policy's words), means each
// metric's mean over each point's replications. A one-way design reads its
// points as such. Parameters that are not numbers are named in skipped.
func Sensitivities(params []string, xs [][]float64, metrics []string, means [][]float64, oneWayDesign bool) (out []Sensitivity, skipped []string, err error) {
	if oneWayDesign {
		return oneWay(params, metrics, means)
	}
	var use []int
	for j, p := range params {
		numeric := true
		for _, row := range xs {
			numeric = numeric && !math.IsNaN(row[j])
		}
		if numeric {
			use = append(use, j)
		} else {
			skipped = append(skipped, p)
		}
	}
	n, k := len(xs), len(use)
	if k == 0 {
		return nil, skipped, errors.New("sensitivity: the sweep has no numeric parameter")
	}
	if n < k+3 {
		return nil, skipped, fmt.Errorf("sensitivity: %d points for %d parameters: partial rank correlations need at least %d", n, k, k+3)
	}
	cols := make([][]float64, k)
	for i, j := range use {
		cols[i] = make([]float64, n)
		for r := range xs {
			cols[i][r] = xs[r][j]
		}
	}
	for mi, metric := range metrics {
		y := means[mi]
		if slices.ContainsFunc(y, math.IsNaN) {
			return nil, skipped, fmt.Errorf("sensitivity: %s has no data at some points", metric)
		}
		for i, j := range use {
			var others [][]float64
			for o := range use {
				if o != i {
					others = append(others, cols[o])
				}
			}
			r, p := estimate.PRCC(cols[i], y, others)
			lo, hi := estimate.FifthMeans(cols[i], y)
			out = append(out, Sensitivity{Metric: metric, Param: params[j], PRCC: r, P: p, LowMean: lo, HighMean: hi, Base: math.NaN()})
		}
	}
	return out, skipped, nil
}

// oneWay reads a one-way design: point 0 is the scenario as it is, points
// 2i+1 and 2i+2 parameter i at its low and high end.
func oneWay(params, metrics []string, means [][]float64) ([]Sensitivity, []string, error) {
	var out []Sensitivity
	for mi, metric := range metrics {
		y := means[mi]
		if len(y) != 1+2*len(params) {
			return nil, nil, fmt.Errorf("sensitivity: a one-way sweep of %d parameters has %d points, not %d", len(params), len(y), 1+2*len(params))
		}
		for i, p := range params {
			out = append(out, Sensitivity{Metric: metric, Param: p, PRCC: math.NaN(), P: math.NaN(),
				LowMean: y[1+2*i], HighMean: y[2+2*i], Base: y[0]})
		}
	}
	return out, nil, nil
}
