package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/output"
)

// ValidateOptions are the inputs of `journeysim validate`.
type ValidateOptions struct {
	Out, Err io.Writer
	scenarioFlags
	Format     string
	ReportOnly bool
}

// NewCmdValidate returns `journeysim validate`.
func NewCmdValidate(runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{}
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check the model against the published targets",
		Long: `Runs the baseline and every scenario the validation checks need, all with the
baseline's seed and replications so that they share common random numbers, and
compares each check's simulated mean and 95% CI with its published figure
(shared/evidence/targets.md): a level within its tolerance, or a contrast
between a scenario and the baseline, or another base for a setting unlike
England's (a difference, relative change or odds ratio, with a paired CI),
within its tolerance or in the published direction. Figures from studies
that followed people up are read from the baseline's follow-ups; rare events
are pooled over replications. Checks for figures the model has no metric for
are listed as not modelled. Checks a scenario was calibrated to (its
calibrated_to) are marked † : they show the fit, and the others test the
model.

Exit status 1 if any modelled check fails, unless --report-only.`,
		Example: `  journeysim validate
  journeysim validate --replications 10 --format json > validation.json
  journeysim validate --report-only --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := opts.parse(cmd); err != nil {
				return err
			}
			switch opts.Format {
			case "table", "csv", "json":
			default:
				return usageErrorf("unknown --format %q: use table, csv or json", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.Format, "format", "table", "what to print: table, csv or json")
	f.BoolVar(&opts.ReportOnly, "report-only", false, "exit 0 even when checks fail")
	return c
}

// validationRun describes the runs behind a validation table.
type validationRun struct {
	Seed            uint64
	Replications    int
	Warmup, Horizon float64 // days
}

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	run, rs, err := runValidation(ctx, opts.Err, opts.scenarioFlags)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		err = writeValidationJSON(opts.Out, run, rs)
	case "csv":
		err = writeValidationCSV(opts.Out, rs)
	default:
		err = writeValidationTable(opts.Out, run, rs)
	}
	if err != nil {
		return err
	}
	n := countChecks(rs)
	if n.failed > 0 && !opts.ReportOnly {
		return fmt.Errorf("validate: %d of %d modelled checks failed", n.failed, n.modelled)
	}
	return nil
}

// runValidation runs every check, with progress on errw.
func runValidation(ctx context.Context, errw io.Writer, flags scenarioFlags) (validationRun, []models.CheckResult, error) {
	// The baseline with the flags' overrides gives the seed, replications
	// and run length that Validate uses for every scenario.
	sc, err := models.Load(models.ValidationBase, flags.overrides())
	if err != nil {
		return validationRun{}, nil, err
	}
	run := validationRun{Seed: sc.Seed(), Replications: sc.Replications(), Warmup: sc.Warmup(), Horizon: sc.Horizon()}
	if m, err := models.Build(sc); err != nil {
		return validationRun{}, nil, err
	} else if err := flags.checkMemory(models.ValidationBase, m, sc.Replications(), flags.Workers); err != nil {
		return validationRun{}, nil, err
	}
	cur, update, finish := "", func(int) {}, func() {}
	progress := func(what string, done, total int) {
		if what != cur {
			finish()
			cur = what
			update, finish = newProgress(errw, total, "validate: "+what, flags.Quiet)
		}
		update(done)
	}
	rs, err := models.Validate(ctx, 0, 0, flags.Workers, flags.overrides(), progress)
	finish()
	return run, rs, err
}

// addValidation runs the checks and adds validation.csv and validation.json
// to the bundle; it returns the table for the report.
func addValidation(ctx context.Context, b *output.Bundle, errw io.Writer, flags scenarioFlags) (*output.ValidationTable, error) {
	run, rs, err := runValidation(ctx, errw, flags)
	if err != nil {
		return nil, err
	}
	if err := b.Add("validation.csv", func(w io.Writer) error { return writeValidationCSV(w, rs) }); err != nil {
		return nil, err
	}
	if err := b.Add("validation.json", func(w io.Writer) error { return writeValidationJSON(w, run, rs) }); err != nil {
		return nil, err
	}
	return validationTable(run, rs), nil
}

type checkCounts struct{ all, modelled, passed, failed, fitted int }

func countChecks(rs []models.CheckResult) checkCounts {
	n := checkCounts{all: len(rs)}
	for _, r := range rs {
		if r.Fitted {
			n.fitted++
		}
		switch r.Status {
		case models.StatusPass:
			n.passed++
		case models.StatusFail:
			n.failed++
		}
	}
	n.modelled = n.passed + n.failed
	return n
}

// checkRunLabel names the scenario a check reads, with its overrides.
func checkRunLabel(c models.Check) string {
	s := c.ScenarioName()
	if len(c.Set) > 0 {
		s += " [" + strings.Join(c.Set, ", ") + "]"
	}
	return s
}

// checkValueText writes a simulated value on its check's scale: a signed
// difference, a relative change in per cent, a ratio, or a level.
func checkValueText(c models.Check, x float64) string {
	return checkText(c, x, output.Format)
}

// checkFigureText writes a published figure as the checks file has it.
func checkFigureText(c models.Check, x float64) string {
	return checkText(c, x, func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) })
}

func checkText(c models.Check, x float64, format func(float64) string) string {
	switch {
	case math.IsNaN(x):
		return ""
	case c.Contrast == models.ContrastRelative:
		return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
	case c.Contrast == models.ContrastDifference && x > 0:
		return "+" + format(x)
	}
	return format(x)
}

// checkPublishedText is the published figure, or the direction, as compared.
func checkPublishedText(c models.Check) string {
	lo, hi := c.Published()
	fig := checkFigureText(c, lo)
	if hi != lo {
		fig += " to " + checkFigureText(c, hi)
	}
	prefix := ""
	switch c.Contrast {
	case models.ContrastOddsRatio:
		prefix = "OR "
	case models.ContrastRatio:
		prefix = "ratio "
	}
	none := "0"
	if c.LogScale() {
		none = "1"
	}
	switch c.Compare {
	case models.CompareAtLeast:
		return "at least " + prefix + fig
	case models.CompareAtMost:
		return "at most " + prefix + fig
	case models.CompareIncrease:
		return prefix + "> " + none
	case models.CompareDecrease:
		return prefix + "< " + none
	case models.CompareNoIncrease:
		return "no rise"
	}
	return prefix + fig
}

func checkToleranceText(c models.Check) string {
	switch {
	case c.Tolerance == 0:
		return "-"
	case c.LogScale():
		return "×÷" + output.Format(math.Exp(c.Tolerance))
	case c.Contrast == models.ContrastRelative:
		return "±" + strconv.FormatFloat(100*c.Tolerance, 'g', -1, 64) + "%"
	}
	return "±" + strconv.FormatFloat(c.Tolerance, 'g', -1, 64)
}

func checkResultText(r models.CheckResult) string {
	switch r.Status {
	case models.StatusPass:
		return "pass"
	case models.StatusNotModelled:
		return "not modelled"
	}
	switch {
	case math.IsNaN(r.Mean):
		return "FAIL: no data"
	case r.Compare == models.CompareIncrease || r.Compare == models.CompareDecrease:
		return "FAIL: CI includes no change"
	case r.Compare == models.CompareNoIncrease:
		return "FAIL: CI above 0"
	case r.LogScale():
		return "FAIL by ×÷" + output.Format(math.Exp(r.Off))
	case r.Contrast == models.ContrastRelative:
		return fmt.Sprintf("FAIL by %.1f%%", 100*r.Off)
	}
	return "FAIL by " + output.Format(r.Off)
}

// writeValidationTable writes the checks grouped by target, the reasons for
// the ones not modelled, and a one-line summary. Its lines are also what a
// report's Validation section shows.
func writeValidationTable(w io.Writer, run validationRun, rs []models.CheckResult) error {
	v := validationTable(run, rs)
	for _, l := range v.Intro {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(v.Header, "\t"))
	for _, row := range v.Rows {
		if len(row) == 1 { // a target: its number and title
			num, title, _ := strings.Cut(row[0], " ")
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\n", num, title)
			continue
		}
		fmt.Fprintln(tw, "  "+strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range v.Notes {
		fmt.Fprintln(w, l)
	}
	return nil
}

// validationTable lays the results out as the table and the report show
// them: the runs behind them, a row per check under its target, and the
// notes that explain the marks and the checks that are not modelled.
func validationTable(run validationRun, rs []models.CheckResult) *output.ValidationTable {
	v := &output.ValidationTable{Header: []string{"check", "", "published", "simulated", "95% CI", "tolerance", "result"}}
	v.Intro = append(v.Intro, fmt.Sprintf("Validation against published targets: %d paired replications, seed %d, %s warm-up, %s measured", run.Replications, run.Seed, fmtDays(run.Warmup), fmtDays(run.Horizon)),
		"runs, on common random numbers, each with the checks that read it (the baseline: every other check):")
	// A check read from a setting unlike England's says so here, since the
	// rows do not name their runs.
	var runs []string
	ids := map[string][]string{}
	for _, r := range rs {
		if !r.Modelled() {
			continue
		}
		labels := []string{checkRunLabel(r.Check)}
		if r.Contrast != "" {
			labels = append([]string{r.BaseName()}, labels...)
		}
		for _, l := range labels {
			if _, ok := ids[l]; !ok {
				runs = append(runs, l)
			}
			ids[l] = append(ids[l], r.ID)
		}
	}
	for _, l := range runs {
		line := "  " + l
		if l != models.ValidationBase {
			line += ": " + strings.Join(ids[l], ", ")
		}
		v.Intro = append(v.Intro, line)
	}
	titles := map[int]string{}
	for _, t := range evidence.Targets() {
		titles[t.Number] = t.Title
	}
	last := -1
	inputs, fitted := false, false
	for _, r := range rs {
		if r.Target != last {
			v.Rows = append(v.Rows, []string{fmt.Sprintf("%d. %s", r.Target, titles[r.Target])})
			last = r.Target
		}
		id := r.ID
		if r.InputCheck {
			id += "*"
			inputs = true
		}
		if r.Fitted {
			id += "†"
			fitted = true
		}
		ci := ""
		if !math.IsNaN(r.Low) {
			ci = checkValueText(r.Check, r.Low) + " to " + checkValueText(r.Check, r.High)
		}
		pub, tol := checkPublishedText(r.Check), checkToleranceText(r.Check)
		if !r.Modelled() {
			pub, tol = "", ""
		}
		v.Rows = append(v.Rows, []string{id, r.Title, pub, checkValueText(r.Check, r.Mean), ci, tol, checkResultText(r)})
	}
	if inputs {
		v.Notes = append(v.Notes, "* input check: a source of the figure is also an input of the model, so the check shows only that it was wired in")
	}
	if fitted {
		v.Notes = append(v.Notes, "† calibration target: its scenario was fitted to it (calibrated_to), so its pass shows the fit; the other checks test the model")
	}
	v.Notes = append(v.Notes, "Odds ratios and ratios are compared on the log scale: their tolerance multiplies or divides the figure.",
		"A contrast pairs its scenario with the baseline unless the check names a base; pooled checks sum rare events over replications.")
	first := true
	for _, r := range rs {
		if r.Modelled() {
			continue
		}
		if first {
			v.Notes = append(v.Notes, "", "not modelled:")
			first = false
		}
		v.Notes = append(v.Notes, fmt.Sprintf("  %s: %s", r.ID, r.NotModelled))
	}
	n := countChecks(rs)
	v.Notes = append(v.Notes, "", fmt.Sprintf("%d of %d modelled checks pass and %d fail; %d of the %d are calibration targets; %d of %d checks not modelled",
		n.passed, n.modelled, n.failed, n.fitted, n.modelled, n.all-n.modelled, n.all))
	return v
}

// checkNum is x for JSON, or nil (null) if it is NaN or infinite.
func checkNum(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

type checkJSON struct {
	ID            string   `json:"id"`
	Target        int      `json:"target"`
	TargetTitle   string   `json:"target_title"`
	Title         string   `json:"title"`
	Quote         string   `json:"quote"`
	Sources       []string `json:"sources"`
	InputCheck    bool     `json:"input_check"`
	Fitted        bool     `json:"calibration_target"`
	Status        string   `json:"status"`
	NotModelled   string   `json:"not_modelled,omitempty"`
	Scenario      string   `json:"scenario,omitempty"`
	Base          string   `json:"base,omitempty"`
	Set           []string `json:"set,omitempty"`
	Metric        string   `json:"metric,omitempty"`
	Over          []string `json:"over,omitempty"`
	PerMetric     string   `json:"per_metric,omitempty"`
	PerOver       []string `json:"per_over,omitempty"`
	Contrast      string   `json:"contrast,omitempty"`
	Compare       string   `json:"compare,omitempty"`
	FigureLow     *float64 `json:"figure_low"`
	FigureHigh    *float64 `json:"figure_high"`
	Tolerance     *float64 `json:"tolerance"`
	LogScale      bool     `json:"log_scale"`
	Pooled        bool     `json:"pooled"`
	ToleranceWhy  string   `json:"tolerance_why,omitempty"`
	AcceptedLow   *float64 `json:"accepted_low"`
	AcceptedHigh  *float64 `json:"accepted_high"`
	Mean          *float64 `json:"mean"`
	CILow         *float64 `json:"ci_low"`
	CIHigh        *float64 `json:"ci_high"`
	N             int      `json:"n"`
	Off           *float64 `json:"off"`
	PublishedText string   `json:"published_text,omitempty"`
}

func toCheckJSON(r models.CheckResult, titles map[int]string) checkJSON {
	j := checkJSON{ID: r.ID, Target: r.Target, TargetTitle: titles[r.Target], Title: r.Title, Quote: r.Quote,
		Sources: r.Sources, InputCheck: r.InputCheck, Fitted: r.Fitted, Status: r.Status, NotModelled: r.NotModelled,
		Mean: checkNum(r.Mean), CILow: checkNum(r.Low), CIHigh: checkNum(r.High), N: r.N, Off: checkNum(r.Off)}
	if j.Sources == nil {
		j.Sources = []string{}
	}
	if !r.Modelled() {
		return j
	}
	lo, hi := r.Published()
	alo, ahi := r.Accepted()
	j.Scenario, j.Set, j.Metric, j.Over = r.ScenarioName(), r.Set, r.Metric, r.Over
	if r.Contrast != "" {
		j.Base = r.BaseName()
	}
	j.Pooled = r.Pool
	if r.Per != nil {
		j.PerMetric, j.PerOver = r.Per.Metric, r.Per.Over
	}
	j.Contrast, j.Compare, j.LogScale, j.ToleranceWhy = r.Contrast, r.Compare, r.LogScale(), r.ToleranceWhy
	j.FigureLow, j.FigureHigh, j.AcceptedLow, j.AcceptedHigh = checkNum(lo), checkNum(hi), checkNum(alo), checkNum(ahi)
	j.Tolerance = checkNum(r.Tolerance)
	j.PublishedText = checkPublishedText(r.Check)
	return j
}

func writeValidationJSON(w io.Writer, run validationRun, rs []models.CheckResult) error {
	titles := map[int]string{}
	for _, t := range evidence.Targets() {
		titles[t.Number] = t.Title
	}
	n := countChecks(rs)
	doc := struct {
		Version      string      `json:"version"`
		Seed         uint64      `json:"seed"`
		Replications int         `json:"replications"`
		WarmupDays   float64     `json:"warmup_days"`
		HorizonDays  float64     `json:"horizon_days"`
		Checks       int         `json:"checks"`
		Modelled     int         `json:"modelled"`
		Passed       int         `json:"passed"`
		Failed       int         `json:"failed"`
		Results      []checkJSON `json:"results"`
	}{Version: Version(), Seed: run.Seed, Replications: run.Replications, WarmupDays: run.Warmup, HorizonDays: run.Horizon,
		Checks: n.all, Modelled: n.modelled, Passed: n.passed, Failed: n.failed}
	for _, r := range rs {
		doc.Results = append(doc.Results, toCheckJSON(r, titles))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func writeValidationCSV(w io.Writer, rs []models.CheckResult) error {
	cw := output.NewCSVWriter(w)
	cw.Write([]string{"id", "target", "title", "status", "input_check", "calibration_target", "scenario", "base", "set", "metric", "over", "per",
		"contrast", "compare", "figure_low", "figure_high", "tolerance", "log_scale", "pooled", "mean", "ci_low", "ci_high",
		"n", "off", "sources", "quote", "tolerance_why", "not_modelled"})
	f := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for _, r := range rs {
		lo, hi := r.Published()
		scenario, base, tol := "", "", ""
		if r.Modelled() {
			scenario, tol = r.ScenarioName(), f(r.Tolerance)
		}
		if r.Contrast != "" {
			base = r.BaseName()
		}
		per := ""
		if r.Per != nil {
			per = strings.Join(append([]string{r.Per.Metric}, r.Per.Over...), "; ")
		}
		cw.Write([]string{r.ID, strconv.Itoa(r.Target), r.Title, r.Status, strconv.FormatBool(r.InputCheck),
			strconv.FormatBool(r.Fitted), scenario, base, strings.Join(r.Set, "; "), r.Metric, strings.Join(r.Over, "; "), per,
			r.Contrast, r.Compare, f(lo), f(hi), tol, strconv.FormatBool(r.LogScale()), strconv.FormatBool(r.Pool),
			f(r.Mean), f(r.Low), f(r.High), strconv.Itoa(r.N), f(r.Off),
			strings.Join(r.Sources, "; "), r.Quote, r.ToleranceWhy, r.NotModelled})
	}
	cw.Flush()
	return cw.Error()
}
