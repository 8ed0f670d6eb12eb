package calibrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

const calTestScenario = "testdata/small.toml"

// simulator runs the scenarios calibrated.
var simulator = models.Simulator{}

// The two uncertain parameters of the test scenario and their true values
// in TestCalibrateRecovers.
var (
	calTestParams  = []string{"places.treat.exits.completed.probability", "places.treat.routes.dropped_out[0].probability"}
	calTestMetrics = []string{"exit_share.completed", "repeat_share.treat"}
	calTestTruth   = []float64{0.6, 0.5}
)

func loadCalTest(t *testing.T, sets ...string) *scenario.Scenario {
	t.Helper()
	sc, err := models.Load(calTestScenario, sets)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// metricsAt runs sc with the calibrated parameters at vals under seed and
// returns, for each of calTestMetrics, its value in every replication.
func metricsAt(t *testing.T, c *calibrator, vals []float64, seed uint64, reps int) [][]float64 {
	t.Helper()
	s, err := c.set.With(vals)
	if err != nil {
		t.Fatal(err)
	}
	if ps := s.Validate(); len(ps) > 0 {
		t.Fatal(ps)
	}
	m, rs, err := simulator.Run(context.Background(), s, seed, reps, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(calTestMetrics))
	for k, name := range calTestMetrics {
		i := m.MetricIndex(name)
		for _, r := range rs {
			out[k] = append(out[k], r.Values[i])
		}
	}
	return out
}

// TestCalibrateRecovers generates targets from the model itself at known
// parameter values, starts from other values (the medians of the
// uncertainties) and checks that calibration finds the known values again,
// within a tolerance computed from the replication noise.
func TestCalibrateRecovers(t *testing.T) {
	sc := loadCalTest(t)
	R := sc.Replications()
	c, err := newCalibrator(sc, Options{Simulator: simulator, Params: calTestParams, Targets: []Target{{Metric: calTestMetrics[0], SD: 1}, {Metric: calTestMetrics[1], SD: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range c.params {
		if med := p.Prior.Quantile(0.5); math.Abs(p.Value-med) > 0.005 {
			t.Fatalf("%s starts at %g, not at the median of its uncertainty %g", p.Path, p.Value, med)
		}
		if p.Value == calTestTruth[i] {
			t.Fatalf("%s starts at the truth", p.Path)
		}
	}

	// Targets: means of 4R replications at the truth on another seed, so
	// they carry noise of their own as published figures do. The sd of each
	// target is the standard error of a calibration mean (R replications).
	const targetSeed = 1011
	obs := metricsAt(t, c, calTestTruth, targetSeed, 4*R)
	var targets []Target
	for k, name := range calTestMetrics {
		mean, sd := stat.MeanStdDev(obs[k], nil)
		targets = append(targets, Target{Metric: name, Value: mean, SD: sd / math.Sqrt(float64(R))})
	}

	// The tolerance. The fitted values solve mean(θ) = target for the
	// calibration's common random numbers, so their error is about
	// J⁻¹(ε_target − ε_crn), where J is the slope of the means in θ and the
	// two ε are independent noises with covariances Σ/4R and Σ/R (Σ the
	// covariance of one replication's metrics). Allow 4 standard errors of
	// that, plus 0.005 for the optimiser's resolution.
	var sigma mat.SymDense
	stat.CovarianceMatrix(&sigma, mat.NewDense(4*R, 2, interleave(obs)), nil)
	sigma.ScaleSym(1/float64(4*R)+1/float64(R), &sigma)
	const h = 0.05
	J := mat.NewDense(2, 2, nil)
	for j := range calTestTruth {
		up, down := slices.Clone(calTestTruth), slices.Clone(calTestTruth)
		up[j] += h
		down[j] -= h
		mu, md := metricsAt(t, c, up, sc.Seed(), R), metricsAt(t, c, down, sc.Seed(), R)
		for k := range calTestMetrics {
			J.Set(k, j, (stat.Mean(mu[k], nil)-stat.Mean(md[k], nil))/(2*h))
		}
	}
	var Jinv, cov mat.Dense
	if err := Jinv.Inverse(J); err != nil {
		t.Fatal(err)
	}
	cov.Product(&Jinv, &sigma, Jinv.T())
	tol := []float64{4*math.Sqrt(cov.At(0, 0)) + 0.005, 4*math.Sqrt(cov.At(1, 1)) + 0.005}

	// A check the scenario was fitted to by hand stays fitted.
	sc.CalibratedTo = []string{"by-hand"}
	var calls, last int
	cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Params: calTestParams, Targets: targets, Workers: 2,
		Progress: func(done, total int) { calls++; last = done }})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range cal.Params {
		t.Logf("%s: before %.4f, truth %.4f, fitted %.4f (error %+.4f, tolerance %.4f, range %.3f to %.3f)",
			p.Path, p.Before, calTestTruth[i], p.After, p.After-calTestTruth[i], tol[i], p.Lo, p.Hi)
		if math.Abs(p.After-calTestTruth[i]) > tol[i] {
			t.Errorf("%s = %.4f, want %.4f ± %.4f", p.Path, p.After, calTestTruth[i], tol[i])
		}
	}
	for _, tf := range cal.Targets {
		t.Logf("%s: target %.4f (sd %.4f), before %.4f, after %.4f", tf.Metric, tf.Value, tf.SD, tf.Before, tf.After)
	}
	t.Logf("distance %.4g → %.4g in %d points", cal.DistanceBefore, cal.DistanceAfter, cal.Evals)
	// At the truth the distance is a sum of two squared standardised errors
	// with variance 1 + 1/4 each: about 2.5 expected; the fit can only do
	// better.
	if !(cal.DistanceAfter < cal.DistanceBefore) || cal.DistanceAfter > 20 {
		t.Errorf("distance %g → %g", cal.DistanceBefore, cal.DistanceAfter)
	}
	if cal.Evals > 1+20+60 || calls != cal.Evals || last != cal.Evals {
		t.Errorf("%d points evaluated, progress called %d times, last with %d; budget 81", cal.Evals, calls, last)
	}
	// The other exit and route were rescaled so each set sums to 1.
	want := map[string]float64{
		"places.treat.exits.dropped_out.probability":     1 - cal.Params[0].After,
		"places.treat.routes.dropped_out[1].probability": 1 - cal.Params[1].After,
	}
	for _, a := range cal.Adjusted {
		if w, ok := want[a.Path]; !ok || math.Abs(a.After-w) > 1e-12 {
			t.Errorf("adjusted %s = %g, want %g", a.Path, a.After, w)
		}
		delete(want, a.Path)
	}
	if len(want) > 0 {
		t.Errorf("not adjusted: %v", want)
	}

	if want := []string{"by-hand", calTestMetrics[0], calTestMetrics[1]}; !slices.Equal(cal.fitted.CalibratedTo, want) {
		t.Errorf("calibrated_to %q, want %q", cal.fitted.CalibratedTo, want)
	}
	t.Run("scenario file", func(t *testing.T) { checkScenarioFile(t, cal) })
}

// interleave lays columns out as the rows of a dense matrix.
func interleave(cols [][]float64) []float64 {
	var out []float64
	for i := range cols[0] {
		for _, c := range cols {
			out = append(out, c[i])
		}
	}
	return out
}

// checkScenarioFile writes cal's scenario file next to a copy of the test
// scenario, loads it and checks that it reproduces the fitted scenario:
// every parameter with its value, source, uncertainty and note.
func checkScenarioFile(t *testing.T, cal *Calibration) {
	dir := t.TempDir()
	src, err := os.ReadFile(calTestScenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.toml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	file := cal.ScenarioFile("small.toml")
	path := filepath.Join(dir, "calibrated.toml")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", file)
	got, err := models.Load(path, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, file)
	}
	for _, p := range cal.Params {
		v, err := got.Value(mustPath(t, p.Path))
		if err != nil {
			t.Fatal(err)
		}
		if v.V != p.After || v.Source != "calibrated" || v.Uncertainty.String() != p.Uncertainty || !strings.Contains(v.Note, "by journeysim calibrate") {
			t.Errorf("%s loads as %+v, want value %v, source calibrated and uncertainty %s", p.Path, *v, p.After, p.Uncertainty)
		}
	}
	strip := func(ps []scenario.Parameter) []scenario.Parameter {
		for i := range ps {
			ps[i].Origin = ""
		}
		return ps
	}
	if g, w := strip(got.Parameters()), strip(cal.fitted.Parameters()); !reflect.DeepEqual(g, w) {
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Errorf("parameter %d: loaded %+v, fitted %+v", i, g[i], w[i])
			}
		}
		t.Errorf("the loaded file's %d parameters differ from the fitted scenario's %d", len(g), len(w))
	}
	if got.Name != "Calibration test (calibrated)" {
		t.Errorf("name %q", got.Name)
	}
}

// TestCalibrateWorkers checks that the result does not depend on the
// number of workers.
func TestCalibrateWorkers(t *testing.T) {
	sc := loadCalTest(t, "run.replications=4")
	targets := []Target{{Metric: "exit_share.completed", Value: 0.6, SD: 0.01}, {Metric: "repeat_share.treat", Value: 0.2, SD: 0.01}}
	var cals []*Calibration
	for _, w := range []int{1, 3} {
		cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Targets: targets, LHS: 6, Evals: 10, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		cals = append(cals, cal)
	}
	a, b := cals[0], cals[1]
	if !reflect.DeepEqual(a.Params, b.Params) || !reflect.DeepEqual(a.Targets, b.Targets) ||
		a.DistanceAfter != b.DistanceAfter || a.Evals != b.Evals || !bytes.Equal(a.ScenarioFile("x"), b.ScenarioFile("x")) {
		t.Errorf("1 worker: %+v\n3 workers: %+v", a, b)
	}
	if a.Evals > 1+6+10 {
		t.Errorf("%d points evaluated, budget 17", a.Evals)
	}
}

// TestCalibrateNoRefinement checks a first pass alone, and that overrides
// the scenario was loaded with are written into the calibrated file.
func TestCalibrateNoRefinement(t *testing.T) {
	sc := loadCalTest(t, "run.replications=2", "arrivals.per_year=450")
	cal, err := Calibrate(context.Background(), sc, Options{Simulator: simulator, Params: calTestParams[:1],
		Targets: []Target{{Metric: "exit_share.completed", Value: 0.6, SD: 0.01}}, LHS: 3, Evals: -1})
	if err != nil {
		t.Fatal(err)
	}
	if cal.Evals != 4 {
		t.Errorf("%d points, want 4", cal.Evals)
	}
	file := string(cal.ScenarioFile("small.toml"))
	for _, want := range []string{
		"\narrivals.per_year = { value = 450, source = \"assumption\", note = \"set on the command line\" }\n",
		"\nplaces.treat.exits.completed.probability = { value = ",
		"\nplaces.treat.exits.dropped_out.probability = { value = ",
		`uncertainty = "beta(8, 8)"`,
	} {
		if !strings.Contains(file, want) {
			t.Errorf("scenario file lacks %q:\n%s", want, file)
		}
	}
	if strings.Contains(file, "run.") || strings.Contains(file, "routes") {
		t.Errorf("scenario file sets run settings or routes:\n%s", file)
	}
}

func TestCalibrateErrors(t *testing.T) {
	target := []Target{{Metric: "exit_share.completed", Value: 0.6, SD: 0.01}}
	tests := []struct {
		name string
		sets []string
		opts Options
		want string
	}{
		{"no targets", nil, Options{Simulator: simulator}, "no targets"},
		{"unknown metric", nil, Options{Simulator: simulator, Targets: []Target{{Metric: "exit_share.complete", Value: 1, SD: 1}}}, `did you mean "exit_share.completed"?`},
		{"bad sd", nil, Options{Simulator: simulator, Targets: []Target{{Metric: "exit_share.completed", Value: 1}}}, "sd positive"},
		{"no uncertainty", nil, Options{Simulator: simulator, Targets: target, Params: []string{"arrivals.per_year"}}, "arrivals.per_year declares no uncertainty"},
		{"unknown parameter", nil, Options{Simulator: simulator, Targets: target, Params: []string{"places.treat.exits.complete.probability"}}, `did you mean "places.treat.exits.completed.probability"?`},
		// An override keeps a value's uncertainty unless it says "none".
		{"nothing uncertain", []string{`places.treat.exits.completed.probability={ value = 0.5, uncertainty = "none" }`,
			`places.treat.routes.dropped_out=[{ to = "using", probability = 0.35 }, { to = "gone", probability = 0.65 }]`},
			Options{Simulator: simulator, Targets: target}, "no parameter of \"Calibration test\" declares an uncertainty"},
		{"whole group", []string{`places.treat.exits.dropped_out.probability={ value = 0.5, uncertainty = "beta(8, 8)" }`},
			Options{Simulator: simulator, Targets: target, Params: []string{"places.treat.exits.completed.probability", "places.treat.exits.dropped_out.probability"}},
			"every probability of the exits of treat is being fitted"},
		{"invalid range", []string{`arrivals.per_year={ value = 500, uncertainty = "normal(500, 300)" }`},
			Options{Simulator: simulator, Targets: target, Params: []string{"arrivals.per_year"}}, "arrivals.per_year at the 0.5% quantile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := loadCalTest(t, tt.sets...)
			_, err := Calibrate(context.Background(), sc, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadTargets(t *testing.T) {
	got, err := ReadTargets(strings.NewReader(`
[[target]]
metric = "completion_rate"
value = 0.47
sd = 0.02

[[target]]
id = "3a"
metric = "repeat_detox_share"
value = 0.3
sd = 0.05
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{Metric: "completion_rate", Value: 0.47, SD: 0.02}, {ID: "3a", Metric: "repeat_detox_share", Value: 0.3, SD: 0.05}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got[0].Label() != "completion_rate" || got[1].Label() != "3a" {
		t.Errorf("labels %q, %q", got[0].Label(), got[1].Label())
	}
	for _, tt := range []struct{ text, want string }{
		{"", "no targets"},
		{"[[target]]\nmetric = \"x\"\nvalue = 1\nsd = 0\n", "target[0].sd: must be a positive number"},
		{"[[target]]\nvalue = 1\nsd = 1\n", "target[0].metric: required"},
		{"[[target]]\nmetric = \"x\"\nvalue = 1\nsd = 1\nsigma = 2\n", "target.sigma: unknown key"},
		{"[[target]]\nmetric = x\n", "line 2"},
		{"[target]\nmetric = \"x\"\n", "write each target as a [[target]] table"},
	} {
		if _, err := ReadTargets(strings.NewReader(tt.text)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadTargets(%q): %v, want an error containing %q", tt.text, err, tt.want)
		}
	}
}

// TestCalibratorBaseline fits, without running, parameters of the baseline
// of every kind: a capacity (rounded to whole places), a case-mix share, a
// route probability with conditions and modifiers beside it, and an odds
// ratio inside a list inside a list. It checks the rescaling of what must
// sum to 1 and that the scenario file loads back the fitted scenario.
func TestCalibratorBaseline(t *testing.T) {
	base, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := base.Clone()
	// Only the parameters below are uncertain here.
	clearUncertainty(sc)
	params := map[string]string{
		"places.assessment.capacity":                                   "uniform(30, 50)",
		"case_mix.drug.opiate":                                         "beta(52, 48)",
		"places.assessment.routes.referred[1].probability":             "beta(10, 90)",
		"places.assessment.routes.referred[1].modifiers[0].odds_ratio": "uniform(1.5, 4.5)",
	}
	paths := slices.Sorted(maps.Keys(params))
	for _, p := range paths {
		d, err := scenario.ParseDist(params[p])
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.SetValue(mustPath(t, p), func(v *scenario.Value) { v.Uncertainty = d }); err != nil {
			t.Fatal(err)
		}
	}
	target := []Target{{Metric: "completion_rate", Value: 0.45, SD: 0.01}}
	c, err := newCalibrator(sc, Options{Simulator: simulator, Targets: target})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.params {
		got = append(got, p.Path)
	}
	slices.Sort(got)
	if !slices.Equal(got, paths) {
		t.Fatalf("fitting %v, want every uncertain parameter %v", got, paths)
	}
	capacity := c.params[slices.IndexFunc(c.params, func(p *scenario.Param) bool { return p.Path == "places.assessment.capacity" })]
	for _, u := range []float64{0, 0.123, 0.5, 0.77, 1} {
		if x := capacity.At(u); x != math.Round(x) || x < 30 || x > 50 {
			t.Errorf("capacity at %g = %g, want a whole number in [30, 50]", u, x)
		}
	}
	vals := map[string]float64{
		"places.assessment.capacity":                                   41,
		"case_mix.drug.opiate":                                         0.6,
		"places.assessment.routes.referred[1].probability":             0.2,
		"places.assessment.routes.referred[1].modifiers[0].odds_ratio": 2.5,
	}
	x := make([]float64, len(c.params))
	for i, p := range c.params {
		x[i] = vals[p.Path]
	}
	fitted, err := c.set.With(x)
	if err != nil {
		t.Fatal(err)
	}
	if ps := fitted.Validate(); len(ps) > 0 {
		t.Fatal(ps)
	}
	want := map[string]float64{
		"case_mix.drug.non_opiate":                         0.4,
		"places.assessment.routes.referred[0].probability": 0.86 * 0.8 / 0.9,
		"places.assessment.routes.referred[2].probability": 0.04 * 0.8 / 0.9,
	}
	maps.Copy(want, vals)
	for p, w := range want {
		v, err := fitted.Value(mustPath(t, p))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(v.V-w) > 1e-12 {
			t.Errorf("%s = %g, want %g", p, v.V, w)
		}
	}

	before := evaluation{vals: c.set.Values(), means: []float64{0.5}, dist: 25}
	cal, err := c.result(before, evaluation{vals: x, means: []float64{0.46}, dist: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Adjusted) != 3 {
		t.Errorf("adjusted %+v, want the other share and the other two routes", cal.Adjusted)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "calibrated-baseline.toml")
	if err := os.WriteFile(path, cal.ScenarioFile("baseline"), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The file's base, the shipped baseline, declares uncertainties the
	// test took away.
	clearUncertainty(loaded)
	clearUncertainty(cal.fitted)
	if d := encodedDiff(loaded, cal.fitted); d != "" {
		t.Errorf("the calibrated file loads differently from the fitted scenario: %s", d)
	}
}

// clearUncertainty removes every parameter's declared uncertainty.
func clearUncertainty(sc *scenario.Scenario) {
	for _, p := range sc.Parameters() {
		if path, err := scenario.ParsePath(p.Path); err == nil {
			// Durations and the run settings carry none: SetValue refuses them.
			_ = sc.SetValue(path, func(v *scenario.Value) { v.Uncertainty = scenario.Dist{} })
		}
	}
}

func mustPath(t *testing.T, s string) scenario.Path {
	t.Helper()
	p, err := scenario.ParsePath(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// encodedDiff returns the first line at which a and b, written whole as
// scenario files, differ, or "" if they do not: the encoder writes back
// every value a scenario holds (scenario's TestScenarioFileEncodes).
func encodedDiff(a, b *scenario.Scenario) string {
	var keys []string
	st := reflect.TypeFor[scenario.Scenario]()
	for i := range st.NumField() {
		switch tag := st.Field(i).Tag.Get("toml"); tag {
		case "", "-", "name", "description", "base":
		default:
			keys = append(keys, tag)
		}
	}
	slices.Sort(keys)
	al := strings.Split(string(a.Encode("", "x", keys)), "\n")
	bl := strings.Split(string(b.Encode("", "x", keys)), "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, x, y)
		}
	}
	return ""
}

func TestCalibrateCancelled(t *testing.T) {
	sc := loadCalTest(t, "run.replications=2")
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := Calibrate(ctx, sc, Options{Simulator: simulator, Targets: []Target{{Metric: "exit_share.completed", Value: 0.6, SD: 0.01}}, LHS: 4, Evals: 30,
		Progress: func(done, total int) {
			calls++
			if done == 8 { // in the refinement
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if calls > 9 {
		t.Errorf("%d points evaluated after cancelling at 8", calls)
	}
}

func TestBaseRef(t *testing.T) {
	dir := t.TempDir()
	area := filepath.Join(dir, "areas", "mine.toml")
	if err := os.MkdirAll(filepath.Dir(area), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(area, []byte("name = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ ref, out, want string }{
		{"baseline", filepath.Join(dir, "out.toml"), "baseline"},     // shipped: its name
		{area, filepath.Join(dir, "out.toml"), "areas/mine.toml"},    // relative to out's folder
		{area, filepath.Join(dir, "areas", "fit.toml"), "mine.toml"}, // beside it
		{area, filepath.Join(dir, "x", "y", "fit.toml"), "../../areas/mine.toml"},
	} {
		if got := BaseRef(tt.ref, tt.out); got != tt.want {
			t.Errorf("BaseRef(%q, %q) = %q, want %q", tt.ref, tt.out, got, tt.want)
		}
	}
}
