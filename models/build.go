package models

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/journeysim/journeysim/models/result"

	"github.com/journeysim/journeysim/models/scenario"
)

// Model is a scenario compiled for simulation: names resolved to indices,
// conditions to closures, policy conditions folded. It is read-only and
// shared by every replication.
type Model struct {
	Scenario *scenario.Scenario
	Scope    *Scope

	places  []*place
	index   map[string]int // place name -> index; dead and gone are -1 and -2
	intake  int
	perDay  float64 // arrival rate at the end of warm-up
	trend   float64 // yearly relative change of the arrival rate
	mix     [][]float64
	reasons []string
	// reason indices with a meaning for metrics
	completed, died, reneged int
	droppedOut               int   // -1 if no place has it
	parallel                 []int // indices of parallel places
	warmup, horizon          float64

	metrics *metricLayout
	econ    *econ         // nil without an economics table
	lay     *clientLayout // where a client's case mix, holdings and counts are kept
	ages    *ages         // nil without ages

	followups []*followup

	flows         []result.FlowInfo
	survival      []result.SurvivalCurve
	survivalPlace []int // place index of each survival curve

	warnings scenario.Problems // what is legal but most likely not what was meant

	start []startGroup // the people a run starts with, if any

	settled    bool   // Settle chose the warm-up
	settleNote string // how
}

// Warnings lists what in the scenario is legal but most likely not what
// was meant: a cut that rounds to no change, a change after the horizon.
func (m *Model) Warnings() scenario.Problems { return m.warnings }

const (
	toDead = -1
	toGone = -2
)

type place struct {
	name, label string
	kind        scenario.PlaceKind
	treatment   bool
	capacity    int
	priority    bool
	prioRules   []prioRule
	patience    *scenario.Dist
	changes     []scenario.CapacityStep
	plan        *scenario.CapacityPlan // how the capacity and its changes were worked out

	stay      scenario.Dist
	stayMods  []ratioMod
	byHazard  bool
	exits     []exit
	reneged   []route
	mortality *hazard
	diedFlow  int     // flow index of deaths here, -1 without mortality
	meanStay  float64 // days, for the expected wait of providers

	// parallel
	parIndex   int // index among parallel places
	joinAt     []int
	joinAfter  []int
	eligible   Cond
	uptake     float64
	uptakeMods []ratioMod
	duration   scenario.Dist

	offersAt, offersAfter []int    // parallel places offered on admission here / on leaving
	diverts               []divert // places that take clients sent here

	// follow-ups
	abstinence              float64 // chance a client here is not using
	abstMods                []ratioMod
	relapse                 bool    // entering is a relapse
	justice                 bool    // the criminal-justice system
	poisoning               float64 // share of deaths at the place's rate that are drug-related poisonings
	cohortsAdm, cohortsExit []int   // follow-ups started on admission here / on leaving
}

type prioRule struct {
	when  Cond
	level int
}

type ratioMod struct {
	when  Cond
	ratio float64
}

type exit struct {
	reason   int // index in Model.reasons
	p        float64
	mods     []ratioMod
	stay     scenario.Dist // zero: the place's stay
	stayMods []ratioMod
	hazard   *hazard
	routes   []route
	what     string // for the journey log:
}

type route struct {
	flow    int   // index in Model.flows
	to      int   // destination; the first of choices if there are choices
	choices []int // providers to choose between by expected wait, or nil
	flows   []int // flow index of each choice
	// diverted are the flow indexes of the places that take clients sent
	// to to, in the order of its diverts.
	diverted []int
	p        float64
	when     Cond // nil: always
	mods     []ratioMod
	// otherwise: taken only when no other route holds with a weight above 0
	otherwise bool
}

// divert is a share of the clients sent to a place that another place
// takes instead (scenario.TakeSpec).
type divert struct {
	to    int
	share float64
	when  Cond // nil: every client
}

type hazard struct {
	until []float64 // band ends, days since entry; the last band is open
	rate  []float64 // per day
	mods  []ratioMod
}

// Build compiles a validated scenario.
func Build(s *scenario.Scenario) (*Model, error) {
	scope, err := newScope(s)
	if err != nil {
		return nil, scenario.Problemf("places", "%v", err)
	}
	m := &Model{Scenario: s, Scope: scope, index: map[string]int{scenario.PlaceDead: toDead, scenario.PlaceGone: toGone},
		reasons: scope.Reasons, warmup: s.Warmup(), horizon: s.Horizon()}
	for i, n := range scope.Places {
		m.index[n] = i
	}
	m.completed = indexOf(m.reasons, "completed") // -1 if no place has it
	m.droppedOut = indexOf(m.reasons, "dropped_out")
	m.died = indexOf(m.reasons, "died")
	m.reneged = indexOf(m.reasons, scenario.ExitReneged)
	lay, err := scope.layoutOf()
	if err != nil {
		return nil, scenario.Problems{{Key: "places", Msg: err.Error()}}
	}
	m.lay = lay
	b := &builder{m: m, scope: scope}
	for _, n := range scope.Places {
		m.places = append(m.places, b.place(n, s.Places[n]))
	}
	for i, p := range m.places {
		if p.kind != scenario.KindParallel {
			continue
		}
		p.parIndex = len(m.parallel)
		m.parallel = append(m.parallel, i)
		for _, j := range p.joinAt {
			m.places[j].offersAt = append(m.places[j].offersAt, i)
		}
		for _, j := range p.joinAfter {
			m.places[j].offersAfter = append(m.places[j].offersAfter, i)
		}
	}
	for i, n := range scope.Places {
		for _, t := range s.Places[n].Takes {
			if v, ok, err := Const(t.When, scope); err == nil && ok && !v {
				continue // a policy rules it out
			}
			from := m.places[m.index[t.From]]
			from.diverts = append(from.diverts, divert{to: i, share: b.value(t.Share, 0), when: b.cond(t.When)})
		}
	}
	if len(m.parallel) > 64 {
		return nil, fmt.Errorf("models: at most 64 parallel places, not %d", len(m.parallel))
	}
	m.intake = m.index[s.Arrivals.To]
	perYear := b.value(s.Arrivals.PerYear, 0)
	m.perDay = perYear * b.value(s.Arrivals.Scale, 1) * b.value(s.Scale, 1) / daysPerYear
	m.trend = b.value(s.Arrivals.Trend, 0)
	for _, a := range scope.Attributes {
		cum := make([]float64, len(a.Levels))
		acc := 0.0
		for i, l := range a.Levels {
			acc += s.CaseMix[a.Name][l].V
			cum[i] = acc
		}
		m.mix = append(m.mix, cum)
	}
	if m.ages, err = buildAges(s, scope); err != nil {
		return nil, scenario.Problemf("ages", "%v", err)
	}
	b.followups(s)
	if b.err != nil {
		return nil, b.err
	}
	if err := m.buildStart(s); err != nil {
		return nil, err
	}
	m.buildJourneys()
	ec, err := buildEconomics(s, m, scope)
	if err != nil {
		return nil, err // Problems at their keys, for Load to place
	}
	m.econ = ec
	m.metrics = newMetricLayout(m)
	return m, nil
}

type builder struct {
	m     *Model
	scope *Scope
	err   error
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// scaled is a capacity times the scenario's scale, in whole places.
func (b *builder) scaled(capacity float64) int {
	return int(math.Round(capacity * b.value(b.m.Scenario.Scale, 1)))
}

func (b *builder) value(v *scenario.Value, def float64) float64 {
	if v == nil {
		return def
	}
	return v.V
}

// cond compiles e; a condition that is constant true compiles to nil, so
// the hot path can skip it.
func (b *builder) cond(e scenario.Expr) Cond {
	if e.IsZero() {
		return nil
	}
	if v, ok, err := Const(e, b.scope); err == nil && ok && v {
		return nil
	}
	c, err := Compile(e, b.scope)
	if err != nil {
		b.fail(err)
	}
	return c
}

// mods compiles modifiers, dropping those whose condition is constant false.
func (b *builder) mods(ms []scenario.Modifier) []ratioMod {
	var out []ratioMod
	for _, m := range ms {
		if v, ok, err := Const(m.When, b.scope); err == nil && ok && !v {
			continue
		}
		r := m.OddsRatio
		if r == nil {
			r = m.HazardRatio
		}
		if r == nil {
			continue
		}
		out = append(out, ratioMod{when: b.cond(m.When), ratio: r.V})
	}
	return out
}

func (b *builder) hazard(h *scenario.HazardSpec) *hazard {
	if h == nil {
		return nil
	}
	f := h.PerDay()
	hz := &hazard{mods: b.mods(h.Modifiers)}
	for i, band := range h.Bands {
		hz.rate = append(hz.rate, band.Rate.V*f)
		if i < len(h.Bands)-1 && band.Until != nil {
			hz.until = append(hz.until, band.Until.Days())
		}
	}
	return hz
}

func (b *builder) routes(rs []*scenario.RouteSpec) []route {
	var out []route
	for _, r := range rs {
		if r == nil {
			continue
		}
		if v, ok, err := Const(r.When, b.scope); err == nil && ok && !v {
			continue
		}
		p := 1.0
		switch {
		case r.Otherwise:
			p = 0
		case r.Probability != nil:
			p = r.Probability.V
		}
		rt := route{p: p, when: b.cond(r.When), mods: b.mods(r.Modifiers), otherwise: r.Otherwise}
		for _, t := range r.ToShortestWait {
			rt.choices = append(rt.choices, b.m.index[t])
		}
		rt.to = b.m.index[r.Targets()[0]]
		out = append(out, rt)
	}
	return out
}

func (b *builder) place(name string, ps *scenario.PlaceSpec) *place {
	p := &place{name: name, label: ps.Label, kind: ps.Kind}
	if p.label == "" {
		p.label = name
	}
	p.treatment = ps.IsTreatment()
	p.capacity = -1 // unlimited
	if ps.Capacity != nil || ps.Budget != nil || len(ps.CapacityChanges) > 0 {
		pl, err := b.m.Scenario.PlanCapacity(name)
		if err != nil {
			b.fail(err)
		} else {
			p.plan, p.capacity, p.changes = pl, pl.Initial, pl.Changes
			b.m.warnings = append(b.m.warnings, pl.Warnings...)
		}
	}
	p.priority = ps.Discipline == scenario.Priority
	for _, r := range ps.Priority {
		p.prioRules = append(p.prioRules, prioRule{when: b.cond(r.When), level: r.Level})
	}
	p.patience = ps.Patience
	if ps.Stay != nil {
		p.stay = *ps.Stay
	}
	p.stayMods = b.mods(ps.StayModifiers)
	p.mortality = b.hazard(ps.Mortality)
	if ps.Mortality != nil && ps.Mortality.Poisoning != nil {
		p.poisoning = ps.Mortality.Poisoning.V
	}
	p.reneged = b.routes(ps.Routes[scenario.ExitReneged])
	for _, r := range slices.Sorted(maps.Keys(ps.Exits)) {
		e := ps.Exits[r]
		x := exit{reason: indexOf(b.m.reasons, r), mods: b.mods(e.Modifiers), stayMods: b.mods(e.StayModifiers),
			routes: b.routes(ps.Routes[r]), what: "exit " + r}
		if e.Probability != nil {
			x.p = e.Probability.V
		}
		if e.Stay != nil {
			x.stay = *e.Stay
		}
		if e.Hazard != nil {
			p.byHazard = true
			x.hazard = b.hazard(e.Hazard)
		}
		p.exits = append(p.exits, x)
	}
	if ps.Abstinence != nil {
		p.abstinence = b.value(ps.Abstinence.Probability, 0)
		p.abstMods = b.mods(ps.Abstinence.Modifiers)
	}
	p.relapse = ps.Relapse
	p.justice = ps.Justice
	if ps.Kind == scenario.KindParallel {
		for _, j := range ps.JoinAt {
			p.joinAt = append(p.joinAt, b.m.index[j])
		}
		for _, j := range ps.JoinAfter {
			p.joinAfter = append(p.joinAfter, b.m.index[j])
		}
		p.eligible = b.cond(ps.Eligible)
		p.uptake = 1
		if ps.Uptake != nil {
			p.uptake = b.value(ps.Uptake.Probability, 1)
			p.uptakeMods = b.mods(ps.Uptake.Modifiers)
		}
		p.duration = *ps.Duration
	}
	return p
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// applyOdds returns p with its odds multiplied by or: OR·p / (1 − p + OR·p).
func applyOdds(p, or float64) float64 {
	if p >= 1 {
		return 1
	}
	return or * p / (1 - p + or*p)
}

// oddsAdjusted returns the probability after the modifiers that match c.
func oddsAdjusted(p float64, mods []ratioMod, c *Client) float64 {
	for i := range mods {
		if mods[i].when == nil || mods[i].when(c) {
			p = applyOdds(p, mods[i].ratio)
		}
	}
	return p
}

// hazardRatio returns the product of the ratios of the modifiers that match c.
func hazardRatio(mods []ratioMod, c *Client) float64 {
	h := 1.0
	for i := range mods {
		if mods[i].when == nil || mods[i].when(c) {
			h *= mods[i].ratio
		}
	}
	return h
}

// draw returns a time to the event of a piecewise-constant hazard multiplied
// by hr, given a unit exponential draw e; +Inf if it never happens.
func (h *hazard) draw(e, hr float64) float64 { return h.drawFrom(0, e, hr) }

// drawFrom is draw for a client who has been in the place for t0 already:
// the time from now, given that the event has not happened by t0.
func (h *hazard) drawFrom(t0, e, hr float64) float64 {
	if len(h.rate) == 1 && t0 == 0 {
		// One constant rate from entry, as most exits have: what the loop
		// below computes for it, without the loop (it runs for every exit
		// at every admission).
		if r := h.rate[0] * hr; r > 0 {
			return e / r
		}
		return math.Inf(1)
	}
	t := t0
	for i, r := range h.rate {
		r *= hr
		end := math.Inf(1)
		if i < len(h.until) {
			end = h.until[i]
		}
		if end <= t0 {
			continue
		}
		if r > 0 {
			if dt := e / r; t+dt <= end {
				return t + dt - t0
			}
		}
		if math.IsInf(end, 1) {
			return math.Inf(1)
		}
		e -= r * (end - t)
		t = end
	}
	return math.Inf(1)
}
