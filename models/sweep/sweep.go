package sweep

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/sim/rng"
)

// Axis is one parameter of a grid sweep and the values it takes, each
// written as a --set value (a number, true/false, or a word).
type Axis struct {
	Path   string
	Values []string
}

// Range is one parameter of a Latin-hypercube sweep: drawn between Lo
// and Hi; a whole number when Integer.
type Range struct {
	Path    string
	Lo, Hi  float64
	Integer bool
}

// Spec says which points a sweep runs: the product of the Grid axes,
// LHS points of a Latin hypercube over Ranges, or PSA draws of every
// parameter that declares an uncertainty. One of the three.
type Spec struct {
	Grid   []Axis
	LHS    int
	Ranges []Range
	PSA    int
	// OneWay, with Ranges, runs the scenario as it is and then each range's
	// parameter at its low and at its high end, the others as they are: a
	// one-way (tornado) design of 1 + 2 × ranges points.
	OneWay bool
}

// Point is one point of a sweep: its index and the value of each of
// the plan's parameters, as --set values.
type Point struct {
	ID     int      `json:"point"`
	Values []string `json:"values"`
}

// Plan is the points of a sweep, in a fixed order. In a PSA the
// parameters are the scenario's uncertain ones, set as the calibrator sets
// them (probabilities that must sum to 1 with one drawn are rescaled);
// otherwise each point is a list of --set overrides.
type Plan struct {
	PSA    bool `json:"psa,omitempty"`
	OneWay bool `json:"one_way,omitempty"`
	// Posterior is the draws file a PSA took its calibrated parameters
	// from, and FromPosterior those parameters; the others are drawn from
	// their priors.
	Posterior     string   `json:"posterior,omitempty"`
	FromPosterior []string `json:"from_posterior,omitempty"`
	Params        []string `json:"params"`
	Points        []Point  `json:"points"`
}

// ParseAxis reads a grid axis, PATH=LO:HI:STEP (LO, LO+STEP, … up to HI) or
// PATH=A,B,C (a list).
func ParseAxis(s string) (Axis, error) {
	path, spec, ok := strings.Cut(s, "=")
	path, spec = strings.TrimSpace(path), strings.TrimSpace(spec)
	if !ok || path == "" || spec == "" {
		return Axis{}, fmt.Errorf("%q: write path=lo:hi:step or path=a,b,c", s)
	}
	ax := Axis{Path: path}
	if parts := strings.Split(spec, ":"); len(parts) == 3 {
		var xs [3]float64
		for i, p := range parts {
			x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return Axis{}, fmt.Errorf("%s: %q is not a number (write lo:hi:step)", path, p)
			}
			xs[i] = x
		}
		lo, hi, step := xs[0], xs[1], xs[2]
		if !(step > 0) || hi < lo {
			return Axis{}, fmt.Errorf("%s=%s: need lo <= hi and a positive step", path, spec)
		}
		nf := math.Floor((hi-lo)/step+1e-9) + 1 // a float first: 1e100 values overflow an int
		if nf > 100000 {
			return Axis{}, fmt.Errorf("%s=%s: %.4g values; at most 100,000", path, spec, nf)
		}
		n := int(nf)
		for i := range n {
			ax.Values = append(ax.Values, strconv.FormatFloat(lo+float64(i)*step, 'g', 12, 64))
		}
		return ax, nil
	}
	for _, v := range strings.Split(spec, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return Axis{}, fmt.Errorf("%s=%s: an empty value in the list", path, spec)
		}
		ax.Values = append(ax.Values, v)
	}
	return ax, nil
}

// ParseRange reads a range, PATH=LO:HI, for a Latin hypercube. A range whose
// ends are whole numbers and whose path ends in "capacity" draws whole
// numbers.
func ParseRange(s string) (Range, error) {
	path, spec, ok := strings.Cut(s, "=")
	path, spec = strings.TrimSpace(path), strings.TrimSpace(spec)
	lo, hi, ok2 := strings.Cut(spec, ":")
	if !ok || !ok2 || path == "" {
		return Range{}, fmt.Errorf("%q: write path=lo:hi", s)
	}
	a, err1 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if err1 != nil || err2 != nil || !(a < b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return Range{}, fmt.Errorf("%s=%s: need two numbers lo < hi", path, spec)
	}
	return Range{Path: path, Lo: a, Hi: b, Integer: strings.HasSuffix(path, "capacity") && a == math.Trunc(a) && b == math.Trunc(b)}, nil
}

// NewPlan lists the points of spec. A grid runs through its axes with the
// last one changing fastest; a hypercube's points are drawn from the stream
// "sweep/lhs" of seed, so the same seed gives the same points.
//
// A PSA draws its points from sc's uncertainties, also on a Latin hypercube
// of that stream: each parameter at the quantile of its distribution.
func NewPlan(sc *scenario.Scenario, spec Spec, seed uint64) (*Plan, error) {
	kinds := 0
	for _, on := range []bool{len(spec.Grid) > 0, spec.LHS > 0 || (len(spec.Ranges) > 0 && !spec.OneWay), spec.PSA > 0, spec.OneWay} {
		if on {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return nil, errors.New("a sweep is a grid, a Latin hypercube, a one-way design or a PSA, one of them")
	case spec.PSA > 0:
		return planPSA(sc, spec.PSA, seed)
	case spec.OneWay:
		return planOneWay(sc, spec.Ranges)
	case len(spec.Grid) > 0:
		return planGrid(spec.Grid)
	case spec.LHS > 0 && len(spec.Ranges) > 0:
		return planLHS(spec.LHS, spec.Ranges, seed), nil
	case spec.LHS > 0:
		return nil, errors.New("a Latin hypercube needs at least one range, path=lo:hi")
	case len(spec.Ranges) > 0:
		return nil, errors.New("ranges need a number of Latin-hypercube points, or a one-way design")
	}
	return nil, errors.New("nothing to sweep: give a grid's axes, a Latin hypercube's ranges and points, or a PSA's draws")
}

func planOneWay(sc *scenario.Scenario, ranges []Range) (*Plan, error) {
	if len(ranges) == 0 {
		return nil, errors.New("a one-way design needs at least one range, path=lo:hi")
	}
	values := map[string]string{}
	var all []string
	for _, p := range sc.Parameters() {
		values[p.Path] = p.Value
		all = append(all, p.Path)
	}
	plan := &Plan{OneWay: true}
	base := make([]string, len(ranges))
	for i, r := range ranges {
		v, ok := values[r.Path]
		if _, err := strconv.ParseFloat(v, 64); !ok || err != nil {
			msg := fmt.Sprintf("%s: no such number in the scenario", r.Path)
			if s := suggest.Closest(r.Path, all); s != "" && !ok {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, errors.New(msg)
		}
		plan.Params = append(plan.Params, r.Path)
		base[i] = v
	}
	plan.Points = append(plan.Points, Point{ID: 0, Values: base})
	for i, r := range ranges {
		for _, x := range []float64{r.Lo, r.Hi} {
			vals := append([]string(nil), base...)
			vals[i] = strconv.FormatFloat(x, 'g', -1, 64)
			plan.Points = append(plan.Points, Point{ID: len(plan.Points), Values: vals})
		}
	}
	return plan, nil
}

func planPSA(sc *scenario.Scenario, n int, seed uint64) (*Plan, error) {
	set, err := sc.ParamSet(nil, true)
	if err != nil {
		return nil, err
	}
	if err := set.CheckBounds(); err != nil {
		return nil, err
	}
	plan := &Plan{PSA: true}
	for _, p := range set.Params {
		plan.Params = append(plan.Params, p.Path)
	}
	cols, rows := posteriorColumns(sc, set), []int(nil)
	if len(cols) > 0 {
		plan.Posterior = sc.Draws.File
		for i, p := range set.Params {
			if _, ok := cols[i]; ok {
				plan.FromPosterior = append(plan.FromPosterior, p.Path)
			}
		}
		rows = drawOrder(seed, n, len(sc.Draws.Rows))
	}
	for id, u := range hypercube(seed, n, len(set.Params)) {
		vals := make([]string, len(set.Params))
		for i, p := range set.Params {
			x := p.Prior.Quantile(u[i])
			if col, ok := cols[i]; ok {
				x = sc.Draws.Rows[rows[id]][col]
			}
			if p.Integer {
				x = math.Round(x)
			}
			vals[i] = strconv.FormatFloat(x, 'g', -1, 64)
		}
		plan.Points = append(plan.Points, Point{ID: id, Values: vals})
	}
	return plan, nil
}

// posteriorColumns maps each parameter of set that the scenario's
// posterior draws give to its column of the draws. A parameter is taken
// from the draws only where the file that names the draws sets it: a
// scenario built on a calibrated one that sets the parameter itself (a
// lever, an override) has moved it off the posterior, so it is drawn from
// its prior.
func posteriorColumns(sc *scenario.Scenario, set *scenario.ParamSet) map[int]int {
	if sc.Draws == nil {
		return nil
	}
	from := sc.OriginOf("posterior")
	cols := map[int]int{}
	for i, p := range set.Params {
		if j := slices.Index(sc.Draws.Params, p.Path); j >= 0 && sc.OriginOf(p.Path) == from {
			cols[i] = j
		}
	}
	return cols
}

// drawOrder is the posterior draw each of n PSA points takes, out of m: a
// random order of the draws, from the stream "sweep/posterior", and a new
// one each time they are used up.
func drawOrder(seed uint64, n, m int) []int {
	r := rng.New(rng.Derive(seed, 0x5eed5), 0).Rand("sweep/posterior")
	var rows []int
	for len(rows) < n {
		rows = append(rows, r.Perm(m)...)
	}
	return rows[:n]
}

func planGrid(axes []Axis) (*Plan, error) {
	plan := &Plan{}
	n := 1
	seen := map[string]bool{}
	for _, ax := range axes {
		if seen[ax.Path] {
			return nil, fmt.Errorf("%s is an axis of the grid twice", ax.Path)
		}
		seen[ax.Path] = true
		plan.Params = append(plan.Params, ax.Path)
		n *= len(ax.Values)
		if n > 10_000_000 {
			return nil, errors.New("the grid has over 10 million points")
		}
	}
	for id := range n {
		vals := make([]string, len(axes))
		k := id
		for i := len(axes) - 1; i >= 0; i-- {
			vals[i] = axes[i].Values[k%len(axes[i].Values)]
			k /= len(axes[i].Values)
		}
		plan.Points = append(plan.Points, Point{ID: id, Values: vals})
	}
	return plan, nil
}

func planLHS(n int, ranges []Range, seed uint64) *Plan {
	plan := &Plan{}
	for _, r := range ranges {
		plan.Params = append(plan.Params, r.Path)
	}
	for id, u := range hypercube(seed, n, len(ranges)) {
		vals := make([]string, len(ranges))
		for i, r := range ranges {
			x := r.Lo + u[i]*(r.Hi-r.Lo)
			if r.Integer {
				x = math.Min(math.Floor(r.Lo+u[i]*(r.Hi-r.Lo+1)), r.Hi)
			}
			vals[i] = strconv.FormatFloat(x, 'g', 12, 64)
		}
		plan.Points = append(plan.Points, Point{ID: id, Values: vals})
	}
	return plan
}

// hypercube is LatinHypercube on a stream of its own.
func hypercube(seed uint64, n, d int) [][]float64 {
	return estimate.LatinHypercube(rng.Derive(seed, 0x5eed5), n, d)
}

// Sets returns the overrides that make point p's scenario: path=value, the
// value quoted as a string unless it is a number or true/false.
func (plan *Plan) Sets(p Point) []string {
	sets := make([]string, len(plan.Params))
	for i, path := range plan.Params {
		v := p.Values[i]
		if _, err := strconv.ParseFloat(v, 64); err != nil && v != "true" && v != "false" && !strings.HasPrefix(v, `"`) {
			v = strconv.Quote(v)
		}
		sets[i] = path + "=" + v
	}
	return sets
}

// PointSeed is the master seed of point id's replications: each point ×
// replication has streams of its own, from (seed, point, replication), so
// any point can be rerun alone and gives the same numbers, with journeysim
// run --seed (63 bits, so that a scenario's run.seed can hold it).
func PointSeed(seed uint64, id int) uint64 { return rng.Derive(seed, uint64(id)) >> 1 }

// PointScenario is point p's scenario: ref loaded by l with the overrides
// sets, then the point's values, which problems name as coming from from
// (the option that gave them, as "--vary").
func (plan *Plan) PointScenario(l *scenario.Loader, ref string, sets []string, p Point, from string) (*scenario.Scenario, error) {
	if !plan.PSA {
		return l.LoadOverrides(ref, append(scenario.Overrides("--set", sets...), scenario.Overrides(from, plan.Sets(p)...)...))
	}
	sc, err := l.Load(ref, sets)
	if err != nil {
		return nil, err
	}
	set, err := sc.ParamSet(plan.Params, true)
	if err != nil {
		return nil, err
	}
	vals := make([]float64, len(p.Values))
	for i, v := range p.Values {
		if vals[i], err = strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("%s = %q: %w", plan.Params[i], v, err)
		}
	}
	s, err := set.With(vals)
	if err != nil {
		return nil, err
	}
	if ps := s.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("the values drawn make an invalid scenario: %v", ps)
	}
	return s, nil
}
