package steady

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

// Warning names a service a planner must look at.
type Warning struct {
	Place string `json:"place"`
	// Kind is "full" (utilisation at FullShare or more), "queue_growing"
	// (its waiting list grows through the measured years) or
	// "losing_waiters" (LostShare or more of those who join its waiting
	// list give up).
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// The thresholds of the warnings.
const (
	FullShare   = 0.95 // mean occupancy over capacity
	LostShare   = 0.10 // of those leaving the waiting list, the share giving up
	GrowClients = 5    // least growth of a waiting list over the period, in clients
)

// Warnings reads a run's replications for services that are full, whose
// waiting list grows through the measured years beyond tol of the service's
// occupancy (and by GrowClients or more, its CI excluding no change), or
// that lose people while they wait. The places are those with a waiting
// list, in the layout's order.
func Warnings(l *result.Layout, rs []*result.Result, tol float64) []Warning {
	if tol <= 0 {
		tol = DefaultTolerance
	}
	mean := func(name string) float64 {
		if l.MetricIndex(name) < 0 {
			return math.NaN()
		}
		return stat.Mean(l.Column(rs, name), nil)
	}
	var out []Warning
	for si, info := range l.Series {
		p, ok := strings.CutPrefix(info.Name, "queue.")
		if !ok {
			continue
		}
		if u := mean("utilisation." + p); u >= FullShare {
			out = append(out, Warning{p, "full", fmt.Sprintf("%s is full: %.0f%% of its places taken on average over the measured years.", p, 100*u)})
		}
		if g, lo, ok := growth(rs, si); ok && lo > 0 && g >= GrowClients && g >= tol*mean("occupancy."+p) {
			out = append(out, Warning{p, "queue_growing", fmt.Sprintf("%s's waiting list grows through the measured years: by %.0f clients (95%% CI %.0f to more), so demand exceeds its places.", p, g, lo)})
		}
		gone, in := mean("reneged."+p), mean("admissions."+p)
		if s := gone / (gone + in); s >= LostShare {
			out = append(out, Warning{p, "losing_waiters", fmt.Sprintf("%s loses %.0f%% of the people who wait for it: %.0f a year give up waiting.", p, 100*s, gone)})
		}
	}
	return out
}

// growth is the least-squares growth of series si over the measured
// period, in clients, averaged over the replications, with the lower end
// of its 95% CI; ok is false for a series under two years.
func growth(rs []*result.Result, si int) (g, lo float64, ok bool) {
	var gs []float64
	for _, r := range rs {
		ys := r.Monthly[si]
		if len(ys) < 24 {
			return 0, 0, false
		}
		gs = append(gs, lineGrowth(ys))
	}
	if len(gs) < 2 {
		return 0, 0, false
	}
	ci := estimate.MeanCI(gs)
	return ci.Mean, ci.CILow, true
}
