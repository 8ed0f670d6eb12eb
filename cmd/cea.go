package cmd

import (
	"fmt"

	"github.com/journeysim/journeysim/models/sweep"
	"github.com/journeysim/journeysim/output"
	"github.com/spf13/cobra"
)

// NewCmdCEA returns `journeysim cea`.
func NewCmdCEA() *cobra.Command {
	var plots string
	var wtp []float64
	var out string
	c := &cobra.Command{
		Use:   "cea BASE-SWEEP ALT-SWEEP",
		Short: "Cost-effectiveness plane and acceptability curve from two paired PSA sweeps",
		Long: `Reads two finished PSA sweeps of two scenarios run with the same --psa N and
seed (so each point draws the same parameter values, on common random numbers),
and writes, for the second against the first: ce-plane (incremental discounted
cost against incremental discounted QALYs, one dot a draw) and ceac (the share
of draws whose net monetary benefit is above zero, at each willingness to pay
from 0 to 50,000 per QALY), each as a plot with its CSV, into --out.`,
		Example: `  journeysim sweep baseline --psa 200 --out psa-base
  journeysim sweep case-managers-at-detox --psa 200 --out psa-cm
  journeysim cea psa-base psa-cm --out cea-cm`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.ParsePlotFormat(plots)
			if err != nil {
				return usageErrorf("%v", err)
			}
			ps, err := output.SweepCostEffect(args[0], args[1])
			if err != nil {
				return err
			}
			baseName, _ := output.SweepInfo(args[0])
			altName, money := output.SweepInfo(args[1])
			grid := sweep.WTPGrid()
			figs, err := output.CEFigures(ps, grid, sweep.Acceptability(ps, grid), money, altName, baseName, wtp)
			if err != nil {
				return err
			}
			var b output.Bundle
			for _, f := range figs {
				if err := b.AddFigure(f, format); err != nil {
					return err
				}
			}
			if out == "" {
				out = args[1]
			}
			if err := b.WriteFilesInto(out, output.KindFigures); err != nil {
				return err
			}
			acc := sweep.Acceptability(ps, wtp)
			w := cmd.OutOrStdout()
			for i, x := range wtp {
				fmt.Fprintf(w, "probability cost-effective at %g per QALY: %.2f (%d draws)\n", x, acc[i], len(ps))
			}
			fmt.Fprintf(w, "results written to %s/ (ce-plane, ceac)\n", out)
			return nil
		},
	}
	c.Flags().Float64SliceVar(&wtp, "wtp", []float64{20000, 30000}, "willingness to pay per QALY to mark (repeatable)")
	c.Flags().StringVar(&plots, "plot-format", "png", "format of the plots: png, svg or pdf")
	c.Flags().StringVar(&out, "out", "", "directory for the plots and CSVs (default ALT-SWEEP)")
	return c
}
