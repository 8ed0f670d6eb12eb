package output

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/journeysim/journeysim/models/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepCostEffect pairs two PSA sweeps point by point: the same draws of
// the same parameters (the same --psa N and seed on scenarios that share
// their uncertain parameters), so point i of one differs from point i of
// the other only by the scenario, on common random numbers.
func SweepCostEffect(baseDir, altDir string) ([]sweep.CEPoint, error) {
	bp, bx, err := ReadSweepPoints(filepath.Join(baseDir, sweepPoints))
	if err != nil {
		return nil, err
	}
	ap, ax, err := ReadSweepPoints(filepath.Join(altDir, sweepPoints))
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(bp) != fmt.Sprint(ap) || len(bx) != len(ax) {
		return nil, fmt.Errorf("cea: %s and %s did not sweep the same parameters at the same number of points: run both as sweep --psa N with one seed", baseDir, altDir)
	}
	for i := range bx {
		for j := range bx[i] {
			if b, a := bx[i][j], ax[i][j]; b != a && !(math.IsNaN(a) && math.IsNaN(b)) {
				return nil, fmt.Errorf("cea: point %d draws %s = %v in %s but %v in %s: run both sweeps with one seed", i, bp[j], b, baseDir, a, altDir)
			}
		}
	}
	metrics := []string{"cost.total_pv", "qalys_pv"}
	bm, err := ReadSweepMeans(filepath.Join(baseDir, sweepResults), metrics, len(bx))
	if err != nil {
		return nil, err
	}
	am, err := ReadSweepMeans(filepath.Join(altDir, sweepResults), metrics, len(ax))
	if err != nil {
		return nil, err
	}
	out := make([]sweep.CEPoint, len(bx))
	for i := range out {
		out[i] = sweep.CEPoint{Point: i, Cost: am[0][i] - bm[0][i], QALYs: am[1][i] - bm[1][i]}
	}
	return out, nil
}

// SweepInfo returns a sweep's scenario and the currency and price year
// of its costs, from its manifest; the directory's name and "" when it
// cannot tell.
func SweepInfo(dir string) (scenario, money string) {
	scenario = filepath.Base(dir)
	data, err := os.ReadFile(filepath.Join(dir, sweepManifest))
	if err != nil {
		return scenario, ""
	}
	var man SweepManifest
	if json.Unmarshal(data, &man) != nil {
		return scenario, ""
	}
	return man.Scenario, man.Money
}

// CEFigures draws the cost-effectiveness plane (one dot a PSA draw, with
// lines at each willingness to pay in marks) and the acceptability curve,
// acc at each of wtps (sweep.Acceptability).
func CEFigures(ps []sweep.CEPoint, wtps, acc []float64, money, altName, baseName string, marks []float64) ([]Figure, error) {
	if money == "" {
		money = "money"
	}
	plane := newPlot()
	addHGrid(plane)
	xys := make(plotter.XYs, len(ps))
	var mx, my float64
	xmin, xmax, ymin, ymax := 0.0, 0.0, 0.0, 0.0
	for i, p := range ps {
		xys[i] = plotter.XY{X: p.QALYs, Y: p.Cost / 1000}
		mx, my = mx+p.QALYs/float64(len(ps)), my+p.Cost/1000/float64(len(ps))
		xmin, xmax = math.Min(xmin, p.QALYs), math.Max(xmax, p.QALYs)
		ymin, ymax = math.Min(ymin, p.Cost/1000), math.Max(ymax, p.Cost/1000)
	}
	padX, padY := 0.08*(xmax-xmin)+1e-9, 0.08*(ymax-ymin)+1e-9
	xmin, xmax, ymin, ymax = xmin-padX, xmax+padX, ymin-padY, ymax+padY
	axes := []*plotter.Line{
		{XYs: plotter.XYs{{X: xmin, Y: 0}, {X: xmax, Y: 0}}, LineStyle: draw.LineStyle{Color: grey(40), Width: vg.Points(0.6)}},
		{XYs: plotter.XYs{{X: 0, Y: ymin}, {X: 0, Y: ymax}}, LineStyle: draw.LineStyle{Color: grey(40), Width: vg.Points(0.6)}},
	}
	for _, a := range axes {
		plane.Add(a)
	}
	var key []KeyEntry
	for i, w := range marks {
		l := &plotter.Line{XYs: plotter.XYs{{X: xmin, Y: w * xmin / 1000}, {X: xmax, Y: w * xmax / 1000}},
			LineStyle: draw.LineStyle{Color: grey(30 + 25*i), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}}
		plane.Add(l)
		key = append(key, KeyEntry{Label: fmt.Sprintf("%s per QALY", thousands(w)), Thumbs: []plot.Thumbnailer{l}})
	}
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: tint(colBlue, 0.6), Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
	plane.Add(sc)
	mean, err := plotter.NewScatter(plotter.XYs{{X: mx, Y: my}})
	if err != nil {
		return nil, err
	}
	mean.GlyphStyle = draw.GlyphStyle{Color: colVermillion, Radius: vg.Points(3.5), Shape: draw.CrossGlyph{}}
	plane.Add(mean)
	key = append([]KeyEntry{{Label: "one PSA draw", Thumbs: []plot.Thumbnailer{sc}}, {Label: "mean", Thumbs: []plot.Thumbnailer{mean}}}, key...)
	plane.X.Min, plane.X.Max, plane.Y.Min, plane.Y.Max = xmin, xmax, ymin, ymax
	plane.X.Tick.Marker = stepTicks{Step: niceStep(xmax-xmin, 5)}
	plane.Y.Tick.Marker = stepTicks{Step: niceStep(ymax-ymin, 5)}
	plane.X.Label.Text = "incremental QALYs (discounted)"
	plane.Y.Label.Text = "incremental cost (" + money + ", 000s)"
	fp := Figure{Name: "ce-plane", Title: fmt.Sprintf("Cost-effectiveness plane: %s against %s", altName, baseName), Plot: plane, Key: key,
		Note:  fmt.Sprintf("%d draws of the parameters' uncertainty, each on common random numbers; above a line costs more per QALY than it", len(ps)),
		Width: FigureWidth, Height: 11 * vg.Centimeter}
	fp.CSV = func(w io.Writer) error { return WriteCEPlaneCSV(w, ps) }

	curve := newPlot()
	addHGrid(curve)
	pts := make(plotter.XYs, len(wtps))
	for i := range wtps {
		pts[i] = plotter.XY{X: wtps[i] / 1000, Y: acc[i]}
	}
	line := &plotter.Line{XYs: pts, LineStyle: draw.LineStyle{Color: colBlue, Width: vg.Points(1.5)}}
	curve.Add(line)
	for i, w := range marks {
		curve.Add(&plotter.Line{XYs: plotter.XYs{{X: w / 1000, Y: 0}, {X: w / 1000, Y: 1}},
			LineStyle: draw.LineStyle{Color: grey(30 + 25*i), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}})
	}
	curve.X.Min, curve.X.Max, curve.Y.Min, curve.Y.Max = 0, 50, 0, 1
	curve.X.Tick.Marker = stepTicks{Step: 10}
	curve.Y.Tick.Marker = stepTicks{Step: 0.2}
	curve.X.Label.Text = "willingness to pay (" + money + " per QALY, thousands)"
	curve.Y.Label.Text = "probability cost-effective"
	fc := Figure{Name: "ceac", Title: fmt.Sprintf("Cost-effectiveness acceptability: %s against %s", altName, baseName), Plot: curve,
		Key:   []KeyEntry{{Label: "share of PSA draws with positive net monetary benefit", Thumbs: []plot.Thumbnailer{line}}},
		Note:  fmt.Sprintf("%d PSA draws; dashed lines at the scenario's willingness to pay", len(ps)),
		Width: FigureWidth, Height: 8 * vg.Centimeter}
	fc.CSV = func(w io.Writer) error { return WriteCEACCSV(w, wtps, acc) }
	return []Figure{fp, fc}, nil
}

func thousands(x float64) string {
	s := strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// WriteCEPlaneCSV writes one row per PSA draw.
func WriteCEPlaneCSV(w io.Writer, ps []sweep.CEPoint) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"point", "incremental_cost", "incremental_qalys"})
	for _, p := range ps {
		cw.Write([]string{strconv.Itoa(p.Point), csvFloat(p.Cost), csvFloat(p.QALYs)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteCEACCSV writes the acceptability curve.
func WriteCEACCSV(w io.Writer, wtps, acc []float64) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"willingness_to_pay", "probability_cost_effective"})
	for i := range wtps {
		cw.Write([]string{csvFloat(wtps[i]), csvFloat(acc[i])})
	}
	cw.Flush()
	return cw.Error()
}
