package scenario

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// A capacity change's factor is a cut or an expansion: outside this range
// it is most likely a slip (90 for 0.9), and must say deliberate = true.
const (
	minFactor = 0
	maxFactor = 3
)

// A CapacityPlan is a place's capacity over a run: where it starts (-1:
// no limit), each change in the order it takes effect, and how each was
// worked out.
type CapacityPlan struct {
	Initial int
	Changes []CapacityStep
	// How says, for the initial capacity and each change, how it was
	// reached: "6 places", "4 × 0.9 = 3.6, to the nearest place 4".
	How      []string
	Warnings Problems
}

// A CapacityStep sets a place's capacity At days after the warm-up.
type CapacityStep struct {
	At       float64
	Capacity int
}

// budgetShare is one place's share of a total budget change.
type budgetShare struct {
	key    string // budget_changes[i]
	at     Duration
	budget float64 // the place's budget a year from then
	how    string
}

// budgetShares works out place name's share of each budget change that
// names it, in the order they take effect: in proportion to its budget
// then among the places named.
func (s *Scenario) budgetShares(name string) ([]budgetShare, error) {
	budget := map[string]float64{}
	for n, ps := range s.Places {
		if ps != nil && ps.Budget != nil {
			budget[n] = ps.Budget.V
		}
	}
	order := make([]int, len(s.BudgetChanges))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		return cmp.Compare(s.BudgetChanges[x].At.Days(), s.BudgetChanges[y].At.Days())
	})
	var out []budgetShare
	for _, i := range order {
		bc := s.BudgetChanges[i]
		key := fmt.Sprintf("budget_changes[%d]", i)
		if bc.Change == nil || len(bc.Places) == 0 {
			return nil, Problemf(key, "give change (money a year, negative for a cut) and places (those that share it)")
		}
		total := 0.0
		for _, n := range bc.Places {
			b, ok := budget[n]
			if !ok {
				return nil, Problemf(key+".places", "%s declares no budget to share the change by: give places.%s.budget", n, n)
			}
			total += b
		}
		if total <= 0 {
			return nil, Problemf(key+".places", "the places' budgets sum to 0: there is nothing to share the change by")
		}
		before := maps.Clone(budget)
		for _, n := range bc.Places {
			budget[n] += bc.Change.V * before[n] / total
			if budget[n] < 0 {
				return nil, Problemf(key+".change", "takes %s below a budget of 0", n)
			}
		}
		if slices.Contains(bc.Places, name) {
			out = append(out, budgetShare{key: key, at: bc.At, budget: budget[name], how: fmt.Sprintf(
				"a change of %s a year shared by budget, %s's %s of %s, is %s",
				money(bc.Change.V, s), name, money(before[name], s), money(total, s), money(bc.Change.V*before[name]/total, s))})
		}
	}
	return out, nil
}

// Rounding: a capacity is a whole number of places. A number of places
// times the scale, or times a factor, is rounded to the nearest whole
// place (a half up); what a budget buys is rounded down, since money buys
// no part of a place.
func roundPlaces(x float64) int { return int(math.Round(x)) }

// PlanCapacity works out the capacity of place name over the run, at the
// scenario's scale: its capacity or budget, then its changes in the order
// they take effect, each a number of places, a factor of the capacity
// then, or a budget.
func (s *Scenario) PlanCapacity(name string) (*CapacityPlan, error) {
	ps := s.Places[name]
	key := "places." + name
	scale := 1.0
	if s.Scale != nil {
		scale = s.Scale.V
	}
	pl := &CapacityPlan{Initial: -1}
	if ps.Capacity != nil {
		pl.Initial = roundPlaces(ps.Capacity.V * scale)
		pl.How = append(pl.How, placesText(ps.Capacity.V, scale, pl.Initial))
	}
	if ps.Budget != nil {
		n, how, err := s.placesBought(name, ps.Budget.V*scale)
		if err != nil {
			return nil, Problemf(key+".budget", "%v", err)
		}
		pl.Initial = n
		pl.How = []string{how}
	}
	if c := ps.Cost; ps.Kind == KindParallel && c != nil && c.Caseload != nil && pl.Initial > 0 && float64(pl.Initial) < c.Caseload.V/scale {
		pl.Warnings = append(pl.Warnings, Problem{Key: key + ".capacity", Msg: fmt.Sprintf(
			"%d is fewer clients than one post carries (caseload %s): a parallel place's capacity counts clients, posts × caseload, so %d posts are capacity = %s",
			pl.Initial, fmtG(c.Caseload.V), pl.Initial, fmtG(float64(pl.Initial)*c.Caseload.V))})
	}
	changes := slices.Clone(ps.CapacityChanges)
	shares, err := s.budgetShares(name)
	if err != nil {
		return nil, err
	}
	keys := map[int]string{}
	for _, sh := range shares {
		keys[len(changes)] = sh.key
		changes = append(changes, CapacityChange{At: sh.at, Budget: &Value{V: sh.budget}})
	}
	order := make([]int, len(changes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(changes[x].At.Days(), changes[y].At.Days()) })
	capacity := pl.Initial
	for i, ci := range order {
		ch := changes[ci]
		ck, ok := keys[ci]
		if !ok {
			ck = fmt.Sprintf("%s.capacity_changes[%d]", key, ci)
		}
		before := capacity
		var how string
		switch {
		case ch.Capacity != nil:
			capacity = roundPlaces(ch.Capacity.V * scale)
			how = placesText(ch.Capacity.V, scale, capacity)
		case ch.Factor != nil:
			x := float64(capacity) * ch.Factor.V
			capacity = roundPlaces(x)
			how = fmt.Sprintf("%d × %s = %s, to the nearest place %d", before, fmtG(ch.Factor.V), fmtG(x), capacity)
			if capacity == before && ch.Factor.V != 1 {
				pl.Warnings = append(pl.Warnings, Problem{Key: ck + ".factor", Msg: fmt.Sprintf(
					"changes nothing: %d × %s = %s rounds to %d places, the capacity before it; %s",
					before, fmtG(ch.Factor.V), fmtG(x), capacity, factorToMove(before, ch.Factor.V))})
			}
		case ch.Budget != nil:
			n, h, err := s.placesBought(name, ch.Budget.V*scale)
			if err != nil {
				return nil, Problemf(ck+".budget", "%v", err)
			}
			capacity, how = n, h
			if k := slices.IndexFunc(shares, func(sh budgetShare) bool { return sh.key == ck }); k >= 0 {
				how = shares[k].how + ", so " + h
			}
		}
		if i == 0 && before < 0 {
			return nil, Problemf(ck, "%s has no capacity to change", name)
		}
		if at := ch.At.Days(); at >= s.Horizon() {
			pl.Warnings = append(pl.Warnings, Problem{Key: ck + ".at", Msg: fmt.Sprintf(
				"at %s, which is not before the end of the %s measured: it changes nothing in this run", durationText(at), durationText(s.Horizon()))})
		}
		pl.Changes = append(pl.Changes, CapacityStep{At: ch.At.Days(), Capacity: capacity})
		pl.How = append(pl.How, fmt.Sprintf("from %s after warm-up: %s", durationText(ch.At.Days()), how))
	}
	return pl, nil
}

// factorToMove says what factor would move a capacity of n by a place.
func factorToMove(n int, f float64) string {
	if n == 0 {
		return "a factor changes no capacity of 0: give capacity instead"
	}
	if f < 1 {
		return fmt.Sprintf("a cut to %d takes a factor of %s or less", n-1, fmtG((float64(n)-0.5)/float64(n)))
	}
	return fmt.Sprintf("an expansion to %d takes a factor of %s or more", n+1, fmtG((float64(n)+0.5)/float64(n)))
}

func placesText(x, scale float64, n int) string {
	if scale == 1 && x == float64(n) {
		return fmt.Sprintf("%d places", n)
	}
	if scale == 1 {
		return fmt.Sprintf("%s, to the nearest place %d", fmtG(x), n)
	}
	return fmt.Sprintf("%s × scale %s = %s, to the nearest place %d", fmtG(x), fmtG(scale), fmtG(x*scale), n)
}

// placesBought is the number of whole places that a budget a year buys at
// place name, with the arithmetic.
func (s *Scenario) placesBought(name string, budget float64) (int, string, error) {
	cost, how, err := s.placeYearCost(name)
	if err != nil {
		return 0, "", err
	}
	if cost <= 0 {
		return 0, "", fmt.Errorf("a place at %s costs nothing, so a budget buys no number of places", name)
	}
	n := int(math.Floor(budget/cost + 1e-9))
	if budget < 0 {
		return 0, "", fmt.Errorf("a budget of %s: it must not be negative", money(budget, s))
	}
	return n, fmt.Sprintf("a budget of %s a year ÷ %s a place-year (%s) = %s, %d whole places",
		money(budget, s), money(cost, s), how, fmtG(budget/cost), n), nil
}

// placeYearCost is what one place at name costs a year, in the scenario's
// money: its costs by the day, week and year for a full year, its episodes
// at one per mean stay, and its posts' share; with the arithmetic.
func (s *Scenario) placeYearCost(name string) (float64, string, error) {
	ps := s.Places[name]
	e := s.Economics
	if e == nil || ps.Cost == nil {
		return 0, "", fmt.Errorf("a budget needs the place's cost (places.%s.cost) and the scenario's economics", name)
	}
	c := ps.Cost
	f, conv, err := e.priceFactor(c.Price)
	if err != nil {
		return 0, "", err
	}
	var total float64
	var parts []string
	add := func(x float64, what string) {
		total += x * f
		parts = append(parts, what)
	}
	if c.PerDay != nil {
		add(c.PerDay.V*daysPerYear, fmt.Sprintf("%s a day × %s", fmtG(c.PerDay.V), fmtG(daysPerYear)))
	}
	if c.PerWeek != nil {
		add(c.PerWeek.V*daysPerYear/7, fmt.Sprintf("%s a week × %s", fmtG(c.PerWeek.V), fmtG(daysPerYear/7)))
	}
	if c.PerYear != nil {
		add(c.PerYear.V, fmt.Sprintf("%s a year", fmtG(c.PerYear.V)))
	}
	if c.PerEpisode != nil {
		if stay := ps.meanStay(); stay > 0 {
			add(c.PerEpisode.V*daysPerYear/stay, fmt.Sprintf("%s an episode × %s episodes, one per mean stay of %s", fmtG(c.PerEpisode.V), fmtG(daysPerYear/stay), durationText(stay)))
		} else {
			parts = append(parts, "episodes not counted: no mean stay")
		}
	}
	if c.PerPostYear != nil && c.Caseload != nil && c.Caseload.V > 0 {
		add(c.PerPostYear.V/c.Caseload.V, fmt.Sprintf("%s a post ÷ a caseload of %s", fmtG(c.PerPostYear.V), fmtG(c.Caseload.V)))
	}
	how := strings.Join(parts, " + ") + ", " + c.Price
	if conv != "" {
		how += " " + conv
	}
	return total, how, nil
}

// meanStay is a place's mean stay in days when its exits are drawn by
// probability: the stays of its exits weighted by their probabilities
// (modifiers aside); 0 when it cannot be read off.
func (ps *PlaceSpec) meanStay() float64 {
	mean, sum := 0.0, 0.0
	for _, e := range ps.Exits {
		if e == nil || e.Probability == nil {
			return 0
		}
		d := ps.Stay
		if e.Stay != nil {
			d = e.Stay
		}
		if d == nil {
			return 0
		}
		mean += e.Probability.V * d.Mean()
		sum += e.Probability.V
	}
	if sum == 0 {
		if ps.Stay != nil {
			return ps.Stay.Mean()
		}
		return 0
	}
	return mean / sum
}

func money(x float64, s *Scenario) string {
	cur := ""
	if s.Economics != nil {
		cur = fmt.Sprintf(" %s %d", s.Economics.Currency, s.Economics.PriceYear)
	}
	return fmt.Sprintf("%.0f%s", x, cur)
}
