package models

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/journeysim/journeysim/models/result"

	"github.com/journeysim/journeysim/models/scenario"
)

// Flows lists the paths out of every place, in a fixed order; each result.Result
// reports the clients a year that took each one (result.Result.Flows).
func (m *Model) Flows() []result.FlowInfo { return m.flows }

// Survival lists the time-in-treatment curves every result.Result reports: one per
// treatment place, on a grid of days suited to that place's stays.
func (m *Model) Survival() []result.SurvivalCurve { return m.survival }

func (m *Model) placeName(i int) string {
	switch i {
	case toDead:
		return scenario.PlaceDead
	case toGone:
		return scenario.PlaceGone
	}
	return m.places[i].name
}

// buildJourneys numbers the flows and chooses the survival grids.
func (m *Model) buildJourneys() {
	add := func(from int, reason, to string) int {
		m.flows = append(m.flows, result.FlowInfo{From: m.places[from].name, Reason: reason, To: to})
		return len(m.flows) - 1
	}
	number := func(pi int, reason string, rt *route) {
		rt.flow = add(pi, reason, m.placeName(rt.to))
		if rt.to >= 0 {
			for _, d := range m.places[rt.to].diverts {
				rt.diverted = append(rt.diverted, add(pi, reason, m.places[d.to].name))
			}
		}
		if len(rt.choices) > 0 {
			rt.flows = []int{rt.flow}
			for _, c := range rt.choices[1:] {
				rt.flows = append(rt.flows, add(pi, reason, m.placeName(c)))
			}
		}
	}
	for _, p := range m.places {
		p.meanStay = meanStay(p)
	}
	for pi, p := range m.places {
		for ei := range p.exits {
			e := &p.exits[ei]
			for ri := range e.routes {
				number(pi, m.reasons[e.reason], &e.routes[ri])
			}
		}
		for ri := range p.reneged {
			number(pi, scenario.ExitReneged, &p.reneged[ri])
		}
		if m.canDie(p) {
			p.diedFlow = add(pi, "died", scenario.PlaceDead)
		} else {
			p.diedFlow = -1
		}
		if p.treatment && p.kind != scenario.KindParallel {
			h := survivalHorizon(p)
			days := make([]float64, survivalPoints+1)
			for i := range days {
				days[i] = h * float64(i) / survivalPoints
			}
			m.survival = append(m.survival, result.SurvivalCurve{Place: p.name, Days: days})
			m.survivalPlace = append(m.survivalPlace, pi)
		}
	}
}

const survivalPoints = 300

// meanStay estimates a place's mean stay in days from its declared stays
// and hazards, before modifiers that depend on the client.
func meanStay(p *place) float64 {
	mean := 0.0
	if p.byHazard {
		total := 0.0
		for _, e := range p.exits {
			total += e.hazard.rate[len(e.hazard.rate)-1]
		}
		if total > 0 {
			mean = 1 / total
		}
		return mean
	}
	for i, e := range p.exits {
		d, mods := e.stay, e.stayMods
		if d.IsZero() {
			d, mods = p.stay, p.stayMods
		}
		if !d.IsZero() {
			m := d.Mean()
			for _, md := range mods {
				if md.when == nil { // an unconditional rescaling
					m /= md.ratio
				}
			}
			mean += p.exits[i].p * m
		}
	}
	return mean
}

// survivalHorizon picks the x range of a place's curve: the shortest of a
// few round spans that covers three mean stays (with the longest stay
// modifier), so that a detox curve is not squashed into the corner of a
// four-year axis.
func survivalHorizon(p *place) float64 {
	mean := p.meanStay
	slowest := 1.0
	for _, md := range p.stayMods {
		slowest = math.Min(slowest, md.ratio)
	}
	mean /= slowest
	for _, h := range []float64{28, 91, 182, 365, 730, 1461, 2922} {
		if h >= 3*mean {
			return h
		}
	}
	return 2922
}

// survivalOf returns, at each day of the grid, the share of the measured
// admissions to place p whose stay was longer. Stays are drawn in full at
// admission, so the curve has no censoring.
func (r *run) survivalOf(p int, days []float64) []float64 {
	st := &r.acc.places[p].stays
	out := make([]float64, len(days))
	st.CDFs(days, out)
	for i, d := range days {
		out[i] = 1 - out[i]
		if d == 0 && st.N() > 0 {
			out[i] = 1
		}
	}
	return out
}

// Trace runs replication rep and writes a journey log of its first n
// clients (by arrival) to w as CSV: every event with its time, the client,
// the place and what happened.
func (m *Model) Trace(ctx context.Context, seed uint64, rep, n int, w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("day,client,place,event,detail")
	for _, a := range m.Scope.Attributes {
		bw.WriteString(",")
		bw.WriteString(a.Name)
	}
	if m.ages != nil {
		bw.WriteString(",age")
	}
	bw.WriteString("\n")
	r := m.newRun(seed, rep)
	r.trace, r.traceN = bw, uint32(n)
	if err := r.eng.Run(ctx, r.end); err != nil {
		return err
	}
	return bw.Flush()
}

// traceEvent writes one line of the journey log if client id is traced.
func (r *run) traceEvent(id int32, event, detail string) {
	c := r.client(id)
	if r.serial[id] >= r.traceN {
		return
	}
	place := ""
	if c.Place >= 0 {
		place = r.m.places[c.Place].name
	}
	b := r.traceBuf[:0]
	b = strconv.AppendFloat(b, r.eng.Now(), 'f', 3, 64)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(r.serial[id]), 10)
	b = append(b, ',')
	b = append(b, place...)
	b = append(b, ',')
	b = append(b, event...)
	b = append(b, ',')
	b = append(b, detail...)
	for a, at := range r.m.Scope.Attributes {
		b = append(b, ',')
		b = append(b, at.Levels[r.m.lay.attrOf(c, a)]...)
	}
	if r.m.ages != nil {
		// The age now, not at c.Since: the event happens now.
		b = append(b, ',')
		b = strconv.AppendFloat(b, (r.eng.Now()-r.m.lay.bornOf(c))/daysPerYear, 'f', 1, 64)
	}
	b = append(b, '\n')
	r.traceBuf = b
	r.trace.Write(b)
}

func fmtWait(d float64) string { return fmt.Sprintf("waited %.1f days", d) }
