package models

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/scenario"

	"github.com/journeysim/journeysim/sim"
)

// followup is a compiled FollowupSpec.
type followup struct {
	name     string
	place    int
	fromExit bool
	when     Cond   // nil: everyone
	exits    []bool // by reason index; nil: every exit
	to       []int  // destinations (place index, toDead, toGone) taken; nil: any
	notTo    []int  // destinations left out
	stayLo   float64
	stayHi   float64 // +Inf without stay_under
	at       []float64
	atNames  []string // the times as written in metric names:
}

// Follow-up measures, each reported at every time of every follow-up as
// followup.<name>.<time>.<measure>. Shares of "alive" are of the cohort
// alive and not lost at the time; shares of "followed" also count the dead.
// value reads the measure from a time's counts over a horizon of years.
var followupMeasures = []struct {
	name, unit, desc string
	value            func(a *fuAcc, years float64) float64
}{
	{"followed", "per year", "clients followed to this time: alive, dead or gone from the model, all counted",
		func(a *fuAcc, years float64) float64 { return float64(a.followed) / years }},
	{"left", "share of followed", "clients who left the model (moved away, recovered, lost to contact: see left.<reason>) by this time; counted alive and out of treatment from then, not dropped",
		func(a *fuAcc, _ float64) float64 { return ratio(a.left, a.followed) }},
	{"died", "share of followed", "clients who died by this time",
		func(a *fuAcc, _ float64) float64 { return ratio(a.dead, a.followed) }},
	{"deaths", "per year", "deaths by this time among the clients followed",
		func(a *fuAcc, years float64) float64 { return float64(a.dead) / years }},
	{"death_rate", "per 100 person-years", "deaths per 100 person-years between the previous time (or the start) and this one",
		func(a *fuAcc, _ float64) float64 {
			if a.bandDays == 0 {
				return math.NaN()
			}
			return float64(a.bandDeaths) / (a.bandDays / daysPerYear) * 100
		}},
	{"band_deaths", "per year", "deaths between the previous time (or the start) and this one",
		func(a *fuAcc, years float64) float64 { return float64(a.bandDeaths) / years }},
	{"band_drug_deaths", "per year", "band_deaths less those the life table drew: the deaths drug use added (all of them without [ages])",
		func(a *fuAcc, years float64) float64 { return float64(a.bandDrugDeaths) / years }},
	{"band_person_years", "per year", "person-years lived between the previous time (or the start) and this one",
		func(a *fuAcc, years float64) float64 { return a.bandDays / daysPerYear / years }},
	{"abstinent", "share of alive", "clients not using at this time: in remission, or in a place by its abstinence",
		func(a *fuAcc, _ float64) float64 { return ratio(a.abstinent, a.followed-a.dead-a.left) }},
	{"using", "share of alive", "clients using at this time (1 - abstinent)",
		func(a *fuAcc, _ float64) float64 {
			return ratio(a.followed-a.dead-a.left-a.abstinent, a.followed-a.dead-a.left)
		}},
	{"in_treatment", "share of alive", "clients in a treatment place at this time",
		func(a *fuAcc, _ float64) float64 { return ratio(a.inTreatment, a.followed-a.dead-a.left) }},
	{"waiting", "share of alive", "clients on a waiting list for a treatment place at this time",
		func(a *fuAcc, _ float64) float64 { return ratio(a.waiting, a.followed-a.dead-a.left) }},
	{"out_of_treatment", "share of alive", "clients neither in a treatment place nor waiting for one at this time",
		func(a *fuAcc, _ float64) float64 {
			return ratio(a.followed-a.dead-a.left-a.inTreatment-a.waiting, a.followed-a.dead-a.left)
		}},
	{"state.in_treatment", "share of followed", "clients in a treatment place at this time; with state.waiting, state.out_of_treatment, died and left, the whole cohort",
		func(a *fuAcc, _ float64) float64 { return ratio(a.inTreatment, a.followed) }},
	{"state.waiting", "share of followed", "clients on a waiting list for a treatment place at this time",
		func(a *fuAcc, _ float64) float64 { return ratio(a.waiting, a.followed) }},
	{"state.out_of_treatment", "share of followed", "clients alive in the model, neither in treatment nor waiting, at this time",
		func(a *fuAcc, _ float64) float64 {
			return ratio(a.followed-a.dead-a.left-a.inTreatment-a.waiting, a.followed)
		}},
	{"abstinent_in_treatment", "share of in treatment", "clients in treatment at this time who were not using",
		func(a *fuAcc, _ float64) float64 { return ratio(a.abstinentInTreatment, a.inTreatment) }},
	{"relapsed", "share of followed", "clients who entered a place marked relapse (a state of use out of treatment) since the start",
		func(a *fuAcc, _ float64) float64 { return ratio(a.relapsed, a.followed) }},
	{"treated_since", "share of followed", "clients admitted to a treatment place since the start",
		func(a *fuAcc, _ float64) float64 { return ratio(a.treated, a.followed) }},
	{"treated_in_band", "share of followed", "clients admitted to a treatment place between the previous time (or the start) and this one: with yearly times, the share returning to treatment in year k",
		func(a *fuAcc, _ float64) float64 { return ratio(a.treatedBand, a.followed) }},
	{"justice_since", "share of followed", "clients admitted to a place marked justice (an arrest, a court, a prison) since the start",
		func(a *fuAcc, _ float64) float64 { return ratio(a.justice, a.followed) }},
	{"treated_or_justice_since", "share of followed", "clients admitted to a treatment place or a place marked justice since the start",
		func(a *fuAcc, _ float64) float64 { return ratio(a.treatedOrJustice, a.followed) }},
	{"first_contact.treatment", "share of followed", "clients whose first contact since the start was treatment, before any justice contact",
		func(a *fuAcc, _ float64) float64 { return ratio(a.firstTreatment, a.followed) }},
	{"first_contact.justice", "share of followed", "clients whose first contact since the start was a place marked justice, before any treatment",
		func(a *fuAcc, _ float64) float64 { return ratio(a.firstJustice, a.followed) }},
	{"completed_not_returned", "share of followed", "clients whose latest treatment exit (a cohort's starting exit included) was a completion, with no treatment admission after it, by this time (dead or gone since included)",
		func(a *fuAcc, _ float64) float64 { return ratio(a.completedNotReturned, a.followed) }},
	{"used_past_year", "share of alive", "clients using at this time, or out of treatment in a place marked relapse at some time in the year before it (since the start, for times under a year)",
		func(a *fuAcc, _ float64) float64 { return ratio(a.usedPastYear, a.followed-a.dead-a.left) }},
	{"changed_in_band", "share of followed", "clients who changed state (treatment, justice, using, other) between the previous time (or the start) and this one: with quarterly times, the share changing each quarter",
		func(a *fuAcc, _ float64) float64 { return ratio(a.changedBand, a.followed) }},
	{"changes", "per client", "changes of state (treatment, justice, using, other) since the start, per client followed",
		func(a *fuAcc, _ float64) float64 { return ratio(a.changes, a.followed) }},
	{"first_exit.completed", "share of followed", "clients whose first treatment exit since the start was a completion",
		func(a *fuAcc, _ float64) float64 { return ratio(a.completed, a.followed) }},
	{"first_exit.dropped_out", "share of followed", "clients whose first treatment exit since the start was a drop-out",
		func(a *fuAcc, _ float64) float64 { return ratio(a.droppedOut, a.followed) }},
	{"no_exit", "share of followed", "clients with no treatment exit since the start",
		func(a *fuAcc, _ float64) float64 { return ratio(a.noExit, a.followed) }},
}

// fuRecord is one client of a cohort, from the start to the last time.
type fuRecord struct {
	start      float64
	ended      float64 // day of death or loss; +Inf while followed
	id         int32   // the client while linked; -1 once dead or lost
	next       int32   // the client's next open record, -1 none
	f          int16   // follow-up index
	k          int8    // index of the next time
	firstExit  int8    // reason of the first treatment exit since the start, -1 none
	died       bool
	background bool // the death was drawn from the life table, not a place's (drug-related) rate
	left       bool // left the model: followed on, as alive and out of treatment
	leftBy     int8 // the reason of the exit that took the client out, -1 none
	relapsed   bool
	treated    bool
	justice    bool // admitted to a justice place since the start
	first      int8 // the first contact since the start: contactNone, contactTreatment, contactJustice
	doneClean  bool // the latest treatment exit was a completion, with no treatment admission since
	treatedIn  bool // admitted to treatment in the current band
	changedIn  bool // changed state in the current band
	state      int8 // the state of the current place (stateOf)
	usingNow   bool // in a place marked relapse
	changes    int32
	lastUsed   float64 // the day the client last left a place marked relapse; -Inf none since the start
	// The before-and-after cohort (economics.before_after): crime and the
	// cost of treatment since the start, over stints that have ended, and
	// the crime a day at the using rate, the before.
	crime, spend, beforeDay float64
}

// First contacts of a follow-up record.
const (
	contactNone = iota
	contactTreatment
	contactJustice
)

// States whose changes a follow-up counts.
const (
	stateTreatment = iota
	stateJustice
	stateUsing
	stateOther
)

// stateOf returns the state a client in place p is in.
func stateOf(p *place) int8 {
	switch {
	case p.treatment:
		return stateTreatment
	case p.justice:
		return stateJustice
	case p.relapse:
		return stateUsing
	}
	return stateOther
}

// usedWindowDays is the window of used_past_year.
const usedWindowDays = daysPerYear

// fuAcc counts one time of one follow-up.
type fuAcc struct {
	followed, left, dead          int64
	leftBy                        []int64 // by reason of the exit that took them out
	abstinent, inTreatment        int64
	waiting, abstinentInTreatment int64
	relapsed, treated             int64
	treatedBand, justice          int64
	treatedOrJustice              int64
	firstTreatment, firstJustice  int64
	completedNotReturned          int64
	usedPastYear                  int64
	changedBand, changes          int64
	completed, droppedOut, noExit int64
	crimeBefore, crimeAfter       float64 // the before-and-after cohort's, in output money
	spend                         float64
	bandDeaths, bandDrugDeaths    int64
	bandDays                      float64 // person-days in (previous time, this time]
}

// fuRun is a run's follow-up state.
type fuRun struct {
	recs []fuRecord
	free []int32
	head []int32      // by client id: the first open record, -1 none (read only while the client's flagFollowed is set)
	rand []*rand.Rand // abstinence draws, by follow-up
	acc  [][]fuAcc    // by follow-up, by time
}

func (b *builder) followups(s *scenario.Scenario) {
	// Switched off, the follow-ups are skipped but for the cohort the
	// economics measure before and after intake.
	off := s.Run.Followups != nil && !*s.Run.Followups
	m := b.m
	for _, name := range slices.Sorted(maps.Keys(s.Followups)) {
		if off && (s.Economics == nil || name != s.Economics.BeforeAfter) {
			continue
		}
		fs := s.Followups[name]
		f := &followup{name: name, place: m.index[fs.Place], fromExit: fs.From == scenario.FromExit,
			when: b.cond(fs.When), stayHi: math.Inf(1)}
		if len(fs.Exits) > 0 {
			f.exits = make([]bool, len(m.reasons))
			for _, r := range fs.Exits {
				f.exits[indexOf(m.reasons, r)] = true
			}
		}
		for _, to := range fs.To {
			f.to = append(f.to, m.index[to])
		}
		for _, to := range fs.NotTo {
			f.notTo = append(f.notTo, m.index[to])
		}
		if fs.StayAtLeast != nil {
			f.stayLo = fs.StayAtLeast.Days()
		}
		if fs.StayUnder != nil {
			f.stayHi = fs.StayUnder.Days()
		}
		for _, at := range fs.At {
			days, _ := scenario.ParseDuration(at) // validated
			f.at = append(f.at, days)
			f.atNames = append(f.atNames, scenario.FollowTimeName(at))
		}
		k := len(m.followups)
		m.followups = append(m.followups, f)
		p := m.places[f.place]
		if f.fromExit {
			p.cohortsExit = append(p.cohortsExit, k)
		} else {
			p.cohortsAdm = append(p.cohortsAdm, k)
		}
	}
}

func (fr *fuRun) init(r *run, st *sim.Streams) {
	m := r.m
	if len(m.followups) == 0 {
		return
	}
	for _, f := range m.followups {
		fr.rand = append(fr.rand, st.Rand("followup/"+f.name))
		acc := make([]fuAcc, len(f.at))
		for k := range acc {
			acc[k].leftBy = make([]int64, len(m.reasons))
		}
		fr.acc = append(fr.acc, acc)
	}
}

// atAdmission is the destination startCohorts is given for a cohort
// started on admission: no exit yet, so no place it leads to.
const atAdmission = -3

// startCohorts starts the records of client id in the follow-ups ks, the
// cohorts of one place started on admission or on exit; reason and stay are
// the stay's exit and length (drawn, on admission), to where the exit
// leads (on exit). Only starts after the warm-up are followed.
func (r *run) startCohorts(id int32, ks []int, reason int, stay float64, to int) {
	if !r.measuring {
		return
	}
	c := r.client(id)
	fr := &r.fu
	for _, k := range ks {
		f := r.m.followups[k]
		if f.when != nil && !f.when(c) {
			continue
		}
		if f.to != nil && !slices.Contains(f.to, to) || slices.Contains(f.notTo, to) {
			continue
		}
		if f.exits != nil && !f.exits[reason] || stay < f.stayLo || stay >= f.stayHi || r.following(c, id, k) {
			continue
		}
		var i int32
		if n := len(fr.free); n > 0 {
			i, fr.free = fr.free[n-1], fr.free[:n-1]
		} else {
			i = int32(len(fr.recs))
			fr.recs = append(fr.recs, fuRecord{})
		}
		next := int32(-1)
		if c.flag(flagFollowed) {
			next = fr.head[id]
		}
		for int(id) >= len(fr.head) {
			fr.head = append(fr.head, -1)
		}
		pl := r.m.places[c.Place]
		fr.recs[i] = fuRecord{start: r.eng.Now(), ended: math.Inf(1), id: id, next: next, f: int16(k), firstExit: -1,
			state: stateOf(pl), usingNow: pl.relapse && !c.Waiting(), lastUsed: math.Inf(-1),
			doneClean: f.fromExit && pl.treatment && reason == r.m.completed}
		if ec := r.m.econ; ec != nil && ec.beforeAfter == k && ec.using >= 0 {
			fr.recs[i].beforeDay = ec.places[ec.using].crimeDay * ec.crimeRatio(c)
			if pl.treatment {
				fr.recs[i].spend = ec.places[c.Place].perEpisode
			}
		}
		fr.head[id] = i
		c.setFlag(flagFollowed, true)
		r.eng.After(f.at[0], r.fuKind, i)
	}
}

// followAdmission updates client id's open records on its admission to
// place pl.
func (r *run) followAdmission(c *Client, id int32, pl *place, now float64) {
	st := stateOf(pl)
	r.eachOpen(c, id, func(rec *fuRecord) {
		switch {
		case pl.relapse:
			rec.relapsed, rec.usingNow = true, true
		case rec.usingNow:
			rec.usingNow, rec.lastUsed = false, now
		}
		if pl.justice {
			rec.justice = true
			if rec.first == contactNone {
				rec.first = contactJustice
			}
		}
		if pl.treatment {
			rec.treated, rec.treatedIn, rec.doneClean = true, true, false
			if rec.first == contactNone {
				rec.first = contactTreatment
			}
		}
		if st != rec.state {
			rec.state, rec.changedIn = st, true
			rec.changes++
		}
	})
}

// following reports whether client c (id) is already in follow-up f: a
// study recruits a person once, so a readmission before the last time is
// not a new recruit.
func (r *run) following(c *Client, id int32, f int) bool {
	found := false
	r.eachOpen(c, id, func(rec *fuRecord) { found = found || int(rec.f) == f })
	return found
}

// eachOpen calls fn for every open record of client c (id).
func (r *run) eachOpen(c *Client, id int32, fn func(rec *fuRecord)) {
	if !c.flag(flagFollowed) {
		return
	}
	for i := r.fu.head[id]; i >= 0; i = r.fu.recs[i].next {
		fn(&r.fu.recs[i])
	}
}

// closeRecords ends client id's open records by death or by leaving the
// model (by an exit of reason why, -1 for none), and unlinks them: the id
// may be reused.
func (r *run) closeRecords(c *Client, id int32, died, background bool, why int) {
	if !c.flag(flagFollowed) {
		return
	}
	now := r.eng.Now()
	for i := r.fu.head[id]; i >= 0; {
		rec := &r.fu.recs[i]
		rec.ended, rec.died, rec.left, rec.id = now, died, !died, -1
		rec.background, rec.leftBy = background, int8(why)
		i, rec.next = rec.next, -1
	}
	r.fu.head[id] = -1
	c.setFlag(flagFollowed, false)
}

// unlink removes record i from its client's list.
func (r *run) unlink(i int32) {
	rec := &r.fu.recs[i]
	id := rec.id
	if id < 0 {
		return
	}
	h := r.fu.head[id]
	if h == i {
		if rec.next >= 0 {
			r.fu.head[id] = rec.next
		} else {
			r.fu.head[id] = -1
			r.client(id).setFlag(flagFollowed, false)
		}
	} else {
		for j := h; j >= 0; j = r.fu.recs[j].next {
			if r.fu.recs[j].next == i {
				r.fu.recs[j].next = rec.next
				break
			}
		}
	}
	rec.id, rec.next = -1, -1
}

// onFollowup records where record i's client is at its next time.
func (r *run) onFollowup(i int32) {
	rec := &r.fu.recs[i]
	f := r.m.followups[rec.f]
	k := int(rec.k)
	a := &r.fu.acc[rec.f][k]
	now := r.eng.Now()
	lo := rec.start
	if k > 0 {
		lo += f.at[k-1]
	}
	if end := math.Min(rec.ended, now); end > lo {
		a.bandDays += end - lo
	}
	if rec.died && rec.ended > lo && rec.ended <= now {
		a.bandDeaths++
		if !rec.background {
			a.bandDrugDeaths++
		}
	}
	a.followed++
	switch {
	case rec.died:
		a.dead++
	case rec.left:
		a.left++
		if rec.leftBy >= 0 {
			a.leftBy[rec.leftBy]++
		}
	default:
		abst := r.locate(a, rec.f, r.client(rec.id))
		if !abst || rec.usingNow || now-rec.lastUsed <= usedWindowDays {
			a.usedPastYear++
		}
	}
	if rec.relapsed {
		a.relapsed++
	}
	if rec.treated {
		a.treated++
	}
	if rec.treatedIn {
		a.treatedBand++
	}
	if rec.justice {
		a.justice++
	}
	if rec.treated || rec.justice {
		a.treatedOrJustice++
	}
	switch rec.first {
	case contactTreatment:
		a.firstTreatment++
	case contactJustice:
		a.firstJustice++
	}
	if rec.doneClean {
		a.completedNotReturned++
	}
	if rec.changedIn {
		a.changedBand++
	}
	a.changes += int64(rec.changes)
	rec.treatedIn, rec.changedIn = false, false
	if ec := r.m.econ; ec != nil && int(rec.f) == ec.beforeAfter {
		r.beforeAfter(a, rec, f.at[k], now)
	}
	switch {
	case rec.firstExit < 0:
		a.noExit++
	case int(rec.firstExit) == r.m.completed:
		a.completed++
	case int(rec.firstExit) == r.m.droppedOut:
		a.droppedOut++
	}
	if k+1 < len(f.at) {
		rec.k++
		r.eng.After(f.at[k+1]-f.at[k], r.fuKind, i)
		return
	}
	r.unlink(i)
	r.fu.free = append(r.fu.free, i)
}

// beforeAfter adds record rec's crime and cost of treatment in the days
// since its start (now, at days) to a, with the crime of as many days
// before the start at the using rate. The stint under way is counted to now.
func (r *run) beforeAfter(a *fuAcc, rec *fuRecord, days, now float64) {
	crime, spend := rec.crime, rec.spend
	if !rec.died && !rec.left {
		c := r.client(rec.id)
		if d := now - max(c.Since, rec.start); d > 0 {
			crimeDay, costDay := r.stintRates(c, int(c.Place), c.Waiting())
			crime += crimeDay * d
			spend += costDay * d
		}
	}
	a.crimeBefore += rec.beforeDay * days
	a.crimeAfter += crime
	a.spend += spend
}

// locate counts a live client's place and use at a follow-up time, and
// reports whether the client is abstinent. A client on a waiting list
// counts as using.
func (r *run) locate(a *fuAcc, f int16, c *Client) bool {
	pl := r.m.places[c.Place]
	if c.Waiting() {
		if pl.treatment {
			a.waiting++
		}
		return false
	}
	abst := false
	if p := oddsAdjusted(pl.abstinence, pl.abstMods, c); p >= 1 {
		abst = true
	} else if p > 0 {
		abst = r.fu.rand[f].Float64() < p
	}
	if abst {
		a.abstinent++
	}
	if pl.treatment {
		a.inTreatment++
		if abst {
			a.abstinentInTreatment++
		}
	}
	return abst
}

// addFollowupMetrics adds followup.<name>.<time>.<measure> for every
// follow-up and time, in the order of followupMeasures.
func addFollowupMetrics(l *metricLayout, m *Model) {
	years := m.horizon / daysPerYear
	for fi, f := range m.followups {
		label := m.Scenario.Followups[f.name].Label
		if label == "" {
			label = f.name
		}
		for k, at := range f.atNames {
			get := func(r *run) *fuAcc { return &r.fu.acc[fi][k] }
			for _, ms := range followupMeasures {
				desc := label + ", " + at + " after " + startText(f, m) + ": " + ms.desc
				l.add("followup."+f.name+"."+at+"."+ms.name, ms.unit, desc,
					func(r *run) float64 { return ms.value(get(r), years) })
			}
			for _, ri := range leavingReasons(m) {
				desc := label + ", " + at + " after " + startText(f, m) + ": clients who left the model by an exit " + m.reasons[ri] + " by this time"
				l.add("followup."+f.name+"."+at+".left."+m.reasons[ri], "share of followed", desc,
					func(r *run) float64 { a := get(r); return ratio(a.leftBy[ri], a.followed) })
			}
		}
	}
}

// leavingReasons returns the indices of the exit reasons with a route out
// of the model, in the order of m.reasons.
func leavingReasons(m *Model) []int {
	var out []int
	for ri := range m.reasons {
		found := false
		for _, p := range m.places {
			for _, e := range p.exits {
				if e.reason != ri {
					continue
				}
				for _, rt := range e.routes {
					found = found || rt.to == toGone || slices.Contains(rt.choices, toGone)
				}
			}
		}
		if found {
			out = append(out, ri)
		}
	}
	return out
}

// startText says how a follow-up's cohort starts: "admission to detox".
func startText(f *followup, m *Model) string {
	var b strings.Builder
	if f.fromExit {
		b.WriteString("leaving ")
	} else {
		b.WriteString("admission to ")
	}
	b.WriteString(m.places[f.place].name)
	return b.String()
}
