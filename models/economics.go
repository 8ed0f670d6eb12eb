package models

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/journeysim/journeysim/models/scenario"
)

// DiscountFactor is the present value of 1 paid t years after the start of
// the measured period at rate r a year: (1+r)^−t.
func DiscountFactor(r, t float64) float64 { return math.Pow(1+r, -t) }

// DiscountedRate returns the present value of a flow of 1 a year paid
// continuously from year a to year b at rate r: ∫ₐᵇ (1+r)^−t dt.
func DiscountedRate(r, a, b float64) float64 { return flowPV(math.Log1p(r), a, b) }

// flowPV is the present value at time 0 of a flow of 1 per unit of time
// from a to b, discounted continuously at d per unit of time; expm1 keeps
// a short stint exact.
func flowPV(d, a, b float64) float64 {
	if d == 0 {
		return b - a
	}
	return -math.Exp(-d*a) * math.Expm1(-d*(b-a)) / d
}

// placeEcon holds one place's economics in output money, per day.
type placeEcon struct {
	perDay     float64 // per client-day in the place
	perEpisode float64
	postDay    float64 // staff posts, per unit of capacity per calendar day
	crimeDay   float64 // crime cost per client-day, for the mean client
	healthDay  float64 // health-care cost per client-day
	qalyDay    float64 // QALY weight per client-day, over days a year
	avoids     bool    // a treatment stay, credited with the crime avoided while using
	priced     bool    // has a cost table
	incidents  []int   // indexes of the econ's incidents that happen here
}

// incident is an event at a rate while in some places, with a cost
// (scenario.IncidentSpec).
type incident struct {
	name   string
	perDay float64
	when   Cond // nil: every client
	mods   []ratioMod
	cost   float64 // at the output's price year
}

// econ is a model's economics, resolved.
type econ struct {
	rate          float64
	delta         float64 // continuous discount rate a day, ln(1 + rate) / days a year
	transferShare float64
	using         int // place index of the using state, -1 if none
	places        []placeEcon
	// crimeMods move a client's crime rate by case mix; crimeNorm makes
	// the mean over the arrivals' case mix 1, so crime_per_year stays the
	// rate of the average client.
	crimeMods []ratioMod
	crimeNorm float64
	// beforeAfter is the follow-up measured before and after intake, -1 none.
	beforeAfter int
	incidents   []incident
}

// crimeRatio is client c's crime rate relative to the average client's.
func (ec *econ) crimeRatio(c *Client) float64 {
	k := ec.crimeNorm
	for _, m := range ec.crimeMods {
		if m.when == nil || m.when(c) {
			k *= m.ratio
		}
	}
	return k
}

// buildEconomics resolves the scenario's economics; nil when it declares none.
func buildEconomics(s *scenario.Scenario, m *Model, scope *Scope) (*econ, error) {
	e := s.Economics
	if e == nil {
		return nil, nil
	}
	ec := &econ{rate: 0, using: -1, places: make([]placeEcon, len(m.places)), crimeNorm: 1, beforeAfter: -1}
	if e.BeforeAfter != "" {
		i := slices.IndexFunc(m.followups, func(f *followup) bool { return f.name == e.BeforeAfter })
		if i < 0 {
			return nil, problem("economics.before_after", "no follow-up %q: name one of [followups]", e.BeforeAfter)
		}
		if m.followups[i].fromExit {
			return nil, problem("economics.before_after", "follow-up %q starts on leaving a place: name a cohort at intake (from = \"admission\")", e.BeforeAfter)
		}
		ec.beforeAfter = i
	}
	if e.DiscountRate != nil {
		ec.rate = e.DiscountRate.V
		if ec.rate < 0 || ec.rate > 1 {
			return nil, problem("economics.discount_rate", "%g is not a rate between 0 and 1 a year", ec.rate)
		}
	}
	ec.delta = math.Log1p(ec.rate) / daysPerYear
	if e.TransferShare != nil {
		ec.transferShare = e.TransferShare.V
		if ec.transferShare < 0 || ec.transferShare > 1 {
			return nil, problem("economics.transfer_share", "%g is not a share between 0 and 1", ec.transferShare)
		}
	}
	using := e.UsingPlace
	if using == "" {
		using = "using"
	}
	if i, ok := m.index[using]; ok && i >= 0 {
		ec.using = i
	} else if e.UsingPlace != "" {
		return nil, problem("economics.using_place", "no place %q", e.UsingPlace)
	}
	if err := ec.buildCrimeMods(e, m, scope); err != nil {
		return nil, err
	}
	if err := ec.buildIncidents(e, m, scope); err != nil {
		return nil, err
	}
	for i, p := range m.places {
		ps := s.Places[p.name]
		pe := &ec.places[i]
		pe.avoids = p.treatment && p.kind != scenario.KindParallel && ec.using >= 0
		if p.kind == scenario.KindParallel && (ps.CrimePerYear != nil || ps.QALYWeight != nil || ps.HealthPerYear != nil) {
			k := "crime_per_year"
			switch {
			case ps.HealthPerYear != nil:
				k = "health_per_year"
			case ps.CrimePerYear == nil:
				k = "qaly_weight"
			}
			return nil, problem("places."+p.name+"."+k, "a parallel place is held alongside another place, whose %s applies; a parallel place takes only a cost", k)
		}
		if ps.CrimePerYear != nil {
			if e.CrimePrice == "" {
				return nil, problem("places."+p.name+".crime_per_year", "say the crime costs' currency and year in economics.crime_price, like \"GBP 2011\"")
			}
			f, err := e.PriceFactor(e.CrimePrice)
			if err != nil {
				return nil, problem("economics.crime_price", "%v", err)
			}
			pe.crimeDay = ps.CrimePerYear.V * f / daysPerYear
		}
		if ps.HealthPerYear != nil {
			if e.HealthPrice == "" {
				return nil, problem("places."+p.name+".health_per_year", "say the health costs' currency and year in economics.health_price, like \"GBP 2012\"")
			}
			f, err := e.PriceFactor(e.HealthPrice)
			if err != nil {
				return nil, problem("economics.health_price", "%v", err)
			}
			pe.healthDay = ps.HealthPerYear.V * f / daysPerYear
		}
		if ps.QALYWeight != nil {
			pe.qalyDay = ps.QALYWeight.V / daysPerYear
		}
		c := ps.Cost
		if c == nil {
			continue
		}
		pe.priced = true
		key := "places." + p.name + ".cost"
		if c.Price == "" {
			return nil, problem(key+".price", "say the currency and year of the costs, like \"GBP 2011\"")
		}
		f, err := e.PriceFactor(c.Price)
		if err != nil {
			return nil, problem(key+".price", "%v", err)
		}
		day := 0.0
		if c.PerDay != nil {
			day += c.PerDay.V
		}
		if c.PerWeek != nil {
			day += c.PerWeek.V / 7
		}
		if c.PerYear != nil {
			day += c.PerYear.V / daysPerYear
		}
		pe.perDay = day * f
		if c.PerEpisode != nil {
			pe.perEpisode = c.PerEpisode.V * f
		}
		if c.PerPostYear != nil {
			if c.Caseload == nil || c.Caseload.V <= 0 {
				return nil, problem(key+".caseload", "per_post_year needs the clients one post carries (a caseload above 0)")
			}
			if p.capacity < 0 {
				return nil, problem(key+".per_post_year", "%s has no capacity to divide into posts", p.name)
			}
			pe.postDay = c.PerPostYear.V * f / c.Caseload.V / daysPerYear
		} else if c.Caseload != nil {
			return nil, problem(key+".caseload", "only per_post_year uses a caseload")
		}
	}
	return ec, nil
}

// problem is a problem with the scenario at key, for Load to place.
func problem(key, format string, a ...any) error {
	return scenario.Problems{{Key: key, Msg: fmt.Sprintf(format, a...)}}
}

// maxMixCells bounds the case-mix cells enumerated to normalise the crime
// modifiers: eight attributes of four levels.
const maxMixCells = 1 << 16

// buildCrimeMods compiles economics.crime_modifiers, which may read only
// the case mix and the policy: they are fixed for a client's life, so
// their mean over the arrivals is known before the run.
func (ec *econ) buildCrimeMods(e *scenario.EconomicsSpec, m *Model, scope *Scope) error {
	if len(e.CrimeModifiers) == 0 {
		return nil
	}
	for i, cm := range e.CrimeModifiers {
		key := fmt.Sprintf("economics.crime_modifiers[%d]", i)
		if cm.Ratio == nil || cm.Ratio.V <= 0 {
			return problem(key+".ratio", "give the crime rate relative to other clients, a number above 0")
		}
		when, skip, err := lifelongCond(key+".when", cm.When, scope)
		if err != nil {
			return err
		}
		if !skip {
			ec.crimeMods = append(ec.crimeMods, ratioMod{when: when, ratio: cm.Ratio.V})
		}
	}
	// The mean ratio over every cell of the case mix, weighted by its share.
	cells := 1
	for _, cum := range m.mix {
		cells *= len(cum)
		if cells > maxMixCells {
			return problem("economics.crime_modifiers", "the case mix has more than %d cells to average over", maxMixCells)
		}
	}
	var c Client
	mean := 0.0
	for cell := range cells {
		w, rest := 1.0, cell
		for a, cum := range m.mix {
			l := rest % len(cum)
			rest /= len(cum)
			m.lay.setAttr(&c, a, l)
			share := cum[l]
			if l > 0 {
				share -= cum[l-1]
			}
			w *= share
		}
		if w == 0 {
			continue
		}
		ec.crimeNorm = 1
		mean += w * ec.crimeRatio(&c)
	}
	if mean <= 0 {
		return problem("economics.crime_modifiers", "no client in the case mix has a crime rate")
	}
	ec.crimeNorm = 1 / mean
	return nil
}

// buildIncidents resolves the incidents, in the order of their names, and
// tells each place which happen there.
func (ec *econ) buildIncidents(e *scenario.EconomicsSpec, m *Model, scope *Scope) error {
	for _, n := range slices.Sorted(maps.Keys(e.Incidents)) {
		in, key := e.Incidents[n], "economics.incidents."+n
		if in == nil || in.PerYear == nil {
			continue
		}
		inc := incident{name: n, perDay: in.PerYear.V / daysPerYear}
		when, never, err := lifelongCond(key+".when", in.When, scope)
		if err != nil {
			return err
		}
		if never {
			continue // a policy rules it out
		}
		inc.when = when
		for i, md := range in.Modifiers {
			w, skip, err := lifelongCond(fmt.Sprintf("%s.modifiers[%d].when", key, i), md.When, scope)
			if err != nil {
				return err
			}
			if !skip {
				inc.mods = append(inc.mods, ratioMod{when: w, ratio: md.Ratio.V})
			}
		}
		if in.Cost != nil {
			f, err := e.PriceFactor(in.Price)
			if err != nil {
				return problem(key+".price", "%v", err)
			}
			inc.cost = in.Cost.V * f
		}
		k := len(ec.incidents)
		ec.incidents = append(ec.incidents, inc)
		for i, p := range m.places {
			if len(in.Places) == 0 && p.kind != scenario.KindParallel || slices.Contains(in.Places, p.name) {
				ec.places[i].incidents = append(ec.places[i].incidents, k)
			}
		}
	}
	return nil
}

// lifelongCond compiles a condition of the economics, which may read only
// what does not change in a client's life (the case mix, client.age
// aside, and policy.*), since it is read once a stint: nil for none. never
// says a policy rules it out.
func lifelongCond(key string, x scenario.Expr, scope *Scope) (c Cond, never bool, err error) {
	if x.IsZero() {
		return nil, false, nil
	}
	// The same layout: a client's attributes are read where the model keeps them.
	fixed := &Scope{Attributes: scope.Attributes, Policy: scope.Policy, lay: scope.lay}
	if v, ok, err := Const(x, fixed); err == nil && ok && !v {
		return nil, true, nil
	}
	c, err = Compile(x, fixed)
	if err != nil {
		if _, err := Compile(x, scope); err != nil {
			return nil, false, problem(key, "%v", err)
		}
		return nil, false, problem(key, "may read only the case mix (client.*, client.age aside) and policy.*, which do not change in a client's life")
	}
	return c, false, nil
}

// ledger is one run's money, crime and QALYs, accrued stint by stint:
// when a client leaves a place or a waiting list, and at the end of the
// run for those still there. PV is discounted to the end of warm-up.
type ledger struct {
	placeCost                         []float64
	yearCost                          []float64 // by measured year, with a year-by-year report
	costPV, crime, crimePV, avoidedPV float64
	health, healthPV                  float64
	qalys, qalysPV                    float64
	incidents                         []float64 // expected number, by incident
}

// span returns the days of [a, b] inside the measured period, and their
// present value as a flow of one a day.
func (r *run) span(a, b float64) (days, pv float64) {
	a, b = max(a, r.start), min(b, r.end)
	if b <= a {
		return 0, 0
	}
	return b - a, flowPV(r.m.econ.delta, a-r.start, b-r.start)
}

// accrueStay adds client c's stay in place p from day a to day b.
func (r *run) accrueStay(c *Client, p int, a, b float64) {
	days, pv := r.span(a, b)
	if days == 0 {
		return
	}
	ec := r.m.econ
	pe := &ec.places[p]
	l := &r.ledger
	l.placeCost[p] += pe.perDay * days
	l.costPV += pe.perDay * pv
	r.costByYear(a, b, pe.perDay)
	r.accrueLife(c, pe, days, pv)
}

// accrueLife adds the crime and QALYs of days (worth pv) lived at pe's rates.
func (r *run) accrueLife(c *Client, pe *placeEcon, days, pv float64) {
	l := &r.ledger
	l.qalys += pe.qalyDay * days
	l.qalysPV += pe.qalyDay * pv
	l.health += pe.healthDay * days
	l.healthPV += pe.healthDay * pv
	for _, k := range pe.incidents {
		in := &r.m.econ.incidents[k]
		if in.when != nil && !in.when(c) {
			continue
		}
		rate := in.perDay * hazardRatio(in.mods, c)
		l.incidents[k] += rate * days
		l.health += rate * in.cost * days
		l.healthPV += rate * in.cost * pv
	}
	if pe.crimeDay == 0 && !pe.avoids {
		return
	}
	ec := r.m.econ
	k := ec.crimeRatio(c)
	l.crime += pe.crimeDay * k * days
	l.crimePV += pe.crimeDay * k * pv
	if pe.avoids {
		l.avoidedPV += (ec.places[ec.using].crimeDay - pe.crimeDay) * k * pv
	}
}

// accrueWait adds client c's wait for a place from day a to day b: people
// on a waiting list are still using.
func (r *run) accrueWait(c *Client, a, b float64) {
	ec := r.m.econ
	if ec.using < 0 {
		return
	}
	days, pv := r.span(a, b)
	if days == 0 {
		return
	}
	r.accrueLife(c, &ec.places[ec.using], days, pv)
}

// accrueEpisode adds an admission to place p on day t.
func (r *run) accrueEpisode(p int, t float64) {
	pe := &r.m.econ.places[p]
	if pe.perEpisode == 0 || t < r.start || t > r.end {
		return
	}
	r.ledger.placeCost[p] += pe.perEpisode
	r.ledger.costPV += pe.perEpisode * math.Exp(-r.m.econ.delta*(t-r.start))
	if yc := r.ledger.yearCost; yc != nil {
		yc[min(int((t-r.start)/daysPerYear), len(yc)-1)] += pe.perEpisode
	}
}

// accrueHold adds a parallel place p held from day a to day b; a negative
// sign takes back the part not held when a hold ends early.
func (r *run) accrueHold(p int, a, b, sign float64) {
	pe := &r.m.econ.places[p]
	if pe.perDay == 0 {
		return
	}
	days, pv := r.span(a, b)
	r.ledger.placeCost[p] += sign * pe.perDay * days
	r.ledger.costPV += sign * pe.perDay * pv
	r.costByYear(a, b, sign*pe.perDay)
}

// EconomicsTotals is what one replication's economics add up to over the
// measured period: PV is discounted to its start.
type EconomicsTotals struct {
	Cost, CostPV   float64
	Crime, CrimePV float64
	AvoidedPV      float64 // crime avoided in treatment against the using rate
	Health         float64 // health-care costs beyond the places' own
	HealthPV       float64
	QALYs, QALYsPV float64
	PlaceCost      []float64
	Incidents      []float64 // expected number over the measured period, by incident
}

// economics closes the ledger of a finished run: the clients still in a
// place or on a list are accrued to the end, and staff posts for the
// capacity in place over the period.
func (r *run) economics() EconomicsTotals {
	for id := range r.n {
		c := r.client(id)
		switch {
		case c.Place < 0:
		case c.Waiting():
			r.accrueWait(c, c.Since, r.end)
		default:
			r.accrueStay(c, int(c.Place), c.Since, r.end)
		}
	}
	l := &r.ledger
	for pi, pe := range r.m.econ.places {
		if pe.postDay == 0 {
			continue
		}
		p := r.m.places[pi]
		// Each capacity from its change (or the start) to the next (or the end).
		sched := append([]scenario.CapacityStep{{At: 0, Capacity: p.capacity}}, p.changes...)
		for i, ch := range sched {
			to := r.end
			if i+1 < len(sched) {
				to = r.start + sched[i+1].At
			}
			days, pv := r.span(r.start+ch.At, to)
			l.placeCost[pi] += pe.postDay * float64(ch.Capacity) * days
			l.costPV += pe.postDay * float64(ch.Capacity) * pv
			r.costByYear(r.start+ch.At, to, pe.postDay*float64(ch.Capacity))
		}
	}
	t := EconomicsTotals{PlaceCost: l.placeCost, CostPV: l.costPV, Crime: l.crime, CrimePV: l.crimePV,
		AvoidedPV: l.avoidedPV, QALYs: l.qalys, QALYsPV: l.qalysPV, Health: l.health, HealthPV: l.healthPV,
		Incidents: l.incidents}
	for _, c := range t.PlaceCost {
		t.Cost += c
	}
	return t
}

// followSpend adds client c's stint from day a to day b, in place p or on
// its waiting list, to its record in the before-and-after cohort: the crime
// of those days and, in a treatment place, their cost.
func (r *run) followSpend(c *Client, id int32, p int, waiting bool, a, b float64) {
	ec := r.m.econ
	crimeDay, costDay := r.stintRates(c, p, waiting)
	r.eachOpen(c, id, func(rec *fuRecord) {
		if int(rec.f) != ec.beforeAfter {
			return
		}
		if d := b - max(a, rec.start); d > 0 {
			rec.crime += crimeDay * d
			rec.spend += costDay * d
		}
	})
}

// stintRates returns client c's crime a day in place p, or on its waiting
// list (at the using rate), and the cost a day of treatment there.
func (r *run) stintRates(c *Client, p int, waiting bool) (crimeDay, costDay float64) {
	ec := r.m.econ
	switch {
	case waiting && ec.using >= 0:
		crimeDay = ec.places[ec.using].crimeDay
	case !waiting:
		crimeDay = ec.places[p].crimeDay
		if r.m.places[p].treatment {
			costDay = ec.places[p].perDay
		}
	}
	return crimeDay * ec.crimeRatio(c), costDay
}

// followEpisode adds the cost of an admission to treatment place p to client
// c's record in the before-and-after cohort.
func (r *run) followEpisode(c *Client, id int32, p int) {
	ec := r.m.econ
	if cost := ec.places[p].perEpisode; cost > 0 {
		r.eachOpen(c, id, func(rec *fuRecord) {
			if int(rec.f) == ec.beforeAfter {
				rec.spend += cost
			}
		})
	}
}
