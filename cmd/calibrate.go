package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/calibrate"
	"github.com/journeysim/journeysim/models/validation"
	"github.com/journeysim/journeysim/output"
)

// CalibrateOptions are the inputs of `journeysim calibrate`.
type CalibrateOptions struct {
	Out, Err io.Writer
	Scenario string
	scenarioFlags
	Targets string   // the targets file
	Fit     []string // validation check ids to fit
	Name    string   // name of the calibrated scenario
	Params  []string // parameter paths to fit; none means every uncertain one
	LHS     int
	Evals   int
	OutFile string
	Force   bool
	Refine  bool // start from a calibrated scenario's values and write the fit on its base
	// Posterior is the number of particles of the posterior sampler; 0
	// fits a point only.
	Posterior int
	Moves     int
	HoldOut   []string // validation check ids held out of the fit
}

// NewCmdCalibrate returns `journeysim calibrate`.
func NewCmdCalibrate(runF func(*CalibrateOptions) error) *cobra.Command {
	opts := &CalibrateOptions{}
	c := &cobra.Command{
		Use:   "calibrate [SCENARIO|FILE] (--fit IDS | --targets FILE)",
		Short: "Fit uncertain parameters to target figures and write a calibrated scenario",
		Long: `Fits the parameters of a scenario whose value is uncertain (declared with
uncertainty = "…" in the scenario), or those named with --param, to the targets
named by --fit, validation checks by id (journeysim validate lists them),
or in a --targets TOML file:

  [[target]]
  metric = "exit_share.completed"   # a metric, as journeysim run names them
  value = 0.6                       # the figure to match
  sd = 0.01                         # its standard deviation
  id = "3a"                         # optional label
  over = ["exits.detox.completed", "exits.detox.dropped_out"]  # optional: a share
  range = [0.55, 0.65]              # optional: no error anywhere in it

A check named by --fit becomes a target with its published figure (or range)
and an sd of half its tolerance, so that it passes validation exactly when
its standardised error is within ±2; only checks of the baseline's own level
can be fitted, not contrasts. The
calibrated scenario records what it was fitted to (calibrated_to), and
journeysim validate marks those checks as fitted: the other checks are the
ones that test the model.

Each parameter is searched between the 0.5% and 99.5% quantiles of its
uncertainty, on the scale of the distribution's quantiles. The distance
minimised is the sum over targets of ((simulated mean − value)/sd)² (for a
range, the distance to its nearer end, 0 inside), the mean
over the scenario's replications on common random numbers (the same seed and
replications at every point). A Latin hypercube of --lhs points comes first,
then Nelder–Mead from the best point, within --evals evaluations, in up to
four rounds, each restarted from the best point so far with a smaller simplex.

Prints the parameters and targets before and after, and writes a scenario file
(default calibrated-<scenario>.toml) that names the scenario as its base and
sets each fitted value with source = "calibrated" and a note of the fit.
Probabilities that must sum to 1 with a fitted one (the other exits of a place,
the other routes of an exit, the other case-mix shares) are rescaled with it.`,
		Example: `  journeysim calibrate baseline-prior --fit 3b,3c,4a,6a --name Baseline --out scenarios/baseline.toml
  journeysim calibrate baseline --targets targets.toml
  journeysim calibrate my-area.toml --targets targets.toml --param places.detox.exits.completed.probability --out my-area-calibrated.toml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = scenarioRef(args)
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if opts.Targets == "" && len(opts.Fit) == 0 {
				return usageErrorf("name the targets: --fit with validation check ids (3b,4a), or --targets FILE, a TOML file of [[target]] tables with metric, value and sd")
			}
			if opts.LHS < 1 {
				return usageErrorf("--lhs must be at least 1")
			}
			if opts.Evals < 0 {
				return usageErrorf("--evals must be 0 (no refinement) or more")
			}
			if opts.Posterior < 0 || opts.Posterior > 0 && opts.Posterior < 8 {
				return usageErrorf("--posterior takes the number of particles, at least 8 (64 or more for a sample worth the name)")
			}
			if opts.OutFile == "" {
				opts.OutFile = "calibrated-" + strings.TrimSuffix(filepath.Base(opts.Scenario), ".toml") + ".toml"
			}
			if runF != nil {
				return runF(opts)
			}
			return runCalibrate(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.Targets, "targets", "", "TOML file of the targets to fit: [[target]] tables with metric, value, sd")
	f.StringSliceVar(&opts.Fit, "fit", nil, "validation checks to fit, by id (3b,4a; repeatable); the rest stay for validation")
	f.StringVar(&opts.Name, "name", "", "name of the calibrated scenario (default: the scenario's name with \" (calibrated)\")")
	f.StringArrayVar(&opts.Params, "param", nil, "fit only this parameter, a key path as journeysim explain lists it (repeatable)")
	f.IntVar(&opts.LHS, "lhs", 20, "points of the first pass, a Latin hypercube")
	f.IntVar(&opts.Evals, "evals", 60, "evaluations of the Nelder–Mead refinement (0: none)")
	f.StringVar(&opts.OutFile, "out", "", "calibrated scenario file to write (default calibrated-<scenario>.toml)")
	f.BoolVar(&opts.Force, "force", false, "replace --out if it is a file journeysim calibrate wrote")
	f.IntVar(&opts.Posterior, "posterior", 0, "sample the posterior with this many particles (sequential Monte Carlo) and write the draws beside --out, as <out>.posterior.csv")
	f.IntVar(&opts.Moves, "moves", 2, "with --posterior: Metropolis moves of each particle a generation")
	f.StringSliceVar(&opts.HoldOut, "hold-out", nil, "with --posterior: validation checks left out of the fit on purpose, by id; the posterior's prediction of each is reported")
	f.BoolVar(&opts.Refine, "refine", false, "refine a calibrated scenario: the search starts from its values, and the file written names its base, so that it can replace it")
	return c
}

// calibrationTargets returns the targets to fit: the validation checks
// named by --fit, then those of the --targets file.
func calibrationTargets(opts *CalibrateOptions) ([]calibrate.Target, error) {
	var ts []calibrate.Target
	if len(opts.Fit) > 0 {
		fit, err := validation.CheckTargets(opts.Fit)
		if err != nil {
			return nil, fmt.Errorf("--fit: %w", err)
		}
		ts = fit
	}
	if opts.Targets == "" {
		return ts, nil
	}
	f, err := os.Open(opts.Targets)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	file, err := calibrate.ReadTargets(f)
	if err != nil {
		return nil, fmt.Errorf("targets %s: %w", opts.Targets, err)
	}
	return append(ts, file...), nil
}

func runCalibrate(ctx context.Context, opts *CalibrateOptions) error {
	targets, err := calibrationTargets(opts)
	if err != nil {
		return err
	}
	sc, m, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	// The file itself was written by a calibration: it sets calibrated_to
	// (a scenario built on a calibrated one inherits it).
	if opts.Refine && (sc.Base == "" || filepath.Base(sc.OriginOf("calibrated_to")) != filepath.Base(sc.File)) {
		return usageErrorf("--refine takes a calibrated scenario, one that journeysim calibrate wrote on a base: %s is not", opts.Scenario)
	}
	// Never a file the calibration reads: the calibrated file names the
	// scenario as its base, so it would form a cycle.
	reads := sc.Files
	if opts.Targets != "" {
		reads = append(reads, opts.Targets)
	}
	if err := checkCalibrated(opts.OutFile, opts.Posterior > 0, opts.Force, reads...); err != nil {
		return err
	}
	var heldOut []calibrate.Target
	if len(opts.HoldOut) > 0 {
		if heldOut, err = validation.CheckTargets(opts.HoldOut); err != nil {
			return fmt.Errorf("--hold-out: %w", err)
		}
		for _, t := range targets {
			for _, h := range heldOut {
				if t.Label() == h.Label() {
					return usageErrorf("--hold-out %s: the check is also a target; a check held out is left out of the fit", h.Label())
				}
			}
		}
	}
	if err := opts.checkMemory(opts.Scenario, m, sc.Replications(), opts.Workers); err != nil {
		return err
	}
	evals := opts.Evals
	if evals == 0 {
		evals = -1 // none
	}
	total := 1 + opts.LHS + max(opts.Evals, 0)
	if opts.Posterior > 0 {
		total = 1 + opts.Posterior*(1+opts.Moves*12) + max(opts.Evals, 0) // a guess: see calibrate.Options
	}
	update, finish := newProgress(opts.Err, total, "calibrate "+opts.Scenario, opts.Quiet)
	cal, err := calibrate.Calibrate(ctx, sc, calibrate.Options{Simulator: models.Simulator{},
		Targets: targets, Params: opts.Params, LHS: opts.LHS, Evals: evals, Workers: opts.Workers, Name: opts.Name,
		Particles: opts.Posterior, Moves: opts.Moves, HeldOut: heldOut,
		Progress: func(done, _ int) { update(min(done, total)) },
	})
	finish()
	if err != nil {
		return err
	}
	if err := output.WriteCalibration(opts.Out, cal); err != nil {
		return err
	}
	base := calibrate.BaseRef(opts.Scenario, opts.OutFile)
	if opts.Refine {
		// Every key a calibrated file sets is a fitted value, or written
		// again with the fit (name, description, calibrated_to).
		base = sc.Base
	}
	if err := writeCalibrated(cal, opts.OutFile, base); err != nil {
		return err
	}
	if cal.Posterior != nil {
		fmt.Fprintf(opts.Out, "\nposterior draws written to %s\n", posteriorFile(opts.OutFile))
	}
	fmt.Fprintf(opts.Out, "\ncalibrated scenario written to %s\n", opts.OutFile)
	return nil
}

// checkCalibrated checks that a calibration may write its scenario file,
// out, and with a posterior the draws beside it: files it wrote, with
// force, or new ones, and none of reads.
func checkCalibrated(out string, posterior, force bool, reads ...string) error {
	if err := output.CheckWriteFile(out, calibrate.CalibratedHeader, force, reads...); err != nil {
		return err
	}
	if !posterior {
		return nil
	}
	return output.CheckWriteFile(posteriorFile(out), calibrate.DrawsHeader, force, reads...)
}

// writeCalibrated writes a calibration's draws, if any, then its scenario
// file, out, on base.
func writeCalibrated(cal *calibrate.Calibration, out, base string) error {
	if cal.Posterior != nil {
		draws := posteriorFile(out)
		cal.SetPosteriorFile(filepath.Base(draws))
		if err := output.WriteFileAtomic(draws, cal.DrawsFile()); err != nil {
			return err
		}
	}
	return output.WriteFileAtomic(out, cal.ScenarioFile(base))
}

// posteriorFile is where the posterior draws of a calibration written to
// out go: beside it, out's name with .posterior.csv for .toml.
func posteriorFile(out string) string {
	return strings.TrimSuffix(out, ".toml") + ".posterior.csv"
}
