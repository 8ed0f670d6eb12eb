package output

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable writes summaries as an aligned text table: metric, mean,
// 95% CI and unit. The headline metrics (by index) come first, then the
// system-wide rest, then each place's (a metric belongs to the place its
// name mentions). Metrics without data show "no data". Follow-up metrics
// are left to WriteFollowupTable.
func WriteTable(w io.Writer, ss []Summary, headline []int, places []string) error {
	isPlace := map[string]bool{}
	for _, p := range places {
		isPlace[p] = true
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(s Summary) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Name, s.MeanText(), s.CIText(), s.Unit, s.Label)
	}
	fmt.Fprintln(tw, "metric\tmean\t95% CI\tunit\tmeasure")
	done := make([]bool, len(ss))
	if len(headline) > 0 {
		fmt.Fprintln(tw, "headline\t\t\t\t")
		for _, i := range headline {
			row(ss[i])
			done[i] = true
		}
	}
	var groups []string
	byGroup := map[string][]int{}
	for i, s := range ss {
		if done[i] || strings.HasPrefix(s.Name, followupPrefix) || strings.HasPrefix(s.Name, yearPrefix) {
			continue
		}
		g := "system"
		for _, part := range strings.Split(s.Name, ".")[1:] {
			if isPlace[part] {
				g = part
				break
			}
		}
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t\t\t\t\n", g)
		for _, i := range byGroup[g] {
			row(ss[i])
		}
	}
	return tw.Flush()
}

const followupPrefix = "followup."

// followupColumns are the measures WriteFollowupTable shows, with headings.
var followupColumns = []struct{ measure, heading string }{
	{"followed", "followed a year"},
	{"died", "died"},
	{"in_treatment", "in treatment"},
	{"abstinent", "abstinent"},
	{"relapsed", "relapsed since"},
	{"treated_since", "treated since"},
}

// followupRows lays the follow-ups out compactly: a row for each cohort and
// time (followup.<name>.<time>.<measure>), "<name> at <time>" then the means
// of followupColumns.
func followupRows(ss []Summary) [][]string {
	var keys []string
	cells := map[string]map[string]string{}
	for _, s := range ss {
		rest, ok := strings.CutPrefix(s.Name, followupPrefix)
		if !ok {
			continue
		}
		parts := strings.SplitN(rest, ".", 3)
		if len(parts) < 3 {
			continue
		}
		key := parts[0] + " at " + parts[1]
		if cells[key] == nil {
			cells[key] = map[string]string{}
			keys = append(keys, key)
		}
		cells[key][parts[2]] = s.MeanText()
	}
	var rows [][]string
	for _, key := range keys {
		row := []string{key}
		for _, c := range followupColumns {
			row = append(row, cells[key][c.measure])
		}
		rows = append(rows, row)
	}
	return rows
}

// followupHeader is the heading row of followupRows.
func followupHeader() []string {
	h := []string{"follow-up"}
	for _, c := range followupColumns {
		h = append(h, c.heading)
	}
	return h
}

// FollowupNote says how to read the follow-up table.
const FollowupNote = "Shares: died and the columns since of all followed, the rest of those alive. Every measure, with its 95% CI, is in summary.csv."

// WriteFollowupTable writes the follow-ups compactly (see followupRows);
// every measure, with its CI, is in summary.csv. It writes nothing without
// follow-ups.
func WriteFollowupTable(w io.Writer, ss []Summary) error {
	rows := followupRows(ss)
	if len(rows) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(followupHeader(), "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, "  "+strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// Format renders a number with about four significant figures, without
// exponents for the magnitudes a run reports.
func Format(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return ""
	case math.Abs(x) < 1e-12:
		// Rounding left over from a difference of equal means (2.96e-17).
		return "0"
	}
	a := math.Abs(x)
	prec := 0
	switch {
	case a < 0.001:
		return strconv.FormatFloat(x, 'g', 3, 64)
	case a < 1:
		prec = 4
	case a < 10:
		prec = 3
	case a < 100:
		prec = 2
	case a < 1000:
		prec = 1
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}
