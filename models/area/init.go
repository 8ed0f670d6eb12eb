package area

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/stat"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/calibrate"
)

// InitOptions say how to build an area.
type InitOptions struct {
	Figures *Figures
	// Base is the scenario the area builds on, a shipped name or a file.
	Base string
	// Name names the area's scenarios.
	Name string
	// Inputs is the path the inputs file will be written to: the
	// calibrated file names it as its base.
	Inputs string
	// Sets are overrides of the run settings (run.replications=30) for
	// the base's run and the calibration.
	Sets []string
	// LHS, Evals, Particles and Workers are the calibration's (see
	// calibrate.Options).
	LHS, Evals, Particles, Workers int
	// Progress, if set, is told the calibration's points done.
	Progress func(done, total int)
}

// Init is the outcome of InitArea: the inputs file and the calibration
// fitted on it.
type Init struct {
	Inputs      []byte
	Calibration *calibrate.Calibration
}

// InitArea runs the base once to scale the first guesses, builds the
// area's inputs (Build) and calibrates them to the figures. The inputs are
// read from memory: nothing is written.
func InitArea(ctx context.Context, o InitOptions) (*Init, error) {
	f := o.Figures
	if err := f.Check(); err != nil {
		return nil, err
	}
	sim := models.Simulator{}
	bsc, err := models.Load(o.Base, o.Sets)
	if err != nil {
		return nil, err
	}
	lay, rs, err := sim.Run(ctx, bsc, bsc.Seed(), bsc.Replications(), o.Workers, nil)
	if err != nil {
		return nil, err
	}
	mean := func(metric string) float64 {
		xs, err := lay.Share(rs, metric, nil)
		if err != nil {
			return 0
		}
		return stat.Mean(xs, nil)
	}
	base := Base{Starts: mean("journeys_started"), Opiate: mean("caseload_share.drug.opiate")}

	baseRef := calibrate.BaseRef(o.Base, o.Inputs)
	text, err := Build(bsc, base, f, o.Name, baseRef)
	if err != nil {
		return nil, err
	}
	inputs := filepath.Clean(o.Inputs)
	loader := models.NewLoader("")
	loader.ReadFile = func(name string) ([]byte, error) {
		if filepath.Clean(name) == inputs {
			return text, nil
		}
		return os.ReadFile(name)
	}
	sc, err := loader.Load(inputs, o.Sets)
	if err != nil {
		return nil, fmt.Errorf("the area's inputs: %w", err)
	}
	cal, err := calibrate.Calibrate(ctx, sc, calibrate.Options{Simulator: sim, Targets: f.Targets(), Params: f.Params(sc),
		LHS: o.LHS, Evals: o.Evals, Particles: o.Particles, Workers: o.Workers, Name: o.Name, Progress: o.Progress})
	if err != nil {
		return nil, err
	}
	return &Init{Inputs: text, Calibration: cal}, nil
}

// Within says whether a target of the calibration is within Tolerance of
// its figure after the fit.
func Within(t calibrate.TargetFit) bool {
	return math.Abs(t.After-t.Value) <= Tolerance*t.Value
}
