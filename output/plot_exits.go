package output

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ExitBar is the number of exits from a place for one reason, per year:
// the mean over replications and its 95% CI.
type ExitBar struct {
	Place, Reason   string
	Mean, Low, High float64
}

// hbars draws horizontal bars from zero at Y with whiskers from Low to
// High and the mean written at the right of each bar.
type hbars struct {
	Y, Mean, Low, High []float64
	Colors             []color.Color
	Thick              vg.Length // bar thickness
	Whisker            draw.LineStyle
	Label              text.Style
}

// labelX returns the data x where bar i's label starts.
func (h *hbars) labelX(i int) float64 {
	x := h.Mean[i]
	if finite(h.High[i]) {
		x = math.Max(x, h.High[i])
	}
	return x
}

// Plot implements plot.Plotter.
func (h *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, y := range h.Y {
		if !finite(h.Mean[i]) {
			continue
		}
		yc, x0, x1 := trY(y), trX(0), trX(h.Mean[i])
		c.FillPolygon(h.Colors[i], []vg.Point{{X: x0, Y: yc - h.Thick/2}, {X: x0, Y: yc + h.Thick/2},
			{X: x1, Y: yc + h.Thick/2}, {X: x1, Y: yc - h.Thick/2}})
		if finite(h.Low[i]) && finite(h.High[i]) {
			lo, hi, cap := trX(h.Low[i]), trX(h.High[i]), h.Thick*0.3
			c.StrokeLine2(h.Whisker, lo, yc, hi, yc)
			c.StrokeLine2(h.Whisker, lo, yc-cap, lo, yc+cap)
			c.StrokeLine2(h.Whisker, hi, yc-cap, hi, yc+cap)
		}
		fillMid(&c, h.Label, trX(h.labelX(i))+vg.Points(2), yc, flowNumber(h.Mean[i]))
	}
}

// DataRange implements plot.DataRanger.
func (h *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for i := range h.Y {
		xmax = math.Max(xmax, h.labelX(i))
	}
	return xmin, xmax, -0.5, float64(len(h.Y)) - 0.5
}

// GlyphBoxes implements plot.GlyphBoxer, so the plot leaves room for the
// value labels.
func (h *hbars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var bs []plot.GlyphBox
	for i, y := range h.Y {
		if !finite(h.Mean[i]) {
			continue
		}
		r := h.Label.Rectangle(flowNumber(h.Mean[i]))
		r.Min.X += 2 * vg.Points(1)
		r.Max.X += 2 * vg.Points(1)
		bs = append(bs, plot.GlyphBox{X: p.X.Norm(h.labelX(i)), Y: p.Y.Norm(y), Rectangle: r})
	}
	return bs
}

// reasonColors gives each exit reason found in more than one place its
// own colour, the same in every panel: completed bluish green, dropped out
// vermillion, transferred blue, died black, others the rest of the
// Okabe–Ito palette. A reason found in one place only (referred, relapses)
// has nothing to match across panels; it is grey, and its name is on the
// axis beside it. There are more reasons than a colour-blind-safe palette
// has colours, so this keeps colour for what it can do.
func reasonColors(exits []ExitBar) map[string]color.Color {
	fixed := map[string]color.Color{
		"completed":   colGreen,
		"dropped_out": colVermillion,
		"transferred": colBlue,
		"died":        okabeIto(7),
	}
	rest := []color.Color{colOrange, colSky, colPurple}
	places := map[string]map[string]bool{}
	var order []string
	for _, e := range exits {
		if places[e.Reason] == nil {
			places[e.Reason] = map[string]bool{}
			order = append(order, e.Reason)
		}
		places[e.Reason][e.Place] = true
	}
	out := map[string]color.Color{}
	k := 0
	for _, r := range order {
		switch c, ok := fixed[r]; {
		case ok:
			out[r] = c
		case len(places[r]) > 1 && k < len(rest):
			out[r] = rest[k]
			k++
		default:
			out[r] = grey(62)
		}
	}
	return out
}

// ExitsFigure draws exits per year by place and reason: one panel per
// place, a bar per reason with its 95% CI whisker and its mean written
// beside it.
//
// Places differ in size by two orders of magnitude (over 1,000 exits a
// year from community treatment, a handful of deaths from detox). Of the
// three ways to show that: shares would hide the volumes the board plans
// services with, and their CIs cannot be derived from per-reason CIs; on a
// log axis bar lengths mean nothing and small counts look large. Panels
// with their own linear axis keep lengths honest within a place, and the
// written numbers carry the comparison between places. Bars are
// horizontal so that reason names read without rotation, and each reason
// has one colour in every panel.
func ExitsFigure(exits []ExitBar) (Figure, error) {
	var places []string
	byPlace := map[string][]ExitBar{}
	var drawn []ExitBar
	for _, e := range exits {
		if !finite(e.Mean) {
			continue
		}
		if e.Mean < 0 {
			return Figure{}, fmt.Errorf("output: exits figure: %s %s is negative (%g)", e.Place, e.Reason, e.Mean)
		}
		if _, ok := byPlace[e.Place]; !ok {
			places = append(places, e.Place)
		}
		byPlace[e.Place] = append(byPlace[e.Place], e)
		drawn = append(drawn, e)
	}
	if len(places) == 0 {
		return Figure{}, fmt.Errorf("%w: exits figure needs at least one exit rate", ErrNoData)
	}
	colors := reasonColors(drawn)
	maxBars := 0
	for _, p := range places {
		maxBars = max(maxBars, len(byPlace[p]))
	}
	rows, cols := gridShape(len(places))
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	label := textStyle(annotSize)
	label.Color = grey(15)
	for k, place := range places {
		bars := byPlace[place]
		p := newPlot()
		p.Title.Text = placeTitle(place)
		n := len(bars)
		h := &hbars{Thick: 3.2 * vg.Millimeter, Label: label,
			Whisker: draw.LineStyle{Color: grey(15), Width: vg.Points(0.7)}}
		ticks := make([]plot.Tick, n)
		hi := 0.0
		for i, b := range bars {
			y := float64(n - 1 - i) // first reason at the top
			h.Y = append(h.Y, y)
			h.Mean = append(h.Mean, b.Mean)
			h.Low = append(h.Low, b.Low)
			h.High = append(h.High, b.High)
			h.Colors = append(h.Colors, colors[b.Reason])
			ticks[i] = plot.Tick{Value: y, Label: strings.ReplaceAll(b.Reason, "_", " ")}
			hi = math.Max(hi, h.labelX(i))
		}
		p.Add(h)
		// Every panel has room for maxBars bars, so bars are equally thick
		// everywhere; a panel with fewer has them centred.
		pad := float64(maxBars-n) / 2
		p.Y.Min, p.Y.Max = -0.6-pad, float64(n)-0.4+pad
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Tick.Length = 0
		p.Y.LineStyle.Color = color.Transparent
		countAxis(&p.X, hi, 3) // horizontal labels in a half-width panel: few fit
		r, c := k/cols, k%cols
		if r == rows-1 || (r == rows-2 && (r+1)*cols+c >= len(places)) {
			p.X.Label.Text = "exits per year"
		}
		grid[r][c] = p
	}
	panelH := 1.6*vg.Centimeter + vg.Length(maxBars)*0.55*vg.Centimeter
	f := Figure{
		Name:   "exits",
		Title:  "Exits per year from each place, by reason",
		Panels: grid,
		Note:   "Bars: mean over replications; whiskers: 95% CI. Each panel has its own scale.",
		Width:  FigureWidth,
	}
	f.Height = f.chromeHeight() + vg.Length(rows)*panelH
	f.CSV = func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write([]string{"place", "reason", "mean_per_year", "ci_low", "ci_high"})
		for _, place := range places {
			for _, b := range byPlace[place] {
				cw.Write([]string{b.Place, b.Reason, csvFloat(b.Mean), csvFloat(b.Low), csvFloat(b.High)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	return f, nil
}
