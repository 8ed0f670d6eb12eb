package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/journeysim/journeysim/models/result"
)

// WriteRunSummary prints what a run found: as format "json" summary.json,
// as "csv" summary.csv, and as "table" the run's description, its
// warnings, the table of metrics, how capacities that change were worked
// out, the follow-ups, the economics against econBase (if econ) and where
// the files went.
func WriteRunSummary(w io.Writer, format string, meta Meta, l *result.Layout, rs []*result.Result, econ []EconomicsRow, econBase, dir string, files []string) error {
	ss := Summarize(l, rs)
	switch format {
	case "json":
		return WriteSummaryJSON(w, meta, ss)
	case "csv":
		return WriteSummaryCSV(w, ss)
	}
	fmt.Fprintf(w, "%s: %d replications, seed %d, %s warm-up, %s measured\n\n",
		meta.Name, meta.Replications, meta.Seed, fmtDaysText(meta.WarmupDays), fmtDaysText(meta.HorizonDays))
	for _, x := range meta.Services {
		fmt.Fprintf(w, "WARNING: %s\n", x.Text)
	}
	for _, x := range meta.Warnings {
		fmt.Fprintf(w, "warning: %s\n", x)
	}
	if len(meta.Warnings)+len(meta.Services) > 0 {
		fmt.Fprintln(w)
	}
	if err := WriteTable(w, ss, l.Headline, l.Places); err != nil {
		return err
	}
	if meta.Steady != nil {
		fmt.Fprintf(w, "\n%s\n", meta.Steady.Sentence())
		if meta.Steady.Warmup != "" {
			fmt.Fprintf(w, "%s\n", meta.Steady.Warmup)
		}
	}
	WriteCapacities(w, l.Capacities)
	if err := WriteYearTable(w, ss); err != nil {
		return err
	}
	if len(l.Scenario.Followups) > 0 {
		fmt.Fprintln(w, "\nfollow-ups. "+FollowupNote)
		if err := WriteFollowupTable(w, ss); err != nil {
			return err
		}
	}
	if econ != nil {
		fmt.Fprintf(w, "\nagainst the counterfactual, %s:\n", econBase)
		if err := WriteEconomicsTable(w, econ); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\nresults written to %s/ (%s)\n", dir, strings.Join(files, ", "))
	return err
}

// WriteCapacities prints how the capacity of each place whose capacity
// changes, or comes from a budget, was worked out, and its mean in force.
func WriteCapacities(w io.Writer, cs []result.CapacityInForce) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintln(w, "\ncapacity in force (whole places: a number or a factor rounds to the nearest, a budget buys whole places):")
	for _, c := range cs {
		fmt.Fprintf(w, "  %s: %s; %s on average over the measured years\n", c.Place, strings.Join(c.How, "; "), Format(c.Mean))
	}
}
