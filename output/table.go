package output

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
)

// WriteTable writes summaries as an aligned text table: metric, mean,
// 95% CI and unit. Metrics without data show "no data".
func WriteTable(w io.Writer, ss []Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tmean\t95% CI\tunit")
	for _, s := range ss {
		ci := ""
		if !math.IsNaN(s.CILow) {
			ci = fmt.Sprintf("%s to %s", Format(s.CILow), Format(s.CIHigh))
		}
		mean := Format(s.Mean)
		if math.IsNaN(s.Mean) {
			mean = "no data"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, mean, ci, s.Unit)
	}
	return tw.Flush()
}

// Format renders a number with about four significant figures, without
// exponents for the magnitudes a run reports.
func Format(x float64) string {
	switch {
	case math.IsNaN(x):
		return ""
	case x == 0:
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
