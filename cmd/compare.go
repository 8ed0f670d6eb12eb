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

// CompareOptions are the inputs of `journeysim compare`.
type CompareOptions struct {
	Out, Err io.Writer
	Base     string
	Alts     []string
	scenarioFlags
	OutDir string
	Force  bool
	Format string
	Plots  string
	Report bool
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
			return compareRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	opts.scenarioFlags.add(f)
	f.StringVar(&opts.OutDir, "out", "", "directory for the result files (default out/compare-<alternatives>)")
	f.BoolVar(&opts.Force, "force", false, "replace the output directory if it exists")
	f.StringVar(&opts.Format, "format", "table", "what to print: table, or csv or json (one document for every alternative)")
	f.StringVar(&opts.Plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	f.BoolVar(&opts.Report, "report", false, "also write a report of each comparison (report-<alternative>.html and .md)")
	return c
}

func compareRun(ctx context.Context, opts *CompareOptions) error {
	bsc, bm, err := opts.load(opts.Base)
	if err != nil {
		return err
	}
	// Every alternative runs with the base's seed and replications.
	common := []string{fmt.Sprintf("run.seed=%d", bsc.Seed()), fmt.Sprintf("run.replications=%d", bsc.Replications())}
	type alt struct {
		sc *models.Scenario
		m  *models.Model
	}
	alts := make([]alt, len(opts.Alts))
	for i, a := range opts.Alts {
		sc, m, err := opts.load(a, common...)
		if err != nil {
			return err
		}
		alts[i] = alt{sc, m}
	}
	dir := opts.OutDir
	if dir == "" {
		names := make([]string, len(opts.Alts))
		for i, a := range opts.Alts {
			names[i] = strings.TrimSuffix(filepath.Base(a), ".toml")
		}
		dir = filepath.Join("out", "compare-"+strings.Join(names, "+"))
	}
	if err := output.CheckReplace(dir, output.KindCompare, opts.Force); err != nil {
		return err
	}
	base, err := opts.replicate(ctx, opts.Err, opts.Base, bsc, bm)
	if err != nil {
		return err
	}
	bundle := &output.Bundle{}
	var comps []output.Comparison
	if err := addRunFiles(bundle, "base/", base); err != nil {
		return err
	}
	for i, a := range alts {
		res, err := opts.replicate(ctx, opts.Err, opts.Alts[i], a.sc, a.m)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(opts.Alts[i]), ".toml")
		if err := addRunFiles(bundle, name+"/", res); err != nil {
			return err
		}
		ds := output.Compare(bm, base.Results, a.m, res.Results)
		if err := bundle.Add("differences-"+name+".csv", func(w io.Writer) error { return output.WriteDifferencesCSV(w, ds) }); err != nil {
			return err
		}
		if err := bundle.Add("differences-"+name+".json", func(w io.Writer) error {
			return output.WriteDifferencesJSON(w, opts.Base, opts.Alts[i], ds)
		}); err != nil {
			return err
		}
		ce, hasEcon := models.CompareEconomics(bm, base.Results, a.m, res.Results)
		econRows := output.EconomicsRows(ce)
		if hasEcon {
			if err := bundle.Add("economics-"+name+".csv", func(w io.Writer) error { return output.WriteEconomicsCSV(w, econRows) }); err != nil {
				return err
			}
		}
		figs, err := output.CompareFigures(bm, base.Results, a.m, res.Results, bsc.Name, a.sc.Name, name, ds)
		if err != nil {
			return err
		}
		format, _ := output.ParsePlotFormat(opts.Plots)
		for _, f := range figs {
			if err := bundle.AddFigure(f, format); err != nil {
				return err
			}
		}
		if opts.Report {
			r, err := output.NewReport(metaOf(base), bsc, bm, base.Results, machine(opts.Workers))
			if err != nil {
				return err
			}
			r.AltName, r.Diffs = a.sc.Name, ds
			if hasEcon {
				r.Economics, r.EconomicsBase = econRows, bsc.Name
			}
			r.Figures = append(figs, r.Figures...)
			if err := bundle.Add("report-"+name+".html", r.WriteHTML); err != nil {
				return err
			}
			if err := bundle.Add("report-"+name+".md", r.WriteMarkdown); err != nil {
				return err
			}
		}
		comps = append(comps, output.Comparison{Alternative: opts.Alts[i], Diffs: ds})
		if opts.Format != "table" {
			continue
		}
		if i == 0 {
			fmt.Fprintf(opts.Out, "%d paired replications, seed %d, %s warm-up, %s measured\n\n",
				bsc.Replications(), bsc.Seed(), fmtDays(bsc.Warmup()), fmtDays(bsc.Horizon()))
		}
		fmt.Fprintf(opts.Out, "%s (base: %s)\n", a.sc.Name, bsc.Name)
		if err := output.WriteCompareTable(opts.Out, name, ds, models.HeadlineMetrics); err != nil {
			return err
		}
		fmt.Fprintf(opts.Out, "\n%s\n\n", output.Reading(a.sc.Name, ds, models.HeadlineMetrics))
		if hasEcon {
			if err := output.WriteEconomicsTable(opts.Out, econRows); err != nil {
				return err
			}
			fmt.Fprintln(opts.Out)
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

// addRunFiles adds one scenario's result files under prefix.
func addRunFiles(b *output.Bundle, prefix string, res *scenarioRunResult) error {
	rb, err := output.RunBundle(metaOf(res), res.Model, res.Results)
	if err != nil {
		return err
	}
	return b.Merge(prefix, rb)
}
