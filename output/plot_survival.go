package output

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// SurvivalCurve is the share of a service's admissions still in treatment
// by days since admission, a Kaplan–Meier-style step function: S[i] holds
// from Days[i] until Days[i+1]. Low and High are its 95% confidence limits
// (NaN where unknown).
type SurvivalCurve struct {
	Place        string
	Days         []float64
	S, Low, High []float64
}

// SurvivalFigure draws time in treatment as step curves with 95% CI bands,
// one panel per service.
func SurvivalFigure(curves []SurvivalCurve) (Figure, error) {
	var use []SurvivalCurve
	for _, c := range curves {
		n := len(c.Days)
		if len(c.S) != n || len(c.Low) != n || len(c.High) != n {
			return Figure{}, fmt.Errorf("output: survival curve %s: %d days but %d shares, %d lower and %d upper limits",
				c.Place, n, len(c.S), len(c.Low), len(c.High))
		}
		for i := 1; i < n; i++ {
			if !(c.Days[i] >= c.Days[i-1]) {
				return Figure{}, fmt.Errorf("output: survival curve %s: days not increasing at %d", c.Place, i)
			}
		}
		if hasFinite(c.S) {
			use = append(use, c)
		}
	}
	if len(use) == 0 {
		return Figure{}, fmt.Errorf("%w: survival figure needs at least one curve with data", ErrNoData)
	}
	// One panel per service, a row each, over its own span of days: a detox
	// stay of two weeks and a community stay of years cannot share an axis.
	grid := make([][]*plot.Plot, len(use))
	col := okabeIto(0)
	line := &plotter.Line{LineStyle: seriesStyle(col)}
	ci := &band{Color: tint(col, bandAlpha)}
	for k, c := range use {
		p := newPlot()
		p.Title.Text = placeTitle(c.Place)
		addHGrid(p)
		maxDay := 0.0
		for _, d := range c.Days {
			if finite(d) {
				maxDay = math.Max(maxDay, d)
			}
		}
		p.Add(&band{X: c.Days, Lo: c.Low, Hi: c.High, Color: ci.Color, Step: true})
		meanLine(p, c.Days, c.S, line.LineStyle, true)
		p.Y.Min, p.Y.Max = 0, 1
		p.Y.Tick.Marker = stepTicks{Step: 0.5, Div: 0.01, Suffix: "%"}
		p.Y.Label.Text = "in treatment"
		p.X.Min, p.X.Max = 0, math.Max(maxDay, 1)
		p.X.Tick.Marker = stepTicks{Step: dayStep(maxDay)}
		if k == len(use)-1 {
			p.X.Label.Text = "days since admission"
		}
		grid[k] = []*plot.Plot{p}
	}
	key := []KeyEntry{
		{Label: "mean over replications", Thumbs: []plot.Thumbnailer{line}},
		{Label: "95% CI", Thumbs: []plot.Thumbnailer{ci}},
	}
	f := Figure{
		Name:   "survival",
		Title:  "Time in treatment, by service",
		Panels: grid,
		Key:    key,
		Width:  FigureWidth,
		Note:   "Share of admissions still in treatment; each service over its own span of days.",
	}
	f.Height = f.chromeHeight() + vg.Length(len(use))*seriesPanelH
	f.CSV = func(w io.Writer) error {
		cw := newCSVWriter(w)
		cw.Write([]string{"place", "day", "still_in_treatment", "ci_low", "ci_high"})
		for _, c := range use {
			for i, d := range c.Days {
				cw.Write([]string{c.Place, csvFloat(d), csvFloat(c.S[i]), csvFloat(c.Low[i]), csvFloat(c.High[i])})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	return f, nil
}

// dayStep returns a round tick step in days: a week, a fortnight, or 30,
// 60, 90, 180, 360 or 720 days.
func dayStep(maxDay float64) float64 {
	for _, s := range []float64{7, 14, 30, 60, 90, 180, 360, 720} {
		if maxDay/s <= 6 {
			return s
		}
	}
	return niceStep(maxDay, 5)
}
