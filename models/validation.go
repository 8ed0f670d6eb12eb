package models

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/journeysim/journeysim/models/evidence"
)

// validationTOML holds the validation checks: the targets of
// shared/evidence/targets.md as data (the file's header documents its keys).
//
//go:embed evidence/validation.toml
var validationTOML []byte

// ValidationBase is the scenario every check's contrast is taken against.
const ValidationBase = "baseline"

// How a check's scenario is set against the baseline (Check.Contrast).
const (
	ContrastDifference = "difference" // scenario − baseline
	ContrastRelative   = "relative"   // scenario / baseline − 1
	ContrastRatio      = "ratio"      // scenario / baseline
	ContrastOddsRatio  = "odds_ratio" // odds in the scenario / odds in the baseline
)

// How a simulated value is judged against the published figure
// (Check.Compare).
const (
	CompareWithin     = "within"      // mean within ±tolerance of the figure or range
	CompareAtLeast    = "at_least"    // mean ≥ figure − tolerance
	CompareAtMost     = "at_most"     // mean ≤ figure + tolerance
	CompareIncrease   = "increase"    // the contrast's 95% CI lies above no change
	CompareDecrease   = "decrease"    // the contrast's 95% CI lies below no change
	CompareNoIncrease = "no_increase" // the contrast's 95% CI does not lie above no change
)

// Outcomes of a check (CheckResult.Status).
const (
	StatusPass        = "pass"
	StatusFail        = "fail"
	StatusNotModelled = "not modelled"
)

// Check is one published figure of targets.md and the simulated quantity it
// is compared with. A replication's value is Metric, divided by the sum of
// the Over metrics if there are any, times Scale. Without a Contrast the
// check reads that value from Scenario; with one it pairs the Scenario's
// replications with the baseline's on common random numbers.
type Check struct {
	ID     string `toml:"id"`     // e.g. "3a": the target number and a letter
	Target int    `toml:"target"` // the target's number in targets.md
	Title  string `toml:"title"`
	Quote  string `toml:"quote"` // the published figure in the source's words
	// Sources are rows of shared/evidence/parameters.md.
	Sources []string `toml:"sources"`
	// InputCheck says a source of the check is also an input of the model,
	// so the check shows only that the input was wired in.
	InputCheck bool `toml:"input_check"`
	// NotModelled, if set, says why the model has no metric for the figure;
	// the check is listed but not run.
	NotModelled string `toml:"not_modelled"`

	Scenario string   `toml:"scenario"` // a shipped scenario; "" is the baseline
	Set      []string `toml:"set"`      // overrides making a variant of it
	// Base is the scenario a contrast pairs Scenario with; "" is the
	// baseline. A setting unlike the baseline's has a pair of its own.
	Base     string   `toml:"base"`
	Metric   string   `toml:"metric"`
	Over     []string `toml:"over"`
	Scale    float64  `toml:"scale"` // 0 means 1
	Contrast string   `toml:"contrast"`
	// Log says the figure is a ratio of two metrics (Metric over Over), so
	// that it is compared on the log scale, as contrasts of ratios are.
	Log bool `toml:"log"`
	// Pool sums Metric and the Over metrics over the replications before
	// dividing (and, with Per, divides by the pooled ratio of Per): the
	// estimate for rare events, which a replication may not see at all.
	// The CI is from the delta method over replications.
	Pool bool        `toml:"pool"`
	Per  *CheckRatio `toml:"per"`

	Compare string `toml:"compare"`
	// Figure is the published value; Range a published interval [lo, hi].
	// A check has one or the other (directional checks may have neither).
	Figure *float64  `toml:"figure"`
	Range  []float64 `toml:"range"`
	// Tolerance is on the log scale for ratio and odds-ratio contrasts.
	Tolerance    float64 `toml:"tolerance"`
	ToleranceWhy string  `toml:"tolerance_why"`
}

// CheckRatio is a second ratio of metrics, Metric over the sum of Over, that
// a pooled check divides by: a rate ratio is deaths over person-years in one
// period per deaths over person-years in another.
type CheckRatio struct {
	Metric string   `toml:"metric"`
	Over   []string `toml:"over"`
}

// Modelled reports whether the model has a metric for the check.
func (c Check) Modelled() bool { return c.NotModelled == "" }

// ScenarioName returns the scenario the check reads, the baseline if none
// is named.
func (c Check) ScenarioName() string {
	if c.Scenario == "" {
		return ValidationBase
	}
	return c.Scenario
}

// BaseName returns the scenario a contrast is taken against.
func (c Check) BaseName() string {
	if c.Base == "" {
		return ValidationBase
	}
	return c.Base
}

// LogScale reports whether the check's figure is a ratio, whose tolerance
// and comparisons are on the natural-log scale.
func (c Check) LogScale() bool {
	return c.Log || c.Contrast == ContrastRatio || c.Contrast == ContrastOddsRatio
}

// metrics returns every metric the check reads.
func (c Check) metrics() []string {
	names := append([]string{c.Metric}, c.Over...)
	if c.Per != nil {
		names = append(append(names, c.Per.Metric), c.Per.Over...)
	}
	return names
}

// Published returns the published interval: the figure twice, the range,
// or NaN for a directional check with neither.
func (c Check) Published() (lo, hi float64) {
	switch {
	case c.Figure != nil:
		return *c.Figure, *c.Figure
	case len(c.Range) == 2:
		return c.Range[0], c.Range[1]
	}
	return math.NaN(), math.NaN()
}

// Accepted returns the interval the simulated mean must fall in for a
// within, at_least or at_most check: the published figure or range widened
// by the tolerance (multiplied and divided by e^tolerance on the log scale).
// Directional checks have no such interval and return NaN.
func (c Check) Accepted() (lo, hi float64) {
	plo, phi := c.Published()
	t := c.Tolerance
	widen := func(x, sign float64) float64 {
		if c.LogScale() {
			return x * math.Exp(sign*t)
		}
		return x + sign*t
	}
	switch c.Compare {
	case CompareWithin:
		return widen(plo, -1), widen(phi, 1)
	case CompareAtLeast:
		return widen(plo, -1), math.Inf(1)
	case CompareAtMost:
		return math.Inf(-1), widen(phi, 1)
	}
	return math.NaN(), math.NaN()
}

// CheckResult is a check with its simulated value. Mean, Low and High are
// on the check's scale (a ratio for ratio contrasts, scenario / baseline − 1
// for relative ones), with a 95% confidence interval from Student's t over
// replications, or over paired replications for a contrast. They are NaN
// for a check that is not modelled, or with no data.
type CheckResult struct {
	Check
	Mean, Low, High float64
	N               int // replications (or pairs) with data
	Status          string
	// Off says how far the check missed: for within, at_least and at_most
	// the distance from the mean to the accepted interval; for directional
	// checks how far the CI reaches past no change. It is on the scale of
	// the tolerance (the log scale for ratio contrasts), 0 for a pass and
	// NaN with no data.
	Off float64
	// Fitted says the baseline was calibrated to this check (its
	// calibrated_to lists it): a pass shows the fit, not the model.
	Fitted bool
}

var loadChecks = sync.OnceValues(func() ([]Check, error) { return ParseChecks(validationTOML) })

// Checks returns the validation checks embedded in the binary, in the order
// of targets.md.
func Checks() []Check {
	cs, err := loadChecks()
	if err != nil {
		panic("models: embedded validation.toml: " + err.Error())
	}
	out := make([]Check, len(cs))
	for i, c := range cs {
		c.Sources, c.Set, c.Over, c.Range = slices.Clone(c.Sources), slices.Clone(c.Set), slices.Clone(c.Over), slices.Clone(c.Range)
		if c.Figure != nil {
			f := *c.Figure
			c.Figure = &f
		}
		out[i] = c
	}
	return out
}

// ParseChecks decodes a checks file (the format of validation.toml) and
// checks every entry, reporting all problems at once. It does not check
// that metrics and scenarios exist: that needs the scenarios loaded.
func ParseChecks(data []byte) ([]Check, error) {
	var f struct {
		Check []Check `toml:"check"`
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("models: validation checks: %s", pe.ErrorWithPosition())
		}
		return nil, fmt.Errorf("models: validation checks: %w", err)
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, fmt.Errorf("unknown key %s", k))
	}
	targets := map[int]bool{}
	for _, t := range evidence.Targets() {
		targets[t.Number] = true
	}
	seen := map[string]bool{}
	for i, c := range f.Check {
		where := fmt.Sprintf("check[%d]", i)
		if c.ID != "" {
			where = "check " + c.ID
		}
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		}
		seen[c.ID] = true
		for _, e := range c.problems(targets) {
			errs = append(errs, fmt.Errorf("%s: %s", where, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("models: validation checks: %w", err)
	}
	return f.Check, nil
}

// problems lists what is wrong with one check, on its own.
func (c Check) problems(targets map[int]bool) []string {
	var ps []string
	add := func(format string, a ...any) { ps = append(ps, fmt.Sprintf(format, a...)) }
	if c.ID == "" {
		add("id is missing")
	} else if want := fmt.Sprint(c.Target); !strings.HasPrefix(c.ID, want) {
		add("id %q does not start with its target number %d", c.ID, c.Target)
	}
	if !targets[c.Target] {
		add("target %d is not a numbered target of targets.md", c.Target)
	}
	if c.Title == "" || c.Quote == "" {
		add("title and quote are required")
	}
	for _, s := range c.Sources {
		if _, ok := evidence.Lookup(s); !ok {
			add("source %q is not a row of parameters.md", s)
		}
	}
	if !c.Modelled() {
		if c.Metric != "" || c.Compare != "" || c.Scenario != "" || c.Contrast != "" {
			add("a check that is not modelled has no metric, scenario, contrast or compare")
		}
		return ps
	}
	if c.Metric == "" {
		add("metric is required (or not_modelled, saying why)")
	}
	if c.Scale < 0 {
		add("scale must be positive")
	}
	if c.ToleranceWhy == "" {
		add("tolerance_why is required: justify the tolerance from the source")
	}
	switch c.Contrast {
	case "", ContrastDifference, ContrastRelative, ContrastRatio, ContrastOddsRatio:
	default:
		add("unknown contrast %q: use difference, relative, ratio or odds_ratio", c.Contrast)
	}
	if c.Contrast != "" && c.ScenarioName() == c.BaseName() && len(c.Set) == 0 {
		add("a contrast needs a scenario or set other than its base")
	}
	if c.Base != "" && c.Contrast == "" {
		add("base names the scenario a contrast is taken against: give a contrast")
	}
	if c.Log && c.Contrast != "" {
		add("log is for a ratio of two metrics; a %s contrast has its own scale", c.Contrast)
	}
	if c.Log && len(c.Over) == 0 && c.Per == nil {
		add("log needs over (or per): the figure is a ratio of metrics")
	}
	if c.Pool && c.Contrast != "" {
		add("pool sums one scenario's replications; a contrast pairs them")
	}
	if c.Per != nil && (!c.Pool || c.Per.Metric == "") {
		add("per needs pool = true and a metric")
	}
	if c.Tolerance < 0 {
		add("tolerance must not be negative")
	}
	if c.Figure != nil && len(c.Range) > 0 {
		add("give figure or range, not both")
	}
	if len(c.Range) > 0 && (len(c.Range) != 2 || c.Range[0] > c.Range[1]) {
		add("range must be [lo, hi] with lo <= hi")
	}
	hasFigure := c.Figure != nil || len(c.Range) == 2
	switch c.Compare {
	case CompareWithin:
		if !hasFigure {
			add("within needs a figure or range")
		}
	case CompareAtLeast, CompareAtMost:
		if c.Figure == nil {
			add("%s needs a figure", c.Compare)
		}
	case CompareIncrease, CompareDecrease, CompareNoIncrease:
		if c.Contrast == "" {
			add("%s needs a contrast", c.Compare)
		}
	default:
		add("unknown compare %q: use within, at_least, at_most, increase, decrease or no_increase", c.Compare)
	}
	if c.LogScale() && hasFigure {
		if lo, _ := c.Published(); lo <= 0 {
			add("a %s figure must be positive", c.Contrast)
		}
	}
	return ps
}

// Validate runs every check: it loads the baseline and each scenario (or
// variant) the checks name, runs them all with the same seed and number of
// replications, so that they share common random numbers, and judges each
// check against its published figure. One baseline run serves every
// contrast.
//
// A seed of 0 or reps of 0 means the baseline's own; sets are overrides
// (path=value) applied to every scenario after the checks' own. progress,
// if not nil, is called with the scenario being run (its name, and its
// overrides in brackets for a variant) and the replications done of total.
func Validate(ctx context.Context, seed uint64, reps, workers int, sets []string,
	progress func(run string, done, total int)) ([]CheckResult, error) {
	checks := Checks()
	base, err := loadValidationModel(ValidationBase, nil, sets)
	if err != nil {
		return nil, err
	}
	if seed == 0 {
		seed = base.Scenario.Seed()
	}
	if reps == 0 {
		reps = base.Scenario.Replications()
	}
	// One run per scenario and set of overrides, the baseline first.
	type run struct {
		label string
		m     *Model
		rs    []*Result
	}
	key := func(c Check) string { return c.ScenarioName() + "\x00" + strings.Join(c.Set, "\x00") }
	baseKey := key(Check{})
	runs := map[string]*run{baseKey: {label: ValidationBase, m: base}}
	order := []string{baseKey}
	need := func(c Check) error {
		k := key(c)
		if runs[k] != nil {
			return nil
		}
		m, err := loadValidationModel(c.ScenarioName(), c.Set, sets)
		if err != nil {
			return fmt.Errorf("models: check %s: %w", c.ID, err)
		}
		label := c.ScenarioName()
		if len(c.Set) > 0 {
			label += " [" + strings.Join(c.Set, ", ") + "]"
		}
		runs[k] = &run{label: label, m: m}
		order = append(order, k)
		return nil
	}
	for _, c := range checks {
		if !c.Modelled() {
			continue
		}
		if c.Contrast != "" {
			if err := need(Check{ID: c.ID, Scenario: c.BaseName()}); err != nil {
				return nil, err
			}
		}
		if err := need(c); err != nil {
			return nil, err
		}
	}
	for _, k := range order {
		r := runs[k]
		var update func(int)
		if progress != nil {
			update = func(done int) { progress(r.label, done, reps) }
		}
		if r.rs, err = r.m.Replicate(ctx, seed, reps, workers, update); err != nil {
			return nil, err
		}
	}
	out := make([]CheckResult, len(checks))
	for i, c := range checks {
		if !c.Modelled() {
			out[i] = c.notModelled()
			out[i].Fitted = slices.Contains(base.Scenario.CalibratedTo, c.ID)
			continue
		}
		r, b := runs[key(c)], runs[key(Check{Scenario: c.BaseName()})]
		if out[i], err = c.Evaluate(r.m, r.rs, b.m, b.rs); err != nil {
			return nil, err
		}
		// Fitted if the scenario read, or the one it is set against, was
		// calibrated to the check (a scenario inherits its base's list).
		out[i].Fitted = slices.Contains(r.m.Scenario.CalibratedTo, c.ID) ||
			c.Contrast != "" && slices.Contains(b.m.Scenario.CalibratedTo, c.ID)
	}
	return out, nil
}

// CheckTargets turns the validation checks with the given ids into
// calibration targets, so that the checks a calibration fits and the ones
// left to validate it are named by the same ids. Only a check of the
// baseline's own level can be a target (no contrast, no variant, compare
// "within"): its value is the published figure, or its range (no error
// inside), and its SD half the tolerance, so that a check passes when its
// standardised error is within ±2.
func CheckTargets(ids []string) ([]Target, error) {
	byID := map[string]Check{}
	var usable []string
	for _, c := range Checks() {
		byID[c.ID] = c
		if c.fittable() == "" {
			usable = append(usable, c.ID)
		}
	}
	var ts []Target
	var probs []string
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			msg := fmt.Sprintf("%q: no such validation check", id)
			if s := Suggest(id, usable); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			probs = append(probs, msg+" (journeysim validate lists them)")
			continue
		}
		if why := c.fittable(); why != "" {
			probs = append(probs, fmt.Sprintf("check %s cannot be a calibration target: %s (these can: %s)", id, why, strings.Join(usable, ", ")))
			continue
		}
		ts = append(ts, c.target())
	}
	if len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "\n"))
	}
	return ts, nil
}

// target is the calibration target of a fittable check: its published
// figure, or the middle of its range, with half its tolerance as the SD.
func (c Check) target() Target {
	plo, phi := c.Published()
	t := Target{ID: c.ID, Metric: c.Metric, Over: slices.Clone(c.Over), Value: (plo + phi) / 2, SD: c.Tolerance / 2, Log: c.Log}
	if plo < phi {
		t.Range = []float64{plo, phi}
	}
	return t
}

// fittable says why c cannot be a calibration target, or "" if it can.
func (c Check) fittable() string {
	switch {
	case !c.Modelled():
		return "it is not modelled"
	case c.Contrast != "" || c.ScenarioName() != ValidationBase || len(c.Set) > 0:
		return "it is a contrast between scenarios or read from a variant"
	case c.Pool:
		return "it is pooled over replications"
	case c.Compare != CompareWithin:
		return "it is a threshold, not a figure"
	case c.Scale != 0 && c.Scale != 1:
		return "it is scaled"
	case !(c.Tolerance > 0):
		return "it has no tolerance to standardise its error by"
	}
	return ""
}

func loadValidationModel(name string, own, sets []string) (*Model, error) {
	sc, err := Load(name, append(slices.Clone(own), sets...))
	if err != nil {
		return nil, err
	}
	return Build(sc)
}

func (c Check) notModelled() CheckResult {
	nan := math.NaN()
	return CheckResult{Check: c, Mean: nan, Low: nan, High: nan, Off: nan, Status: StatusNotModelled}
}

// Values returns the check's value in each replication of a run of m:
// Metric, over the sum of the Over metrics, times Scale; NaN where a
// metric had no data or the denominator is 0.
func (c Check) Values(m *Model, rs []*Result) ([]float64, error) {
	idx := func(name string) (int, error) {
		i := m.MetricIndex(name)
		if i < 0 {
			return 0, fmt.Errorf("models: check %s: scenario %q has no metric %q", c.ID, m.Scenario.Name, name)
		}
		return i, nil
	}
	mi, err := idx(c.Metric)
	if err != nil {
		return nil, err
	}
	over := make([]int, len(c.Over))
	for j, name := range c.Over {
		if over[j], err = idx(name); err != nil {
			return nil, err
		}
	}
	scale := c.Scale
	if scale == 0 {
		scale = 1
	}
	xs := make([]float64, len(rs))
	for r, res := range rs {
		x := res.Values[mi]
		if len(over) > 0 {
			den := 0.0
			for _, j := range over {
				den += res.Values[j]
			}
			x /= den
			if den == 0 {
				x = math.NaN()
			}
		}
		xs[r] = scale * x
	}
	return xs, nil
}

// Evaluate computes the check from a run of its scenario (m, rs) and, for a
// contrast, a run of the baseline (base, br) with the same seed, replication
// i of one paired with replication i of the other; then judges it.
func (c Check) Evaluate(m *Model, rs []*Result, base *Model, br []*Result) (CheckResult, error) {
	if !c.Modelled() {
		return c.notModelled(), nil
	}
	if c.Pool {
		return c.judgePooled(m, rs)
	}
	xs, err := c.Values(m, rs)
	if err != nil {
		return CheckResult{}, err
	}
	if c.Contrast == "" {
		return c.Judge(xs, nil), nil
	}
	bs, err := c.Values(base, br)
	if err != nil {
		return CheckResult{}, err
	}
	return c.Judge(xs, bs), nil
}

// Judge summarises the check's per-replication values xs (and, for a
// contrast, the baseline's values bs, paired by index) and judges the
// result. Replications where either value is NaN, or outside the domain of
// the contrast (a ratio needs positive values, an odds ratio values in
// (0, 1)), are left out.
func (c Check) Judge(xs, bs []float64) CheckResult {
	var ys []float64 // on the working scale: log for ratios
	if c.Contrast == "" {
		for _, x := range xs {
			if !math.IsNaN(x) {
				ys = append(ys, x)
			}
		}
	} else {
		for i := range min(len(xs), len(bs)) {
			if y := contrastOf(c.Contrast, xs[i], bs[i]); !math.IsNaN(y) {
				ys = append(ys, y)
			}
		}
	}
	mean, lo, hi := meanCI95(ys)
	// Back to the figure's scale: a ratio, or a relative change.
	switch c.Contrast {
	case ContrastRatio, ContrastOddsRatio:
		mean, lo, hi = math.Exp(mean), math.Exp(lo), math.Exp(hi)
	case ContrastRelative:
		mean, lo, hi = math.Expm1(mean), math.Expm1(lo), math.Expm1(hi)
	}
	res := CheckResult{Check: c, Mean: mean, Low: lo, High: hi, N: len(ys)}
	res.Status, res.Off = c.judge(mean, lo, hi)
	return res
}

// judgePooled judges a pooled check: the sum over replications of Metric
// over the sum of the Over metrics (divided by the same pooled ratio of Per),
// times Scale, with a 95% CI from the delta method on the log scale, each
// replication's sums an observation.
func (c Check) judgePooled(m *Model, rs []*Result) (CheckResult, error) {
	type term struct {
		names []string
		sign  float64 // +1 numerator, -1 denominator, of the log
	}
	terms := []term{{[]string{c.Metric}, 1}}
	if len(c.Over) > 0 {
		terms = append(terms, term{c.Over, -1})
	}
	if c.Per != nil {
		terms = append(terms, term{[]string{c.Per.Metric}, -1})
		if len(c.Per.Over) > 0 {
			terms = append(terms, term{c.Per.Over, 1})
		}
	}
	n := len(rs)
	obs := make([][]float64, len(terms)) // by term, by replication
	means := make([]float64, len(terms))
	for j, tm := range terms {
		idx := make([]int, len(tm.names))
		for k, name := range tm.names {
			if idx[k] = m.MetricIndex(name); idx[k] < 0 {
				return CheckResult{}, fmt.Errorf("models: check %s: scenario %q has no metric %q", c.ID, m.Scenario.Name, name)
			}
		}
		for _, res := range rs {
			x := 0.0
			for _, i := range idx {
				x += res.Values[i]
			}
			obs[j] = append(obs[j], x)
		}
		means[j] = stat.Mean(obs[j], nil)
	}
	scale := c.Scale
	if scale == 0 {
		scale = 1
	}
	nan := math.NaN()
	mean, lo, hi := nan, nan, nan
	if n > 0 && !slices.ContainsFunc(means, func(x float64) bool { return !(x > 0) || math.IsInf(x, 0) }) {
		logf, v := math.Log(scale), 0.0
		for j := range terms {
			logf += terms[j].sign * math.Log(means[j])
			for k := range terms {
				if n > 1 {
					v += terms[j].sign * terms[k].sign * stat.Covariance(obs[j], obs[k], nil) / (means[j] * means[k])
				}
			}
		}
		mean = math.Exp(logf)
		if n > 1 {
			h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975) * math.Sqrt(v/float64(n))
			lo, hi = math.Exp(logf-h), math.Exp(logf+h)
		}
	}
	res := CheckResult{Check: c, Mean: mean, Low: lo, High: hi, N: n}
	res.Status, res.Off = c.judge(mean, lo, hi)
	return res, nil
}

// contrastOf returns one pair's contrast on the scale its CI is worked on:
// the difference, or the log of the ratio (for relative changes and ratios)
// or of the odds ratio; NaN outside the contrast's domain.
func contrastOf(kind string, x, b float64) float64 {
	if math.IsNaN(x) || math.IsNaN(b) {
		return math.NaN()
	}
	switch kind {
	case ContrastDifference:
		return x - b
	case ContrastRelative, ContrastRatio:
		if x <= 0 || b <= 0 {
			return math.NaN()
		}
		return math.Log(x / b)
	case ContrastOddsRatio:
		if x <= 0 || x >= 1 || b <= 0 || b >= 1 {
			return math.NaN()
		}
		return math.Log(x/(1-x)) - math.Log(b/(1-b))
	}
	panic("models: unknown contrast " + kind)
}

// judge compares a simulated mean and 95% CI, on the figure's scale, with
// the check. Ratios are compared as logs, so that the tolerance is on the
// log scale and no change is 0 for every kind of contrast.
func (c Check) judge(mean, lo, hi float64) (status string, off float64) {
	tr := func(x float64) float64 {
		if c.LogScale() {
			return math.Log(x)
		}
		return x
	}
	mean, lo, hi = tr(mean), tr(lo), tr(hi)
	if math.IsNaN(mean) {
		return StatusFail, math.NaN()
	}
	plo, phi := c.Published()
	switch c.Compare {
	case CompareWithin:
		off = max(tr(plo)-c.Tolerance-mean, mean-tr(phi)-c.Tolerance, 0)
	case CompareAtLeast:
		off = max(tr(plo)-c.Tolerance-mean, 0)
	case CompareAtMost:
		off = max(mean-tr(phi)-c.Tolerance, 0)
	case CompareIncrease:
		if math.IsNaN(lo) {
			return StatusFail, math.NaN()
		}
		if lo > 0 {
			return StatusPass, 0
		}
		return StatusFail, -lo
	case CompareDecrease:
		if math.IsNaN(hi) {
			return StatusFail, math.NaN()
		}
		if hi < 0 {
			return StatusPass, 0
		}
		return StatusFail, hi
	case CompareNoIncrease:
		if math.IsNaN(lo) || lo <= 0 {
			return StatusPass, 0
		}
		return StatusFail, lo
	default:
		panic("models: unknown compare " + c.Compare)
	}
	if off > 0 {
		return StatusFail, off
	}
	return StatusPass, 0
}

// meanCI95 returns the mean of xs and its two-sided 95% confidence interval
// from Student's t; NaN for no data, and a NaN interval for one value. It is
// the interval output.Summary reports, kept here so that models need not
// import output.
func meanCI95(xs []float64) (mean, lo, hi float64) {
	nan := math.NaN()
	switch len(xs) {
	case 0:
		return nan, nan, nan
	case 1:
		return xs[0], nan, nan
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	h := t * sd / math.Sqrt(float64(len(xs)))
	return mean, mean - h, mean + h
}
