package cmd

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/validation"
	"github.com/journeysim/journeysim/output"
)

// ValidateOptions are the inputs of `journeysim validate`.
type ValidateOptions struct {
	Out, Err io.Writer
	scenarioFlags
	Format     string
	ReportOnly bool
}

// NewCmdValidate returns `journeysim validate`.
func NewCmdValidate(runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{}
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check the model against the published targets",
		Long: `Runs the baseline and every scenario the validation checks need, all with the
baseline's seed and replications so that they share common random numbers, and
compares each check's simulated mean and 95% CI with its published figure
(shared/evidence/targets.md): a level within its tolerance, or a contrast
between a scenario and the baseline, or another base for a setting unlike
England's (a difference, relative change or odds ratio, with a paired CI),
within its tolerance or in the published direction. Figures from studies
that followed people up are read from the baseline's follow-ups; rare events
are pooled over replications. Checks for figures the model has no metric for
are listed as not modelled. Checks a scenario was calibrated to (its
calibrated_to) are marked † : they show the fit, and the others test the
model.

Exit status 1 if any modelled check fails, unless --report-only.`,
		Example: `  journeysim validate
  journeysim validate --replications 10 --format json > validation.json
  journeysim validate --report-only --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if err := checkFormat(opts.Format, "table", "csv", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.Format, "format", "table", "what to print: table, csv or json")
	f.BoolVar(&opts.ReportOnly, "report-only", false, "exit 0 even when checks fail")
	return c
}

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	run, rs, err := runValidation(ctx, opts.Err, opts.scenarioFlags)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		err = output.WriteValidationJSON(opts.Out, run, rs)
	case "csv":
		err = output.WriteValidationCSV(opts.Out, rs)
	default:
		err = output.WriteValidationTable(opts.Out, run, rs)
	}
	if err != nil {
		return err
	}
	n := output.CountChecks(rs)
	if n.Failed > 0 && !opts.ReportOnly {
		return fmt.Errorf("validate: %d of %d modelled checks failed", n.Failed, n.Modelled)
	}
	return nil
}

// runValidation runs every check, with progress on errw.
func runValidation(ctx context.Context, errw io.Writer, flags scenarioFlags) (output.ValidationRun, []validation.CheckResult, error) {
	// The baseline with the flags' overrides gives the seed, replications
	// and run length that Validate uses for every scenario.
	sc, m, err := flags.load(validation.Base)
	if err != nil {
		return output.ValidationRun{}, nil, err
	}
	run := output.ValidationRun{Version: Version(), Seed: sc.Seed(), Replications: sc.Replications(), Warmup: sc.Warmup(), Horizon: sc.Horizon()}
	if err := flags.checkMemory(validation.Base, m, sc.Replications(), flags.Workers); err != nil {
		return output.ValidationRun{}, nil, err
	}
	cur, update, finish := "", func(int) {}, func() {}
	progress := func(what string, done, total int) {
		if what != cur {
			finish()
			cur = what
			update, finish = newProgress(errw, total, "validate: "+what, flags.Quiet)
		}
		update(done)
	}
	rs, err := validation.Validate(ctx, models.Simulator{}, 0, 0, flags.Workers, flags.overrides(), progress)
	finish()
	return run, rs, err
}

// addValidation runs the checks and adds validation.csv and validation.json
// to the bundle; it returns the table for the report.
func addValidation(ctx context.Context, b *output.Bundle, errw io.Writer, flags scenarioFlags) (*output.ValidationTable, error) {
	run, rs, err := runValidation(ctx, errw, flags)
	if err != nil {
		return nil, err
	}
	if err := b.Add("validation.csv", func(w io.Writer) error { return output.WriteValidationCSV(w, rs) }); err != nil {
		return nil, err
	}
	if err := b.Add("validation.json", func(w io.Writer) error { return output.WriteValidationJSON(w, run, rs) }); err != nil {
		return nil, err
	}
	return output.NewValidationTable(run, rs), nil
}
