package models

import (
	"math"

	"github.com/journeysim/journeysim/sim"
)

// countYear counts c among the clients in treatment this measured year.
func (r *run) countYear(c *Client) {
	if c.yearSeen == r.year {
		return
	}
	c.yearSeen = r.year
	r.acc.inTreatmentYears++
	r.tallyAge(c)
	for a := range r.acc.byAttr {
		r.acc.byAttr[a].inTreatment[r.m.lay.attrOf(c, r.acc.byAttr[a].attr)]++
	}
}

// countInTreatment adds d to the clients in treatment now.
func (r *run) countInTreatment(c *Client, d int64) {
	r.inTreat += d
	now := r.eng.Now()
	r.status.all.in.Add(now, float64(d))
	for a := range r.acc.byAttr {
		l := r.m.lay.attrOf(c, r.acc.byAttr[a].attr)
		r.inTreatBy[a][l] += d
		r.status.by[a][l].in.Add(now, float64(d))
	}
}

// statusAcc counts person-years alive and in treatment, and deaths in and
// out of treatment.
type statusAcc struct {
	in, alive           sim.TimeWeighted
	deathsIn, deathsOut int64
}

// statusRun is a run's statusAcc for everyone and by level of each
// attribute in acc.byAttr.
type statusRun struct {
	all statusAcc
	by  [][]statusAcc
}

// alive counts client c into (d = 1) or out of (d = -1) the model.
func (s *statusRun) alive(r *run, c *Client, d float64) {
	now := r.eng.Now()
	s.all.alive.Add(now, d)
	for a := range r.acc.byAttr {
		s.by[a][r.m.lay.attrOf(c, r.acc.byAttr[a].attr)].alive.Add(now, d)
	}
}

// died counts the death of client c, in treatment or not.
func (s *statusRun) died(r *run, c *Client, in bool) {
	count := func(a *statusAcc) {
		if in {
			a.deathsIn++
		} else {
			a.deathsOut++
		}
	}
	count(&s.all)
	for a := range r.acc.byAttr {
		count(&s.by[a][r.m.lay.attrOf(c, r.acc.byAttr[a].attr)])
	}
}

// reset discards what was counted before now, the end of the warm-up.
func (s *statusRun) reset(now float64) {
	for _, a := range append([]*statusAcc{&s.all}, s.allBy()...) {
		a.in.Reset(now)
		a.alive.Reset(now)
		a.deathsIn, a.deathsOut = 0, 0
	}
}

func (s *statusRun) allBy() []*statusAcc {
	var out []*statusAcc
	for a := range s.by {
		for l := range s.by[a] {
			out = append(out, &s.by[a][l])
		}
	}
	return out
}

// startMeasuring ends the warm-up: statistics restart, and yearly and
// monthly bookkeeping begins.
func (r *run) startMeasuring() {
	r.measuring = true
	now := r.eng.Now()
	for _, pr := range r.ps {
		pr.pop.Reset(now)
		if pr.res != nil {
			pr.res.Reset()
		}
	}
	r.acc.monthStart(r, now)
	r.status.reset(now)
	for id := int32(0); id < r.n; id++ {
		if c := r.client(id); r.inTreatmentPlace(c) {
			r.inYear(c, id, 0)
		}
	}
	r.newYear()
	nMonths := int(math.Round(r.m.horizon / monthDays))
	for i := 1; i <= nMonths; i++ {
		at := r.start + float64(i)*monthDays
		if at > r.end {
			at = r.end
		}
		r.eng.Call(at, func() { r.acc.monthEnd(r, r.eng.Now()) })
	}
	years := int(math.Ceil(r.m.horizon/daysPerYear - 1e-9))
	for y := 1; y < years; y++ {
		r.eng.Call(r.start+float64(y)*daysPerYear, r.newYear)
	}
}

// newYear starts a measured year: everyone in treatment now counts in it.
func (r *run) newYear() {
	if r.year >= 0 {
		r.endYear(r.eng.Now())
	}
	r.year++
	r.yearStart = r.eng.Now()
	r.takeYear()
	r.acc.inTreatmentYears += r.inTreat
	now := r.eng.Now()
	for _, id := range r.yearIDs { // in treatment now, counted in the year
		c := r.client(id)
		r.tallyAge(c)
		r.acc.stockN++
		long := now-c.Since > longStayDays
		if long {
			r.acc.stockLong++
		}
		for a := range r.acc.byAttr {
			l := r.m.lay.attrOf(c, r.acc.byAttr[a].attr)
			r.acc.byAttr[a].stock[l]++
			if long {
				r.acc.byAttr[a].stockLong[l]++
			}
		}
	}
	for a := range r.acc.byAttr {
		for l, n := range r.inTreatBy[a] {
			r.acc.byAttr[a].inTreatment[l] += n
		}
	}
}

// endYear closes a measured year at day end for effective treatment, as
// NDTMS judges it some months later: clients still in treatment count if
// their stay is 12 weeks old; those whose stay is younger, and who have not
// counted this year, are pending, judged when the stay ends or reaches a
// year's end 12 weeks old (a year later), and left out if the run ends
// first. The flags for the year of every client in treatment during it
// are then cleared, and those still in treatment start the next year's
// list.
func (r *run) endYear(end float64) {
	ids, now := r.yearIDs, yearFlag(r.year)
	r.yearIDs = r.spareIDs[:0]
	for i, id := range ids {
		if j := i + yearAhead; j < len(ids) {
			sim.Prefetch(r.client(ids[j]))
		}
		c := r.client(id)
		if !c.flag(now) {
			continue // listed again after its id was reused: done already
		}
		c.setFlag(now, false)
		in := r.inTreatmentPlace(c)
		if in {
			r.acc.inTreatmentYearEnd++
			if c.flag(flagPending) { // a year on, the stay is long past 12 weeks
				c.setFlag(flagPending, false)
				r.acc.effectivePending--
				r.acc.effective++
			}
			if !c.flag(flagEffective) {
				if end-c.Since >= retentionDays {
					r.acc.effective++
				} else {
					r.acc.effectivePending++
					c.setFlag(flagPending, true)
				}
			}
			r.inYear(c, id, r.year+1)
		}
		c.setFlag(flagEffective, false)
		for _, f := range r.m.lay.seenYear {
			f.set(c, 0)
		}
	}
	r.spareIDs = ids
}

// yearAhead is how far down its list endYear asks for a client's record,
// so that it has arrived by the time it is read (England lists 190,000
// clients a year, most no longer in the caches). 16 was chosen, not tuned:
// with it an England replication took 4.5% less time.
const yearAhead = 16

// inTreatmentPlace reports whether c is admitted to a treatment place.
func (r *run) inTreatmentPlace(c *Client) bool {
	return c.Place >= 0 && !c.Waiting() && r.m.places[c.Place].treatment
}

// yearFlag is the flag of the clients listed for measured year y. Years
// alternate between two, so that a client listed for the next year while
// this one is read is not read again, when its id stands in the list twice.
func yearFlag(y int16) uint64 {
	if y&1 == 0 {
		return flagInEvenYear
	}
	return flagInOddYear
}

// inYear lists client id among those in treatment in measured year y.
func (r *run) inYear(c *Client, id int32, y int16) {
	if f := yearFlag(y); !c.flag(f) {
		c.setFlag(f, true)
		r.yearIDs = append(r.yearIDs, id)
	}
}
