package models

import "math"

// drawExit draws the exit and the time to it.
func (r *run) drawExit(pr *placeRun, c *Client) (int, float64) {
	pl := pr.p
	if pl.byHazard {
		best, bt := -1, math.Inf(1)
		for i := range pl.exits {
			h := pl.exits[i].hazard
			if t := h.drawFrom(r.elapsed, pr.exitR.ExpFloat64(), hazardRatio(h.mods, c)); t < bt {
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

// target is where route rt takes client c now, and the flow it counts: its
// place, or the provider with the shortest wait, or a place that takes
// clients sent there (its takers in the order of their names). It draws
// from the stream of the place taken from, so call it once for each client
// sent.
func (r *run) target(rt *route, c *Client) (to, flow int) {
	to, flow = rt.to, rt.flow
	if len(rt.choices) > 0 {
		k := r.shortestWait(rt.choices)
		to, flow = rt.choices[k], rt.flows[k]
	}
	if len(rt.diverted) == 0 {
		return to, flow
	}
	u := r.ps[to].divert.Float64()
	for k, d := range r.m.places[to].diverts {
		if d.when != nil && !d.when(c) {
			continue
		}
		if u < d.share {
			return d.to, rt.diverted[k]
		}
		u -= d.share
	}
	return to, flow
}

// follow sends client id to place to, counting the flow.
func (r *run) follow(id int32, to, flow int, what string) {
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
