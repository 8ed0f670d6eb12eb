package output

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/journeysim/journeysim/models/calibrate"
)

// WriteCalibration prints the parameters and targets before and after.
func WriteCalibration(w io.Writer, cal *calibrate.Calibration) error {
	fmt.Fprintf(w, "%s: seed %d, %d replications a point (%s warm-up, %s measured); %d points: the scenario's values, a %d-point Latin hypercube, Nelder–Mead\n\n",
		cal.Scenario, cal.Seed, cal.Replications, fmtDaysText(cal.Warmup), fmtDaysText(cal.Horizon), cal.Evals, cal.LHS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "parameter\tuncertainty\tsearched\tbefore\tafter")
	edge := false
	for _, p := range cal.Params {
		mark := ""
		if p.AtBound {
			mark, edge = " *", true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s to %s\t%s\t%s%s\n", p.Path, p.Uncertainty, num(p.Lo), num(p.Hi), num(p.Before), num(p.After), mark)
	}
	for _, p := range cal.Adjusted {
		u := p.Uncertainty
		if u == "" {
			u = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t(rescaled: sum 1)\t%s\t%s\n", p.Path, u, num(p.Before), num(p.After))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if edge {
		fmt.Fprintln(w, "* at the edge of the range searched: the targets pull it beyond its declared uncertainty")
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tmetric\tvalue or range\tsd\tbefore\tafter")
	for _, t := range cal.Targets {
		id := t.ID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, t.Metric, t.ValueText(), num(t.SD), num(t.Before), num(t.After))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\ndistance, the sum over targets of ((mean − value)/sd)²: %s → %s\n", num(cal.DistanceBefore), num(cal.DistanceAfter))
	return err
}

func num(x float64) string { return fmt.Sprintf("%.4g", x) }
