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

// YearNote says what the year-by-year table holds.
const YearNote = "Year by year (mean, 95% CI): in treatment is the mean number on a day; journeys and deaths are counts in the year; cost is of the places, undiscounted; waits are of those admitted, lists at the year's end."

// yearCell is a mean and its 95% CI, as text.
type yearCell struct{ Mean, CI string }

func (c yearCell) String() string {
	if c.CI == "" {
		return c.Mean
	}
	return c.Mean + " (" + c.CI + ")"
}

// yearRows lays the year-by-year metrics (year_K.MEASURE) out as a table
// of a row a measured year, the year then a mean and its 95% CI a column:
// the header, then the rows; nothing if the run has none.
func yearRows(ss []Summary) (header []string, rows [][]yearCell) {
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
		return nil, nil
	}
	type col struct{ measure, heading string }
	var cols []col
	for _, c := range yearColumns {
		if s, ok := byName["year_1."+c.measure]; ok {
			if c.measure == "cost" {
				c.heading += " (" + s.Unit + ")"
			}
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
	header = []string{"year"}
	for _, c := range cols {
		header = append(header, c.heading)
	}
	for y := 1; y <= years; y++ {
		row := []yearCell{{Mean: strconv.Itoa(y)}}
		for _, c := range cols {
			s, ok := byName[fmt.Sprintf("%s%d.%s", yearPrefix, y, c.measure)]
			switch {
			case !ok:
				row = append(row, yearCell{})
			case s.N == 0:
				row = append(row, yearCell{Mean: "no data"})
			default:
				row = append(row, yearCell{Mean: s.MeanText(), CI: s.CIText()})
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// WriteYearTable writes the year-by-year metrics, if the run has them.
func WriteYearTable(w io.Writer, ss []Summary) error {
	header, rows := yearRows(ss)
	if rows == nil {
		return nil
	}
	fmt.Fprintln(w, "\n"+YearNote)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(yearTexts(row), "\t"))
	}
	return tw.Flush()
}

// yearTexts renders a row's cells as "mean (CI)".
func yearTexts(row []yearCell) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = c.String()
	}
	return out
}
