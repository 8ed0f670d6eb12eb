package output

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// Machine describes where a run happened, for the method section.
type Machine struct {
	GoVersion string
	OS, Arch  string
	CPUs      int
	Workers   int
	Modules   []string // dependency module@version, sorted
}

// ValidationTable is the validation checks as the report shows them: lines
// before the table, its header, rows of cells (a row of one cell heads a
// group of checks), and notes after it (an empty note ends a paragraph).
type ValidationTable struct {
	Intro  []string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Report is everything a report shows: one scenario's run, or a comparison.
type Report struct {
	Meta       Meta
	Scenario   *scenario.Scenario
	Layout     *result.Layout
	Summaries  []Summary
	Series     []SeriesSummary
	Figures    []Figure
	Machine    Machine
	AltName    string           // set for a comparison
	AltStem    string           // its files' stem, as differences-<stem>.csv
	Diffs      []Difference     // set for a comparison
	Validation *ValidationTable // the validation checks, if run
	// PlotFormat is the format the figures' files were written in, for
	// the Markdown's links ("" is png).
	PlotFormat PlotFormat
	// Economics is the cost-effectiveness of the run (or the comparison's
	// alternative) against EconomicsBase, if valued.
	Economics     []EconomicsRow
	EconomicsBase string
}

// NewReport assembles a report of one run with its standard figures.
func NewReport(meta Meta, m *result.Layout, rs []*result.Result, machine Machine) (*Report, error) {
	figs, err := RunFigures(m, rs)
	if err != nil {
		return nil, err
	}
	return NewReportFigures(meta, m, rs, machine, figs), nil
}

// NewReportFigures is NewReport with the run's figures, made by RunFigures,
// given: a run that writes them as files draws the same ones.
func NewReportFigures(meta Meta, m *result.Layout, rs []*result.Result, machine Machine, figs []Figure) *Report {
	return &Report{Meta: meta, Scenario: m.Scenario, Layout: m, Summaries: Summarize(m, rs), Series: SummarizeSeries(m, rs),
		Machine: machine, Figures: figs}
}

type reportFigure struct {
	Name, Title string
	File, CSV   string // paths in the output directory
	SVG         template.HTML
}

type reportRow struct {
	Name, Mean, CI, Unit, Description string
}

// sections holds what both the HTML and the Markdown are made from.
type sections struct {
	Title, Description string
	// Summary is the first page: what was run or compared, and what it
	// found, in sentences.
	Summary []string
	// Comparing says the report is of a comparison: its effects lead and
	// the base run's results are an appendix.
	Comparing bool
	// Changes are the headline differences of a comparison.
	Changes []reportRow
	// ValidationScope says the validation ran on another scenario.
	ValidationScope string
	// DiffsFile is the CSV with every difference of a comparison.
	DiffsFile string
	// Unsettled says, above the results, that the measured period drifts.
	Unsettled string
	// Services name, above the results, the services that are full, whose
	// waiting lists grow, or that lose people while they wait.
	Services           []string
	Headline, Others   []reportRow
	Comparison         []reportRow
	Reading            string
	Figures            []reportFigure
	Places             []placeRow
	Params             []scenario.Parameter
	Cited, Derived     int
	Assumed, Unsourced int
	Method             []methodItem
	Validation         *ValidationTable
	Economics          []reportRow
	EconomicsIntro     string
	FollowupHeader     []string
	Followups          [][]string
	FollowupNote       string
	YearHeader         []string
	Years              [][]yearCell
	YearNote           string
}

type placeRow struct {
	Name, Kind, Capacity, Stay, Exits string
}

type methodItem struct {
	Heading string
	Text    []string
}

func (r *Report) sections() (*sections, error) {
	sc, m := r.Scenario, r.Layout
	s := &sections{Title: sc.Name, Description: sc.Description, Validation: r.Validation}
	if st := r.Meta.Steady; st != nil && !st.Settled && !st.Projection {
		s.Unsettled = st.Sentence()
	}
	for _, w := range r.Meta.Services {
		s.Services = append(s.Services, w.Text)
	}
	isHead := map[int]bool{}
	row := func(x Summary) reportRow { return humanRow(m, x) }
	for _, i := range m.Headline {
		isHead[i] = true
		s.Headline = append(s.Headline, row(r.Summaries[i]))
	}
	// What the system costs belongs with what it does.
	if i := m.MetricIndex("cost.total"); i >= 0 && !isHead[i] {
		isHead[i] = true
		s.Headline = append(s.Headline, row(r.Summaries[i]))
	}
	for i, x := range r.Summaries {
		if !isHead[i] && !strings.HasPrefix(x.Name, yearPrefix) {
			s.Others = append(s.Others, row(x))
		}
	}
	if s.YearHeader, s.Years = yearRows(r.Summaries); s.Years != nil {
		s.YearNote = YearNote
	}
	if s.Followups = followupRows(r.Summaries); len(s.Followups) > 0 {
		s.FollowupHeader, s.FollowupNote = followupHeader(), FollowupNote
	}
	headline := map[string]bool{}
	for _, h := range result.HeadlineMetrics {
		headline[h] = true
	}
	for _, d := range r.Diffs {
		u := d.Unit
		row := reportRow{Name: m.Label(d.Name), Mean: Human(d.Base.Mean, u) + " → " + Human(d.Alt.Mean, u),
			CI: HumanChange(d.Diff.Mean, d.Diff.CILow, d.Diff.CIHigh, u), Unit: relText(d.Rel), Description: HumanUnit(u)}
		if d.Significant() {
			s.Comparison = append(s.Comparison, row)
		}
		if headline[d.Name] || d.Name == "cost.total" {
			s.Changes = append(s.Changes, row)
		}
	}
	if len(r.Diffs) > 0 {
		s.Comparing = true
		s.DiffsFile = "differences-" + r.AltStem + ".csv"
		s.Others = nil // every measure of both is in the differences' CSV
		s.Title = r.AltName + " compared with " + sc.Name
		s.Description = ""
		s.Reading = Reading(r.AltName, r.Diffs, result.HeadlineMetrics, m)
		s.Summary = r.comparisonSummary()
	} else {
		s.Summary = r.runSummary()
	}
	for _, e := range r.Economics {
		unit := e.Unit
		mean, ci := Human(e.Mean, unit), HumanCI(e.CILow, e.CIHigh, unit)
		if math.IsNaN(e.CILow) && !math.IsNaN(e.Mean) {
			ci = "unbounded"
		}
		s.Economics = append(s.Economics, reportRow{Name: m.Label(e.Measure), Mean: mean, CI: ci, Unit: HumanUnit(unit), Description: e.Note})
	}
	if r.Validation != nil {
		s.ValidationScope = validationScope(r.Meta.Scenario, sc)
	}
	if len(r.Economics) > 0 {
		s.EconomicsIntro = "Against " + r.EconomicsBase + ", on paired replications; money discounted over the measured years. " +
			"The incremental return sets crime saved against extra spending, a modelled comparison; the full return sets crime avoided while in treatment, " +
			"at the rate while using, against the full cost of treatment; the before-and-after return, as NTORS (L1) and DTORS (X19) measured theirs, sets the crime of people starting treatment " +
			"in a period after intake against as long before it, at the rate while using, over what their treatment cost, with no comparison group; " +
			"the crime and health return adds health-care costs saved to crime saved, as DTORS counted."
	}
	for _, f := range r.Figures {
		var b bytes.Buffer
		if err := f.Write(&b, svgInline); err != nil {
			return nil, err
		}
		ext := r.PlotFormat
		if ext == "" {
			ext = PNG
		}
		s.Figures = append(s.Figures, reportFigure{Name: f.Dir + f.Name, Title: f.Title, File: f.Dir + f.Name + "." + string(ext), CSV: f.Dir + f.Name + ".csv",
			SVG: template.HTML(inlineSVG(b.String(), strings.ReplaceAll(f.Dir, "/", "-")+f.Name))})
	}
	for _, name := range m.Places {
		p := sc.Places[name]
		pr := placeRow{Name: name, Kind: p.Kind.String(), Capacity: "unlimited"}
		if p.Capacity != nil {
			pr.Capacity = strconv.FormatFloat(p.Capacity.V, 'f', -1, 64) // whole places
		}
		var stays []string
		if p.Stay != nil {
			stays = append(stays, p.Stay.String())
		}
		for _, e := range sortedNames(p.Exits) {
			switch x := p.Exits[e]; {
			case x.Stay != nil:
				stays = append(stays, e+": "+x.Stay.String())
			case x.Hazard != nil:
				stays = append(stays, e+": a hazard by time since entry")
			}
		}
		pr.Stay = strings.Join(stays, "; ")
		if p.Kind == scenario.KindParallel && p.Duration != nil {
			pr.Stay = "holds for " + p.Duration.String()
		}
		var exits []string
		for _, e := range sortedNames(p.Exits) {
			var tos []string
			for _, rt := range p.Routes[e] {
				tos = append(tos, strings.Join(rt.Targets(), " or "))
			}
			exits = append(exits, e+" → "+strings.Join(tos, ", "))
		}
		if len(p.Routes[scenario.ExitReneged]) > 0 {
			exits = append(exits, "gives up waiting → "+strings.Join(p.Routes[scenario.ExitReneged][0].Targets(), " or "))
		}
		pr.Exits = strings.Join(exits, "; ")
		s.Places = append(s.Places, pr)
	}
	s.Params = sc.Parameters()
	for i, p := range s.Params {
		// 0.2743875098937392 reads as 0.2744; explain and the CSVs keep
		// every digit.
		if x, err := strconv.ParseFloat(p.Value, 64); err == nil && x != math.Trunc(x) {
			s.Params[i].Value = strconv.FormatFloat(x, 'g', 4, 64)
		}
		switch {
		case p.Source == "":
			s.Unsourced++
		case strings.HasPrefix(p.Source, "derived"):
			s.Derived++
		case p.Source == "assumption":
			s.Assumed++
		default:
			s.Cited++
		}
	}
	s.Method = r.method()
	return s, nil
}

func sortedNames[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var svgIDRE = regexp.MustCompile(`id="([^"]+)"`)

// svgInline is an SVG for a report's page: no embedded font (a copy of
// Liberation Sans in each figure made a report 3 MB), but Arial or
// Helvetica, whose letters are as wide, where Liberation Sans is missing.
const svgInline PlotFormat = "svg-inline"

// inlineSVG strips the XML prologue so the SVG can sit inside HTML, names
// the fonts that can stand in for Liberation Sans, and makes its ids
// unique to the figure so that several inline SVGs do not clash.
func inlineSVG(svg, name string) string {
	if i := strings.Index(svg, "<svg"); i > 0 {
		svg = svg[i:]
	}
	svg = strings.ReplaceAll(svg, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	prefix := name + "-"
	svg = svgIDRE.ReplaceAllString(svg, `id="`+prefix+`$1"`)
	svg = strings.ReplaceAll(svg, "url(#", "url(#"+prefix)
	svg = strings.ReplaceAll(svg, `href="#`, `href="#`+prefix)
	return svg
}

// method returns the STRESS-DES method section, in its order.
func (r *Report) method() []methodItem {
	sc, m, meta := r.Scenario, r.Layout, r.Meta
	var worst string
	worstRel := 0.0
	for _, i := range m.Headline {
		if rel := r.Summaries[i].RelHalfWidth(); rel > worstRel {
			worst, worstRel = r.Summaries[i].Name, rel
		}
	}
	stable := r.warmupCheck()
	mods := "none recorded"
	if len(r.Machine.Modules) > 0 {
		mods = strings.Join(r.Machine.Modules, ", ")
	}
	return []methodItem{
		{"1. Objectives", []string{
			"Purpose: to estimate, for the scenario “" + sc.Name + "”, the flows of clients through the local treatment system and the outcomes listed in the results, so that commissioners can compare options before spending money.",
			"Outputs: the headline metrics above, each the mean over replications with a 95% confidence interval (Student's t); every metric is defined in summary.csv.",
		}},
		{"2. Model logic", []string{
			"A discrete-event simulation of individual clients. New presentations arrive as a Poisson process and enter “" + sc.Arrivals.To + "”. Each place in the table below is a capacity-limited service with a waiting list, an open service, a parallel service held alongside others, or a state out of treatment. The length of stay is drawn from a distribution or from piecewise-constant hazards with competing exits; death competes with every exit. After each exit a route is chosen by probability, with conditions on the client's attributes, history and the scenario's policies, and with odds-ratio modifiers.",
			"Simplifications: attributes of the case mix are independent; clients on a waiting list do not die while they wait; a capacity cut evicts nobody.",
		}},
		{"3. Data sources", []string{
			fmt.Sprintf("Every parameter is listed in the parameter table with its source: %d cite rows of the evidence table (parameters.md), %d are derived from such rows, %d were calibrated, %d are assumptions and %d have no source given.", r.count("cited"), r.count("derived"), r.count("calibrated"), r.count("assumption"), r.count("none")),
			calibrationText(sc),
		}},
		{"4. Experimentation", []string{
			fmt.Sprintf("Warm-up: %s from an empty system, discarded. %s", fmtDaysText(meta.WarmupDays), stable),
			fmt.Sprintf("Run length: %s measured after the warm-up.", fmtDaysText(meta.HorizonDays)),
			fmt.Sprintf("Replications: %d, enough for every headline metric's 95%% CI to be within ±5%% of its mean; the widest is %s at ±%.1f%%.", meta.Replications, worst, 100*worstRel),
		}},
		{"5. Implementation", []string{
			fmt.Sprintf("Random numbers: PCG streams from Go's math/rand/v2, one per purpose and place (arrivals, case_mix, stay/<place>, exit/<place>, route/<place>, mortality/<place>, patience/<place>, …), each seeded from the master seed %d, the replication index and the stream's name, so that scenarios compared share common random numbers and results do not depend on the number of workers.", meta.Seed),
			fmt.Sprintf("Software: journeysim %s, %s on %s/%s; modules: %s.", meta.Version, r.Machine.GoVersion, r.Machine.OS, r.Machine.Arch, mods),
			fmt.Sprintf("Run time: %.1f s for %d replications on %d workers (%d CPUs).", meta.WallSeconds, meta.Replications, r.Machine.Workers, r.Machine.CPUs),
		}},
		{"6. Code access", []string{
			"The scenario file and the version above reproduce every number in this report: journeysim run " + meta.Scenario + fmt.Sprintf(" --seed %d --replications %d.", meta.Seed, meta.Replications),
		}},
	}
}

// calibrationText says what the scenario was calibrated to, if anything.
func calibrationText(sc *scenario.Scenario) string {
	if len(sc.CalibratedTo) == 0 {
		return "Calibration: none; no parameter was fitted to outcome figures."
	}
	s := "Calibration: the parameters whose source says “calibrated” were fitted by journeysim calibrate to the validation checks (or targets) " +
		strings.Join(sc.CalibratedTo, ", ") + "; in the validation section those checks are marked † and show the fit, and the others test the model."
	if len(sc.HeldOut) > 0 {
		s += " Held out of the fit on purpose, to test it: " + strings.Join(sc.HeldOut, ", ") + " (marked ‡)."
	}
	if d := sc.Draws; d != nil {
		s += fmt.Sprintf(" The calibration's posterior, %d draws of %d parameters, is in %s: a PSA (journeysim sweep --psa) draws those parameters from it.", len(d.Rows), len(d.Params), d.File)
	}
	return s
}

func (r *Report) count(kind string) int {
	n := 0
	for _, p := range r.Scenario.Parameters() {
		switch {
		case p.Source == "":
			if kind == "none" {
				n++
			}
		case strings.HasPrefix(p.Source, "derived"):
			if kind == "derived" {
				n++
			}
		case p.Source == "assumption":
			if kind == "assumption" {
				n++
			}
		case strings.HasPrefix(p.Source, "calibrated"):
			if kind == "calibrated" {
				n++
			}
		default:
			if kind == "cited" {
				n++
			}
		}
	}
	return n
}

// warmupCheck says what the run measured of its steady state.
func (r *Report) warmupCheck() string {
	if r.Meta.Steady == nil {
		return "The steady state was not measured for this run."
	}
	s := r.Meta.Steady.Sentence()
	if r.Meta.Steady.Warmup != "" {
		s += " " + r.Meta.Steady.Warmup
	}
	return s
}

func fmtDaysText(d float64) string {
	b, err := scenario.Duration(d).MarshalText()
	if err != nil {
		return fmt.Sprintf("%g days", d)
	}
	return string(b)
}

// WriteHTML writes the report as one self-contained HTML file: plots are
// inline SVG, styles are inline, and nothing refers to another file or URL.
func (r *Report) WriteHTML(w io.Writer) error {
	s, err := r.sections()
	if err != nil {
		return err
	}
	return htmlTemplate.Execute(w, s)
}

// WriteMarkdown writes the report's Markdown twin. Figures are referenced
// as the PNG files written beside it.
func (r *Report) WriteMarkdown(w io.Writer) error {
	s, err := r.sections()
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(s.Title))
	if s.Description != "" {
		b.WriteString(mdText(s.Description) + "\n\n")
	}
	table := func(rows []reportRow, h1, h2, h3, h4 string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n|---|---:|---|---|\n", h1, h2, h3, h4)
		for _, x := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(x.Name), mdText(x.Mean), mdText(x.CI), mdText(x.Unit))
		}
		b.WriteString("\n")
	}
	for _, w := range s.Services {
		b.WriteString("> **Warning: " + mdText(w) + "**\n\n")
	}
	if s.Unsettled != "" {
		b.WriteString("> **" + mdText(s.Unsettled) + "**\n\n")
	}
	b.WriteString("## Summary\n\n")
	for _, l := range s.Summary {
		b.WriteString(mdText(l) + "\n\n")
	}
	if s.Comparing {
		b.WriteString("## What changed\n\n" + mdText(s.Reading) + "\n\n")
		table(s.Changes, "measure", "base → alternative", "change (95% CI)", "relative")
	} else {
		b.WriteString("## Headline results\n\n")
		table(s.Headline, "measure", "mean", "95% CI", "unit")
	}
	if len(s.Economics) > 0 {
		b.WriteString("## Costs and effects\n\n" + mdText(s.EconomicsIntro) + "\n\n")
		table(s.Economics, "measure", "mean", "95% CI", "unit")
	}
	if len(s.Years) > 0 {
		b.WriteString("## Year by year\n\n" + mdText(s.YearNote) + "\n\n")
		b.WriteString("| " + strings.Join(mdCells(s.YearHeader), " | ") + " |\n|---|" + strings.Repeat("---:|", len(s.YearHeader)-1) + "\n")
		for _, row := range s.Years {
			b.WriteString("| " + strings.Join(mdCells(yearTexts(row)), " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	if len(s.Followups) > 0 {
		b.WriteString("## Follow-ups\n\n" + mdText(s.FollowupNote) + "\n\n")
		b.WriteString("| " + strings.Join(mdCells(s.FollowupHeader), " | ") + " |\n|---|" + strings.Repeat("---:|", len(s.FollowupHeader)-1) + "\n")
		for _, row := range s.Followups {
			b.WriteString("| " + strings.Join(mdCells(row), " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Figures\n\n")
	for _, f := range s.Figures {
		fmt.Fprintf(&b, "![%s](%s)\n\n", mdText(f.Title), (&url.URL{Path: f.File}).String())
	}
	if s.Comparing {
		b.WriteString("## Appendix: the differences the replications can tell from none\n\nEvery measure, with both scenarios' means and the difference's 95% CI, is in " + mdText(s.DiffsFile) + ".\n\n")
		table(s.Comparison, "measure", "base → alternative", "change (95% CI)", "relative")
		b.WriteString("## Appendix: the base run\n\n")
		table(s.Headline, "measure", "mean", "95% CI", "unit")
	}
	if v := s.Validation; v != nil {
		b.WriteString("## Validation\n\n")
		if s.ValidationScope != "" {
			b.WriteString("> " + mdText(s.ValidationScope) + "\n\n")
		}
		for _, l := range v.Intro {
			b.WriteString(mdText(l) + "\n\n")
		}
		b.WriteString("| " + strings.Join(mdCells(v.Header), " | ") + " |\n|" + strings.Repeat("---|", len(v.Header)) + "\n")
		for _, row := range v.Rows {
			cells := make([]string, len(v.Header))
			copy(cells, row)
			cells = mdCells(cells)
			if len(row) == 1 {
				cells[0] = "**" + cells[0] + "**"
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		b.WriteString("\n")
		for _, l := range v.Notes {
			if l != "" {
				b.WriteString(mdText(l) + "\n\n")
			}
		}
	}
	b.WriteString("## Method (STRESS-DES)\n\n")
	for _, m := range s.Method {
		fmt.Fprintf(&b, "### %s\n\n", mdText(m.Heading))
		for _, t := range m.Text {
			b.WriteString(mdText(t) + "\n\n")
		}
		if strings.HasPrefix(m.Heading, "2.") {
			b.WriteString("| place | kind | capacity | stay | exits → routes |\n|---|---|---:|---|---|\n")
			for _, p := range s.Places {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdText(p.Name), mdText(p.Kind), mdText(p.Capacity), mdText(p.Stay), mdText(p.Exits))
			}
			b.WriteString("\n")
		}
		if strings.HasPrefix(m.Heading, "3.") {
			b.WriteString("| parameter | value | source | citation |\n|---|---|---|---|\n")
			for _, p := range s.Params {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(p.Path), mdText(p.Value), mdText(p.Source), mdText(p.Citation))
			}
			b.WriteString("\n")
		}
	}
	if len(s.Others) > 0 {
		b.WriteString("## All metrics\n\n")
		table(s.Others, "measure", "mean", "95% CI", "unit")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// mdCells returns cells each made safe as Markdown.
func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdText(c)
	}
	return out
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}: journeysim report</title>
<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #111; max-width: 178mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 18pt 0 6pt; border-bottom: 1px solid #999; padding-bottom: 2pt; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; page-break-after: avoid; }
p.lead { color: #333; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 9pt; }
td { overflow-wrap: anywhere; }
section.summary p { font-size: 11.5pt; }
@media print { section.summary { page-break-after: always; break-after: page; } }
th, td { text-align: left; padding: 2pt 5pt; border-bottom: 1px solid #ddd; vertical-align: top; }
th { border-bottom: 1.5px solid #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 10pt 0 14pt; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; max-height: 190mm; }
figcaption { font-size: 9pt; color: #333; }
tr { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
.small { font-size: 8.5pt; color: #444; }
pre { font-size: 8.5pt; }
table.validation { font-size: 7.5pt; }
table.validation td { padding: 1pt 3pt; }
p.warning { border-left: 4pt solid #b00; padding: 4pt 8pt; background: #fdecea; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Description}}<p class="lead">{{.Description}}</p>
{{end}}{{range .Services}}<p class="warning"><strong>Warning: {{.}}</strong></p>
{{end}}{{if .Unsettled}}<p class="warning"><strong>{{.Unsettled}}</strong></p>
{{end}}
<section class="summary">
<h2>Summary</h2>
{{range .Summary}}<p>{{.}}</p>
{{end}}</section>
{{if .Comparing}}
<h2>What changed</h2>
<p>{{.Reading}}</p>
<table>
<thead><tr><th>measure</th><th>base → alternative</th><th>change (95% CI)</th><th>relative</th><th>unit</th></tr></thead>
{{range .Changes}}<tr><td>{{.Name}}</td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td class="num">{{.Unit}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
{{else}}
<h2>Headline results</h2>
<table>
<thead><tr><th>measure</th><th>mean</th><th>95% CI</th><th>unit</th></tr></thead>
{{range .Headline}}<tr><td>{{.Name}}<div class="small">{{.Description}}</div></td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td>{{.Unit}}</td></tr>
{{end}}</table>
{{end}}
{{if .Economics}}
<h2>Costs and effects</h2>
<p>{{.EconomicsIntro}}</p>
<table>
<thead><tr><th>measure</th><th>mean</th><th>95% CI</th><th>unit</th></tr></thead>
{{range .Economics}}<tr><td>{{.Name}}<div class="small">{{.Description}}</div></td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td>{{.Unit}}</td></tr>
{{end}}</table>
{{end}}
{{if .Years}}
<h2>Year by year</h2>
<p>{{.YearNote}}</p>
<table>
<thead><tr>{{range .YearHeader}}<th>{{.}}</th>{{end}}</tr></thead>
{{range .Years}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<td>{{$c.Mean}}</td>{{else}}<td class="num">{{$c.Mean}}{{if $c.CI}}<br><span class="small">{{$c.CI}}</span>{{end}}</td>{{end}}{{end}}</tr>
{{end}}</table>
{{end}}
{{if .Followups}}
<h2>Follow-ups</h2>
<p>{{.FollowupNote}}</p>
<table>
<thead><tr>{{range .FollowupHeader}}<th>{{.}}</th>{{end}}</tr></thead>
{{range .Followups}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<td>{{$c}}</td>{{else}}<td class="num">{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</table>
{{end}}
<h2>Figures</h2>
{{range .Figures}}<figure id="fig-{{.Name}}">{{.SVG}}<figcaption>{{.Title}}. The numbers drawn are in {{.CSV}}.</figcaption></figure>
{{end}}
{{if .Comparing}}
<h2>Appendix: the differences the replications can tell from none</h2>
<p>Every measure, with both scenarios' means and the difference's 95% CI, is in {{.DiffsFile}}.</p>
<table>
<thead><tr><th>measure</th><th>base → alternative</th><th>change (95% CI)</th><th>relative</th><th>unit</th></tr></thead>
{{range .Comparison}}<tr><td>{{.Name}}</td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td class="num">{{.Unit}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
<h2>Appendix: the base run</h2>
<table>
<thead><tr><th>measure</th><th>mean</th><th>95% CI</th><th>unit</th></tr></thead>
{{range .Headline}}<tr><td>{{.Name}}</td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td>{{.Unit}}</td></tr>
{{end}}</table>
{{end}}
{{with .Validation}}<h2>Validation</h2>
{{if $.ValidationScope}}<p class="warning">{{$.ValidationScope}}</p>
{{end}}
{{range .Intro}}<p class="small">{{.}}</p>
{{end}}<table class="validation">
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
{{range .Rows}}{{if eq (len .) 1}}<tr><th colspan="{{len $.Validation.Header}}">{{index . 0}}</th></tr>{{else}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}
{{end}}</table>
{{range .Notes}}{{if .}}<p class="small">{{.}}</p>
{{end}}{{end}}{{end}}
<h2>Method (STRESS-DES)</h2>
{{range .Method}}<h3>{{.Heading}}</h3>
{{range .Text}}<p>{{.}}</p>
{{end}}{{if eq (slice .Heading 0 2) "2."}}<table>
<thead><tr><th>place</th><th>kind</th><th>capacity</th><th>stay</th><th>exits → routes</th></tr></thead>
{{range $.Places}}<tr><td>{{.Name}}</td><td>{{.Kind}}</td><td class="num">{{.Capacity}}</td><td>{{.Stay}}</td><td class="small">{{.Exits}}</td></tr>
{{end}}</table>{{end}}{{if eq (slice .Heading 0 2) "3."}}<table>
<thead><tr><th>parameter</th><th>value</th><th>source</th><th>citation</th></tr></thead>
{{range $.Params}}<tr><td class="small">{{.Path}}</td><td class="small">{{.Value}}</td><td class="small">{{.Source}}</td><td class="small">{{.Citation}}</td></tr>
{{end}}</table>{{end}}
{{end}}
{{if .Others}}<h2>All metrics</h2>
<table>
<thead><tr><th>measure</th><th>mean</th><th>95% CI</th><th>unit</th></tr></thead>
{{range .Others}}<tr><td>{{.Name}}</td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td>{{.Unit}}</td></tr>
{{end}}</table>{{end}}
</body>
</html>
`))
