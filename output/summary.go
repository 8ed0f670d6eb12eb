package output

import (
	"fmt"
	"math"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

// Summary is one metric over replications: the mean and a 95% confidence
// interval from Student's t, cut at the bounds the measure can take
// (MetricInfo.Bounds). Replications where the metric had no data are left
// out; N says how many remained. With N < 2 the interval is NaN.
type Summary struct {
	result.MetricInfo
	// Label is the metric's plain-language name (result.Layout.Label).
	Label               string
	Mean, CILow, CIHigh float64
	N                   int
}

// RelHalfWidth returns the CI half-width relative to the mean, or NaN.
func (s Summary) RelHalfWidth() float64 {
	if s.Mean == 0 || math.IsNaN(s.CIHigh) {
		return math.NaN()
	}
	return (s.CIHigh - s.Mean) / math.Abs(s.Mean)
}

// Summarize computes a Summary for every metric of m.
func Summarize(m *result.Layout, rs []*result.Result) []Summary {
	infos := m.Metrics
	out := make([]Summary, len(infos))
	xs := make([]float64, 0, len(rs))
	for i, info := range infos {
		xs = xs[:0]
		for _, r := range rs {
			if v := r.Values[i]; !math.IsNaN(v) {
				xs = append(xs, v)
			}
		}
		out[i] = summarize(info, xs)
		out[i].Label = m.Label(info.Name)
	}
	return out
}

func summarize(info result.MetricInfo, xs []float64) Summary {
	// A share's interval stops at 0 and 1, a count's at 0: a few
	// replications give a t interval wide enough to cross them.
	lo, hi := info.Bounds()
	e := estimate.MeanCI(xs).Within(lo, hi)
	return Summary{MetricInfo: info, Mean: e.Mean, CILow: e.CILow, CIHigh: e.CIHigh, N: e.N}
}

// summarizeDiff summarises paired differences of a metric: their interval
// stops where a difference of two values within the metric's bounds must
// (a share's at -1 and 1), not at the metric's own bounds, which would cut
// every fall off at its mean.
func summarizeDiff(info result.MetricInfo, ds []float64) Summary {
	lo, hi := info.Bounds()
	e := estimate.MeanCI(ds).Within(lo-hi, hi-lo)
	return Summary{MetricInfo: info, Mean: e.Mean, CILow: e.CILow, CIHigh: e.CIHigh, N: e.N}
}

// CIText renders the 95% CI as "lo to hi", or "" without one.
func (s Summary) CIText() string {
	if math.IsNaN(s.CILow) {
		return ""
	}
	return Format(s.CILow) + " to " + Format(s.CIHigh)
}

// MeanText renders the mean, or "no data".
func (s Summary) MeanText() string {
	if math.IsNaN(s.Mean) {
		return "no data"
	}
	return Format(s.Mean)
}

// relText renders a relative change as a signed percentage, or "".
func relText(rel float64) string {
	if math.IsNaN(rel) {
		return ""
	}
	return fmt.Sprintf("%+.1f%%", 100*rel)
}
