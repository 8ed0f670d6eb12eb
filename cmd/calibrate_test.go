package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

const calScenario = "../models/calibrate/testdata/small.toml"

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const calTargets = `
[[target]]
metric = "exit_share.completed"
value = 0.6
sd = 0.004

[[target]]
id = "R1"
metric = "repeat_share.treat"
value = 0.2
sd = 0.003
`

// TestCalibrateCommand calibrates the test scenario end to end, on one
// worker and on three, and loads the file written.
func TestCalibrateCommand(t *testing.T) {
	dir := t.TempDir()
	targets := writeFile(t, dir, "targets.toml", calTargets)
	var outs []string
	var files [][]byte
	for _, w := range []string{"1", "3"} {
		out := filepath.Join(dir, "sub", "cal-"+w+".toml")
		code, stdout, stderr := execute(t, "calibrate", calScenario, "--targets", targets, "--out", out,
			"--lhs", "5", "--evals", "10", "--replications", "4", "--workers", w, "-q")
		if code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
		}
		for _, want := range []string{
			"Calibration test: seed 11, 4 replications a point (1y warm-up, 2y measured); ",
			"places.treat.exits.completed.probability  ",
			"places.treat.routes.dropped_out[0].probability  ",
			"places.treat.exits.dropped_out.probability  ",
			"(rescaled: sum 1)",
			"R1      repeat_share.treat",
			"distance, the sum over targets of ((mean − value)/sd)²: ",
			"calibrated scenario written to " + out,
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, strings.ReplaceAll(stdout, out, ""))
		files = append(files, b)

		sc, err := models.Load(out, nil)
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		for _, p := range sc.Parameters() {
			if strings.HasPrefix(p.Path, "places.treat.exits.") || strings.HasPrefix(p.Path, "places.treat.routes.dropped_out") {
				if p.Source != "calibrated" || p.Origin != out {
					t.Errorf("%s: source %q from %s, want calibrated from %s", p.Path, p.Source, p.Origin, out)
				}
			}
		}
	}
	if outs[0] != outs[1] || string(files[0]) != string(files[1]) {
		t.Errorf("the result depends on --workers:\n%s\n%s\n%s\n%s", outs[0], files[0], outs[1], files[1])
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "sub")); len(entries) != 2 {
		t.Errorf("%d files in the output folder, want the 2 written (no temporary files left)", len(entries))
	}
}

func TestCalibrateFlags(t *testing.T) {
	var got *CalibrateOptions
	c := NewCmdCalibrate(func(o *CalibrateOptions) error { got = o; return nil })
	c.SetArgs([]string{calScenario, "--targets", "t.toml", "--param", "a.b", "--param", "c[1].d", "--lhs", "7", "--evals", "0", "--seed", "5",
		"--fit", "3b,3c", "--fit", "6a", "--name", "Fitted"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Targets != "t.toml" || !slices.Equal(got.Params, []string{"a.b", "c[1].d"}) || got.LHS != 7 || got.Evals != 0 ||
		!slices.Equal(got.Fit, []string{"3b", "3c", "6a"}) || got.Name != "Fitted" ||
		got.OutFile != "calibrated-small.toml" || !slices.Contains(got.overrides(), "run.seed=5") {
		t.Errorf("options %+v", got)
	}
}

func TestCalibrateErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "targets.toml", calTargets)
	bad := writeFile(t, dir, "bad.toml", "[[target]]\nmetric = \"exit_share.completed\"\nvalue = 0.6\nsd = 0\n")
	unknown := writeFile(t, dir, "unknown.toml", "[[target]]\nmetric = \"exit_share.complete\"\nvalue = 0.6\nsd = 0.1\n")
	out := filepath.Join(dir, "out.toml")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no targets", []string{"calibrate", calScenario}, 2, "name the targets: --fit"},
		{"fit unknown check", []string{"calibrate", calScenario, "--fit", "3z", "--out", out}, 1, `"3z": no such validation check`},
		{"fit a contrast", []string{"calibrate", calScenario, "--fit", "14a", "--out", out}, 1, "check 14a cannot be a calibration target: it is a contrast"},
		{"no lhs", []string{"calibrate", calScenario, "--targets", good, "--lhs", "0"}, 2, "--lhs must be at least 1"},
		{"out is the scenario", []string{"calibrate", calScenario, "--targets", good, "--out", calScenario}, 1, "is a file this command reads"},
		{"missing targets file", []string{"calibrate", calScenario, "--targets", filepath.Join(dir, "nope.toml"), "--out", out}, 1, "nope.toml"},
		{"bad targets", []string{"calibrate", calScenario, "--targets", bad, "--out", out}, 1, "target[0].sd: must be a positive number"},
		{"unknown metric", []string{"calibrate", calScenario, "--targets", unknown, "--out", out}, 1, `did you mean "exit_share.completed"?`},
		{"no uncertainty", []string{"calibrate", calScenario, "--targets", good, "--out", out, "--param", "arrivals.per_year"}, 1, "declares no uncertainty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit status %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.err)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed calibration wrote its file")
	}
}
