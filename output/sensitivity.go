package output

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/journeysim/journeysim/models/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ReadSweepPoints reads a merged sweep's points.csv: its parameters and
// each point's values, NaN where a value is not a number.
func ReadSweepPoints(path string) (params []string, xs [][]float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("sensitivity: %w (run journeysim merge first?)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 || len(rows[0]) < 2 {
		return nil, nil, fmt.Errorf("sensitivity: %s: not a sweep's points.csv", path)
	}
	// point, the parameters, then the point's seed and command.
	params = rows[0][1:]
	if i := slices.Index(params, "seed"); i >= 0 {
		params = params[:i]
	}
	for i, row := range rows[1:] {
		if id, err := strconv.Atoi(row[0]); err != nil || id != i {
			return nil, nil, fmt.Errorf("sensitivity: %s: row %d is point %q, want %d", path, i+2, row[0], i)
		}
		x := make([]float64, len(params))
		for j := range params {
			if x[j], err = strconv.ParseFloat(row[1+j], 64); err != nil {
				x[j] = math.NaN()
			}
		}
		xs = append(xs, x)
	}
	return params, xs, nil
}

// ReadSweepMeans streams a merged sweep's results.csv (a row a point and
// replication, a column a metric) and returns, for each metric, its mean
// over each point's replications.
func ReadSweepMeans(path string, metrics []string, points int) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sensitivity: %w (run journeysim merge first?)", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil || len(head) < 3 || head[0] != "point" || head[1] != "replication" {
		return nil, fmt.Errorf("sensitivity: %s: not a sweep's results.csv", path)
	}
	col := make([]int, len(metrics))
	for i, m := range metrics {
		if col[i] = slices.Index(head, m); col[i] < 2 {
			return nil, fmt.Errorf("sensitivity: no metric %q in %s", m, path)
		}
	}
	sum := make([][]float64, len(metrics))
	cnt := make([][]int, len(metrics))
	for i := range metrics {
		sum[i], cnt[i] = make([]float64, points), make([]int, points)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sensitivity: %s: %w", path, err)
		}
		p, err := strconv.Atoi(rec[0])
		if err != nil || p < 0 || p >= points {
			return nil, fmt.Errorf("sensitivity: %s: a bad row for point %q", path, rec[0])
		}
		for i, c := range col {
			v, err := strconv.ParseFloat(rec[c], 64)
			if err != nil && rec[c] != "" {
				return nil, fmt.Errorf("sensitivity: %s: point %d: %s = %q", path, p, metrics[i], rec[c])
			}
			if err == nil && !math.IsNaN(v) {
				sum[i][p] += v
				cnt[i][p]++
			}
		}
	}
	for i := range metrics {
		for p := range sum[i] {
			sum[i][p] /= float64(cnt[i][p]) // NaN with no data
		}
	}
	return sum, nil
}

// SensitivityFigures draws, for metric, the partial rank correlation of
// each parameter (bars, strongest at the top) and a tornado of the binned
// one-way swings.
func SensitivityFigures(metric string, ss []sweep.Sensitivity) ([]Figure, error) {
	var rows []sweep.Sensitivity
	for _, s := range ss {
		if s.Metric == metric {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no sensitivity of %s", ErrNoData, metric)
	}
	name := forestLabel(metric)
	var figs []Figure
	oneWay := !math.IsNaN(rows[0].Base) // a one-way design has no PRCC
	if !oneWay {
		byPRCC := slices.Clone(rows)
		slices.SortStableFunc(byPRCC, func(a, b sweep.Sensitivity) int { return cmpAbs(b.PRCC, a.PRCC) })
		prcc, err := barFigure("prcc-"+metric, "Partial rank correlation with "+name, "partial rank correlation coefficient",
			byPRCC, func(s sweep.Sensitivity) (float64, float64) { return 0, s.PRCC }, true, -1, 1,
			"Each parameter's ranks against the metric's, the other parameters' ranks regressed out; * p < 0.05.")
		if err != nil {
			return nil, err
		}
		figs = append(figs, prcc)
	}
	bySwing := slices.Clone(rows)
	slices.SortStableFunc(bySwing, func(a, b sweep.Sensitivity) int { return cmpAbs(b.Swing(), a.Swing()) })
	xlabel, note := name+": lowest fifth to highest fifth of the parameter",
		"Bars run from the metric's mean over the sweep points where the parameter is in its lowest fifth to the mean where it is in its highest."
	if oneWay {
		xlabel, note = name+": parameter at the low to the high end of its range",
			"Each bar: the parameter alone at the low and at the high end of its range, the others as in the scenario; the line is the scenario as it is."
	}
	tornado, err := barFigure("tornado-"+metric, "One-way sensitivity of "+name, xlabel,
		bySwing, func(s sweep.Sensitivity) (float64, float64) { return s.LowMean, s.HighMean }, false, math.NaN(), math.NaN(), note)
	if err != nil {
		return nil, err
	}
	if oneWay {
		tornado.Plot.Add(&vline{X: rows[0].Base, Style: draw.LineStyle{Color: grey(30), Width: vg.Points(0.8)}})
	}
	return append(figs, tornado), nil
}

func cmpAbs(a, b float64) int { return cmp.Compare(math.Abs(a), math.Abs(b)) }

// barFigure draws one horizontal bar a row, from span's first value to its
// second, rows top to bottom in the order given, a star by the parameters
// with p < 0.05 if star; the x axis runs from lo to hi, or fits the bars when
// they are NaN.
func barFigure(name, title, xlabel string, rows []sweep.Sensitivity, span func(sweep.Sensitivity) (float64, float64), star bool, lo, hi float64, note string) (Figure, error) {
	p := newPlot()
	addVGrid(p)
	ticks := make([]plot.Tick, len(rows))
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for i, s := range rows {
		a, b := span(s)
		y := float64(len(rows) - 1 - i)
		label := s.Param
		if star && !math.IsNaN(s.P) && s.P < 0.05 {
			label += " *"
		}
		ticks[i] = plot.Tick{Value: y, Label: label}
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		poly, err := plotter.NewPolygon(plotter.XYs{{X: a, Y: y - 0.32}, {X: b, Y: y - 0.32}, {X: b, Y: y + 0.32}, {X: a, Y: y + 0.32}})
		if err != nil {
			return Figure{}, err
		}
		poly.Color = colBlue
		if b < a {
			poly.Color = colVermillion
		}
		poly.LineStyle.Width = 0
		p.Add(poly)
		xmin, xmax = math.Min(xmin, math.Min(a, b)), math.Max(xmax, math.Max(a, b))
	}
	if math.IsNaN(lo) {
		pad := 0.05 * (xmax - xmin)
		if pad == 0 {
			pad = math.Max(math.Abs(xmax)*0.05, 1e-9)
		}
		lo, hi = xmin-pad, xmax+pad
	}
	p.X.Min, p.X.Max = lo, hi
	p.X.Tick.Marker = stepTicks{Step: niceStep(hi-lo, 4)}
	p.X.Label.Text = xlabel
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Tick.Label.Font = sans(tickSize)
	f := Figure{Name: name, Title: title, Plot: p, Note: note, Width: FigureWidth,
		Key: []KeyEntry{{Label: "rises with the parameter", Thumbs: []plot.Thumbnailer{&band{Color: colBlue}}},
			{Label: "falls", Thumbs: []plot.Thumbnailer{&band{Color: colVermillion}}}}}
	f.Height = f.chromeHeight() + 1.2*vg.Centimeter + vg.Length(len(rows))*0.62*vg.Centimeter
	f.CSV = func(w io.Writer) error { return WriteSensitivityCSV(w, rows) }
	return f, nil
}

// WriteSensitivityCSV writes one row per metric and parameter.
func WriteSensitivityCSV(w io.Writer, ss []sweep.Sensitivity) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"metric", "parameter", "prcc", "p_value", "low", "high", "swing", "base"})
	for _, s := range ss {
		cw.Write([]string{s.Metric, s.Param, csvFloat(s.PRCC), csvFloat(s.P), csvFloat(s.LowMean), csvFloat(s.HighMean), csvFloat(s.Swing()), csvFloat(s.Base)})
	}
	cw.Flush()
	return cw.Error()
}

// ReadSweep reads a merged sweep in dir for its sensitivity: its
// parameters, each point's values, each metric's mean over each point's
// replications, and whether it is a one-way design.
func ReadSweep(dir string, metrics []string) (params []string, xs, means [][]float64, oneWay bool, err error) {
	params, xs, err = ReadSweepPoints(filepath.Join(dir, sweepPoints))
	if err != nil {
		return nil, nil, nil, false, err
	}
	means, err = ReadSweepMeans(filepath.Join(dir, sweepResults), metrics, len(xs))
	if err != nil {
		return nil, nil, nil, false, err
	}
	if m, err := readManifest(dir); err == nil {
		oneWay = m.OneWay
	}
	return params, xs, means, oneWay, nil
}
