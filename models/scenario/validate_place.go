package scenario

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/journeysim/journeysim/models/evidence"
)

func (s *Scenario) validatePlace(c *checker, name string, p *PlaceSpec) {
	key := "places." + name
	if p == nil {
		c.add(key, "empty place")
		return
	}
	if !nameRE.MatchString(name) {
		c.add(key, "place names are lowercase letters, digits and _, starting with a letter")
	}
	if name == PlaceDead || name == PlaceGone {
		c.add(key, "%q is built in and cannot be declared", name)
	}
	if p.Kind == "" {
		var declared []string
		for _, n := range sortedKeys(s.Places) {
			if q := s.Places[n]; q != nil && q.Kind != "" {
				declared = append(declared, n)
			}
		}
		if sg := suggest.Loose(name, declared); sg != "" {
			c.add(key, "a new place, with no kind; did you mean %q, a place already declared?", sg)
		} else {
			c.add(key+".kind", "required: capacity, open, parallel or state")
		}
		return
	}
	checkCapacity := func(required bool) {
		if p.Capacity == nil {
			if required {
				c.add(key+".capacity", "required for a %s place", p.Kind)
			}
			return
		}
		v := p.Capacity.V
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			c.add(key+".capacity", "must be a whole number of places, 0 or more, not %g", v)
		}
	}
	notFor := func(k string, set bool) {
		if set {
			c.add(key+"."+k, "not allowed in a %s place", p.Kind)
		}
	}
	switch p.Kind {
	case KindCapacity:
		checkCapacity(true)
		switch p.Discipline {
		case "", FIFO:
			notFor("priority", len(p.Priority) > 0)
		case Priority:
			for i, r := range p.Priority {
				k := fmt.Sprintf("%s.priority[%d]", key, i)
				if r.Level < 0 || r.Level >= 16 {
					c.add(k+".level", "must be between 0 (first) and 15")
				}
			}
		}
		if p.Patience != nil {
			checkTimeDist(c, key+".patience", *p.Patience)
			if len(p.Routes[ExitReneged]) == 0 {
				c.add(key+".routes."+ExitReneged, "required when patience is set: where clients who give up waiting go, as in [[%s.routes.%s]] to = \"using\"", key, ExitReneged)
			}
		} else if len(p.Routes[ExitReneged]) > 0 {
			c.add(key+".routes."+ExitReneged, "clients can only give up waiting when the place has a patience")
		}
		for i, ch := range p.CapacityChanges {
			k := fmt.Sprintf("%s.capacity_changes[%d]", key, i)
			given := 0
			for _, v := range []*Value{ch.Capacity, ch.Factor, ch.Budget} {
				if v != nil {
					given++
				}
			}
			if given != 1 {
				c.add(k, "give one of capacity (a number of places), factor (times the capacity then) or budget (money a year, which buys whole places)")
			}
			if ch.Capacity != nil && (ch.Capacity.V < 0 || ch.Capacity.V != math.Trunc(ch.Capacity.V)) {
				c.add(k+".capacity", "must be a whole number of places, 0 or more")
			}
			if ch.Factor != nil && ch.Factor.V < minFactor {
				c.add(k+".factor", "must not be negative")
			} else if ch.Factor != nil && ch.Factor.V > maxFactor && !ch.Deliberate {
				c.add(k+".factor", "%s times the capacity: a factor is a cut or an expansion between %d and %d (0.9 is a 10%% cut); if you mean it, add deliberate = true", fmtG(ch.Factor.V), minFactor, maxFactor)
			}
			if ch.Budget != nil && ch.Budget.V < 0 {
				c.add(k+".budget", "must not be negative: it is the budget a year from then")
			}
		}
	case KindParallel:
		checkCapacity(false)
		notFor("discipline", p.Discipline != "")
		notFor("patience", p.Patience != nil)
		notFor("exits", len(p.Exits) > 0)
		notFor("routes", len(p.Routes) > 0)
		notFor("stay", p.Stay != nil)
		notFor("mortality", p.Mortality != nil)
		if len(p.JoinAt)+len(p.JoinAfter) == 0 {
			c.add(key, "a parallel place needs join_at or join_after: the places whose clients are offered it")
		}
		for i, j := range append(append([]string{}, p.JoinAt...), p.JoinAfter...) {
			k := key + ".join_at"
			if i >= len(p.JoinAt) {
				k = key + ".join_after"
			}
			q, ok := s.Places[j]
			if !ok {
				c.add(k, "unknown place %q%s", j, s.didYouMeanPlace(j))
			} else if q.Kind == KindParallel {
				c.add(k, "%q is itself a parallel place", j)
			}
		}
		if p.Duration == nil {
			c.add(key+".duration", "required: how long a client holds the place")
		} else {
			checkTimeDist(c, key+".duration", *p.Duration)
		}
		notFor("abstinence", p.Abstinence != nil)
		notFor("relapse", p.Relapse)
		notFor("justice", p.Justice)
		if p.Uptake != nil {
			checkProb(c, key+".uptake.probability", p.Uptake.Probability, true)
			checkModifiers(c, key+".uptake.modifiers", p.Uptake.Modifiers, false)
		}
		return
	default:
		notFor("capacity", p.Capacity != nil)
		notFor("discipline", p.Discipline != "")
		notFor("patience", p.Patience != nil)
		notFor("capacity_changes", len(p.CapacityChanges) > 0)
	}
	s.checkTakes(c, name, p)
	notFor("join_at", len(p.JoinAt) > 0)
	notFor("join_after", len(p.JoinAfter) > 0)
	notFor("eligible", !p.Eligible.IsZero())
	notFor("uptake", p.Uptake != nil)
	notFor("duration", p.Duration != nil)

	if p.Mortality != nil {
		checkHazard(c, key+".mortality", p.Mortality)
	}
	if p.Abstinence != nil {
		checkProb(c, key+".abstinence.probability", p.Abstinence.Probability, true)
		checkModifiers(c, key+".abstinence.modifiers", p.Abstinence.Modifiers, false)
	}
	if p.Stay != nil {
		checkTimeDist(c, key+".stay", *p.Stay)
	}
	checkModifiers(c, key+".stay_modifiers", p.StayModifiers, true)

	if len(p.Exits) == 0 {
		c.add(key+".exits", "a place needs at least one exit, as in [places.%s.exits.completed]", name)
		return
	}
	var probExits, hazExits []string
	var sum sumOf
	for _, r := range sortedKeys(p.Exits) {
		k := key + ".exits." + r
		e := p.Exits[r]
		if !nameRE.MatchString(r) {
			c.add(k, "exit names are lowercase letters, digits and _")
		}
		if r == ExitReneged || r == "died" {
			c.add(k, "%q is built in: deaths come from mortality, give-ups from patience", r)
		}
		if e == nil {
			c.add(k, "empty exit: give a probability or a hazard")
			continue
		}
		switch {
		case e.Probability != nil && e.Hazard != nil:
			c.add(k, "give a probability or a hazard, not both")
		case e.Probability != nil:
			probExits = append(probExits, r)
			checkProb(c, k+".probability", e.Probability, true)
			sum.add(r, e.Probability.V)
			checkModifiers(c, k+".modifiers", e.Modifiers, false)
			if e.Stay != nil {
				checkTimeDist(c, k+".stay", *e.Stay)
			} else if p.Stay == nil {
				c.add(k+".stay", "no stay for this exit and no stay for the place: give one")
			}
			checkModifiers(c, k+".stay_modifiers", e.StayModifiers, true)
			if len(e.StayModifiers) > 0 && e.Stay == nil {
				c.add(k+".stay_modifiers", "this exit takes the place's stay, which the place's stay_modifiers modify: give the exit a stay of its own, or move these to places.%s.stay_modifiers", name)
			}
		case e.Hazard != nil:
			hazExits = append(hazExits, r)
			checkHazard(c, k+".hazard", e.Hazard)
			if e.Hazard.Poisoning != nil {
				c.add(k+".hazard.poisoning", "only a place's mortality has a share of deaths by poisoning")
			}
			if e.Stay != nil {
				c.add(k+".stay", "an exit with a hazard has no separate stay: the hazard gives the time")
			}
			if len(e.Modifiers) > 0 {
				c.add(k+".modifiers", "put a hazard's modifiers in the hazard table: hazard.modifiers")
			}
			if len(e.StayModifiers) > 0 {
				c.add(k+".stay_modifiers", "an exit with a hazard has no stay to modify: put modifiers in hazard.modifiers")
			}
		default:
			c.add(k, "give a probability or a hazard")
		}
		routes, ok := p.Routes[r]
		if !ok || len(routes) == 0 {
			c.add(key+".routes."+r, "required: where clients leaving by %q go, as in [[places.%s.routes.%s]] to = \"using\"", r, name, r)
		}
	}
	nProb, nHaz := len(probExits), len(hazExits)
	if nProb > 0 && nHaz > 0 {
		c.add(key+".exits", "either every exit has a probability or every exit has a hazard, not a mix (with a probability: %s; with a hazard: %s)",
			strings.Join(probExits, ", "), strings.Join(hazExits, ", "))
	}
	if nProb > 0 && nHaz == 0 && !sum.isOne() {
		c.add(key+".exits", "exit probabilities must sum to 1, not %s", sum)
	}
	if nHaz > 0 && nProb == 0 && p.Stay != nil {
		c.add(key+".stay", "exits with hazards give the time of leaving; remove stay")
	}
	for _, r := range sortedKeys(p.Routes) {
		k := key + ".routes." + r
		if _, ok := p.Exits[r]; !ok && r != ExitReneged {
			c.add(k, "no exit %q in this place%s", r, suggestIn(r, sortedKeys(p.Exits)))
			continue
		}
		s.checkRoutes(c, k, p.Routes[r])
	}
}

// validateFollowups checks each follow-up's cohort and times.
func (s *Scenario) validateFollowups(c *checker) {
	for _, name := range sortedKeys(s.Followups) {
		key := "followups." + name
		f := s.Followups[name]
		if f == nil {
			c.add(key, "empty follow-up: give place and at")
			continue
		}
		if !nameRE.MatchString(name) {
			c.add(key, "follow-up names are lowercase letters, digits and _, starting with a letter")
		}
		p, ok := s.Places[f.Place]
		switch {
		case f.Place == "":
			c.add(key+".place", "required: the place whose clients are followed")
		case !ok:
			c.add(key+".place", "unknown place %q%s", f.Place, s.didYouMeanPlace(f.Place))
		case p.Kind == KindParallel:
			c.add(key+".place", "%q is a parallel place: follow the clients of a capacity, open or state place", f.Place)
		}
		if ok && p != nil {
			for i, r := range f.Exits {
				if _, has := p.Exits[r]; !has {
					c.add(fmt.Sprintf("%s.exits[%d]", key, i), "%q is not an exit of %s%s", r, f.Place, suggestIn(r, sortedKeys(p.Exits)))
				}
			}
		}
		for _, d := range []struct {
			key   string
			names []string
		}{{"to", f.To}, {"not_to", f.NotTo}} {
			if len(d.names) > 0 && f.From != FromExit {
				c.add(key+"."+d.key, "chooses a cohort by where its exit leads: only with from = \"exit\"")
				continue
			}
			for i, to := range d.names {
				if _, ok := s.Places[to]; !ok && to != PlaceGone && to != PlaceDead {
					c.add(fmt.Sprintf("%s.%s[%d]", key, d.key, i), "unknown place %q: name a place, \"gone\" or \"dead\"%s", to, s.didYouMeanPlace(to))
				}
			}
		}
		if len(f.To) > 0 && len(f.NotTo) > 0 {
			c.add(key+".not_to", "give to or not_to, not both")
		}
		if f.StayAtLeast != nil && f.StayUnder != nil && f.StayAtLeast.Days() >= f.StayUnder.Days() {
			c.add(key+".stay_under", "must be longer than stay_at_least (%s)", formatDays(f.StayAtLeast.Days()))
		}
		if len(f.At) == 0 {
			c.add(key+".at", "required: the times after the start at which the cohort is followed up, as in [\"3m\", \"1y\"]")
		}
		prev := 0.0
		seen := map[string]bool{}
		for i, at := range f.At {
			k := fmt.Sprintf("%s.at[%d]", key, i)
			days, err := ParseDuration(at)
			name := FollowTimeName(at)
			switch {
			case err != nil:
				c.add(k, "%v", err)
			case days <= 0:
				c.add(k, "must be longer than 0d")
			case strings.Contains(name, "."):
				c.add(k, "%q names metrics: use a whole number of days, weeks, months or years", at)
			case days <= prev:
				c.add(k, "times must increase: %s comes after %s", name, formatDays(prev))
			case seen[name]:
				c.add(k, "%s twice", name)
			}
			seen[name] = true
			if err == nil {
				prev = days
			}
		}
	}
}

func suggestIn(name string, known []string) string {
	if s := suggest.Closest(name, known); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	if len(known) > 0 {
		return " (exits: " + strings.Join(known, ", ") + ")"
	}
	return ""
}

// checkTakes checks a place's takes: each from a place that clients are
// sent to, another not parallel, with a share; and the shares that the
// takers of one place may take from one client at most 1.
func (s *Scenario) checkTakes(c *checker, name string, p *PlaceSpec) {
	for i, t := range p.Takes {
		k := fmt.Sprintf("places.%s.takes[%d]", name, i)
		q, ok := s.Places[t.From]
		switch {
		case t.From == "":
			c.add(k+".from", "required: the place whose clients this one takes")
		case t.From == name:
			c.add(k+".from", "a place cannot take its own clients")
		case !ok:
			c.add(k+".from", "unknown place %q%s", t.From, s.didYouMeanPlace(t.From))
		case q != nil && q.Kind == KindParallel:
			c.add(k+".from", "%q is a parallel place: nobody is sent to it", t.From)
		case q != nil && len(q.Takes) > 0:
			c.add(k+".from", "%q takes clients itself: take from the place it takes them from", t.From)
		}
		if t.Share == nil {
			c.add(k+".share", "required: the share of the clients sent to %q that come here instead, 0 to 1", t.From)
		} else {
			checkProb(c, k+".share", t.Share, true)
		}
		for _, o := range sortedKeys(s.Places) {
			for _, r := range s.Places[o].routesTo(t.From) {
				if len(r.ToShortestWait) > 0 {
					c.add(k+".from", "%q is one of the providers of a to_shortest_wait route of %s: a place another takes from is chosen by to alone", t.From, o)
				}
			}
		}
	}
	if len(p.Takes) == 0 {
		return
	}
	// The takers of one place draw in turn from one referral: their shares
	// (whatever their conditions) must leave something for the place.
	for i, t := range p.Takes {
		total := 0.0
		var who []string
		for _, o := range sortedKeys(s.Places) {
			if q := s.Places[o]; q != nil {
				for _, u := range q.Takes {
					if u.From == t.From && u.Share != nil {
						total += u.Share.V
						who = append(who, o)
					}
				}
			}
		}
		if total > 1+1e-9 && who[0] == name {
			c.add(fmt.Sprintf("places.%s.takes[%d].share", name, i), "the places that take from %q (%s) take %.4g of its clients in all: at most 1", t.From, strings.Join(who, ", "), total)
		}
	}
}

// routesTo lists the place's routes that can lead to place to.
func (p *PlaceSpec) routesTo(to string) []*RouteSpec {
	var out []*RouteSpec
	if p == nil {
		return nil
	}
	for _, rs := range p.Routes {
		for _, r := range rs {
			if r != nil && slices.Contains(r.Targets(), to) {
				out = append(out, r)
			}
		}
	}
	return out
}

func (s *Scenario) checkRoutes(c *checker, key string, routes []*RouteSpec) {
	var sum sumOf
	unconditional, always := false, false // a route with no condition; one that always takes clients
	for i, r := range routes {
		k := fmt.Sprintf("%s[%d]", key, i)
		if r == nil {
			continue
		}
		switch {
		case r.To == "" && len(r.ToShortestWait) == 0:
			c.add(k+".to", "required: the place clients go to (or to_shortest_wait, a list of providers)")
		case r.To != "" && len(r.ToShortestWait) > 0:
			c.add(k+".to_shortest_wait", "give to or to_shortest_wait, not both")
		case len(r.ToShortestWait) == 1:
			c.add(k+".to_shortest_wait", "list at least two providers to choose between, or use to")
		}
		tk := k + ".to"
		if len(r.ToShortestWait) > 0 {
			tk = k + ".to_shortest_wait"
		}
		for _, to := range r.Targets() {
			if to == "" {
				continue
			}
			if q, ok := s.Places[to]; ok {
				if q.Kind == KindParallel {
					c.add(tk, "%q is a parallel place: clients join it through its join_at or join_after", to)
				}
			} else if len(r.ToShortestWait) > 0 {
				c.add(tk, "unknown place %q%s", to, s.didYouMeanPlace(to))
			} else if to != PlaceDead && to != PlaceGone {
				c.add(tk, "unknown place %q%s", to, s.didYouMeanPlace(to))
			}
		}
		target := strings.Join(r.Targets(), "/")
		switch {
		case r.Otherwise:
			if r.Probability != nil {
				c.add(k+".probability", "an otherwise route takes the clients the others leave: give it no probability")
			}
			if !r.When.IsZero() {
				c.add(k+".when", "an otherwise route takes the clients the others leave: give it no condition")
			}
			always = true
		case r.Probability == nil:
			if len(routes) > 1 {
				c.add(k+".probability", "required when an exit has several routes")
			}
			sum.add(target, 1)
			always = always || r.When.IsZero()
		default:
			checkProb(c, k+".probability", r.Probability, true)
			sum.add(target, r.Probability.V)
			always = always || (r.When.IsZero() && r.Probability.V > 0)
		}
		if r.When.IsZero() {
			unconditional = true
		} else {
		}
		checkModifiers(c, k+".modifiers", r.Modifiers, false)
	}
	if !sum.isOne() {
		c.add(key, "route probabilities must sum to 1, not %s", sum)
	}
	switch {
	case !unconditional:
		c.add(key, "at least one route needs no condition, so every client has somewhere to go")
	case !always:
		c.add(key, "the routes with no condition all have probability 0, so a client for whom no other route holds has nowhere to go: give one a probability above 0, or write otherwise = true on the route those clients take (with no probability)")
	}
}

func checkProb(c *checker, key string, v *Value, required bool) {
	if v == nil {
		if required {
			c.add(key, "required")
		}
		return
	}
	if v.V < 0 || v.V > 1 {
		c.add(key, "a probability must be between 0 and 1, not %g", v.V)
	}
}

func checkTimeDist(c *checker, key string, d Dist) {
	if d.IsZero() {
		c.add(key, "required")
	}
}

func checkModifiers(c *checker, key string, mods []Modifier, hazard bool) {
	for i, m := range mods {
		k := fmt.Sprintf("%s[%d]", key, i)
		switch {
		case hazard && m.OddsRatio != nil:
			c.add(k+".odds_ratio", "a time or hazard takes a hazard_ratio, not an odds_ratio")
		case !hazard && m.HazardRatio != nil:
			c.add(k+".hazard_ratio", "a probability takes an odds_ratio, not a hazard_ratio")
		case m.OddsRatio == nil && m.HazardRatio == nil:
			c.add(k, "give an odds_ratio (for a probability) or a hazard_ratio (for a time or hazard)")
		}
		// An odds ratio of 0 rules the outcome out for the clients it
		// applies to; a hazard ratio of 0 would make a stay endless.
		if m.OddsRatio != nil && m.OddsRatio.V < 0 {
			c.add(k, "an odds ratio must be 0 (never) or more, not %g", m.OddsRatio.V)
		}
		if r := m.HazardRatio; r != nil && r.V <= 0 {
			c.add(k, "a ratio must be positive, not %g", r.V)
		}
	}
}

func checkHazard(c *checker, key string, h *HazardSpec) {
	if _, ok := hazardUnits[h.Unit]; !ok {
		units := sortedKeys(hazardUnits)
		c.add(key+".unit", "unknown unit %q: use one of %s", h.Unit, strings.Join(units, ", "))
	}
	if h.Source != "" {
		if err := evidence.CheckRef(h.Source); err != nil {
			c.add(key+".source", "%v", err)
		}
	}
	if len(h.Bands) == 0 {
		c.add(key+".bands", "at least one band, as in bands = [ { until = \"2w\", rate = 4.8 }, { rate = 0.95 } ]")
	}
	last := 0.0
	for i, b := range h.Bands {
		k := fmt.Sprintf("%s.bands[%d]", key, i)
		if b.Rate.V < 0 {
			c.add(k+".rate", "a rate must be 0 or more, not %g", b.Rate.V)
		}
		if i == len(h.Bands)-1 {
			if b.Until != nil {
				c.add(k+".until", "the last band lasts for ever: leave until out")
			}
			continue
		}
		if b.Until == nil {
			c.add(k+".until", "required on every band but the last")
			continue
		}
		if b.Until.Days() <= last {
			c.add(k+".until", "bands must end in increasing order: this one ends at %s, the one before at %s", formatDays(b.Until.Days()), formatDays(last))
		}
		last = b.Until.Days()
	}
	checkModifiers(c, key+".modifiers", h.Modifiers, true)
	checkProb(c, key+".poisoning", h.Poisoning, false)
}

func hazardCanFire(h *HazardSpec) bool {
	for _, b := range h.Bands {
		if b.Rate.V > 0 {
			return true
		}
	}
	return false
}
