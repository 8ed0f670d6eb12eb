package output

import (
	"fmt"
	"html/template"
	"slices"

	"github.com/journeysim/journeysim/models/result"
)

// A Page is what a what-if page shows of a comparison: the sentences,
// tables and figures of the comparison's report, made by the same code,
// so that the page and the board report say the same thing.
type Page struct {
	Title    string
	Summary  []string // the report's first page
	Reading  string   // the largest changes in a sentence
	Warnings []string // services to look at, a drifting measured period
	// Changes are the headline differences, as the report's "What
	// changed" table writes them.
	Changes        []PageRow
	Economics      []PageRow
	EconomicsIntro string
	// Figures are the comparison's own (forest plot, occupancy side by
	// side) as inline SVG, the base run's left to the report.
	Figures []PageFigure
	Diffs   []Difference
	Econ    []EconomicsRow
}

// A PageRow is a row of one of the report's tables, formatted for a reader.
type PageRow struct {
	Metric   string // for a difference: the metric's name
	Label    string
	Values   string // base → alternative, or a mean
	Change   string // the change with its 95% CI, or the CI
	Relative string
	Unit     string
	Note     string
}

// A PageFigure is a figure as the report draws it inline.
type PageFigure struct {
	Name, Title string
	SVG         template.HTML
}

// AddWhatIf adds alt's comparison with base to b as AddComparison does,
// but for the report, and returns the page of it: the report's sentences,
// tables and comparison figures, without the base run's figures, which
// take longer to draw than the page may wait.
func AddWhatIf(b *Bundle, base, alt Run, stem string, opts ComparisonOptions) (*Page, error) {
	opts.Report = false
	ds, econ, figs, err := addComparison(b, base, alt, stem, opts)
	if err != nil {
		return nil, err
	}
	r := &Report{Meta: base.Meta, Scenario: base.Layout.Scenario, Layout: base.Layout, Summaries: Summarize(base.Layout, base.Results),
		Figures: figs, Machine: opts.Machine, AltName: alt.Meta.Name, AltStem: stem, Diffs: ds, PlotFormat: opts.Plots}
	if econ != nil {
		r.Economics, r.EconomicsBase = econ, base.Meta.Name
	}
	s, err := r.sections()
	if err != nil {
		return nil, err
	}
	p := &Page{Title: s.Title, Summary: s.Summary, Reading: s.Reading, Warnings: slices.Clone(s.Services),
		EconomicsIntro: s.EconomicsIntro, Diffs: ds, Econ: econ}
	if s.Unsettled != "" {
		p.Warnings = append(p.Warnings, s.Unsettled)
	}
	// The report's rows are the headline differences and the cost of
	// treatment, in the differences' order: name each by its metric.
	var metrics []string
	for _, d := range ds {
		if slices.Contains(result.HeadlineMetrics, d.Name) || d.Name == "cost.total" {
			metrics = append(metrics, d.Name)
		}
	}
	if len(metrics) != len(s.Changes) {
		return nil, fmt.Errorf("output: %d headline differences, but the report has %d", len(metrics), len(s.Changes))
	}
	for i, x := range s.Changes {
		p.Changes = append(p.Changes, PageRow{Metric: metrics[i], Label: x.Name, Values: x.Mean, Change: x.CI, Relative: x.Unit, Unit: x.Description})
	}
	for _, x := range s.Economics {
		p.Economics = append(p.Economics, PageRow{Label: x.Name, Values: x.Mean, Change: x.CI, Unit: x.Unit, Note: x.Description})
	}
	for _, f := range s.Figures {
		p.Figures = append(p.Figures, PageFigure{Name: f.Name, Title: f.Title, SVG: f.SVG})
	}
	return p, nil
}

// File returns the contents of the bundle's file name, if it holds it in
// memory.
func (b *Bundle) File(name string) ([]byte, bool) {
	data, ok := b.files[name]
	return data, ok
}
