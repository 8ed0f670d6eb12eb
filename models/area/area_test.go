package area

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
)

func TestReadFigures(t *testing.T) {
	f, err := ReadFigures("a.csv", strings.NewReader("# note\nfigure,value,note\nin_treatment,1_400,on a day\nstarts,650\nopiate_share,0.55\nbudget.detox,550000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.InTreatment != 1400 || f.Starts != 650 || f.Opiate != 0.55 || f.Budget["detox"] != 550000 || f.From["starts"] != "a.csv:4" {
		t.Errorf("read %+v", f)
	}
	if err := f.Check(); err != nil {
		t.Error(err)
	}
	ts := f.Targets()
	if len(ts) != 3 || ts[0].Metric != "person_years.in_treatment" || ts[0].SD != 1400*Tolerance/2 || ts[2].SD != 0.01 {
		t.Errorf("targets %+v", ts)
	}
	for _, bad := range []struct{ text, want string }{
		{"in_treatment\n", `a.csv:1: "in_treatment": write figure,value`},
		{"in_treatment,-3\n", "a figure is a number, 0 or more"},
		{"starts,x\n", `a.csv:1: starts: "x" is not a number`},
	} {
		if _, err := ReadFigures("a.csv", strings.NewReader(bad.text)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.text, err, bad.want)
		}
	}
	g := &Figures{InTreatment: 100, Starts: 50, Distinct: 80, Opiate: 55}
	if err := g.Check(); err == nil || !strings.Contains(err.Error(), "distinct = 80 is fewer") || !strings.Contains(err.Error(), "opiate_share = 55") {
		t.Errorf("check: %v", err)
	}
}

// TestBuild: the inputs file sets the area's capacities and budgets as its
// own figures, and loads; the calibration's parameters are uncertain in it.
func TestBuild(t *testing.T) {
	sc, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadFigures("a.csv", strings.NewReader("in_treatment,1400\nstarts,650\nopiate_share,0.55\nwait_days,8\ndetox_beds,4\nbudget.detox,550000\n"))
	if err != nil {
		t.Fatal(err)
	}
	arrivals := sc.Arrivals.PerYear.V
	text, err := Build(sc, Base{Starts: 417, Opiate: 0.81}, f, "Area", "baseline")
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, want := range []string{
		InputsHeader,
		`base = "baseline"`,
		`places.detox.capacity = { value = 4, source = "local", note = "beds, from a.csv:5" }`,
		`price = "GBP 2024"`,
		`note = "how fast the area assesses`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the inputs lack %q:\n%s", want, s)
		}
	}
	file := filepath.Join(t.TempDir(), "area.inputs.toml")
	if err := os.WriteFile(file, text, 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Load(file, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	set, err := loaded.ParamSet(f.Params(loaded), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Params) != 5 {
		t.Errorf("%d parameters to fit, want 5", len(set.Params))
	}
	// The guess scales the baseline's arrivals by the starts.
	if a, want := loaded.Arrivals.PerYear.V, arrivals*650/417; a != want {
		t.Errorf("arrivals guess %g, want %g", a, want)
	}
}
