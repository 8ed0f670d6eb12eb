package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

// TestCalibratePosterior: --posterior writes the draws beside the
// calibrated file, which names them; the file loads with its draws, and a
// PSA of it draws the calibrated parameters from them and says so.
func TestCalibratePosterior(t *testing.T) {
	dir := t.TempDir()
	targets := writeFile(t, dir, "targets.toml", calTargets)
	out := filepath.Join(dir, "cal.toml")
	code, stdout, stderr := execute(t, "calibrate", calScenario, "--targets", targets, "--out", out,
		"--lhs", "4", "--evals", "8", "--replications", "4", "--posterior", "16", "-q")
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	draws := filepath.Join(dir, "cal.posterior.csv")
	for _, want := range []string{"posterior 90% interval", "posterior draws written to " + draws, "the posterior sampler's"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	sc, err := models.Load(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Draws == nil || len(sc.Draws.Rows) != 16 || len(sc.Draws.Params) != 2 {
		t.Fatalf("draws %+v", sc.Draws)
	}
	// Again without --force: the files are there.
	if code, _, stderr := execute(t, "calibrate", calScenario, "--targets", targets, "--out", out,
		"--lhs", "4", "--evals", "8", "--replications", "4", "--posterior", "16", "-q"); code == 0 || !strings.Contains(stderr, "--force") {
		t.Errorf("a second calibration without --force: status %d, %s", code, stderr)
	}

	sweepDir := filepath.Join(dir, "psa")
	code, stdout, stderr = execute(t, "sweep", out, "--psa", "6", "--replications", "2", "--out", sweepDir, "-q")
	if code != 0 {
		t.Fatalf("sweep: exit status %d; stderr:\n%s", code, stderr)
	}
	if want := "2 of the 2 uncertain parameters drawn from the posterior draws in " + draws; !strings.Contains(stdout, want) {
		t.Errorf("sweep output lacks %q:\n%s", want, stdout)
	}
	points, err := os.ReadFile(filepath.Join(sweepDir, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Every point's value of each parameter is a draw's.
	lines := strings.Split(strings.TrimSpace(string(points)), "\n")
	head := strings.Split(lines[0], ",")
	for j, path := range sc.Draws.Params {
		col := slices.Index(head, path)
		if col < 0 {
			t.Fatalf("points.csv has no column %s: %s", path, lines[0])
		}
		drawn := map[string]bool{}
		for _, d := range sc.Draws.Rows {
			drawn[strconv.FormatFloat(d[j], 'g', -1, 64)] = true
		}
		for _, row := range lines[1:] {
			if v := strings.Split(row, ",")[col]; !drawn[v] {
				t.Errorf("PSA point %s: %s = %s is not a posterior draw", strings.Split(row, ",")[0], path, v)
			}
		}
	}
}
