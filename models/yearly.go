package models

import (
	"fmt"
	"math"

	"github.com/journeysim/journeysim/models/scenario"
)

// yearTotals are the running totals a year-by-year report differences:
// taken at the start of each measured year and at the end of the run.
type yearTotals struct {
	inTreatment      float64 // integral of the clients in treatment, client-days
	journeys, deaths int64
	waitSum, waitN   []float64 // by capacity treatment place (Model.yearWaits)
	waiting          []int     // on each of those lists now
}

// yearly says whether the run reports year by year: a projection from a
// start does, and so does a scenario that asks (report.years).
func (m *Model) yearly() bool {
	return m.Scenario.Start != nil || m.Scenario.Report.Years
}

// yearWaits are the places whose waits a year-by-year report gives: the
// treatment places with a capacity.
func (m *Model) yearWaits() []int {
	var out []int
	for i, p := range m.places {
		if p.kind == scenario.KindCapacity && p.treatment {
			out = append(out, i)
		}
	}
	return out
}

// takeYear records the running totals now.
func (r *run) takeYear() {
	if !r.m.yearly() {
		return
	}
	now := r.eng.Now()
	t := yearTotals{inTreatment: r.status.all.in.Integral(now), journeys: r.acc.journeys, deaths: r.acc.deaths}
	for _, p := range r.m.yearWaits() {
		w := &r.ps[p].res.Stats.Wait
		sum := 0.0
		if w.N() > 0 {
			sum = w.Mean() * float64(w.N())
		}
		t.waitSum = append(t.waitSum, sum)
		t.waitN = append(t.waitN, float64(w.N()))
		t.waiting = append(t.waiting, r.ps[p].res.QueueLen())
	}
	r.acc.years = append(r.acc.years, t)
}

// costByYear adds perDay a day from day a to day b to the cost of each
// measured year it falls in.
func (r *run) costByYear(a, b, perDay float64) {
	yc := r.ledger.yearCost
	if yc == nil || perDay == 0 {
		return
	}
	a, b = max(a, r.start), min(b, r.end)
	for a < b {
		y := int((a - r.start) / daysPerYear)
		if y >= len(yc) {
			y = len(yc) - 1
		}
		end := min(b, r.start+float64(y+1)*daysPerYear)
		if y == len(yc)-1 {
			end = b
		}
		yc[y] += perDay * (end - a)
		a = end
	}
}

// measuredYears is the number of measured years, the last perhaps part of
// one.
func (m *Model) measuredYears() int { return int(math.Ceil(m.horizon/daysPerYear - 1e-9)) }

// addYearMetrics adds, for each measured year k, year_k.in_treatment,
// year_k.journeys_started, year_k.deaths, year_k.cost and, for each
// treatment place with a capacity, year_k.wait_mean_days.PLACE and
// year_k.waiting.PLACE: a projection's course, year by year.
func addYearMetrics(l *metricLayout, m *Model) {
	if !m.yearly() {
		return
	}
	waits := m.yearWaits()
	for y := range m.measuredYears() {
		k := fmt.Sprintf("year_%d.", y+1)
		span := func(r *run) (a, b yearTotals, days float64) {
			a, b = r.acc.years[y], r.acc.years[y+1]
			days = min(m.horizon, float64(y+1)*daysPerYear) - float64(y)*daysPerYear
			return a, b, days
		}
		l.add(k+"in_treatment", "clients", fmt.Sprintf("mean clients in treatment places in measured year %d", y+1),
			func(r *run) float64 { a, b, d := span(r); return (b.inTreatment - a.inTreatment) / d })
		l.add(k+"journeys_started", "in the year", fmt.Sprintf("treatment journeys started in measured year %d", y+1),
			func(r *run) float64 { a, b, _ := span(r); return float64(b.journeys - a.journeys) })
		l.add(k+"deaths", "in the year", fmt.Sprintf("deaths in measured year %d, in and out of treatment", y+1),
			func(r *run) float64 { a, b, _ := span(r); return float64(b.deaths - a.deaths) })
		for i, p := range waits {
			name := m.places[p].name
			l.add(k+"wait_mean_days."+name, "days", fmt.Sprintf("mean wait of clients admitted to %s in measured year %d", m.places[p].label, y+1),
				func(r *run) float64 {
					a, b, _ := span(r)
					if n := b.waitN[i] - a.waitN[i]; n > 0 {
						// A difference of running sums: what rounding
						// leaves of no wait at all is none.
						return max(0, math.Round((b.waitSum[i]-a.waitSum[i])/n*1e9)/1e9)
					}
					return math.NaN()
				})
			l.add(k+"waiting."+name, "clients", fmt.Sprintf("clients on the waiting list for %s at the end of measured year %d", m.places[p].label, y+1),
				func(r *run) float64 { _, b, _ := span(r); return float64(b.waiting[i]) })
		}
		if m.econ != nil {
			e := m.Scenario.Economics
			l.add(k+"cost", fmt.Sprintf("%s %d", e.Currency, e.PriceYear), fmt.Sprintf("cost of the places in measured year %d, undiscounted", y+1),
				func(r *run) float64 {
					if r.econ == nil {
						t := r.economics()
						r.econ = &t
					}
					return r.ledger.yearCost[y]
				})
		}
	}
}
