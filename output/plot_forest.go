package output

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// forestRow is one metric of a forest plot, in percent.
type forestRow struct {
	d                Difference
	label            string
	rel, low, high   float64
	significant      bool
	hasCI            bool
	y                float64
	text             string // the value written at the right
	textX            float64
	textCol, mainCol color.Color
}

// forestRows is the plotter of a forest plot: a point and a CI whisker per
// row, emphasised when the CI excludes zero, and the change written at
// the right.
type forestRows struct {
	rows  []forestRow
	label text.Style
	textW vg.Length // width of the widest value, which are right-aligned
}

// Plot implements plot.Plotter.
func (f *forestRows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, r := range f.rows {
		y := trY(r.y)
		w := vg.Points(0.9)
		if r.significant {
			w = vg.Points(1.6)
		}
		if r.hasCI {
			cap := vg.Points(2.5)
			sty := draw.LineStyle{Color: r.mainCol, Width: w}
			lo, hi := trX(r.low), trX(r.high)
			c.StrokeLine2(sty, lo, y, hi, y)
			c.StrokeLine2(sty, lo, y-cap, lo, y+cap)
			c.StrokeLine2(sty, hi, y-cap, hi, y+cap)
		}
		g := draw.GlyphStyle{Color: r.mainCol, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		if !r.significant {
			// An open circle: filled white, then outlined.
			c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: g.Radius, Shape: draw.CircleGlyph{}}, vg.Point{X: trX(r.rel), Y: y})
			g.Shape = draw.RingGlyph{}
		}
		c.DrawGlyph(g, vg.Point{X: trX(r.rel), Y: y})
		sty := f.label
		sty.Color = r.textCol
		sty.XAlign = draw.XRight
		fillMid(&c, sty, trX(r.textX)+vg.Points(6)+f.textW, y, r.text)
	}
}

// DataRange implements plot.DataRanger.
func (f *forestRows) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for _, r := range f.rows {
		xmin = math.Min(xmin, math.Min(r.rel, r.low))
		xmax = math.Max(xmax, math.Max(r.rel, r.high))
	}
	return xmin, xmax, -0.5, float64(len(f.rows)) - 0.5
}

// GlyphBoxes implements plot.GlyphBoxer: room for the written values.
func (f *forestRows) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var bs []plot.GlyphBox
	for _, r := range f.rows {
		rect := f.label.Rectangle(r.text)
		rect.Min.X += vg.Points(6)
		rect.Max.X = rect.Min.X + f.textW
		bs = append(bs, plot.GlyphBox{X: p.X.Norm(r.textX), Y: p.Y.Norm(r.y), Rectangle: rect})
		bs = append(bs, plot.GlyphBox{X: p.X.Norm(r.rel), Y: p.Y.Norm(r.y),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -vg.Points(4), Y: -vg.Points(4)}, Max: vg.Point{X: vg.Points(4), Y: vg.Points(4)}}})
	}
	return bs
}

// vline is a vertical line at X across the plot.
type vline struct {
	X     float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (v *vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.X)
	c.StrokeLine2(v.Style, x, c.Min.Y, x, c.Max.Y)
}

// forestLabel is a metric's label for a row.
func forestLabel(name string) string {
	return (*result.Layout)(nil).Label(name)
}

// pct formats a relative change in percent with its sign.
func pct(x float64) string {
	a := math.Abs(x)
	prec := 1
	if a >= 100 {
		prec = 0
	} else if a < 0.95 {
		prec = 2
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if x > 0 {
		s = "+" + s
	}
	if strings.Trim(s, "+-0.") == "" {
		s = strings.TrimLeft(s, "+-")
	}
	return minus(s) + "%"
}

// ForestFigure draws a forest plot of the relative change of each metric
// between two scenarios: the mean paired difference over the base mean, in
// percent, with its 95% CI (the CI of the difference over |base mean|), a
// line at no change, and the metrics whose CI excludes zero emphasised
// (a filled blue point and thicker whisker, the value in black). Only metrics with a finite relative change
// are drawn. If names is not empty it selects the metrics and their order
// (e.g. the headline metrics); otherwise every metric is drawn in ds's order.
func ForestFigure(title string, ds []Difference, names []string) (Figure, error) {
	var pick []Difference
	if len(names) > 0 {
		byName := map[string]Difference{}
		for _, d := range ds {
			byName[d.Name] = d
		}
		for _, n := range names {
			if d, ok := byName[n]; ok {
				pick = append(pick, d)
			}
		}
	} else {
		pick = ds
	}
	var rows []forestRow
	for _, d := range pick {
		if !finite(d.Rel) || !finite(d.Base.Mean) || d.Base.Mean == 0 {
			continue
		}
		scale := 100 / math.Abs(d.Base.Mean)
		r := forestRow{d: d, label: forestLabel(d.Name), rel: 100 * d.Rel, low: math.NaN(), high: math.NaN(),
			significant: d.Significant(), textCol: grey(35), mainCol: grey(55)}
		if finite(d.Diff.CILow) && finite(d.Diff.CIHigh) {
			r.low, r.high, r.hasCI = d.Diff.CILow*scale, d.Diff.CIHigh*scale, true
		}
		if r.significant {
			r.textCol, r.mainCol = color.Black, colBlue
		}
		r.text = pct(r.rel)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return Figure{}, fmt.Errorf("%w: forest figure needs metrics with a finite relative change", ErrNoData)
	}
	// Values are written in a column at the right of the widest whisker.
	right := 0.0
	for _, r := range rows {
		right = math.Max(right, math.Max(r.rel, r.high))
	}
	ticks := make([]plot.Tick, len(rows))
	for i := range rows {
		rows[i].y = float64(len(rows) - 1 - i)
		rows[i].textX = right
		ticks[i] = plot.Tick{Value: rows[i].y, Label: rows[i].label}
	}
	p := newPlot()
	label := textStyle(annotSize)
	fr := &forestRows{rows: rows, label: label}
	for _, r := range rows {
		fr.textW = max(fr.textW, label.Width(r.text))
	}
	addVGrid(p)
	p.Add(&vline{X: 0, Style: draw.LineStyle{Color: grey(30), Width: vg.Points(0.8)}})
	p.Add(fr)
	lo, hi, _, _ := fr.DataRange()
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	step := niceStep(hi-lo, 4)
	p.X.Min, p.X.Max = math.Floor(lo/step-1e-9)*step, math.Ceil(hi/step+1e-9)*step
	if p.X.Min == p.X.Max {
		p.X.Min, p.X.Max = -step, step
	}
	p.X.Tick.Marker = stepTicks{Step: step, Suffix: "%", Sign: true}
	p.X.Label.Text = "change from base (%)"
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Color = color.Transparent
	p.Y.Tick.Label.Font = sans(tickSize)
	p.X.Padding = 0

	sig := &forestKey{col: colBlue, filled: true}
	ns := &forestKey{col: grey(55)}
	f := Figure{
		Name:  "forest",
		Title: title,
		Plot:  p,
		Key: []KeyEntry{
			{Label: "95% CI excludes no change", Thumbs: []plot.Thumbnailer{sig}},
			{Label: "does not", Thumbs: []plot.Thumbnailer{ns}},
		},
		Note:  "Mean paired difference over the base mean, with its 95% CI; common random numbers.",
		Width: FigureWidth,
	}
	f.Height = f.chromeHeight() + 1.2*vg.Centimeter + vg.Length(len(rows))*0.62*vg.Centimeter
	f.CSV = func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write([]string{"metric", "label", "change_pct", "ci_low_pct", "ci_high_pct", "significant", "base_mean", "alt_mean", "unit"})
		for _, r := range rows {
			cw.Write([]string{r.d.Name, r.label, csvFloat(r.rel), csvFloat(r.low), csvFloat(r.high),
				strconv.FormatBool(r.significant), csvFloat(r.d.Base.Mean), csvFloat(r.d.Alt.Mean), r.d.Unit})
		}
		cw.Flush()
		return cw.Error()
	}
	return f, nil
}

// forestKey is the key thumbnail of a forest row: a whisker with a point.
type forestKey struct {
	col    color.Color
	filled bool
}

// Thumbnail implements plot.Thumbnailer.
func (k *forestKey) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	w := vg.Points(0.9)
	if k.filled {
		w = vg.Points(1.6)
	}
	c.StrokeLine2(draw.LineStyle{Color: k.col, Width: w}, c.Min.X, y, c.Max.X, y)
	g := draw.GlyphStyle{Color: k.col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	if !k.filled {
		c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: g.Radius, Shape: draw.CircleGlyph{}}, c.Center())
		g.Shape = draw.RingGlyph{}
	}
	c.DrawGlyph(g, c.Center())
}

// addVGrid adds light vertical grid lines at the x ticks.
func addVGrid(p *plot.Plot) {
	g := plotter.NewGrid()
	g.Horizontal.Color = nil
	g.Vertical.Color = grey(88)
	g.Vertical.Width = vg.Points(0.5)
	p.Add(g)
}
