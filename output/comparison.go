package output

import (
	"fmt"
	"io"

	"github.com/journeysim/journeysim/models/result"
)

// A Run is one scenario's run as output formats it.
type Run struct {
	Meta    Meta
	Layout  *result.Layout
	Results []*result.Result
}

// AddRun adds a run's result files to b under prefix (a folder, as "base/").
func AddRun(b *Bundle, prefix string, r Run) error {
	rb, err := RunBundle(r.Meta, r.Layout, r.Results)
	if err != nil {
		return err
	}
	return b.Merge(prefix, rb)
}

// A ComparisonOptions says what a comparison writes beside its numbers.
type ComparisonOptions struct {
	Plots   PlotFormat
	Report  bool
	Machine Machine
}

// AddComparison adds alt's comparison with base to b, its files named by
// stem: the alternative's run files under stem/, differences-stem.csv and
// .json, economics-stem.csv if both value their runs, the figures, and
// with opts.Report report-stem.html and .md. It returns the differences
// and the economics rows (nil if not valued).
func AddComparison(b *Bundle, base, alt Run, stem string, opts ComparisonOptions) ([]Difference, []EconomicsRow, error) {
	ds, econ, _, err := addComparison(b, base, alt, stem, opts)
	return ds, econ, err
}

// addComparison is AddComparison that also returns the comparison's own
// figures.
func addComparison(b *Bundle, base, alt Run, stem string, opts ComparisonOptions) ([]Difference, []EconomicsRow, []Figure, error) {
	if err := AddRun(b, stem+"/", alt); err != nil {
		return nil, nil, nil, err
	}
	ds := Compare(base.Layout, base.Results, alt.Layout, alt.Results)
	if err := b.Add("differences-"+stem+".csv", func(w io.Writer) error { return WriteDifferencesCSV(w, ds) }); err != nil {
		return nil, nil, nil, err
	}
	if err := b.Add("differences-"+stem+".json", func(w io.Writer) error {
		return WriteDifferencesJSON(w, base.Meta.Scenario, alt.Meta.Scenario, ds)
	}); err != nil {
		return nil, nil, nil, err
	}
	var econ []EconomicsRow
	if ce, ok := result.CompareEconomics(base.Layout, base.Results, alt.Layout, alt.Results); ok {
		econ = EconomicsRows(ce)
		if err := b.Add("economics-"+stem+".csv", func(w io.Writer) error { return WriteEconomicsCSV(w, econ) }); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := b.Add("comparison-"+stem+".xlsx", func(w io.Writer) error { return WriteComparisonWorkbook(w, alt, ds, econ) }); err != nil {
		return nil, nil, nil, err
	}
	figs, err := CompareFigures(base.Layout, base.Results, alt.Layout, alt.Results, base.Meta.Name, alt.Meta.Name, stem, ds)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, f := range figs {
		if err := b.AddFigure(f, opts.Plots); err != nil {
			return nil, nil, nil, err
		}
	}
	if opts.Report {
		r, err := NewReport(base.Meta, base.Layout, base.Results, opts.Machine)
		if err != nil {
			return nil, nil, nil, err
		}
		r.AltName, r.AltStem, r.Diffs, r.PlotFormat = alt.Meta.Name, stem, ds, opts.Plots
		for i := range r.Figures {
			r.Figures[i].Dir = "base/" // the base run's, written under base/
			g := r.Figures[i]
			g.Name = "base/" + g.Name
			if err := b.AddFigure(g, opts.Plots); err != nil {
				return nil, nil, nil, err
			}
		}
		if econ != nil {
			r.Economics, r.EconomicsBase = econ, base.Meta.Name
		}
		r.Figures = append(figs, r.Figures...)
		if err := b.Add("report-"+stem+".html", r.WriteHTML); err != nil {
			return nil, nil, nil, err
		}
		if err := b.Add("report-"+stem+".md", r.WriteMarkdown); err != nil {
			return nil, nil, nil, err
		}
	}
	return ds, econ, figs, nil
}

// WriteComparison prints alt's comparison with base: the table of headline
// differences, a reading of the largest, and the economics if any.
func WriteComparison(w io.Writer, base, alt Run, stem string, ds []Difference, econ []EconomicsRow) error {
	fmt.Fprintf(w, "%s (base: %s)\n", alt.Meta.Name, base.Meta.Name)
	if err := WriteCompareTable(w, stem, ds, result.HeadlineMetrics); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\n", Reading(alt.Meta.Name, ds, result.HeadlineMetrics, alt.Layout))
	if econ != nil {
		if err := WriteEconomicsTable(w, econ); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}
