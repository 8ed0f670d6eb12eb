package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/result"
)

var (
	plotDir = flag.String("plotdir", "", "also write every test figure (PNG, SVG, PDF) into this directory, to look at")
	update  = flag.Bool("update", false, "rewrite the golden images in testdata/figures/")
)

// imageDelta is how far, on cmpimg's normalised scale, a figure may differ
// from its golden image: enough for anti-aliasing to differ between
// machines, not for a label, a line or a band to move.
const imageDelta = 0.02

// checkImage compares a PNG figure with testdata/figures/name.png, or
// rewrites that with -update. On a difference it writes the figure and
// a picture of the difference to a temporary directory it names.
func checkImage(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "figures", name+".png")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./output -update writes it)", err)
	}
	same, err := cmpimg.EqualApprox("png", got, want, imageDelta)
	if err != nil {
		t.Fatal(err)
	}
	if same {
		return
	}
	dir, err := os.MkdirTemp("", "journeysim-figure-") // kept, to look at
	if err != nil {
		t.Fatal(err)
	}
	a, _ := png.Decode(bytes.NewReader(got))
	b, _ := png.Decode(bytes.NewReader(want))
	gotPath, diffPath := filepath.Join(dir, name+".png"), filepath.Join(dir, name+"-diff.png")
	os.WriteFile(gotPath, got, 0o644)
	if a != nil && b != nil {
		diff := image.NewRGBA(a.Bounds().Union(b.Bounds()))
		cmpimg.Diff(diff, a, b)
		var buf bytes.Buffer
		png.Encode(&buf, diff)
		os.WriteFile(diffPath, buf.Bytes(), 0o644)
	}
	t.Errorf("%s differs from %s beyond %g: see %s and %s (go test ./output -update after looking)", name, path, imageDelta, gotPath, diffPath)
}

// fixtureSeries returns a monthly series like the baseline's: a level with
// a slow wave and a CI of ±rel of the level.
func fixtureSeries(name string, level, rel float64, months int) SeriesSummary {
	s := SeriesSummary{MetricInfo: result.MetricInfo{Name: name, Unit: "clients"}}
	for m := 1; m <= months; m++ {
		v := level * (1 + 0.03*math.Sin(float64(m)/7) + 0.01*math.Cos(float64(m)*1.3))
		s.Month = append(s.Month, m)
		s.Mean = append(s.Mean, v)
		s.CILow = append(s.CILow, v*(1-rel))
		s.CIHigh = append(s.CIHigh, v*(1+rel))
	}
	return s
}

// baselineSeries mimics the baseline's timeseries.csv: occupancy of every
// place (case management unused, so zero) and the waiting lists.
func baselineSeries() []SeriesSummary {
	const months = 120
	return []SeriesSummary{
		fixtureSeries("occupancy.assessment", 23.1, 0.04, months),
		fixtureSeries("queue.assessment", 1.12, 0.3, months),
		fixtureSeries("occupancy.community", 1864, 0.01, months),
		fixtureSeries("queue.community", 0, 0, months),
		fixtureSeries("occupancy.detox", 4.33, 0.08, months),
		fixtureSeries("queue.detox", 0.67, 0.35, months),
		fixtureSeries("occupancy.residential", 13.5, 0.05, months),
		fixtureSeries("queue.residential", 0.94, 0.4, months),
		fixtureSeries("occupancy.case_management", 0, 0, months),
		fixtureSeries("occupancy.mutual_aid", 419, 0.02, months),
		fixtureSeries("occupancy.using", 4180, 0.01, months),
		fixtureSeries("occupancy.remission", 1503, 0.01, months),
	}
}

func baselineCapacity() map[string]float64 {
	return map[string]float64{"assessment": 30, "community": 2600, "detox": 6, "residential": 17}
}

// altSeries is case managers at detox: a little more in community
// treatment, and case management in use.
func altSeries() []SeriesSummary {
	ss := baselineSeries()
	for i := range ss {
		switch ss[i].Name {
		case "occupancy.community":
			ss[i] = fixtureSeries(ss[i].Name, 1872, 0.01, 120)
		case "occupancy.case_management":
			ss[i] = fixtureSeries(ss[i].Name, 56.5, 0.02, 120)
		}
	}
	return ss
}

func baselineExits() []ExitBar {
	e := func(place, reason string, mean, half float64) ExitBar {
		return ExitBar{Place: place, Reason: reason, Mean: mean, Low: mean - half, High: mean + half}
	}
	return []ExitBar{
		e("assessment", "referred", 1552, 6.5), e("assessment", "declined", 135.6, 1.2),
		e("community", "completed", 640.6, 3.2), e("community", "dropped_out", 457.8, 3.1),
		e("community", "transferred", 270.6, 2.5), e("community", "died", 13.7, 0.4),
		e("detox", "completed", 57.13, 0.98), e("detox", "dropped_out", 53.99, 0.84), e("detox", "died", 0.027, 0.017),
		e("residential", "completed", 18.7, 0.47), e("residential", "dropped_out", 6.31, 0.32),
		e("residential", "transferred", 37.98, 0.6), e("residential", "died", 0.077, 0.031),
		e("using", "presents", 773, 4.6), e("using", "remits", 207.9, 2.5),
		e("remission", "relapses", 671.1, 4.8), e("remission", "recovered", 72.6, 1),
	}
}

// survivalFixture returns step curves with roughly the baseline's median
// stays: detox 13 days, residential 72, community 274.
func survivalFixture() []SurvivalCurve {
	curve := func(place string, median float64) SurvivalCurve {
		c := SurvivalCurve{Place: place}
		for d := 0.0; d <= 730; d += 7 {
			s := math.Exp(-math.Ln2 * d / median)
			h := 0.02 + 0.03*(1-s)
			c.Days = append(c.Days, d)
			c.S = append(c.S, s)
			c.Low = append(c.Low, math.Max(0, s-h))
			c.High = append(c.High, math.Min(1, s+h))
		}
		return c
	}
	return []SurvivalCurve{curve("community", 274), curve("detox", 13), curve("residential", 72)}
}

// compareFixture mimics compare baseline case-managers-at-detox.
func compareFixture() []Difference {
	d := func(name string, base, diff, half float64) Difference {
		x := Difference{MetricInfo: result.MetricInfo{Name: name}, Rel: math.NaN()}
		x.Base.Mean, x.Alt.Mean = base, base+diff
		x.Diff = Summary{Mean: diff, CILow: diff - half, CIHigh: diff + half, N: 30}
		if base != 0 {
			x.Rel = diff / math.Abs(base)
		}
		return x
	}
	return []Difference{
		d("presentations", 1692, -2.49, 0.98),
		d("distinct_clients_treated", 1546, -0.58, 1.61),
		d("clients_in_treatment", 3259, 6.377, 3.38),
		d("person_years.in_treatment", 1882, 7.867, 4.0),
		d("completion_rate", 0.2199, 0.0017, 0.00065),
		d("exit_share.completed", 0.4602, 0.0029, 0.00105),
		d("exit_share.dropped_out", 0.3327, -0.0014, 0.00130),
		d("retained_12w.community", 0.9356, -3.71e-05, 0.00072),
		d("repeat_detox_share", 0.1363, -0.0067, 0.0064),
		d("linkage_30d.detox", 0.3072, 0.0727, 0.0038),
		d("deaths", 67.43, -0.6033, 0.378),
		d("occupancy.case_management", 0, 56.47, 0.26),
		d("missed.case_management", 111.3, -87.98, 1.33),
	}
}

var headline = []string{"presentations", "distinct_clients_treated", "clients_in_treatment", "person_years.in_treatment",
	"completion_rate", "exit_share.completed", "exit_share.dropped_out", "retained_12w.community",
	"repeat_detox_share", "linkage_30d.detox", "deaths"}

// baselineFlows are the flows behind the baseline's exits.* metrics and
// routes, per year, the smallest left out: 17 flows between 14 pairs.
func baselineFlows() []Flow {
	return []Flow{
		{"assessment", "referred", "community", 1340},
		{"assessment", "referred", "detox", 125},
		{"assessment", "referred", "residential", 45},
		{"assessment", "declined", "using", 136},
		{"community", "completed", "remission", 641},
		{"community", "dropped_out", "using", 458},
		{"community", "transferred", "residential", 20},
		{"community", "transferred", "gone", 230},
		{"community", "transferred", "using", 21},
		{"detox", "completed", "community", 40},
		{"detox", "dropped_out", "using", 54},
		{"residential", "completed", "remission", 18.7},
		{"residential", "transferred", "community", 38},
		{"using", "presents", "assessment", 773},
		{"using", "remits", "remission", 208},
		{"remission", "relapses", "using", 671},
		{"remission", "recovered", "gone", 73},
	}
}

// fullFlows adds the baseline's small flows and deaths to baselineFlows:
// 27 flows.
func fullFlows() []Flow {
	return append(baselineFlows(),
		Flow{"assessment", "reneged", "using", 3.4},
		Flow{"community", "died", "dead", 13.7},
		Flow{"detox", "completed", "residential", 8},
		Flow{"detox", "completed", "remission", 6},
		Flow{"detox", "completed", "using", 3},
		Flow{"residential", "dropped_out", "using", 6.3},
		Flow{"using", "died", "dead", 40},
		Flow{"remission", "died", "dead", 8},
		Flow{"detox", "died", "dead", 0.027},
		Flow{"residential", "died", "dead", 0.077},
	)
}

var flowColumns = [][]string{{"assessment"}, {"detox", "residential", "community"}, {"using", "remission"}, {"dead", "gone"}}

// figureCase is one figure built from fixtures, with its expected CSV.
type figureCase struct {
	name   string
	make   func() (Figure, error)
	header []string
	rows   int
}

func figureCases() []figureCase {
	return []figureCase{
		{"occupancy", func() (Figure, error) { return OccupancyFigure(baselineSeries(), baselineCapacity()) },
			[]string{"place", "month", "mean", "ci_low", "ci_high", "capacity"}, 7 * 120},
		{"waiting", func() (Figure, error) { return WaitingListFigure(baselineSeries()) },
			[]string{"place", "month", "mean", "ci_low", "ci_high"}, 3 * 120},
		{"survival", func() (Figure, error) { return SurvivalFigure(survivalFixture()) },
			[]string{"place", "day", "still_in_treatment", "ci_low", "ci_high"}, 3 * 105},
		{"exits", func() (Figure, error) { return ExitsFigure(baselineExits()) },
			[]string{"place", "reason", "mean_per_year", "ci_low", "ci_high"}, 17},
		{"forest", func() (Figure, error) {
			return ForestFigure("Case managers at detox against the baseline: headline metrics", compareFixture(), headline)
		}, []string{"metric", "label", "change_pct", "ci_low_pct", "ci_high_pct", "significant", "base_mean", "alt_mean", "unit"}, 11},
		{"forest-all", func() (Figure, error) {
			return ForestFigure("Case managers at detox against the baseline: all metrics", compareFixture(), nil)
		}, []string{"metric", "label", "change_pct", "ci_low_pct", "ci_high_pct", "significant", "base_mean", "alt_mean", "unit"}, 12},
		{"occupancy-comparison", func() (Figure, error) {
			return OccupancyComparisonFigure(baselineSeries(), altSeries(), "Baseline", "Case managers at detox")
		}, []string{"scenario", "place", "month", "mean", "ci_low", "ci_high"}, 16 * 120},
		{"flows", func() (Figure, error) { return FlowFigure(baselineFlows(), flowColumns) },
			[]string{"from", "to", "reasons", "per_year"}, 16},
		{"flows-full", func() (Figure, error) { return FlowFigure(fullFlows(), flowColumns) },
			[]string{"from", "to", "reasons", "per_year"}, 24},
		{"flows-auto", func() (Figure, error) { return FlowFigure(baselineFlows(), nil) },
			[]string{"from", "to", "reasons", "per_year"}, 16},
	}
}

func TestFigures(t *testing.T) {
	for _, tc := range figureCases() {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			if f.Width <= 0 || f.Height <= 0 {
				t.Errorf("size %v × %v", f.Width, f.Height)
			}
			for _, format := range []PlotFormat{PNG, SVG, PDF} {
				var buf bytes.Buffer
				if err := f.Write(&buf, format); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				checkFormat(t, format, buf.Bytes())
				if format == PNG {
					checkImage(t, tc.name, buf.Bytes())
				}
				if *plotDir != "" {
					if err := os.MkdirAll(*plotDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(*plotDir, tc.name+"."+string(format)), buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			var buf bytes.Buffer
			if err := f.CSV(&buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], tc.header) {
				t.Errorf("CSV header %q, want %q", recs[0], tc.header)
			}
			if got := len(recs) - 1; got != tc.rows {
				t.Errorf("CSV has %d rows, want %d", got, tc.rows)
			}
		})
	}
}

func checkFormat(t *testing.T, format PlotFormat, b []byte) {
	t.Helper()
	switch format {
	case PNG:
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("PNG: %v", err)
		}
		// 12 cm at 300 dpi.
		if w := img.Bounds().Dx(); w < 1400 || w > 1430 {
			t.Errorf("PNG is %d pixels wide, want 1417 (12 cm at 300 dpi)", w)
		}
	case SVG:
		if !bytes.HasPrefix(b, []byte("<?xml")) && !bytes.HasPrefix(b, []byte("<svg")) {
			t.Errorf("SVG starts %q", b[:min(len(b), 20)])
		}
	case PDF:
		if !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("PDF starts %q", b[:min(len(b), 20)])
		}
	}
}

// TestFigureCSVValues checks that the CSVs hold the numbers drawn.
func TestFigureCSVValues(t *testing.T) {
	read := func(f Figure) [][]string {
		t.Helper()
		var buf bytes.Buffer
		if err := f.CSV(&buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	t.Run("occupancy", func(t *testing.T) {
		f, err := OccupancyFigure(baselineSeries(), baselineCapacity())
		if err != nil {
			t.Fatal(err)
		}
		recs := read(f)
		if got := recs[1]; got[0] != "assessment" || got[1] != "1" || got[5] != "30" {
			t.Errorf("first row %q", got)
		}
		for _, r := range recs[1:] {
			if r[0] == "case_management" || strings.HasPrefix(r[0], "queue") {
				t.Fatalf("row %q should not be drawn", r)
			}
			if r[0] == "using" && r[5] != "" {
				t.Fatalf("using has no capacity, row %q", r)
			}
		}
		if !strings.Contains(f.Note, "case management") {
			t.Errorf("note %q does not name the zero series", f.Note)
		}
	})
	t.Run("forest", func(t *testing.T) {
		f, err := ForestFigure("x", compareFixture(), []string{"linkage_30d.detox", "deaths", "occupancy.case_management"})
		if err != nil {
			t.Fatal(err)
		}
		recs := read(f)
		if len(recs) != 3 {
			t.Fatalf("%d rows, want linkage and deaths only (case management has no relative change)", len(recs)-1)
		}
		want := []string{"linkage_30d.detox", "Other treatment within 30 days of leaving detox"}
		if !slices.Equal(recs[1][:2], want) {
			t.Errorf("row %q, want %q", recs[1][:2], want)
		}
		// CI of the relative change = CI of the difference / |base|.
		for i, wantV := range []float64{100 * 0.0727 / 0.3072, 100 * (0.0727 - 0.0038) / 0.3072, 100 * (0.0727 + 0.0038) / 0.3072} {
			got := parseF(t, recs[1][2+i])
			if math.Abs(got-wantV) > 1e-9 {
				t.Errorf("column %s = %v, want %v", recs[0][2+i], got, wantV)
			}
		}
		if recs[1][5] != "true" {
			t.Errorf("linkage should be significant")
		}
	})
	t.Run("flows", func(t *testing.T) {
		f, err := FlowFigure([]Flow{{"a", "x", "b", 3}, {"a", "y", "b", 4}, {"b", "z", "b", 5}, {"b", "w", "c", 0}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		recs := read(f)
		want := [][]string{{"from", "to", "reasons", "per_year"}, {"a", "b", "x;y", "7"}}
		if !slices.EqualFunc(recs, want, slices.Equal) {
			t.Errorf("CSV %q, want %q (self-loops and zero flows are not drawn)", recs, want)
		}
	})
}

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestFlowLabelsDoNotOverlap checks the flow diagram's legibility: no label
// overlaps another label, a place's bar or a place's name, and everything
// is inside the figure.
func TestFlowLabelsDoNotOverlap(t *testing.T) {
	for _, tc := range []struct {
		name    string
		flows   []Flow
		columns [][]string
	}{
		{"baseline", baselineFlows(), flowColumns},
		{"full", fullFlows(), flowColumns},
		{"auto", baselineFlows(), nil},
		{"auto-full", fullFlows(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lay, err := layoutFlows(tc.flows, tc.columns, FigureWidth-2*figMargin)
			if err != nil {
				t.Fatal(err)
			}
			var boxes []vg.Rectangle
			var what []string
			for _, n := range lay.nodes {
				boxes = append(boxes, n.rect(), n.nameRect)
				what = append(what, "bar "+n.name, "name "+n.name)
			}
			for _, e := range lay.edges {
				boxes = append(boxes, e.labelRect)
				what = append(what, "label "+e.from.name+"→"+e.to.name)
			}
			for i := range boxes {
				b := boxes[i]
				if b.Min.X < -1e-6 || b.Max.X > lay.width+1e-6 || b.Min.Y < -1e-6 || b.Max.Y > lay.height+1e-6 {
					t.Errorf("%s %v is outside the %v × %v diagram", what[i], b, lay.width, lay.height)
				}
				for j := range i {
					if (strings.HasPrefix(what[i], "label") || strings.HasPrefix(what[j], "label")) && overlaps(b, boxes[j]) {
						t.Errorf("%s overlaps %s", what[i], what[j])
					}
				}
			}
			if lay.width > FigureWidth-2*figMargin+1e-6 {
				t.Errorf("diagram is %v wide, more than the figure", lay.width)
			}
		})
	}
}

func TestFigureEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func() (Figure, error)
	}{
		{"occupancy nil", func() (Figure, error) { return OccupancyFigure(nil, nil) }},
		{"occupancy only queues", func() (Figure, error) {
			return OccupancyFigure([]SeriesSummary{fixtureSeries("queue.detox", 1, 0.1, 12)}, nil)
		}},
		{"occupancy no months", func() (Figure, error) {
			return OccupancyFigure([]SeriesSummary{{MetricInfo: result.MetricInfo{Name: "occupancy.detox"}}}, nil)
		}},
		{"waiting", func() (Figure, error) { return WaitingListFigure(nil) }},
		{"survival", func() (Figure, error) { return SurvivalFigure(nil) }},
		{"survival no points", func() (Figure, error) { return SurvivalFigure([]SurvivalCurve{{Place: "detox"}}) }},
		{"exits", func() (Figure, error) { return ExitsFigure(nil) }},
		{"exits NaN", func() (Figure, error) {
			return ExitsFigure([]ExitBar{{Place: "detox", Reason: "died", Mean: math.NaN()}})
		}},
		{"forest", func() (Figure, error) { return ForestFigure("t", nil, nil) }},
		{"forest no finite change", func() (Figure, error) {
			return ForestFigure("t", compareFixture(), []string{"occupancy.case_management"})
		}},
		{"comparison", func() (Figure, error) { return OccupancyComparisonFigure(nil, nil, "a", "b") }},
		{"flows", func() (Figure, error) { return FlowFigure(nil, nil) }},
		{"flows zero", func() (Figure, error) { return FlowFigure([]Flow{{"a", "x", "b", 0}}, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.make()
			if !errors.Is(err, ErrNoData) {
				t.Fatalf("error %v, want ErrNoData", err)
			}
			if !strings.HasPrefix(err.Error(), "output: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
		})
	}
}

func TestFigureBadInput(t *testing.T) {
	bad := fixtureSeries("occupancy.detox", 4, 0.1, 12)
	bad.CILow = bad.CILow[:3]
	for _, tc := range []struct {
		name string
		make func() (Figure, error)
		want string
	}{
		{"series lengths", func() (Figure, error) { return OccupancyFigure([]SeriesSummary{bad}, nil) }, "12 months but"},
		{"survival lengths", func() (Figure, error) {
			return SurvivalFigure([]SurvivalCurve{{Place: "detox", Days: []float64{0, 1}, S: []float64{1}}})
		}, "2 days but 1 shares"},
		{"survival order", func() (Figure, error) {
			return SurvivalFigure([]SurvivalCurve{{Place: "detox", Days: []float64{0, 2, 1}, S: []float64{1, 1, 1},
				Low: []float64{1, 1, 1}, High: []float64{1, 1, 1}}})
		}, "not increasing"},
		{"negative exits", func() (Figure, error) {
			return ExitsFigure([]ExitBar{{Place: "detox", Reason: "died", Mean: -1}})
		}, "negative"},
		{"negative flow", func() (Figure, error) { return FlowFigure([]Flow{{"a", "x", "b", -1}}, nil) }, "non-negative"},
		{"place in no column", func() (Figure, error) {
			return FlowFigure([]Flow{{"a", "x", "b", 1}}, [][]string{{"a"}})
		}, `"b" is in no column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.make()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if errors.Is(err, ErrNoData) {
				t.Errorf("bad input is not ErrNoData: %v", err)
			}
		})
	}
}

func TestParsePlotFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PlotFormat
		err  bool
	}{
		{"", PNG, false},
		{"png", PNG, false},
		{"SVG", SVG, false},
		{" pdf ", PDF, false},
		{"jpeg", "", true},
		{"eps", "", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePlotFormat(tc.in)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "png, svg, pdf") {
					t.Fatalf("error %v, want one listing png, svg, pdf", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestFigureWriteUnknownFormat(t *testing.T) {
	f, err := ExitsFigure(baselineExits())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(&bytes.Buffer{}, "gif"); err == nil || !strings.Contains(err.Error(), "png, svg, pdf") {
		t.Fatalf("error %v", err)
	}
}

func TestAddFigure(t *testing.T) {
	f, err := ExitsFigure(baselineExits())
	if err != nil {
		t.Fatal(err)
	}
	var b Bundle
	if err := b.AddFigure(f, ""); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFigure(f, SVG); err != nil {
		t.Fatal(err)
	}
	want := []string{"exits.csv", "exits.png", "exits.svg"}
	if got := b.Names(); !slices.Equal(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		span float64
		n    int
		want float64
	}{
		{1864, 4, 500}, {30, 4, 10}, {6, 4, 2}, {1, 4, 0.25}, {120, 5, 25},
	} {
		if got := niceStep(tc.span, tc.n); got != tc.want {
			t.Errorf("niceStep(%v, %d) = %v, want %v", tc.span, tc.n, got, tc.want)
		}
	}
	ts := stepTicks{Step: 500}.Ticks(0, 2000)
	var labels []string
	for _, tk := range ts {
		labels = append(labels, tk.Label)
	}
	if want := []string{"0", "500", "1,000", "1,500", "2,000"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	for in, want := range map[float64]string{1340: "1,340", 13.7: "14", 6.31: "6.3", 0.027: "0.027", 0: "0"} {
		if got := flowNumber(in); got != want {
			t.Errorf("flowNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestAddRunFigures runs a short baseline and adds its figures.
func TestAddRunFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the model")
	}
	// Three rehab beds: a waiting list within the short run.
	sc, err := models.Load("baseline", []string{`run.warmup="1y"`, `run.horizon="2y"`, "places.residential.capacity=3"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*result.Result
	for rep := range 3 {
		r, err := m.Run(context.Background(), 1, rep)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	var b Bundle
	if _, err := AddRunFigures(&b, m.Layout(), rs, PNG); err != nil {
		t.Fatal(err)
	}
	want := []string{"exits.csv", "exits.png", "flows.csv", "flows.png", "occupancy.csv", "occupancy.png",
		"survival.csv", "survival.png", "waiting.csv", "waiting.png"}
	if got := b.Names(); !slices.Equal(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
	if *plotDir != "" {
		for _, n := range []string{"exits.png", "flows.png", "occupancy.png", "survival.png", "waiting.png"} {
			if err := os.WriteFile(filepath.Join(*plotDir, "run-"+n), b.files[n], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Exits come in journey order: assessment (the intake) first.
	if !bytes.HasPrefix(b.files["exits.csv"], []byte("place,reason,mean_per_year,ci_low,ci_high\nassessment,")) {
		t.Errorf("exits.csv starts %q", b.files["exits.csv"][:80])
	}
	if _, err := AddRunFigures(&b, m.Layout(), rs, "gif"); err == nil {
		t.Error("no error for format gif")
	}
}

// TestFlowShapes draws small and awkward flow graphs: one flow, a two-place
// cycle, places in one column, a long forward flow and a back flow.
func TestFlowShapes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		flows   []Flow
		columns [][]string
	}{
		{"one flow", []Flow{{"a", "x", "b", 1}}, nil},
		{"cycle", []Flow{{"a", "x", "b", 10}, {"b", "y", "a", 5}}, nil},
		{"one column", []Flow{{"a", "x", "b", 10}, {"b", "y", "c", 5}, {"c", "z", "a", 2}}, [][]string{{"a", "b", "c"}}},
		{"long and back", []Flow{{"a", "x", "b", 10}, {"b", "x", "c", 8}, {"a", "y", "c", 3}, {"c", "z", "a", 6}},
			[][]string{{"a"}, {"b"}, {"c"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FlowFigure(tc.flows, tc.columns)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := f.Write(&buf, PNG); err != nil {
				t.Fatal(err)
			}
			checkFormat(t, PNG, buf.Bytes())
			checkImage(t, "flowshape-"+strings.ReplaceAll(tc.name, " ", "-"), buf.Bytes())
			if *plotDir != "" {
				name := "flowshape-" + strings.ReplaceAll(tc.name, " ", "-") + ".png"
				if err := os.WriteFile(filepath.Join(*plotDir, name), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestRunExits checks the parsing of exits.<place>.<reason> metrics.
func TestRunExits(t *testing.T) {
	sc, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	ss := []Summary{
		{MetricInfo: result.MetricInfo{Name: "exits.using.presents"}, Mean: 773, CILow: 768, CIHigh: 778},
		{MetricInfo: result.MetricInfo{Name: "occupancy.detox"}, Mean: 4},
		{MetricInfo: result.MetricInfo{Name: "exits.detox.dropped_out"}, Mean: 54, CILow: 53, CIHigh: 55},
		{MetricInfo: result.MetricInfo{Name: "exits.assessment.referred"}, Mean: 1552, CILow: 1546, CIHigh: 1559},
	}
	got := RunExits(m.Layout(), ss)
	want := []ExitBar{
		{Place: "assessment", Reason: "referred", Mean: 1552, Low: 1546, High: 1559},
		{Place: "detox", Reason: "dropped_out", Mean: 54, Low: 53, High: 55},
		{Place: "using", Reason: "presents", Mean: 773, Low: 768, High: 778},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (intake, then treatment, then states)", got, want)
	}
}

// TestFlowFigureLeavesOutTinyFlows checks that flows under one client a year
// are not drawn but stay in the CSV, and that the note says so.
func TestFlowFigureLeavesOutTinyFlows(t *testing.T) {
	flows := []Flow{
		{From: "assessment", Reason: "referred", To: "community", PerYear: 800},
		{From: "community", Reason: "dropped_out", To: "using", PerYear: 300},
		{From: "community", Reason: "died", To: "dead", PerYear: 0.4},
		{From: "community", Reason: "died", To: "dead", PerYear: 0.5}, // 0.9 in all: left out
		{From: "using", Reason: "presents", To: "assessment", PerYear: 250},
	}
	f, err := FlowFigure(flows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Note, "Flows under 1 client a year are not drawn") {
		t.Errorf("note %q", f.Note)
	}
	var b bytes.Buffer
	if err := f.CSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "community,dead,died,0.9") {
		t.Errorf("CSV lacks the small flow:\n%s", b.String())
	}
	f, err = FlowFigure(flows[:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(f.Note, "not drawn") {
		t.Errorf("nothing left out, but the note says %q", f.Note)
	}
}
