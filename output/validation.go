package output

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/journeysim/journeysim/models/evidence"
	"github.com/journeysim/journeysim/models/validation"
)

// ValidationRun describes the runs behind a validation table.
type ValidationRun struct {
	Version         string
	Seed            uint64
	Replications    int
	Warmup, Horizon float64 // days
}

// CheckCounts counts validation results: all checks, the modelled ones, and
// of those the passed, failed and fitted.
// CheckCounts counts the checks: of the modelled, those fitted to
// (calibration targets), those whose source is also an input (input checks)
// and the rest, unfitted, which test the model.
type CheckCounts struct{ All, Modelled, Passed, Failed, Fitted, Input, Unfitted int }

// CountChecks counts the results.
func CountChecks(rs []validation.CheckResult) CheckCounts {
	n := CheckCounts{All: len(rs)}
	for _, r := range rs {
		if r.Fitted {
			n.Fitted++
		}
		switch r.Status {
		case validation.StatusPass:
			n.Passed++
		case validation.StatusFail:
			n.Failed++
		}
	}
	n.Modelled = n.Passed + n.Failed
	for _, r := range rs {
		switch {
		case !r.Modelled():
		case r.Fitted:
		case r.InputCheck:
			n.Input++
		default:
			n.Unfitted++
		}
	}
	return n
}

// checkRunLabel names the scenario a check reads, with its overrides.
func checkRunLabel(c validation.Check) string {
	s := c.ScenarioName()
	if len(c.Set) > 0 {
		s += " [" + strings.Join(c.Set, ", ") + "]"
	}
	return s
}

// checkValueText writes a simulated value on its check's scale: a signed
// difference, a relative change in per cent, a ratio, or a level.
func checkValueText(c validation.Check, x float64) string {
	return checkText(c, x, Format)
}

// checkFigureText writes a published figure as the checks file has it.
func checkFigureText(c validation.Check, x float64) string {
	return checkText(c, x, func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) })
}

func checkText(c validation.Check, x float64, format func(float64) string) string {
	switch {
	case math.IsNaN(x):
		return ""
	case c.Contrast == validation.ContrastRelative:
		return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
	case c.Contrast == validation.ContrastDifference && x > 0:
		return "+" + format(x)
	}
	return format(x)
}

// checkPublishedText is the published figure, or the direction, as compared.
func checkPublishedText(c validation.Check) string {
	lo, hi := c.Published()
	fig := checkFigureText(c, lo)
	if hi != lo {
		fig += " to " + checkFigureText(c, hi)
	}
	prefix := ""
	switch c.Contrast {
	case validation.ContrastOddsRatio:
		prefix = "OR "
	case validation.ContrastRatio:
		prefix = "ratio "
	}
	none := "0"
	if c.LogScale() {
		none = "1"
	}
	switch c.Compare {
	case validation.CompareAtLeast:
		return "at least " + prefix + fig
	case validation.CompareAtMost:
		return "at most " + prefix + fig
	case validation.CompareIncrease:
		return prefix + "> " + none
	case validation.CompareDecrease:
		return prefix + "< " + none
	case validation.CompareNoIncrease:
		return "no rise"
	}
	return prefix + fig
}

func checkToleranceText(c validation.Check) string {
	switch {
	case c.Tolerance == 0:
		return "-"
	case c.LogScale():
		return "×÷" + Format(math.Exp(c.Tolerance))
	case c.Contrast == validation.ContrastRelative:
		return "±" + strconv.FormatFloat(100*c.Tolerance, 'g', -1, 64) + "%"
	}
	return "±" + strconv.FormatFloat(c.Tolerance, 'g', -1, 64)
}

func checkResultText(r validation.CheckResult) string {
	switch r.Status {
	case validation.StatusPass:
		return "pass"
	case validation.StatusNotModelled:
		return "not modelled"
	}
	switch {
	case math.IsNaN(r.Mean):
		return "FAIL: no data"
	case r.Compare == validation.CompareIncrease || r.Compare == validation.CompareDecrease:
		return "FAIL: CI includes no change"
	case r.Compare == validation.CompareNoIncrease:
		return "FAIL: CI above 0"
	case r.LogScale():
		return "FAIL by ×÷" + Format(math.Exp(r.Off))
	case r.Contrast == validation.ContrastRelative:
		return fmt.Sprintf("FAIL by %.1f%%", 100*r.Off)
	}
	return "FAIL by " + Format(r.Off)
}

// WriteValidationTable writes the checks grouped by target, the reasons for
// the ones not modelled, and a one-line summary. Its lines are also what a
// report's Validation section shows.
func WriteValidationTable(w io.Writer, run ValidationRun, rs []validation.CheckResult) error {
	v := NewValidationTable(run, rs)
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

// NewValidationTable lays the results out as the table and the report show
// them: the runs behind them, a row per check under its target, and the
// notes that explain the marks and the checks that are not modelled.
func NewValidationTable(run ValidationRun, rs []validation.CheckResult) *ValidationTable {
	v := &ValidationTable{Header: []string{"check", "", "published", "simulated", "95% CI", "tolerance", "result"}}
	v.Intro = append(v.Intro, fmt.Sprintf("Validation against published targets: %d paired replications, seed %d, %s warm-up, %s measured", run.Replications, run.Seed, fmtDaysText(run.Warmup), fmtDaysText(run.Horizon)),
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
		if l != validation.Base {
			line += ": " + strings.Join(ids[l], ", ")
		}
		v.Intro = append(v.Intro, line)
	}
	titles := map[int]string{}
	for _, t := range evidence.Targets() {
		titles[t.Number] = t.Title
	}
	last := -1
	inputs, fitted, heldOut := false, false, false
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
		if r.HeldOut {
			id += "‡"
			heldOut = true
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
	if heldOut {
		v.Notes = append(v.Notes, "‡ held out: of the kind the calibration fits, but left out of it on purpose (held_out) to test the fit")
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
	n := CountChecks(rs)
	v.Notes = append(v.Notes, "", fmt.Sprintf("%d of %d modelled checks pass and %d fail. Of the %d: %d fitted (calibration targets), %d input checks, %d unfitted (they test the model). %d of %d checks not modelled.",
		n.Passed, n.Modelled, n.Failed, n.Modelled, n.Fitted, n.Input, n.Unfitted, n.All-n.Modelled, n.All))
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
	HeldOut       bool     `json:"held_out,omitempty"`
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

func toCheckJSON(r validation.CheckResult, titles map[int]string) checkJSON {
	j := checkJSON{ID: r.ID, Target: r.Target, TargetTitle: titles[r.Target], Title: r.Title, Quote: r.Quote,
		Sources: r.Sources, InputCheck: r.InputCheck, Fitted: r.Fitted, HeldOut: r.HeldOut, Status: string(r.Status), NotModelled: r.NotModelled,
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
	j.Contrast, j.Compare, j.LogScale, j.ToleranceWhy = string(r.Contrast), string(r.Compare), r.LogScale(), r.ToleranceWhy
	j.FigureLow, j.FigureHigh, j.AcceptedLow, j.AcceptedHigh = checkNum(lo), checkNum(hi), checkNum(alo), checkNum(ahi)
	j.Tolerance = checkNum(r.Tolerance)
	j.PublishedText = checkPublishedText(r.Check)
	return j
}

func WriteValidationJSON(w io.Writer, run ValidationRun, rs []validation.CheckResult) error {
	titles := map[int]string{}
	for _, t := range evidence.Targets() {
		titles[t.Number] = t.Title
	}
	n := CountChecks(rs)
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
	}{Version: run.Version, Seed: run.Seed, Replications: run.Replications, WarmupDays: run.Warmup, HorizonDays: run.Horizon,
		Checks: n.All, Modelled: n.Modelled, Passed: n.Passed, Failed: n.Failed}
	for _, r := range rs {
		doc.Results = append(doc.Results, toCheckJSON(r, titles))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteValidationCSV writes validation.csv: a row per check.
func WriteValidationCSV(w io.Writer, rs []validation.CheckResult) error {
	cw := NewCSVWriter(w)
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
		cw.Write([]string{r.ID, strconv.Itoa(r.Target), r.Title, string(r.Status), strconv.FormatBool(r.InputCheck),
			strconv.FormatBool(r.Fitted), scenario, base, strings.Join(r.Set, "; "), r.Metric, strings.Join(r.Over, "; "), per,
			string(r.Contrast), string(r.Compare), f(lo), f(hi), tol, strconv.FormatBool(r.LogScale()), strconv.FormatBool(r.Pool),
			f(r.Mean), f(r.Low), f(r.High), strconv.Itoa(r.N), f(r.Off),
			strings.Join(r.Sources, "; "), r.Quote, r.ToleranceWhy, r.NotModelled})
	}
	cw.Flush()
	return cw.Error()
}
