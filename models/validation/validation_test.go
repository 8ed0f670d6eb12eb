package validation

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// inputSources returns the parameter rows a scenario cites.
func inputSources(t *testing.T, sc *scenario.Scenario) map[string]bool {
	t.Helper()
	in := map[string]bool{}
	for _, p := range sc.Parameters() {
		if p.Source == "" {
			continue
		}
		ids, _, err := evidence.ParseRef(p.Source)
		if err != nil {
			t.Fatalf("%s: %v", p.Path, err)
		}
		for _, id := range ids {
			in[id] = true
		}
	}
	return in
}

// TestChecksNameShippedMetrics loads the embedded checks and, for each one
// the model runs, its scenario with the check's overrides, and looks up every
// metric it names: renaming a metric or a scenario breaks this test. It also
// keeps the input_check flags true to the scenarios' sources, and every
// numbered target covered.
func TestChecksNameShippedMetrics(t *testing.T) {
	checks := Checks()
	covered := map[int]bool{}
	modelled := 0
	for _, c := range checks {
		covered[c.Target] = true
		if !c.Modelled() {
			continue
		}
		modelled++
		t.Run(c.ID, func(t *testing.T) {
			sc := loadLayout(t, c.ScenarioName(), c.Set)
			layouts := []*result.Layout{sc}
			if c.Contrast != "" {
				layouts = append(layouts, loadLayout(t, c.BaseName(), nil))
			}
			for _, l := range layouts {
				for _, name := range c.metrics() {
					if l.MetricIndex(name) < 0 {
						t.Errorf("scenario %s has no metric %q", l.Scenario.Name, name)
					}
				}
			}
			inputs := inputSources(t, sc.Scenario)
			var cited []string
			for _, s := range c.Sources {
				if inputs[s] {
					cited = append(cited, s)
				}
			}
			if got := len(cited) > 0; got != c.InputCheck {
				t.Errorf("input_check = %v, but the scenario cites %v of its sources %v", c.InputCheck, cited, c.Sources)
			}
		})
	}
	if modelled == 0 {
		t.Fatal("no modelled checks")
	}
	for _, tg := range evidence.Targets() {
		if !covered[tg.Number] {
			t.Errorf("target %d (%s) has no check", tg.Number, tg.Title)
		}
	}
	// Not-modelled checks cannot be tested against the scenarios; their
	// input_check flags are checked against the baseline.
	base, err := models.Load(Base, nil)
	if err != nil {
		t.Fatal(err)
	}
	inputs := inputSources(t, base)
	for _, c := range checks {
		if c.Modelled() {
			continue
		}
		cites := slices.ContainsFunc(c.Sources, func(s string) bool { return inputs[s] })
		if cites != c.InputCheck {
			t.Errorf("check %s: input_check = %v, but the baseline cites its sources: %v", c.ID, c.InputCheck, cites)
		}
	}
}

func fig(x float64) *float64 { return &x }

func TestCheckAccepted(t *testing.T) {
	tests := []struct {
		name   string
		c      Check
		lo, hi float64
	}{
		{"figure", Check{Compare: CompareWithin, Figure: fig(0.32), Tolerance: 0.18}, 0.14, 0.50},
		{"range", Check{Compare: CompareWithin, Range: []float64{0.43, 0.505}, Tolerance: 0.004}, 0.426, 0.509},
		{"odds ratio on the log scale", Check{Compare: CompareWithin, Contrast: ContrastOddsRatio, Figure: fig(1.7), Tolerance: 0.2},
			1.7 / math.Exp(0.2), 1.7 * math.Exp(0.2)},
		{"relative change on its own scale", Check{Compare: CompareWithin, Contrast: ContrastRelative, Range: []float64{-0.38, -0.37}, Tolerance: 0.1},
			-0.48, -0.27},
		{"at least", Check{Compare: CompareAtLeast, Figure: fig(0.5)}, 0.5, math.Inf(1)},
		{"at most", Check{Compare: CompareAtMost, Figure: fig(-0.35), Tolerance: 0.05}, math.Inf(-1), -0.30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := tt.c.Accepted()
			if !near(lo, tt.lo) || !near(hi, tt.hi) {
				t.Errorf("Accepted() = %v, %v; want %v, %v", lo, hi, tt.lo, tt.hi)
			}
		})
	}
}

func near(a, b float64) bool {
	if math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) < 1e-12
}

// TestCheckJudge works through pass and fail by hand: the mean, the t
// interval and the distance outside the accepted interval.
func TestCheckJudge(t *testing.T) {
	// 0.30, 0.32, 0.34: mean 0.32, sd 0.02, 95% CI ±4.303 × 0.02/√3.
	h := 4.302652729911275 * 0.02 / math.Sqrt(3)
	tests := []struct {
		name           string
		c              Check
		xs, bs         []float64
		status         Status
		mean, lo, off  float64
		checkCIAndMean bool
	}{
		{name: "within a figure", c: Check{Compare: CompareWithin, Figure: fig(0.35), Tolerance: 0.05},
			xs: []float64{0.30, 0.32, 0.34}, status: StatusPass, mean: 0.32, lo: 0.32 - h, checkCIAndMean: true},
		{name: "outside a figure by 0.02", c: Check{Compare: CompareWithin, Figure: fig(0.40), Tolerance: 0.06},
			xs: []float64{0.30, 0.32, 0.34}, status: StatusFail, mean: 0.32, off: 0.02},
		{name: "above a range", c: Check{Compare: CompareWithin, Range: []float64{0.2, 0.3}, Tolerance: 0.01},
			xs: []float64{0.30, 0.32, 0.34}, status: StatusFail, mean: 0.32, off: 0.01},
		{name: "NaN replications left out", c: Check{Compare: CompareWithin, Figure: fig(0.32)},
			xs: []float64{0.30, math.NaN(), 0.32, 0.34}, status: StatusPass, mean: 0.32, lo: 0.32 - h, checkCIAndMean: true},
		{name: "no data fails", c: Check{Compare: CompareWithin, Figure: fig(0.32), Tolerance: 1},
			xs: []float64{math.NaN()}, status: StatusFail, mean: math.NaN(), off: math.NaN()},
		{name: "difference within", c: Check{Compare: CompareWithin, Contrast: ContrastDifference, Figure: fig(0.31), Tolerance: 0.21},
			xs: []float64{0.6, 0.7, 0.65}, bs: []float64{0.3, 0.35, 0.35}, status: StatusPass, mean: 0.3167},
		{name: "odds ratio 4 within 1.7 ×÷ e^0.2 fails", c: Check{Compare: CompareWithin, Contrast: ContrastOddsRatio, Figure: fig(1.7), Tolerance: 0.2},
			// odds 2/1 against 1/2 in every pair: OR 4
			xs: []float64{2.0 / 3, 2.0 / 3}, bs: []float64{1.0 / 3, 1.0 / 3}, status: StatusFail, mean: 4, off: math.Log(4) - math.Log(1.7) - 0.2},
		{name: "relative change at least +50% passes", c: Check{Compare: CompareAtLeast, Contrast: ContrastRelative, Figure: fig(0.5)},
			xs: []float64{160, 150, 170}, bs: []float64{100, 100, 100}, status: StatusPass},
		{name: "relative change of +20% is short of +50%", c: Check{Compare: CompareAtLeast, Contrast: ContrastRelative, Figure: fig(0.5)},
			xs: []float64{120, 120}, bs: []float64{100, 100}, status: StatusFail, mean: 0.2, off: 0.3},
		{name: "halved passes at most -35%", c: Check{Compare: CompareAtMost, Contrast: ContrastRelative, Figure: fig(-0.35)},
			xs: []float64{0.1, 0.1}, bs: []float64{0.2, 0.2}, status: StatusPass, mean: -0.5},
		{name: "down a tenth fails at most -35%", c: Check{Compare: CompareAtMost, Contrast: ContrastRelative, Figure: fig(-0.35)},
			xs: []float64{0.18, 0.18}, bs: []float64{0.2, 0.2}, status: StatusFail, mean: -0.1, off: 0.25},
		{name: "increase with CI above 0", c: Check{Compare: CompareIncrease, Contrast: ContrastDifference},
			xs: []float64{0.41, 0.42, 0.40}, bs: []float64{0.30, 0.31, 0.30}, status: StatusPass},
		{name: "increase with CI across 0", c: Check{Compare: CompareIncrease, Contrast: ContrastDifference},
			xs: []float64{0.35, 0.28, 0.33}, bs: []float64{0.30, 0.31, 0.30}, status: StatusFail},
		{name: "increase from one pair has no CI", c: Check{Compare: CompareIncrease, Contrast: ContrastDifference},
			xs: []float64{0.5}, bs: []float64{0.3}, status: StatusFail, off: math.NaN()},
		{name: "decrease as an odds ratio below 1", c: Check{Compare: CompareDecrease, Contrast: ContrastOddsRatio},
			xs: []float64{0.15, 0.16, 0.14}, bs: []float64{0.2, 0.21, 0.2}, status: StatusPass},
		{name: "decrease fails on a rise", c: Check{Compare: CompareDecrease, Contrast: ContrastOddsRatio},
			xs: []float64{0.25, 0.26, 0.25}, bs: []float64{0.2, 0.21, 0.2}, status: StatusFail},
		{name: "no increase passes when the CI spans 0", c: Check{Compare: CompareNoIncrease, Contrast: ContrastDifference},
			xs: []float64{0.91, 0.90, 0.92}, bs: []float64{0.90, 0.91, 0.91}, status: StatusPass},
		{name: "no increase fails when the CI is above 0", c: Check{Compare: CompareNoIncrease, Contrast: ContrastDifference},
			xs: []float64{0.95, 0.96, 0.95}, bs: []float64{0.90, 0.91, 0.90}, status: StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.Judge(tt.xs, tt.bs)
			if r.Status != tt.status {
				t.Errorf("status %q, want %q (mean %v, CI %v to %v, off %v)", r.Status, tt.status, r.Mean, r.Low, r.High, r.Off)
			}
			if tt.mean != 0 && !(math.IsNaN(tt.mean) && math.IsNaN(r.Mean)) && math.Abs(r.Mean-tt.mean) > 1e-3 {
				t.Errorf("mean %v, want %v", r.Mean, tt.mean)
			}
			if tt.checkCIAndMean && math.Abs(r.Low-tt.lo) > 1e-8 {
				t.Errorf("CI low %v, want %v", r.Low, tt.lo)
			}
			if tt.status == StatusPass && r.Off != 0 {
				t.Errorf("a pass is off by %v", r.Off)
			}
			if tt.off != 0 && !(math.IsNaN(tt.off) && math.IsNaN(r.Off)) && math.Abs(r.Off-tt.off) > 1e-9 {
				t.Errorf("off by %v, want %v", r.Off, tt.off)
			}
		})
	}
}

func TestParseChecksProblems(t *testing.T) {
	data := `
[[check]]
id = "3x"
target = 3
title = "A"
quote = "q"
metric = "exit_share.completed"
compare = "roughly"
figure = 0.4
range = [0.5, 0.4]
sources = ["Z99"]
tolerence = 0.1

[[check]]
id = "99a"
target = 99
title = "B"
quote = "q"
not_modelled = "why"
metric = "deaths"

[[check]]
id = "3x"
target = 3
title = "C"
quote = "q"
metric = "deaths"
contrast = "odds_ratio"
compare = "increase"
tolerance_why = "w"
`
	_, err := ParseChecks([]byte(data))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"unknown key check.tolerence",
		`check 3x: unknown compare "roughly"`,
		"check 3x: give figure or range, not both",
		"check 3x: range must be [lo, hi]",
		`check 3x: source "Z99" is not a row`,
		"check 3x: tolerance_why is required",
		"check 99a: target 99 is not a numbered target",
		"check 99a: a check that is not modelled has no metric",
		"check 3x: duplicate id",
		"check 3x: a contrast needs a scenario or set other than its base",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// TestCheckTargets checks that validation checks become calibration targets
// with the same pass rule: a standardised error within ±2 exactly when the
// check's mean lies in its accepted interval.
func TestCheckTargets(t *testing.T) {
	byID := map[string]Check{}
	for _, c := range Checks() {
		byID[c.ID] = c
	}
	ts, err := CheckTargets([]string{"3d", "3c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].ID != "3d" || ts[1].ID != "3c" {
		t.Fatalf("targets %+v", ts)
	}
	// No shipped ratio of metrics is read from the baseline (11a reads the
	// DATOS setting), so a copy of 11a read from it stands in.
	ratio := byID["11a"]
	ratio.Scenario = ""
	if why := ratio.fittable(); why != "" {
		t.Fatalf("11a read from the baseline is not fittable: %s", why)
	}
	byID[ratio.ID] = ratio
	ts = append(ts, ratio.target())
	if !ts[2].Log || ts[0].Log {
		t.Errorf("11a, a ratio of metrics, is log %v; 3d is log %v", ts[2].Log, ts[0].Log)
	}
	for _, tg := range ts {
		c := byID[tg.ID]
		if tg.Metric != c.Metric || !slices.Equal(tg.Over, c.Over) || tg.SD != c.Tolerance/2 {
			t.Errorf("%s: target %+v from check %+v", tg.ID, tg, c)
		}
		lo, hi := c.Accepted()
		eps := (hi - lo) * 1e-3
		for _, x := range []float64{lo - eps, lo + eps, (lo + hi) / 2, hi - eps, hi + eps} {
			inside := x >= lo && x <= hi
			if got := math.Abs(tg.Z(x)) <= 2+1e-4; got != inside {
				t.Errorf("%s at %g: |z| = %g; accepted [%g, %g]", tg.ID, x, math.Abs(tg.Z(x)), lo, hi)
			}
		}
	}
	if ts[0].Range == nil || ts[1].Range != nil {
		t.Errorf("3d (a published range) has range %v, 3c (a figure) %v", ts[0].Range, ts[1].Range)
	}
	if z := ts[0].Z(ts[0].Range[0]); z != 0 {
		t.Errorf("z inside the published range = %g, want 0", z)
	}

	for _, tt := range []struct{ id, err string }{
		{"3z", `"3z": no such validation check`},
		{"14a", "14a cannot be a calibration target: it is a contrast between scenarios"},
		{"18a", "18a cannot be a calibration target: it is a contrast"},
		{"11a", "11a cannot be a calibration target: it is a contrast between scenarios or read from a variant"},
		{"10a", "10a cannot be a calibration target: it is pooled over replications"},
	} {
		if _, err := CheckTargets([]string{"3a", tt.id}); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.id, err, tt.err)
		}
	}
}

func TestCheckFittable(t *testing.T) {
	for _, tt := range []struct {
		c    Check
		want string
	}{
		{Check{NotModelled: "no metric"}, "it is not modelled"},
		{Check{Metric: "m", Compare: CompareWithin, Tolerance: 0.1}, ""},
		{Check{Metric: "m", Over: []string{"n"}, Log: true, Compare: CompareWithin, Tolerance: 0.1}, ""},
		{Check{Metric: "m", Compare: CompareWithin, Tolerance: 0.1, Pool: true}, "it is pooled over replications"},
		{Check{Metric: "m", Compare: CompareAtLeast, Tolerance: 0.1}, "it is a threshold, not a figure"},
	} {
		if got := tt.c.fittable(); got != tt.want {
			t.Errorf("%+v: fittable() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestShippedFits checks that each shipped scenario still passes the checks
// it was calibrated to (its calibrated_to, or its base's for a contrast)
// among those read from it: a change to the model or to baseline-prior.toml
// that moves them needs make calibrate (or, for a setting's scenario, its
// hand-set value looked at again).
func TestShippedFits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scenarios at their own replications")
	}
	// Most contrasts share a few scenarios (the baseline above all): each is
	// read once.
	loaded := map[string]*scenario.Scenario{}
	load := func(name string) *scenario.Scenario {
		if sc, ok := loaded[name]; ok {
			return sc
		}
		sc, err := models.Load(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		loaded[name] = sc
		return sc
	}
	judge := func(c Check, what string, m *result.Layout, rs []*result.Result, bm *result.Layout, brs []*result.Result) {
		r, err := c.Evaluate(m, rs, bm, brs)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != StatusPass {
			t.Errorf("%s, check %s (%s): %.4g, outside its accepted interval; refit (make calibrate, or look at the hand-set value again)", what, c.ID, c.Title, r.Mean)
		}
	}

	byScenario := map[string][]Check{}
	var names []string
	for _, c := range Checks() {
		if c.Modelled() && c.Contrast == "" && len(c.Set) == 0 {
			n := c.ScenarioName()
			if byScenario[n] == nil {
				names = append(names, n)
			}
			byScenario[n] = append(byScenario[n], c)
		}
	}
	fitted := 0
	for _, name := range names {
		sc := load(name)
		var mine []Check
		for _, c := range byScenario[name] {
			if slices.Contains(sc.CalibratedTo, c.ID) {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 {
			continue
		}
		m, rs := run(t, sc, sc.Seed(), sc.Replications())
		for _, c := range mine {
			fitted++
			judge(c, name, m, rs, nil, nil)
		}
	}
	// A contrast fitted by hand (18a, through its base's calibrated_to).
	for _, c := range Checks() {
		if !c.Modelled() || c.Contrast == "" || len(c.Set) > 0 {
			continue
		}
		sc, bsc := load(c.ScenarioName()), load(c.BaseName())
		if !slices.Contains(sc.CalibratedTo, c.ID) && !slices.Contains(bsc.CalibratedTo, c.ID) {
			continue
		}
		fitted++
		// Both at the scenario's seed and replications: common random numbers.
		m, rs := run(t, sc, sc.Seed(), sc.Replications())
		bm, brs := run(t, bsc, sc.Seed(), sc.Replications())
		judge(c, c.ScenarioName()+" against "+c.BaseName(), m, rs, bm, brs)
	}
	if fitted == 0 {
		t.Error("no shipped scenario records a calibration to a validation check")
	}
}

// TestCheckPooled checks a pooled rate ratio on hand-set replications:
// rates of 8/40 and 4/80 give 4, though one replication has no events in
// the second period; the CI is the delta method's on the log scale.
func TestCheckPooled(t *testing.T) {
	names := []string{"admissions.a", "person_years.a", "admissions.b", "person_years.b"}
	m := &result.Layout{Scenario: &scenario.Scenario{Name: "pooled"}}
	for _, n := range names {
		m.Metrics = append(m.Metrics, result.MetricInfo{Name: n})
	}
	vals := [][]float64{{1, 2, 3, 2}, {10, 10, 10, 10}, {1, 1, 0, 2}, {20, 20, 20, 20}}
	var rs []*result.Result
	for r := range 4 {
		res := &result.Result{Values: make([]float64, len(m.Metrics))}
		for j := range names {
			res.Values[j] = vals[j][r]
		}
		rs = append(rs, res)
	}
	c := Check{ID: "p", Metric: names[0], Over: names[1:2], Per: &CheckRatio{Metric: names[2], Over: names[3:]},
		Pool: true, Log: true, Compare: CompareWithin, Figure: fig(4), Tolerance: 0.1}
	res, err := c.Evaluate(m, rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Mean-4) > 1e-12 || res.Status != StatusPass {
		t.Errorf("pooled rate ratio %v (%s), want 4 (pass)", res.Mean, res.Status)
	}
	// The person-years do not vary: var(log RR) = var(A)/mA² + var(C)/mC² −
	// 2 cov(A, C)/(mA mC), over n. A: mean 2, var 2/3; C: mean 1, var 2/3;
	// cov(A, C) = -1/3.
	v := (2.0/3/4 + 2.0/3/1 + 2.0/3/2) / 4
	h := distuvT(3) * math.Sqrt(v)
	if math.Abs(res.Low-4*math.Exp(-h)) > 1e-9 || math.Abs(res.High-4*math.Exp(h)) > 1e-9 {
		t.Errorf("CI %v to %v, want %v to %v", res.Low, res.High, 4*math.Exp(-h), 4*math.Exp(h))
	}
}

func distuvT(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// loadLayout loads a shipped scenario with overrides and says what its
// runs report.
func loadLayout(t *testing.T, name string, sets []string) *result.Layout {
	t.Helper()
	sc, err := models.Load(name, sets)
	if err != nil {
		t.Fatal(err)
	}
	l, err := models.Simulator{}.Layout(sc)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// run runs sc's replications on seed.
func run(t *testing.T, sc *scenario.Scenario, seed uint64, reps int) (*result.Layout, []*result.Result) {
	t.Helper()
	l, rs, err := models.Simulator{}.Run(context.Background(), sc, seed, reps, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, rs
}
