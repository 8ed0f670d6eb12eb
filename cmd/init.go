package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/area"
	"github.com/journeysim/journeysim/output"
)

// InitOptions are the inputs of `journeysim init`.
type InitOptions struct {
	Out, Err io.Writer
	File     string // the calibrated scenario to write
	Name     string
	Base     string
	Figures  string // a figures file
	scenarioFlags
	values    map[string]*float64 // figures given as flags, by figure name
	LHS       int
	Evals     int
	Posterior int
	Force     bool
}

// NewCmdInit returns `journeysim init`.
func NewCmdInit(runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{values: map[string]*float64{}}
	var list strings.Builder
	for _, n := range area.Names() {
		fmt.Fprintf(&list, "  %-20s %s\n", n[0], n[1])
	}
	c := &cobra.Command{
		Use:   "init FILE.toml (--figures FILE.csv | --in-treatment N --starts N …)",
		Short: "Build a calibrated scenario of your area from its routine figures",
		Long: `Builds a scenario of an area from the figures its commissioner knows: people in
treatment on a day and over a year, the opiate share, new treatment journeys a
year, the wait to start treatment, beds and places, budgets. It writes two files:

  FILE.inputs.toml  the area's inputs, built on the baseline (--base): the
                    capacities and budgets as given (source "local", a note
                    naming the file and line or flag), first guesses of the rest
  FILE.toml         the area, calibrated on the inputs so that its run gives the
                    figures back: the first presentations a year, the opiate
                    share of them, how long opiate and other clients stay in
                    community treatment and (with a wait) how fast assessment
                    is are fitted

The figures come from a CSV file of figure,value lines (--figures) or from flags
of the same names (--in-treatment 1400); a flag overrides the file. in_treatment
and starts are required. The figures:

` + list.String() + `
Each figure becomes a calibration target with an sd of 2.5% of it, so a fit
within two sds is within 5%; the opiate share's sd is 0.01. A budget with its
service's capacity sets the area's unit cost: the budget over the places a year.
The calibration runs 30 replications a point (--replications) on common random
numbers: about 7 minutes on 2 cores for the README's example area. It prints the
figures against the fitted run and fails, with the files written, if one is more
than 5% off.`,
		Example: `  journeysim init my-area.toml --figures my-area.csv
  journeysim init my-area.toml --in-treatment 1400 --starts 650 --opiate-share 0.55 --detox-beds 4
  journeysim run my-area.toml
  journeysim compare my-area.toml two-case-managers.toml   # a lever with base = "my-area.toml"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.File = args[0]
			if !strings.HasSuffix(opts.File, ".toml") {
				return usageErrorf("%s: the area's scenario file's name ends in .toml", opts.File)
			}
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if !opts.set["replications"] {
				opts.Replications, opts.set["replications"] = 30, true
			}
			if opts.Name == "" {
				opts.Name = strings.TrimSuffix(filepath.Base(opts.File), ".toml")
			}
			if runF != nil {
				return runF(opts)
			}
			return runInit(cmd.Context(), opts, cmd.Flags())
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.Figures, "figures", "", "CSV file of the area's figures: figure,value lines")
	for _, n := range area.Names() {
		opts.values[n[0]] = f.Float64(figureFlag(n[0]), 0, n[1])
	}
	f.StringVar(&opts.Base, "base", "baseline", "the scenario the area builds on")
	f.StringVar(&opts.Name, "name", "", "the area's name (default: FILE's)")
	f.IntVar(&opts.LHS, "lhs", 8, "points of the calibration's first pass, a Latin hypercube")
	f.IntVar(&opts.Evals, "evals", 300, "evaluations of the calibration's Nelder–Mead refinement")
	f.IntVar(&opts.Posterior, "posterior", 0, "also sample the posterior with this many particles, written as FILE.posterior.csv")
	f.BoolVar(&opts.Force, "force", false, "replace the files if journeysim init wrote them")
	return c
}

// figureFlag is the flag of a figure: in_treatment is --in-treatment,
// budget.community --budget-community.
func figureFlag(name string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(name)
}

func runInit(ctx context.Context, opts *InitOptions, flags *pflag.FlagSet) error {
	figs := &area.Figures{}
	if opts.Figures != "" {
		fh, err := os.Open(opts.Figures)
		if err != nil {
			return err
		}
		figs, err = area.ReadFigures(opts.Figures, fh)
		fh.Close()
		if err != nil {
			return err
		}
	}
	for _, n := range area.Names() {
		if flags.Changed(figureFlag(n[0])) {
			if err := figs.Set(n[0], *opts.values[n[0]], "--"+figureFlag(n[0])); err != nil {
				return usageErrorf("--%s: %v", figureFlag(n[0]), err)
			}
		}
	}
	if err := figs.Check(); err != nil {
		return usageErrorf("the area's figures:\n%v", err)
	}
	inputs := strings.TrimSuffix(opts.File, ".toml") + ".inputs.toml"
	// Never a file this reads: the figures, or the base and its bases.
	base, err := models.Load(opts.Base, nil)
	if err != nil {
		return err
	}
	reads := base.Files
	if opts.Figures != "" {
		reads = append(reads, opts.Figures)
	}
	if err := output.CheckWriteFile(inputs, area.InputsHeader, opts.Force, reads...); err != nil {
		return err
	}
	if err := checkCalibrated(opts.File, opts.Posterior > 0, opts.Force, reads...); err != nil {
		return err
	}
	total := 1 + opts.LHS + opts.Evals
	if opts.Posterior > 0 {
		total = 1 + opts.Posterior*25 + opts.Evals
	}
	update, finish := newProgress(opts.Err, total, "init "+opts.Name, opts.Quiet)
	res, err := area.InitArea(ctx, area.InitOptions{Figures: figs, Base: opts.Base, Name: opts.Name, Inputs: inputs,
		Sets: opts.overrides(), LHS: opts.LHS, Evals: opts.Evals, Particles: opts.Posterior, Workers: opts.Workers,
		Progress: func(done, _ int) { update(min(done, total)) }})
	finish()
	if err != nil {
		return err
	}
	cal := res.Calibration
	if err := output.WriteCalibration(opts.Out, cal); err != nil {
		return err
	}
	if err := output.WriteFileAtomic(inputs, res.Inputs); err != nil {
		return err
	}
	if err := writeCalibrated(cal, opts.File, filepath.Base(inputs)); err != nil {
		return err
	}
	all, err := output.WriteAreaFit(opts.Out, cal, area.Tolerance, area.Within)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "\nwritten: %s (inputs), %s (calibrated)", inputs, opts.File)
	if cal.Posterior != nil {
		fmt.Fprintf(opts.Out, ", %s (posterior draws)", posteriorFile(opts.File))
	}
	fmt.Fprintf(opts.Out, "\nnext: journeysim run %s\n", opts.File)
	if !all {
		return fmt.Errorf("the calibration did not bring every figure within 5%%: see the table above; more --evals, or figures that do not pull against each other, may help (the files are written)")
	}
	return nil
}
