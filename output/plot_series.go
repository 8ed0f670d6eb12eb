package output

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// band is a confidence band: the area between Lo and Hi over X, filled
// without an outline. Points where Lo or Hi is not finite break the band.
// With Step set the band is a post-step (Kaplan–Meier) shape: each value
// holds until the next X.
type band struct {
	X, Lo, Hi []float64
	Color     color.Color
	Step      bool
}

// Plot implements plot.Plotter.
func (b *band) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, run := range finiteRuns(len(b.X), func(i int) bool { return finite(b.Lo[i]) && finite(b.Hi[i]) }) {
		var top, bot []vg.Point
		for k, i := range run {
			x, lo, hi := trX(b.X[i]), trY(b.Lo[i]), trY(b.Hi[i])
			if b.Step && k > 0 {
				top = append(top, vg.Point{X: x, Y: top[len(top)-1].Y})
				bot = append(bot, vg.Point{X: x, Y: bot[len(bot)-1].Y})
			}
			top = append(top, vg.Point{X: x, Y: hi})
			bot = append(bot, vg.Point{X: x, Y: lo})
		}
		if len(top) < 2 {
			continue
		}
		poly := top
		for i := len(bot) - 1; i >= 0; i-- {
			poly = append(poly, bot[i])
		}
		c.FillPolygon(b.Color, c.ClipPolygonXY(poly))
	}
}

// DataRange implements plot.DataRanger.
func (b *band) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i, x := range b.X {
		if !finite(b.Lo[i]) || !finite(b.Hi[i]) {
			continue
		}
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		ymin, ymax = math.Min(ymin, b.Lo[i]), math.Max(ymax, b.Hi[i])
	}
	return
}

// Thumbnail implements plot.Thumbnailer: a filled box.
func (b *band) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.Color, []vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}})
}

// finiteRuns splits 0..n-1 into runs of consecutive indices where ok holds.
func finiteRuns(n int, ok func(int) bool) [][]int {
	var runs [][]int
	var cur []int
	for i := range n {
		if ok(i) {
			cur = append(cur, i)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// meanLine adds the lines through the finite points of ys over xs to p and
// returns a line with the style, for the key.
func meanLine(p *plot.Plot, xs, ys []float64, sty draw.LineStyle, step bool) *plotter.Line {
	for _, run := range finiteRuns(len(xs), func(i int) bool { return finite(ys[i]) }) {
		pts := make(plotter.XYs, len(run))
		for k, i := range run {
			pts[k] = plotter.XY{X: xs[i], Y: ys[i]}
		}
		l := &plotter.Line{XYs: pts, LineStyle: sty}
		if step {
			l.StepStyle = plotter.PostStep
		}
		p.Add(l)
	}
	return &plotter.Line{LineStyle: sty}
}

// hline is a horizontal line across the plot at Y, for capacities.
type hline struct {
	Y     float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (h *hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.Y)
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// DataRange implements plot.DataRanger; only Y counts.
func (h *hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.Y, h.Y
}

// Thumbnail implements plot.Thumbnailer.
func (h *hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// Line styles shared by the time-series figures.
func seriesStyle(c color.Color) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(1.4)}
}

func capacityStyle() draw.LineStyle {
	return draw.LineStyle{Color: grey(15), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2.5)}}
}

// panelSeries is one place's series in a small-multiple time-series figure:
// one SeriesSummary per scenario (nil where a scenario lacks it).
type panelSeries struct {
	place  string
	series []*SeriesSummary
}

// seriesByPlace collects, for each place, the series named prefix+place of
// each scenario, in the order places first appear. Series whose means are
// all missing are left out; so are places whose series are zero throughout
// in every scenario, which are returned in zero.
func seriesByPlace(prefix string, scenarios ...[]SeriesSummary) (panels []panelSeries, zero []string) {
	idx := map[string]int{}
	var all []panelSeries
	for si, ss := range scenarios {
		for i := range ss {
			s := &ss[i]
			place, ok := strings.CutPrefix(s.Name, prefix)
			if !ok || place == "" || !hasFinite(s.Mean) {
				continue
			}
			k, seen := idx[place]
			if !seen {
				k = len(all)
				idx[place] = k
				all = append(all, panelSeries{place: place, series: make([]*SeriesSummary, len(scenarios))})
			}
			all[k].series[si] = s
		}
	}
	for _, ps := range all {
		nonzero := false
		for _, s := range ps.series {
			if s == nil {
				continue
			}
			for i, m := range s.Mean {
				if (finite(m) && m != 0) || (i < len(s.CIHigh) && finite(s.CIHigh[i]) && s.CIHigh[i] != 0) {
					nonzero = true
				}
			}
		}
		if nonzero {
			panels = append(panels, ps)
		} else {
			zero = append(zero, ps.place)
		}
	}
	return panels, zero
}

func hasFinite(xs []float64) bool {
	for _, x := range xs {
		if finite(x) {
			return true
		}
	}
	return false
}

// seriesX returns the x of each month: a month's mean is drawn at the
// month's midpoint, so month 1 is drawn at 0.5 months.
func seriesX(s *SeriesSummary) []float64 {
	xs := make([]float64, len(s.Month))
	for i, m := range s.Month {
		xs[i] = float64(m) - 0.5
	}
	return xs
}

// checkSeries reports a series whose slices differ in length.
func checkSeries(s *SeriesSummary) error {
	n := len(s.Month)
	if len(s.Mean) != n || len(s.CILow) != n || len(s.CIHigh) != n {
		return fmt.Errorf("output: series %s: %d months but %d means, %d lower and %d upper limits",
			s.Name, n, len(s.Mean), len(s.CILow), len(s.CIHigh))
	}
	return nil
}

// monthAxis sets the x axis to whole months from 0 to the last month, with
// ticks every 6, 12, 24, … months, labelled in years once the run is two
// years or more (a reader counts 10 years more easily than 120 months).
// It returns the axis's unit for its label.
func monthAxis(a *plot.Axis, months int) string {
	a.Min, a.Max = 0, float64(max(months, 1))
	step := 6.0
	for _, s := range []float64{6, 12, 24, 36, 60, 120, 240} {
		step = s
		if float64(months)/s <= 5 {
			break
		}
	}
	if months >= 24 && math.Mod(step, 12) == 0 {
		a.Tick.Marker = stepTicks{Step: step, Div: 12}
		return "years"
	}
	a.Tick.Marker = stepTicks{Step: step}
	return "months"
}

// seriesPanelH is the height of one row of time-series panels.
const seriesPanelH = 3.9 * vg.Centimeter

// seriesSpec says how to draw a small-multiple time-series figure.
type seriesSpec struct {
	name, title, ylabel, what string
	prefix                    string
	scenarios                 [][]SeriesSummary
	scenarioNames             []string
	colors                    []color.RGBA
	capacity                  map[string]float64
	// capSteps, for a comparison, are each scenario's capacity of each
	// place over the months, a step at each change: a cut shows.
	capSteps []map[string][]capStep
}

// seriesFigure draws one panel per place, each with its own y axis from
// zero: places differ by orders of magnitude, so one shared axis would
// flatten the small ones.
func seriesFigure(sp seriesSpec) (Figure, error) {
	panels, zero := seriesByPlace(sp.prefix, sp.scenarios...)
	if len(panels) == 0 {
		return Figure{}, fmt.Errorf("%w: %s figure needs series named %s<place> with data", ErrNoData, sp.name, sp.prefix)
	}
	for _, ps := range panels {
		for _, s := range ps.series {
			if s != nil {
				if err := checkSeries(s); err != nil {
					return Figure{}, err
				}
			}
		}
	}
	rows, cols := gridShape(len(panels))
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	var lines []*plotter.Line
	var bands []*band
	for si := range sp.scenarios {
		sty := seriesStyle(sp.colors[si])
		if si > 0 {
			// Dashed on top, so that where the scenarios agree both show.
			sty.Dashes = []vg.Length{vg.Points(5), vg.Points(2.5)}
		}
		lines = append(lines, &plotter.Line{LineStyle: sty})
		bands = append(bands, &band{Color: tint(sp.colors[si], bandAlpha)})
	}
	capLine := &hline{Style: capacityStyle()}
	anyCap := false
	for k, ps := range panels {
		r, c := k/cols, k%cols
		p := newPlot()
		p.Title.Text = placeTitle(ps.place)
		addHGrid(p)
		hi, months := 0.0, 0
		for si, s := range ps.series {
			if s == nil {
				continue
			}
			xs := seriesX(s)
			p.Add(&band{X: xs, Lo: s.CILow, Hi: s.CIHigh, Color: bands[si].Color})
			for i := range s.Month {
				for _, v := range []float64{s.Mean[i], s.CIHigh[i]} {
					if finite(v) {
						hi = math.Max(hi, v)
					}
				}
				months = max(months, s.Month[i])
			}
		}
		for si, s := range ps.series {
			if s != nil {
				meanLine(p, seriesX(s), s.Mean, lines[si].LineStyle, false)
			}
		}
		if v, ok := sp.capacity[ps.place]; ok && finite(v) && v > 0 {
			p.Add(&hline{Y: v, Style: capLine.Style})
			hi = math.Max(hi, v)
			anyCap = true
		}
		for si, steps := range sp.capSteps {
			st := steps[ps.place]
			if len(st) == 0 {
				continue
			}
			xs, ys := make([]float64, 0, 2*len(st)), make([]float64, 0, 2*len(st))
			for i, c := range st {
				end := float64(max(months, 1))
				if i+1 < len(st) {
					end = st[i+1].month
				}
				xs, ys = append(xs, c.month, end), append(ys, c.capacity, c.capacity)
				hi = math.Max(hi, c.capacity)
			}
			sty := capacityStyle()
			sty.Color = sp.colors[si]
			meanLine(p, xs, ys, sty, false)
			anyCap = true
		}
		countAxis(&p.Y, hi, 4)
		unit := monthAxis(&p.X, months)
		if c == 0 {
			p.Y.Label.Text = sp.ylabel
		}
		// Only the lowest panel of each column names the x axis.
		if r == rows-1 || (r == rows-2 && (r+1)*cols+c >= len(panels)) {
			p.X.Label.Text = unit + " after warm-up"
		}
		grid[r][c] = p
	}

	var key []KeyEntry
	if len(sp.scenarios) == 1 {
		key = append(key, KeyEntry{Label: "mean over replications", Thumbs: []plot.Thumbnailer{lines[0]}},
			KeyEntry{Label: "95% CI", Thumbs: []plot.Thumbnailer{bands[0]}})
	} else {
		for si, name := range sp.scenarioNames {
			key = append(key, KeyEntry{Label: name, Thumbs: []plot.Thumbnailer{bands[si], lines[si]}})
		}
	}
	if anyCap {
		label := "capacity"
		if len(sp.capSteps) > 0 {
			label = "capacity, in each one's colour"
		}
		key = append(key, KeyEntry{Label: label, Thumbs: []plot.Thumbnailer{capLine}})
	}
	f := Figure{
		Name:   sp.name,
		Title:  sp.title,
		Panels: grid,
		Key:    key,
		Width:  FigureWidth,
	}
	var notes []string
	if len(sp.scenarios) > 1 {
		notes = append(notes, "Shaded: 95% CI.")
	}
	if len(zero) > 0 {
		names := make([]string, len(zero))
		for i, z := range zero {
			names[i] = strings.ReplaceAll(z, "_", " ")
		}
		notes = append(notes, "Zero throughout, not shown: "+strings.Join(names, ", ")+".")
	}
	if sp.what != "" {
		notes = append(notes, sp.what)
	}
	f.Note = strings.Join(notes, " ")
	f.Height = f.chromeHeight() + vg.Length(rows)*seriesPanelH
	f.CSV = func(w io.Writer) error {
		cw := newCSVWriter(w)
		head := []string{"place", "month", "mean", "ci_low", "ci_high"}
		if len(sp.scenarios) > 1 {
			head = append([]string{"scenario"}, head...)
		}
		if sp.capacity != nil {
			head = append(head, "capacity")
		}
		cw.Write(head)
		for si := range sp.scenarios {
			for _, ps := range panels {
				s := ps.series[si]
				if s == nil {
					continue
				}
				capStr := ""
				if v, ok := sp.capacity[ps.place]; ok && finite(v) && v > 0 {
					capStr = csvFloat(v)
				}
				for i, mo := range s.Month {
					row := []string{ps.place, strconv.Itoa(mo), csvFloat(s.Mean[i]), csvFloat(s.CILow[i]), csvFloat(s.CIHigh[i])}
					if len(sp.scenarios) > 1 {
						row = append([]string{sp.scenarioNames[si]}, row...)
					}
					if sp.capacity != nil {
						row = append(row, capStr)
					}
					cw.Write(row)
				}
			}
		}
		cw.Flush()
		return cw.Error()
	}
	return f, nil
}

// OccupancyFigure draws occupancy over time by place, from the series named
// "occupancy.<place>" (others are skipped): one panel per place with its
// own y axis from zero, the monthly mean over replications with its 95% CI
// band, and the capacity as a dashed line where capacity gives one. A
// month's mean is drawn at the middle of the month. Places that are zero
// throughout are named in a note instead of drawn.
func OccupancyFigure(series []SeriesSummary, capacity map[string]float64) (Figure, error) {
	if capacity == nil {
		capacity = map[string]float64{}
	}
	return seriesFigure(seriesSpec{
		name: "occupancy", title: "Clients in each place, by month", ylabel: "clients",
		prefix: "occupancy.", scenarios: [][]SeriesSummary{series}, colors: []color.RGBA{colBlue},
		capacity: capacity,
	})
}

// WaitingListFigure draws the waiting lists over time, from the series named
// "queue.<place>", in the style of OccupancyFigure.
func WaitingListFigure(series []SeriesSummary) (Figure, error) {
	return seriesFigure(seriesSpec{
		name: "waiting", title: "Clients on each waiting list, by month", ylabel: "clients waiting",
		prefix: "queue.", scenarios: [][]SeriesSummary{series}, colors: []color.RGBA{colBlue},
	})
}

// A capStep is a capacity from a month on.
type capStep struct{ month, capacity float64 }

// capacitySteps are the capacities of the scenario's places with a
// capacity, each a step at each change, in months after warm-up.
func capacitySteps(l *result.Layout) map[string][]capStep {
	out := map[string][]capStep{}
	for _, name := range l.Places {
		ps := l.Scenario.Places[name]
		if ps == nil || ps.Kind != scenario.KindCapacity {
			continue
		}
		plan, err := l.Scenario.PlanCapacity(name)
		if err != nil || plan == nil || plan.Initial < 0 {
			continue
		}
		st := []capStep{{0, float64(plan.Initial)}}
		for _, c := range plan.Changes {
			st = append(st, capStep{c.At / (scenario.DaysPerYear / 12), float64(c.Capacity)})
		}
		out[name] = st
	}
	return out
}

// OccupancyComparisonFigure draws the occupancy of two scenarios over time,
// overlaid in one panel per place: the base solid blue, the alternative
// dashed vermillion on top (so both show where they agree), each with its
// 95% CI band. The CSV has a scenario column
// holding baseName or altName.
func OccupancyComparisonFigure(base, alt []SeriesSummary, baseName, altName string, caps ...map[string][]capStep) (Figure, error) {
	if baseName == "" {
		baseName = "base"
	}
	if altName == "" {
		altName = "alternative"
	}
	if baseName == altName {
		altName += " (alternative)"
	}
	return seriesFigure(seriesSpec{
		name: "occupancy-comparison", title: "Clients in each place, by month: " + altName + " against " + baseName,
		ylabel: "clients", prefix: "occupancy.",
		scenarios: [][]SeriesSummary{base, alt}, scenarioNames: []string{baseName, altName},
		colors: []color.RGBA{colBlue, colVermillion}, capSteps: caps,
	})
}
