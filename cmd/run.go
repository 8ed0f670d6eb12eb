package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/output"
)

// RunOptions are the inputs of `journeysim run`.
type RunOptions struct {
	Out, Err io.Writer
	Scenario string
	scenarioFlags
	OutDir string
	Force  bool
	Format string
	Trace  int
	Plots  string
	Report bool
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
			switch opts.Format {
			case "table", "csv", "json":
			default:
				return usageErrorf("unknown --format %q: use table, csv or json", opts.Format)
			}
			if _, err := output.ParsePlotFormat(opts.Plots); err != nil {
				return usageErrorf("unknown --plot-format %q: use png, svg or pdf", opts.Plots)
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.OutDir, "out", "", "directory for the result files (default out/<scenario>)")
	f.BoolVar(&opts.Force, "force", false, "replace the output directory if it exists")
	f.StringVar(&opts.Format, "format", "table", "what to print: table, csv or json")
	f.IntVar(&opts.Trace, "trace", 0, "also write trace.csv: every event of the first N clients of replication 0")
	f.StringVar(&opts.Plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	f.BoolVar(&opts.Report, "report", false, "also write report.html and report.md")
	f.BoolVar(&opts.Validate, "validate", false, "also run the validation checks (journeysim validate): validation.csv, validation.json and the report's validation page")
	return c
}

// defaultOutDir is out/<scenario> for a shipped scenario or a file.
func defaultOutDir(ref string) string {
	base := strings.TrimSuffix(filepath.Base(ref), ".toml")
	return filepath.Join("out", base)
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
	res, err := opts.replicateKept(ctx, opts.Err, opts.Scenario, sc, m, partialDir(dir))
	if err != nil {
		return err
	}
	meta := metaOf(res)
	bundle, err := output.RunBundle(meta, m, res.Results)
	if err != nil {
		return err
	}
	format, _ := output.ParsePlotFormat(opts.Plots)
	if err := output.AddRunFigures(bundle, m, res.Results, format); err != nil {
		return err
	}
	econ, econBase, err := counterfactual(ctx, opts, sc, m, res, partialDir(dir))
	if err != nil {
		return err
	}
	if econ != nil {
		if err := bundle.Add("economics.csv", func(w io.Writer) error { return output.WriteEconomicsCSV(w, econ) }); err != nil {
			return err
		}
	}
	var validation *output.ValidationTable
	if opts.Validate {
		if validation, err = addValidation(ctx, bundle, opts.Err, opts.scenarioFlags); err != nil {
			return err
		}
	}
	if opts.Report {
		r, err := output.NewReport(meta, sc, m, res.Results, machine(opts.Workers))
		if err != nil {
			return err
		}
		r.Validation = validation
		r.Economics, r.EconomicsBase = econ, econBase
		if err := addReport(bundle, r); err != nil {
			return err
		}
	}
	if opts.Trace > 0 {
		// Streamed to its file as the replication runs: a trace of many
		// clients would not fit in memory beside the run.
		bundle.AddStream("trace.csv", func(w io.Writer) error {
			return m.Trace(ctx, sc.Seed(), 0, opts.Trace, w)
		})
	}
	if err := bundle.WriteDir(dir, output.KindRun, opts.Force); err != nil {
		return err
	}
	if err := output.RemoveOwned(partialDir(dir)); err != nil { // the results are whole: the kept replications go
		return err
	}
	ss := output.Summarize(m, res.Results)
	switch opts.Format {
	case "json":
		return output.WriteSummaryJSON(opts.Out, meta, ss)
	case "csv":
		return output.WriteSummaryCSV(opts.Out, ss)
	}
	fmt.Fprintf(opts.Out, "%s: %d replications, seed %d, %s warm-up, %s measured\n\n",
		sc.Name, sc.Replications(), sc.Seed(), fmtDays(sc.Warmup()), fmtDays(sc.Horizon()))
	for _, w := range meta.Warnings {
		fmt.Fprintf(opts.Out, "warning: %s\n", w)
	}
	if len(meta.Warnings) > 0 {
		fmt.Fprintln(opts.Out)
	}
	if err := output.WriteTable(opts.Out, ss, m.Headline(), m.Scope.Places); err != nil {
		return err
	}
	writeCapacities(opts.Out, m)
	if len(m.Scenario.Followups) > 0 {
		fmt.Fprintln(opts.Out, "\nfollow-ups. "+output.FollowupNote)
		if err := output.WriteFollowupTable(opts.Out, ss); err != nil {
			return err
		}
	}
	if econ != nil {
		fmt.Fprintf(opts.Out, "\nagainst the counterfactual, %s:\n", econBase)
		if err := output.WriteEconomicsTable(opts.Out, econ); err != nil {
			return err
		}
	}
	fmt.Fprintf(opts.Out, "\nresults written to %s/ (%s)\n", dir, strings.Join(bundle.Names(), ", "))
	return nil
}

// counterfactual runs the scenario's economics.counterfactual, if it
// declares one and is not it, on the same seed, replications and periods,
// and returns the run's economics against it.
func counterfactual(ctx context.Context, opts *RunOptions, sc *models.Scenario, m *models.Model, res *scenarioRunResult, partial string) ([]output.EconomicsRow, string, error) {
	e := sc.Economics
	if e == nil || e.Counterfactual == "" {
		return nil, "", nil
	}
	name := strings.TrimSuffix(filepath.Base(e.Counterfactual), ".toml")
	if name == strings.TrimSuffix(filepath.Base(opts.Scenario), ".toml") || name == strings.TrimSuffix(filepath.Base(sc.File), ".toml") {
		return nil, "", nil
	}
	common := []string{fmt.Sprintf("run.seed=%d", sc.Seed()), fmt.Sprintf("run.replications=%d", sc.Replications()),
		"run.warmup=" + fmtDays(sc.Warmup()), "run.horizon=" + fmtDays(sc.Horizon())}
	// The counterfactual's own keys, on top of this scenario as run: no
	// treatment in the same area, at the same scale.
	csc, err := (&models.Loader{Rebase: opts.Scenario}).Load(e.Counterfactual, append(opts.overrides(), common...))
	if err != nil {
		return nil, "", fmt.Errorf("economics.counterfactual: %w", err)
	}
	cm, err := models.Build(csc)
	if err != nil {
		return nil, "", fmt.Errorf("economics.counterfactual: %w", err)
	}
	cres, err := opts.replicateKept(ctx, opts.Err, e.Counterfactual, csc, cm, partial)
	if err != nil {
		return nil, "", err
	}
	ce, ok := models.CompareEconomics(cm, cres.Results, m, res.Results)
	if !ok {
		return nil, "", fmt.Errorf("economics.counterfactual: %s values nothing (it has no economics table)", e.Counterfactual)
	}
	return output.EconomicsRows(ce), csc.Name, nil
}

func metaOf(res *scenarioRunResult) output.Meta {
	sc := res.Scenario
	meta := output.Meta{Scenario: res.Ref, Name: sc.Name, File: sc.File, Seed: sc.Seed(), Version: Version(),
		Replications: sc.Replications(), WarmupDays: sc.Warmup(), HorizonDays: sc.Horizon(),
		WallSeconds: res.Wall.Seconds()}
	for _, w := range sc.Warnings {
		meta.Warnings = append(meta.Warnings, w.String())
	}
	return meta
}

// writeCapacities prints how the capacity of each place whose capacity
// changes, or comes from a budget, was worked out, and its mean in force.
func writeCapacities(w io.Writer, m *models.Model) {
	cs := m.Capacities()
	if len(cs) == 0 {
		return
	}
	fmt.Fprintln(w, "\ncapacity in force (whole places: a number or a factor rounds to the nearest, a budget buys whole places):")
	for _, c := range cs {
		fmt.Fprintf(w, "  %s: %s; %s on average over the measured years\n", c.Place, strings.Join(c.How, "; "), output.Format(c.Mean))
	}
}
