package output

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/journeysim/journeysim/models/calibrate"
)

// WriteCalibration prints the parameters and targets before and after.
func WriteCalibration(w io.Writer, cal *calibrate.Calibration) error {
	post := cal.Posterior
	if post == nil {
		fmt.Fprintf(w, "%s: seed %d, %d replications a point (%s warm-up, %s measured); %d points: the scenario's values, a %d-point Latin hypercube, Nelder–Mead\n\n",
			cal.Scenario, cal.Seed, cal.Replications, fmtDaysText(cal.Warmup), fmtDaysText(cal.Horizon), cal.Evals, cal.LHS)
	} else {
		fmt.Fprintf(w, "%s: seed %d, %d replications a point (%s warm-up, %s measured); %d points: the scenario's values, a %d-point Latin hypercube and Nelder–Mead, then the posterior sampler's %d (%d particles, %d generations)\n\n",
			cal.Scenario, cal.Seed, cal.Replications, fmtDaysText(cal.Warmup), fmtDaysText(cal.Horizon), cal.Evals, cal.LHS, post.Evals, len(post.Draws), len(post.Steps))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if post != nil {
		fmt.Fprintln(tw, "parameter\tuncertainty\tsearched\tbefore\tafter\tposterior 90% interval")
		for i, p := range cal.Params {
			fmt.Fprintf(tw, "%s\t%s\t%s to %s\t%s\t%s\t%s to %s\n", p.Path, p.Uncertainty, num(p.Lo), num(p.Hi), num(p.Before), num(p.After),
				num(post.Quantile(i, 0.05)), num(post.Quantile(i, 0.95)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	}
	fmt.Fprintln(tw, "parameter\tuncertainty\tsearched\tbefore\tafter")
	edge := false
	for _, p := range cal.Params {
		if post != nil {
			break // printed above, with their intervals
		}
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
	if _, err := fmt.Fprintf(w, "\ndistance, the sum over targets of ((mean − value)/sd)²: %s → %s\n", num(cal.DistanceBefore), num(cal.DistanceAfter)); err != nil {
		return err
	}
	if len(cal.HeldOut) == 0 {
		return nil
	}
	if post == nil {
		fmt.Fprintln(w, "\nheld out of the fit on purpose: each at the fit")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "check\tmetric\tvalue or range\tsd\tat the fit\tz")
		for k, t := range cal.HeldOut {
			x := cal.HeldOutAfter[k]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%+.2f\n", t.Label(), t.Metric, calibrate.TargetFit{Value: t.Value, Range: t.Range}.ValueText(), num(t.SD), num(x), t.Z(x))
		}
		return tw.Flush()
	}
	fmt.Fprintln(w, "\nheld out of the fit on purpose: the posterior's prediction of each")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tmetric\tvalue or range\tsd\tposterior median\t90% interval\tz of the median")
	for k, t := range cal.HeldOut {
		k += len(cal.Targets)
		med := post.MeanQuantile(k, 0.5)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s to %s\t%+.2f\n", t.Label(), t.Metric, calibrate.TargetFit{Value: t.Value, Range: t.Range}.ValueText(), num(t.SD),
			num(med), num(post.MeanQuantile(k, 0.05)), num(post.MeanQuantile(k, 0.95)), t.Z(med))
	}
	return tw.Flush()
}

func num(x float64) string { return fmt.Sprintf("%.4g", x) }

// WriteAreaFit prints an area's figures against its calibrated run, each
// judged by within (to tolerance, a share of the figure), and reports
// whether every one is.
func WriteAreaFit(w io.Writer, cal *calibrate.Calibration, tolerance float64, within func(calibrate.TargetFit) bool) (bool, error) {
	fmt.Fprintf(w, "\nthe area's figures and its calibrated run (%d replications):\n", cal.Replications)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "figure\tgiven\tmodel\twithin %g%%\n", 100*tolerance)
	all := true
	for _, t := range cal.Targets {
		ok := within(t)
		all = all && ok
		yes := "no"
		if ok {
			yes = "yes"
		}
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%s\n", t.ID, t.Value, t.After, yes)
	}
	return all, tw.Flush()
}
