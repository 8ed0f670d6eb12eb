package cmd

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats/scalar"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// execute runs journeysim with args and returns its exit status and output.
func execute(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string // part of stderr
	}{
		{"help", []string{"--help"}, 0, ""},
		{"version", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", "--replicashuns", "3"}, 2, "unknown flag: --replicashuns"},
		{"bad flag value", []string{"run", "--replications", "many"}, 2, "invalid argument"},
		{"too many args", []string{"run", "a", "b"}, 2, "accepts at most 1 arg"},
		{"zero workers", []string{"run", "--workers", "0"}, 2, "--workers must be at least 1"},
		{"unknown scenario", []string{"run", "basline"}, 1, `did you mean "baseline"?`},
		{"bad override", []string{"run", "--set", "places.detox.capacity=-3"}, 1, "places.detox.capacity"},
		{"check needs a file", []string{"check"}, 2, "requires at least 1 arg"},
		{"check broken", []string{"check", "testdata/broken.toml"}, 1, "check failed: 1 of 1 files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.err) {
				t.Errorf("stderr does not contain %q:\n%s", tt.err, stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	_, out, _ := execute(t, "version")
	if !strings.HasPrefix(out, "journeysim dev\ncommit unknown\ngo") {
		t.Errorf("version output:\n%s", out)
	}
}

func TestScenariosList(t *testing.T) {
	code, out, stderr := execute(t, "scenarios")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "scenarios", out)
}

func TestCheckShipped(t *testing.T) {
	code, out, stderr := execute(t, "check", "baseline", "case-managers-at-detox", "bench/peer-overloaded", "../scenarios/more-detox-beds.toml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(out, ": ok\n"); n != 4 {
		t.Errorf("%d files ok, want 4:\n%s", n, out)
	}
}

func TestCheckBroken(t *testing.T) {
	_, _, stderr := execute(t, "check", "testdata/broken.toml")
	golden(t, "check-broken", stderr)
}

func TestSchema(t *testing.T) {
	code, out, _ := execute(t, "schema")
	if code != 0 {
		t.Fatal("schema failed")
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range []string{"name", "base", "run", "arrivals", "case_mix", "policy", "places"} {
		if _, ok := props[k]; !ok {
			t.Errorf("schema has no property %q", k)
		}
	}
}

// TestRunEndToEnd runs a small scenario from a file, checks the table and
// the result files, and that the worker count changes nothing.
func TestRunEndToEnd(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "../scenarios/bench/peer-reference.toml", "--replications", "3", "--horizon", "2y",
		"--out", filepath.Join(dir, "w2"), "--workers", "2"}
	code, out, stderr := execute(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr is not a terminal, so no progress bar; got %q", stderr)
	}
	for _, want := range []string{"3 replications, seed 42", "occupancy.detox", "wait_mean_days.detox", "95% CI"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"summary.json", "summary.csv", "replications.csv", "timeseries.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "w2", f)); err != nil {
			t.Error(err)
		}
	}
	// An existing directory is not replaced without --force.
	if code, _, stderr := execute(t, args...); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("second run into the same --out: exit %d, stderr %q", code, stderr)
	}
	// Worker count does not change results: the files are byte-identical
	// but for the wall time.
	args1 := append(append([]string{}, args[:len(args)-4]...), "--out", filepath.Join(dir, "w1"), "--workers", "1")
	if code, _, stderr := execute(t, args1...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"summary.csv", "replications.csv", "timeseries.csv"} {
		a, _ := os.ReadFile(filepath.Join(dir, "w1", f))
		b, _ := os.ReadFile(filepath.Join(dir, "w2", f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s differs between --workers 1 and 2", f)
		}
	}
}

func TestCompareEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := execute(t, "compare", "baseline", "case-managers-at-detox", "--replications", "6",
		"--horizon", "3y", "--warmup", "2y", "--out", dir, "--force")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"6 paired replications", "repeat_detox_share", "linkage_30d.detox", "against the base:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Common random numbers: arrivals are drawn from the same stream.
	if !strings.Contains(out, "new_presentations") || !regexpMatch(`new_presentations\s+\S+\s+\S+\s+0\s`, out) {
		t.Errorf("new presentations should not differ on common random numbers:\n%s", out)
	}
	// Four posts at £40,000 a year, paid whether full or not.
	if !regexpMatch(`cost\.case_management\s+0\s+160000\s`, out) {
		t.Errorf("the case managers should cost 160000 a year:\n%s", out)
	}
	for _, want := range []string{"incremental_cost", "icer", "net_monetary_benefit@20000", "roi.incremental.excl_transfers", "roi.full.alternative"} {
		if !regexpMatch(`(?m)^\s+`+regexp.QuoteMeta(want)+`\s`, out) {
			t.Errorf("economics table lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"base/summary.json", "case-managers-at-detox/summary.json", "differences-case-managers-at-detox.csv", "economics-case-managers-at-detox.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

func TestExplain(t *testing.T) {
	code, out, stderr := execute(t, "explain", "case-managers-at-detox", "--set", "places.detox.capacity=8", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"parameter,value,uncertainty,when,source,citation,note,set_in\n",
		// A cell that a spreadsheet would take for a formula is text.
		"places.detox.capacity,8,,,assumption,assumption,set on the command line,'--set",
		"places.case_management.capacity,60,,,assumption,assumption,4 posts x caseload 15,case-managers-at-detox.toml",
		`places.residential.exits.completed.probability,0.3,,,F2,F2: NTA 2012 rehab report,,baseline-prior.toml`,
		// A calibrated value keeps the rows its prior rested on, its
		// uncertainty, and the file that fitted it.
		// (Its value changes with each refit: the row is matched after it.)
		`"beta(18, 17)",,"calibrated: C1, C7","calibrated, from a prior on C1: Day & Strang 2011`,
		`places.using.mortality.bands[0].rate,4.36,,,"derived: J2, J4","derived from J2: Cornish et al 2010`,
		// A modifier shows when it applies.
		`places.detox.exits.completed.modifiers[0].odds_ratio,1.6,,holding.case_management,D1,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q", want)
		}
	}
}

// TestRunGoldenFiles checks summary.json and summary.csv of a small run
// against goldens, numbers within a relative 1e-9 (fused multiply-adds may
// change the last digits on other architectures), the rest exactly, and
// the wall time not at all.
func TestRunGoldenFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := execute(t, "run", "bench/peer-reference", "--replications", "3", "--horizon", "1y", "--out", dir, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"summary.json", "summary.csv"} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "run-"+f+".golden")
		if *update {
			os.WriteFile(path, got, 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".json") {
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal(want, &w)
			compareJSON(t, f, g, w)
			continue
		}
		compareCSV(t, f, string(got), string(want))
	}
}

func near(a, b float64) bool { return scalar.EqualWithinAbsOrRel(a, b, 1e-12, 1e-9) }

func compareJSON(t *testing.T, path string, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: got %v, want %v", path, got, want)
			return
		}
		for k := range w {
			if k == "wall_seconds" {
				continue
			}
			compareJSON(t, path+"."+k, g[k], w[k])
		}
	case float64:
		if g, ok := got.(float64); !ok || !near(g, w) {
			t.Errorf("%s: got %v, want %v", path, got, want)
		}
	default:
		if got != want {
			t.Errorf("%s: got %v, want %v", path, got, want)
		}
	}
}

func compareCSV(t *testing.T, name, got, want string) {
	t.Helper()
	g, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := csv.NewReader(strings.NewReader(want)).ReadAll()
	if len(g) != len(w) {
		t.Fatalf("%s: %d rows, want %d", name, len(g), len(w))
	}
	for i := range w {
		for j := range w[i] {
			a, errA := strconv.ParseFloat(g[i][j], 64)
			b, errB := strconv.ParseFloat(w[i][j], 64)
			if errA == nil && errB == nil {
				if !near(a, b) {
					t.Errorf("%s row %d col %d: %v, want %v", name, i, j, a, b)
				}
			} else if g[i][j] != w[i][j] {
				t.Errorf("%s row %d col %d: %q, want %q", name, i, j, g[i][j], w[i][j])
			}
		}
	}
}

// TestNoNaNInOutput runs a scenario where many metrics have no data (no
// treatment at all) and compares it with the baseline: no file written may
// hold NaN or an infinity; JSON says null, CSV leaves the value empty and
// summary.csv says why.
func TestNoNaNInOutput(t *testing.T) {
	dir := t.TempDir()
	short := []string{"--replications", "3", "--warmup", "1y", "--horizon", "1y", "--quiet", "--validate=false"}
	if code, _, stderr := execute(t, append([]string{"run", "no-treatment", "--out", filepath.Join(dir, "run")}, short...)...); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if code, _, stderr := execute(t, append([]string{"compare", "no-treatment", "baseline", "--out", filepath.Join(dir, "compare")}, short[:len(short)-1]...)...); code != exitOK {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	bad := regexp.MustCompile(`\bNaN\b|\b[+-]?Inf\b`)
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".csv") && !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".md") {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := bad.FindIndex(b); loc != nil {
			t.Errorf("%s holds %q", path, b[loc[0]:loc[1]])
		}
		if strings.HasSuffix(path, ".json") && !json.Valid(b) {
			t.Errorf("%s is not valid JSON", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "run", "summary.csv"))
	if !strings.Contains(string(summary), "completion_rate,,,,") || !strings.Contains(string(summary), "no data in any replication") {
		t.Errorf("summary.csv does not leave completion_rate empty with a note:\n%.600s", summary)
	}
	if files < 10 {
		t.Errorf("only %d files checked", files)
	}
}

// TestServiceWarnings: an area whose community caseload is capped below
// its demand is told so above the table and in summary.json; the shipped
// scenarios are not, but Philadelphia's, full on purpose, which are.
func TestServiceWarnings(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shipped scenario")
	}
	dir := t.TempDir()
	code, out, stderr := execute(t, "run", "baseline", "--replications", "4", "--set", "places.community.capacity=700",
		"--set", `economics.counterfactual=""`, "--out", filepath.Join(dir, "capped"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"WARNING: community is full", "WARNING: community loses"} {
		if i := strings.Index(out, want); i < 0 || i > strings.Index(out, "metric ") {
			t.Errorf("no %q above the table:\n%s", want, out)
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, "capped", "summary.json"))
	if !strings.Contains(string(js), `"kind": "full"`) {
		t.Errorf("summary.json has no service warning of kind full")
	}
	_, list, _ := execute(t, "scenarios")
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		name := strings.Fields(line)[0]
		// Philadelphia's detox centre is full by design (Findings E3: full
		// beds at the front door, people giving up waiting).
		if name == "england" || strings.HasPrefix(name, "bench/") || strings.HasPrefix(name, "philadelphia") {
			continue
		}
		code, out, stderr := execute(t, "run", name, "--replications", "4", "--set", `economics.counterfactual=""`,
			"--set", "run.followups=false", "--out", filepath.Join(dir, strings.ReplaceAll(name, "/", "-")))
		if code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, stderr)
		}
		if strings.Contains(out, "WARNING") {
			t.Errorf("%s warns:\n%s", name, out)
		}
	}
	if _, out, _ := execute(t, "run", "philadelphia", "--replications", "4", "--set", "run.followups=false",
		"--out", filepath.Join(dir, "philadelphia")); !strings.Contains(out, "WARNING: detox is full") {
		t.Errorf("philadelphia's full detox centre raises no warning:\n%s", out)
	}
}

// TestCalibrateRefineNeedsAFit: --refine rewrites a calibrated scenario on
// its base, so a scenario no calibration wrote is refused.
func TestCalibrateRefineNeedsAFit(t *testing.T) {
	code, _, stderr := execute(t, "calibrate", "no-treatment", "--refine", "--fit", "3c", "--out", filepath.Join(t.TempDir(), "x.toml"))
	if code != exitUsage || !strings.Contains(stderr, "--refine takes a calibrated scenario") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestPlainProgress checks the progress a log file gets: nothing for work
// that ends within 10 seconds, a line for a tenth done once 10 seconds have
// passed.
func TestPlainProgress(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	update, finish := newProgress(f, 10, "sweep x", false)
	update(1)
	update(5)
	finish()
	if b, _ := os.ReadFile(f.Name()); len(b) != 0 {
		t.Errorf("quick work printed %q", b)
	}
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	up, _ := plainProgress(&buf, 10, "sweep x", func() time.Time { return now })
	now = now.Add(5 * time.Second)
	up(1)
	if buf.Len() != 0 {
		t.Errorf("a tenth done in 5 s printed %q", buf.String())
	}
	now = now.Add(15 * time.Second)
	up(2)
	up(2)
	if want := "sweep x: 2 of 10 done (20%), 0.1 a second, about 1m20s left\n"; buf.String() != want {
		t.Errorf("printed %q, want %q", buf.String(), want)
	}
}
