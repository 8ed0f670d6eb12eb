package cmd

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/validation"
	"github.com/journeysim/journeysim/output"
)

func TestValidateFlags(t *testing.T) {
	var got *ValidateOptions
	c := NewCmdValidate(func(o *ValidateOptions) error { got = o; return nil })
	c.SetArgs([]string{"--seed", "7", "--replications", "3", "--workers", "2", "--format", "json", "--report-only", "--quiet"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Seed != 7 || got.Replications != 3 || got.Workers != 2 || got.Format != "json" || !got.ReportOnly || !got.Quiet {
		t.Errorf("options %+v", got)
	}
	if o := strings.Join(got.overrides(), " "); o != "run.seed=7 run.replications=3" {
		t.Errorf("overrides %q", o)
	}

	for _, args := range [][]string{{"validate", "--format", "xml"}, {"validate", "extra"}, {"validate", "--replications", "0"}} {
		if code, _, _ := execute(t, args...); code != exitUsage {
			t.Errorf("%v: exit status %d, want %d", args, code, exitUsage)
		}
	}
}

// quick keeps the CLI tests short: few replications of a short run. Checks
// may then fail for want of data, so the tests only rely on 7a, which the
// override below makes fail whatever the run length.
var quick = []string{"validate", "--replications", "2", "--warmup", "3y", "--horizon", "1y", "--quiet"}

// rehabMostlyCompletes makes rehab exits 90% completions in every scenario
// (the DATOS setting has its own exit mix, so all three are set): check 7a
// (30% ± 5 points) fails, whatever the few replications draw.
var rehabMostlyCompletes = []string{
	"--set", "places.residential.exits.completed.probability=0.9",
	"--set", "places.residential.exits.dropped_out.probability=0.1",
	"--set", "places.residential.exits.transferred.probability=0",
}

type validationJSON struct {
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Checks       int    `json:"checks"`
	Modelled     int    `json:"modelled"`
	Passed       int    `json:"passed"`
	Failed       int    `json:"failed"`
	Results      []struct {
		ID         string   `json:"id"`
		Status     string   `json:"status"`
		InputCheck bool     `json:"input_check"`
		Mean       *float64 `json:"mean"`
		CILow      *float64 `json:"ci_low"`
		Metric     string   `json:"metric"`
		Quote      string   `json:"quote"`
	} `json:"results"`
}

// TestValidateJSONAndExitStatus checks that --format json is valid JSON
// with every check, that a failing check gives exit status 1 (the JSON is
// still printed) and that --report-only gives 0 for the same run.
func TestValidateJSONAndExitStatus(t *testing.T) {
	args := append(append(quick, "--format", "json"), rehabMostlyCompletes...)
	code, out, stderr := execute(t, args...)
	if code != exitError {
		t.Errorf("exit status %d with a failing check, want %d; stderr:\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "modelled checks failed") {
		t.Errorf("stderr:\n%s", stderr)
	}
	var doc validationJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	checks := validation.Checks()
	if len(doc.Results) != len(checks) || doc.Checks != len(checks) {
		t.Fatalf("%d results (checks = %d), want %d", len(doc.Results), doc.Checks, len(checks))
	}
	if doc.Replications != 2 || doc.Seed == 0 {
		t.Errorf("replications %d, seed %d", doc.Replications, doc.Seed)
	}
	passed, failed := 0, 0
	for i, r := range doc.Results {
		c := checks[i]
		if r.ID != c.ID || r.Quote != c.Quote || r.InputCheck != c.InputCheck {
			t.Errorf("result %d is %q, want check %q", i, r.ID, c.ID)
		}
		switch validation.Status(r.Status) {
		case validation.StatusPass:
			passed++
		case validation.StatusFail:
			failed++
		case validation.StatusNotModelled:
			if c.Modelled() || r.Mean != nil {
				t.Errorf("%s: not modelled, with metric %q and mean %v", r.ID, c.Metric, r.Mean)
			}
		default:
			t.Errorf("%s: status %q", r.ID, r.Status)
		}
		if r.ID == "7a" && (r.Status != string(validation.StatusFail) || r.Mean == nil || *r.Mean < 0.5) {
			t.Errorf("7a: status %q, mean %v; want a failure near 0.9", r.Status, r.Mean)
		}
	}
	if passed != doc.Passed || failed != doc.Failed || passed+failed != doc.Modelled {
		t.Errorf("summary %d passed, %d failed of %d; counted %d and %d", doc.Passed, doc.Failed, doc.Modelled, passed, failed)
	}

	code, out2, stderr := execute(t, append(args, "--report-only")...)
	if code != exitOK {
		t.Errorf("exit status %d with --report-only, want 0; stderr:\n%s", code, stderr)
	}
	if out2 != out {
		t.Error("--report-only changed the results")
	}
}

// TestValidateTableAndCSV checks the table's summary line and the CSV's
// rows, and that results do not depend on the number of workers.
func TestValidateTableAndCSV(t *testing.T) {
	checks := validation.Checks()
	_, table, _ := execute(t, append(append(quick, "--report-only", "--workers", "1"), rehabMostlyCompletes...)...)
	for _, c := range checks {
		if !strings.Contains(table, "  "+c.ID) {
			t.Errorf("table has no row for %s", c.ID)
		}
	}
	notModelled := 0
	for _, c := range checks {
		if !c.Modelled() {
			notModelled++
		}
	}
	if !strings.Contains(table, "modelled checks pass") ||
		!strings.Contains(table, fmt.Sprintf("%d of %d checks not modelled", notModelled, len(checks))) ||
		(notModelled > 0) != strings.Contains(table, "not modelled:\n") {
		t.Errorf("table:\n%s", table)
	}
	if !strings.Contains(table, "FAIL by") {
		t.Errorf("no failure shown:\n%s", table)
	}
	// A check read from another scenario is listed under it.
	for _, c := range checks {
		if !c.Modelled() || c.ScenarioName() == validation.Base || len(c.Set) > 0 {
			continue
		}
		_, after, ok := strings.Cut(table, "\n  "+c.ScenarioName()+": ")
		line, _, _ := strings.Cut(after, "\n")
		if !ok || !slices.Contains(strings.Split(line, ", "), c.ID) {
			t.Errorf("%s is not listed under its scenario %s:\n%s", c.ID, c.ScenarioName(), table)
		}
	}

	code, out, stderr := execute(t, append(append(quick, "--report-only", "--format", "csv", "--workers", "3"), rehabMostlyCompletes...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(checks)+1 || rows[0][0] != "id" {
		t.Fatalf("%d CSV rows, want a header and %d", len(rows), len(checks))
	}
	// The table (1 worker) and the CSV (3 workers) must agree on 7a's mean.
	col := slices.Index(rows[0], "mean")
	if col < 0 {
		t.Fatalf("no mean column in %v", rows[0])
	}
	for _, r := range rows[1:] {
		if r[0] != "7a" {
			continue
		}
		x, err := strconv.ParseFloat(r[col], 64)
		if err != nil {
			t.Fatalf("7a mean %q: %v", r[col], err)
		}
		if mean := output.Format(x); !strings.Contains(table, " "+mean+" ") {
			t.Errorf("7a mean %s (CSV, 3 workers) not in the table (1 worker):\n%s", r[col], table)
		}
	}
}

// TestRunValidate checks that run --report --validate writes the validation
// files beside the run's and puts the table into the report.
func TestRunValidate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := execute(t, "run", "--replications", "2", "--warmup", "3y", "--horizon", "1y", "--quiet",
		"--out", dir, "--report", "--validate")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := os.ReadFile(filepath.Join(dir, "validation.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(rows), "\n"); n != len(validation.Checks())+1 {
		t.Errorf("validation.csv has %d lines, want a header and %d checks", n, len(validation.Checks()))
	}
	if _, err := os.Stat(filepath.Join(dir, "validation.json")); err != nil {
		t.Error(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// 18a is a contrast fitted through its base's calibrated_to (scenarios/philadelphia.toml).
	for _, want := range []string{"<h2>Validation</h2>", "<td>18a†</td>", "<td>18b</td>", "calibration target"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestReportCommandValidates checks that journeysim report writes the
// report with its validation page by default, and leaves the page out with
// --validate=false.
func TestReportCommandValidates(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		validate bool
	}{
		{[]string{}, true}, // not nil: cobra reads os.Args for nil
		{[]string{"--validate=false"}, false},
	} {
		var got *RunOptions
		c := NewCmdReport(func(o *RunOptions) error { got = o; return nil })
		c.SetArgs(tt.args)
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if !got.Report || got.Validate != tt.validate {
			t.Errorf("report %v: options report %v, validate %v; want true, %v", tt.args, got.Report, got.Validate, tt.validate)
		}
	}
}
