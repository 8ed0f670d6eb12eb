package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
)

// CompareOptions are the inputs of `journeysim compare`.
type CompareOptions struct {
	Out, Err io.Writer
	Base     string
	Alts     []string
	resultFlags
}

// NewCmdCompare returns `journeysim compare`.
func NewCmdCompare(runF func(*CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{}
	c := &cobra.Command{
		Use:   "compare BASE ALT [ALT...]",
		Short: "Compare scenarios on common random numbers, with paired confidence intervals",
		Long: `Runs every scenario with the base's seed and replications: the same named
random streams, so replication i of each alternative is paired with replication
i of the base. For each metric it prints the base value, the alternative's, the
difference with its 95% CI and the relative change, then a one-line reading of
the largest changes. Result files go to --out (default out/compare-<alts>/).`,
		Example: `  journeysim compare baseline case-managers-at-detox
  journeysim compare baseline more-detox-beds waiting-time-programme --replications 50`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Base, opts.Alts = args[0], args[1:]
			if err := opts.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return compareRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.resultFlags.add(f, "directory for the result files (default out/compare-<alternatives>)",
		"what to print: table, or csv or json (one document for every alternative)",
		"also write a report of each comparison (report-<alternative>.html and .md)")
	return c
}

func stem(ref string) string { return strings.TrimSuffix(filepath.Base(ref), ".toml") }

func compareRun(ctx context.Context, opts *CompareOptions) error {
	bsc, bm, err := opts.load(opts.Base)
	if err != nil {
		return err
	}
	// Every alternative runs with the base's seed and replications: common
	// random numbers.
	alts := make([]*scenarioRun, len(opts.Alts))
	names := make([]string, len(opts.Alts))
	for i, a := range opts.Alts {
		sc, m, err := opts.load(a, bsc.Pinned(false)...)
		if err != nil {
			return err
		}
		alts[i], names[i] = &scenarioRun{Ref: a, Scenario: sc, Model: m}, stem(a)
	}
	dir := opts.OutDir
	if dir == "" {
		dir = filepath.Join("out", "compare-"+strings.Join(names, "+"))
	}
	if err := output.CheckReplace(dir, output.KindCompare, opts.Force); err != nil {
		return err
	}
	base, err := opts.replicate(ctx, opts.Err, opts.Base, bsc, bm, "")
	if err != nil {
		return err
	}
	br := output.Run{Meta: base.meta(), Layout: base.Layout, Results: base.Results}
	bundle := &output.Bundle{}
	if err := output.AddRun(bundle, "base/", br); err != nil {
		return err
	}
	plots, _ := output.ParsePlotFormat(opts.Plots)
	copts := output.ComparisonOptions{Plots: plots, Report: opts.Report, Machine: machine(opts.Workers)}
	var comps []output.Comparison
	for i, a := range alts {
		res, err := opts.replicate(ctx, opts.Err, a.Ref, a.Scenario, a.Model, "")
		if err != nil {
			return err
		}
		ar := output.Run{Meta: res.meta(), Layout: res.Layout, Results: res.Results}
		ds, econ, err := output.AddComparison(bundle, br, ar, names[i], copts)
		if err != nil {
			return err
		}
		comps = append(comps, output.Comparison{Alternative: a.Ref, Diffs: ds})
		if opts.Format != "table" {
			continue
		}
		if i == 0 {
			fmt.Fprintf(opts.Out, "%d paired replications, seed %d, %s warm-up, %s measured\n\n",
				bsc.Replications(), bsc.Seed(), scenario.FormatDays(bsc.Warmup()), scenario.FormatDays(bsc.Horizon()))
		}
		if err := output.WriteComparison(opts.Out, br, ar, names[i], ds, econ); err != nil {
			return err
		}
	}
	if err := bundle.WriteDir(dir, output.KindCompare, opts.Force); err != nil {
		return err
	}
	switch opts.Format {
	case "csv":
		return output.WriteComparisonsCSV(opts.Out, comps)
	case "json":
		return output.WriteComparisonsJSON(opts.Out, opts.Base, comps)
	}
	fmt.Fprintf(opts.Out, "results written to %s/\n", dir)
	return nil
}
