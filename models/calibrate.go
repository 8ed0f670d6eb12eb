package models

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"gonum.org/v1/gonum/optimize"

	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/sim"
)

// Target is a metric of a scenario to fit in a calibration: the figure the
// simulated mean should match and its standard deviation, the scale that
// standardises the error (a target's error counts as ((mean − Value)/SD)²).
//
// In a targets file (see ReadTargets) each target is an array-of-tables entry:
//
//	[[target]]
//	id = "3a"                          # optional: a label, e.g. a validation check
//	metric = "exit_share.completed"    # a metric of the scenario (journeysim run lists them)
//	value = 0.6
//	sd = 0.01
//
// Targets need not come from a file: anything that can name a metric, a
// figure and its uncertainty (the validation table, by check id) can supply
// them to Calibrate.
type Target struct {
	ID     string `toml:"id"`
	Metric string `toml:"metric"`
	// Over, if set, divides the metric by the sum of these metrics in each
	// replication, as a validation check's over does: a share of exits.
	Over  []string `toml:"over"`
	Value float64  `toml:"value"`
	SD    float64  `toml:"sd"`
	// Range, if set, is a published interval [lo, hi]: a mean inside it has
	// no error, one outside is off by its distance to the nearer end.
	Range []float64 `toml:"range"`
	// Log compares on the natural-log scale, for a ratio: SD is then on
	// that scale, as a validation check's tolerance is.
	Log bool `toml:"log"`
}

// z is the standardised error of a simulated mean.
func (t Target) z(mean float64) float64 {
	if t.Log {
		lt := Target{Value: math.Log(t.Value), SD: t.SD}
		for _, x := range t.Range {
			lt.Range = append(lt.Range, math.Log(x))
		}
		return lt.z(math.Log(mean))
	}
	if len(t.Range) == 2 {
		switch {
		case mean < t.Range[0]:
			return (mean - t.Range[0]) / t.SD
		case mean > t.Range[1]:
			return (mean - t.Range[1]) / t.SD
		}
		return 0
	}
	return (mean - t.Value) / t.SD
}

// Label is the target's ID, or its metric if it has none.
func (t Target) Label() string {
	if t.ID != "" {
		return t.ID
	}
	return t.Metric
}

// ReadTargets reads a targets file: a TOML file of [[target]] tables with
// metric, value, sd and an optional id (see Target). Every problem is
// reported at once.
func ReadTargets(r io.Reader) ([]Target, error) {
	var f struct {
		Target []Target `toml:"target"`
	}
	md, err := toml.NewDecoder(r).Decode(&f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, errors.New(pe.ErrorWithPosition())
		}
		return nil, fmt.Errorf("%w; write each target as a [[target]] table with metric (a string), value and sd (numbers)", err)
	}
	var probs []string
	for _, k := range md.Undecoded() {
		probs = append(probs, fmt.Sprintf("%s: unknown key (a target has metric, value, sd and optionally id, over, range and log)", k))
	}
	if len(f.Target) == 0 && len(probs) == 0 {
		probs = append(probs, "no targets: give each as [[target]] with metric, value and sd")
	}
	for i, t := range f.Target {
		k := fmt.Sprintf("target[%d]", i)
		if t.Metric == "" {
			probs = append(probs, k+".metric: required, a metric name such as \"completion_rate\"")
		}
		if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			probs = append(probs, k+".value: must be a finite number")
		}
		if !(t.SD > 0) || math.IsInf(t.SD, 0) {
			probs = append(probs, fmt.Sprintf("%s.sd: must be a positive number, not %g", k, t.SD))
		}
		if len(t.Range) != 0 && (len(t.Range) != 2 || !(t.Range[0] <= t.Range[1])) {
			probs = append(probs, fmt.Sprintf("%s.range: must be [lo, hi] with lo <= hi, not %v", k, t.Range))
		}
		if t.Log && (!(t.Value > 0) || len(t.Range) == 2 && !(t.Range[0] > 0)) {
			probs = append(probs, k+".log: a ratio compared on the log scale must be positive")
		}
	}
	if len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "\n"))
	}
	return f.Target, nil
}

// CalibrateOptions say what to fit and how hard to search. The seed and the
// number of replications are the scenario's (run.seed, run.replications):
// set them when loading it.
type CalibrateOptions struct {
	// Targets are the metrics to fit; at least one.
	Targets []Target
	// Params are the key paths of the parameters to fit, as Scenario.Parameters
	// lists them (places.detox.exits.completed.probability,
	// places.detox.routes.completed[1].probability). Each must declare an
	// uncertainty. Nil means every parameter that declares one.
	Params []string
	// Economic keeps, when Params is nil, the parameters that only value a
	// run (costs, crime rates, QALY weights; see EconomicPath): a PSA draws
	// them, a calibration cannot fit them.
	Economic bool
	// LHS is the number of points of the first pass, a Latin hypercube; 0
	// means 20.
	LHS int
	// Evals is the budget of the local refinement (Nelder–Mead), its first
	// simplex included; 0 means 60 and a negative number skips it.
	Evals int
	// Workers is the number of simulations run at once; results do not depend
	// on it. Less than 1 means 1.
	Workers int
	// Name, if set, names the calibrated scenario; otherwise it is the
	// scenario's name with " (calibrated)".
	Name string
	// Progress, if not nil, is called from one goroutine at a time with the
	// number of points evaluated and the most there can be (the scenario's own
	// values, the LHS points and the refinement's budget). The refinement may
	// converge before its budget is spent.
	Progress func(done, total int)
}

// FittedParam is one parameter of a calibration: its value before and after,
// and the range searched (the 0.5% and 99.5% quantiles of its uncertainty).
type FittedParam struct {
	Path          string
	Uncertainty   string
	Before, After float64
	Lo, Hi        float64
	// AtBound is set when the fit lies at the edge of the range searched: the
	// data pull the parameter beyond what its uncertainty allows.
	AtBound bool
}

// TargetFit is a target with the simulated mean before and after calibration.
type TargetFit struct {
	ID, Metric    string
	Value, SD     float64
	Range         []float64 // the target's published interval, if any
	Before, After float64
}

// ValueText is the figure fitted to: the value, or the range lo to hi.
func (t TargetFit) ValueText() string {
	if len(t.Range) == 2 {
		return fmtG(t.Range[0]) + " to " + fmtG(t.Range[1])
	}
	return fmtG(t.Value)
}

// Calibration is the outcome of Calibrate.
//
// The distance is the sum over targets of ((simulated mean − value)/sd)²
// (for a target with a range, the distance to its nearer end, 0 inside),
// the simulated mean taken over the scenario's replications on common random
// numbers (the same seed and replications at every point searched), so that
// the distance is a deterministic function of the parameters.
type Calibration struct {
	Scenario string // the scenario's name
	Params   []FittedParam
	// Adjusted are parameters not fitted but rescaled with the fitted ones so
	// that probabilities that must sum to 1 still do: the other exits of a
	// place, the other routes of an exit, the other shares of a case-mix
	// attribute. Their uncertainty, if any, is kept.
	Adjusted       []FittedParam
	Targets        []TargetFit
	DistanceBefore float64
	DistanceAfter  float64
	// Evals counts the points evaluated: the scenario's own values, the LHS
	// points and the refinement's.
	Evals        int
	LHS          int
	Seed         uint64
	Replications int
	// Warmup and Horizon are the run length of each replication, in days.
	Warmup, Horizon float64

	fitted *Scenario // the scenario with the fitted values, notes set
	keys   []string  // key paths ScenarioFile writes
}

// Calibrate fits the parameters of sc named in opts to opts.Targets.
//
// Each parameter is searched between the 0.5% and 99.5% quantiles of its
// declared uncertainty, on a scale u in [0, 1] that maps through the
// distribution's quantile function (value = Q(0.005 + 0.99u)), so the
// prior's shape is respected: equal steps in u are equal steps in
// probability. Parameters whose path ends in "capacity" are rounded to whole
// places.
//
// The search minimises the distance documented on Calibration. A first pass
// evaluates the scenario's own values and a Latin hypercube of opts.LHS points
// of the unit cube, drawn from the stream "calibrate/lhs" of the scenario's
// seed; the points run in parallel and are stored by index, so the result
// does not depend on opts.Workers. Nelder–Mead (gonum/optimize) then refines
// the best point found, one evaluation at a time, within opts.Evals
// evaluations, in up to four rounds that share the budget: the first starts
// from a simplex of side 1/LHS (the width of a hypercube cell), each later
// one from the best point so far with a simplex half as wide. Points outside
// the unit cube are clamped to it, with a penalty of the squared distance
// outside so that the search comes back. The result is the best point
// evaluated.
//
// A point at which the scenario is invalid (probabilities that must sum to 1
// overrun when two fitted ones rise together) has an infinite distance.
func Calibrate(ctx context.Context, sc *Scenario, opts CalibrateOptions) (*Calibration, error) {
	if len(opts.Targets) == 0 {
		return nil, errors.New("models: no targets to calibrate to")
	}
	c, err := newCalibrator(sc, opts)
	if err != nil {
		return nil, err
	}
	return c.run(ctx)
}

// Search range, as probabilities of the uncertainty distribution.
const (
	calQLo = 0.005
	calQHi = 0.995
)

// calParam is a parameter being fitted.
type calParam struct {
	path    string
	steps   []pathStep
	dist    Dist
	integer bool
	before  float64
}

// at returns the parameter's value at u in [0, 1].
func (p *calParam) at(u float64) float64 {
	x := p.dist.Quantile(calQLo + (calQHi-calQLo)*u)
	if p.integer {
		x = math.Round(x)
	}
	return x
}

// unit returns the u at which at reaches x, clamped to [0, 1].
func (p *calParam) unit(x float64) float64 {
	lo, hi := 0.0, 1.0
	if x <= p.dist.Quantile(calQLo) {
		return 0
	}
	if x >= p.dist.Quantile(calQHi) {
		return 1
	}
	for range 60 {
		mid := (lo + hi) / 2
		if p.dist.Quantile(calQLo+(calQHi-calQLo)*mid) < x {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// sumGroup is a set of probabilities that must sum to 1, some of them
// fitted: the others are rescaled in proportion to take up the difference.
type sumGroup struct {
	what   string // "the exits of detox"
	fitted []int  // indexes into calibrator.params
	free   []string
	freeV  []float64
	freeS  [][]pathStep
}

type calibrator struct {
	sc      *Scenario
	params  []*calParam
	groups  []*sumGroup
	targets []Target
	seed    uint64
	reps    int
	lhs     int
	evals   int
	workers int

	progress    func(done, total int)
	name        string
	mu          sync.Mutex
	done, total int
}

// evaluation is one point searched.
type evaluation struct {
	vals  []float64
	means []float64
	dist  float64
	err   error // why the point is invalid; dist is then +Inf
}

func newCalibrator(sc *Scenario, opts CalibrateOptions) (*calibrator, error) {
	c := &calibrator{sc: sc, targets: opts.Targets, seed: sc.Seed(), reps: sc.Replications(),
		lhs: opts.LHS, evals: opts.Evals, workers: max(1, opts.Workers), progress: opts.Progress, name: opts.Name}
	if c.lhs == 0 {
		c.lhs = 20
	}
	if c.lhs < 0 {
		return nil, fmt.Errorf("models: %d LHS points: need at least 1", c.lhs)
	}
	if c.evals == 0 {
		c.evals = 60
	}
	if c.evals < 0 {
		c.evals = 0
	}
	// The parameters.
	uncertain := map[string]string{}
	var all, withU []string
	for _, p := range sc.Parameters() {
		all = append(all, p.Path)
		if p.Uncertainty != "" {
			uncertain[p.Path] = p.Uncertainty
			// Prices and weights cannot move a journey: left out unless named.
			if opts.Economic || !EconomicPath(p.Path) {
				withU = append(withU, p.Path)
			}
		}
	}
	paths := opts.Params
	if paths == nil {
		paths = withU
		if len(paths) == 0 {
			return nil, fmt.Errorf(`models: no parameter of %s declares an uncertainty to search within: write one as in probability = { value = 0.5, source = "C3", uncertainty = "beta(50, 50)" }`, scenarioLabel(sc))
		}
	}
	seen := map[string]bool{}
	var probs []string
	for _, path := range paths {
		if seen[path] {
			continue
		}
		seen[path] = true
		if _, ok := uncertain[path]; !ok {
			switch {
			case slices.Contains(all, path):
				probs = append(probs, fmt.Sprintf(`%s declares no uncertainty to search within: write it as { value = …, source = …, uncertainty = "…" }`, path))
			default:
				msg := fmt.Sprintf("%s: no such parameter", path)
				if s := Suggest(path, all); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
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
		v, err := valueAt(sc, steps)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		last := steps[len(steps)-1]
		c.params = append(c.params, &calParam{path: path, steps: steps, dist: v.Uncertainty,
			integer: last.key == "capacity" && len(last.index) == 0, before: v.V})
	}

	// The targets. A calibrator with none (a PSA's draws) needs no model.
	var m *Model
	var names []string
	if len(c.targets) > 0 {
		var err error
		if m, err = Build(sc); err != nil {
			return nil, err
		}
		for _, mi := range m.Metrics() {
			names = append(names, mi.Name)
		}
	}
	for i, t := range c.targets {
		for _, name := range append([]string{t.Metric}, t.Over...) {
			if m.MetricIndex(name) < 0 {
				msg := fmt.Sprintf("target %d (%s): unknown metric %q", i+1, t.Label(), name)
				if s := Suggest(name, names); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				probs = append(probs, msg)
			}
		}
		if !(t.SD > 0) || math.IsInf(t.SD, 0) || math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			probs = append(probs, fmt.Sprintf("target %d (%s): value must be finite and sd positive, not %g and %g", i+1, t.Label(), t.Value, t.SD))
		}
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("models: calibrate: %s", strings.Join(probs, "\n"))
	}
	if err := c.findGroups(); err != nil {
		return nil, err
	}
	if err := c.checkBounds(); err != nil {
		return nil, err
	}
	return c, nil
}

func scenarioLabel(sc *Scenario) string {
	if sc.Name != "" {
		return strconv.Quote(sc.Name)
	}
	return "the scenario"
}

var (
	exitProbRE  = regexp.MustCompile(`^places\.([^.\[]+)\.exits\.([^.\[]+)\.probability$`)
	routeProbRE = regexp.MustCompile(`^places\.([^.\[]+)\.routes\.([^.\[]+)\[(\d+)\]\.probability$`)
	caseMixRE   = regexp.MustCompile(`^case_mix\.([^.\[]+)\.([^.\[]+)$`)
)

// findGroups finds, for each fitted parameter that belongs to a set of
// probabilities that must sum to 1, the members that are not fitted.
func (c *calibrator) findGroups() error {
	byKey := map[string]*sumGroup{}
	var order []string
	for i, p := range c.params {
		var key, what string
		var members []string
		switch {
		case exitProbRE.MatchString(p.path):
			m := exitProbRE.FindStringSubmatch(p.path)
			ps := c.sc.Places[m[1]]
			key, what = "places."+m[1]+".exits", "the exits of "+m[1]
			for _, r := range sortedKeys(ps.Exits) {
				if ps.Exits[r] != nil && ps.Exits[r].Probability != nil {
					members = append(members, fmt.Sprintf("places.%s.exits.%s.probability", m[1], r))
				}
			}
		case routeProbRE.MatchString(p.path):
			m := routeProbRE.FindStringSubmatch(p.path)
			key, what = "places."+m[1]+".routes."+m[2], "the "+m[2]+" routes of "+m[1]
			for j, r := range c.sc.Places[m[1]].Routes[m[2]] {
				if r != nil && r.Probability != nil {
					members = append(members, fmt.Sprintf("places.%s.routes.%s[%d].probability", m[1], m[2], j))
				}
			}
		case caseMixRE.MatchString(p.path):
			m := caseMixRE.FindStringSubmatch(p.path)
			key, what = "case_mix."+m[1], "the "+m[1]+" shares"
			for _, l := range sortedKeys(c.sc.CaseMix[m[1]]) {
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
		g.fitted = append(g.fitted, i)
		g.free = slices.DeleteFunc(g.free, func(s string) bool { return s == p.path })
	}
	for _, key := range order {
		g := byKey[key]
		if len(g.free) == 0 {
			return fmt.Errorf("models: calibrate: every probability of %s is being fitted, but they must sum to 1: leave one out, to take up the difference", g.what)
		}
		sum := 0.0
		for _, f := range g.free {
			steps, err := parsePath(f)
			if err != nil {
				return err
			}
			v, err := valueAt(c.sc, steps)
			if err != nil {
				return fmt.Errorf("models: %s: %w", f, err)
			}
			g.freeS = append(g.freeS, steps)
			g.freeV = append(g.freeV, v.V)
			sum += v.V
		}
		if sum <= 0 {
			return fmt.Errorf("models: calibrate: the probabilities of %s not being fitted (%s) are all 0, so they cannot take up the difference", g.what, strings.Join(g.free, ", "))
		}
		c.groups = append(c.groups, g)
	}
	return nil
}

// checkBounds checks that the scenario is valid with each parameter at
// either end of its range, the others as they are.
func (c *calibrator) checkBounds() error {
	var probs []string
	for i, p := range c.params {
		for _, end := range []struct {
			u    float64
			name string
		}{{0, "0.5%"}, {1, "99.5%"}} {
			vals := c.beforeValues()
			vals[i] = p.at(end.u)
			if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
				probs = append(probs, fmt.Sprintf("%s: the %s quantile of %s is %g", p.path, end.name, p.dist, vals[i]))
				continue
			}
			s, err := c.scenario(vals)
			if err == nil {
				if ps := s.Validate(); len(ps) > 0 {
					err = ps
				}
			}
			if err != nil {
				probs = append(probs, fmt.Sprintf("%s at the %s quantile of its uncertainty %s (%g): %v", p.path, end.name, p.dist, vals[i], err))
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("models: calibrate: the range searched must give a valid scenario:\n%s", strings.Join(probs, "\n"))
	}
	return nil
}

func (c *calibrator) beforeValues() []float64 {
	vals := make([]float64, len(c.params))
	for i, p := range c.params {
		vals[i] = p.before
	}
	return vals
}

// scenario returns a copy of the scenario with the parameters at vals and
// the groups rescaled.
func (c *calibrator) scenario(vals []float64) (*Scenario, error) {
	s := cloneScenario(c.sc)
	for i, p := range c.params {
		if err := setValue(s, p.steps, func(v *Value) { v.V = vals[i] }); err != nil {
			return nil, err
		}
	}
	for _, g := range c.groups {
		fitted, free := 0.0, 0.0
		for _, i := range g.fitted {
			fitted += vals[i]
		}
		for _, v := range g.freeV {
			free += v
		}
		f := (1 - fitted) / free
		for j, steps := range g.freeS {
			x := g.freeV[j] * f
			if err := setValue(s, steps, func(v *Value) { v.V = x }); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// evaluate runs the scenario with the parameters at vals.
func (c *calibrator) evaluate(ctx context.Context, vals []float64, workers int) (evaluation, error) {
	e := evaluation{vals: slices.Clone(vals), dist: math.Inf(1)}
	s, err := c.scenario(vals)
	if err != nil {
		return e, err
	}
	if ps := s.Validate(); len(ps) > 0 {
		e.err = ps
		c.tick()
		return e, nil
	}
	m, err := Build(s)
	if err != nil {
		e.err = err
		c.tick()
		return e, nil
	}
	rs, err := m.Replicate(ctx, c.seed, c.reps, workers, nil)
	if err != nil {
		return e, err
	}
	e.means = make([]float64, len(c.targets))
	e.dist = 0
	for i, t := range c.targets {
		xs, err := Check{ID: t.Label(), Metric: t.Metric, Over: t.Over}.Values(m, rs)
		if err != nil {
			return e, err
		}
		sum, n := 0.0, 0
		for _, v := range xs {
			if !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		e.means[i] = math.NaN()
		if n == 0 {
			e.dist = math.Inf(1)
			e.err = fmt.Errorf("%s has no data", t.Metric)
			continue
		}
		e.means[i] = sum / float64(n)
		z := t.z(e.means[i])
		e.dist += z * z
	}
	c.tick()
	return e, nil
}

func (c *calibrator) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done++
	if c.progress != nil {
		c.progress(c.done, c.total)
	}
}

// evaluateAll evaluates points in parallel, one simulation each at a time,
// and returns the evaluations by index.
func (c *calibrator) evaluateAll(ctx context.Context, points [][]float64) ([]evaluation, error) {
	return sim.Replicate(ctx, len(points), c.workers, func(ctx context.Context, i int) (evaluation, error) {
		return c.evaluate(ctx, points[i], 1)
	}, nil)
}

// LatinHypercube returns n points of the d-dimensional unit cube, one in
// each of n equal slices of every axis, drawn from the stream
// "calibrate/lhs" of replication 0 under seed.
func LatinHypercube(seed uint64, n, d int) [][]float64 {
	r := sim.NewStreams(seed, 0).Rand("calibrate/lhs")
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
	}
	for j := range d {
		perm := r.Perm(n)
		for i := range n {
			pts[i][j] = (float64(perm[i]) + r.Float64()) / float64(n)
		}
	}
	return pts
}

func (c *calibrator) values(u []float64) []float64 {
	vals := make([]float64, len(u))
	for i, p := range c.params {
		vals[i] = p.at(u[i])
	}
	return vals
}

func (c *calibrator) run(ctx context.Context) (*Calibration, error) {
	d := len(c.params)
	c.total = 1 + c.lhs + c.evals

	// First pass: the scenario's own values, then the hypercube.
	units := append([][]float64{nil}, LatinHypercube(c.seed, c.lhs, d)...)
	points := make([][]float64, len(units))
	points[0] = c.beforeValues()
	for i := 1; i < len(units); i++ {
		points[i] = c.values(units[i])
	}
	all, err := c.evaluateAll(ctx, points)
	if err != nil {
		return nil, err
	}
	before := all[0]
	if math.IsInf(before.dist, 1) {
		return nil, fmt.Errorf("models: calibrate: the scenario as it is cannot be evaluated: %v", before.err)
	}
	best := 0
	for i, e := range all {
		if e.dist < all[best].dist {
			best = i
		}
	}

	// Nelder–Mead, restarted from the best point with a fresh, smaller
	// simplex when a round's share of the budget is spent: a simplex that
	// has collapsed along one axis in a narrow valley (a target with a small
	// sd) stops making progress, and a restart gives it back its width.
	u := units[best]
	budget := c.evals
	rounds := max(1, min(calRounds, budget/(4*(d+1))))
	h := min(max(1/float64(c.lhs), 0.02), 0.25)
	for r := 0; r < rounds && budget > 0; r++ {
		n := budget / (rounds - r)
		refined, err := c.refine(ctx, all[best], u, n, h)
		all = append(all, refined...)
		if err != nil {
			return nil, err
		}
		budget -= len(refined)
		for i, e := range all {
			if e.dist < all[best].dist {
				best = i
			}
		}
		u, h = nil, max(h/2, 0.005)
	}
	return c.result(before, all[best], len(all))
}

// calRounds is the most rounds of Nelder–Mead a calibration runs.
const calRounds = 4

// refine runs Nelder–Mead from start, whose unit coordinates are u (nil to
// take them from start's values), within budget evaluations, and returns
// the evaluations it made in order.
func (c *calibrator) refine(ctx context.Context, start evaluation, u []float64, budget int, h float64) ([]evaluation, error) {
	d := len(c.params)
	if u == nil {
		u = make([]float64, d)
		for i, p := range c.params {
			u[i] = p.unit(start.vals[i])
		}
	}
	// The first simplex: start and a step of h along each axis, inwards.
	// Its vertices run in parallel.
	verts := [][]float64{slices.Clone(u)}
	var points [][]float64
	for i := range d {
		v := slices.Clone(u)
		if v[i]+h <= 1 {
			v[i] += h
		} else {
			v[i] -= h
		}
		verts = append(verts, v)
		points = append(points, c.values(v))
	}
	if len(points) > budget {
		points, verts = points[:budget], verts[:budget+1]
	}
	evals, err := c.evaluateAll(ctx, points)
	if err != nil {
		return nil, err
	}
	budget -= len(points)
	if budget <= 0 {
		return evals, nil
	}
	fs := []float64{start.dist}
	for _, e := range evals {
		fs = append(fs, e.dist)
	}

	var runErr error
	prob := optimize.Problem{
		Func: func(x []float64) float64 {
			if runErr != nil {
				return math.Inf(1)
			}
			cu := make([]float64, d)
			pen := 0.0
			for i, xi := range x {
				cu[i] = min(max(xi, 0), 1)
				pen += (xi - cu[i]) * (xi - cu[i])
			}
			e, err := c.evaluate(ctx, c.values(cu), c.workers)
			if err != nil {
				runErr = err
				return math.Inf(1)
			}
			evals = append(evals, e)
			return e.dist + pen
		},
		Status: func() (optimize.Status, error) {
			if runErr != nil {
				return optimize.Failure, runErr
			}
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		InitValues:      &optimize.Location{F: start.dist},
		FuncEvaluations: budget,
		Concurrent:      0, // one evaluation at a time: the result is deterministic
	}
	method := &optimize.NelderMead{InitialVertices: verts, InitialValues: fs}
	_, err = optimize.Minimize(prob, slices.Clone(u), settings, method)
	if runErr != nil {
		return evals, runErr
	}
	if err := ctx.Err(); err != nil {
		return evals, err
	}
	if err != nil {
		return evals, fmt.Errorf("models: calibrate: refinement: %w", err)
	}
	return evals, nil
}

// result assembles the calibration and the calibrated scenario.
func (c *calibrator) result(before, after evaluation, n int) (*Calibration, error) {
	cal := &Calibration{Scenario: c.sc.Name, DistanceBefore: before.dist, DistanceAfter: after.dist,
		Evals: n, LHS: c.lhs, Seed: c.seed, Replications: c.reps, Warmup: c.sc.Warmup(), Horizon: c.sc.Horizon()}
	var labels []string
	for i, t := range c.targets {
		cal.Targets = append(cal.Targets, TargetFit{ID: t.ID, Metric: t.Metric, Value: t.Value, SD: t.SD, Range: slices.Clone(t.Range),
			Before: before.means[i], After: after.means[i]})
		labels = append(labels, t.Label())
	}
	fitted, err := c.scenario(after.vals)
	if err != nil {
		return nil, err
	}
	fit := fmt.Sprintf("distance %s → %s", fmtG(before.dist), fmtG(after.dist))
	var keys []string
	for i, p := range c.params {
		lo, hi := p.at(0), p.at(1)
		x, edge := after.vals[i], 1e-3*(hi-lo)
		cal.Params = append(cal.Params, FittedParam{Path: p.path, Uncertainty: p.dist.String(),
			Before: p.before, After: x, Lo: lo, Hi: hi, AtBound: x <= lo+edge || x >= hi-edge})
		note := fmt.Sprintf("fitted to %s by journeysim calibrate; %s; was %s", strings.Join(labels, ", "), fit, fmtG(p.before))
		if err := setValue(fitted, p.steps, func(v *Value) { v.Source, v.Note = calibratedSource(v), note }); err != nil {
			return nil, err
		}
		keys = append(keys, p.path)
	}
	for _, g := range c.groups {
		var names []string
		for _, i := range g.fitted {
			names = append(names, c.params[i].path)
		}
		for j, steps := range g.freeS {
			v, err := valueAt(fitted, steps)
			if err != nil {
				return nil, err
			}
			cal.Adjusted = append(cal.Adjusted, FittedParam{Path: g.free[j], Uncertainty: uncertaintyText(v),
				Before: g.freeV[j], After: v.V, Lo: math.NaN(), Hi: math.NaN()})
			note := fmt.Sprintf("rescaled with %s, calibrated, so that %s sum to 1; was %s", strings.Join(names, ", "), g.what, fmtG(g.freeV[j]))
			if err := setValue(fitted, steps, func(v *Value) { v.Source, v.Note = calibratedSource(v), note }); err != nil {
				return nil, err
			}
			keys = append(keys, g.free[j])
		}
	}
	// Overrides given when loading change the model the fit belongs to, so
	// the calibrated file repeats them (but not the run settings).
	for k, o := range c.sc.Origin {
		if isOverride(o) && !strings.HasPrefix(k, "run.") && k != "run" {
			keys = append(keys, k)
		}
	}
	fitted.Name = c.sc.Name + " (calibrated)"
	if c.name != "" {
		fitted.Name = c.name
	}
	fitted.Description = strings.TrimSpace(c.sc.Description + " Calibrated by journeysim calibrate to " + strings.Join(labels, ", ") + ".")
	// The targets fitted are recorded so that validation can tell them from
	// the checks that test the model.
	fitted.CalibratedTo = labels
	keys = append(keys, "calibrated_to")
	cal.fitted = fitted
	cal.keys = topKeys(keys)
	return cal, nil
}

// calibratedSource is the source of a value once fitted: "calibrated",
// and the rows its prior rested on, so that it is still cited
// ("derived: G6, G7" becomes "calibrated: G6, G7").
func calibratedSource(v *Value) string {
	ids, _, err := evidence.ParseRef(v.Source)
	if err != nil || len(ids) == 0 {
		return evidence.Calibrated
	}
	return evidence.Calibrated + ": " + strings.Join(ids, ", ")
}

func uncertaintyText(v *Value) string {
	if v.Uncertainty.IsZero() {
		return ""
	}
	return v.Uncertainty.String()
}

func durationText(days float64) string {
	b, _ := Duration(days).MarshalText()
	return string(b)
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// topKeys returns the keys a scenario file sets to write the values at
// paths: a path through an array becomes the array's key (the array is
// written whole), and a key below another is dropped. Sorted.
func topKeys(paths []string) []string {
	var ks []string
	for _, p := range paths {
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i]
		}
		ks = append(ks, p)
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	return slices.DeleteFunc(slices.Clone(ks), func(k string) bool {
		for _, o := range ks {
			if o != k && strings.HasPrefix(k, o+".") {
				return true
			}
		}
		return false
	})
}

// ScenarioFile returns a scenario file that sets the fitted values on top of
// base (a shipped scenario's name or a path relative to where the file will
// be): each fitted parameter becomes
//
//	{ value = X, source = "calibrated", uncertainty = "…", note = "fitted to … by journeysim calibrate; distance D0 → D1; was V0" }
//
// keeping its declared uncertainty, and so do the probabilities rescaled with
// it. A parameter inside an array of tables (a route's probability,
// places.detox.routes.completed[1].probability) cannot be set by a key of
// its own: the file sets the whole array, as the merged scenario has it, with
// that element's value changed. Overrides the scenario was loaded with

// CalibratedHeader starts every file that ScenarioFile writes, so that
// journeysim knows a file it may replace.
const CalibratedHeader = "# Calibrated by journeysim calibrate"

// (--set), other than run settings, are written too.
func (c *Calibration) ScenarioFile(base string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, CalibratedHeader+": seed %d, %d replications a point (%s warm-up,\n", c.Seed, c.Replications, durationText(c.Warmup))
	fmt.Fprintf(&b, "# %s measured), a %d-point Latin hypercube and Nelder–Mead, %d points in all.\n", durationText(c.Horizon), c.LHS, c.Evals)
	fmt.Fprintf(&b, "# Distance, the sum of squared standardised errors ((mean − value)/sd)²: %s → %s.\n", fmtG(c.DistanceBefore), fmtG(c.DistanceAfter))
	b.WriteString("#\n# target: value or range (sd): simulated mean before → after\n")
	for _, t := range c.Targets {
		label := t.Metric
		if t.ID != "" {
			label = t.ID + " " + t.Metric
		}
		fmt.Fprintf(&b, "#   %s: %s (sd %s): %s → %s\n", label, t.ValueText(), fmtG(t.SD), fmtG(t.Before), fmtG(t.After))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "name = %s\n", tomlString(c.fitted.Name))
	if c.fitted.Description != "" {
		fmt.Fprintf(&b, "description = %s\n", tomlString(c.fitted.Description))
	}
	fmt.Fprintf(&b, "base = %s\n\n", tomlString(base))
	root := reflect.ValueOf(c.fitted).Elem()
	for _, k := range c.keys {
		steps, err := parsePath(k)
		if err != nil {
			continue
		}
		v, err := lookup(root, steps)
		if err != nil || !v.IsValid() {
			continue
		}
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if omit(v) {
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", tomlKey(k), encodeTOML(v, true))
	}
	return []byte(b.String())
}

// A pathStep is one key of a parameter path with the indexes after it:
// dropped_out[1] is {"dropped_out", [1]}.
type pathStep struct {
	key   string
	index []int
}

var (
	stepRE  = regexp.MustCompile(`^([^.\[\]]+)((?:\[\d+\])*)$`)
	digitRE = regexp.MustCompile(`\d+`)
)

func parsePath(path string) ([]pathStep, error) {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		m := stepRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("models: %q is not a parameter path such as places.detox.routes.completed[1].probability", path)
		}
		s := pathStep{key: m[1]}
		for _, ix := range digitRE.FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(ix)
			s.index = append(s.index, n)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

var errNotSet = errors.New("not set in the scenario")

// walk goes down from v along steps and calls fn with what it finds. With
// write set, map entries on the way are copied, changed by fn and stored
// back, so fn may change what it is given; v must then be addressable.
func walk(v reflect.Value, steps []pathStep, write bool, fn func(reflect.Value) error) error {
	var index func(v reflect.Value, ix []int, rest []pathStep) error
	index = func(v reflect.Value, ix []int, rest []pathStep) error {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return errNotSet
			}
			v = v.Elem()
		}
		if len(ix) == 0 {
			return walk(v, rest, write, fn)
		}
		if v.Kind() != reflect.Slice {
			return fmt.Errorf("not a list")
		}
		if ix[0] >= v.Len() {
			return fmt.Errorf("index %d out of range: the list has %d elements", ix[0], v.Len())
		}
		return index(v.Index(ix[0]), ix[1:], rest)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return errNotSet
		}
		v = v.Elem()
	}
	if len(steps) == 0 {
		return fn(v)
	}
	s := steps[0]
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == s.key && t.Field(i).IsExported() {
				return index(v.Field(i), s.index, steps[1:])
			}
		}
		return fmt.Errorf("no key %q", s.key)
	case reflect.Map:
		k := reflect.ValueOf(s.key).Convert(v.Type().Key())
		mv := v.MapIndex(k)
		if !mv.IsValid() {
			return errNotSet
		}
		if !write {
			return index(mv, s.index, steps[1:])
		}
		cp := reflect.New(mv.Type()).Elem()
		cp.Set(mv)
		if err := index(cp, s.index, steps[1:]); err != nil {
			return err
		}
		v.SetMapIndex(k, cp)
		return nil
	}
	return fmt.Errorf("%q is not a table", s.key)
}

// lookup returns the value at steps below v.
func lookup(v reflect.Value, steps []pathStep) (reflect.Value, error) {
	var out reflect.Value
	err := walk(v, steps, false, func(x reflect.Value) error { out = x; return nil })
	return out, err
}

// valueAt returns the Value at steps in s.
func valueAt(s *Scenario, steps []pathStep) (*Value, error) {
	x, err := lookup(reflect.ValueOf(s).Elem(), steps)
	if err != nil {
		return nil, err
	}
	if x.Type() != valueT {
		return nil, fmt.Errorf("not a number with provenance")
	}
	v := x.Interface().(Value)
	return &v, nil
}

// setValue changes the Value at steps in s, which must not be shared.
func setValue(s *Scenario, steps []pathStep, fn func(*Value)) error {
	return walk(reflect.ValueOf(s).Elem(), steps, true, func(x reflect.Value) error {
		if x.Type() != valueT || !x.CanSet() {
			return fmt.Errorf("models: cannot set %v", x.Type())
		}
		v := x.Interface().(Value)
		fn(&v)
		x.Set(reflect.ValueOf(v))
		return nil
	})
}

// cloneScenario returns a copy of s that shares nothing that a parameter
// path can reach: tables, lists and values are copied; distributions and
// conditions, which are read-only, are shared.
func cloneScenario(s *Scenario) *Scenario {
	return deepCopy(reflect.ValueOf(s)).Interface().(*Scenario)
}

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	}
	return v
}

var bareKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// tomlKey writes a dotted key path, quoting the parts that need it.
func tomlKey(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if !bareKeyRE.MatchString(p) {
			parts[i] = tomlString(p)
		}
	}
	return strings.Join(parts, ".")
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var textMarshalerT = reflect.TypeFor[encoding.TextMarshaler]()

// encodeTOML writes v, a part of a Scenario, as a TOML value: tables inline,
// and, at the top, a list of tables one element a line.
func encodeTOML(v reflect.Value, top bool) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return `""`
		}
		v = v.Elem()
	}
	t := v.Type()
	if t == valueT {
		val := v.Interface().(Value)
		if val.Source == "" && val.Uncertainty.IsZero() && val.Note == "" {
			return tomlNumber(val.V)
		}
		parts := []string{"value = " + tomlNumber(val.V)}
		if val.Source != "" {
			parts = append(parts, "source = "+tomlString(val.Source))
		}
		if !val.Uncertainty.IsZero() {
			parts = append(parts, "uncertainty = "+tomlString(val.Uncertainty.String()))
		}
		if val.Note != "" {
			parts = append(parts, "note = "+tomlString(val.Note))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if t == reflect.TypeFor[PolicyValue]() {
		p := v.Interface().(PolicyValue)
		val := reflect.ValueOf(p.V)
		if !val.IsValid() {
			return `""`
		}
		if len(p.Allowed) == 0 && p.Note == "" {
			return encodeTOML(val, false)
		}
		parts := []string{"value = " + encodeTOML(val, false)}
		if len(p.Allowed) > 0 {
			parts = append(parts, "allowed = "+encodeTOML(reflect.ValueOf(p.Allowed), false))
		}
		if p.Note != "" {
			parts = append(parts, "note = "+tomlString(p.Note))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	if t.Implements(textMarshalerT) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return `""`
		}
		return tomlString(string(b))
	}
	switch v.Kind() {
	case reflect.Struct:
		var parts []string
		for i := range t.NumField() {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
			if tag == "" || tag == "-" || !t.Field(i).IsExported() || omit(v.Field(i)) {
				continue
			}
			parts = append(parts, tomlKey(tag)+" = "+encodeTOML(v.Field(i), false))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case reflect.Map:
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		slices.Sort(names)
		var parts []string
		for _, n := range names {
			mv := v.MapIndex(reflect.ValueOf(n).Convert(t.Key()))
			if omit(mv) {
				continue
			}
			parts = append(parts, tomlKey(n)+" = "+encodeTOML(mv, false))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case reflect.Slice, reflect.Array:
		var parts []string
		for i := range v.Len() {
			parts = append(parts, encodeTOML(v.Index(i), false))
		}
		if top && v.Len() > 0 {
			return "[\n  " + strings.Join(parts, ",\n  ") + ",\n]"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		return tomlString(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return tomlNumber(v.Float())
	}
	return `""`
}

// omit reports whether a field is absent: a nil pointer, list or table, an
// empty string, or a zero distribution or condition. Numbers are always
// written.
func omit(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.String() == ""
	}
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return false
}

// tomlNumber writes a finite number exactly: an integer if it is one.
func tomlNumber(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
