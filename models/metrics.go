package models

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/result"

	"github.com/journeysim/journeysim/models/scenario"

	"github.com/journeysim/journeysim/sim"
)

// Metrics lists the metrics every replication reports, in a fixed order.
func (m *Model) Metrics() []result.MetricInfo { return m.metrics.infos }

// Series lists the monthly time series every replication reports.
func (m *Model) Series() []result.MetricInfo { return m.metrics.series }

// Months returns the number of months in each series.
func (m *Model) Months() int { return int(math.Round(m.horizon / monthDays)) }

// MetricIndex returns the position of the named metric, or -1.
func (m *Model) MetricIndex(name string) int {
	for i, mi := range m.metrics.infos {
		if mi.Name == name {
			return i
		}
	}
	return -1
}

type accumulators struct {
	presentations, newPresentations int64
	represented, completionsEarly   int64
	completions                     int64
	distinctTreated                 int64
	admittedYears, inTreatmentYears int64
	// NDTMS's effective treatment: clients in treatment in a year who were
	// retained 12 weeks or completed earlier; pending are those not yet
	// judged: their stay was under 12 weeks old when the year ended, and
	// has not yet ended or reached 12 weeks (see run.endYear).
	effective, effectivePending int64
	deaths, deathsAfterExit     int64
	deathsBackground            int64     // of deaths, those the life table drew
	deathsPoisoning             int64     // of deaths, drug-related poisonings (a place's poisoning share)
	inTreatmentYearEnd          int64     // clients in treatment on the last day of a measured year
	journeys                    int64     // treatment journeys started
	journeysFromJustice         int64     // of them, referred from a justice place
	journeysAfterJustice        int64     // of them, by clients in a justice place in the 2 years before
	journeyAges                 sim.Tally // ages at their start
	// The clients in treatment at the start of each measured year, and of
	// them those whose stay had lasted over longStayDays.
	stockN, stockLong int64
	ages              ageAcc
	daysToTreatment   sim.Tally
	byAttr            []attrAcc
	places            []placeAcc
	flows             []int64
	prevT             float64
	prev              []float64
	monthly           [][]float64
	years             []yearTotals // at the start of each measured year, and the end
}

type attrAcc struct {
	attr        int
	inTreatment []int64
	completions []int64
	exits       []int64 // treatment exits, deaths included, give-ups not
	stock       []int64 // as accumulators.stockN, by level
	stockLong   []int64
}

type placeAcc struct {
	admissions, longWaits, repeats int64
	distinct                       int64 // clients admitted, once in each measured year
	readmit90, readmit1y           int64 // admissions within 90 days / a year of a stay here, the last treatment stay
	retainNum, retainDen           int64
	linked, linkDen                int64
	linked90, link90Den            int64
	missed                         int64
	earlyDropOuts                  int64   // drop-outs within 4 weeks of admission
	dropOuts12w, stayed12w         int64   // of retainDen: dropped out within 12 weeks; stayed 12 weeks
	exits                          []int64 // by reason
	stays                          sim.Tally
	staysBy                        [][]sim.Tally // by report.by attribute (acc.byAttr), by level
}

func (a *accumulators) init(m *Model) {
	a.places = make([]placeAcc, len(m.places))
	for i := range a.places {
		a.places[i].exits = make([]int64, len(m.reasons))
	}
	for _, name := range m.Scenario.Report.By {
		for i, at := range m.Scope.Attributes {
			if at.Name == name {
				a.byAttr = append(a.byAttr, attrAcc{attr: i,
					inTreatment: make([]int64, len(at.Levels)), completions: make([]int64, len(at.Levels)),
					exits: make([]int64, len(at.Levels)), stock: make([]int64, len(at.Levels)), stockLong: make([]int64, len(at.Levels))})
			}
		}
	}
	for i, p := range m.places {
		if p.treatment {
			for _, ba := range a.byAttr {
				a.places[i].staysBy = append(a.places[i].staysBy, make([]sim.Tally, len(m.Scope.Attributes[ba.attr].Levels)))
			}
		}
	}
	if g := m.ages; g != nil {
		a.ages.bands = make([]int64, len(g.profile))
		for _, ba := range a.byAttr {
			by := make([]ageAcc, len(m.Scope.Attributes[ba.attr].Levels))
			for i := range by {
				by[i].bands = make([]int64, len(g.profile))
			}
			a.ages.by = append(a.ages.by, by)
		}
	}
	a.flows = make([]int64, len(m.flows))
	a.monthly = make([][]float64, len(m.metrics.series))
	a.prev = make([]float64, len(m.metrics.series))
}

// integrals returns, for each series, the area under it since the warm-up.
func (a *accumulators) integrals(r *run, now float64, out []float64) {
	i := 0
	for _, pr := range r.ps {
		if pr.res != nil {
			out[i] = pr.res.Stats.Busy.Integral(now)
			i++
			if pr.p.kind == scenario.KindCapacity {
				out[i] = pr.res.Stats.Queue.Integral(now)
				i++
			}
		} else {
			out[i] = pr.pop.Integral(now)
			i++
		}
	}
}

func (a *accumulators) monthStart(r *run, now float64) {
	a.integrals(r, now, a.prev)
	a.prevT = now
}

func (a *accumulators) monthEnd(r *run, now float64) {
	cur := make([]float64, len(a.prev))
	a.integrals(r, now, cur)
	for i := range cur {
		v := math.NaN()
		if now > a.prevT {
			v = (cur[i] - a.prev[i]) / (now - a.prevT)
		}
		a.monthly[i] = append(a.monthly[i], v)
	}
	a.prev, a.prevT = cur, now
}

// metricLayout holds, for each metric, how to compute it from a finished run.
type metricLayout struct {
	infos  []result.MetricInfo
	calc   []func(r *run) float64
	series []result.MetricInfo
}

func (l *metricLayout) add(name, unit, desc string, f func(r *run) float64) {
	l.infos = append(l.infos, result.MetricInfo{Name: name, Unit: unit, Description: desc})
	l.calc = append(l.calc, f)
}

func ratio(num, den int64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

func newMetricLayout(m *Model) *metricLayout {
	l := &metricLayout{}
	years := m.horizon / daysPerYear
	perYear := func(n int64) float64 { return float64(n) / years }
	l.add("presentations", "per year", "presentations to "+m.places[m.intake].name+", new and returning",
		func(r *run) float64 { return perYear(r.acc.presentations) })
	l.add("new_presentations", "per year", "people presenting for the first time",
		func(r *run) float64 { return perYear(r.acc.newPresentations) })
	l.add("distinct_clients_treated", "clients per year", "distinct clients in treatment at any time in a year",
		func(r *run) float64 { return perYear(r.acc.inTreatmentYears) })
	l.add("clients_admitted", "clients per year", "distinct clients admitted to treatment in a year",
		func(r *run) float64 { return perYear(r.acc.admittedYears) })
	l.add("journeys_started", "per year", "treatment journeys started: admissions to treatment more than 21 days after the last treatment stay ended, or the first (NDTMS's new presentations)",
		func(r *run) float64 { return perYear(r.acc.journeys) })
	if slices.ContainsFunc(m.places, func(p *place) bool { return p.justice }) {
		l.add("journey_share.from_justice", "share of journeys", "journeys started by clients referred from a place marked justice (an arrest, a court order, release from prison): the place they came to the intake from, or to treatment without it",
			func(r *run) float64 { return ratio(r.acc.journeysFromJustice, r.acc.journeys) })
		l.add("journey_share.after_justice", "share of journeys", "journeys started by clients admitted to a place marked justice in the 2 years before (to the month)",
			func(r *run) float64 { return ratio(r.acc.journeysAfterJustice, r.acc.journeys) })
	}
	l.add("completion_rate", "share per year", "successful completions in a year over clients in treatment in that year (PHOF 2.15 style)",
		func(r *run) float64 { return ratio(r.acc.completions, r.acc.inTreatmentYears) })
	l.add("effective_treatment", "share per year", "clients in treatment in a year who were retained 12 weeks or more, or completed earlier (NDTMS's effective treatment: a stay under 12 weeks old at the year's end is judged when it ends, or left out if the run ends first)",
		func(r *run) float64 {
			return ratio(r.acc.effective, r.acc.inTreatmentYears-r.acc.effectivePending)
		})
	for ai, name := range m.Scenario.Report.By {
		for _, at := range m.Scope.Attributes {
			if at.Name != name {
				continue
			}
			for li, lv := range at.Levels {
				l.add("completion_rate."+name+"."+lv, "share per year", "completion rate of clients whose "+name+" is "+lv,
					func(r *run) float64 {
						a := r.acc.byAttr[ai]
						return ratio(a.completions[li], a.inTreatment[li])
					})
				l.add("exit_share.completed."+name+"."+lv, "share of exits", "treatment exits of clients whose "+name+" is "+lv+" that were completed",
					func(r *run) float64 {
						a := r.acc.byAttr[ai]
						return ratio(a.completions[li], a.exits[li])
					})
			}
		}
	}
	l.add("in_treatment_over_5y", "share", "clients in treatment at the start of a measured year whose stay had lasted over 5 years",
		func(r *run) float64 { return ratio(r.acc.stockLong, r.acc.stockN) })
	for ai, ba := range byAttrs(m) {
		name := m.Scope.Attributes[ba].Name
		for li, lv := range m.Scope.Attributes[ba].Levels {
			l.add("distinct_clients_treated."+name+"."+lv, "clients per year", "distinct clients in treatment at any time in a year whose "+name+" is "+lv,
				func(r *run) float64 { return perYear(r.acc.byAttr[ai].inTreatment[li]) })
			l.add("caseload_share."+name+"."+lv, "share", "clients in treatment in a year whose "+name+" is "+lv,
				func(r *run) float64 { return ratio(r.acc.byAttr[ai].inTreatment[li], r.acc.inTreatmentYears) })
			l.add("in_treatment_over_5y."+name+"."+lv, "share", "clients whose "+name+" is "+lv+" in treatment at the start of a measured year whose stay had lasted over 5 years",
				func(r *run) float64 { a := r.acc.byAttr[ai]; return ratio(a.stockLong[li], a.stock[li]) })
		}
	}
	l.add("days_to_treatment", "days", "mean days from a presentation to the start of treatment, for presentations that led to treatment",
		func(r *run) float64 { return r.acc.daysToTreatment.Mean() })
	l.add("days_to_treatment_p90", "days", "90th percentile of days from presentation to treatment",
		func(r *run) float64 { return r.acc.daysToTreatment.Quantile(0.9) })
	l.add("completions_represent_6m", "share", "successful completions followed by a new presentation within 6 months",
		func(r *run) float64 { return ratio(r.acc.represented, r.acc.completionsEarly) })
	l.add("completion_rate_sustained", "share per year", "completions not followed by a new presentation within 6 months, over clients in treatment in the year (PHOF 2.15)",
		func(r *run) float64 {
			// The share re-presenting is taken from completions whose six
			// months ended inside the measured years.
			return ratio(r.acc.completions, r.acc.inTreatmentYears) * (1 - ratio(r.acc.represented, r.acc.completionsEarly))
		})
	l.add("deaths", "per year", "deaths of clients in the model",
		func(r *run) float64 { return perYear(r.acc.deaths) })
	if m.ages != nil && len(m.ages.tables) > 0 {
		l.add("deaths.background", "per year", "deaths the life table drew: what would have killed people of the same age and sex who did not use drugs",
			func(r *run) float64 { return perYear(r.acc.deathsBackground) })
	}
	l.add("deaths_within_4w_of_exit", "per year", "deaths out of treatment within 4 weeks of leaving a treatment place",
		func(r *run) float64 { return perYear(r.acc.deathsAfterExit) })
	if slices.ContainsFunc(m.places, func(p *place) bool { return p.poisoning > 0 }) {
		l.add("deaths.drug_poisoning", "per year", "deaths that were drug-related poisonings: a share of the deaths at each place's rate (its mortality's poisoning)",
			func(r *run) float64 { return perYear(r.acc.deathsPoisoning) })
		l.add("deaths.other", "per year", "deaths of other causes: the life table's, and the rest of the places'",
			func(r *run) float64 { return perYear(r.acc.deaths - r.acc.deathsPoisoning) })
	}
	addStatusMetrics(l, m, "", func(r *run) *statusAcc { return &r.status.all })
	for ai, ba := range byAttrs(m) {
		at := m.Scope.Attributes[ba]
		for li, lv := range at.Levels {
			addStatusMetrics(l, m, "."+at.Name+"."+lv, func(r *run) *statusAcc { return &r.status.by[ai][li] })
		}
	}
	l.add("in_treatment_at_year_end", "share", "of the distinct clients in treatment in a year, those still in treatment on its last day",
		func(r *run) float64 { return ratio(r.acc.inTreatmentYearEnd, r.acc.inTreatmentYears) })

	// Exit mix over all treatment places.
	for ri, reason := range m.reasons {
		used := reason == "died"
		for _, p := range m.places {
			if p.treatment {
				for _, e := range p.exits {
					used = used || e.reason == ri
				}
			}
		}
		if !used || reason == scenario.ExitReneged {
			continue
		}
		l.add("exit_share."+reason, "share of exits", "treatment exits that were "+strings.ReplaceAll(reason, "_", " "),
			func(r *run) float64 { return exitShare(r, ri) })
		if ri == m.completed {
			l.add("exit_share.completed_sustained", "share of exits", "treatment exits that were completions not followed by a new presentation within 6 months",
				func(r *run) float64 {
					return exitShare(r, ri) * (1 - ratio(r.acc.represented, r.acc.completionsEarly))
				})
		}
	}
	// Leaving the model alive, by the reason of the exit that took them.
	var goneReasons []string
	goneFlows := map[string][]int{}
	for i, f := range m.flows {
		if f.To != scenario.PlaceGone {
			continue
		}
		if _, ok := goneFlows[f.Reason]; !ok {
			goneReasons = append(goneReasons, f.Reason)
		}
		goneFlows[f.Reason] = append(goneFlows[f.Reason], i)
	}
	slices.Sort(goneReasons)
	for _, reason := range goneReasons {
		fs := goneFlows[reason]
		l.add("left."+reason, "per year", "clients leaving the model alive (not followed further) on exits that were "+reason,
			func(r *run) float64 {
				n := int64(0)
				for _, i := range fs {
					n += r.acc.flows[i]
				}
				return perYear(n)
			})
	}
	l.add("person_years.in_treatment", "person-years per year", "mean number of clients in treatment places",
		func(r *run) float64 {
			s := 0.0
			for _, pr := range r.ps {
				if pr.p.treatment {
					s += occupancy(r, pr)
				}
			}
			return s
		})
	for pi, p := range m.places {
		pi, p := pi, p
		name := p.name
		acc := func(r *run) *placeAcc { return &r.acc.places[pi] }
		switch p.kind {
		case scenario.KindState:
			l.add("person_years."+name, "person-years per year", "mean number of clients in "+p.label,
				func(r *run) float64 { return occupancy(r, r.ps[pi]) })
		case scenario.KindParallel:
			l.add("occupancy."+name, "places", "mean places held in "+p.label,
				func(r *run) float64 { return occupancy(r, r.ps[pi]) })
			l.add("admissions."+name, "per year", "clients taking up "+p.label,
				func(r *run) float64 { return perYear(acc(r).admissions) })
			if p.capacity >= 0 {
				l.add("missed."+name, "per year", "eligible clients offered "+p.label+" when it was full",
					func(r *run) float64 { return perYear(acc(r).missed) })
				addCapacity(l, m, p)
			}
			continue
		default:
			l.add("occupancy."+name, "clients", "mean clients in "+p.label+" (not counting those waiting)",
				func(r *run) float64 { return occupancy(r, r.ps[pi]) })
		}
		l.add("admissions."+name, "per year", "admissions to "+p.label,
			func(r *run) float64 { return perYear(acc(r).admissions) })
		if p.kind == scenario.KindCapacity {
			addCapacity(l, m, p)
			// The capacity in force: a cut halfway through counts for half.
			capacity := p.meanCapacity(m.horizon)
			l.add("utilisation."+name, "share", "mean occupancy over the mean capacity in force",
				func(r *run) float64 {
					if capacity == 0 {
						return math.NaN()
					}
					return occupancy(r, r.ps[pi]) / capacity
				})
			l.add("wait_mean_days."+name, "days", "mean wait of clients admitted",
				func(r *run) float64 { return r.ps[pi].res.Stats.Wait.Mean() })
			l.add("wait_p90_days."+name, "days", "90th percentile of waits",
				func(r *run) float64 { return r.ps[pi].res.Stats.Wait.Quantile(0.9) })
			l.add("wait_over_21d_share."+name, "share", "admissions after waiting more than 21 days",
				func(r *run) float64 { return ratio(acc(r).longWaits, acc(r).admissions) })
			l.add("queue_mean."+name, "clients", "mean length of the waiting list",
				func(r *run) float64 { return r.ps[pi].res.Stats.Queue.Mean(r.eng.Now()) })
			if p.patience != nil {
				l.add("reneged."+name, "per year", "clients who gave up waiting",
					func(r *run) float64 { return perYear(r.ps[pi].res.Stats.Reneged) })
			}
		}
		if !p.treatment {
			for _, e := range p.exits {
				ri := e.reason
				l.add("exits."+name+"."+m.reasons[ri], "per year", "exits from "+p.label+" that were "+m.reasons[ri],
					func(r *run) float64 { return perYear(acc(r).exits[ri]) })
			}
			continue
		}
		l.add("distinct_admitted."+name, "clients per year", "distinct clients admitted to "+p.label+" in a year",
			func(r *run) float64 { return perYear(acc(r).distinct) })
		l.add("readmit_90d."+name, "share of admissions", "admissions within 90 days of leaving "+p.label+", with no other treatment between",
			func(r *run) float64 { return ratio(acc(r).readmit90, acc(r).admissions) })
		l.add("readmit_1y."+name, "share of admissions", "admissions within a year of leaving "+p.label+", with no other treatment between",
			func(r *run) float64 { return ratio(acc(r).readmit1y, acc(r).admissions) })
		l.add("repeat_share."+name, "share of admissions", "admissions of clients admitted here before",
			func(r *run) float64 { return ratio(acc(r).repeats, acc(r).admissions) })
		if name == "detox" {
			l.add("repeat_detox_share", "share of admissions", "detox admissions that were repeat detoxes",
				func(r *run) float64 { return ratio(acc(r).repeats, acc(r).admissions) })
		}
		l.add("retained_12w."+name, "share", "admissions retained 12 weeks or completing earlier",
			func(r *run) float64 { return ratio(acc(r).retainNum, acc(r).retainDen) })
		l.add("stayed_12w."+name, "share", "admissions that stayed 12 weeks or more",
			func(r *run) float64 { return ratio(acc(r).stayed12w, acc(r).retainDen) })
		l.add("median_stay_days."+name, "days", "median length of stay",
			func(r *run) float64 { return acc(r).stays.Quantile(0.5) })
		for ai, ba := range byAttrs(m) {
			at := m.Scope.Attributes[ba]
			for li, lv := range at.Levels {
				l.add("median_stay_days."+name+"."+at.Name+"."+lv, "days", "median length of stay of clients whose "+at.Name+" is "+lv,
					func(r *run) float64 { return acc(r).staysBy[ai][li].Quantile(0.5) })
			}
		}
		l.add("linkage_30d."+name, "share", "exits followed by admission to another treatment place within 30 days",
			func(r *run) float64 { return ratio(acc(r).linked, acc(r).linkDen) })
		l.add("linkage_90d."+name, "share", "exits followed by admission to another treatment place within 90 days",
			func(r *run) float64 { return ratio(acc(r).linked90, acc(r).link90Den) })
		reasons := []int{}
		for _, e := range p.exits {
			reasons = append(reasons, e.reason)
			if e.reason == m.droppedOut {
				l.add("dropped_out_12w."+name, "share", "admissions that dropped out within 12 weeks",
					func(r *run) float64 { return ratio(acc(r).dropOuts12w, acc(r).retainDen) })
				l.add("dropout_4w_share."+name, "share of drop-outs", "drop-outs from "+p.label+" within 4 weeks of admission",
					func(r *run) float64 { return ratio(acc(r).earlyDropOuts, acc(r).exits[m.droppedOut]) })
			}
		}
		if m.canDie(p) {
			reasons = append(reasons, m.died)
		}
		for _, ri := range reasons {
			l.add("exits."+name+"."+m.reasons[ri], "per year", "exits from "+p.label+" that were "+m.reasons[ri],
				func(r *run) float64 { return perYear(acc(r).exits[ri]) })
		}
	}
	if m.econ != nil {
		addEconomicsMetrics(l, m)
	}
	addFollowupMetrics(l, m)
	addAgeMetrics(l, m)
	addYearMetrics(l, m)
	for _, p := range m.places {
		if p.kind == scenario.KindCapacity {
			l.series = append(l.series, result.MetricInfo{Name: "occupancy." + p.name, Unit: "clients", Description: "mean clients in " + p.label})
			l.series = append(l.series, result.MetricInfo{Name: "queue." + p.name, Unit: "clients", Description: "mean clients waiting for " + p.label})
		} else {
			l.series = append(l.series, result.MetricInfo{Name: "occupancy." + p.name, Unit: "clients", Description: "mean clients in " + p.label})
		}
	}
	return l
}

// byAttrs returns the attribute indices of report.by, in the order of
// accumulators.byAttr.
func byAttrs(m *Model) []int {
	var out []int
	for _, name := range m.Scenario.Report.By {
		for i, at := range m.Scope.Attributes {
			if at.Name == name {
				out = append(out, i)
			}
		}
	}
	return out
}

// exitShare is the share of treatment exits (give-ups while waiting left
// out) that were reason ri.
func exitShare(r *run, ri int) float64 {
	var n, tot int64
	for pi, p := range r.m.places {
		if !p.treatment {
			continue
		}
		for k, x := range r.acc.places[pi].exits {
			if k != r.m.reneged {
				tot += x
			}
		}
		n += r.acc.places[pi].exits[ri]
	}
	return ratio(n, tot)
}

func occupancy(r *run, pr *placeRun) float64 {
	now := r.eng.Now()
	if pr.res != nil {
		return pr.res.Stats.Busy.Mean(now)
	}
	return pr.pop.Mean(now)
}

func (r *run) result() *result.Result {
	r.endYear(r.end)
	r.takeYear()
	l := r.m.metrics
	res := &result.Result{Values: make([]float64, len(l.calc)), Monthly: r.acc.monthly}
	for i, f := range l.calc {
		res.Values[i] = f(r)
	}
	years := r.m.horizon / daysPerYear
	res.Flows = make([]float64, len(r.acc.flows))
	for i, n := range r.acc.flows {
		res.Flows[i] = float64(n) / years
	}
	for i, sc := range r.m.survival {
		res.Survival = append(res.Survival, r.survivalOf(r.m.survivalPlace[i], sc.Days))
	}
	return res
}

// addEconomicsMetrics adds costs, crime costs and QALYs. Totals marked pv
// are over the whole measured period, discounted to its start.
// addCapacity adds the capacity in force at p, which a capacity change or a
// budget moves: the same in every replication.
func addCapacity(l *metricLayout, m *Model, p *place) {
	capacity := p.meanCapacity(m.horizon)
	l.add("capacity."+p.name, "places", "capacity of "+p.label+" in force, averaged over the measured years",
		func(*run) float64 { return capacity })
}

func addEconomicsMetrics(l *metricLayout, m *Model) {
	e := m.Scenario.Economics
	money := fmt.Sprintf("%s %d", e.Currency, e.PriceYear)
	years := m.horizon / daysPerYear
	tot := func(r *run) *EconomicsTotals {
		if r.econ == nil {
			t := r.economics()
			r.econ = &t
		}
		return r.econ
	}
	for pi, p := range m.places {
		if !m.econ.places[pi].priced {
			continue
		}
		l.add("cost."+p.name, money+" per year", "cost of "+p.label+", undiscounted",
			func(r *run) float64 { return tot(r).PlaceCost[pi] / years })
	}
	keep := 1 - m.econ.transferShare
	l.add("cost.total", money+" per year", "cost of all places, undiscounted",
		func(r *run) float64 { return tot(r).Cost / years })
	l.add("cost.total_pv", money, "cost of all places over the measured years, discounted",
		func(r *run) float64 { return tot(r).CostPV })
	l.add("cost_per_completion", money, "undiscounted cost over successful completions",
		func(r *run) float64 { return tot(r).Cost / float64(r.acc.completions) })
	l.add("crime_cost", money+" per year", "crime costs of the clients in the model, undiscounted",
		func(r *run) float64 { return tot(r).Crime / years })
	l.add("crime_cost_pv", money, "crime costs over the measured years, discounted, stolen-property transfers included",
		func(r *run) float64 { return tot(r).CrimePV })
	l.add("crime_cost_pv.excl_transfers", money, "crime costs over the measured years, discounted, stolen-property transfers left out",
		func(r *run) float64 { return tot(r).CrimePV * keep })
	l.add("crime_avoided_in_treatment_pv", money, "crime avoided while in treatment against the rate while using, discounted",
		func(r *run) float64 { return tot(r).AvoidedPV })
	for k, in := range m.econ.incidents {
		l.add("incidents."+in.name, "per year", "expected "+strings.ReplaceAll(in.name, "_", " ")+"s a year: the rate over the time clients spend where they can happen",
			func(r *run) float64 { return tot(r).Incidents[k] / years })
	}
	if len(m.econ.incidents) > 0 || slices.ContainsFunc(m.econ.places, func(p placeEcon) bool { return p.healthDay > 0 }) {
		l.add("health_cost", money+" per year", "health-care costs of the clients in the model beyond the places' own (health_per_year), undiscounted",
			func(r *run) float64 { return tot(r).Health / years })
		l.add("health_cost_pv", money, "health-care costs over the measured years, discounted",
			func(r *run) float64 { return tot(r).HealthPV })
	}
	if k := m.econ.beforeAfter; k >= 0 {
		f := m.followups[k]
		for ti, at := range f.atNames {
			get := func(r *run) *fuAcc { return &r.fu.acc[k][ti] }
			per := func(x float64, a *fuAcc) float64 {
				if a.followed == 0 {
					return math.NaN()
				}
				return x / float64(a.followed)
			}
			l.add("before_after."+at+".crime_before", money+" per client", "the before-and-after cohort ("+f.name+"): crime in the "+at+" before intake, at the rate while using, per client followed",
				func(r *run) float64 { a := get(r); return per(a.crimeBefore, a) })
			l.add("before_after."+at+".crime_after", money+" per client", "the before-and-after cohort ("+f.name+"): crime in the "+at+" after intake, wherever the clients were (none after death or leaving the model), per client followed",
				func(r *run) float64 { a := get(r); return per(a.crimeAfter, a) })
			l.add("before_after."+at+".treatment_cost", money+" per client", "the before-and-after cohort ("+f.name+"): the cost of the treatment its clients had in the "+at+" after intake, per client followed",
				func(r *run) float64 { a := get(r); return per(a.spend, a) })
			l.add("roi.before_after."+at, "returned per 1 spent", "before-and-after return (NTORS's and DTORS's convention, without a comparison group): crime in the "+at+" before intake less crime in the "+at+" after, over the cost of treatment in the "+at+" after, undiscounted, transfers included",
				func(r *run) float64 { a := get(r); return (a.crimeBefore - a.crimeAfter) / a.spend })
		}
	}
	l.add("roi.full", "returned per 1 spent", "full return: crime avoided in treatment over the full cost of treatment, transfers included",
		func(r *run) float64 { return tot(r).AvoidedPV / tot(r).CostPV })
	l.add("roi.full.excl_transfers", "returned per 1 spent", "full return with stolen-property transfers left out",
		func(r *run) float64 { return tot(r).AvoidedPV * keep / tot(r).CostPV })
	l.add("qalys", "QALYs per year", "quality-adjusted life-years lived by clients in the model, undiscounted",
		func(r *run) float64 { return tot(r).QALYs / years })
	l.add("qalys_pv", "QALYs", "quality-adjusted life-years over the measured years, discounted",
		func(r *run) float64 { return tot(r).QALYsPV })
}

// addStatusMetrics adds deaths, person-years and death rates in and out of
// treatment, for everyone (suffix "") or a level of an attribute
// (".drug.opiate").
func addStatusMetrics(l *metricLayout, m *Model, suffix string, get func(r *run) *statusAcc) {
	whose := ""
	if suffix != "" {
		parts := strings.SplitN(suffix[1:], ".", 2)
		whose = " whose " + parts[0] + " is " + parts[1]
	}
	years := m.horizon / daysPerYear
	perYear := func(n int64) float64 { return float64(n) / years }
	py := func(r *run, in bool) float64 {
		a, now := get(r), r.eng.Now()
		if in {
			return a.in.Mean(now)
		}
		return a.alive.Mean(now) - a.in.Mean(now)
	}
	if suffix != "" {
		l.add("person_years.in_treatment"+suffix, "person-years per year", "mean number of clients"+whose+" in treatment places",
			func(r *run) float64 { return py(r, true) })
	}
	l.add("person_years.out_of_treatment"+suffix, "person-years per year", "mean number of clients"+whose+" alive in the model and not in a treatment place (waiting, using, in remission, in prison)",
		func(r *run) float64 { return py(r, false) })
	l.add("deaths.in_treatment"+suffix, "per year", "deaths of clients"+whose+" in a treatment place",
		func(r *run) float64 { return perYear(get(r).deathsIn) })
	l.add("deaths.out_of_treatment"+suffix, "per year", "deaths of clients"+whose+" out of treatment",
		func(r *run) float64 { return perYear(get(r).deathsOut) })
	rate := func(deaths int64, py float64) float64 {
		if py <= 0 {
			return math.NaN()
		}
		return float64(deaths) / (py * years) * 100
	}
	l.add("death_rate.in_treatment"+suffix, "per 100 person-years", "deaths of clients"+whose+" in treatment per 100 person-years in treatment",
		func(r *run) float64 { return rate(get(r).deathsIn, py(r, true)) })
	l.add("death_rate.out_of_treatment"+suffix, "per 100 person-years", "deaths of clients"+whose+" out of treatment per 100 person-years out of treatment",
		func(r *run) float64 { return rate(get(r).deathsOut, py(r, false)) })
}
