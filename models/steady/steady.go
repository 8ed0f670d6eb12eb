package steady

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

// DefaultTolerance is the drift over the measured period, as a share of a
// stock's mean, beyond which a run says it is not in a steady state.
const DefaultTolerance = 0.03

// minStock is the mean level below which a stock is left out: a place
// that is empty or nearly so.
const minStock = 1

// MinJudged is the mean level, in clients, below which a stock's drift is
// reported but not judged: 3% of a stock of a few people is a fraction of
// one, and their year-to-year noise is larger than any tolerance.
const MinJudged = 10

// Batch is MSER-5's batch, in months.
const Batch = 5

// StockDrift is one stock's drift over the measured period.
type StockDrift struct {
	Stock string `json:"stock"`
	Mean  Number `json:"mean"`
	// Change is the least-squares slope times the period's length, over
	// the mean level: the share by which the stock grew (or fell) across
	// the measured period. Lo and Hi are its 95% CI across replications.
	Change Number `json:"change"`
	Lo     Number `json:"change_ci_low"`
	Hi     Number `json:"change_ci_high"`
	// FirstLast is the mean of the last measured year over that of the
	// first, less 1.
	FirstLast Number `json:"first_last"`
	// Judged says the stock is large enough to judge (MinJudged).
	Judged bool `json:"judged"`
	// Beyond says |Change| exceeds the tolerance and its CI, widened for
	// the number of stocks judged (Bonferroni), excludes 0.
	Beyond bool `json:"beyond_tolerance"`

	se float64 // the standard error of Change
	n  int     // replications
}

// Report is what a run says of its steady state.
type Report struct {
	Method    string       `json:"method"`
	Tolerance float64      `json:"tolerance"`
	Stocks    []StockDrift `json:"stocks"`
	// Settled says every stock's drift is within the tolerance.
	Settled bool `json:"settled"`
	// MSERMonths is the truncation MSER-5 finds in the measured period,
	// the largest over the stocks, in months, and the stock that needs it.
	MSERMonths int    `json:"mser5_truncation_months"`
	MSERStock  string `json:"mser5_stock,omitempty"`
	// Warmup says how the warm-up was chosen.
	Warmup string `json:"warmup"`
	// Projection says the run started from a snapshot ([start]) with no
	// warm-up: its stocks may move by design, from the state it started
	// in, and a drift is its answer rather than a fault.
	Projection bool `json:"projection,omitempty"`
}

// Measure judges the measured period of a run's replications: the drift
// of every stock, and MSER-5's truncation of their mean series.
func Measure(l *result.Layout, rs []*result.Result, tol float64) *Report {
	if tol <= 0 {
		tol = DefaultTolerance
	}
	rep := &Report{Tolerance: tol, Settled: true,
		Method: fmt.Sprintf("least-squares slope of each stock's monthly mean occupancy in each replication, times the measured period, over its mean level (95%% CI across replications), and the last measured year against the first; a stock of %d clients or more drifts if the slope's change exceeds %.3g%% and its CI, Bonferroni-widened for the number of stocks judged, excludes no change. MSER-5 (White 1997; batches of %d months) on the replications' mean series tests the warm-up", MinJudged, 100*tol, Batch)}
	judged := 0
	for si, info := range l.Series {
		if !strings.HasPrefix(info.Name, "occupancy.") {
			continue
		}
		d, ok := drift(rs, si)
		if !ok {
			continue
		}
		d.Stock = strings.TrimPrefix(info.Name, "occupancy.")
		d.Judged = float64(d.Mean) >= MinJudged
		if d.Judged {
			judged++
		}
		rep.Stocks = append(rep.Stocks, d)
		if k := MSER5(MeanSeries(rs, si)); k*Batch > rep.MSERMonths {
			rep.MSERMonths, rep.MSERStock = k*Batch, d.Stock
		}
	}
	// Beyond the tolerance, and not by chance: with ten stocks judged at 95%
	// each, one in three settled runs would drift somewhere by chance, so
	// the CI is widened to keep that to one in twenty over all of them.
	for i := range rep.Stocks {
		d := &rep.Stocks[i]
		if !d.Judged || d.n < 2 {
			continue
		}
		h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(d.n - 1)}.Quantile(1-0.025/float64(judged)) * d.se
		c := float64(d.Change)
		d.Beyond = math.Abs(c) > tol && (c-h > 0 || c+h < 0)
		if d.Beyond {
			rep.Settled = false
		}
	}
	return rep
}

// drift measures series si across the replications; ok is false for a
// stock too small or a series too short to judge.
func drift(rs []*result.Result, si int) (StockDrift, bool) {
	var changes []float64
	var firsts, lasts, means float64
	for _, r := range rs {
		ys := r.Monthly[si]
		if len(ys) < 24 {
			return StockDrift{}, false
		}
		mean := stat.Mean(ys, nil)
		means += mean
		firsts += stat.Mean(ys[:12], nil)
		lasts += stat.Mean(ys[len(ys)-12:], nil)
		if mean <= 0 {
			changes = append(changes, 0)
			continue
		}
		changes = append(changes, lineGrowth(ys)/mean)
	}
	n := float64(len(rs))
	if n == 0 || means/n < minStock {
		return StockDrift{}, false
	}
	ci := estimate.MeanCI(changes)
	d := StockDrift{Mean: Number(means / n), Change: Number(ci.Mean), Lo: Number(ci.CILow), Hi: Number(ci.CIHigh), n: len(changes)}
	if len(changes) > 1 {
		d.se = stat.StdDev(changes, nil) / math.Sqrt(n)
	}
	if firsts > 0 {
		d.FirstLast = Number(lasts/firsts - 1)
	}
	return d, true
}

// lineGrowth is the growth of a monthly series over its length by its
// least-squares line: the slope times the months from first to last.
func lineGrowth(ys []float64) float64 {
	xs := make([]float64, len(ys))
	for i := range xs {
		xs[i] = float64(i)
	}
	_, slope := stat.LinearRegression(xs, ys, nil, false)
	return slope * float64(len(ys)-1)
}

// MeanSeries is series si averaged over the replications, month by month.
func MeanSeries(rs []*result.Result, si int) []float64 {
	var out []float64
	for _, r := range rs {
		ys := r.Monthly[si]
		if out == nil {
			out = make([]float64, len(ys))
		}
		for i := range out {
			if i < len(ys) {
				out[i] += ys[i] / float64(len(rs))
			}
		}
	}
	return out
}

// MSER5 returns the number of batches of Batch months that MSER-5
// truncates from the start of ys: the d that minimises the squared
// standard error of the mean of the batches after it, sum((b - mean)^2) /
// (n - d)^2, over d up to half the batches (White 1997). NaN months are
// left out of their batch.
func MSER5(ys []float64) int {
	var bs []float64
	for i := 0; i+Batch <= len(ys); i += Batch {
		s, k := 0.0, 0
		for _, y := range ys[i : i+Batch] {
			if !math.IsNaN(y) {
				s += y
				k++
			}
		}
		if k > 0 {
			bs = append(bs, s/float64(k))
		}
	}
	n := len(bs)
	best, bestD := math.Inf(1), 0
	for d := 0; d <= n/2 && n-d >= 2; d++ {
		rest := bs[d:]
		m := stat.Mean(rest, nil)
		ss := 0.0
		for _, b := range rest {
			ss += (b - m) * (b - m)
		}
		if v := ss / float64((n-d)*(n-d)); v < best {
			best, bestD = v, d
		}
	}
	return bestD
}

// Sentence says in one line whether the measured period is a steady state.
func (r *Report) Sentence() string {
	if len(r.Stocks) == 0 {
		return "Steady state not measured: the series are too short (under two years) or the stocks too small."
	}
	var worst StockDrift
	var small []string
	for _, d := range r.Stocks {
		switch {
		case !d.Judged:
			small = append(small, d.Stock)
		case worst.Stock == "" || magnitude(d) > magnitude(worst):
			worst = d
		}
	}
	if worst.Stock == "" {
		return fmt.Sprintf("Steady state not judged: every stock is under %d clients (%s).", MinJudged, strings.Join(small, ", "))
	}
	s := fmt.Sprintf("over the measured years the largest drift is in %s: %s%% over the period (95%% CI %s%% to %s%%; last year against first %s%%), tolerance %.3g%%",
		worst.Stock, pct(worst.Change), pct(worst.Lo), pct(worst.Hi), pct(worst.FirstLast), 100*r.Tolerance)
	if r.Settled {
		s = "Steady state: " + s + "."
		if magnitude(worst) > r.Tolerance {
			s = s[:len(s)-1] + fmt.Sprintf(", within what chance gives over the %d stocks judged.", r.judged())
		}
	} else {
		var drifting []string
		for _, d := range r.Stocks {
			if d.Beyond {
				drifting = append(drifting, d.Stock)
			}
		}
		if r.Projection {
			s = "A projection, not a steady state: " + s + "; moving: " + strings.Join(drifting, ", ") + ", from the state the run started in (the year-by-year table shows how)."
		} else {
			s = "NOT A STEADY STATE: " + s + "; drifting: " + strings.Join(drifting, ", ") + ". Lengthen the warm-up (run.warmup, or \"auto\")."
		}
	}
	if len(small) > 0 {
		s += fmt.Sprintf(" Under %d clients, too few to judge: %s.", MinJudged, strings.Join(small, ", "))
	}
	if r.MSERMonths > 0 {
		s += fmt.Sprintf(" MSER-5 on the measured series: a truncation of %d months at most (%s).", r.MSERMonths, r.MSERStock)
	} else {
		s += " MSER-5 on the measured series truncates nothing."
	}
	return s
}

func (r *Report) judged() int {
	n := 0
	for _, d := range r.Stocks {
		if d.Judged {
			n++
		}
	}
	return n
}

func magnitude(d StockDrift) float64 {
	return math.Max(math.Abs(float64(d.Change)), math.Abs(float64(d.FirstLast)))
}

func pct(x Number) string {
	if math.IsNaN(float64(x)) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f", 100*float64(x))
}

// Number is a float that encodes NaN as null: a CI from one replication.
type Number float64

// MarshalJSON writes x, or null for NaN and infinities.
func (x Number) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, 64)), nil
}
