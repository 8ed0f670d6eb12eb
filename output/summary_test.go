package output

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/result"
)

func TestSummarizeKnown(t *testing.T) {
	// Mean 3, sample SD √2.5 = 1.5811, n = 5: half-width t(0.975, 4)·SD/√5
	// = 2.776445·1.5811/2.2361 = 1.96324.
	s := summarize(result.MetricInfo{Name: "x"}, []float64{1, 2, 3, 4, 5})
	if s.Mean != 3 || s.N != 5 {
		t.Fatalf("mean %v n %d", s.Mean, s.N)
	}
	if h := s.CIHigh - s.Mean; math.Abs(h-1.96324) > 1e-5 {
		t.Errorf("half-width %.6f, want 1.96324", h)
	}
	if math.Abs((s.Mean-s.CILow)-(s.CIHigh-s.Mean)) > 1e-12 {
		t.Error("interval not symmetric")
	}
	if one := summarize(result.MetricInfo{}, []float64{7}); one.Mean != 7 || !math.IsNaN(one.CILow) {
		t.Errorf("one value: %+v", one)
	}
	if none := summarize(result.MetricInfo{}, nil); !math.IsNaN(none.Mean) || none.N != 0 {
		t.Errorf("no values: %+v", none)
	}
}

func TestFormat(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 0.12345: "0.1235", 3.14159: "3.142", 42.123: "42.12",
		123.456: "123.5", 1234.5: "1234", 0.0001234: "0.000123", -2.5: "-2.500"} {
		if got := Format(x); got != want {
			t.Errorf("Format(%v) = %q, want %q", x, got, want)
		}
	}
	if Format(math.NaN()) != "" {
		t.Error("NaN should format empty")
	}
}

// TestBaselineHeadlinePrecision checks the baseline's replications give every
// headline metric a 95% CI within ±5% of its mean, as the run promises.
func TestBaselineHeadlinePrecision(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the baseline")
	}
	sc, err := models.Load("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Replicate(context.Background(), sc.Seed(), sc.Replications(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := m.Layout()
	ss := Summarize(l, rs)
	head := l.Headline
	// The fixed headline, then the mean wait of the places with a list:
	// assessment, community, detox and residential.
	if want := len(result.HeadlineMetrics) + 4; len(head) != want {
		t.Errorf("baseline has %d headline metrics, want %d", len(head), want)
	}
	for _, i := range head {
		// A wait of a fraction of a day cannot be known to 5% of itself:
		// a day either way is what a planner reads.
		if strings.HasPrefix(ss[i].Name, "wait_mean_days.") {
			if hw := (ss[i].CIHigh - ss[i].CILow) / 2; !(hw <= 1) {
				t.Errorf("%s: CI half-width %.2f days, want ≤ 1", ss[i].Name, hw)
			}
			continue
		}
		if rel := ss[i].RelHalfWidth(); !(rel <= 0.05) {
			t.Errorf("%s: CI half-width %.1f%% of the mean, want ≤ 5%%", ss[i].Name, 100*rel)
		}
	}
	var b strings.Builder
	if err := WriteTable(&b, ss, head, l.Places); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "metric") || !strings.Contains(b.String(), "headline") {
		t.Errorf("table:\n%s", b.String())
	}
}

// TestFollowupTable checks that follow-up metrics leave the main table for
// their own: a row for each cohort and time, a column for each measure.
func TestFollowupTable(t *testing.T) {
	sum := func(name string, mean float64) Summary {
		return Summary{MetricInfo: result.MetricInfo{Name: name}, Mean: mean}
	}
	ss := []Summary{
		sum("deaths", 3),
		sum("followup.detox.3m.followed", 70),
		sum("followup.detox.3m.abstinent", 0.42),
		sum("followup.detox.3m.first_exit.completed", 0.5),
		sum("followup.detox.1y.abstinent", 0.3),
	}
	var main, fu strings.Builder
	if err := WriteTable(&main, ss, nil, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(main.String(), "followup.") || !strings.Contains(main.String(), "deaths") {
		t.Errorf("main table:\n%s", main.String())
	}
	if err := WriteFollowupTable(&fu, ss); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(fu.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "follow-up") ||
		!strings.Contains(lines[1], "detox at 3m") || !strings.Contains(lines[1], "0.4200") || !strings.Contains(lines[2], "detox at 1y") {
		t.Errorf("follow-up table:\n%s", fu.String())
	}
	var none strings.Builder
	if err := WriteFollowupTable(&none, ss[:1]); err != nil || none.Len() != 0 {
		t.Errorf("without follow-ups: %q, %v", none.String(), err)
	}
}

// TestDifferenceCI: a fall in a bounded metric keeps its whole interval.
// Cut at the metric's own bounds (a count's 0), every negative difference
// had its interval stop at its mean.
func TestDifferenceCI(t *testing.T) {
	for _, unit := range []string{"share", "per year", "days"} {
		info := result.MetricInfo{Name: "x", Unit: unit}
		d := summarizeDiff(info, []float64{-0.3, -0.1, -0.2, 0.05, -0.25})
		if !(d.CILow < d.Mean && d.Mean < d.CIHigh) {
			t.Errorf("%s: difference %g with CI %g to %g: the interval must surround the mean", unit, d.Mean, d.CILow, d.CIHigh)
		}
	}
	// A share's difference still stops at -1 and 1.
	d := summarizeDiff(result.MetricInfo{Name: "x", Unit: "share"}, []float64{-1, -0.2, -1, -0.9})
	if d.CILow < -1 {
		t.Errorf("a share's difference reaches %g, below -1", d.CILow)
	}
}
