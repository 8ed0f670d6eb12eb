package validation

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/journeysim/journeysim/models/evidence"
)

// validationTOML holds the validation checks: the targets of
// shared/evidence/targets.md as data (the file's header documents its keys).
//
//go:embed validation.toml
var validationTOML []byte

// Base is the scenario every check's contrast is taken against.
const Base = "baseline"

// Contrast is how a check's scenario is set against the baseline.
type Contrast string

// Contrasts.
const (
	ContrastDifference Contrast = "difference" // scenario − baseline
	ContrastRelative   Contrast = "relative"   // scenario / baseline − 1
	ContrastRatio      Contrast = "ratio"      // scenario / baseline
	ContrastOddsRatio  Contrast = "odds_ratio" // odds in the scenario / odds in the baseline
)

// Compare is how a simulated value is judged against the published figure.
type Compare string

// Comparisons.
const (
	CompareWithin     Compare = "within"      // mean within ±tolerance of the figure or range
	CompareAtLeast    Compare = "at_least"    // mean ≥ figure − tolerance
	CompareAtMost     Compare = "at_most"     // mean ≤ figure + tolerance
	CompareIncrease   Compare = "increase"    // the contrast's 95% CI lies above no change
	CompareDecrease   Compare = "decrease"    // the contrast's 95% CI lies below no change
	CompareNoIncrease Compare = "no_increase" // the contrast's 95% CI does not lie above no change
)

// Status is the outcome of a check.
type Status string

// Outcomes.
const (
	StatusPass        Status = "pass"
	StatusFail        Status = "fail"
	StatusNotModelled Status = "not modelled"
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
	Contrast Contrast `toml:"contrast"`
	// Log says the figure is a ratio of two metrics (Metric over Over), so
	// that it is compared on the log scale, as contrasts of ratios are.
	Log bool `toml:"log"`
	// Pool sums Metric and the Over metrics over the replications before
	// dividing (and, with Per, divides by the pooled ratio of Per): the
	// estimate for rare events, which a replication may not see at all.
	// The CI is from the delta method over replications.
	Pool bool        `toml:"pool"`
	Per  *CheckRatio `toml:"per"`

	Compare Compare `toml:"compare"`
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
		return Base
	}
	return c.Scenario
}

// BaseName returns the scenario a contrast is taken against.
func (c Check) BaseName() string {
	if c.Base == "" {
		return Base
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
	Status          Status
	// Off says how far the check missed: for within, at_least and at_most
	// the distance from the mean to the accepted interval; for directional
	// checks how far the CI reaches past no change. It is on the scale of
	// the tolerance (the log scale for ratio contrasts), 0 for a pass and
	// NaN with no data.
	Off float64
	// Fitted says the baseline was calibrated to this check (its
	// calibrated_to lists it): a pass shows the fit, not the model.
	Fitted bool
	// HeldOut says the baseline's calibration left this check out on
	// purpose (its held_out lists it), to test the fit.
	HeldOut bool
}

var loadChecks = sync.OnceValues(func() ([]Check, error) { return ParseChecks(validationTOML) })

// Checks returns the validation checks embedded in the binary, in the order
// of targets.md.
func Checks() []Check {
	cs, err := loadChecks()
	if err != nil {
		panic("validation: embedded validation.toml: " + err.Error())
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
			return nil, fmt.Errorf("validation: validation checks: %s", pe.ErrorWithPosition())
		}
		return nil, fmt.Errorf("validation: validation checks: %w", err)
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
		return nil, fmt.Errorf("validation: validation checks: %w", err)
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
