package cmd

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/journeysim/journeysim/models/sweep"
	"github.com/journeysim/journeysim/output"
	"github.com/spf13/cobra"
)

// NewCmdSensitivity returns `journeysim sensitivity`.
func NewCmdSensitivity(runF func(dir string, metrics []string, format string) error) *cobra.Command {
	var metrics []string
	var plots string
	c := &cobra.Command{
		Use:   "sensitivity DIR",
		Short: "Which swept parameters move a metric: partial rank correlations and a tornado",
		Long: `Reads a finished sweep (DIR/points.csv and results.csv, as journeysim sweep or
merge writes them), averages each --metric over each point's replications, and
for every numeric parameter computes its partial rank correlation coefficient
with the metric (PRCC: the other parameters' ranks regressed out) with a
p-value, and a one-way reading: the metric's mean where the parameter is in its
lowest fifth of the sweep's points against its highest fifth. A one-way sweep
(sweep --one-way) gives the tornado exactly: each parameter alone at each end
of its range against the scenario as it is. Writes
sensitivity.csv, and for each metric prcc-<metric> and tornado-<metric> plots
with the numbers behind them, into DIR. A Latin hypercube or a PSA suits it
best: in a grid the fifths are whole grid lines.`,
		Example: `  journeysim sweep --lhs 100 --range places.detox.capacity=4:12 --range arrivals.per_year=400:600 --out sw
  journeysim sensitivity sw --metric repeat_detox_share --metric wait_mean_days.detox`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.ParsePlotFormat(plots)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if runF != nil {
				return runF(args[0], metrics, string(format))
			}
			params, xs, means, oneWay, err := output.ReadSweep(args[0], metrics)
			if err != nil {
				return err
			}
			ss, skipped, err := sweep.Sensitivities(params, xs, metrics, means, oneWay)
			if err != nil {
				return err
			}
			var b output.Bundle
			if err := b.Add("sensitivity.csv", func(w io.Writer) error { return output.WriteSensitivityCSV(w, ss) }); err != nil {
				return err
			}
			for _, m := range metrics {
				figs, err := output.SensitivityFigures(m, ss)
				if err != nil {
					return err
				}
				for _, f := range figs {
					if err := b.AddFigure(f, format); err != nil {
						return err
					}
				}
			}
			if err := b.WriteFilesInto(args[0], output.KindFigures); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "metric\tparameter\tPRCC\tp\tlow\thigh")
			for _, s := range ss {
				prcc := "-"
				if !math.IsNaN(s.PRCC) {
					prcc = fmt.Sprintf("%+.3f", s.PRCC)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Metric, s.Param, prcc, output.Format(s.P), output.Format(s.LowMean), output.Format(s.HighMean))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(skipped) > 0 {
				fmt.Fprintf(w, "not numbers, left out: %s\n", strings.Join(skipped, ", "))
			}
			fmt.Fprintf(w, "written to %s: %s\n", args[0], strings.Join(b.Names(), ", "))
			return nil
		},
	}
	c.Flags().StringArrayVar(&metrics, "metric", []string{"completion_rate"}, "a metric to explain (repeatable)")
	c.Flags().StringVar(&plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	return c
}
