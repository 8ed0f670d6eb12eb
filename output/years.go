package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// yearPrefix starts the year-by-year metrics (year_1.in_treatment, …),
// which WriteYearTable lays out.
const yearPrefix = "year_"

// yearColumns are what WriteYearTable shows of each year, with headings;
// waits and lists are added for each place that has them.
var yearColumns = []struct{ measure, heading string }{
	{"in_treatment", "in treatment"},
	{"journeys_started", "journeys started"},
	{"deaths", "deaths"},
	{"cost", "cost"},
}

// WriteYearTable writes the year-by-year metrics, if the run has them, as
// a table of a row a measured year: each figure's mean and 95% CI.
func WriteYearTable(w io.Writer, ss []Summary) error {
	byName := map[string]Summary{}
	years := 0
	var waits []string // places, in the order first seen
	for _, s := range ss {
		head, rest, ok := strings.Cut(s.Name, ".")
		y, err := strconv.Atoi(strings.TrimPrefix(head, yearPrefix))
		if !ok || !strings.HasPrefix(head, yearPrefix) || err != nil {
			continue
		}
		byName[s.Name] = s
		years = max(years, y)
		if p, ok := strings.CutPrefix(rest, "wait_mean_days."); ok && y == 1 {
			waits = append(waits, p)
		}
	}
	if years == 0 {
		return nil
	}
	type col struct{ measure, heading string }
	var cols []col
	for _, c := range yearColumns {
		if _, ok := byName["year_1."+c.measure]; ok {
			cols = append(cols, col(c))
		}
	}
	// A place's waits only where someone waits: most places have none.
	someone := func(measure string) bool {
		for y := 1; y <= years; y++ {
			if s, ok := byName[fmt.Sprintf("%s%d.%s", yearPrefix, y, measure)]; ok && s.N > 0 && (s.Mean != 0 || s.CIHigh != 0) {
				return true
			}
		}
		return false
	}
	for _, p := range waits {
		if someone("wait_mean_days."+p) || someone("waiting."+p) {
			cols = append(cols, col{"wait_mean_days." + p, "wait " + p + " (days)"}, col{"waiting." + p, "waiting " + p})
		}
	}
	fmt.Fprintln(w, "\nyear by year (mean, 95% CI): in treatment is the mean number on a day; journeys and deaths are counts in the year; waits are of those admitted, lists at the year's end")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"year"}
	for _, c := range cols {
		head = append(head, c.heading)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for y := 1; y <= years; y++ {
		row := []string{strconv.Itoa(y)}
		for _, c := range cols {
			s, ok := byName[fmt.Sprintf("%s%d.%s", yearPrefix, y, c.measure)]
			switch {
			case !ok:
				row = append(row, "")
			case s.N == 0:
				row = append(row, "no data")
			default:
				row = append(row, s.MeanText()+" ("+s.CIText()+")")
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}
