package calibrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/journeysim/journeysim/models/internal/suggest"

	"github.com/BurntSushi/toml"
	"gonum.org/v1/gonum/optimize"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
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

// Z is the standardised error of a simulated mean: within ±2 is a fit.
func (t Target) Z(mean float64) float64 {
	if t.Log {
		lt := Target{Value: math.Log(t.Value), SD: t.SD}
		for _, x := range t.Range {
			lt.Range = append(lt.Range, math.Log(x))
		}
		return lt.Z(math.Log(mean))
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

// Options say what to fit and how hard to search. The seed and the number
// of replications are the scenario's (run.seed, run.replications): set them
// when loading it.
type Options struct {
	// Simulator runs the scenarios searched (models.Simulator).
	Simulator result.Simulator
	// Targets are the metrics to fit; at least one.
	Targets []Target
	// Params are the key paths of the parameters to fit, as Scenario.Parameters
	// lists them (places.detox.exits.completed.probability,
	// places.detox.routes.completed[1].probability). Each must declare an
	// uncertainty. Nil means every parameter that declares one.
	Params []string
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
	// Particles, if positive, also samples the posterior (see Posterior)
	// with that many particles, starting around the point fit; the point
	// the calibrated scenario sets is then the nearer to the targets of
	// the fit and the draws.
	Particles int
	// Moves is the number of Metropolis moves of every particle in each
	// generation of the posterior sampler; 0 means 2.
	Moves int
	// HeldOut are checks left out of the fit on purpose: their simulated
	// means are recorded at every point, but they do not count in the
	// distance.
	HeldOut []Target
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
	Evals int
	LHS   int
	// Posterior is the sample of the posterior, if one was drawn; HeldOut
	// the checks left out of the fit, whose means it records too, and
	// HeldOutAfter their simulated means at the fit.
	Posterior    *Posterior
	HeldOut      []Target
	HeldOutAfter []float64
	Seed         uint64
	Replications int
	// Warmup and Horizon are the run length of each replication, in days.
	Warmup, Horizon float64

	fitted *scenario.Scenario // the scenario with the fitted values, notes set
	keys   []string           // key paths ScenarioFile writes
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
func Calibrate(ctx context.Context, sc *scenario.Scenario, opts Options) (*Calibration, error) {
	if len(opts.Targets) == 0 {
		return nil, errors.New("calibrate: no targets to calibrate to")
	}
	c, err := newCalibrator(sc, opts)
	if err != nil {
		return nil, err
	}
	return c.run(ctx)
}

type calibrator struct {
	sc      *scenario.Scenario
	sim     result.Simulator
	set     *scenario.ParamSet
	params  []*scenario.Param
	targets []Target
	seed    uint64
	reps    int
	lhs     int
	evals   int
	workers int

	particles, moves int
	heldOut          []Target

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

func newCalibrator(sc *scenario.Scenario, opts Options) (*calibrator, error) {
	c := &calibrator{sc: sc, sim: opts.Simulator, targets: opts.Targets, seed: sc.Seed(), reps: sc.Replications(),
		lhs: opts.LHS, evals: opts.Evals, workers: max(1, opts.Workers), progress: opts.Progress, name: opts.Name,
		particles: opts.Particles, moves: opts.Moves, heldOut: opts.HeldOut}
	if c.moves <= 0 {
		c.moves = 2
	}
	if c.lhs == 0 {
		c.lhs = 20
	}
	if c.lhs < 0 {
		return nil, fmt.Errorf("calibrate: %d LHS points: need at least 1", c.lhs)
	}
	if c.evals == 0 {
		c.evals = 60
	}
	if c.evals < 0 {
		c.evals = 0
	}
	set, err := sc.ParamSet(opts.Params, false)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	c.set, c.params = set, set.Params
	lay, err := c.sim.Layout(sc)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, mi := range lay.Metrics {
		names = append(names, mi.Name)
	}
	var probs []string
	for i, t := range append(slices.Clone(c.targets), c.heldOut...) {
		for _, name := range append([]string{t.Metric}, t.Over...) {
			if lay.MetricIndex(name) < 0 {
				msg := fmt.Sprintf("target %d (%s): unknown metric %q", i+1, t.Label(), name)
				if s := suggest.Closest(name, names); s != "" {
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
		return nil, fmt.Errorf("calibrate: %s", strings.Join(probs, "\n"))
	}
	if err := set.CheckBounds(); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return c, nil
}

// evaluate runs the scenario with the parameters at vals.
func (c *calibrator) evaluate(ctx context.Context, vals []float64, workers int) (evaluation, error) {
	e := evaluation{vals: slices.Clone(vals), dist: math.Inf(1)}
	s, err := c.set.With(vals)
	if err != nil {
		return e, err
	}
	if ps := s.Validate(); len(ps) > 0 {
		e.err = ps
		c.tick()
		return e, nil
	}
	lay, rs, err := c.sim.Run(ctx, s, c.seed, c.reps, workers, nil)
	if ps := (scenario.Problems)(nil); errors.As(err, &ps) {
		e.err = err // a model that cannot be built: an invalid point
		c.tick()
		return e, nil
	}
	if err != nil {
		return e, err
	}
	e.means = make([]float64, len(c.targets)+len(c.heldOut))
	e.dist = 0
	for i, t := range append(slices.Clone(c.targets), c.heldOut...) {
		xs, err := lay.Share(rs, t.Metric, t.Over)
		if err != nil {
			return e, fmt.Errorf("calibrate: target %s: %w", t.Label(), err)
		}
		sum, n := 0.0, 0
		for _, v := range xs {
			if !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		e.means[i] = math.NaN()
		if n == 0 && i < len(c.targets) {
			e.dist = math.Inf(1)
			e.err = fmt.Errorf("%s has no data", t.Metric)
			continue
		}
		e.means[i] = sum / float64(n)
		if i < len(c.targets) {
			z := t.Z(e.means[i])
			e.dist += z * z
		}
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

func (c *calibrator) values(u []float64) []float64 {
	vals := make([]float64, len(u))
	for i, p := range c.params {
		vals[i] = p.At(u[i])
	}
	return vals
}

func (c *calibrator) run(ctx context.Context) (*Calibration, error) {
	c.total = 1 + c.lhs + c.evals
	if c.particles > 0 {
		c.total += c.particles * (1 + c.moves*10) // a guess: the sampler stops when it reaches the posterior
	}
	before, best, n, err := c.pointFit(ctx)
	if err != nil {
		return nil, err
	}
	if c.particles == 0 {
		return c.result(before, best, n)
	}
	u := make([]float64, len(c.params))
	for i, p := range c.params {
		u[i] = p.Unit(best.vals[i])
	}
	post, err := c.posterior(ctx, c.particles, newReference(u))
	if err != nil {
		return nil, err
	}
	for i, x := range post.Distance {
		if x < best.dist {
			best = evaluation{vals: post.Draws[i], means: post.Means[i], dist: x}
		}
	}
	cal, err := c.result(before, best, n+post.Evals)
	if err != nil {
		return nil, err
	}
	cal.Posterior, cal.HeldOut = post, c.heldOut
	return cal, nil
}

// pointFit evaluates the scenario's own values and a Latin hypercube, then
// refines the best point by Nelder–Mead: the scenario as it was, the best
// point found and the number of points evaluated.
func (c *calibrator) pointFit(ctx context.Context) (before, best evaluation, n int, err error) {
	d := len(c.params)
	// First pass: the scenario's own values, then the hypercube.
	units := append([][]float64{nil}, estimate.LatinHypercube(c.seed, c.lhs, d)...)
	points := make([][]float64, len(units))
	points[0] = c.set.Values()
	for i := 1; i < len(units); i++ {
		points[i] = c.values(units[i])
	}
	all, err := c.evaluateAll(ctx, points)
	if err != nil {
		return before, best, 0, err
	}
	before = all[0]
	if math.IsInf(before.dist, 1) {
		return before, best, 0, fmt.Errorf("calibrate: the scenario as it is cannot be evaluated: %v", before.err)
	}
	bi := 0
	for i, e := range all {
		if e.dist < all[bi].dist {
			bi = i
		}
	}

	// Nelder–Mead, restarted from the best point with a fresh, smaller
	// simplex when a round's share of the budget is spent: a simplex that
	// has collapsed along one axis in a narrow valley (a target with a small
	// sd) stops making progress, and a restart gives it back its width.
	u := units[bi]
	budget := c.evals
	rounds := max(1, min(calRounds, budget/(4*(d+1))))
	h := min(max(1/float64(c.lhs), 0.02), 0.25)
	for r := 0; r < rounds && budget > 0; r++ {
		n := budget / (rounds - r)
		refined, err := c.refine(ctx, all[bi], u, n, h)
		all = append(all, refined...)
		if err != nil {
			return before, best, 0, err
		}
		budget -= len(refined)
		for i, e := range all {
			if e.dist < all[bi].dist {
				bi = i
			}
		}
		u, h = nil, max(h/2, 0.005)
	}
	return before, all[bi], len(all), nil
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
			u[i] = p.Unit(start.vals[i])
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
		return evals, fmt.Errorf("calibrate: refinement: %w", err)
	}
	return evals, nil
}

// result assembles the calibration and the calibrated scenario.
func (c *calibrator) result(before, after evaluation, n int) (*Calibration, error) {
	cal := &Calibration{Scenario: c.sc.Name, DistanceBefore: before.dist, DistanceAfter: after.dist, HeldOut: c.heldOut,
		HeldOutAfter: slices.Clone(after.means[len(c.targets):]),
		Evals:        n, LHS: c.lhs, Seed: c.seed, Replications: c.reps, Warmup: c.sc.Warmup(), Horizon: c.sc.Horizon()}
	var labels []string
	for i, t := range c.targets {
		cal.Targets = append(cal.Targets, TargetFit{ID: t.ID, Metric: t.Metric, Value: t.Value, SD: t.SD, Range: slices.Clone(t.Range),
			Before: before.means[i], After: after.means[i]})
		labels = append(labels, t.Label())
	}
	fitted, err := c.set.With(after.vals)
	if err != nil {
		return nil, err
	}
	fit := fmt.Sprintf("distance %s → %s", fmtG(before.dist), fmtG(after.dist))
	setNote := func(path, note string) error {
		p, err := scenario.ParsePath(path)
		if err != nil {
			return err
		}
		return fitted.SetValue(p, func(v *scenario.Value) { v.Source, v.Note = scenario.Calibrated(v), note })
	}
	var keys []string
	for i, p := range c.params {
		lo, hi := p.At(0), p.At(1)
		x, edge := after.vals[i], 1e-3*(hi-lo)
		cal.Params = append(cal.Params, FittedParam{Path: p.Path, Uncertainty: p.Prior.String(),
			Before: p.Value, After: x, Lo: lo, Hi: hi, AtBound: x <= lo+edge || x >= hi-edge})
		if err := setNote(p.Path, fmt.Sprintf("fitted to %s by journeysim calibrate; %s; was %s", strings.Join(labels, ", "), fit, fmtG(p.Value))); err != nil {
			return nil, err
		}
		keys = append(keys, p.Path)
	}
	for _, r := range c.set.Rescaled() {
		path, err := scenario.ParsePath(r.Path)
		if err != nil {
			return nil, err
		}
		v, err := fitted.Value(path)
		if err != nil {
			return nil, err
		}
		u := "-"
		if !v.Uncertainty.IsZero() {
			u = v.Uncertainty.String()
		}
		cal.Adjusted = append(cal.Adjusted, FittedParam{Path: r.Path, Uncertainty: u,
			Before: r.Before, After: v.V, Lo: math.NaN(), Hi: math.NaN()})
		if err := setNote(r.Path, fmt.Sprintf("rescaled with %s, calibrated, so that %s sum to 1; was %s", strings.Join(r.By, ", "), r.What, fmtG(r.Before))); err != nil {
			return nil, err
		}
		keys = append(keys, r.Path)
	}
	// Overrides given when loading change the model the fit belongs to, so
	// the calibrated file repeats them (but not the run settings).
	keys = append(keys, c.sc.Overridden()...)
	fitted.Name = c.sc.Name + " (calibrated)"
	if c.name != "" {
		fitted.Name = c.name
	}
	desc, _, _ := strings.Cut(c.sc.Description, " Calibrated by journeysim calibrate to ") // a refit says it once
	fitted.Description = strings.TrimSpace(desc + " Calibrated by journeysim calibrate to " + strings.Join(labels, ", ") + ".")
	// The targets fitted are recorded so that validation can tell them from
	// the checks that test the model, after those the scenario was already
	// fitted to by hand (its own calibrated_to), which stay fitted.
	fitted.CalibratedTo = nil
	for _, l := range c.sc.CalibratedTo {
		// A check held out now is no longer fitted, whatever the fit before.
		if !slices.ContainsFunc(c.heldOut, func(t Target) bool { return t.Label() == l }) {
			fitted.CalibratedTo = append(fitted.CalibratedTo, l)
		}
	}
	for _, l := range labels {
		if !slices.Contains(fitted.CalibratedTo, l) {
			fitted.CalibratedTo = append(fitted.CalibratedTo, l)
		}
	}
	keys = append(keys, "calibrated_to")
	if len(c.heldOut) > 0 {
		fitted.HeldOut = nil
		for _, t := range c.heldOut {
			fitted.HeldOut = append(fitted.HeldOut, t.Label())
		}
		keys = append(keys, "held_out")
	}
	cal.fitted = fitted
	cal.keys = scenario.TopKeys(keys)
	return cal, nil
}

// CalibratedHeader starts every file that ScenarioFile writes, so that
// journeysim knows a file it may replace.
const CalibratedHeader = "# Calibrated by journeysim calibrate"

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
// (--set), other than run settings, are written too.
func (c *Calibration) ScenarioFile(base string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, CalibratedHeader+": seed %d, %d replications a point (%s warm-up,\n", c.Seed, c.Replications, scenario.FormatDays(c.Warmup))
	if p := c.Posterior; p != nil {
		fmt.Fprintf(&b, "# %s measured). The posterior: %d draws by sequential Monte Carlo (%d generations,\n", scenario.FormatDays(c.Horizon), len(p.Draws), len(p.Steps))
		fmt.Fprintf(&b, "# %d model runs), in %s. The point: the nearest the targets of the\n", p.Evals, c.fitted.Posterior)
		fmt.Fprintf(&b, "# Nelder–Mead fit and the draws; %d points in all.\n", c.Evals)
	} else {
		fmt.Fprintf(&b, "# %s measured), a %d-point Latin hypercube and Nelder–Mead, %d points in all.\n", scenario.FormatDays(c.Horizon), c.LHS, c.Evals)
	}
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
	return c.fitted.Encode(b.String(), base, c.keys)
}

// SetPosteriorFile names the file the posterior draws are written to,
// relative to the calibrated scenario file: its posterior key.
func (c *Calibration) SetPosteriorFile(name string) {
	c.fitted.Posterior = name
	c.keys = append(c.keys, "posterior")
}

// DrawsFile returns the posterior draws as a draws file (scenario.Draws),
// its comments saying how they were made and how the held-out checks fare.
func (c *Calibration) DrawsFile() []byte {
	p := c.Posterior
	var b strings.Builder
	fmt.Fprintf(&b, "Posterior draws of %s by journeysim calibrate --posterior: sequential Monte Carlo\n", c.fitted.Name)
	fmt.Fprintf(&b, "(ABC-SMC with a Gaussian kernel tempered to the targets' sds), %d particles,\n", len(p.Draws))
	fmt.Fprintf(&b, "%d Metropolis moves a generation, %d generations, %d model runs of %d replications\n", p.Moves, len(p.Steps), p.Evals, c.Replications)
	fmt.Fprintf(&b, "(seed %d, %s warm-up, %s measured). Each row is an equally weighted draw;\n", c.Seed, scenario.FormatDays(c.Warmup), scenario.FormatDays(c.Horizon))
	b.WriteString("distance is the sum of squared standardised errors to the targets.\n\n")
	b.WriteString("generation: temperature, effective sample size, share of moves accepted, distinct particles\n")
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "  %d: %.4g, %.1f, %.2f, %d\n", i+1, s.Temperature, s.ESS, s.Accepted, s.Unique)
	}
	b.WriteString("\ntarget: value or range (sd): posterior median of the simulated mean, 90% interval\n")
	for k, t := range c.Targets {
		fmt.Fprintf(&b, "  %s: %s (sd %s): %s, %s to %s\n", targetLabel(t.ID, t.Metric), t.ValueText(), fmtG(t.SD),
			fmtG(p.MeanQuantile(k, 0.5)), fmtG(p.MeanQuantile(k, 0.05)), fmtG(p.MeanQuantile(k, 0.95)))
	}
	for k, t := range c.HeldOut {
		k += len(c.Targets)
		fmt.Fprintf(&b, "  held out, not fitted: %s: %s (sd %s): %s, %s to %s\n", targetLabel(t.ID, t.Metric), TargetFit{Value: t.Value, Range: t.Range}.ValueText(), fmtG(t.SD),
			fmtG(p.MeanQuantile(k, 0.5)), fmtG(p.MeanQuantile(k, 0.05)), fmtG(p.MeanQuantile(k, 0.95)))
	}
	d := &scenario.Draws{Params: p.Params, Distance: p.Distance, Rows: p.Draws}
	return d.Encode(b.String())
}

func targetLabel(id, metric string) string {
	if id != "" {
		return id + " " + metric
	}
	return metric
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// BaseRef returns how a scenario file written to out names ref as its base:
// a path relative to out's folder for a file on disk, else ref, the name of
// a shipped scenario.
func BaseRef(ref, out string) string {
	fi, err := os.Stat(ref)
	if err != nil || fi.IsDir() {
		return ref
	}
	absRef, err1 := filepath.Abs(ref)
	absDir, err2 := filepath.Abs(filepath.Dir(out))
	if err1 != nil || err2 != nil {
		return ref
	}
	rel, err := filepath.Rel(absDir, absRef)
	if err != nil {
		return filepath.ToSlash(absRef)
	}
	return filepath.ToSlash(rel)
}

// DrawsHeader starts every draws file that DrawsFile writes, so that
// journeysim knows a file it may replace.
const DrawsHeader = "# Posterior draws of "
