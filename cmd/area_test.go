package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

// TestInitCommand builds an area from a figures file with a budget too
// small to fit it: the files are written and load, every capacity is the
// area's own, and the command fails saying which figures are off.
func TestInitCommand(t *testing.T) {
	dir := t.TempDir()
	figs := writeFile(t, dir, "area.csv", "figure,value\nin_treatment,1400\nstarts,650\nopiate_share,0.55\ndetox_beds,4\nbudget.detox,550000\n")
	out := filepath.Join(dir, "area.toml")
	code, stdout, stderr := execute(t, "init", out, "--figures", figs, "--replications", "2", "--lhs", "1", "--evals", "0", "-q")
	if code != 1 || !strings.Contains(stderr, "did not bring every figure within 5%") {
		t.Fatalf("exit status %d, want 1 with the figures off; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"figure        given  model", "in_treatment  1400", "written: " + filepath.Join(dir, "area.inputs.toml")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	sc, err := models.Load(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := sc.Places["detox"].Capacity; c.V != 4 || c.Source != "local" || !strings.Contains(c.Note, "area.csv:5") {
		t.Errorf("detox capacity %+v, want 4 from area.csv:5", *c)
	}
	if sc.Places["detox"].Cost.PerDay == nil {
		t.Error("the detox budget set no cost a day")
	}
	// Once written, not again without --force; with it, yes.
	if code, _, stderr := execute(t, "init", out, "--figures", figs, "--replications", "2", "--lhs", "1", "--evals", "0", "-q"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("again without --force: status %d, %s", code, stderr)
	}
}

// TestInitFigures: figures come from flags too, a flag over the file's;
// bad figures are reported with their file and line, or flag.
func TestInitFigures(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", "in_treatment,1400\nstarts,lots\nbeds,4\n")
	code, _, stderr := execute(t, "init", filepath.Join(dir, "a.toml"), "--figures", bad)
	for _, want := range []string{"bad.csv:2: starts: \"lots\" is not a number", "bad.csv:3: unknown figure \"beds\""} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("status %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	code, _, stderr = execute(t, "init", filepath.Join(dir, "a.toml"), "--in-treatment", "1400")
	if code != 2 || !strings.Contains(stderr, "starts: required") {
		t.Errorf("no starts: status %d, %s", code, stderr)
	}
	code, _, stderr = execute(t, "init", filepath.Join(dir, "a.toml"), "--in-treatment", "1400", "--starts", "600", "--opiate-share", "55")
	if code != 2 || !strings.Contains(stderr, "opiate_share = 55: a share, 0 to 1") {
		t.Errorf("a share as a percentage: status %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.toml")); err == nil {
		t.Error("a file was written for bad figures")
	}
}

// TestSnapshotCommand: a snapshot of the baseline runs as a projection,
// with no warm-up, and reports year by year.
func TestSnapshotCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "today.toml")
	code, stdout, stderr := execute(t, "snapshot", "baseline", "--replications", "2", "--out", file, "-q")
	if code != 0 || !strings.Contains(stdout, "people in") {
		t.Fatalf("snapshot: status %d; %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = execute(t, "run", file, "--replications", "2", "--horizon", "3y", "--out", filepath.Join(dir, "out"), "-q")
	if code != 0 {
		t.Fatalf("run: status %d; %s", code, stderr)
	}
	for _, want := range []string{"0d warm-up, 3y measured", "Year by year", "\n3     ", "No warm-up: the run starts from the"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}
	// A snapshot's warm-up cannot be put back.
	code, _, stderr = execute(t, "run", file, "--replications", "2", "--warmup", "5y", "--out", filepath.Join(dir, "out2"), "-q")
	if code == 0 || !strings.Contains(stderr, "a run from a start has no warm-up") {
		t.Errorf("a warm-up with a start: status %d, %s", code, stderr)
	}
}

// TestInitNotItsBase: init never writes over the scenario it builds on.
func TestInitNotItsBase(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "area.toml")
	code, _, stderr := execute(t, "init", out, "--in-treatment", "1400", "--starts", "650", "--replications", "2", "--lhs", "1", "--evals", "0", "-q")
	if _, err := os.Stat(out); code > 1 || err != nil { // written, within 5% or not
		t.Fatalf("first init: status %d, %s", code, stderr)
	}
	code, _, stderr = execute(t, "init", out, "--base", out, "--in-treatment", "1400", "--starts", "650", "--force", "-q")
	if code == 0 || !strings.Contains(stderr, "is a file this command reads") {
		t.Errorf("init over its own base: status %d, %s", code, stderr)
	}
}
