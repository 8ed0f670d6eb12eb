package output

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
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

// SurvivalFigure draws time in treatment as step curves by service, one
// colour per service, with 95% CI bands, on one axis: shares are
// comparable across services of any size.
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
	p := newPlot()
	addHGrid(p)
	var key []KeyEntry
	maxDay := 0.0
	for i, c := range use {
		col := okabeIto(i)
		p.Add(&band{X: c.Days, Lo: c.Low, Hi: c.High, Color: tint(col, 0.2), Step: true})
		for _, d := range c.Days {
			if finite(d) {
				maxDay = math.Max(maxDay, d)
			}
		}
	}
	for i, c := range use {
		l := meanLine(p, c.Days, c.S, seriesStyle(okabeIto(i)), true)
		key = append(key, KeyEntry{Label: placeTitle(c.Place), Thumbs: []plot.Thumbnailer{&band{Color: tint(okabeIto(i), 0.2)}, l}})
	}
	key = append(key, KeyEntry{Label: "95% CI", Thumbs: []plot.Thumbnailer{&band{Color: tint(grey(40), 0.25)}}})
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = stepTicks{Step: 0.25}
	p.Y.Label.Text = "still in treatment (share)"
	p.X.Min, p.X.Max = 0, math.Max(maxDay, 1)
	p.X.Tick.Marker = stepTicks{Step: dayStep(maxDay)}
	p.X.Label.Text = "days since admission"
	f := Figure{
		Name:  "survival",
		Title: "Time in treatment, by service",
		Plot:  p,
		Key:   key,
		Width: FigureWidth,
	}
	f.Height = f.chromeHeight() + 7*vg.Centimeter
	f.CSV = func(w io.Writer) error {
		cw := csv.NewWriter(w)
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
