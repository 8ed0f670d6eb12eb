package output

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/journeysim/journeysim/models/estimate"
	"github.com/journeysim/journeysim/models/result"
)

// EconomicsRow is one line of a cost-effectiveness table.
type EconomicsRow struct {
	Measure, Unit       string
	Mean, CILow, CIHigh float64
	Note                string
}

// EconomicsRows lays out a comparison's economics: what the alternative
// cost, what it bought, the ICER and net benefit, and the return on
// investment under the four conventions.
func EconomicsRows(ce result.CostEffect) []EconomicsRow {
	est := func(m, u string, e estimate.Mean, note string) EconomicsRow {
		return EconomicsRow{m, u, e.Mean, e.CILow, e.CIHigh, note}
	}
	rat := func(m, u string, r estimate.Ratio, note string) EconomicsRow {
		return EconomicsRow{m, u, r.Mean, r.CILow, r.CIHigh, note}
	}
	money, per := ce.Money, "returned per 1 spent"
	rows := []EconomicsRow{
		est("incremental_cost", money, ce.Cost, "discounted, alternative − base"),
		est("incremental_qalys", "QALYs", ce.QALYs, "discounted, alternative − base"),
		rat("icer", money+" per QALY", ce.ICER, "incremental cost over incremental QALYs (Fieller CI)"),
	}
	for _, n := range ce.NMB {
		rows = append(rows, est("net_monetary_benefit@"+strconv.FormatFloat(n.WTP, 'f', -1, 64), money, n.Mean,
			"QALYs valued at "+groupThousands(strconv.FormatFloat(n.WTP, 'f', -1, 64))+" each, less the extra cost"))
	}
	rows = append(rows,
		est("crime_saved", money, ce.CrimeSaved, "discounted crime costs, base − alternative"),
		rat("roi.incremental", per, ce.Incremental, "extra crime saved over extra spending, against the base on common random numbers (a modelled comparison, not NTORS's before-and-after), transfers included"),
		rat("roi.incremental.excl_transfers", per, ce.IncrementalExcl, "as above, stolen-property transfers left out"),
		rat("roi.full.base", per, ce.FullBase, "base: crime avoided in treatment over the full cost of treatment, transfers included"),
		rat("roi.full.base.excl_transfers", per, ce.FullBaseExcl, "as above, transfers left out"),
		rat("roi.full.alternative", per, ce.FullAlt, "alternative: crime avoided in treatment over the full cost of treatment, transfers included"),
		rat("roi.full.alternative.excl_transfers", per, ce.FullAltExcl, "as above, transfers left out"),
	)
	for _, ba := range ce.BeforeAfter {
		note := "crime in the " + ba.At + " before intake less crime in the " + ba.At + " after, over the cost of treatment after, undiscounted: NTORS's and DTORS's convention, without a comparison group"
		if !math.IsNaN(ba.Base.Mean) {
			rows = append(rows, rat("roi.before_after."+ba.At+".base", per, ba.Base, "base: "+note))
		}
		rows = append(rows, rat("roi.before_after."+ba.At+".alternative", per, ba.Alt, "alternative: "+note))
	}
	if ce.HasHealth {
		rows = append(rows,
			est("health_saved", money, ce.HealthSaved, "discounted health-care costs, base − alternative"),
			rat("bcr.crime_health", per, ce.CrimeHealth, "crime and health-care costs saved over extra spending, against the base (DTORS counted both, before and after intake)"))
	}
	return rows
}

// WriteEconomicsTable prints the rows for a reader.
func WriteEconomicsTable(w io.Writer, rows []EconomicsRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "economics\tmean\t95% CI\tunit\tmeaning")
	for _, r := range rows {
		m, ci := r.texts()
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Measure, m, ci, r.Unit, r.Note)
	}
	return tw.Flush()
}

// texts renders the mean and the CI for a reader: a ratio whose
// denominator may be zero has an unbounded CI.
func (r EconomicsRow) texts() (mean, ci string) {
	if math.IsNaN(r.Mean) {
		return "no data", "no data"
	}
	if math.IsNaN(r.CILow) {
		return Format(r.Mean), "unbounded"
	}
	return Format(r.Mean), Format(r.CILow) + " to " + Format(r.CIHigh)
}

// WriteEconomicsCSV writes the rows as CSV; a figure with no data is empty.
func WriteEconomicsCSV(w io.Writer, rows []EconomicsRow) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"measure", "mean", "ci_low", "ci_high", "unit", "note"})
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	}
	for _, r := range rows {
		cw.Write([]string{r.Measure, num(r.Mean), num(r.CILow), num(r.CIHigh), r.Unit, r.Note})
	}
	cw.Flush()
	return cw.Error()
}
