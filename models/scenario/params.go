package scenario

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"
)

// The range of a parameter's prior that a search or a PSA covers: between
// its 0.5% and 99.5% quantiles.
const (
	priorLo = 0.005
	priorHi = 0.995
)

// A Param is an uncertain parameter of a scenario: a number with a
// declared uncertainty, its prior.
type Param struct {
	Path    string
	Prior   Dist
	Integer bool    // a capacity: whole places
	Value   float64 // as the scenario has it
	steps   []pathStep
}

// At returns the parameter's value at u in [0, 1], on the scale of its
// prior's quantiles between 0.5% and 99.5%.
func (p *Param) At(u float64) float64 {
	x := p.Prior.Quantile(priorLo + (priorHi-priorLo)*u)
	if p.Integer {
		x = math.Round(x)
	}
	return x
}

// Unit returns the u at which At reaches x, clamped to [0, 1].
func (p *Param) Unit(x float64) float64 {
	lo, hi := 0.0, 1.0
	if x <= p.Prior.Quantile(priorLo) {
		return 0
	}
	if x >= p.Prior.Quantile(priorHi) {
		return 1
	}
	for range 60 {
		mid := (lo + hi) / 2
		if p.Prior.Quantile(priorLo+(priorHi-priorLo)*mid) < x {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// A ParamSet is parameters set together, as a calibration or a PSA sets
// them: the probabilities that must sum to 1 with one of them (the other
// exits of a place, routes of an exit, shares of an attribute) are
// rescaled in proportion to take up the difference.
type ParamSet struct {
	sc     *Scenario
	Params []*Param
	groups []*sumGroup
}

// sumGroup is a set of probabilities that must sum to 1, some of them set:
// the others are rescaled in proportion to take up the difference.
type sumGroup struct {
	what  string // "the exits of detox"
	set   []int  // indexes into ParamSet.Params
	free  []string
	freeV []float64
	freeS [][]pathStep
}

// A Rescaled is a probability that a ParamSet rescales: its path, what it
// sums to 1 with, the parameters that move it, and its value as it was.
type Rescaled struct {
	Path, What string
	By         []string
	Before     float64
}

var (
	exitProbRE  = regexp.MustCompile(`^places\.([^.\[]+)\.exits\.([^.\[]+)\.probability$`)
	routeProbRE = regexp.MustCompile(`^places\.([^.\[]+)\.routes\.([^.\[]+)\[(\d+)\]\.probability$`)
	caseMixRE   = regexp.MustCompile(`^case_mix\.([^.\[]+)\.([^.\[]+)$`)
)

// ParamSet finds the parameters at paths, each of which must declare an
// uncertainty; with paths nil, every parameter that does, the economic ones
// (prices, weights: they cannot move a journey) only if economic.
func (s *Scenario) ParamSet(paths []string, economic bool) (*ParamSet, error) {
	uncertain := map[string]bool{}
	var all, withU []string
	for _, p := range s.Parameters() {
		all = append(all, p.Path)
		if p.Uncertainty != "" {
			uncertain[p.Path] = true
			if economic || !EconomicPath(p.Path) {
				withU = append(withU, p.Path)
			}
		}
	}
	if paths == nil {
		paths = withU
		if len(paths) == 0 {
			return nil, fmt.Errorf(`no parameter of %s declares an uncertainty to search within: write one as in probability = { value = 0.5, source = "C3", uncertainty = "beta(50, 50)" }`, s.label())
		}
	}
	ps := &ParamSet{sc: s}
	seen := map[string]bool{}
	var probs []string
	for _, path := range paths {
		if seen[path] {
			continue
		}
		seen[path] = true
		if !uncertain[path] {
			switch {
			case slices.Contains(all, path):
				probs = append(probs, fmt.Sprintf(`%s declares no uncertainty to search within: write it as { value = …, source = …, uncertainty = "…" }`, path))
			default:
				msg := fmt.Sprintf("%s: no such parameter", path)
				if sg := suggest.Closest(path, all); sg != "" {
					msg += fmt.Sprintf("; did you mean %q?", sg)
				}
				probs = append(probs, msg)
			}
			continue
		}
		steps, err := parsePath(path)
		if err != nil {
			probs = append(probs, err.Error())
			continue
		}
		v, err := valueAt(s, steps)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		last := steps[len(steps)-1]
		ps.Params = append(ps.Params, &Param{Path: path, steps: steps, Prior: v.Uncertainty,
			Integer: last.key == "capacity" && len(last.index) == 0, Value: v.V})
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(probs, "\n"))
	}
	if err := ps.findGroups(); err != nil {
		return nil, err
	}
	return ps, nil
}

func (s *Scenario) label() string {
	if s.Name != "" {
		return strconv.Quote(s.Name)
	}
	return "the scenario"
}

// findGroups finds, for each parameter that belongs to a set of
// probabilities that must sum to 1, the members that are not set.
func (ps *ParamSet) findGroups() error {
	byKey := map[string]*sumGroup{}
	var order []string
	for i, p := range ps.Params {
		var key, what string
		var members []string
		switch {
		case exitProbRE.MatchString(p.Path):
			m := exitProbRE.FindStringSubmatch(p.Path)
			place := ps.sc.Places[m[1]]
			key, what = "places."+m[1]+".exits", "the exits of "+m[1]
			for _, r := range sortedKeys(place.Exits) {
				if place.Exits[r] != nil && place.Exits[r].Probability != nil {
					members = append(members, fmt.Sprintf("places.%s.exits.%s.probability", m[1], r))
				}
			}
		case routeProbRE.MatchString(p.Path):
			m := routeProbRE.FindStringSubmatch(p.Path)
			key, what = "places."+m[1]+".routes."+m[2], "the "+m[2]+" routes of "+m[1]
			for j, r := range ps.sc.Places[m[1]].Routes[m[2]] {
				if r != nil && r.Probability != nil {
					members = append(members, fmt.Sprintf("places.%s.routes.%s[%d].probability", m[1], m[2], j))
				}
			}
		case caseMixRE.MatchString(p.Path):
			m := caseMixRE.FindStringSubmatch(p.Path)
			key, what = "case_mix."+m[1], "the "+m[1]+" shares"
			for _, l := range sortedKeys(ps.sc.CaseMix[m[1]]) {
				members = append(members, "case_mix."+m[1]+"."+l)
			}
		default:
			continue
		}
		g, ok := byKey[key]
		if !ok {
			g = &sumGroup{what: what}
			byKey[key] = g
			order = append(order, key)
			g.free = members
		}
		g.set = append(g.set, i)
		g.free = slices.DeleteFunc(g.free, func(s string) bool { return s == p.Path })
	}
	for _, key := range order {
		g := byKey[key]
		if len(g.free) == 0 {
			return fmt.Errorf("every probability of %s is being fitted, but they must sum to 1: leave one out, to take up the difference", g.what)
		}
		sum := 0.0
		for _, f := range g.free {
			steps, err := parsePath(f)
			if err != nil {
				return err
			}
			v, err := valueAt(ps.sc, steps)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			g.freeS = append(g.freeS, steps)
			g.freeV = append(g.freeV, v.V)
			sum += v.V
		}
		if sum <= 0 {
			return fmt.Errorf("the probabilities of %s not being fitted (%s) are all 0, so they cannot take up the difference", g.what, strings.Join(g.free, ", "))
		}
		ps.groups = append(ps.groups, g)
	}
	return nil
}

// Rescaled lists the probabilities that setting the parameters rescales.
func (ps *ParamSet) Rescaled() []Rescaled {
	var out []Rescaled
	for _, g := range ps.groups {
		var by []string
		for _, i := range g.set {
			by = append(by, ps.Params[i].Path)
		}
		for j, f := range g.free {
			out = append(out, Rescaled{Path: f, What: g.what, By: by, Before: g.freeV[j]})
		}
	}
	return out
}

// CheckBounds checks that the scenario is valid with each parameter at
// either end of the range searched, the others as they are.
func (ps *ParamSet) CheckBounds() error {
	var probs []string
	for i, p := range ps.Params {
		for _, end := range []struct {
			u    float64
			name string
		}{{0, "0.5%"}, {1, "99.5%"}} {
			vals := ps.Values()
			vals[i] = p.At(end.u)
			if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
				probs = append(probs, fmt.Sprintf("%s: the %s quantile of %s is %g", p.Path, end.name, p.Prior, vals[i]))
				continue
			}
			s, err := ps.With(vals)
			if err == nil {
				if vs := s.Validate(); len(vs) > 0 {
					err = vs
				}
			}
			if err != nil {
				probs = append(probs, fmt.Sprintf("%s at the %s quantile of its uncertainty %s (%g): %v", p.Path, end.name, p.Prior, vals[i], err))
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("the range searched must give a valid scenario:\n%s", strings.Join(probs, "\n"))
	}
	return nil
}

// Values returns the parameters' values as the scenario has them.
func (ps *ParamSet) Values() []float64 {
	vals := make([]float64, len(ps.Params))
	for i, p := range ps.Params {
		vals[i] = p.Value
	}
	return vals
}

// With returns a copy of the scenario with the parameters at vals and the
// groups rescaled.
func (ps *ParamSet) With(vals []float64) (*Scenario, error) {
	s := cloneScenario(ps.sc)
	for i, p := range ps.Params {
		if err := setValue(s, p.steps, func(v *Value) { v.V = vals[i] }); err != nil {
			return nil, err
		}
	}
	for _, g := range ps.groups {
		set, free := 0.0, 0.0
		for _, i := range g.set {
			set += vals[i]
		}
		for _, v := range g.freeV {
			free += v
		}
		f := (1 - set) / free
		for j, steps := range g.freeS {
			x := g.freeV[j] * f
			if err := setValue(s, steps, func(v *Value) { v.V = x }); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}
