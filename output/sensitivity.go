package output

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sensitivity is one parameter's influence on one metric across a sweep's
// points: its partial rank correlation coefficient with the metric (the
// other parameters' ranks regressed out) and its p-value, and a binned
// one-way reading: the metric's mean over the points where the parameter is
// in its lowest fifth and in its highest fifth.
type Sensitivity struct {
	Metric, Param     string
	PRCC, P           float64
	LowMean, HighMean float64
	// Base is the metric with every parameter as the scenario has it, in a
	// one-way design (sweep --one-way), whose LowMean and HighMean are then
	// the runs with this parameter alone at its low and high end; NaN
	// otherwise.
	Base float64
}

// Swing is HighMean − LowMean.
func (s Sensitivity) Swing() float64 { return s.HighMean - s.LowMean }

// SweepSensitivity reads a merged sweep in dir (points.csv, results.csv),
// averages each metric over each point's replications and computes the
// Sensitivity of it to every numeric parameter. Parameters that are not
// numbers (a policy's words) are left out and named in skipped.
func SweepSensitivity(dir string, metrics []string) (out []Sensitivity, skipped []string, err error) {
	params, xs, err := readSweepPoints(filepath.Join(dir, sweepPoints))
	if err != nil {
		return nil, nil, err
	}
	means, err := readSweepMeans(filepath.Join(dir, sweepResults), metrics, len(xs))
	if err != nil {
		return nil, nil, err
	}
	if data, err := os.ReadFile(filepath.Join(dir, sweepManifest)); err == nil {
		var man SweepManifest
		if err := json.Unmarshal(data, &man); err == nil && man.OneWay {
			return oneWay(params, metrics, means)
		}
	}
	var use []int
	for j, p := range params {
		numeric := true
		for _, row := range xs {
			numeric = numeric && !math.IsNaN(row[j])
		}
		if numeric {
			use = append(use, j)
		} else {
			skipped = append(skipped, p)
		}
	}
	n, k := len(xs), len(use)
	if k == 0 {
		return nil, skipped, errors.New("sensitivity: the sweep has no numeric parameter")
	}
	if n < k+3 {
		return nil, skipped, fmt.Errorf("sensitivity: %d points for %d parameters: partial rank correlations need at least %d", n, k, k+3)
	}
	ranks := make([][]float64, k)
	for i, j := range use {
		col := make([]float64, n)
		for r := range xs {
			col[r] = xs[r][j]
		}
		ranks[i] = rank(col)
	}
	for mi, metric := range metrics {
		y := means[mi]
		if slices.ContainsFunc(y, math.IsNaN) {
			return nil, skipped, fmt.Errorf("sensitivity: %s has no data at some points", metric)
		}
		ry := rank(y)
		for i, j := range use {
			var others [][]float64
			for o := range use {
				if o != i {
					others = append(others, ranks[o])
				}
			}
			ex, ey := residuals(ranks[i], others), residuals(ry, others)
			r := stat.Correlation(ex, ey, nil)
			if math.IsNaN(r) {
				// The other parameters explain the metric (or this one)
				// wholly: nothing is left for this one to add.
				r = 0
			}
			df := float64(n - 2 - len(others))
			p := math.NaN()
			if df > 0 && math.Abs(r) < 1 {
				t := r * math.Sqrt(df/(1-r*r))
				p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
			}
			col := make([]float64, n)
			for row := range xs {
				col[row] = xs[row][j]
			}
			lo, hi := fifthMeans(col, y)
			out = append(out, Sensitivity{Metric: metric, Param: params[j], PRCC: r, P: p, LowMean: lo, HighMean: hi, Base: math.NaN()})
		}
	}
	return out, skipped, nil
}

// oneWay reads a one-way design: point 0 is the scenario as it is, points
// 2i+1 and 2i+2 parameter i at its low and high end.
func oneWay(params, metrics []string, means [][]float64) ([]Sensitivity, []string, error) {
	var out []Sensitivity
	for mi, metric := range metrics {
		y := means[mi]
		if len(y) != 1+2*len(params) {
			return nil, nil, fmt.Errorf("sensitivity: a one-way sweep of %d parameters has %d points, not %d", len(params), len(y), 1+2*len(params))
		}
		for i, p := range params {
			out = append(out, Sensitivity{Metric: metric, Param: p, PRCC: math.NaN(), P: math.NaN(),
				LowMean: y[1+2*i], HighMean: y[2+2*i], Base: y[0]})
		}
	}
	return out, nil, nil
}

func readSweepPoints(path string) (params []string, xs [][]float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("sensitivity: %w (run journeysim merge first?)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 || len(rows[0]) < 2 {
		return nil, nil, fmt.Errorf("sensitivity: %s: not a sweep's points.csv", path)
	}
	params = rows[0][1:]
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

// readSweepMeans streams results.csv and returns, for each metric, its mean
// over each point's replications.
func readSweepMeans(path string, metrics []string, points int) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sensitivity: %w (run journeysim merge first?)", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil || len(head) < 4 {
		return nil, fmt.Errorf("sensitivity: %s: not a sweep's results.csv", path)
	}
	idx := map[string]int{}
	for i, m := range metrics {
		idx[m] = i
	}
	sum := make([][]float64, len(metrics))
	cnt := make([][]int, len(metrics))
	for i := range metrics {
		sum[i], cnt[i] = make([]float64, points), make([]int, points)
	}
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sensitivity: %s: %w", path, err)
		}
		name := rec[len(rec)-2]
		seen[name] = true
		i, ok := idx[name]
		if !ok {
			continue
		}
		p, err1 := strconv.Atoi(rec[0])
		v, err2 := strconv.ParseFloat(rec[len(rec)-1], 64)
		if err1 != nil || p < 0 || p >= points || (err2 != nil && rec[len(rec)-1] != "") {
			return nil, fmt.Errorf("sensitivity: %s: a bad row %q", path, rec)
		}
		if err2 == nil && !math.IsNaN(v) {
			sum[i][p] += v
			cnt[i][p]++
		}
	}
	for i, m := range metrics {
		if !seen[m] {
			return nil, fmt.Errorf("sensitivity: no metric %q in %s", m, path)
		}
		for p := range sum[i] {
			sum[i][p] /= float64(cnt[i][p]) // NaN with no data
		}
	}
	return sum, nil
}

// argsort returns the indexes of xs in increasing order of value, ties in
// index order.
func argsort(xs []float64) []int {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	return order
}

// rank returns the ranks of xs from 1, ties sharing their mean rank.
func rank(xs []float64) []float64 {
	order := argsort(xs)
	out := make([]float64, len(xs))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && xs[order[j+1]] == xs[order[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[order[k]] = r
		}
		i = j + 1
	}
	return out
}

// residuals are y less its least-squares fit on an intercept and xs.
func residuals(y []float64, xs [][]float64) []float64 {
	n := len(y)
	a := mat.NewDense(n, len(xs)+1, nil)
	for r := range n {
		a.Set(r, 0, 1)
		for c, x := range xs {
			a.Set(r, c+1, x[r])
		}
	}
	b := mat.NewVecDense(n, slices.Clone(y))
	var beta mat.VecDense
	if err := beta.SolveVec(a, b); err != nil {
		return slices.Clone(y)
	}
	var fit mat.VecDense
	fit.MulVec(a, &beta)
	out := make([]float64, n)
	for r := range n {
		out[r] = y[r] - fit.AtVec(r)
	}
	return out
}

// fifthMeans returns y's mean over the points with the lowest fifth of x
// and over those with the highest fifth.
func fifthMeans(x, y []float64) (lo, hi float64) {
	order := argsort(x)
	m := max(1, len(x)/5)
	for _, i := range order[:m] {
		lo += y[i]
	}
	for _, i := range order[len(order)-m:] {
		hi += y[i]
	}
	return lo / float64(m), hi / float64(m)
}

// SensitivityFigures draws, for metric, the partial rank correlation of
// each parameter (bars, strongest at the top) and a tornado of the binned
// one-way swings.
func SensitivityFigures(metric string, ss []Sensitivity) ([]Figure, error) {
	var rows []Sensitivity
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
		slices.SortStableFunc(byPRCC, func(a, b Sensitivity) int { return cmpAbs(b.PRCC, a.PRCC) })
		prcc, err := barFigure("prcc-"+metric, "Partial rank correlation with "+name, "partial rank correlation coefficient",
			byPRCC, func(s Sensitivity) (float64, float64) { return 0, s.PRCC }, true, -1, 1,
			"Each parameter's ranks against the metric's, the other parameters' ranks regressed out; * p < 0.05.")
		if err != nil {
			return nil, err
		}
		figs = append(figs, prcc)
	}
	bySwing := slices.Clone(rows)
	slices.SortStableFunc(bySwing, func(a, b Sensitivity) int { return cmpAbs(b.Swing(), a.Swing()) })
	xlabel, note := name+": lowest fifth to highest fifth of the parameter",
		"Bars run from the metric's mean over the sweep points where the parameter is in its lowest fifth to the mean where it is in its highest."
	if oneWay {
		xlabel, note = name+": parameter at the low to the high end of its range",
			"Each bar: the parameter alone at the low and at the high end of its range, the others as in the scenario; the line is the scenario as it is."
	}
	tornado, err := barFigure("tornado-"+metric, "One-way sensitivity of "+name, xlabel,
		bySwing, func(s Sensitivity) (float64, float64) { return s.LowMean, s.HighMean }, false, math.NaN(), math.NaN(), note)
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
func barFigure(name, title, xlabel string, rows []Sensitivity, span func(Sensitivity) (float64, float64), star bool, lo, hi float64, note string) (Figure, error) {
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
func WriteSensitivityCSV(w io.Writer, ss []Sensitivity) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"metric", "parameter", "prcc", "p_value", "low", "high", "swing", "base"})
	for _, s := range ss {
		cw.Write([]string{s.Metric, s.Param, csvFloat(s.PRCC), csvFloat(s.P), csvFloat(s.LowMean), csvFloat(s.HighMean), csvFloat(s.Swing()), csvFloat(s.Base)})
	}
	cw.Flush()
	return cw.Error()
}
