package models

import (
	"context"
	"io"
	"math"
	"math/rand/v2"

	"github.com/journeysim/journeysim/sim"
)

// Thresholds of the metrics, in days.
const (
	retentionDays = 84  // 12 weeks
	linkageDays   = 30  // detox to follow-on treatment
	linkage90Days = 90  // further treatment within 3 months (ATOS)
	readmit90Days = 90  // readmission within 90 days (Shwartz)
	represent6m   = 182 // completions that re-present within 6 months
	earlyDropDays = 28  // "the first few weeks" of a stay (dropout_4w_share)
	deathAfter4w  = 28
	longWaitDays  = 21
	monthDays     = daysPerYear / 12
)

// run is one replication: an engine, its streams and the clients.
type run struct {
	m   *Model
	eng *sim.Engine

	pages [][]Client // clients by id: page id>>pageBits, slot id&pageMask
	n     int32      // ids handed out
	hold  []float64  // hold end times slab: clients × parallel places
	free  []int32

	arrivals, caseMix *rand.Rand
	ps                []*placeRun

	arrive, leave sim.Kind
	holdEnd       []sim.Kind // by parallel index
	scratch       []float64

	trace    io.Writer // journey log, or nil
	traceN   uint32    // clients traced: serials below this
	traceBuf []byte
	serials  uint32
	serial   []uint32 // each client's order of arrival, when tracing

	econ   *EconomicsTotals // computed once when the metrics are
	ledger ledger           // accrued as clients move, with economics

	fu     fuRun // follow-up records, with follow-ups
	fuKind sim.Kind

	measuring bool
	start     float64 // end of warm-up
	end       float64
	year      int16
	yearStart float64
	inTreat   int64     // clients admitted to treatment places now
	inTreatBy [][]int64 // the same by level, for each attribute in acc.byAttr
	acc       accumulators
}

// placeRun is a place's run-time state.
type placeRun struct {
	p        *place
	res      *sim.Resource // capacity and parallel places
	pop      sim.TimeWeighted
	stay     *rand.Rand
	exitR    *rand.Rand
	route    *rand.Rand
	mort     *rand.Rand
	patience Sampler
	stays    []Sampler // by exit; nil entries use the place's
	placeSt  Sampler
	duration Sampler
	acc      *placeAcc
}

// Run runs replication rep of the model under master seed seed.
func (m *Model) Run(ctx context.Context, seed uint64, rep int) (*Result, error) {
	r := m.newRun(seed, rep)
	if err := r.eng.Run(ctx, r.end); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// Replicate runs reps replications on workers goroutines; results are
// indexed by replication and do not depend on workers.
func (m *Model) Replicate(ctx context.Context, seed uint64, reps, workers int, progress func(done int)) ([]*Result, error) {
	return sim.Replicate(ctx, reps, workers, func(ctx context.Context, rep int) (*Result, error) {
		return m.Run(ctx, seed, rep)
	}, progress)
}

func (m *Model) newRun(seed uint64, rep int) *run {
	st := sim.NewStreams(seed, rep)
	eng := sim.NewEngine()
	r := &run{m: m, eng: eng, arrivals: st.Rand("arrivals"), caseMix: st.Rand("case_mix"),
		start: m.warmup, end: m.warmup + m.horizon, year: -1,
		scratch: make([]float64, 0, 16)}
	r.arrive = eng.Register(r.onArrive)
	r.leave = eng.Register(r.onLeave)
	for k := range m.parallel {
		r.holdEnd = append(r.holdEnd, eng.Register(func(id int32) { r.onHoldEnd(id, k) }))
	}
	r.acc.init(m)
	if len(m.followups) > 0 {
		r.fuKind = eng.Register(r.onFollowup)
		r.fu.init(r, st)
	}
	if m.econ != nil {
		r.ledger.placeCost = make([]float64, len(m.places))
	}
	for _, a := range r.acc.byAttr {
		r.inTreatBy = append(r.inTreatBy, make([]int64, len(a.inTreatment)))
	}
	for i, p := range m.places {
		pr := &placeRun{p: p, acc: &r.acc.places[i]}
		name := p.name
		pr.stay = st.Rand("stay/" + name)
		pr.exitR = st.Rand("exit/" + name)
		pr.route = st.Rand("route/" + name)
		pr.mort = st.Rand("mortality/" + name)
		if !p.stay.IsZero() {
			pr.placeSt = p.stay.Sampler(pr.stay)
		}
		for _, e := range p.exits {
			var s Sampler
			if !e.stay.IsZero() {
				s = e.stay.Sampler(pr.stay)
			}
			pr.stays = append(pr.stays, s)
		}
		switch p.kind {
		case KindCapacity:
			d := sim.FIFO
			if p.priority {
				d = sim.Priority
			}
			pr.res = sim.NewResource(eng, name, p.capacity, d)
			idx := i
			pr.res.Admit = func(id int32, waited sim.Time) { r.admitted(id, idx, waited) }
			pr.res.Since = func(id int32) sim.Time { return r.client(id).Since } // set on joining the list
			if p.patience != nil {
				pr.patience = p.patience.Sampler(st.Rand("patience/" + name))
				pr.res.Renege = func(id int32, waited sim.Time) { r.reneged(id, idx, waited) }
			}
			for _, ch := range p.changes {
				r.scheduleChange(pr, ch)
			}
		case KindParallel:
			capacity := p.capacity
			if capacity < 0 {
				capacity = math.MaxInt32
			}
			pr.res = sim.NewResource(eng, name, capacity, sim.FIFO)
			pr.duration = p.duration.Sampler(st.Rand("duration/" + name))
			pr.exitR = st.Rand("uptake/" + name)
		}
		r.ps = append(r.ps, pr)
	}
	if m.perDay > 0 {
		eng.After(r.interarrival(), r.arrive, -1)
	}
	eng.Call(r.start, r.startMeasuring)
	return r
}

func (r *run) scheduleChange(pr *placeRun, ch capacityChange) {
	at := r.start + ch.at
	r.eng.Call(at, func() { pr.res.SetCapacity(ch.capacity) })
}

// rate returns the arrival rate a day at time t.
func (r *run) rate(t float64) float64 {
	if r.m.trend == 0 {
		return r.m.perDay
	}
	return r.m.perDay * math.Pow(1+r.m.trend, (t-r.start)/daysPerYear)
}

// interarrival draws the time to the next presentation. With a trend the
// rate is held constant between arrivals: it changes by a few percent a year.
func (r *run) interarrival() float64 {
	return r.arrivals.ExpFloat64() / r.rate(r.eng.Now())
}

const (
	pageBits = 12
	pageMask = 1<<pageBits - 1
)

// client returns client id. Pages never move, so the pointer stays valid
// while new clients arrive.
func (r *run) client(id int32) *Client { return &r.pages[id>>pageBits][id&pageMask] }

func (r *run) newClient() int32 {
	var id int32
	if n := len(r.free); n > 0 {
		id, r.free = r.free[n-1], r.free[:n-1]
	} else {
		id = r.n
		r.n++
		if int(id>>pageBits) == len(r.pages) {
			r.pages = append(r.pages, make([]Client, 1<<pageBits))
		}
		r.hold = append(r.hold, make([]float64, len(r.m.parallel))...)
	}
	c := r.client(id)
	*c = Client{Place: -1, LastExitPlace: -1, LastExitReason: -1, pending: -1, yearSeen: -1, yearAdmit: -1, presentedAt: -1}
	for a, cum := range r.m.mix {
		u := r.caseMix.Float64()
		l := 0
		for l < len(cum)-1 && u >= cum[l] {
			l++
		}
		r.m.lay.setAttr(c, a, l)
	}
	if r.trace != nil {
		if int(id) >= len(r.serial) {
			r.serial = append(r.serial, make([]uint32, int(id)+1-len(r.serial))...)
		}
		r.serial[id] = r.serials
	}
	r.serials++
	return id
}

func (r *run) onArrive(int32) {
	r.eng.After(r.interarrival(), r.arrive, -1)
	id := r.newClient()
	if r.measuring {
		r.acc.newPresentations++
	}
	if r.trace != nil {
		r.traceEvent(id, "arrived", r.m.places[r.m.intake].name)
	}
	r.enter(id, r.m.intake)
}

// enter moves client id into place p: joins its list, or starts at once.
func (r *run) enter(id int32, p int) {
	switch p {
	case toDead:
		r.die(id)
		return
	case toGone:
		if r.trace != nil {
			r.traceEvent(id, "left the model", "")
		}
		r.release(id)
		return
	}
	c := r.client(id)
	now := r.eng.Now()
	c.Place = int8(p)
	pr := r.ps[p]
	if p == r.m.intake {
		r.presented(c, now)
	}
	if pr.res == nil {
		r.admitted(id, p, 0)
		return
	}
	c.setFlag(flagWaiting, true)
	c.Since = now
	prio := 0
	for _, rule := range pr.p.prioRules {
		if rule.when == nil || rule.when(c) {
			prio = rule.level
			break
		}
	}
	patience := math.Inf(1)
	if pr.patience != nil {
		patience = pr.patience.Rand()
	}
	if _, queued := pr.res.Request(id, prio, patience); queued && r.trace != nil {
		r.traceEvent(id, "joined the waiting list", "")
	}
}

func (r *run) presented(c *Client, now float64) {
	c.presentedAt = now
	if !r.measuring {
		return
	}
	r.acc.presentations++
	// A completion counts once, at the first presentation after it.
	if !c.flag(flagRepresented) && c.LastExitReason >= 0 && int(c.LastExitReason) == r.m.completed &&
		now-c.LastExitAt <= represent6m && c.LastExitAt >= r.start && c.LastExitAt <= r.end-represent6m {
		r.acc.represented++
		c.setFlag(flagRepresented, true)
	}
}

// admitted starts client id's stay in place p.
func (r *run) admitted(id int32, p int, waited float64) {
	c := r.client(id)
	now := r.eng.Now()
	pr := r.ps[p]
	pl := pr.p
	if r.m.econ != nil {
		if c.Waiting() {
			r.accrueWait(c, c.Since, now)
		}
		r.accrueEpisode(p, now)
	}
	c.setFlag(flagWaiting, false)
	c.Since = now
	if r.trace != nil {
		r.traceEvent(id, "admitted", fmtWait(waited))
	}
	prior := r.m.lay.admissions(c, p)
	r.m.lay.adm[p].inc(c)
	r.pop(pr, now, 1)
	if pl.relapse {
		r.eachOpen(c, id, func(rec *fuRecord) { rec.relapsed = true })
	}
	if pl.treatment {
		r.countInTreatment(c, 1)
	}

	// Parallel places joined on admission are held from its start, so their
	// modifiers act on this stay (case management's OR on completing detox).
	for _, q := range pl.offersAt {
		r.offer(id, q)
	}

	// Decide how and when the client leaves.
	ei, t := r.drawExit(pr, c)
	if pl.mortality != nil {
		if td := pl.mortality.draw(pr.mort.ExpFloat64(), hazardRatio(pl.mortality.mods, c)); td < t {
			ei, t = -1, td
		}
	}
	if r.measuring {
		a := pr.acc
		a.admissions++
		if pl.kind == KindCapacity && waited > longWaitDays {
			a.longWaits++
		}
		if pl.treatment {
			if prior > 0 {
				a.repeats++
			}
			if int(c.LastExitPlace) == p {
				if gap := now - c.LastExitAt; gap <= readmit90Days {
					a.readmit90++
					a.readmit1y++
				} else if gap <= daysPerYear {
					a.readmit1y++
				}
			}
			if f := r.m.lay.seenYear[p]; f.get(c) == 0 {
				f.set(c, 1)
				a.distinct++
			}
			r.treatmentStart(c, id, p, now)
			if now <= r.end-retentionDays {
				a.retainDen++
				if t >= retentionDays || (ei >= 0 && pl.exits[ei].reason == r.m.completed) {
					a.retainNum++
				}
				if t >= retentionDays {
					a.stayed12w++
				} else if ei >= 0 && pl.exits[ei].reason == r.m.droppedOut {
					a.dropOuts12w++
				}
			}
			if !math.IsInf(t, 1) {
				a.stays.Add(t)
				for k := range a.staysBy {
					a.staysBy[k][r.m.lay.attrOf(c, r.acc.byAttr[k].attr)].Add(t)
				}
			}
		}
	}
	if len(pl.cohortsAdm) > 0 {
		// The stay and exit just drawn: a cohort may be chosen by them, as a
		// study picks its stayers and leavers looking back.
		reason := r.m.died
		if ei >= 0 {
			reason = pl.exits[ei].reason
		}
		r.startCohorts(id, pl.cohortsAdm, reason, t)
	}
	if !math.IsInf(t, 1) {
		c.pending = int8(ei)
		r.eng.After(t, r.leave, id)
	}
}

func (r *run) treatmentStart(c *Client, id int32, p int, now float64) {
	if c.presentedAt >= 0 && c.presentedAt >= r.start {
		r.acc.daysToTreatment.Add(now - c.presentedAt)
	}
	c.presentedAt = -1
	r.eachOpen(c, id, func(rec *fuRecord) { rec.treated = true })
	// A pending linkage is from LastExitPlace, the treatment place left.
	if c.flag(flagLink30) && int(c.LastExitPlace) != p && now-c.LastExitAt <= linkageDays {
		r.acc.places[c.LastExitPlace].linked++
		c.setFlag(flagLink30, false)
	}
	if c.flag(flagLink90) && int(c.LastExitPlace) != p && now-c.LastExitAt <= linkage90Days {
		r.acc.places[c.LastExitPlace].linked90++
		c.setFlag(flagLink90, false)
	}
	if !c.flag(flagTreated) {
		c.setFlag(flagTreated, true)
		r.acc.distinctTreated++
	}
	if c.yearAdmit != r.year {
		c.yearAdmit = r.year
		r.acc.admittedYears++
	}
	r.countYear(c)
}

// countYear counts c among the clients in treatment this measured year.
func (r *run) countYear(c *Client) {
	if c.yearSeen == r.year {
		return
	}
	c.yearSeen = r.year
	r.acc.inTreatmentYears++
	for a := range r.acc.byAttr {
		r.acc.byAttr[a].inTreatment[r.m.lay.attrOf(c, r.acc.byAttr[a].attr)]++
	}
}

// countInTreatment adds d to the clients in treatment now.
func (r *run) countInTreatment(c *Client, d int64) {
	r.inTreat += d
	for a := range r.acc.byAttr {
		r.inTreatBy[a][r.m.lay.attrOf(c, r.acc.byAttr[a].attr)] += d
	}
}

// drawExit draws the exit and the time to it.
func (r *run) drawExit(pr *placeRun, c *Client) (int, float64) {
	pl := pr.p
	if pl.byHazard {
		best, bt := -1, math.Inf(1)
		for i := range pl.exits {
			h := pl.exits[i].hazard
			if t := h.draw(pr.exitR.ExpFloat64(), hazardRatio(h.mods, c)); t < bt {
				best, bt = i, t
			}
		}
		if best < 0 {
			return 0, math.Inf(1)
		}
		return best, bt
	}
	ei := 0
	if len(pl.exits) > 1 {
		ps := r.scratch[:0]
		for i := range pl.exits {
			ps = append(ps, pl.exits[i].p)
		}
		for i := range pl.exits {
			for _, md := range pl.exits[i].mods {
				if md.when == nil || md.when(c) {
					shiftOdds(ps, i, md.ratio)
				}
			}
		}
		ei = pick(ps, pr.exitR.Float64())
	}
	// The place's stay takes the place's modifiers; an exit's own stay, the
	// exit's.
	s, mods := pr.stays[ei], pl.exits[ei].stayMods
	if s == nil {
		s, mods = pr.placeSt, pl.stayMods
	}
	t := s.Rand()
	if len(mods) > 0 {
		t /= hazardRatio(mods, c)
	}
	return ei, t
}

// shiftOdds multiplies the odds of ps[i] by or and rescales the others so
// the total is unchanged.
func shiftOdds(ps []float64, i int, or float64) {
	p := ps[i]
	np := applyOdds(p, or)
	if p < 1 {
		f := (1 - np) / (1 - p)
		for j := range ps {
			if j != i {
				ps[j] *= f
			}
		}
	}
	ps[i] = np
}

// pick returns the index chosen by u in [0, 1) from weights summing to about 1.
func pick(ps []float64, u float64) int {
	total := 0.0
	for _, p := range ps {
		total += p
	}
	u *= total
	for i, p := range ps {
		if u < p {
			return i
		}
		u -= p
	}
	for i := len(ps) - 1; i >= 0; i-- { // rounding: the last with any weight
		if ps[i] > 0 {
			return i
		}
	}
	return len(ps) - 1
}

// chooseRoute picks one of the routes whose conditions hold and returns its index.
func (r *run) chooseRoute(pr *placeRun, routes []route, c *Client) int {
	if len(routes) == 1 {
		return 0
	}
	ps := r.scratch[:0]
	total := 0.0
	for i := range routes {
		w := 0.0
		if routes[i].when == nil || routes[i].when(c) {
			w = routes[i].p
		}
		ps = append(ps, w)
		total += w
	}
	if total == 0 {
		// No route holds with a weight above 0: the otherwise routes take
		// the client, sharing equally (validation guarantees one, or an
		// unconditional route above 0).
		n := 0
		for i := range routes {
			if routes[i].otherwise {
				ps[i] = 1
				n++
			}
		}
		for i := range ps {
			ps[i] /= float64(n)
		}
	}
	for i := range routes {
		if ps[i] == 0 {
			continue
		}
		for _, md := range routes[i].mods {
			if md.when == nil || md.when(c) {
				shiftOdds(ps, i, md.ratio)
			}
		}
	}
	return pick(ps, pr.route.Float64())
}

// follow sends client id down route i of routes, counting the flow.
func (r *run) follow(id int32, routes []route, i int, what string) {
	rt := &routes[i]
	to, flow := rt.to, rt.flow
	if len(rt.choices) > 0 {
		k := r.shortestWait(rt.choices)
		to, flow = rt.choices[k], rt.flows[k]
	}
	if r.measuring {
		r.acc.flows[flow]++
	}
	if r.trace != nil {
		r.traceEvent(id, what, r.m.placeName(to))
	}
	r.enter(id, to)
}

// shortestWait returns the index of the provider with the shortest expected
// wait: the clients ahead of the next free place, times the mean stay, over
// the capacity. The first listed wins a tie.
func (r *run) shortestWait(choices []int) int {
	best, bestWait := 0, math.Inf(1)
	for k, q := range choices {
		w := 0.0
		if res := r.ps[q].res; res != nil {
			ahead := res.QueueLen() + 1 - (res.Capacity() - res.Busy())
			if ahead > 0 {
				w = math.Inf(1)
				if res.Capacity() > 0 {
					w = float64(ahead) * r.m.places[q].meanStay / float64(res.Capacity())
				}
			}
		}
		if w < bestWait {
			best, bestWait = k, w
		}
	}
	return best
}

func (r *run) onLeave(id int32) {
	c := r.client(id)
	now := r.eng.Now()
	p := int(c.Place)
	pr := r.ps[p]
	pl := pr.p
	ei := int(c.pending)
	r.pop(pr, now, -1)
	if r.m.econ != nil {
		r.accrueStay(c, p, c.Since, now)
	}
	if pl.treatment {
		r.countInTreatment(c, -1)
		if c.Since < r.yearStart {
			c.yearSeen = r.year // counted when the year began
		}
		if r.measuring {
			effective := now-c.Since >= retentionDays || ei >= 0 && pl.exits[ei].reason == r.m.completed
			if c.flag(flagPending) { // judged now for the year before
				c.setFlag(flagPending, false)
				r.acc.effectivePending--
				if effective {
					r.acc.effective++
				}
			}
			if effective && !c.flag(flagEffective) {
				c.setFlag(flagEffective, true)
				r.acc.effective++
			}
		}
	}
	if pr.res != nil {
		pr.res.Release()
	}
	if pl.treatment {
		reason := r.m.died
		if ei >= 0 {
			reason = pl.exits[ei].reason
		}
		r.eachOpen(c, id, func(rec *fuRecord) {
			if rec.firstExit < 0 {
				rec.firstExit = int8(reason)
			}
		})
	}
	if ei < 0 {
		if r.measuring {
			if pl.treatment {
				pr.acc.exits[r.m.died]++
				r.countExitByAttr(c)
			}
			r.acc.flows[pl.diedFlow]++
		}
		if r.trace != nil {
			r.traceEvent(id, "died", "")
		}
		r.die(id)
		return
	}
	e := &pl.exits[ei]
	if pl.treatment {
		if r.measuring {
			pr.acc.exits[e.reason]++
			r.countExitByAttr(c)
			if e.reason == r.m.droppedOut && now-c.Since <= earlyDropDays {
				pr.acc.earlyDropOuts++
			}
			if e.reason == r.m.completed {
				r.acc.completions++
				if now <= r.end-represent6m {
					r.acc.completionsEarly++
				}
				for a := range r.acc.byAttr {
					r.acc.byAttr[a].completions[r.m.lay.attrOf(c, r.acc.byAttr[a].attr)]++
				}
			}
			if now <= r.end-linkageDays {
				pr.acc.linkDen++
			}
			if now <= r.end-linkage90Days {
				pr.acc.link90Den++
			}
		}
		c.LastExitPlace, c.LastExitReason, c.LastExitAt = int8(p), int8(e.reason), now
		r.m.lay.setLastStay(c, now-c.Since)
		c.setFlag(flagRepresented, false)
		c.setFlag(flagLink30, r.measuring && now <= r.end-linkageDays)
		c.setFlag(flagLink90, r.measuring && now <= r.end-linkage90Days)
	} else if r.measuring {
		pr.acc.exits[e.reason]++
	}
	for _, q := range pl.offersAfter {
		r.offer(id, q)
	}
	if len(pl.cohortsExit) > 0 {
		r.startCohorts(id, pl.cohortsExit, e.reason, now-c.Since)
	}
	r.follow(id, e.routes, r.chooseRoute(pr, e.routes, c), e.what)
}

// countExitByAttr counts a treatment exit of c in the breakdowns by attribute.
func (r *run) countExitByAttr(c *Client) {
	for a := range r.acc.byAttr {
		r.acc.byAttr[a].exits[r.m.lay.attrOf(c, r.acc.byAttr[a].attr)]++
	}
}

func (r *run) reneged(id int32, p int, waited float64) {
	c := r.client(id)
	if r.m.econ != nil {
		r.accrueWait(c, c.Since, r.eng.Now())
	}
	c.setFlag(flagWaiting, false)
	pr := r.ps[p]
	r.follow(id, pr.p.reneged, r.chooseRoute(pr, pr.p.reneged, c), "gave up waiting")
}

// offer offers parallel place q to client id.
func (r *run) offer(id int32, q int) {
	c := r.client(id)
	pl := r.m.places[q]
	if r.m.lay.holds(c, pl.parIndex) {
		return
	}
	if pl.eligible != nil && !pl.eligible(c) {
		return
	}
	pr := r.ps[q]
	if pr.res.Busy() >= pr.res.Capacity() {
		if r.measuring {
			pr.acc.missed++
		}
		return
	}
	if pl.uptake < 1 || len(pl.uptakeMods) > 0 {
		if pr.exitR.Float64() >= oddsAdjusted(pl.uptake, pl.uptakeMods, c) {
			return
		}
	}
	pr.res.Request(id, 0, math.Inf(1))
	r.m.lay.setHolds(c, pl.parIndex, true)
	if r.trace != nil {
		r.traceEvent(id, "took up "+pl.name, "")
	}
	r.m.lay.adm[q].inc(c)
	if r.measuring {
		pr.acc.admissions++
	}
	d := pr.duration.Rand()
	nq := len(r.m.parallel)
	now := r.eng.Now()
	r.hold[int(id)*nq+pl.parIndex] = now + d
	if r.m.econ != nil {
		r.accrueEpisode(q, now)
		r.accrueHold(q, now, now+d, 1)
	}
	r.eng.After(d, r.holdEnd[pl.parIndex], id)
}

func (r *run) onHoldEnd(id int32, k int) {
	nq := len(r.m.parallel)
	if r.hold[int(id)*nq+k] != r.eng.Now() {
		return // ended early by death; the id may have been reused
	}
	r.dropHold(id, k)
}

func (r *run) dropHold(id int32, k int) {
	c := r.client(id)
	r.m.lay.setHolds(c, k, false)
	h := &r.hold[int(id)*len(r.m.parallel)+k]
	if r.m.econ != nil {
		r.accrueHold(r.m.parallel[k], r.eng.Now(), *h, -1) // nothing left when the hold ran its course
	}
	*h = 0
	r.ps[r.m.parallel[k]].res.Release()
	if r.trace != nil {
		r.traceEvent(id, "left "+r.m.places[r.m.parallel[k]].name, "")
	}
}

func (r *run) die(id int32) {
	c := r.client(id)
	if r.measuring {
		r.acc.deaths++
		inTreatment := c.Place >= 0 && r.m.places[c.Place].treatment
		if !inTreatment && c.LastExitPlace >= 0 && r.eng.Now()-c.LastExitAt <= deathAfter4w {
			r.acc.deathsAfterExit++
		}
	}
	r.closeRecords(c, id, true)
	r.release(id)
}

// release drops client id from the model and frees the id for reuse.
func (r *run) release(id int32) {
	c := r.client(id)
	r.closeRecords(c, id, false) // left the model: lost to follow-up
	for k := range r.m.parallel {
		if r.m.lay.holds(c, k) {
			r.dropHold(id, k)
		}
	}
	c.Place = -1
	r.free = append(r.free, id)
}

func (r *run) pop(pr *placeRun, now float64, d float64) {
	if pr.res == nil {
		pr.pop.Add(now, d)
	}
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
	r.acc.inTreatmentYears += r.inTreat
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
// first. Every client's flag for the year is then cleared.
func (r *run) endYear(end float64) {
	for id := int32(0); id < r.n; id++ {
		c := r.client(id)
		if c.Place >= 0 && !c.Waiting() && r.m.places[c.Place].treatment {
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
		}
		c.setFlag(flagEffective, false)
		for _, f := range r.m.lay.seenYear {
			f.set(c, 0)
		}
	}
}
