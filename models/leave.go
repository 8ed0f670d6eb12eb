package models

import "math"

func (r *run) onLeave(id int32) {
	c := r.client(id)
	now := r.eng.Now()
	stay := now - c.Since
	p := int(c.Place)
	pr := r.ps[p]
	pl := pr.p
	ei := int(c.pending)
	r.pop(pr, now, -1)
	if ec := r.m.econ; ec != nil {
		r.accrueStay(c, p, c.Since, now)
		if ec.beforeAfter >= 0 && c.flag(flagFollowed) {
			r.followSpend(c, id, p, false, c.Since, now)
		}
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
			rec.doneClean = reason == r.m.completed
		})
	}
	if ei < 0 {
		if r.measuring {
			if ei == backgroundDeath {
				r.acc.deathsBackground++
			} else if pl.poisoning > 0 && r.causeR.Float64() < pl.poisoning {
				r.acc.deathsPoisoning++
			}
			if pl.treatment {
				pr.acc.exits[r.m.died]++
				r.countExitByAttr(c)
			}
			r.acc.flows[pl.diedFlow]++
		}
		if r.trace != nil {
			r.traceEvent(id, "died", "")
		}
		r.die(id, ei == backgroundDeath)
		return
	}
	e := &pl.exits[ei]
	if pl.treatment {
		if r.measuring {
			pr.acc.exits[e.reason]++
			r.countExitByAttr(c)
			if e.reason == r.m.droppedOut && stay <= earlyDropDays {
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
		r.m.lay.setLastStay(c, stay)
		c.setFlag(flagRepresented, false)
		c.setFlag(flagLink30, r.measuring && now <= r.end-linkageDays)
		c.setFlag(flagLink90, r.measuring && now <= r.end-linkage90Days)
	} else if r.measuring {
		pr.acc.exits[e.reason]++
	}
	// From here conditions read the client as it leaves (client.age).
	c.Since = now
	for _, q := range pl.offersAfter {
		r.offer(id, q)
	}
	to, flow := r.target(&e.routes[r.chooseRoute(pr, e.routes, c)], c)
	if len(pl.cohortsExit) > 0 {
		r.startCohorts(id, pl.cohortsExit, e.reason, stay, to)
	}
	r.leaving = e.reason
	r.follow(id, to, flow, e.what)
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
	c.Since = r.eng.Now() // conditions read the client as it gives up
	c.setFlag(flagWaiting, false)
	pr := r.ps[p]
	r.leaving = -1
	to, flow := r.target(&pr.p.reneged[r.chooseRoute(pr, pr.p.reneged, c)], c)
	r.follow(id, to, flow, "gave up waiting")
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
	if r.trace != nil {
		r.traceEvent(id, "took up "+pl.name, "")
	}
	r.m.lay.adm[q].inc(c)
	if r.measuring {
		pr.acc.admissions++
	}
	r.startHold(id, q, pr.duration.Rand())
}

// startHold starts client id's hold of parallel place q, for d days.
func (r *run) startHold(id int32, q int, d float64) {
	c := r.client(id)
	pl, pr := r.m.places[q], r.ps[q]
	pr.res.Request(id, 0, math.Inf(1))
	r.m.lay.setHolds(c, pl.parIndex, true)
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

// die ends client id's life; background says the life table drew the
// death, which follow-ups of drug deaths leave out.
func (r *run) die(id int32, background bool) {
	c := r.client(id)
	if r.measuring {
		r.acc.deaths++
		inTreatment := r.inTreatmentPlace(c)
		r.status.died(r, c, inTreatment)
		if !inTreatment && c.LastExitPlace >= 0 && r.eng.Now()-c.LastExitAt <= deathAfter4w {
			r.acc.deathsAfterExit++
		}
	}
	r.closeRecords(c, id, true, background, -1)
	r.release(id)
}

// release drops client id from the model and frees the id for reuse.
func (r *run) release(id int32) {
	c := r.client(id)
	r.closeRecords(c, id, false, false, r.leaving) // left the model: followed on as gone
	for k := range r.m.parallel {
		if r.m.lay.holds(c, k) {
			r.dropHold(id, k)
		}
	}
	r.status.alive(r, c, -1)
	c.Place = -1
	r.free = append(r.free, id)
}

func (r *run) pop(pr *placeRun, now float64, d float64) {
	if pr.res == nil {
		pr.pop.Add(now, d)
	}
}
