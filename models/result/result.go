package result

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/scenario"
)

// MetricInfo names one metric (or monthly series) and says what it counts.
type MetricInfo struct {
	Name        string
	Unit        string
	Description string
}

// Bounds are the values the metric can take: a share (of exits, of
// admissions) is between 0 and 1, a return on investment can be anything,
// and every other measure (counts, rates, "shares per year" such as
// completions over clients treated, times, money, QALYs) is 0 or more. A
// confidence interval is cut at them.
func (mi MetricInfo) Bounds() (lo, hi float64) {
	switch {
	case mi.Unit == "share" || strings.HasPrefix(mi.Unit, "share of "):
		return 0, 1
	case mi.Unit == "returned per 1 spent":
		return math.Inf(-1), math.Inf(1)
	}
	return 0, math.Inf(1)
}

// Result is one replication's metrics after warm-up.
type Result struct {
	// Values holds one value per metric, in the order of Layout.Metrics.
	// A metric with no data (no admissions to take a mean of) is NaN.
	Values []float64
	// Monthly holds, for each of Layout.Series, the mean over each month.
	Monthly [][]float64
	// Flows holds, for each of Layout.Flows, the clients a year who took it.
	Flows []float64
	// Survival holds, for each of Layout.Survival, the share of admissions
	// still in treatment at each day of its grid.
	Survival [][]float64
}

// FlowInfo is one path out of a place: clients leaving From by Reason
// ("died", "reneged" or an exit) and going To a place, dead or gone.
type FlowInfo struct {
	From, Reason, To string
}

// SurvivalCurve names a treatment place and the days at which its
// time-in-treatment curve is reported (Result.Survival).
type SurvivalCurve struct {
	Place string
	Days  []float64
}

// CapacityInForce is a place's capacity over the run, for the printed
// table, explain and the report.
type CapacityInForce struct {
	Place string
	// How says how the capacity was reached and each change, in the order
	// they take effect.
	How []string
	// Mean is the capacity in force, averaged over the measured years.
	Mean float64
}

// A Layout says what a model's results hold: what every replication
// reports, in order, and the places its metrics name.
type Layout struct {
	Scenario *scenario.Scenario
	Metrics  []MetricInfo
	Series   []MetricInfo // monthly series
	Months   int          // in each series
	Flows    []FlowInfo
	Survival []SurvivalCurve
	Headline []int    // indexes in Metrics of HeadlineMetrics
	Places   []string // place names, by index
	// Capacities says how each place's capacity that changes, or comes
	// from a budget, was reached.
	Capacities []CapacityInForce
	// Economics is nil unless the scenario values its runs.
	Economics *EconomicsLayout
}

// EconomicsLayout is what a comparison of costs needs of a model that
// values its runs.
type EconomicsLayout struct {
	Money            string  // "GBP 2011"
	TransferShare    float64 // of crime costs, stolen property changing hands
	WillingnessToPay []float64
}

// MetricIndex returns the position of the named metric, or -1.
func (l *Layout) MetricIndex(name string) int {
	for i, mi := range l.Metrics {
		if mi.Name == name {
			return i
		}
	}
	return -1
}

// Column returns the named metric of each result; nil if there is no such
// metric.
func (l *Layout) Column(rs []*Result, name string) []float64 {
	i := l.MetricIndex(name)
	if i < 0 {
		return nil
	}
	out := make([]float64, len(rs))
	for r, res := range rs {
		out[r] = res.Values[i]
	}
	return out
}

// HeadlineMetrics are the system-wide metrics a planner reads first; a
// shipped scenario's replications are chosen so that each one's 95% CI is
// within ±5% of its mean.
var HeadlineMetrics = []string{
	"presentations",
	"distinct_clients_treated",
	"clients_admitted",
	"person_years.in_treatment",
	"completion_rate",
	"exit_share.completed",
	"exit_share.dropped_out",
	"retained_12w.community",
	"repeat_detox_share",
	"linkage_30d.detox",
	"deaths",
	"days_to_treatment",
}

// A Simulator builds and runs scenarios; the model, package models, is
// the one journeysim has. Calibration and validation take one, so that
// they, and what formats their results, need not import it.
type Simulator interface {
	// Load loads a scenario, with its bases and the overrides sets, and
	// checks it whole.
	Load(ref string, sets []string) (*scenario.Scenario, error)
	// Layout says what a run of sc would report, without running it.
	Layout(sc *scenario.Scenario) (*Layout, error)
	// Run runs reps replications of sc, workers at once, replication i
	// from the streams of (seed, i); progress, if not nil, is told how
	// many are done.
	Run(ctx context.Context, sc *scenario.Scenario, seed uint64, reps, workers int, progress func(done int)) (*Layout, []*Result, error)
}

// NetBenefit is the net monetary benefit at one willingness to pay.
type NetBenefit struct {
	WTP float64
	estimate.Mean
}

// CostEffect is the economics of an alternative against a base, from
// replications paired on common random numbers.
type CostEffect struct {
	Money string // "GBP 2011"
	// Discounted over the measured years, alternative − base.
	Cost, QALYs, CrimeSaved estimate.Mean
	ICER                    estimate.Ratio // extra cost per extra QALY
	NMB                     []NetBenefit
	// Incremental return: crime saved against the base over the extra
	// spending; with and without stolen-property transfers.
	Incremental, IncrementalExcl estimate.Ratio
	// Full return of each scenario: crime avoided while in treatment,
	// against the rate while using, over the full cost of treatment.
	FullBase, FullBaseExcl, FullAlt, FullAltExcl estimate.Ratio
	// With health costs (health_per_year) in both: health-care costs saved,
	// and crime and health-care costs saved over the extra spending.
	HasHealth   bool
	HealthSaved estimate.Mean
	CrimeHealth estimate.Ratio
	// Before-and-after returns of each scenario's intake cohort
	// (economics.before_after), by follow-up time.
	BeforeAfter []BeforeAfter
}

// BeforeAfter is the before-and-after return at one time after intake:
// crime in as long before intake less crime after, over the cost of the
// treatment after, for the base and the alternative (NaN without a cohort).
type BeforeAfter struct {
	At        string
	Base, Alt estimate.Ratio
}

// beforeAfter returns the before-and-after return at time at of the
// results rs, by Fieller's method over replications.
func (l *Layout) beforeAfter(rs []*Result, at string) estimate.Ratio {
	p := "before_after." + at + "."
	if l.MetricIndex(p+"treatment_cost") < 0 {
		return estimate.Ratio{Mean: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()}
	}
	num, after := l.Column(rs, p+"crime_before"), l.Column(rs, p+"crime_after")
	for i := range num {
		num[i] -= after[i]
	}
	return estimate.Fieller(num, l.Column(rs, p+"treatment_cost"))
}

// CompareEconomics computes a CostEffect from paired replications of two
// models that value their runs; ok is false unless both do.
func CompareEconomics(base *Layout, br []*Result, alt *Layout, ar []*Result) (ce CostEffect, ok bool) {
	if base.Economics == nil || alt.Economics == nil {
		return ce, false
	}
	n := min(len(br), len(ar))
	br, ar = br[:n], ar[:n]
	diff := func(name string) []float64 {
		b, a := base.Column(br, name), alt.Column(ar, name)
		for i := range a {
			a[i] -= b[i]
		}
		return a
	}
	ce.Money = alt.Economics.Money
	dc, dq := diff("cost.total_pv"), diff("qalys_pv")
	saved, savedExcl := diff("crime_cost_pv"), diff("crime_cost_pv.excl_transfers")
	for i := range saved {
		saved[i], savedExcl[i] = -saved[i], -savedExcl[i]
	}
	ce.Cost, ce.QALYs, ce.CrimeSaved = estimate.MeanCI(dc), estimate.MeanCI(dq), estimate.MeanCI(saved)
	ce.ICER = estimate.Fieller(dc, dq)
	for _, w := range alt.Economics.WillingnessToPay {
		nmb := make([]float64, n)
		for i := range nmb {
			nmb[i] = w*dq[i] - dc[i]
		}
		ce.NMB = append(ce.NMB, NetBenefit{WTP: w, Mean: estimate.MeanCI(nmb)})
	}
	ce.Incremental, ce.IncrementalExcl = estimate.Fieller(saved, dc), estimate.Fieller(savedExcl, dc)
	if base.MetricIndex("health_cost_pv") >= 0 && alt.MetricIndex("health_cost_pv") >= 0 {
		health := diff("health_cost_pv")
		both := make([]float64, n)
		for i := range health {
			health[i] = -health[i]
			both[i] = saved[i] + health[i]
		}
		ce.HasHealth, ce.HealthSaved, ce.CrimeHealth = true, estimate.MeanCI(health), estimate.Fieller(both, dc)
	}
	full := func(l *Layout, rs []*Result) (estimate.Ratio, estimate.Ratio) {
		av, cost := l.Column(rs, "crime_avoided_in_treatment_pv"), l.Column(rs, "cost.total_pv")
		excl := make([]float64, len(av))
		for i := range av {
			excl[i] = av[i] * (1 - l.Economics.TransferShare)
		}
		return estimate.Fieller(av, cost), estimate.Fieller(excl, cost)
	}
	for _, mi := range alt.Metrics {
		if at, ok := strings.CutPrefix(mi.Name, "roi.before_after."); ok {
			ce.BeforeAfter = append(ce.BeforeAfter, BeforeAfter{At: at, Base: base.beforeAfter(br, at), Alt: alt.beforeAfter(ar, at)})
		}
	}
	ce.FullBase, ce.FullBaseExcl = full(base, br)
	ce.FullAlt, ce.FullAltExcl = full(alt, ar)
	return ce, true
}

// Share returns, for each result, the named metric, divided by the sum of
// the metrics over when over is not empty (a share of exits): NaN where
// that sum is 0. An unknown metric is an error naming it.
func (l *Layout) Share(rs []*Result, metric string, over []string) ([]float64, error) {
	idx := func(name string) (int, error) {
		i := l.MetricIndex(name)
		if i < 0 {
			return 0, fmt.Errorf("scenario %q has no metric %q", l.Scenario.Name, name)
		}
		return i, nil
	}
	mi, err := idx(metric)
	if err != nil {
		return nil, err
	}
	den := make([]int, len(over))
	for j, name := range over {
		if den[j], err = idx(name); err != nil {
			return nil, err
		}
	}
	xs := make([]float64, len(rs))
	for r, res := range rs {
		x := res.Values[mi]
		if len(den) > 0 {
			d := 0.0
			for _, j := range den {
				d += res.Values[j]
			}
			x /= d
			if d == 0 {
				x = math.NaN()
			}
		}
		xs[r] = x
	}
	return xs, nil
}
