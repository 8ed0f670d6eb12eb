package models

import (
	"context"
	"io"
	"math"
	"math/rand/v2"

	"github.com/journeysim/journeysim/models/result"

	"github.com/journeysim/journeysim/models/scenario"

	"github.com/journeysim/journeysim/sim"
)

// Thresholds of the metrics, in days.
const (
	retentionDays  = 84  // 12 weeks
	linkageDays    = 30  // detox to follow-on treatment
	linkage90Days  = 90  // further treatment within 3 months (ATOS)
	readmit90Days  = 90  // readmission within 90 days (Shwartz)
	represent6m    = 182 // completions that re-present within 6 months
	earlyDropDays  = 28  //
	deathAfter4w   = 28
	longWaitDays   = 21
	daysPerYear    = scenario.DaysPerYear
	longStayDays   = 5 * daysPerYear // in_treatment_over_5y
	journeyGapDays = 21              // a treatment stay this long after the last starts a new journey
	// journey_share.after_justice: a justice contact this long before a
	// journey's start (NTA 2012 counted convictions in the 2 years before).
	justiceWindowDays = 2 * daysPerYear
	monthDays         = daysPerYear / 12
)

// run is one replication: an engine, its streams and the clients.
type run struct {
	m   *Model
	eng *sim.Engine

	pages []*[1 << pageBits]Client // clients by id: page id>>pageBits, slot id&pageMask
	n     int32                    // ids handed out
	hold  []float64                // hold end times slab: clients × parallel places
	free  []int32

	arrivals, caseMix *rand.Rand
	ageR, lifeR       *rand.Rand // ages at first presentation; background deaths
	causeR            *rand.Rand // the causes of deaths at a place's rate
	status            statusRun  // person-years and deaths in and out of treatment
	ps                []*placeRun

	arrive, leave sim.Kind
	holdEnd       []sim.Kind // by parallel index
	scratch       []float64

	leaving  int       // the reason of the exit being routed, -1 for none: why a client went
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
	// elapsed is the time a client placed by a start snapshot has already
	// spent in the place it is admitted to: its exit and death are drawn
	// given that it has lasted so long. 0 otherwise.
	elapsed float64
	start   float64 // end of warm-up
	end     float64
	year    int16
	// yearIDs are the clients in treatment this measured year, each flagged
	// (yearFlag): the only ones whose year's flags endYear has to judge and
	// clear, rather than every client, most of whom may be out of
	// treatment. spareIDs is the other buffer, for next year's list.
	yearIDs, spareIDs []int32
	yearStart         float64
	inTreat           int64     // clients admitted to treatment places now
	inTreatBy         [][]int64 // the same by level, for each attribute in acc.byAttr
	acc               accumulators
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
	divert   *rand.Rand // for places that take clients sent here
	patience scenario.Sampler
	stays    []scenario.Sampler // by exit; nil entries use the place's
	placeSt  scenario.Sampler
	duration scenario.Sampler
	acc      *placeAcc
}

// Run runs replication rep of the model under master seed seed.
func (m *Model) Run(ctx context.Context, seed uint64, rep int) (*result.Result, error) {
	r := m.newRun(seed, rep)
	if err := r.eng.Run(ctx, r.end); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// Replicate runs reps replications on workers goroutines; results are
// indexed by replication and do not depend on workers.
func (m *Model) Replicate(ctx context.Context, seed uint64, reps, workers int, progress func(done int)) ([]*result.Result, error) {
	if err := m.Settle(ctx, workers); err != nil {
		return nil, err
	}
	return sim.Replicate(ctx, reps, workers, func(ctx context.Context, rep int) (*result.Result, error) {
		return m.Run(ctx, seed, rep)
	}, progress)
}

func (m *Model) newRun(seed uint64, rep int) *run {
	st := sim.NewStreams(seed, rep)
	eng := sim.NewEngine()
	r := &run{m: m, eng: eng, arrivals: st.Rand("arrivals"), caseMix: st.Rand("case_mix"),
		ageR: st.Rand("ages"), lifeR: st.Rand("life_table"), causeR: st.Rand("death_cause"),
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
		r.ledger.incidents = make([]float64, len(m.econ.incidents))
		if m.yearly() {
			r.ledger.yearCost = make([]float64, m.measuredYears())
		}
	}
	for _, a := range r.acc.byAttr {
		r.inTreatBy = append(r.inTreatBy, make([]int64, len(a.inTreatment)))
		r.status.by = append(r.status.by, make([]statusAcc, len(a.inTreatment)))
	}
	for i, p := range m.places {
		pr := &placeRun{p: p, acc: &r.acc.places[i]}
		name := p.name
		pr.stay = st.Rand("stay/" + name)
		pr.exitR = st.Rand("exit/" + name)
		pr.route = st.Rand("route/" + name)
		pr.mort = st.Rand("mortality/" + name)
		if len(p.diverts) > 0 {
			pr.divert = st.Rand("divert/" + name)
		}
		if !p.stay.IsZero() {
			pr.placeSt = p.stay.Sampler(pr.stay)
		}
		for _, e := range p.exits {
			var s scenario.Sampler
			if !e.stay.IsZero() {
				s = e.stay.Sampler(pr.stay)
			}
			pr.stays = append(pr.stays, s)
		}
		switch p.kind {
		case scenario.KindCapacity:
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
		case scenario.KindParallel:
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
	if len(m.start) > 0 {
		r.placeStart(st.Rand("start"))
	}
	eng.Call(r.start, r.startMeasuring)
	return r
}

func (r *run) scheduleChange(pr *placeRun, ch scenario.CapacityStep) {
	at := r.start + ch.At
	r.eng.Call(at, func() { pr.res.SetCapacity(ch.Capacity) })
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
// Ids are never negative; as unsigned, and with pages of a fixed size, the
// slot needs no bounds check.
func (r *run) client(id int32) *Client { return &r.pages[uint32(id)>>pageBits][uint32(id)&pageMask] }

// lookaheadPages is how many pages of clients a run holds before it asks
// the engine to look ahead (16 pages are 3.1 MB of records). The baseline
// area scaled by 20 (10 pages) ran 2% slower with the hint, scaled by 40 (19
// pages) 5% faster, England (70 pages) 13% faster; the peers' stable
// scenario (1 page) 8% slower.
const lookaheadPages = 16

// lookahead starts loading the record of the client the next event is
// likely to be about, so that its cache miss overlaps the event being
// handled: at England's size (287,000 people alive, 13.8 MB of records)
// the first read of a record was a quarter of a replication's time.
func (r *run) lookahead(k sim.Kind, id int32) {
	switch {
	case k == r.leave:
		sim.Prefetch(r.client(id))
	case k > r.leave && int(k-r.leave) <= len(r.holdEnd):
		sim.Prefetch(r.client(id))
		sim.Prefetch(&r.hold[int(id)*len(r.holdEnd)+int(k-r.leave)-1])
	case k == r.fuKind && r.fuKind != 0:
		sim.Prefetch(&r.fu.recs[id])
	}
}

func (r *run) newClient() int32 { return r.newClientWith(nil, -1) }

// newClientWith makes a client whose case-mix levels are fixed (by
// attribute, -1 to draw) and whose age is age years (-1 to draw).
func (r *run) newClientWith(fixed []int, age float64) int32 {
	var id int32
	if n := len(r.free); n > 0 {
		id, r.free = r.free[n-1], r.free[:n-1]
	} else {
		id = r.n
		r.n++
		if int(id>>pageBits) == len(r.pages) {
			r.pages = append(r.pages, new([1 << pageBits]Client))
			if len(r.pages) == lookaheadPages {
				r.eng.Lookahead(r.lookahead)
			}
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
		if fixed != nil && fixed[a] >= 0 {
			l = fixed[a]
		}
		r.m.lay.setAttr(c, a, l)
	}
	if g := r.m.ages; g != nil {
		u := r.ageR.Float64()
		x := g.drawAge(u, r.ageR.Float64()) // days
		if age >= 0 {
			x = age * daysPerYear
		}
		r.m.lay.setBorn(c, r.eng.Now()-x)
	}
	r.status.alive(r, c, 1)
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
		r.die(id, false)
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
	// Where a journey was referred from: the place before the intake, or
	// before a treatment place entered other than from the intake (a court
	// ordering treatment).
	if prev := int(c.Place); prev != r.m.intake || p == r.m.intake {
		c.setFlag(flagFromJustice, prev >= 0 && r.m.places[prev].justice)
	}
	// A presentation ends when the client goes elsewhere than treatment:
	// days to treatment count from the next (a court's order of treatment
	// has none).
	if p != r.m.intake && !r.m.places[p].treatment {
		c.presentedAt = -1
	}
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
	if ec := r.m.econ; ec != nil {
		if c.Waiting() {
			r.accrueWait(c, c.Since, now)
			if ec.beforeAfter >= 0 && c.flag(flagFollowed) {
				r.followSpend(c, id, p, true, c.Since, now)
			}
		}
		r.accrueEpisode(p, now)
		if ec.beforeAfter >= 0 && pl.treatment && c.flag(flagFollowed) {
			r.followEpisode(c, id, p)
		}
	}
	c.setFlag(flagWaiting, false)
	c.Since = now
	if r.trace != nil {
		r.traceEvent(id, "admitted", fmtWait(waited))
	}
	prior := r.m.lay.admissions(c, p)
	r.m.lay.adm[p].inc(c)
	r.pop(pr, now, 1)
	if c.flag(flagFollowed) {
		r.followAdmission(c, id, pl, now)
	}
	if pl.justice {
		r.m.lay.setJustice(c, now)
	}
	if pl.treatment {
		r.countInTreatment(c, 1)
		if r.measuring {
			r.inYear(c, id, r.year)
		}
	}

	// Parallel places joined on admission are held from its start, so their
	// modifiers act on this stay (case management's OR on completing detox).
	for _, q := range pl.offersAt {
		r.offer(id, q)
	}

	// Decide how and when the client leaves.
	ei, t := r.drawExit(pr, c)
	if r.elapsed > 0 && !pl.byHazard {
		ei, t = r.residualExit(pr, c, ei, t)
	}
	if pl.mortality != nil {
		if td := pl.mortality.drawFrom(r.elapsed, pr.mort.ExpFloat64(), hazardRatio(pl.mortality.mods, c)); td < t {
			ei, t = -1, td
		}
	}
	if r.m.ages != nil {
		if td := r.backgroundDeath(c, now, t); td < t {
			ei, t = backgroundDeath, td
		}
	}
	if r.measuring {
		a := pr.acc
		a.admissions++
		if pl.kind == scenario.KindCapacity && waited > longWaitDays {
			a.longWaits++
		}
		if pl.treatment {
			if prior > 0 {
				a.repeats++
			}
			// NDTMS's new presentation: the start of a journey, more than
			// 21 days after the last treatment stay ended.
			if c.LastExitPlace < 0 || now-c.LastExitAt > journeyGapDays {
				r.acc.journeys++
				if c.flag(flagFromJustice) {
					r.acc.journeysFromJustice++
				}
				if d, ok := r.m.lay.lastJustice(c); ok && now-d <= justiceWindowDays {
					r.acc.journeysAfterJustice++
				}
				if r.m.ages != nil {
					r.acc.journeyAges.Add((now - r.m.lay.bornOf(c)) / daysPerYear)
				}
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
		r.startCohorts(id, pl.cohortsAdm, reason, t, atAdmission)
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
