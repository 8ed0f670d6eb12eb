package models

import (
	"fmt"
	"math"
	"sort"

	"github.com/journeysim/journeysim/models/scenario"
)

// ages is a scenario's ages compiled: how old people are when they first
// present, the life tables of their background mortality, and the bands
// the caseload's age profile is reported in.
type ages struct {
	cum      []float64 // cumulative shares of the bands of age at first presentation
	from, to []float64 // the bands, in days of age
	byAttr   int       // attribute whose level picks the life table; -1: one table
	tables   []*lifeTable
	profile  []float64 // lower ends of the reported bands, in years
}

// lifeTable is a piecewise-constant death rate by age, with its cumulative
// hazard at each row's start, so that a death is drawn by one search.
type lifeTable struct {
	from []float64 // days of age at which each row starts
	rate []float64 // deaths per person-day
	cum  []float64 // cumulative hazard from age 0 to from[i]
	// byYear[y] is the last row starting by y whole years of age, so
	// never past the row of an age in year y (rows rise strictly): the
	// search for that row starts there, a step or none from its end (it
	// runs at every admission).
	byYear []int32
}

// byYearSpan is the years of age byYear covers; the search for older ages
// starts from its last.
const byYearSpan = 130

// index fills byYear.
func (t *lifeTable) index() {
	t.byYear = make([]int32, byYearSpan)
	k := 0
	for y := range t.byYear {
		for k+1 < len(t.from) && t.from[k+1] <= float64(y)*daysPerYear {
			k++
		}
		t.byYear[y] = int32(k)
	}
}

// row returns the row age (days) is in.
func (t *lifeTable) row(age float64) int {
	k := 0
	if y := age / daysPerYear; y >= 0 && len(t.byYear) > 0 {
		k = int(t.byYear[min(int(y), len(t.byYear)-1)])
	}
	for k+1 < len(t.from) && t.from[k+1] < age+1e-9 {
		k++
	}
	return k
}

func buildAges(s *scenario.Scenario, scope *Scope) (*ages, error) {
	a := s.Ages
	if a == nil {
		return nil, nil
	}
	g := &ages{byAttr: -1, profile: a.Profile}
	k := 1.0
	if a.Stretch != nil {
		k = a.Stretch.V
	}
	acc := 0.0
	var y0 float64 // the youngest age, which stretch keeps
	if len(a.AtFirstPresentation) > 0 {
		y0 = a.AtFirstPresentation[0].From
	}
	for _, b := range a.AtFirstPresentation {
		acc += b.Share.V
		g.cum = append(g.cum, acc)
		g.from = append(g.from, (y0+k*(b.From-y0))*daysPerYear)
		g.to = append(g.to, (y0+k*(b.To-y0))*daysPerYear)
	}
	t := a.LifeTable
	if t == nil {
		return g, nil
	}
	levels := []string{scenario.LifeTableAll}
	if t.By != "" {
		for i, at := range scope.Attributes {
			if at.Name == t.By {
				g.byAttr, levels = i, at.Levels
			}
		}
		if g.byAttr < 0 {
			return nil, fmt.Errorf("ages.life_table.by: unknown attribute %q", t.By)
		}
	}
	for _, l := range levels {
		rows := t.Rates[l]
		lt := &lifeTable{}
		h := 0.0
		for i, r := range rows {
			from := r.From * daysPerYear
			if i == 0 {
				from = 0 // the first row covers every younger age
			} else {
				h += lt.rate[i-1] * (from - lt.from[i-1])
			}
			lt.from = append(lt.from, from)
			lt.rate = append(lt.rate, r.Rate.V/daysPerYear)
			lt.cum = append(lt.cum, h)
		}
		lt.index()
		g.tables = append(g.tables, lt)
	}
	return g, nil
}

// drawAge returns an age in days at first presentation for uniforms u, v:
// u picks the band, v the age within it.
func (g *ages) drawAge(u, v float64) float64 {
	x := u * g.cum[len(g.cum)-1]
	i := sort.Search(len(g.cum), func(i int) bool { return x < g.cum[i] })
	if i == len(g.cum) {
		i--
	}
	return g.from[i] + v*(g.to[i]-g.from[i])
}

// draw returns the days until death at age (days), given a unit
// exponential draw e: where the cumulative hazard from age reaches e.
func (t *lifeTable) draw(age, e float64) float64 {
	k := t.row(age)
	target := t.cum[k] + t.rate[k]*(age-t.from[k]) + e
	j := k // the row the cumulative hazard reaches target in
	for j+1 < len(t.cum) && t.cum[j+1] <= target {
		j++
	}
	if t.rate[j] == 0 {
		return math.Inf(1)
	}
	return t.from[j] + (target-t.cum[j])/t.rate[j] - age
}

// drawBefore is draw when only a death within limit days matters, as at an
// admission, where the death competes with the stay's end: it returns what
// draw returns if that is below limit, and +Inf otherwise. It reads the
// table only as far as age+limit, a row or two against draw's search to
// the age of death, decades on. Where the cumulative hazard at age+limit
// comes within rounding of the draw, it asks draw, so the answer is
// draw's to the bit.
func (t *lifeTable) drawBefore(age, e, limit float64) float64 {
	if math.IsInf(limit, 1) {
		return t.draw(age, e) // +Inf if it never comes
	}
	k := t.row(age)
	target := t.cum[k] + t.rate[k]*(age-t.from[k]) + e
	end := age + limit
	j := k
	for j+1 < len(t.from) && t.from[j+1] <= end {
		j++
	}
	if h := t.cum[j] + t.rate[j]*(end-t.from[j]); h < target-drawMargin*(1+target) {
		return math.Inf(1)
	}
	if d := t.draw(age, e); d < limit {
		return d
	}
	return math.Inf(1)
}

// drawMargin is the relative gap in cumulative hazard below which
// drawBefore leaves the answer to draw: far above the rounding of either
// sum (a few parts in 10^16), and so narrow that draw is rarely asked.
const drawMargin = 1e-9

// ageBandName names profile band i: "18_24", or "65_plus" for the last.
func (g *ages) ageBandName(i int) string {
	if i == len(g.profile)-1 {
		return fmt.Sprintf("%g_plus", g.profile[i])
	}
	return fmt.Sprintf("%g_%g", g.profile[i], g.profile[i+1]-1)
}

// ageBand returns the profile band of an age in years, -1 below the first.
func (g *ages) ageBand(years float64) int {
	return sort.SearchFloat64s(g.profile, math.Nextafter(years, math.Inf(1))) - 1
}

// ageAcc tallies the ages of the distinct clients in treatment in each
// year, when first counted in it: overall, and by level of each report.by
// attribute.
type ageAcc struct {
	n, sum float64
	bands  []int64
	by     [][]ageAcc // by report.by attribute (acc.byAttr), by level
}

func (a *ageAcc) add(years float64, band int) {
	a.n++
	a.sum += years
	if band >= 0 {
		a.bands[band]++
	}
}

// tallyAge counts c's age now in the caseload's age profile.
func (r *run) tallyAge(c *Client) {
	g := r.m.ages
	if g == nil || len(g.profile) == 0 {
		return
	}
	years := (r.eng.Now() - r.m.lay.bornOf(c)) / daysPerYear
	b := g.ageBand(years)
	r.acc.ages.add(years, b)
	for k := range r.acc.byAttr {
		r.acc.ages.by[k][r.m.lay.attrOf(c, r.acc.byAttr[k].attr)].add(years, b)
	}
}

// backgroundDeath draws the days until c dies of the causes that kill
// people of its age if that is within limit days, and +Inf otherwise or
// without a life table.
func (r *run) backgroundDeath(c *Client, now, limit float64) float64 {
	g := r.m.ages
	if g == nil || len(g.tables) == 0 {
		return math.Inf(1)
	}
	t := g.tables[0]
	if g.byAttr >= 0 {
		t = g.tables[r.m.lay.attrOf(c, g.byAttr)]
	}
	return t.drawBefore(now-r.m.lay.bornOf(c), r.lifeR.ExpFloat64(), limit)
}

// addAgeMetrics adds the caseload's age profile.
func addAgeMetrics(l *metricLayout, m *Model) {
	g := m.ages
	if g == nil || len(g.profile) == 0 {
		return
	}
	add := func(suffix, who string, get func(r *run) *ageAcc) {
		l.add("age_mean.in_treatment"+suffix, "years", "mean age of the distinct clients in treatment in a year"+who+", when first counted in the year",
			func(r *run) float64 { a := get(r); return a.sum / a.n })
		for i := range g.profile {
			l.add("age_share.in_treatment."+g.ageBandName(i)+suffix, "share", "distinct clients in treatment in a year"+who+" aged "+g.ageBandName(i)+" when first counted in it",
				func(r *run) float64 { a := get(r); return float64(a.bands[i]) / a.n })
		}
	}
	l.add("age_median.journey_start", "years", "median age of clients as they start a treatment journey (NDTMS's new presentations)",
		func(r *run) float64 { return r.acc.journeyAges.Quantile(0.5) })
	add("", "", func(r *run) *ageAcc { return &r.acc.ages })
	for ai, ba := range byAttrs(m) {
		at := m.Scope.Attributes[ba]
		for li, lv := range at.Levels {
			add("."+at.Name+"."+lv, " whose "+at.Name+" is "+lv, func(r *run) *ageAcc { return &r.acc.ages.by[ai][li] })
		}
	}
}

// canDie reports whether clients admitted to p can die there: by its own
// mortality or, with a life table, of background causes anywhere but a
// parallel place.
func (m *Model) canDie(p *place) bool {
	return p.mortality != nil || m.ages != nil && len(m.ages.tables) > 0 && p.kind != scenario.KindParallel
}
