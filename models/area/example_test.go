package area

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/journeysim/journeysim/models"
	"gonum.org/v1/gonum/stat"
)

// The README's walkthrough: an area's figures, and the scenario journeysim
// init built from them.
const (
	exampleFigures  = "../../scenarios/areas/example-area.csv"
	exampleScenario = "../../scenarios/areas/example-area.toml"
)

// TestExampleArea runs the example area at its own replications and checks
// that it gives back every figure it was built from within 5%: the
// calibration holds for a run that is not the calibration's own (other
// replications). A change to the model or the baseline that moves it needs
// the area built again (journeysim init, as the README says).
func TestExampleArea(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example area")
	}
	fh, err := os.Open(exampleFigures)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadFigures(exampleFigures, fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := models.Load(exampleScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim := models.Simulator{}
	lay, rs, err := sim.Run(context.Background(), sc, sc.Seed(), sc.Replications(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range f.Targets() {
		xs, err := lay.Share(rs, tg.Metric, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := stat.Mean(xs, nil)
		t.Logf("%-13s figure %8.4g  model %8.4g  (%+.1f%%)", tg.ID, tg.Value, got, 100*(got/tg.Value-1))
		if math.Abs(got-tg.Value) > Tolerance*tg.Value {
			t.Errorf("%s: the example area gives %.4g, the figure is %.4g: more than 5%% off; build it again (README: your area, today)", tg.ID, got, tg.Value)
		}
	}
}
