package output

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/journeysim/journeysim/models/result"
	"github.com/journeysim/journeysim/models/scenario"
)

// AddRunFigures adds the figures of one scenario's run to b, each as
// name.<format> and name.csv (see RunFigures), and returns them. An empty
// format is PNG.
func AddRunFigures(b *Bundle, m *result.Layout, rs []*result.Result, format PlotFormat) ([]Figure, error) {
	j, err := StartRunFigures(m, rs, format)
	if err != nil {
		return nil, err
	}
	return j.AddTo(b)
}

// FigureJob is a run's figures being laid out and drawn in the background,
// while the run's other files are made (and, for a run with a
// counterfactual, while that runs).
type FigureJob struct {
	done   chan struct{}
	format PlotFormat
	figs   []Figure
	drawn  []drawnFigure
	err    error
}

// StartRunFigures starts making the figures of one scenario's run (see
// RunFigures) in the format given, "" for PNG. The results must not change
// until AddTo returns.
func StartRunFigures(m *result.Layout, rs []*result.Result, format PlotFormat) (*FigureJob, error) {
	if format == "" {
		format = PNG
	}
	if _, err := ParsePlotFormat(string(format)); err != nil {
		return nil, err
	}
	j := &FigureJob{done: make(chan struct{}), format: format}
	go func() {
		defer close(j.done)
		if j.figs, j.err = RunFigures(m, rs); j.err == nil {
			j.drawn = drawFigures(j.figs, format)
		}
	}()
	return j, nil
}

// AddTo waits for the figures, adds them to b and returns them.
func (j *FigureJob) AddTo(b *Bundle) ([]Figure, error) {
	<-j.done
	if j.err != nil {
		return nil, j.err
	}
	return j.figs, b.addDrawn(j.figs, j.format, j.drawn)
}

// RunFigures makes the figures of one scenario's run: occupancy and waiting
// lists by month (occupancy, waiting), time in treatment by service
// (time-in-treatment), exits by reason (exits) and where clients go after
// each place (flows). A figure with no data (a scenario without waiting
// lists) is left out.
func RunFigures(m *result.Layout, rs []*result.Result) ([]Figure, error) {
	rank := placeRank(m)
	byPlace := func(prefix string) func(a, b SeriesSummary) int {
		return func(a, b SeriesSummary) int {
			return rank(strings.TrimPrefix(a.Name, prefix)) - rank(strings.TrimPrefix(b.Name, prefix))
		}
	}
	series := SummarizeSeries(m, rs)

	// Capacity lines: constant capacities only. A capacity that changes
	// during the run would need a step line; rather than draw a wrong
	// constant, the figure says it is not drawn.
	capacity := map[string]float64{}
	var changing []string
	for _, name := range m.Places {
		ps := m.Scenario.Places[name]
		if ps == nil || ps.Kind != scenario.KindCapacity || ps.Capacity == nil {
			continue
		}
		if len(ps.CapacityChanges) > 0 {
			changing = append(changing, strings.ReplaceAll(name, "_", " "))
			continue
		}
		capacity[name] = ps.Capacity.V
	}

	var figs []func() (Figure, error)
	figs = append(figs, func() (Figure, error) {
		occ := slices.Clone(series)
		slices.SortStableFunc(occ, byPlace("occupancy."))
		f, err := OccupancyFigure(occ, capacity)
		if err == nil && len(changing) > 0 {
			before := f.chromeHeight()
			f.Note = strings.TrimSpace(f.Note + " Capacity changes during the run, line not drawn: " + strings.Join(changing, ", ") + ".")
			f.Height += f.chromeHeight() - before
		}
		return f, err
	}, func() (Figure, error) {
		q := slices.Clone(series)
		slices.SortStableFunc(q, byPlace("queue."))
		return WaitingListFigure(q)
	}, func() (Figure, error) {
		return SurvivalFigure(RunSurvival(m, rs))
	}, func() (Figure, error) {
		return ExitsFigure(RunExits(m, Summarize(m, rs)))
	}, func() (Figure, error) {
		return FlowFigure(RunFlows(m, rs), FlowColumns(m))
	})
	var out []Figure
	for _, mk := range figs {
		f, err := mk()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// RunSurvival summarises each treatment place's time-in-treatment curve
// over replications: the mean share still in treatment at each day of the
// grid with its 95% CI.
func RunSurvival(m *result.Layout, rs []*result.Result) []SurvivalCurve {
	var out []SurvivalCurve
	xs := make([]float64, 0, len(rs))
	for ci, c := range m.Survival {
		sc := SurvivalCurve{Place: c.Place, Days: c.Days}
		for k := range c.Days {
			xs = xs[:0]
			for _, r := range rs {
				if v := r.Survival[ci][k]; !math.IsNaN(v) {
					xs = append(xs, v)
				}
			}
			s := summarize(result.MetricInfo{}, xs)
			lo, hi := s.CILow, s.CIHigh
			if math.IsNaN(lo) {
				lo, hi = s.Mean, s.Mean
			}
			sc.S = append(sc.S, s.Mean)
			sc.Low = append(sc.Low, math.Max(0, lo))
			sc.High = append(sc.High, math.Min(1, hi))
		}
		if len(sc.S) > 0 && !math.IsNaN(sc.S[0]) {
			out = append(out, sc)
		}
	}
	return out
}

// RunFlows returns the mean clients a year along each path out of each
// place, leaving out paths nobody took.
func RunFlows(m *result.Layout, rs []*result.Result) []Flow {
	var out []Flow
	for i, f := range m.Flows {
		sum := 0.0
		for _, r := range rs {
			sum += r.Flows[i]
		}
		if mean := sum / float64(len(rs)); mean > 0 {
			out = append(out, Flow{From: f.From, Reason: f.Reason, To: f.To, PerYear: mean})
		}
	}
	return out
}

// RunExits returns the exit rates of the metrics named
// "exits.<place>.<reason>", places in journey order (see placeRank),
// reasons in metric order.
func RunExits(m *result.Layout, ss []Summary) []ExitBar {
	rank := placeRank(m)
	var out []ExitBar
	for _, s := range ss {
		rest, ok := strings.CutPrefix(s.Name, "exits.")
		if !ok {
			continue
		}
		place, reason, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		out = append(out, ExitBar{Place: place, Reason: reason, Mean: s.Mean, Low: s.CILow, High: s.CIHigh})
	}
	slices.SortStableFunc(out, func(a, b ExitBar) int { return rank(a.Place) - rank(b.Place) })
	return out
}

// placeRank orders places along the journey: the intake, the other
// capacity and open places, parallel places, then out-of-treatment states,
// each group in the model's order. Unknown names come last.
func placeRank(m *result.Layout) func(string) int {
	rank := map[string]int{}
	group := func(name string) int {
		ps := m.Scenario.Places[name]
		switch {
		case name == m.Scenario.Arrivals.To:
			return 0
		case ps == nil:
			return 4
		case ps.Kind == scenario.KindCapacity || ps.Kind == scenario.KindOpen:
			return 1
		case ps.Kind == scenario.KindParallel:
			return 2
		}
		return 3
	}
	n := len(m.Places)
	for i, name := range m.Places {
		rank[name] = group(name)*n + i
	}
	return func(name string) int {
		if r, ok := rank[name]; ok {
			return r
		}
		return 5 * n
	}
}

// CompareFigures makes the figures of one comparison: a forest plot of the
// headline metrics' relative changes (forest-<alt>) and occupancy over time
// side by side (occupancy-<alt>).
func CompareFigures(base *result.Layout, br []*result.Result, alt *result.Layout, ar []*result.Result, baseName, altName, stem string, ds []Difference) ([]Figure, error) {
	var out []Figure
	f, err := ForestFigure(altName+" against "+baseName, ds, result.HeadlineMetrics)
	if err != nil && !errors.Is(err, ErrNoData) {
		return nil, err
	}
	if err == nil {
		f.Name = "forest-" + stem
		out = append(out, f)
	}
	rank := placeRank(base)
	sortSeries := func(ss []SeriesSummary) []SeriesSummary {
		var occ []SeriesSummary
		for _, s := range ss {
			if strings.HasPrefix(s.Name, "occupancy.") {
				occ = append(occ, s)
			}
		}
		slices.SortStableFunc(occ, func(a, b SeriesSummary) int {
			return rank(strings.TrimPrefix(a.Name, "occupancy.")) - rank(strings.TrimPrefix(b.Name, "occupancy."))
		})
		return occ
	}
	f, err = OccupancyComparisonFigure(sortSeries(SummarizeSeries(base, br)), sortSeries(SummarizeSeries(alt, ar)), baseName, altName,
		capacitySteps(base), capacitySteps(alt))
	if err != nil && !errors.Is(err, ErrNoData) {
		return nil, err
	}
	if err == nil {
		f.Name = "occupancy-" + stem
		out = append(out, f)
	}
	return out, nil
}
