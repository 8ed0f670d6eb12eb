package cmd

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/output"
)

// RunOptions are the inputs of `journeysim run`.
type RunOptions struct {
	Out, Err io.Writer
	Scenario string
	resultFlags
	Trace int
	// Validate also runs the validation checks: validation.csv and .json,
	// and with Report the report's validation page.
	Validate bool
}

// NewCmdRun returns `journeysim run`.
func NewCmdRun(runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{}
	c := &cobra.Command{
		Use:   "run [SCENARIO|FILE]",
		Short: "Run a scenario, print its summary and write its result files",
		Long: `Runs a scenario: a shipped one by name (journeysim scenarios lists them) or a
TOML file. With no argument it runs the baseline. Every metric is reported as
the mean over replications with a 95% confidence interval, and the result files
(summary.json, summary.csv, replications.csv, timeseries.csv) are written to
--out, by default out/<scenario>/.`,
		Example: `  journeysim run
  journeysim run case-managers-at-detox
  journeysim run my-area.toml --replications 40 --set places.detox.capacity=9 --out results/my-area`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = scenarioRef(args)
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.resultFlags.add(f, "directory for the result files (default out/<scenario>)",
		"what to print: table, csv or json",
		"also write report.html and report.md")
	f.IntVar(&opts.Trace, "trace", 0, "also write trace.csv: every event of the first N clients of replication 0")
	f.BoolVar(&opts.Validate, "validate", false, "also run the validation checks (journeysim validate): validation.csv, validation.json and the report's validation page")
	return c
}

// defaultOutDir is out/<scenario> for a shipped scenario or a file.
func defaultOutDir(ref string) string {
	return filepath.Join("out", strings.TrimSuffix(filepath.Base(ref), ".toml"))
}

func runRun(ctx context.Context, opts *RunOptions) error {
	sc, m, err := opts.load(opts.Scenario)
	if err != nil {
		return err
	}
	dir := opts.OutDir
	if dir == "" {
		dir = defaultOutDir(opts.Scenario)
	}
	if err := output.CheckReplace(dir, output.KindRun, opts.Force); err != nil {
		return err
	}
	partial := output.PartialDir(dir)
	run, err := opts.replicate(ctx, opts.Err, opts.Scenario, sc, m, partial)
	if err != nil {
		return err
	}
	// The figures are drawn while everything else is made, the
	// counterfactual's run included.
	format, _ := output.ParsePlotFormat(opts.Plots)
	figJob, err := output.StartRunFigures(run.Layout, run.Results, format)
	if err != nil {
		return err
	}
	meta := run.meta()
	bundle, err := output.RunBundle(meta, run.Layout, run.Results)
	if err != nil {
		return err
	}
	econ, econBase, err := opts.runCounterfactual(ctx, opts.Err, run, partial)
	if err != nil {
		return err
	}
	if econ != nil {
		if err := bundle.Add("economics.csv", func(w io.Writer) error { return output.WriteEconomicsCSV(w, econ) }); err != nil {
			return err
		}
	}
	if err := bundle.Add("results.xlsx", func(w io.Writer) error {
		return output.WriteRunWorkbook(w, meta, output.Summarize(run.Layout, run.Results), output.SummarizeSeries(run.Layout, run.Results), econ)
	}); err != nil {
		return err
	}
	var validation *output.ValidationTable
	if opts.Validate {
		if validation, err = addValidation(ctx, bundle, opts.Err, opts.scenarioFlags); err != nil {
			return err
		}
	}
	figs, err := figJob.AddTo(bundle)
	if err != nil {
		return err
	}
	if opts.Report {
		r := output.NewReportFigures(meta, run.Layout, run.Results, machine(opts.Workers), figs)
		r.Validation = validation
		r.Economics, r.EconomicsBase = econ, econBase
		r.PlotFormat, _ = output.ParsePlotFormat(opts.Plots)
		if err := addReport(bundle, r); err != nil {
			return err
		}
	}
	if opts.Trace > 0 {
		// Streamed to its file as the replication runs: a trace of many
		// clients would not fit in memory beside the run.
		bundle.AddStream("trace.csv", func(w io.Writer) error { return m.Trace(ctx, sc.Seed(), 0, opts.Trace, w) })
	}
	if err := bundle.WriteDir(dir, output.KindRun, opts.Force); err != nil {
		return err
	}
	if err := output.RemoveOwned(partial); err != nil { // the results are whole: the kept replications go
		return err
	}
	return output.WriteRunSummary(opts.Out, opts.Format, meta, run.Layout, run.Results, econ, econBase, dir, bundle.Names())
}

// checkFormat refuses a --format that is not one of allowed.
func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usageErrorf("unknown --format %q: use %s", format, strings.Join(allowed, ", "))
}
