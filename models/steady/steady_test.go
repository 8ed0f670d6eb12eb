package steady

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models/result"
)

// layoutOf is a layout with one occupancy series per name.
func layoutOf(names ...string) *result.Layout {
	l := &result.Layout{}
	for _, n := range names {
		l.Series = append(l.Series, result.MetricInfo{Name: "occupancy." + n})
	}
	return l
}

// results makes reps replications of months of series f(rep, month), with
// noise of sd sd.
func results(reps, months int, sd float64, fs ...func(m int) float64) []*result.Result {
	rng := rand.New(rand.NewPCG(1, 2))
	var rs []*result.Result
	for range reps {
		r := &result.Result{}
		for _, f := range fs {
			ys := make([]float64, months)
			for m := range ys {
				ys[m] = f(m) + sd*rng.NormFloat64()
			}
			r.Monthly = append(r.Monthly, ys)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestMeasureDrift(t *testing.T) {
	// flat: 100 a month; growing: 100 + m / 2, so over 120 months it grows
	// by 59.5 on a mean of 129.75, +45.9%, and its last year over its
	// first is 156.75 / 102.75 - 1, +52.6%.
	rs := results(20, 120, 2, func(int) float64 { return 100 }, func(m int) float64 { return 100 + float64(m)/2 })
	rep := Measure(layoutOf("flat", "growing"), rs, 0.03)
	if len(rep.Stocks) != 2 {
		t.Fatalf("%d stocks, want 2", len(rep.Stocks))
	}
	flat, grow := rep.Stocks[0], rep.Stocks[1]
	if flat.Beyond || math.Abs(float64(flat.Change)) > 0.01 {
		t.Errorf("flat: change %+.4f (beyond %v), want about 0 and within", flat.Change, flat.Beyond)
	}
	if want := 59.5 / 129.75; !grow.Beyond || math.Abs(float64(grow.Change)-want) > 0.01 {
		t.Errorf("growing: change %+.4f (beyond %v), want %+.4f and beyond", grow.Change, grow.Beyond, want)
	}
	if want := 156.75/102.75 - 1; math.Abs(float64(grow.FirstLast)-want) > 0.01 {
		t.Errorf("growing: last year over first %+.4f, want %+.4f", grow.FirstLast, want)
	}
	if !(grow.Lo < grow.Change && grow.Change < grow.Hi) {
		t.Errorf("growing: CI %v to %v does not hold %v", grow.Lo, grow.Hi, grow.Change)
	}
	if rep.Settled || !strings.HasPrefix(rep.Sentence(), "NOT A STEADY STATE") || !strings.Contains(rep.Sentence(), "drifting: growing") {
		t.Errorf("settled %v; sentence %q", rep.Settled, rep.Sentence())
	}
	// A projection from a start moves by design: it says so, and gives no
	// advice about a warm-up it does not have.
	rep.Projection = true
	if s := rep.Sentence(); !strings.HasPrefix(s, "A projection, not a steady state") || !strings.Contains(s, "moving: growing") || strings.Contains(s, "warm-up") {
		t.Errorf("projection: sentence %q", s)
	}
}

func TestMeasureNoise(t *testing.T) {
	// A small noisy stock whose drift is not told from no change is not
	// said to drift, however large its point estimate.
	rs := results(3, 24, 40, func(int) float64 { return 20 })
	rep := Measure(layoutOf("small"), rs, 0.03)
	if !rep.Settled || !strings.HasPrefix(rep.Sentence(), "Steady state") {
		t.Errorf("noise judged a drift: %q", rep.Sentence())
	}
	if rep := Measure(layoutOf("short"), results(5, 12, 0, func(int) float64 { return 20 }), 0); len(rep.Stocks) != 0 || !strings.Contains(rep.Sentence(), "not measured") {
		t.Errorf("a year of months measured: %q", rep.Sentence())
	}
}

func TestMSER5(t *testing.T) {
	// Flat: nothing to truncate. Rising to a level with a time constant
	// of 15 months: the gap to it falls below the wiggle's size (0.7) by
	// month 75, so MSER-5 truncates the rise and not half the series.
	flat := make([]float64, 240)
	for i := range flat {
		flat[i] = 100 + math.Sin(float64(i)) // deterministic wiggle
	}
	if d := MSER5(flat); d > 2 {
		t.Errorf("flat: truncates %d batches, want 0 to 2", d)
	}
	rising := make([]float64, 240)
	for i := range rising {
		rising[i] = 100*(1-math.Exp(-float64(i)/15)) + math.Sin(float64(i))
	}
	if d := MSER5(rising); d*Batch < 60 || d >= len(rising)/Batch/2 {
		t.Errorf("rising: truncates %d batches (%d months), want 60 months or more and under half the series", d, d*Batch)
	}
}

// lines makes one replication per change in changes, each a straight line
// of 120 months about a mean of 100 that grows by that share over them.
func lines(changes []float64) [][]float64 {
	var out [][]float64
	for _, c := range changes {
		ys := make([]float64, 120)
		for m := range ys {
			ys[m] = 100 + c*100*(float64(m)-59.5)/119
		}
		out = append(out, ys)
	}
	return out
}

func TestMeasureManyStocks(t *testing.T) {
	// Ten replications whose changes are 0.05 +- 0.05 alternately: a mean
	// of +5%, a standard error of 1.67%, t = 3.0. Alone, its 95% CI
	// (t 2.26) excludes no change: it drifts. Among ten stocks judged, the
	// Bonferroni multiplier is 3.69 and it may be chance: it does not.
	var changes []float64
	for i := range 10 {
		changes = append(changes, 0.05+0.05*float64(1-2*(i%2)))
	}
	drifting := lines(changes)
	flat := lines(make([]float64, 10))
	build := func(stocks int) []*result.Result {
		rs := make([]*result.Result, 10)
		for r := range rs {
			rs[r] = &result.Result{Monthly: [][]float64{drifting[r]}}
			for range stocks - 1 {
				rs[r].Monthly = append(rs[r].Monthly, flat[r])
			}
		}
		return rs
	}
	names := []string{"d", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"}
	if rep := Measure(layoutOf("d"), build(1), 0.03); rep.Settled || !rep.Stocks[0].Beyond {
		t.Errorf("one stock: %q", rep.Sentence())
	}
	if rep := Measure(layoutOf(names...), build(10), 0.03); !rep.Settled || rep.Stocks[0].Beyond {
		t.Errorf("ten stocks: %q", rep.Sentence())
	}

	// A stock of a few people is reported, not judged, however it moves.
	small := &result.Result{Monthly: [][]float64{make([]float64, 120), make([]float64, 120)}}
	for m := range 120 {
		small.Monthly[0][m] = 2 + float64(m)/60 // 2 to 4 clients
		small.Monthly[1][m] = 50
	}
	rep := Measure(layoutOf("detox", "community"), []*result.Result{small, small}, 0.03)
	if !rep.Settled || rep.Stocks[0].Judged || rep.Stocks[0].Change < 0.5 ||
		!strings.Contains(rep.Sentence(), "too few to judge: detox") || !strings.Contains(rep.Sentence(), "drift is in community") {
		t.Errorf("a small stock judged: %+v; %q", rep.Stocks[0], rep.Sentence())
	}
}

// TestWarnings: three services with waiting lists over ten years. "ok"
// has room, a steady list of 3 and 2% giving up; "full" is 97% full, its
// list grows from 10 by a client a month and a fifth of its waiters give
// up; "small" has a list that grows from 0 to 3 only (under GrowClients).
func TestWarnings(t *testing.T) {
	l := &result.Layout{}
	for _, p := range []string{"ok", "full", "small"} {
		l.Series = append(l.Series, result.MetricInfo{Name: "queue." + p})
		for _, m := range []string{"utilisation.", "occupancy.", "reneged.", "admissions."} {
			l.Metrics = append(l.Metrics, result.MetricInfo{Name: m + p})
		}
	}
	rs := results(10, 120, 0.5, func(int) float64 { return 3 }, func(m int) float64 { return 10 + float64(m) },
		func(m int) float64 { return float64(m) / 40 })
	for _, r := range rs {
		r.Values = []float64{
			0.6, 60, 2, 98, // ok
			0.97, 100, 50, 200, // full: 50 of 250 give up
			0.5, 20, 0, 100, // small
		}
	}
	var got []string
	for _, w := range Warnings(l, rs, 0.03) {
		got = append(got, w.Place+" "+w.Kind)
		if !strings.HasPrefix(w.Text, w.Place) {
			t.Errorf("%q does not name %s first", w.Text, w.Place)
		}
	}
	want := []string{"full full", "full queue_growing", "full losing_waiters"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("warnings %q, want %q", got, want)
	}
}
